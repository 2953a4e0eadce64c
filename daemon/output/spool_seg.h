/* SPDX-License-Identifier: Apache-2.0 */
/* Internal to spool*.c: the spool's state and its segment list. */
#ifndef VIGIL_OUTPUT_SPOOL_SEG_H
#define VIGIL_OUTPUT_SPOOL_SEG_H

#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>

#include "output/spool.h"

#define VGL_SPOOL_MAGIC	   0x31505356u /* "VSP1" */
#define VGL_SPOOL_HDR	   12u
#define VGL_SPOOL_SEGS_MAX 4096u

struct spool_seg {
	uint64_t seq;
	uint64_t bytes;	  /* valid bytes (the file's size for segments we write) */
	uint64_t start;	  /* bytes already delivered from the front */
	uint64_t records; /* records not yet delivered */
};

struct vgl_spool {
	pthread_mutex_t mu;
	char *dir;
	uint64_t max_bytes;
	uint64_t bytes;		/* sum of the segments' bytes */
	uint64_t records;	/* records not yet delivered */
	struct spool_seg *segs; /* in read order */
	size_t nsegs, cap;
	int rfd; /* the front segment, for reading */
	uint64_t rseq;
	int wfd; /* the back segment, for appending; -1: start a new one */
	uint64_t wseq;
	uint64_t peek_bytes; /* what the last peek read, committed or forgotten */
	uint64_t peek_records;
	uint64_t corrupt; /* records found corrupt, not yet reported */
};

/* Read the directory: segments, their valid records, the saved head. */
int spool_scan(struct vgl_spool *sp, char *err, size_t errlen);
/* Create segment @seq's file for writing; fd or -errno. */
int spool_create_seg(struct vgl_spool *sp, uint64_t seq);
/* Insert an empty segment @seq at index @at; NULL when out of memory. */
struct spool_seg *spool_insert_seg(struct vgl_spool *sp, size_t at, uint64_t seq);
/* Persist how far the front segment was read ("head"). */
void spool_save_head(struct vgl_spool *sp);
/* Drop what the last peek read without committing it. */
void spool_forget_peek(struct vgl_spool *sp);

#endif /* VIGIL_OUTPUT_SPOOL_SEG_H */
