// SPDX-License-Identifier: Apache-2.0
/*
 * The capture writer thread: takes blocks from the queue in order,
 * compresses each whole (zlib format, with libdeflate: about twice as fast
 * as zlib's own deflate at level 1) into one buffer with its header, and
 * writes it with one pwrite. A failed write costs its block only (counted) and the
 * file is cut back to its last whole block; the next block is tried.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <libdeflate.h>

#include "capture/format_int.h"
#include "capture/writer_int.h"
#include "util/io.h"

int capw_thread_init(struct vgl_capwriter *w)
{
	size_t raw_max = w->block_bytes > VGL_CAP_REC_HDR + VGL_CAP_RECORD_MAX
				 ? w->block_bytes
				 : VGL_CAP_REC_HDR + VGL_CAP_RECORD_MAX;

	w->zc = libdeflate_alloc_compressor(w->level);
	if (!w->zc)
		return -ENOMEM;
	w->zcap = VGL_CAP_BLKHDR_LEN + libdeflate_zlib_compress_bound(w->zc, raw_max);
	w->zbuf = malloc(w->zcap);
	return w->zbuf ? 0 : -ENOMEM;
}

void capw_thread_fini(struct vgl_capwriter *w)
{
	libdeflate_free_compressor(w->zc);
	libdeflate_free_compressor(w->zc_stored);
	w->zc = w->zc_stored = NULL;
	free(w->zbuf);
	w->zbuf = NULL;
}

/*
 * Compress @b into @out, at most @cap bytes (the format's limit on a
 * block's compressed length, zlib's compressBound() of the largest block):
 * its length, 0 on failure. libdeflate does not promise zlib's bound, so a
 * block that would not fit (a full-size block that does not compress) is
 * written again as stored blocks (level 0), which always fit.
 */
static size_t compress_data(struct vgl_capwriter *w, const struct capw_item *b, uint8_t *out,
			    size_t cap)
{
	size_t n = libdeflate_zlib_compress(w->zc, b->buf, b->len, out, cap);

	if (n)
		return n;
	if (!w->zc_stored && !(w->zc_stored = libdeflate_alloc_compressor(0)))
		return 0;
	return libdeflate_zlib_compress(w->zc_stored, b->buf, b->len, out, cap);
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
	size_t cap = w->zcap - VGL_CAP_BLKHDR_LEN;
	size_t n;

	if (cap > VGL_CAP_COMP_MAX)
		cap = VGL_CAP_COMP_MAX;
	n = compress_data(w, b, w->zbuf + VGL_CAP_BLKHDR_LEN, cap);
	if (!n)
		return 0;
	h.comp_len = (uint32_t)n;
	h.data_crc = libdeflate_crc32(0, w->zbuf + VGL_CAP_BLKHDR_LEN, n);
	vgl_cap_blkhdr_encode(&h, w->zbuf);
	return VGL_CAP_BLKHDR_LEN + n;
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
	err = vgl_write_all(w->fd, w->zbuf, n, (int64_t)w->fbytes);
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
