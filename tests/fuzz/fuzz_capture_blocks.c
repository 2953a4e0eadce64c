// SPDX-License-Identifier: Apache-2.0
/*
 * libFuzzer target for what the capture reader does with a block whose
 * checksums are right: inflating it and checking its records' framing
 * against the block header. fuzz_capture.c gives the reader the input as it
 * is, so nearly every mutation of a block fails its CRC32 and the reader
 * never looks further (a one-hour run never reached the inflate or framing
 * errors). A capture made by hand, or by a writer with a bug, has right
 * checksums and wrong content; so here the first byte of the input chooses:
 *
 *	even: the rest is a capture file whose header CRC and block CRCs are
 *	      recomputed before it is read (compressed data and header fields
 *	      mutated freely: inflate errors, sizes that disagree);
 *	odd:  the rest is "u32 nrecords, u32 nevents, record bytes": one block
 *	      of those bytes, compressed here, after a valid file header
 *	      (records that overrun the block, counts that disagree).
 *
 * Seeds: tests/fuzz/seeds/capture_blocks/ (the capture seeds with a 0 byte
 * before them, and the records of one of them with a 1 byte).
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#include "capture/format_int.h"
#include "capture/reader.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void no_warn(void *ctx, const char *msg)
{
	(void)ctx;
	(void)msg;
}

static void read_all(const uint8_t *file, size_t len)
{
	struct vgl_capreader *r;
	const void *rec;
	uint32_t type;
	size_t n;
	char err[256];
	volatile uint8_t sink = 0;

	if (vgl_capreader_open_mem(file, len, "fuzz", no_warn, NULL, &r, err, sizeof(err)))
		return;
	while (vgl_capreader_next(r, &type, &rec, &n) == 1)
		if (n)
			sink ^= ((const uint8_t *)rec)[0] ^ ((const uint8_t *)rec)[n - 1];
	vgl_capreader_close(r);
}

/* Recompute the file header's CRC and every block's, as a writer would. */
static void fix_checksums(uint8_t *p, size_t len)
{
	size_t at, hdr = VGL_CAP_HDR_FIXED + (len >= VGL_CAP_HDR_FIXED ? vgl_le16_get(p + 10) : 0);

	if (hdr + 4 > len)
		return;
	vgl_le32_put(p + hdr, (uint32_t)crc32(0, p, (uInt)hdr));
	for (at = hdr + 4; at + VGL_CAP_BLKHDR_LEN <= len;) {
		size_t comp;

		if (vgl_le32_get(p + at) != VGL_CAP_BLOCK_MAGIC) {
			at++;
			continue;
		}
		comp = vgl_le32_get(p + at + 4);
		if (comp > len - at - VGL_CAP_BLKHDR_LEN)
			comp = len - at - VGL_CAP_BLKHDR_LEN;
		vgl_le32_put(p + at + 36,
			     (uint32_t)crc32(0, p + at + VGL_CAP_BLKHDR_LEN, (uInt)comp));
		vgl_le32_put(p + at + 40, (uint32_t)crc32(0, p + at, 40));
		at += VGL_CAP_BLKHDR_LEN + comp;
	}
}

/* A valid header, then one block of @raw (compressed here) claiming @nrec / @nev. */
static void one_block(const uint8_t *in, size_t len)
{
	static uint8_t file[VGL_CAP_HDR_MAX + VGL_CAP_BLKHDR_LEN + VGL_CAP_COMP_MAX];
	static struct vgl_cap_info info;
	static bool have_info;
	struct vgl_cap_blkhdr h = { 0 };
	uLongf comp = VGL_CAP_COMP_MAX;
	size_t hdr;

	if (len < 8 || len - 8 > VGL_CAP_BLOCK_RAW_MAX)
		return;
	h.nrecords = vgl_le32_get(in);
	h.nevents = vgl_le32_get(in + 4);
	h.raw_len = (uint32_t)(len - 8);
	if (!have_info) {
		vgl_cap_info_host(&info);
		have_info = true;
	}
	hdr = vgl_cap_hdr_encode(&info, file, VGL_CAP_HDR_MAX);
	if (!hdr || compress2(file + hdr + VGL_CAP_BLKHDR_LEN, &comp, in + 8, h.raw_len, 1) != Z_OK)
		return;
	h.comp_len = (uint32_t)comp;
	h.data_crc = (uint32_t)crc32(0, file + hdr + VGL_CAP_BLKHDR_LEN, (uInt)comp);
	vgl_cap_blkhdr_encode(&h, file + hdr);
	read_all(file, hdr + VGL_CAP_BLKHDR_LEN + comp);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	uint8_t *copy;

	if (!size)
		return 0;
	if (data[0] & 1) {
		one_block(data + 1, size - 1);
		return 0;
	}
	copy = malloc(size - 1 ? size - 1 : 1);
	if (!copy)
		return 0;
	memcpy(copy, data + 1, size - 1);
	fix_checksums(copy, size - 1);
	read_all(copy, size - 1);
	free(copy);
	return 0;
}
