/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Capture writer. The producer (the pipeline thread) appends records to the
 * current block in memory; a full block (or one older than flush_ns) is
 * handed to a writer thread that compresses it (zlib) and writes it. Handing
 * over never blocks: when more than queue_bytes wait, the block is dropped,
 * its events are counted lost and the epoch changes.
 *
 * The epoch changes whenever a new file begins (rotation) or a block was
 * dropped: context records written before it may not be in the file, so a
 * producer that writes context only when it changed (capture/recorder.h)
 * must forget what it wrote when vgl_capwriter_epoch() differs.
 *
 * Rotation (rotate_bytes, rotate_ns) is decided on the producer side, so
 * that a new file begins between two records the producer chose; files are
 * then PATH with a sequence number before the extension ("cap.vgc" ->
 * "cap.000000.vgc", "cap.000001.vgc", ...) and the oldest are removed beyond
 * max_files / max_total_bytes. A series already on disk is continued after
 * its highest number (a restart overwrites nothing) and its files count for
 * retention. Without rotation, the one file is PATH.
 */
#ifndef VIGIL_CAPTURE_WRITER_H
#define VIGIL_CAPTURE_WRITER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "capture/format.h"

#define VGL_CAP_QUEUE_BYTES_DEFAULT (64u << 20)
#define VGL_CAP_BLOCK_BYTES_DEFAULT (256u << 10)
#define VGL_CAP_FLUSH_NS_DEFAULT    1000000000ull

struct vgl_capwriter_opts {
	const char *path;	  /* required */
	struct vgl_cap_info info; /* header template: vgl_cap_info_host(), then flags / rule */
	uint64_t rotate_bytes;	  /* compressed bytes per file; 0: no size rotation */
	uint64_t rotate_ns;	  /* age of a file; 0: no time rotation */
	size_t max_files;	  /* files kept (with rotation); 0: unlimited */
	uint64_t max_total_bytes; /* bytes kept over all files (with rotation); 0: unlimited */
	size_t block_bytes;	  /* uncompressed block size; 0: default */
	size_t queue_bytes;	  /* bytes waiting for the writer thread; 0: default */
	uint64_t flush_ns;	  /* a partial block older than this is written; 0: default */
	int level;		  /* zlib level 1..9; 0: 1 */
};

struct vgl_capwriter_stats {
	uint64_t events;	 /* EVENT records written to files */
	uint64_t records;	 /* all records written */
	uint64_t blocks;	 /* blocks written */
	uint64_t raw_bytes;	 /* record bytes before compression */
	uint64_t file_bytes;	 /* bytes written to files (headers included) */
	uint64_t files;		 /* files begun */
	uint64_t files_removed;	 /* by retention */
	uint64_t events_lost;	 /* EVENT records in dropped blocks or failed writes */
	uint64_t blocks_dropped; /* queue full */
	uint64_t write_errors;	 /* failed writes (each loses its block) */
};

struct vgl_capwriter;

/*
 * Open the first file (created or truncated, mode 0600) and start the thread.
 * 0, or -errno with a message naming the file in @err.
 */
int vgl_capwriter_open(const struct vgl_capwriter_opts *opts, struct vgl_capwriter **ret, char *err,
		       size_t errlen);

/*
 * Append a record. 0, -E2BIG (@len above VGL_CAP_RECORD_MAX: not written,
 * counted lost if an event), -ENOBUFS (the block it completed was dropped:
 * the epoch changed; the record itself is not written).
 */
int vgl_capwriter_put(struct vgl_capwriter *w, uint32_t type, const void *data, size_t len);

/* See above; starts at 1. */
uint64_t vgl_capwriter_epoch(const struct vgl_capwriter *w);

/*
 * Call at least once a second and before each event with the wall clock:
 * writes a partial block older than flush_ns, begins a new file when
 * rotation is due (the epoch changes). Cheap when nothing is due.
 */
void vgl_capwriter_tick(struct vgl_capwriter *w, uint64_t now_ns);

/* Path of the file being written (for messages; valid until the next tick). */
const char *vgl_capwriter_path(const struct vgl_capwriter *w);

/* Counters so far (thread-safe). */
void vgl_capwriter_stats(const struct vgl_capwriter *w, struct vgl_capwriter_stats *ret);

/*
 * Write what is buffered, wait for the thread, close the file and free @w.
 * @ret_stats (may be NULL) gets the final counters, the last block
 * included. 0 or the first -errno.
 */
int vgl_capwriter_close(struct vgl_capwriter *w, struct vgl_capwriter_stats *ret_stats);

#endif /* VIGIL_CAPTURE_WRITER_H */
