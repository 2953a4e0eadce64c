// SPDX-License-Identifier: Apache-2.0
/*
 * The capture reader. The file is read forward once through a window
 * bounded by the largest block, so the work is linear in the file's size
 * and the memory bounded whatever the file holds. A block is checked whole
 * (checksums, inflated length, record framing) before any of its records is
 * yielded: a damaged block yields nothing, and the reader goes on at the
 * next block whose header checks.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <libdeflate.h>

#include "capture/format_int.h"
#include "capture/reader_int.h"

int vgl_capreader_next(struct vgl_capreader *r, uint32_t *type, const void **data, size_t *len)
{
	while (r->pos >= r->raw_len) {
		int ret;

		if (r->done)
			return 0;
		r->raw_len = r->pos = 0;
		ret = capr_next_block(r);
		if (ret <= 0) {
			r->done = true;
			return ret;
		}
	}
	/* the framing was checked when the block was loaded */
	*type = vgl_le32_get(r->raw + r->pos);
	*len = vgl_le32_get(r->raw + r->pos + 4);
	*data = r->raw + r->pos + VGL_CAP_REC_HDR;
	r->pos += VGL_CAP_REC_HDR + *len;
	r->st.records++;
	r->st.events += *type == VGL_CAP_REC_EVENT;
	return 1;
}

static int read_header(struct vgl_capreader *r, char *err, size_t errlen)
{
	char why[160];
	const uint8_t *p;
	ssize_t n = capr_win_get(r, 0, VGL_CAP_HDR_MAX, &p);
	size_t hdr_len;
	int ret;

	if (n < 0) {
		snprintf(err, errlen, "%s: cannot read: %s", r->name, strerror((int)-n));
		return (int)n;
	}
	ret = vgl_cap_hdr_decode(p, (size_t)n, &r->info, &hdr_len, why, sizeof(why));
	if (ret == -EAGAIN) {
		snprintf(err, errlen, "%s: file ends inside the header (truncated at %zd bytes)",
			 r->name, n);
		return -EINVAL;
	}
	if (ret) {
		snprintf(err, errlen, "%s: %s", r->name, why);
		return ret;
	}
	r->off = hdr_len;
	return 0;
}

static struct vgl_capreader *reader_new(const char *name, vgl_cap_warn_fn warn_fn, void *ctx)
{
	struct vgl_capreader *r = calloc(1, sizeof(*r));

	if (!r)
		return NULL;
	r->fd = -1;
	r->warn = warn_fn;
	r->warn_ctx = ctx;
	r->name = strdup(name);
	r->zd = libdeflate_alloc_decompressor();
	if (!r->name || !r->zd) {
		libdeflate_free_decompressor(r->zd);
		free(r->name);
		free(r);
		return NULL;
	}
	return r;
}

static int reader_start(struct vgl_capreader *r, struct vgl_capreader **ret, char *err,
			size_t errlen)
{
	int e = read_header(r, err, errlen);

	if (e) {
		vgl_capreader_close(r);
		return e;
	}
	*ret = r;
	return 0;
}

int vgl_capreader_open(const char *path, vgl_cap_warn_fn warn_fn, void *warn_ctx,
		       struct vgl_capreader **ret, char *err, size_t errlen)
{
	struct vgl_capreader *r = reader_new(path, warn_fn, warn_ctx);
	int e;

	if (!r) {
		snprintf(err, errlen, "%s: out of memory", path);
		return -ENOMEM;
	}
	r->fd = open(path, O_RDONLY | O_CLOEXEC);
	if (r->fd < 0) {
		e = -errno;
		snprintf(err, errlen, "%s: cannot open: %s", path, strerror(-e));
		vgl_capreader_close(r);
		return e;
	}
	return reader_start(r, ret, err, errlen);
}

int vgl_capreader_open_mem(const void *data, size_t len, const char *name, vgl_cap_warn_fn warn_fn,
			   void *warn_ctx, struct vgl_capreader **ret, char *err, size_t errlen)
{
	static const uint8_t empty[1];
	struct vgl_capreader *r = reader_new(name ? name : "(memory)", warn_fn, warn_ctx);

	if (!r) {
		snprintf(err, errlen, "%s: out of memory", name ? name : "(memory)");
		return -ENOMEM;
	}
	r->mem = len ? data : empty; /* non-NULL: marks the memory source */
	r->mem_len = len;
	return reader_start(r, ret, err, errlen);
}

const struct vgl_cap_info *vgl_capreader_info(const struct vgl_capreader *r)
{
	return &r->info;
}

uint64_t vgl_capreader_offset(const struct vgl_capreader *r)
{
	return r->blk_off;
}

void vgl_capreader_stats(const struct vgl_capreader *r, struct vgl_capreader_stats *ret)
{
	*ret = r->st;
}

void vgl_capreader_close(struct vgl_capreader *r)
{
	if (!r)
		return;
	if (r->fd >= 0)
		close(r->fd);
	libdeflate_free_decompressor(r->zd);
	free(r->wbuf);
	free(r->raw);
	free(r->name);
	free(r);
}
