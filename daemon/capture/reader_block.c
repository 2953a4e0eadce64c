// SPDX-License-Identifier: Apache-2.0
/*
 * The capture reader's blocks. A block is checked whole (header and data
 * checksums, the inflated length, the framing of every record, the counts)
 * before any of its records is yielded, so a damaged block yields nothing;
 * after a damaged block header the reader goes on at the next block magic
 * whose header checks.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libdeflate.h>

#include "capture/format_int.h"
#include "capture/reader_int.h"

/* The block header at @at is damaged: skip to the next block that checks. */
static int skip_to_next(struct vgl_capreader *r, uint64_t at, const char *problem)
{
	const uint8_t *p;
	int64_t next = capr_resync(r, at + 1);
	ssize_t more;

	if (next < 0)
		return (int)next;
	more = capr_win_get(r, (uint64_t)next, 1, &p);
	if (more < 0)
		return (int)more;
	capr_warn(r, "offset %" PRIu64 ": %s; skipped %" PRIu64 " bytes to %s", at, problem,
		  (uint64_t)next - at, more ? "the next block" : "the end of the file");
	r->st.blocks_skipped++;
	r->st.bytes_skipped += (uint64_t)next - at;
	r->off = (uint64_t)next;
	return 0;
}

/*
 * Why zlib data @comp does not inflate, in zlib's words where zlib has
 * them ("incorrect header check", "incorrect data check"). Only for the
 * message: libdeflate says no more than "bad data", so this looks again at
 * the zlib header (RFC 1950), then at the deflate data alone, to tell a bad
 * header, bad deflate data and a wrong Adler-32 apart.
 */
static const char *zlib_problem(struct vgl_capreader *r, const uint8_t *comp, size_t len,
				size_t raw_len)
{
	unsigned hdr = len >= 2 ? (unsigned)comp[0] << 8 | comp[1] : 0;
	size_t out_len;

	if (len < 6) /* the header and the Adler-32 */
		return "data cut short";
	if (hdr % 31)
		return "incorrect header check";
	if ((hdr >> 8 & 0xf) != 8)
		return "unknown compression method";
	if (hdr >> 12 > 7)
		return "invalid window size";
	if (hdr & 0x20)
		return "needs a preset dictionary";
	if (libdeflate_deflate_decompress_ex(r->zd, comp + 2, len - 6, r->raw, raw_len, NULL,
					     &out_len) != LIBDEFLATE_SUCCESS)
		return "invalid or incomplete deflate data";
	return "incorrect data check";
}

/* Inflate exactly h->raw_len bytes from @comp into r->raw; NULL or the problem. */
static const char *inflate_block(struct vgl_capreader *r, const uint8_t *comp,
				 const struct vgl_cap_blkhdr *h, char *why, size_t whylen)
{
	size_t in_len = 0, out_len = 0;
	enum libdeflate_result ret;

	if (h->raw_len + 1 > r->raw_cap) {
		uint8_t *raw = realloc(r->raw, h->raw_len + 1);

		if (!raw)
			return "out of memory";
		r->raw = raw;
		r->raw_cap = h->raw_len + 1;
	}
	/* whole block at once; libdeflate writes no more than raw_len whatever the data says */
	ret = libdeflate_zlib_decompress_ex(r->zd, comp, h->comp_len, r->raw, h->raw_len, &in_len,
					    &out_len);
	if (ret == LIBDEFLATE_SUCCESS && out_len == h->raw_len && in_len == h->comp_len)
		return NULL;
	if (ret == LIBDEFLATE_SUCCESS && in_len < h->comp_len)
		snprintf(why, whylen, "%zu bytes follow the block's compressed data",
			 h->comp_len - in_len);
	else if (ret == LIBDEFLATE_SUCCESS)
		snprintf(why, whylen, "block inflates to %zu bytes, its header says %" PRIu32,
			 out_len, h->raw_len);
	else if (ret == LIBDEFLATE_INSUFFICIENT_SPACE)
		snprintf(why, whylen,
			 "block inflates to more than the %" PRIu32 " bytes its header says",
			 h->raw_len);
	else
		snprintf(why, whylen, "block does not inflate (zlib: %s)",
			 zlib_problem(r, comp, h->comp_len, h->raw_len));
	return why;
}

/* Check the framing of the records in r->raw against the header's counts. */
static const char *check_records(struct vgl_capreader *r, const struct vgl_cap_blkhdr *h, char *why,
				 size_t whylen)
{
	uint32_t nrec = 0, nev = 0;
	size_t pos = 0;

	while (pos < h->raw_len) {
		size_t left = h->raw_len - pos;
		uint32_t len = left >= VGL_CAP_REC_HDR ? vgl_le32_get(r->raw + pos + 4) : 0;

		if (left < VGL_CAP_REC_HDR || len > VGL_CAP_RECORD_MAX ||
		    len > left - VGL_CAP_REC_HDR) {
			snprintf(why, whylen, "record %" PRIu32 " overruns the block", nrec + 1);
			return why;
		}
		nev += vgl_le32_get(r->raw + pos) == VGL_CAP_REC_EVENT;
		nrec++;
		pos += VGL_CAP_REC_HDR + len;
	}
	if (nrec == h->nrecords && nev == h->nevents)
		return NULL;
	snprintf(why, whylen,
		 "block holds %" PRIu32 " records (%" PRIu32 " events), its header says %" PRIu32
		 " (%" PRIu32 ")",
		 nrec, nev, h->nrecords, h->nevents);
	return why;
}

static const char *load_block(struct vgl_capreader *r, const uint8_t *comp,
			      const struct vgl_cap_blkhdr *h, char *why, size_t whylen)
{
	const char *problem;

	if (libdeflate_crc32(0, comp, h->comp_len) != h->data_crc)
		return "block data checksum mismatch";
	problem = inflate_block(r, comp, h, why, whylen);
	if (!problem)
		problem = check_records(r, h, why, whylen);
	return problem;
}

/* The file ends @avail bytes after @at, inside a block. */
static void truncated(struct vgl_capreader *r, uint64_t at, const struct vgl_cap_blkhdr *h,
		      size_t avail)
{
	r->st.truncated = true;
	r->st.bytes_skipped += avail;
	if (!h) {
		capr_warn(r, "offset %" PRIu64 ": file ends inside a block header (truncated)", at);
		return;
	}
	r->st.records_skipped += h->nrecords;
	capr_warn(r,
		  "offset %" PRIu64 ": file ends inside a block (truncated); %" PRIu32
		  " records lost",
		  at, h->nrecords);
}

int capr_next_block(struct vgl_capreader *r)
{
	char why[160];
	struct vgl_cap_blkhdr h;
	const char *problem;
	const uint8_t *p;

	for (;;) {
		uint64_t at = r->off;
		ssize_t n = capr_win_get(r, at, VGL_CAP_BLKHDR_LEN, &p);
		size_t len;

		if (n <= 0)
			return (int)n;
		if (n < VGL_CAP_BLKHDR_LEN && !memcmp(p, "VBLK", n < 4 ? (size_t)n : 4)) {
			truncated(r, at, NULL, (size_t)n);
			return 0;
		}
		problem = n < VGL_CAP_BLKHDR_LEN ? "no block here (bad block magic)"
						 : vgl_cap_blkhdr_decode(p, &h);
		if (problem) {
			if ((n = skip_to_next(r, at, problem)))
				return (int)n;
			continue;
		}
		len = VGL_CAP_BLKHDR_LEN + h.comp_len;
		n = capr_win_get(r, at, len, &p);
		if (n < 0)
			return (int)n;
		if ((size_t)n < len) {
			truncated(r, at, &h, (size_t)n);
			return 0;
		}
		r->off = at + len;
		problem = load_block(r, p + VGL_CAP_BLKHDR_LEN, &h, why, sizeof(why));
		if (!problem) {
			r->blk_off = at;
			r->raw_len = h.raw_len;
			r->pos = 0;
			r->st.blocks++;
			return 1;
		}
		capr_warn(r, "offset %" PRIu64 ": %s; skipped block (%" PRIu32 " records)", at,
			  problem, h.nrecords);
		r->st.blocks_skipped++;
		r->st.records_skipped += h.nrecords;
		r->st.bytes_skipped += len;
	}
}
