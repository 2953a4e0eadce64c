/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Inside the capture writer: the producer side (writer.c) fills blocks and
 * queues them; the writer thread (writer_thread.c) compresses and writes
 * them; writer_files.c names, creates and removes the files. What the
 * producer and the thread share is the queue (under mu) and atomics.
 */
#ifndef VIGIL_CAPTURE_WRITER_INT_H
#define VIGIL_CAPTURE_WRITER_INT_H

#include <limits.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>

#include "capture/writer.h"

struct libdeflate_compressor;

#define CAPW_FREE_MAX 4 /* block buffers kept for reuse */

enum capw_kind {
	CAPW_BLOCK,   /* records to compress and write */
	CAPW_NEWFILE, /* begin file @seq: the records after it go there */
};

/* A queue item: a block of records, or a marker. */
struct capw_item {
	struct capw_item *next;
	enum capw_kind kind;
	uint8_t *buf;
	size_t len, cap;
	uint32_t nrecords, nevents;
	uint64_t first_ts, last_ts; /* hdr.ts of the EVENT records */
	uint64_t start_ns;	    /* producer's clock at the first record */
	uint32_t seq;		    /* CAPW_NEWFILE */
	int64_t created_ns;	    /* CAPW_NEWFILE */
};

/* A file of the series, for retention. */
struct capw_file {
	uint32_t seq;
	uint64_t bytes;
};

struct capw_stats {
	_Atomic uint64_t events, records, blocks, raw_bytes, file_bytes, files, files_removed;
	_Atomic uint64_t events_lost, blocks_dropped, write_errors;
};

struct vgl_capwriter {
	/* settings */
	char *path;
	bool rotate;
	uint64_t rotate_bytes, rotate_ns, max_total_bytes, flush_ns;
	size_t max_files, block_bytes, queue_bytes;
	int level;
	struct vgl_cap_info info; /* header template */

	/* producer side */
	struct capw_item *cur;	/* block being filled; NULL after a failed allocation */
	uint32_t seq;		/* file the producer's records go to */
	uint64_t now_ns;	/* clock of the last tick */
	uint64_t file_start_ns; /* clock when that file began; 0 until the first tick */
	uint64_t file_records;	/* records put since that file began */
	char cur_path[PATH_MAX];
	_Atomic uint64_t epoch;

	/* the queue */
	pthread_mutex_t mu;
	pthread_cond_t more;  /* an item was queued */
	pthread_cond_t space; /* an item was done */
	struct capw_item *head, *tail, *free;
	size_t nfree;
	size_t queued; /* bytes of blocks queued or being written */
	bool stopping; /* close(): the thread ends when the queue is empty */
	pthread_t thread;

	/* writer thread (and open() before it starts) */
	int fd; /* -1: the file could not be created (retried per block) */
	uint32_t fseq;
	int64_t fcreated_ns;
	char fpath[PATH_MAX];
	uint64_t fbytes;			 /* bytes in the current file */
	struct libdeflate_compressor *zc;	 /* at the configured level */
	struct libdeflate_compressor *zc_stored; /* level 0, made when first needed */
	uint8_t *zbuf;
	size_t zcap;
	struct capw_file *files;	       /* the series, oldest first (with rotation) ... */
	size_t files_first, nfiles, files_cap; /* ... in files[files_first, nfiles) */
	uint64_t total_bytes;
	int first_err;
	_Atomic uint32_t pub_seq;   /* file the thread writes to ... */
	_Atomic uint64_t pub_bytes; /* ... and its bytes so far (for size rotation) */

	struct capw_stats st;
};

static inline void capw_add(_Atomic uint64_t *c, uint64_t n)
{
	atomic_fetch_add_explicit(c, n, memory_order_relaxed);
}

/* writer_files.c */
int capw_name(const struct vgl_capwriter *w, uint32_t seq, char *buf, size_t len);
int capw_scan(struct vgl_capwriter *w, uint32_t *ret_next, char *err, size_t errlen);
int capw_file_open(struct vgl_capwriter *w, uint32_t seq, int64_t created_ns, char *err,
		   size_t errlen);
void capw_file_close(struct vgl_capwriter *w);
void capw_file_grew(struct vgl_capwriter *w, uint64_t n);
void capw_files_free(struct vgl_capwriter *w);

/* writer_thread.c */
int capw_thread_init(struct vgl_capwriter *w);
void *capw_thread_main(void *arg);
void capw_thread_fini(struct vgl_capwriter *w);

#endif /* VIGIL_CAPTURE_WRITER_INT_H */
