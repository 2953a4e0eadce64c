/* SPDX-License-Identifier: Apache-2.0 */
/* The fd tracker's table (fdtrack.c), shared with its event handlers (fdtrack_events.c). */
#ifndef VIGIL_STATE_FDTRACK_INT_H
#define VIGIL_STATE_FDTRACK_INT_H

#include <stdbool.h>
#include <stdint.h>

#include "state/fdtrack.h"

struct tfd {
	int32_t fd;
	bool cloexec;
	uint64_t changed; /* tick of the last change: the per-process eviction order */
	char name[VGL_FDTRACK_NAME_MAX];
	struct vgl_fd_view view; /* view.name is set by get(): the array may move */
};

struct tproc {
	uint32_t pid;
	struct tproc *hnext, *prev, *next; /* hash chain; LRU list, most recent first */
	unsigned int n, cap;
	struct tfd *fds;
};

struct vgl_fdtrack {
	size_t max, count, nbuckets;
	uint64_t tick, evictions;
	struct tproc **buckets;
	struct tproc lru;
	struct { /* a close applied with the next event (fdtrack_events.c on_close) */
		uint32_t pid;
		int32_t fd;
		bool set;
	} closing;
};

/* The process's entries (@create: a new empty one); moved to the LRU front. NULL none. */
struct tproc *ft_proc_find(struct vgl_fdtrack *t, uint32_t pid, bool create);
void ft_proc_drop(struct vgl_fdtrack *t, struct tproc *p);
/* @p may be NULL. */
struct tfd *ft_fd_find(struct tproc *p, int64_t fd);
/* Removes @e; drops @p with its last entry. */
void ft_fd_remove(struct vgl_fdtrack *t, struct tproc *p, struct tfd *e);
/*
 * The entry of (@pid, @fd), emptied with a new version; created if new, which
 * may evict and move @pid's array (pointers into it go stale).
 */
struct tfd *ft_fd_put(struct vgl_fdtrack *t, uint32_t pid, int64_t fd);
void ft_fd_forget(struct vgl_fdtrack *t, uint32_t pid, int64_t fd);

#endif /* VIGIL_STATE_FDTRACK_INT_H */
