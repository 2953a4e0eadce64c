/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Encoding of the capture file format (docs/capture-format.md), shared by
 * the writer and the reader: the file header, the block header and
 * little-endian helpers. Every length read from a file is checked against
 * the limits here before it is used.
 */
#ifndef VIGIL_CAPTURE_FORMAT_INT_H
#define VIGIL_CAPTURE_FORMAT_INT_H

#include <stddef.h>
#include <stdint.h>

#include "capture/format.h"

/* File header: magic, u16 version, u16 length of the fields, fields, u32 CRC. */
#define VGL_CAP_HDR_FIXED 12u
#define VGL_CAP_HDR_MAX	  (VGL_CAP_HDR_FIXED + 0xffffu + 4u)

enum vgl_cap_tag {
	VGL_CAP_TAG_WIRE_VERSION = 1,	     /* u32 */
	VGL_CAP_TAG_FLAGS = 2,		     /* u32 */
	VGL_CAP_TAG_VIGIL_VERSION = 3,	     /* string */
	VGL_CAP_TAG_HOSTNAME = 4,	     /* string */
	VGL_CAP_TAG_KERNEL_RELEASE = 5,	     /* string */
	VGL_CAP_TAG_ARCH = 6,		     /* string */
	VGL_CAP_TAG_BOOT_TIME_NS = 7,	     /* i64 */
	VGL_CAP_TAG_BOOT_TO_REALTIME_NS = 8, /* i64 */
	VGL_CAP_TAG_CREATED_NS = 9,	     /* i64 */
	VGL_CAP_TAG_SEQ = 10,		     /* u32 */
	VGL_CAP_TAG_RULE = 11,		     /* string */
};

/* Block header; see struct vgl_cap_blkhdr for the fields in order. */
#define VGL_CAP_BLKHDR_LEN 44u
#define VGL_CAP_REC_HDR	   8u /* struct vgl_cap_rec encoded */
/* zlib's compressBound(VGL_CAP_BLOCK_RAW_MAX), as a constant */
#define VGL_CAP_COMP_MAX                                                                         \
	(VGL_CAP_BLOCK_RAW_MAX + (VGL_CAP_BLOCK_RAW_MAX >> 12) + (VGL_CAP_BLOCK_RAW_MAX >> 14) + \
	 (VGL_CAP_BLOCK_RAW_MAX >> 25) + 13u)

struct vgl_cap_blkhdr {
	uint32_t comp_len; /* compressed bytes after the header */
	uint32_t raw_len;  /* record bytes they inflate to */
	uint32_t nrecords;
	uint32_t nevents;
	uint64_t first_ts; /* hdr.ts of the first EVENT record; 0 if none */
	uint64_t last_ts;
	uint32_t data_crc; /* CRC32 of the compressed bytes */
};

static inline void vgl_le16_put(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)v;
	p[1] = (uint8_t)(v >> 8);
}

static inline void vgl_le32_put(uint8_t *p, uint32_t v)
{
	for (int i = 0; i < 4; i++)
		p[i] = (uint8_t)(v >> (8 * i));
}

static inline void vgl_le64_put(uint8_t *p, uint64_t v)
{
	for (int i = 0; i < 8; i++)
		p[i] = (uint8_t)(v >> (8 * i));
}

static inline uint16_t vgl_le16_get(const uint8_t *p)
{
	return (uint16_t)(p[0] | p[1] << 8);
}

static inline uint32_t vgl_le32_get(const uint8_t *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static inline uint64_t vgl_le64_get(const uint8_t *p)
{
	return (uint64_t)vgl_le32_get(p) | (uint64_t)vgl_le32_get(p + 4) << 32;
}

/* Encode @info's header (with VGL_CAP_VERSION) into @buf; its length, 0 if @cap is too small. */
size_t vgl_cap_hdr_encode(const struct vgl_cap_info *info, uint8_t *buf, size_t cap);

/*
 * Decode the header at the start of @len bytes: 0 and its length in
 * *@ret_len; -EAGAIN when the bytes end inside it (truncated); -EINVAL (bad
 * magic, damaged) or -EPROTONOSUPPORT (newer version) with the problem in
 * @why (without the file name).
 */
int vgl_cap_hdr_decode(const uint8_t *p, size_t len, struct vgl_cap_info *ret, size_t *ret_len,
		       char *why, size_t whylen);

void vgl_cap_blkhdr_encode(const struct vgl_cap_blkhdr *h, uint8_t out[VGL_CAP_BLKHDR_LEN]);

/* NULL, or what is wrong with the block header at @in (magic, CRC, limits). */
const char *vgl_cap_blkhdr_decode(const uint8_t in[VGL_CAP_BLKHDR_LEN], struct vgl_cap_blkhdr *ret);

/* hdr.ts of an EVENT record's payload (0 if too short to hold one). */
static inline uint64_t vgl_cap_event_ts(const uint8_t *payload, size_t len)
{
	return len >= 16 ? vgl_le64_get(payload + 8) : 0;
}

#endif /* VIGIL_CAPTURE_FORMAT_INT_H */
