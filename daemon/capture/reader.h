/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Capture reader: validates the header, then yields records block by block.
 * A damaged block (bad checksum, bad length, does not inflate, records that
 * overrun it) is skipped: the reader looks for the next block magic, counts
 * what it skipped and reports it through the warning callback with the file
 * name and offset. A file cut short (power lost while writing) ends at the
 * last whole block, with a warning.
 */
#ifndef VIGIL_CAPTURE_READER_H
#define VIGIL_CAPTURE_READER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "capture/format.h"

struct vgl_capreader_stats {
	uint64_t blocks;	  /* read whole */
	uint64_t records;	  /* yielded */
	uint64_t events;	  /* EVENT records yielded */
	uint64_t blocks_skipped;  /* damaged */
	uint64_t records_skipped; /* in damaged blocks, as their headers claimed (0 if unknown) */
	uint64_t bytes_skipped;
	bool truncated; /* the file ended inside a block */
};

/* "FILE: offset N: what happened" */
typedef void (*vgl_cap_warn_fn)(void *ctx, const char *msg);

struct vgl_capreader;

/*
 * Open @path (@name for messages; NULL: @path) and read its header. 0, or
 * -errno / -EINVAL (not a capture file, or damaged header), -EPROTONOSUPPORT
 * (a newer format version) with a message in @err naming the file.
 */
int vgl_capreader_open(const char *path, vgl_cap_warn_fn warn, void *warn_ctx,
		       struct vgl_capreader **ret, char *err, size_t errlen);

/* The same on @len bytes at @data (not copied; for tests and fuzzing). */
int vgl_capreader_open_mem(const void *data, size_t len, const char *name, vgl_cap_warn_fn warn,
			   void *warn_ctx, struct vgl_capreader **ret, char *err, size_t errlen);

const struct vgl_cap_info *vgl_capreader_info(const struct vgl_capreader *r);

/*
 * The next record: 1 with *@type, *@data, *@len (valid until the next call),
 * 0 at the end, -errno on a read error the file cannot go on from (message
 * through the warning callback).
 */
int vgl_capreader_next(struct vgl_capreader *r, uint32_t *type, const void **data, size_t *len);

/* Offset in the file of the block the last record came from. */
uint64_t vgl_capreader_offset(const struct vgl_capreader *r);

void vgl_capreader_stats(const struct vgl_capreader *r, struct vgl_capreader_stats *ret);
void vgl_capreader_close(struct vgl_capreader *r);

#endif /* VIGIL_CAPTURE_READER_H */
