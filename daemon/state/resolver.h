/* SPDX-License-Identifier: Apache-2.0 */
/*
 * A worker thread that reads container metadata (runtime state files, which
 * can block on a slow disk or a busy overlay) off the event path. The event
 * loop submits a job on the first event of a new container, polls the
 * eventfd, and takes finished jobs back; nothing is shared but the queues.
 *
 *	r = vgl_resolver_new(&roots, 64);
 *	vgl_resolver_submit(r, key, gen, &cgroup_info);   (-EAGAIN: queue full)
 *	epoll on vgl_resolver_fd(r); then while (vgl_resolver_take(r, &job)) ...
 *	vgl_resolver_free(r);                             (joins the thread)
 */
#ifndef VIGIL_STATE_RESOLVER_H
#define VIGIL_STATE_RESOLVER_H

#include <stdbool.h>
#include <stdint.h>

#include "state/runtime.h"

#define VGL_RESOLVER_JOBS_DEFAULT 256

struct vgl_resolve_job {
	uint64_t key, gen; /* the caller's, returned as given */
	struct vgl_cgroup_info ci;
	/* results */
	int rc; /* of vgl_runtime_load() */
	enum vgl_ctr_runtime rt;
	struct vgl_ctr_meta meta; /* owned by the taker after vgl_resolver_take() */
	char err[VGL_RUNTIME_ERR_MAX];
};

struct vgl_resolver;

/* @roots' strings must outlive the resolver. NULL with errno on failure. */
struct vgl_resolver *vgl_resolver_new(const struct vgl_runtime_roots *roots, size_t max_jobs);
/* Stops and joins the worker; unfinished jobs are dropped. Accepts NULL. */
void vgl_resolver_free(struct vgl_resolver *r);

/* Readable when jobs have finished (an eventfd). */
int vgl_resolver_fd(const struct vgl_resolver *r);

/* Queue a job. 0, or -EAGAIN when max_jobs are queued or running. */
int vgl_resolver_submit(struct vgl_resolver *r, uint64_t key, uint64_t gen,
			const struct vgl_cgroup_info *ci);

/* A finished job into *@ret (the caller owns ret->meta); false when none. */
bool vgl_resolver_take(struct vgl_resolver *r, struct vgl_resolve_job *ret);

/* Wait up to @timeout_ms for a finished job; true when one is ready. */
bool vgl_resolver_wait(struct vgl_resolver *r, int timeout_ms);

#endif /* VIGIL_STATE_RESOLVER_H */
