// SPDX-License-Identifier: Apache-2.0
/*
 * The capture writer's producer side: records are appended to the current
 * block with a memcpy (no lock, no system call); once a block is full, old
 * or ends a file, it is queued for the writer thread under a mutex taken
 * once per block. A full queue drops the block rather than wait: capture
 * never blocks on the disk.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "capture/format_int.h"
#include "capture/writer_int.h"

static struct capw_item *item_new(enum capw_kind kind, size_t cap)
{
	struct capw_item *it = calloc(1, sizeof(*it));

	if (!it)
		return NULL;
	it->kind = kind;
	if (cap && !(it->buf = malloc(cap))) {
		free(it);
		return NULL;
	}
	it->cap = cap;
	return it;
}

static void block_reset(struct capw_item *b)
{
	b->len = 0;
	b->nrecords = b->nevents = 0;
	b->first_ts = b->last_ts = 0;
	b->start_ns = 0;
}

/* The block being filled, from the free list or new; NULL if memory ran out. */
static struct capw_item *cur_block(struct vgl_capwriter *w)
{
	if (w->cur)
		return w->cur;
	pthread_mutex_lock(&w->mu);
	if ((w->cur = w->free)) {
		w->free = w->cur->next;
		w->nfree--;
	}
	pthread_mutex_unlock(&w->mu);
	if (!w->cur)
		w->cur = item_new(CAPW_BLOCK, w->block_bytes);
	if (w->cur) {
		w->cur->next = NULL;
		block_reset(w->cur);
	}
	return w->cur;
}

static void enqueue_locked(struct vgl_capwriter *w, struct capw_item *it)
{
	it->next = NULL;
	if (w->tail)
		w->tail->next = it;
	else
		w->head = it;
	w->tail = it;
	w->queued += it->len;
	pthread_cond_signal(&w->more);
}

/* A partial block is queued as a copy of its size, so that the bytes queued bound the memory. */
static struct capw_item *block_copy(const struct capw_item *b)
{
	struct capw_item *c = item_new(CAPW_BLOCK, b->len);

	if (c) {
		uint8_t *buf = c->buf;

		*c = *b;
		c->buf = buf;
		c->cap = b->len;
		memcpy(buf, b->buf, b->len);
	}
	return c;
}

static int block_drop(struct vgl_capwriter *w, struct capw_item *b)
{
	capw_add(&w->st.blocks_dropped, 1);
	capw_add(&w->st.events_lost, b->nevents);
	atomic_fetch_add(&w->epoch, 1);
	block_reset(b);
	return -ENOBUFS;
}

/*
 * Queue the current block. Without @wait, a full queue (one that already
 * holds something: a block bigger than queue_bytes still goes alone) drops it.
 */
static int handoff(struct vgl_capwriter *w, bool wait)
{
	struct capw_item *b = w->cur, *q;

	if (!b || !b->len)
		return 0;
	q = b->len < b->cap / 2 ? block_copy(b) : b;
	if (!q)
		return block_drop(w, b);
	pthread_mutex_lock(&w->mu);
	while (wait && w->queued && w->queued + b->len > w->queue_bytes)
		pthread_cond_wait(&w->space, &w->mu);
	if (w->queued && w->queued + b->len > w->queue_bytes) {
		pthread_mutex_unlock(&w->mu);
		if (q != b)
			free(q->buf), free(q);
		return block_drop(w, b);
	}
	enqueue_locked(w, q);
	pthread_mutex_unlock(&w->mu);
	if (q == b)
		w->cur = NULL; /* the thread owns it now */
	else
		block_reset(b);
	return 0;
}

static int put_lost(struct vgl_capwriter *w, uint32_t type, int err)
{
	if (type == VGL_CAP_REC_EVENT)
		capw_add(&w->st.events_lost, 1);
	return err;
}

/* An empty block too small for one record gets a buffer of the record's size. */
static int block_fit(struct capw_item *b, size_t need)
{
	uint8_t *buf;

	if (need <= b->cap)
		return 0;
	buf = malloc(need);
	if (!buf)
		return -ENOMEM;
	free(b->buf);
	b->buf = buf;
	b->cap = need;
	return 0;
}

int vgl_capwriter_put(struct vgl_capwriter *w, uint32_t type, const void *data, size_t len)
{
	size_t need = VGL_CAP_REC_HDR + len;
	struct capw_item *b = cur_block(w);
	int err;

	if (len > VGL_CAP_RECORD_MAX)
		return put_lost(w, type, -E2BIG);
	if (b && b->len && b->len + need > w->block_bytes) {
		err = handoff(w, false);
		if (err)
			return put_lost(w, type, err);
		b = cur_block(w);
	}
	if (!b || block_fit(b, need))
		return put_lost(w, type, -ENOMEM);
	if (!b->len)
		b->start_ns = w->now_ns;
	vgl_le32_put(b->buf + b->len, type);
	vgl_le32_put(b->buf + b->len + 4, (uint32_t)len);
	if (len)
		memcpy(b->buf + b->len + VGL_CAP_REC_HDR, data, len);
	b->len += need;
	b->nrecords++;
	w->file_records++;
	if (type == VGL_CAP_REC_EVENT) {
		uint64_t ts = vgl_cap_event_ts(data, len);

		if (!b->nevents++)
			b->first_ts = ts;
		b->last_ts = ts;
	}
	/* a record in a dropped block is lost with it (counted there) */
	return b->len >= w->block_bytes ? handoff(w, false) : 0;
}

uint64_t vgl_capwriter_epoch(const struct vgl_capwriter *w)
{
	return atomic_load(&w->epoch);
}

static bool rotation_due(struct vgl_capwriter *w, uint64_t now_ns)
{
	if (!w->rotate || !w->file_records)
		return false; /* an empty file stays */
	if (w->rotate_ns && now_ns - w->file_start_ns >= w->rotate_ns)
		return true;
	/* the thread's size is of this file only once it has begun it */
	return w->rotate_bytes && atomic_load(&w->pub_seq) == w->seq &&
	       atomic_load(&w->pub_bytes) >= w->rotate_bytes;
}

/* Begin the next file after the records put so far. */
static void rotate(struct vgl_capwriter *w, uint64_t now_ns)
{
	struct capw_item *m = item_new(CAPW_NEWFILE, 0);

	if (!m)
		return; /* tried again at the next tick */
	handoff(w, false);
	m->seq = w->seq + 1;
	m->created_ns = (int64_t)now_ns;
	pthread_mutex_lock(&w->mu);
	enqueue_locked(w, m);
	pthread_mutex_unlock(&w->mu);
	w->seq++;
	w->file_start_ns = now_ns;
	w->file_records = 0;
	capw_name(w, w->seq, w->cur_path, sizeof(w->cur_path));
	atomic_fetch_add(&w->epoch, 1);
}

void vgl_capwriter_tick(struct vgl_capwriter *w, uint64_t now_ns)
{
	struct capw_item *b = w->cur;

	w->now_ns = now_ns;
	/* a clock that went back restarts the ages rather than wrap them */
	if (!w->file_start_ns || now_ns < w->file_start_ns)
		w->file_start_ns = now_ns;
	if (b && b->len) {
		if (!b->start_ns || now_ns < b->start_ns)
			b->start_ns = now_ns;
		if (now_ns - b->start_ns >= w->flush_ns)
			handoff(w, false);
	}
	if (rotation_due(w, now_ns))
		rotate(w, now_ns);
}

const char *vgl_capwriter_path(const struct vgl_capwriter *w)
{
	return w->cur_path;
}

void vgl_capwriter_stats(const struct vgl_capwriter *w, struct vgl_capwriter_stats *ret)
{
	const struct capw_stats *s = &w->st;

	ret->events = atomic_load(&s->events);
	ret->records = atomic_load(&s->records);
	ret->blocks = atomic_load(&s->blocks);
	ret->raw_bytes = atomic_load(&s->raw_bytes);
	ret->file_bytes = atomic_load(&s->file_bytes);
	ret->files = atomic_load(&s->files);
	ret->files_removed = atomic_load(&s->files_removed);
	ret->events_lost = atomic_load(&s->events_lost);
	ret->blocks_dropped = atomic_load(&s->blocks_dropped);
	ret->write_errors = atomic_load(&s->write_errors);
}

static int opts_apply(struct vgl_capwriter *w, const struct vgl_capwriter_opts *o, char *err,
		      size_t errlen)
{
	if (!o->path || !*o->path || (o->level < 0 || o->level > 9)) {
		snprintf(err, errlen, "capture: %s",
			 !o->path || !*o->path ? "no file name" : "zlib level is 1..9");
		return -EINVAL;
	}
	w->path = strdup(o->path);
	if (!w->path)
		return -ENOMEM;
	w->info = o->info;
	w->rotate = o->rotate_bytes || o->rotate_ns;
	w->rotate_bytes = o->rotate_bytes;
	w->rotate_ns = o->rotate_ns;
	w->max_files = o->max_files;
	w->max_total_bytes = o->max_total_bytes;
	w->block_bytes = o->block_bytes ? o->block_bytes : VGL_CAP_BLOCK_BYTES_DEFAULT;
	if (w->block_bytes > VGL_CAP_BLOCK_RAW_MAX)
		w->block_bytes = VGL_CAP_BLOCK_RAW_MAX;
	w->queue_bytes = o->queue_bytes ? o->queue_bytes : VGL_CAP_QUEUE_BYTES_DEFAULT;
	w->flush_ns = o->flush_ns ? o->flush_ns : VGL_CAP_FLUSH_NS_DEFAULT;
	w->level = o->level ? o->level : 1;
	return 0;
}

static void writer_free(struct vgl_capwriter *w)
{
	struct capw_item *it, *next;

	for (it = w->head; it; it = next) {
		next = it->next;
		free(it->buf);
		free(it);
	}
	for (it = w->free; it; it = next) {
		next = it->next;
		free(it->buf);
		free(it);
	}
	if (w->cur)
		free(w->cur->buf);
	free(w->cur);
	capw_thread_fini(w);
	capw_files_free(w);
	pthread_cond_destroy(&w->space);
	pthread_cond_destroy(&w->more);
	pthread_mutex_destroy(&w->mu);
	free(w->path);
	free(w);
}

/* The first file: the series continues after any earlier one (with rotation). */
static int first_file(struct vgl_capwriter *w, char *err, size_t errlen)
{
	struct timespec t;
	int64_t created = w->info.created_ns;
	uint32_t seq = 0;
	int ret;

	if (w->rotate && (ret = capw_scan(w, &seq, err, errlen)))
		return ret;
	if (!created && !clock_gettime(CLOCK_REALTIME, &t))
		created = (int64_t)t.tv_sec * 1000000000 + t.tv_nsec;
	ret = capw_file_open(w, seq, created, err, errlen);
	if (ret)
		return ret;
	w->seq = seq;
	snprintf(w->cur_path, sizeof(w->cur_path), "%s", w->fpath);
	return 0;
}

int vgl_capwriter_open(const struct vgl_capwriter_opts *opts, struct vgl_capwriter **ret, char *err,
		       size_t errlen)
{
	struct vgl_capwriter *w = calloc(1, sizeof(*w));
	int e;

	if (!w)
		return -ENOMEM;
	pthread_mutex_init(&w->mu, NULL);
	pthread_cond_init(&w->more, NULL);
	pthread_cond_init(&w->space, NULL);
	w->fd = -1;
	atomic_init(&w->epoch, 1);
	e = opts_apply(w, opts, err, errlen);
	if (!e && (e = capw_thread_init(w)))
		snprintf(err, errlen, "capture %s: %s", opts->path, strerror(-e));
	if (!e)
		e = first_file(w, err, errlen);
	if (!e && (e = -pthread_create(&w->thread, NULL, capw_thread_main, w)))
		snprintf(err, errlen, "capture %s: cannot start its thread: %s", opts->path,
			 strerror(-e));
	if (e) {
		capw_file_close(w);
		writer_free(w);
		return e;
	}
	*ret = w;
	return 0;
}

int vgl_capwriter_close(struct vgl_capwriter *w, struct vgl_capwriter_stats *ret_stats)
{
	int ret;

	if (ret_stats)
		memset(ret_stats, 0, sizeof(*ret_stats));
	if (!w)
		return 0;
	handoff(w, true);
	pthread_mutex_lock(&w->mu);
	w->stopping = true; /* the thread ends once the queue is empty */
	pthread_cond_signal(&w->more);
	pthread_mutex_unlock(&w->mu);
	pthread_join(w->thread, NULL);
	capw_file_close(w);
	if (ret_stats)
		vgl_capwriter_stats(w, ret_stats);
	ret = w->first_err;
	writer_free(w);
	return ret;
}
