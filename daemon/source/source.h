/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Sources of raw records. A source hands each record to a callback and
 * knows nothing of what consumes it; main connects a source to the
 * pipeline. The live source reads the kernel ring buffer; the capture-file
 * source (`vigil replay`) reads capture files (capture/format.h).
 */
#ifndef VIGIL_SOURCE_SOURCE_H
#define VIGIL_SOURCE_SOURCE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Called for every record; a non-zero return stops the current batch. */
typedef int (*vgl_record_fn)(void *ctx, const void *data, size_t size);

struct vgl_live;

/* Consume the BPF ring buffer map @map_fd. */
int vgl_live_open(int map_fd, vgl_record_fn fn, void *ctx, struct vgl_live **ret_live);

/* A file descriptor that polls readable when records wait. */
int vgl_live_fd(const struct vgl_live *live);

/* Deliver every waiting record; returns how many or -errno. */
int vgl_live_consume(struct vgl_live *live);
/* Every record written before the call, in order (a rule reload's cut). */
int vgl_live_drain(struct vgl_live *live);

void vgl_live_close(struct vgl_live *live);

/*
 * Capture files, read in the order given. EVENT records go to @event as the
 * kernel wrote them, except that values whose encoding depends on the
 * architecture (open flags) are translated from the capture's to this
 * host's (docs/replay.md). Context records go to @context, in file order
 * with the events. LOSS records (events the writer could not write) are
 * counted and reported per file. Damage the reader skipped is reported on
 * stderr with the file and offset, and counted; a file that cannot be read
 * at all (missing, not a capture, a newer format) is reported and counted,
 * and the next one is read.
 */
struct vgl_cap_info;

/* A context record (any capture record type but EVENT and LOSS). */
typedef int (*vgl_context_fn)(void *ctx, uint32_t type, const void *data, size_t size);
/* A file begins (@info: its header), before any of its records. */
typedef int (*vgl_capfile_fn)(void *ctx, const char *path, const struct vgl_cap_info *info);

struct vgl_capsrc_cbs {
	vgl_record_fn event;
	vgl_context_fn context; /* may be NULL */
	vgl_capfile_fn file;	/* may be NULL */
	void *ctx;
};

struct vgl_capsrc_stats {
	uint64_t files;		  /* opened and read (whole or in part) */
	uint64_t files_failed;	  /* could not be read at all */
	uint64_t events;	  /* EVENT records delivered */
	uint64_t context;	  /* context records delivered */
	uint64_t unknown;	  /* records of a type this build does not know: skipped */
	uint64_t translated;	  /* events recorded on another architecture, translated */
	uint64_t not_recorded;	  /* events the writer lost (LOSS records) */
	uint64_t blocks_skipped;  /* damaged blocks */
	uint64_t records_skipped; /* records in them, as far as known */
	uint64_t bytes_skipped;
	uint64_t truncated;   /* files cut short */
	uint64_t read_errors; /* files whose reading stopped at an I/O error */
};

struct vgl_capsrc;

/* Read @paths (@n of them; not copied: they must outlive the source). */
int vgl_capsrc_open(const char *const *paths, size_t n, const struct vgl_capsrc_cbs *cbs,
		    struct vgl_capsrc **ret);

/*
 * Deliver up to @max records: how many (> 0), 0 when every file has been
 * read, or < 0 when a callback returned non-zero (reading stops there).
 */
int vgl_capsrc_consume(struct vgl_capsrc *src, size_t max);

/* The file being read (NULL before the first and after the last). */
const char *vgl_capsrc_path(const struct vgl_capsrc *src);

void vgl_capsrc_stats(const struct vgl_capsrc *src, struct vgl_capsrc_stats *ret);
void vgl_capsrc_close(struct vgl_capsrc *src);

/*
 * Architecture translation (source/capture_arch.c): for a capture made on
 * @arch (uname machine), the translation of its records to this host's
 * encoding. Returns 1 (records need translating: use
 * vgl_capsrc_translate()), 0 (the same encoding), -ENOTSUP (an unknown
 * architecture: values are taken as this host's).
 */
struct vgl_arch_xlate {
	uint64_t from[4], to[4]; /* open flags: bit in the capture -> bit here */
	uint64_t mask;		 /* from[0] | ... */
};
int vgl_capsrc_arch(const char *arch, struct vgl_arch_xlate *ret);
/* Translate the record @rec of @size bytes in place; false if it does not parse. */
bool vgl_capsrc_translate(const struct vgl_arch_xlate *x, void *rec, size_t size);

#endif /* VIGIL_SOURCE_SOURCE_H */
