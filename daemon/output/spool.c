// SPDX-License-Identifier: Apache-2.0
/*
 * The spool: segment files read from the front, appended at the back, a new
 * front segment for what shutdown puts before everything. How far the front
 * segment was read is kept in "head" when the spool is closed, so a restart
 * does not deliver those alerts twice (after a crash it may: at least once).
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>

#include "output/spool.h"
#include "output/spool_seg.h"
#include "util/io.h"

#define SEQ_BASE 0x8000000000000000ull /* room below for prepended segments */

int vgl_spool_open(const char *dir, uint64_t max_bytes, struct vgl_spool **ret, char *err,
		   size_t errlen)
{
	struct vgl_spool *sp;
	int ret_err;

	if (mkdir(dir, 0700) && errno != EEXIST) {
		snprintf(err, errlen, "spool %s: cannot create: %s", dir, strerror(errno));
		return -errno;
	}
	sp = calloc(1, sizeof(*sp));
	if (!sp || !(sp->dir = strdup(dir))) {
		free(sp);
		return -ENOMEM;
	}
	pthread_mutex_init(&sp->mu, NULL);
	sp->max_bytes = max_bytes;
	sp->rfd = sp->wfd = -1;
	ret_err = spool_scan(sp, err, errlen);
	if (ret_err) {
		vgl_spool_close(sp);
		return ret_err;
	}
	*ret = sp;
	return 0;
}

void vgl_spool_close(struct vgl_spool *sp)
{
	if (!sp)
		return;
	spool_save_head(sp);
	if (sp->rfd >= 0)
		close(sp->rfd);
	if (sp->wfd >= 0)
		close(sp->wfd);
	pthread_mutex_destroy(&sp->mu);
	free(sp->segs);
	free(sp->dir);
	free(sp);
}

/* One record: header and payload in one buffer. */
static int make_record(const struct vgl_alert *a, uint8_t **ret, size_t *ret_len)
{
	uint8_t *payload, *rec;
	size_t len;
	uint32_t hdr[3];
	int err = vgl_alert_encode(a, &payload, &len);

	if (err)
		return err;
	if (len > VGL_SPOOL_RECORD_MAX) {
		free(payload);
		return -E2BIG;
	}
	rec = malloc(len + sizeof(hdr));
	if (!rec) {
		free(payload);
		return -ENOMEM;
	}
	hdr[0] = VGL_SPOOL_MAGIC;
	hdr[1] = (uint32_t)len;
	hdr[2] = (uint32_t)crc32(0, payload, (uInt)len);
	memcpy(rec, hdr, sizeof(hdr));
	memcpy(rec + sizeof(hdr), payload, len);
	free(payload);
	*ret = rec;
	*ret_len = len + sizeof(hdr);
	return 0;
}

/* Write @rec at the end of segment @g (open as @fd); undo a partial write. */
static int seg_write(struct vgl_spool *sp, struct spool_seg *g, int fd, const uint8_t *rec,
		     size_t len)
{
	int err = vgl_write_all(fd, rec, len, -1);

	if (err) {
		if (ftruncate(fd, (off_t)g->bytes))
			err = -EIO;
		return err;
	}
	g->bytes += len;
	g->records++;
	sp->bytes += len;
	sp->records++;
	return 0;
}

/* The segment appends go to, opening a new one when needed. */
static struct spool_seg *tail_for(struct vgl_spool *sp, size_t len, int *ret_err)
{
	struct spool_seg *g = sp->nsegs ? &sp->segs[sp->nsegs - 1] : NULL;
	uint64_t seq;

	if (g && sp->wfd >= 0 && g->seq == sp->wseq && g->bytes + len <= VGL_SPOOL_SEGMENT_MAX)
		return g;
	seq = g ? g->seq + 1 : SEQ_BASE;
	if (sp->wfd >= 0)
		close(sp->wfd);
	sp->wfd = spool_create_seg(sp, seq);
	if (sp->wfd < 0) {
		*ret_err = sp->wfd;
		return NULL;
	}
	sp->wseq = seq;
	g = spool_insert_seg(sp, sp->nsegs, seq);
	if (!g)
		*ret_err = -ENOMEM;
	return g;
}

int vgl_spool_append(struct vgl_spool *sp, const struct vgl_alert *a)
{
	struct spool_seg *g;
	uint8_t *rec;
	size_t len;
	int err = make_record(a, &rec, &len);

	if (err)
		return err;
	pthread_mutex_lock(&sp->mu);
	if (sp->bytes + len > sp->max_bytes) {
		err = -ENOSPC;
		goto out;
	}
	g = tail_for(sp, len, &err);
	if (g)
		err = seg_write(sp, g, sp->wfd, rec, len);
out:
	pthread_mutex_unlock(&sp->mu);
	free(rec);
	return err;
}

size_t vgl_spool_prepend(struct vgl_spool *sp, struct vgl_alert *const *a, size_t n)
{
	struct spool_seg *g = NULL;
	size_t done = 0;
	int fd = -1;

	pthread_mutex_lock(&sp->mu);
	spool_forget_peek(sp);
	for (; done < n; done++) {
		uint8_t *rec;
		size_t len;

		if (make_record(a[done], &rec, &len))
			break;
		if (sp->bytes + len > sp->max_bytes) {
			free(rec);
			break;
		}
		if (!g) {
			uint64_t seq = sp->nsegs ? sp->segs[0].seq - 1 : SEQ_BASE;

			fd = spool_create_seg(sp, seq);
			g = fd >= 0 ? spool_insert_seg(sp, 0, seq) : NULL;
		}
		if (!g || seg_write(sp, g, fd, rec, len)) {
			free(rec);
			break;
		}
		free(rec);
	}
	if (fd >= 0)
		close(fd);
	pthread_mutex_unlock(&sp->mu);
	return done;
}

uint64_t vgl_spool_count(struct vgl_spool *sp)
{
	uint64_t n;

	pthread_mutex_lock(&sp->mu);
	n = sp->records;
	pthread_mutex_unlock(&sp->mu);
	return n;
}

uint64_t vgl_spool_bytes(struct vgl_spool *sp)
{
	uint64_t n;

	pthread_mutex_lock(&sp->mu);
	n = sp->bytes;
	pthread_mutex_unlock(&sp->mu);
	return n;
}
