/* SPDX-License-Identifier: Apache-2.0 */
/*
 * A sink's on-disk spool: a FIFO of alerts in a directory of its own, kept
 * across restarts, bounded in bytes. Segment files "<16 hex digits>.spool"
 * are read in name order; each holds records
 *
 *	u32 magic "VSP1" | u32 length | u32 crc32 of the payload | payload
 *
 * (payload: vgl_alert_encode()). A record that fails its checks ends what is
 * read of its segment; the rest of that segment is counted as corrupt.
 * Thread-safe: the pipeline appends while the sink's worker reads.
 */
#ifndef VIGIL_OUTPUT_SPOOL_H
#define VIGIL_OUTPUT_SPOOL_H

#include <stddef.h>
#include <stdint.h>

#include "output/alert.h"

#define VGL_SPOOL_SEGMENT_MAX (4u << 20)
#define VGL_SPOOL_RECORD_MAX  (VGL_ALERT_JSON_MAX + VGL_ALERT_MSG_MAX + 4096)

struct vgl_spool;

/*
 * Open (creating it, mode 0700) the spool directory @dir of at most
 * @max_bytes. Records left by an earlier run are kept and counted.
 */
int vgl_spool_open(const char *dir, uint64_t max_bytes, struct vgl_spool **ret, char *err,
		   size_t errlen);
void vgl_spool_close(struct vgl_spool *sp);

/* Add @a at the end: 0, -ENOSPC (spool full), -E2BIG (record too large) or -errno. */
int vgl_spool_append(struct vgl_spool *sp, const struct vgl_alert *a);
/*
 * Put @n alerts, in order, before everything already spooled (shutdown:
 * what was still queued is older than the spool). Returns how many were
 * written; stops at the first that cannot be.
 */
size_t vgl_spool_prepend(struct vgl_spool *sp, struct vgl_alert *const *a, size_t n);

/*
 * Read up to @max alerts from the front without removing them: *@ret_n
 * alerts (new references in @out). Corrupt records met on the way are
 * skipped and added to *@corrupt. Returns 0 or -errno (nothing read).
 */
int vgl_spool_peek(struct vgl_spool *sp, struct vgl_alert **out, size_t max, size_t *ret_n,
		   uint64_t *corrupt);
/* Remove the alerts the last peek returned. */
void vgl_spool_commit(struct vgl_spool *sp);

/* Alerts and bytes in the spool now. */
uint64_t vgl_spool_count(struct vgl_spool *sp);
uint64_t vgl_spool_bytes(struct vgl_spool *sp);

#endif /* VIGIL_OUTPUT_SPOOL_H */
