/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Inside the capture reader: reader.c opens and yields records,
 * reader_block.c finds, checks and inflates blocks, reader_win.c reads the
 * file forward through a bounded window.
 */
#ifndef VIGIL_CAPTURE_READER_INT_H
#define VIGIL_CAPTURE_READER_INT_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "capture/reader.h"

struct libdeflate_decompressor;

struct vgl_capreader {
	char *name;
	vgl_cap_warn_fn warn;
	void *warn_ctx;
	struct vgl_cap_info info;
	/* a file read forward (fd) or bytes in memory (mem) */
	int fd;
	const uint8_t *mem;
	size_t mem_len;
	uint8_t *wbuf; /* file bytes [wbase, wbase + wlen) */
	size_t wcap, wlen;
	uint64_t wbase;
	bool eof;
	/* position */
	uint64_t off;	  /* where the next block begins */
	uint64_t blk_off; /* the block being yielded */
	bool done;
	/* the block being yielded, inflated and checked */
	uint8_t *raw;
	size_t raw_cap, raw_len, pos;
	struct libdeflate_decompressor *zd;
	struct vgl_capreader_stats st;
};

void capr_warn(struct vgl_capreader *r, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/*
 * Up to @n bytes at @off in *@ret: how many there are (fewer only at the
 * end of the file), or -errno (reported). @off never goes back before an
 * earlier call's.
 */
ssize_t capr_win_get(struct vgl_capreader *r, uint64_t off, size_t n, const uint8_t **ret);

/*
 * From @off on, where the next block header that checks begins (or a block
 * magic too close to the end for a header: a truncated block), else the end.
 */
int64_t capr_resync(struct vgl_capreader *r, uint64_t off);

/* Load the next whole block into r->raw: 1, 0 at the end, -errno. */
int capr_next_block(struct vgl_capreader *r);

#endif /* VIGIL_CAPTURE_READER_INT_H */
