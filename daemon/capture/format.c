// SPDX-License-Identifier: Apache-2.0
/*
 * The capture file header and block header, encoded field by field (never a
 * struct dump), so that a capture made on one architecture reads on another
 * and a later version can add header fields that this one skips.
 */
#include <errno.h>
#include <stddef.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/utsname.h>
#include <time.h>
#include <unistd.h>
#include <zlib.h>

#include "capture/format_int.h"
#include "output/eventfmt.h"
#include "vigil/events.h"

_Static_assert(VGL_CAP_STR_MAX - 1 <= 0xffff, "header strings fit a u16 length");

/* ---- file header ------------------------------------------------------------------------ */

struct hdr_buf {
	uint8_t *p;
	size_t len, cap;
};

static void put_field(struct hdr_buf *b, uint16_t tag, const void *val, size_t len)
{
	if (b->len + 4 + len > b->cap) {
		b->cap = 0; /* marks overflow */
		return;
	}
	vgl_le16_put(b->p + b->len, tag);
	vgl_le16_put(b->p + b->len + 2, (uint16_t)len);
	memcpy(b->p + b->len + 4, val, len);
	b->len += 4 + len;
}

/* The header fields in the order they are written; docs/capture-format.md lists them. */
enum field_kind { F_U32, F_I64, F_STR };

static const struct field {
	uint16_t tag;
	enum field_kind kind;
	size_t off; /* in struct vgl_cap_info */
} fields[] = {
	{ VGL_CAP_TAG_WIRE_VERSION, F_U32, offsetof(struct vgl_cap_info, wire_version) },
	{ VGL_CAP_TAG_FLAGS, F_U32, offsetof(struct vgl_cap_info, flags) },
	{ VGL_CAP_TAG_VIGIL_VERSION, F_STR, offsetof(struct vgl_cap_info, vigil_version) },
	{ VGL_CAP_TAG_HOSTNAME, F_STR, offsetof(struct vgl_cap_info, hostname) },
	{ VGL_CAP_TAG_KERNEL_RELEASE, F_STR, offsetof(struct vgl_cap_info, kernel_release) },
	{ VGL_CAP_TAG_ARCH, F_STR, offsetof(struct vgl_cap_info, arch) },
	{ VGL_CAP_TAG_BOOT_TIME_NS, F_I64, offsetof(struct vgl_cap_info, boot_time_ns) },
	{ VGL_CAP_TAG_BOOT_TO_REALTIME_NS, F_I64,
	  offsetof(struct vgl_cap_info, boot_to_realtime_ns) },
	{ VGL_CAP_TAG_CREATED_NS, F_I64, offsetof(struct vgl_cap_info, created_ns) },
	{ VGL_CAP_TAG_SEQ, F_U32, offsetof(struct vgl_cap_info, seq) },
	{ VGL_CAP_TAG_RULE, F_STR, offsetof(struct vgl_cap_info, rule) },
};

static void put_known(struct hdr_buf *b, const struct field *f, const struct vgl_cap_info *info)
{
	const char *at = (const char *)info + f->off;
	uint8_t le[8];
	uint32_t u32;
	int64_t i64;

	switch (f->kind) {
	case F_U32:
		memcpy(&u32, at, sizeof(u32));
		vgl_le32_put(le, u32);
		put_field(b, f->tag, le, 4);
		break;
	case F_I64:
		memcpy(&i64, at, sizeof(i64));
		vgl_le64_put(le, (uint64_t)i64);
		put_field(b, f->tag, le, 8);
		break;
	case F_STR:
		put_field(b, f->tag, at, strnlen(at, VGL_CAP_STR_MAX - 1));
		break;
	}
}

size_t vgl_cap_hdr_encode(const struct vgl_cap_info *info, uint8_t *buf, size_t cap)
{
	struct hdr_buf b = { .p = buf, .len = VGL_CAP_HDR_FIXED, .cap = cap >= 4 ? cap - 4 : 0 };

	if (cap < VGL_CAP_HDR_FIXED + 4)
		return 0;
	memcpy(buf, VGL_CAP_MAGIC, 8);
	vgl_le16_put(buf + 8, VGL_CAP_VERSION);
	for (size_t i = 0; i < sizeof(fields) / sizeof(fields[0]); i++)
		put_known(&b, &fields[i], info);
	if (!b.cap || b.len - VGL_CAP_HDR_FIXED > 0xffff)
		return 0;
	vgl_le16_put(buf + 10, (uint16_t)(b.len - VGL_CAP_HDR_FIXED));
	vgl_le32_put(buf + b.len, (uint32_t)crc32(0, buf, (uInt)b.len));
	return b.len + 4;
}

/* One tagged field into @ret; unknown tags are skipped, a known one of a bad length is refused. */
static int get_field(uint16_t tag, const uint8_t *v, uint16_t len, struct vgl_cap_info *ret)
{
	const struct field *f = NULL;
	char *at;

	for (size_t i = 0; i < sizeof(fields) / sizeof(fields[0]) && !f; i++)
		if (fields[i].tag == tag)
			f = &fields[i];
	if (!f)
		return 0;
	at = (char *)ret + f->off;
	if (f->kind == F_U32 && len == 4) {
		uint32_t u32 = vgl_le32_get(v);

		memcpy(at, &u32, sizeof(u32));
	} else if (f->kind == F_I64 && len == 8) {
		int64_t i64 = (int64_t)vgl_le64_get(v);

		memcpy(at, &i64, sizeof(i64));
	} else if (f->kind == F_STR && len < VGL_CAP_STR_MAX) {
		memcpy(at, v, len);
		at[len] = '\0';
	} else {
		return -EINVAL;
	}
	return 0;
}

static int hdr_fields(const uint8_t *p, size_t flen, struct vgl_cap_info *ret, char *why,
		      size_t whylen)
{
	size_t off = 0;

	while (off < flen) {
		uint16_t tag, len;

		if (flen - off < 4) {
			snprintf(why, whylen, "damaged header (field at byte %zu cut short)",
				 VGL_CAP_HDR_FIXED + off);
			return -EINVAL;
		}
		tag = vgl_le16_get(p + off);
		len = vgl_le16_get(p + off + 2);
		if (len > flen - off - 4 || get_field(tag, p + off + 4, len, ret)) {
			snprintf(why, whylen, "damaged header (field %u has a bad length, %u)",
				 (unsigned)tag, (unsigned)len);
			return -EINVAL;
		}
		off += 4 + (size_t)len;
	}
	return 0;
}

int vgl_cap_hdr_decode(const uint8_t *p, size_t len, struct vgl_cap_info *ret, size_t *ret_len,
		       char *why, size_t whylen)
{
	struct vgl_cap_info info = { 0 };
	size_t flen, need;
	int err;

	if (memcmp(p, VGL_CAP_MAGIC, len < 8 ? len : 8)) {
		snprintf(why, whylen, "not a vigil capture file (bad magic)");
		return -EINVAL;
	}
	if (len < VGL_CAP_HDR_FIXED)
		return -EAGAIN;
	info.format_version = vgl_le16_get(p + 8);
	if (info.format_version > VGL_CAP_VERSION) {
		snprintf(why, whylen,
			 "capture format version %" PRIu32 " is newer than this vigil reads (%d)",
			 info.format_version, VGL_CAP_VERSION);
		return -EPROTONOSUPPORT;
	}
	if (!info.format_version) {
		snprintf(why, whylen, "damaged header (format version 0)");
		return -EINVAL;
	}
	flen = vgl_le16_get(p + 10);
	need = VGL_CAP_HDR_FIXED + flen + 4;
	if (len < need)
		return -EAGAIN;
	if ((uint32_t)crc32(0, p, (uInt)(need - 4)) != vgl_le32_get(p + need - 4)) {
		snprintf(why, whylen, "damaged header (checksum mismatch)");
		return -EINVAL;
	}
	err = hdr_fields(p + VGL_CAP_HDR_FIXED, flen, &info, why, whylen);
	if (err)
		return err;
	*ret = info;
	*ret_len = need;
	return 0;
}

/* ---- block header ----------------------------------------------------------------------- */

void vgl_cap_blkhdr_encode(const struct vgl_cap_blkhdr *h, uint8_t out[VGL_CAP_BLKHDR_LEN])
{
	vgl_le32_put(out, VGL_CAP_BLOCK_MAGIC);
	vgl_le32_put(out + 4, h->comp_len);
	vgl_le32_put(out + 8, h->raw_len);
	vgl_le32_put(out + 12, h->nrecords);
	vgl_le32_put(out + 16, h->nevents);
	vgl_le64_put(out + 20, h->first_ts);
	vgl_le64_put(out + 28, h->last_ts);
	vgl_le32_put(out + 36, h->data_crc);
	vgl_le32_put(out + 40, (uint32_t)crc32(0, out, 40));
}

const char *vgl_cap_blkhdr_decode(const uint8_t in[VGL_CAP_BLKHDR_LEN], struct vgl_cap_blkhdr *ret)
{
	struct vgl_cap_blkhdr h;

	if (vgl_le32_get(in) != VGL_CAP_BLOCK_MAGIC)
		return "no block here (bad block magic)";
	if ((uint32_t)crc32(0, in, 40) != vgl_le32_get(in + 40))
		return "damaged block header (checksum mismatch)";
	h.comp_len = vgl_le32_get(in + 4);
	h.raw_len = vgl_le32_get(in + 8);
	h.nrecords = vgl_le32_get(in + 12);
	h.nevents = vgl_le32_get(in + 16);
	h.first_ts = vgl_le64_get(in + 20);
	h.last_ts = vgl_le64_get(in + 28);
	h.data_crc = vgl_le32_get(in + 36);
	if (h.comp_len > VGL_CAP_COMP_MAX || h.raw_len > VGL_CAP_BLOCK_RAW_MAX)
		return "block lengths beyond the limits";
	if (h.nrecords > h.raw_len / VGL_CAP_REC_HDR || h.nevents > h.nrecords)
		return "block record counts beyond the limits";
	*ret = h;
	return NULL;
}

/* ---- this host -------------------------------------------------------------------------- */

static int64_t realtime_ns(void)
{
	struct timespec t;

	if (clock_gettime(CLOCK_REALTIME, &t))
		return 0;
	return (int64_t)t.tv_sec * 1000000000 + t.tv_nsec;
}

/* The wall clock at boot, from "btime" in /proc/stat (seconds); 0 if unknown. */
static int64_t boot_time_ns(void)
{
	char line[256];
	long long btime = 0;
	FILE *f = fopen("/proc/stat", "re");

	if (!f)
		return 0;
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, "btime %lld", &btime) == 1)
			break;
	fclose(f);
	return btime > 0 ? (int64_t)btime * 1000000000 : 0;
}

void vgl_cap_info_host(struct vgl_cap_info *ret)
{
	struct utsname u;

	memset(ret, 0, sizeof(*ret));
	ret->format_version = VGL_CAP_VERSION;
	ret->wire_version = VGL_WIRE_VERSION;
	snprintf(ret->vigil_version, sizeof(ret->vigil_version), "%s", VIGIL_VERSION);
	if (!uname(&u)) {
		snprintf(ret->kernel_release, sizeof(ret->kernel_release), "%s", u.release);
		snprintf(ret->arch, sizeof(ret->arch), "%s", u.machine);
	}
	if (gethostname(ret->hostname, sizeof(ret->hostname) - 1))
		ret->hostname[0] = '\0';
	ret->boot_time_ns = boot_time_ns();
	ret->boot_to_realtime_ns = vgl_boot_to_realtime_ns();
	ret->created_ns = realtime_ns();
}
