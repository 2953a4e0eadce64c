// SPDX-License-Identifier: Apache-2.0
/*
 * The capture reader's window: a file is read forward once, in chunks, and
 * only the bytes of the block at hand (at most one block's worst case) stay
 * in memory; a capture in memory is read in place. Resynchronising after
 * damage searches the window for the next block magic.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE /* memmem */
#endif
#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "capture/format_int.h"
#include "capture/reader_int.h"

#define READ_CHUNK (256u << 10) /* bytes read at once from a file */
#define SCAN_CHUNK (64u << 10)	/* bytes searched at once for a block magic */

void capr_warn(struct vgl_capreader *r, const char *fmt, ...)
{
	char msg[512];
	va_list ap;
	int n = snprintf(msg, sizeof(msg), "%s: ", r->name);

	if (!r->warn)
		return;
	va_start(ap, fmt);
	vsnprintf(msg + n, sizeof(msg) - (size_t)n, fmt, ap);
	va_end(ap);
	r->warn(r->warn_ctx, msg);
}

/* Make the file's bytes from @off on (up to @want) readable in the window. */
static int win_fill(struct vgl_capreader *r, uint64_t off, size_t want)
{
	size_t have = off - r->wbase < r->wlen ? r->wlen - (size_t)(off - r->wbase) : 0;
	size_t target = want > READ_CHUNK ? want : READ_CHUNK;

	if (have)
		memmove(r->wbuf, r->wbuf + (off - r->wbase), have);
	r->wbase = off;
	r->wlen = have;
	if (target > r->wcap) {
		uint8_t *buf = realloc(r->wbuf, target);

		if (!buf)
			return -ENOMEM;
		r->wbuf = buf;
		r->wcap = target;
	}
	while (r->wlen < target && !r->eof) {
		ssize_t k = read(r->fd, r->wbuf + r->wlen, r->wcap - r->wlen);

		if (k < 0 && errno == EINTR)
			continue;
		if (k < 0)
			return -errno;
		r->eof = !k;
		r->wlen += (size_t)k;
	}
	return 0;
}

ssize_t capr_win_get(struct vgl_capreader *r, uint64_t off, size_t n, const uint8_t **ret)
{
	size_t have;
	int err;

	if (r->mem) {
		have = off < r->mem_len ? r->mem_len - (size_t)off : 0;
		*ret = r->mem + (have ? off : 0);
		return (ssize_t)(have < n ? have : n);
	}
	have = off - r->wbase < r->wlen ? r->wlen - (size_t)(off - r->wbase) : 0;
	if (have < n && !r->eof) {
		err = win_fill(r, off, n);
		if (err) {
			capr_warn(r, "offset %" PRIu64 ": cannot read: %s", off, strerror(-err));
			return err;
		}
		have = r->wlen;
	}
	*ret = r->wbuf + (have ? off - r->wbase : 0);
	return (ssize_t)(have < n ? have : n);
}

int64_t capr_resync(struct vgl_capreader *r, uint64_t off)
{
	static const uint8_t magic[4] = { 0x56, 0x42, 0x4c, 0x4b };
	struct vgl_cap_blkhdr h;
	const uint8_t *p, *q;

	for (;;) {
		ssize_t n = capr_win_get(r, off, SCAN_CHUNK, &p);

		if (n < 0)
			return n;
		q = n >= 4 ? memmem(p, (size_t)n, magic, sizeof(magic)) : NULL;
		if (!q) {
			if (n < SCAN_CHUNK)
				return (int64_t)(off + (uint64_t)n);
			off += (uint64_t)n - 3; /* a magic may straddle the chunks */
			continue;
		}
		off += (uint64_t)(q - p);
		n = capr_win_get(r, off, VGL_CAP_BLKHDR_LEN, &p);
		if (n < 0)
			return n;
		if (n < VGL_CAP_BLKHDR_LEN || !vgl_cap_blkhdr_decode(p, &h))
			return (int64_t)off;
		off++;
	}
}
