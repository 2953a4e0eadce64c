/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Small helpers shared by the state tracker: bounded file reads, reference
 * counted strings (shared between a parent and its forked children), hashing.
 */
#ifndef VIGIL_STATE_UTIL_H
#define VIGIL_STATE_UTIL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/*
 * Read the whole file @path into a NUL-terminated buffer of at most @max
 * bytes. Returns 0, -EFBIG when the file is larger than @max, or -errno.
 * *@ret_buf (free()) and *@ret_len are set only on success.
 */
int vgl_read_file(const char *path, size_t max, char **ret_buf, size_t *ret_len);

/* Same, relative to the directory @dirfd (openat semantics). */
int vgl_read_fileat(int dirfd, const char *path, size_t max, char **ret_buf, size_t *ret_len);

/* An immutable string with a reference count; s is NUL-terminated. */
struct vgl_rstr {
	uint32_t ref;
	uint32_t len;
	char s[];
};

/* New string of @len bytes of @s (may contain NULs), or NULL on ENOMEM. */
struct vgl_rstr *vgl_rstr_new(const char *s, size_t len);
struct vgl_rstr *vgl_rstr_get(struct vgl_rstr *r); /* NULL-safe */
void vgl_rstr_put(struct vgl_rstr *r);		   /* NULL-safe */

static inline const char *vgl_rstr_str(const struct vgl_rstr *r)
{
	return r ? r->s : NULL;
}

/* 64-bit mix (splitmix64 finalizer). */
static inline uint64_t vgl_hash64(uint64_t x)
{
	x ^= x >> 30;
	x *= 0xbf58476d1ce4e5b9ull;
	x ^= x >> 27;
	x *= 0x94d049bb133111ebull;
	x ^= x >> 31;
	return x;
}

/*
 * A new version for a view (rules/state.h), from one counter for the whole
 * process so that no two views ever share one: never 0 ("not tracked") or
 * VGL_STATE_VERSION_HOST (the host's container view, which never changes).
 */
#define VGL_STATE_VERSION_HOST 1
uint64_t vgl_state_version_next(void);
/* The same for a descriptor view: not a change in vgl_state_changes()'s sense. */
uint64_t vgl_state_fd_version_next(void);
/* A view went away or changed what it answers without a new version (an exit). */
void vgl_state_changed(void);
/*
 * Changes of the views but descriptors (versions given out, views gone) in
 * all the state trackers of this process: the `changes` callback.
 */
uint64_t vgl_state_changes(void);

/* Smallest power of two >= @n (n >= 1, n <= 2^31). */
size_t vgl_pow2_ceil(size_t n);

#endif /* VIGIL_STATE_UTIL_H */
