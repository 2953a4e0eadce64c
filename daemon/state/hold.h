/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Records that wait for their container's metadata: copies of raw records,
 * in arrival order per key (a container), with a deadline per key. Bounded
 * in keys, records and bytes; the owner decides what to do when it is full
 * (vigil's pipeline processes the record at once, without waiting).
 */
#ifndef VIGIL_STATE_HOLD_H
#define VIGIL_STATE_HOLD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define VGL_HOLD_KEYS_DEFAULT	 64
#define VGL_HOLD_RECORDS_DEFAULT 8192
#define VGL_HOLD_BYTES_DEFAULT	 (8u << 20)
#define VGL_HOLD_WAIT_NS_DEFAULT 200000000ull /* 200 ms, as a metadata lookup may take */

struct vgl_hold_opts {
	size_t max_keys, max_records, max_bytes; /* 0: defaults */
	uint64_t wait_ns;			 /* 0: default */
};

struct vgl_hold;

struct vgl_hold *vgl_hold_new(const struct vgl_hold_opts *opts);
void vgl_hold_free(struct vgl_hold *h);

/* Records held, all keys. */
size_t vgl_hold_count(const struct vgl_hold *h);

/* Keep a copy of @size bytes of @data behind @key's others; the first one of
 * a key sets its deadline, @now_ns + wait_ns. 0, -ENOSPC (a limit), -ENOMEM. */
int vgl_hold_add(struct vgl_hold *h, uint64_t key, const void *data, size_t size, uint64_t now_ns);

/* The keys with records, through *@iter (start at 0); false at the end. */
bool vgl_hold_next(const struct vgl_hold *h, size_t *iter, uint64_t *ret_key,
		   uint64_t *ret_deadline);

/* The earliest deadline, UINT64_MAX when nothing is held. */
uint64_t vgl_hold_first_deadline(const struct vgl_hold *h);

/* Hand @key's records to @fn in order, then drop them; how many. */
size_t vgl_hold_release(struct vgl_hold *h, uint64_t key,
			void (*fn)(void *ctx, const void *data, size_t size), void *ctx);

#endif /* VIGIL_STATE_HOLD_H */
