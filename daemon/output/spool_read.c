// SPDX-License-Identifier: Apache-2.0
/* The spool's reading side: the directory at start, records at the front. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>

#include "output/spool_seg.h"

static int seg_path(const struct vgl_spool *sp, uint64_t seq, char *buf, size_t size)
{
	int n = snprintf(buf, size, "%s/%016" PRIx64 ".spool", sp->dir, seq);

	return n > 0 && (size_t)n < size ? 0 : -ENAMETOOLONG;
}

int spool_create_seg(struct vgl_spool *sp, uint64_t seq)
{
	char path[4200];
	int fd;

	if (sp->nsegs >= VGL_SPOOL_SEGS_MAX)
		return -ENOSPC;
	if (seg_path(sp, seq, path, sizeof(path)))
		return -ENAMETOOLONG;
	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_APPEND | O_CLOEXEC, 0600);
	return fd < 0 ? -errno : fd;
}

struct spool_seg *spool_insert_seg(struct vgl_spool *sp, size_t at, uint64_t seq)
{
	if (sp->nsegs == sp->cap) {
		size_t cap = sp->cap ? sp->cap * 2 : 16;
		struct spool_seg *v = realloc(sp->segs, cap * sizeof(*v));

		if (!v)
			return NULL;
		sp->segs = v;
		sp->cap = cap;
	}
	memmove(&sp->segs[at + 1], &sp->segs[at], (sp->nsegs - at) * sizeof(*sp->segs));
	sp->nsegs++;
	sp->segs[at] = (struct spool_seg){ .seq = seq };
	return &sp->segs[at];
}

/*
 * One record at @off of @fd (segment of @limit valid bytes): its payload,
 * malloc'd, and the record's length; -EINVAL when it fails a check.
 */
static int read_record(int fd, uint64_t off, uint64_t limit, uint8_t **ret, size_t *ret_len)
{
	uint32_t hdr[3];
	uint8_t *payload;

	if (limit - off < VGL_SPOOL_HDR ||
	    pread(fd, hdr, sizeof(hdr), (off_t)off) != (ssize_t)sizeof(hdr))
		return -EINVAL;
	if (hdr[0] != VGL_SPOOL_MAGIC || hdr[1] > VGL_SPOOL_RECORD_MAX ||
	    hdr[1] > limit - off - VGL_SPOOL_HDR)
		return -EINVAL;
	payload = malloc(hdr[1] ? hdr[1] : 1);
	if (!payload)
		return -ENOMEM;
	if (pread(fd, payload, hdr[1], (off_t)(off + VGL_SPOOL_HDR)) != (ssize_t)hdr[1] ||
	    (uint32_t)crc32(0, payload, hdr[1]) != hdr[2]) {
		free(payload);
		return -EINVAL;
	}
	*ret = payload;
	*ret_len = VGL_SPOOL_HDR + hdr[1];
	return 0;
}

/* Count a segment's valid records; its bytes stop at the first bad one. */
static void scan_seg(struct vgl_spool *sp, struct spool_seg *g, uint64_t head_off)
{
	char path[4200];
	uint64_t off = 0, size;
	int fd;

	if (seg_path(sp, g->seq, path, sizeof(path)) || (fd = open(path, O_RDONLY | O_CLOEXEC)) < 0)
		return;
	size = (uint64_t)lseek(fd, 0, SEEK_END);
	for (;;) {
		uint8_t *payload;
		size_t len;

		if (off == head_off)
			g->start = off, g->records = 0; /* delivered before the restart */
		if (off >= size || read_record(fd, off, size, &payload, &len))
			break;
		free(payload);
		off += len;
		g->records++;
	}
	if (off < size)
		sp->corrupt++; /* the rest of this segment cannot be read */
	g->bytes = off;
	if (g->start > off)
		g->start = 0;
	sp->bytes += size; /* what it holds on disk */
	sp->records += g->records;
	close(fd);
}

static int cmp_seq(const void *a, const void *b)
{
	uint64_t x = ((const struct spool_seg *)a)->seq, y = ((const struct spool_seg *)b)->seq;

	return x < y ? -1 : x > y;
}

static void read_head(struct vgl_spool *sp, uint64_t *seq, uint64_t *off)
{
	char path[4200], line[64];
	FILE *f;

	*seq = *off = UINT64_MAX;
	snprintf(path, sizeof(path), "%s/head", sp->dir);
	f = fopen(path, "re");
	if (!f)
		return;
	if (!fgets(line, sizeof(line), f) || sscanf(line, "%" SCNx64 " %" SCNu64, seq, off) != 2)
		*seq = *off = UINT64_MAX;
	fclose(f);
	unlink(path);
}

int spool_scan(struct vgl_spool *sp, char *err, size_t errlen)
{
	uint64_t head_seq, head_off, seq;
	DIR *d = opendir(sp->dir);
	struct dirent *e;
	char tail[8];

	if (!d) {
		snprintf(err, errlen, "spool %s: %s", sp->dir, strerror(errno));
		return -errno;
	}
	while ((e = readdir(d))) {
		if (strlen(e->d_name) != 22 ||
		    sscanf(e->d_name, "%16" SCNx64 "%7s", &seq, tail) != 2 ||
		    strcmp(tail, ".spool"))
			continue;
		if (sp->nsegs >= VGL_SPOOL_SEGS_MAX || !spool_insert_seg(sp, sp->nsegs, seq))
			break;
	}
	closedir(d);
	if (sp->nsegs) /* segs is NULL in a new spool: qsort() must not see it */
		qsort(sp->segs, sp->nsegs, sizeof(*sp->segs), cmp_seq);
	read_head(sp, &head_seq, &head_off);
	for (size_t i = 0; i < sp->nsegs; i++)
		scan_seg(sp, &sp->segs[i], sp->segs[i].seq == head_seq ? head_off : UINT64_MAX);
	return 0;
}

void spool_save_head(struct vgl_spool *sp)
{
	char path[4200];
	FILE *f;

	if (!sp->nsegs || !sp->segs[0].start)
		return;
	snprintf(path, sizeof(path), "%s/head", sp->dir);
	f = fopen(path, "we");
	if (!f)
		return;
	fprintf(f, "%016" PRIx64 " %" PRIu64 "\n", sp->segs[0].seq, sp->segs[0].start);
	fclose(f);
}

void spool_forget_peek(struct vgl_spool *sp)
{
	sp->peek_bytes = 0;
	sp->peek_records = 0;
}

/* Remove the front segment (fully read). */
static void drop_front(struct vgl_spool *sp)
{
	struct spool_seg *g = &sp->segs[0];
	char path[4200];
	struct stat st;

	if (!seg_path(sp, g->seq, path, sizeof(path))) {
		if (stat(path, &st) == 0)
			sp->bytes -=
				(uint64_t)st.st_size < sp->bytes ? (uint64_t)st.st_size : sp->bytes;
		unlink(path);
	}
	sp->records -= g->records;
	if (sp->rfd >= 0 && sp->rseq == g->seq) {
		close(sp->rfd);
		sp->rfd = -1;
	}
	if (sp->wfd >= 0 && sp->wseq == g->seq) {
		close(sp->wfd);
		sp->wfd = -1;
	}
	memmove(&sp->segs[0], &sp->segs[1], (sp->nsegs - 1) * sizeof(*sp->segs));
	sp->nsegs--;
}

/* An fd to read the front segment, or -errno. */
static int front_fd(struct vgl_spool *sp)
{
	char path[4200];

	if (sp->rfd >= 0 && sp->rseq == sp->segs[0].seq)
		return sp->rfd;
	if (sp->rfd >= 0)
		close(sp->rfd);
	sp->rfd = -1;
	if (seg_path(sp, sp->segs[0].seq, path, sizeof(path)))
		return -ENAMETOOLONG;
	sp->rfd = open(path, O_RDONLY | O_CLOEXEC);
	sp->rseq = sp->segs[0].seq;
	return sp->rfd < 0 ? -errno : sp->rfd;
}

/* Read records of the front segment into @out; a bad one ends the segment. */
static int peek_front(struct vgl_spool *sp, struct vgl_alert **out, size_t max, size_t *n)
{
	struct spool_seg *g = &sp->segs[0];
	uint64_t off = g->start;
	int fd = front_fd(sp);

	if (fd < 0)
		return fd;
	while (*n < max && off < g->bytes) {
		uint8_t *payload;
		size_t len;
		int err = read_record(fd, off, g->bytes, &payload, &len);

		if (!err) {
			err = vgl_alert_decode(payload + 0, len - VGL_SPOOL_HDR, &out[*n]);
			free(payload);
		}
		if (err == -ENOMEM)
			return err;
		if (err) { /* written whole but damaged since: the rest is lost */
			sp->corrupt += g->records - sp->peek_records;
			sp->records -= g->records - sp->peek_records;
			g->records = sp->peek_records;
			off = g->bytes;
			break;
		}
		off += len;
		(*n)++;
		sp->peek_records++;
	}
	sp->peek_bytes = off - g->start;
	return 0;
}

int vgl_spool_peek(struct vgl_spool *sp, struct vgl_alert **out, size_t max, size_t *ret_n,
		   uint64_t *corrupt)
{
	int err = 0;

	*ret_n = 0;
	pthread_mutex_lock(&sp->mu);
	spool_forget_peek(sp);
	while (sp->nsegs) {
		struct spool_seg *g = &sp->segs[0];
		bool writing = sp->wfd >= 0 && sp->wseq == g->seq;

		if (g->start < g->bytes) {
			err = peek_front(sp, out, max, ret_n);
			if (err || *ret_n)
				break;
			g->start += sp->peek_bytes; /* only a damaged rest: skip it */
			spool_forget_peek(sp);
		}
		if (writing && g->start >= g->bytes)
			break; /* the back segment, empty for now: keep it for appends */
		drop_front(sp);
	}
	*corrupt += sp->corrupt;
	sp->corrupt = 0;
	pthread_mutex_unlock(&sp->mu);
	return err;
}

void vgl_spool_commit(struct vgl_spool *sp)
{
	pthread_mutex_lock(&sp->mu);
	if (sp->nsegs && (sp->peek_bytes || sp->peek_records)) {
		struct spool_seg *g = &sp->segs[0];

		g->start += sp->peek_bytes;
		g->records -= sp->peek_records;
		sp->records -= sp->peek_records;
		if (g->start >= g->bytes)
			drop_front(sp);
	}
	spool_forget_peek(sp);
	pthread_mutex_unlock(&sp->mu);
}
