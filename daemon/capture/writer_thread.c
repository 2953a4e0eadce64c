// SPDX-License-Identifier: Apache-2.0
/*
 * The capture writer thread: takes blocks from the queue in order,
 * compresses each (zlib) into one buffer with its header, and writes it
 * with one pwrite. A failed write costs its block only (counted) and the
 * file is cut back to its last whole block; the next block is tried.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "capture/format_int.h"
#include "capture/writer_int.h"

int capw_thread_init(struct vgl_capwriter *w)
{
	size_t raw_max = w->block_bytes > VGL_CAP_REC_HDR + VGL_CAP_RECORD_MAX
				 ? w->block_bytes
				 : VGL_CAP_REC_HDR + VGL_CAP_RECORD_MAX;

	if (deflateInit(&w->z, w->level) != Z_OK)
		return -ENOMEM;
	w->z_ready = true;
	w->zcap = VGL_CAP_BLKHDR_LEN + compressBound((uLong)raw_max);
	w->zbuf = malloc(w->zcap);
	return w->zbuf ? 0 : -ENOMEM;
}

void capw_thread_fini(struct vgl_capwriter *w)
{
	if (w->z_ready)
		deflateEnd(&w->z);
	w->z_ready = false;
	free(w->zbuf);
	w->zbuf = NULL;
}

/* Compress @b after its block header in zbuf; the bytes to write, 0 on failure. */
static size_t compress_block(struct vgl_capwriter *w, const struct capw_item *b)
{
	struct vgl_cap_blkhdr h = {
		.raw_len = (uint32_t)b->len,
		.nrecords = b->nrecords,
		.nevents = b->nevents,
		.first_ts = b->first_ts,
		.last_ts = b->last_ts,
	};

	if (deflateReset(&w->z) != Z_OK)
		return 0;
	w->z.next_in = b->buf;
	w->z.avail_in = (uInt)b->len;
	w->z.next_out = w->zbuf + VGL_CAP_BLKHDR_LEN;
	w->z.avail_out = (uInt)(w->zcap - VGL_CAP_BLKHDR_LEN);
	if (deflate(&w->z, Z_FINISH) != Z_STREAM_END)
		return 0;
	h.comp_len = (uint32_t)w->z.total_out;
	h.data_crc = (uint32_t)crc32(0, w->zbuf + VGL_CAP_BLKHDR_LEN, h.comp_len);
	vgl_cap_blkhdr_encode(&h, w->zbuf);
	return VGL_CAP_BLKHDR_LEN + h.comp_len;
}

static int pwrite_all(int fd, const uint8_t *p, size_t n, uint64_t off)
{
	while (n) {
		ssize_t k = pwrite(fd, p, n, (off_t)off);

		if (k < 0 && errno == EINTR)
			continue;
		if (k <= 0)
			return k < 0 ? -errno : -EIO;
		p += k;
		n -= (size_t)k;
		off += (uint64_t)k;
	}
	return 0;
}

/* A block that could not be written: its events are lost, its context too (epoch). */
static void block_failed(struct vgl_capwriter *w, const struct capw_item *b, int err)
{
	capw_add(&w->st.write_errors, 1);
	capw_add(&w->st.events_lost, b->nevents);
	atomic_fetch_add(&w->epoch, 1);
	if (!w->first_err)
		w->first_err = err;
}

static void write_block(struct vgl_capwriter *w, const struct capw_item *b)
{
	size_t n = compress_block(w, b);
	int err;

	if (!n) {
		block_failed(w, b, -EIO);
		return;
	}
	/* a file that could not be created is tried again (space may have been freed) */
	if (w->fd < 0 && (err = capw_file_open(w, w->fseq, w->fcreated_ns, NULL, 0))) {
		block_failed(w, b, err);
		return;
	}
	err = pwrite_all(w->fd, w->zbuf, n, w->fbytes);
	if (err) {
		/* keep the file a sequence of whole blocks */
		if (ftruncate(w->fd, (off_t)w->fbytes))
			(void)0; /* the reader skips what is left */
		block_failed(w, b, err);
		return;
	}
	/* the size first: who sees the events counted sees the size they make */
	capw_file_grew(w, n);
	capw_add(&w->st.blocks, 1);
	capw_add(&w->st.records, b->nrecords);
	capw_add(&w->st.raw_bytes, b->len);
	capw_add(&w->st.events, b->nevents);
}

static void next_file(struct vgl_capwriter *w, const struct capw_item *m)
{
	int err;

	capw_file_close(w);
	err = capw_file_open(w, m->seq, m->created_ns, NULL, 0);
	if (err) {
		capw_add(&w->st.write_errors, 1);
		if (!w->first_err)
			w->first_err = err;
	}
}

/* Done with @it: its bytes leave the queue, its buffer is kept for reuse. */
static void item_done(struct vgl_capwriter *w, struct capw_item *it)
{
	pthread_mutex_lock(&w->mu);
	w->queued -= it->len;
	if (it->kind == CAPW_BLOCK && it->cap == w->block_bytes && w->nfree < CAPW_FREE_MAX) {
		it->next = w->free;
		w->free = it;
		w->nfree++;
		it = NULL;
	}
	pthread_cond_signal(&w->space);
	pthread_mutex_unlock(&w->mu);
	if (it) {
		free(it->buf);
		free(it);
	}
}

void *capw_thread_main(void *arg)
{
	struct vgl_capwriter *w = arg;

	for (;;) {
		struct capw_item *it;

		pthread_mutex_lock(&w->mu);
		while (!w->head && !w->stopping)
			pthread_cond_wait(&w->more, &w->mu);
		it = w->head;
		if (it && !(w->head = it->next))
			w->tail = NULL;
		pthread_mutex_unlock(&w->mu);
		if (!it)
			return NULL;
		if (it->kind == CAPW_BLOCK)
			write_block(w, it);
		else
			next_file(w, it);
		item_done(w, it);
	}
}
