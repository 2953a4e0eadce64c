/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The state tracker: process table, containers, users, behind the rule
 * engine's struct vgl_field_state_ops (rules/state.h).
 *
 *	struct vgl_state_opts o;
 *	vgl_state_opts_default(&o);              (then override roots, limits)
 *	struct vgl_state *st = vgl_state_new(&o); (scans /proc)
 *	for each decoded event ev:
 *		vgl_state_update(st, &ev);        (before rule evaluation)
 *		vgl_ruleset_eval(..., &ev, vgl_state_ops(), st, ...);
 *	vgl_state_stats(st, &stats);
 *	vgl_state_free(st);
 *
 * Single-threaded: update and the ops callbacks must not run concurrently.
 *
 * Not known (NULL / false in the views, so "<NA>" as Falco): capabilities
 * after an exec until a capset (or a /proc repair), the vpid of a child forked
 * inside a non-initial pid namespace; proc.env and proc.is_exe_upper_layer of
 * a process already gone when first asked (they come from /proc, lazily).
 *
 * Container metadata is read on the first event of a new cgroup, never again
 * while cached: synchronously, or with opts.async_meta on a worker thread.
 * Then the caller holds that container's events while vgl_state_wait_key()
 * names it, polls vgl_state_fd(), calls vgl_state_collect() and releases
 * them once vgl_state_key_pending() is false (or gives up with
 * vgl_state_stop_waiting() at its deadline).
 */
#ifndef VIGIL_STATE_STATE_H
#define VIGIL_STATE_STATE_H

#include <stdbool.h>
#include <stdint.h>

#include "decode/event.h"
#include "rules/state.h"
#include "state/containers.h"
#include "state/ctrnews.h"
#include "state/fdtable.h"
#include "state/proctable.h"

#define VGL_STATE_USERDB_SLOTS 16 /* containers whose own passwd is cached */

struct vgl_state_opts {
	const char *proc_root;	 /* /proc */
	const char *passwd_path; /* /etc/passwd */
	const char *group_path;	 /* /etc/group */
	struct vgl_runtime_roots roots;
	size_t max_procs;	/* VGL_PROCS_DEFAULT */
	size_t args_max;	/* VGL_PROC_ARGS_DEFAULT */
	uint64_t exit_grace_ns; /* VGL_PROC_GRACE_NS_DEFAULT */
	size_t max_containers;	/* VGL_CTR_CACHE_DEFAULT */
	uint64_t container_retry_ns;
	size_t max_fds;	       /* VGL_FDS_DEFAULT */
	bool scan_proc;	       /* fill the process table from /proc at start (default true) */
	bool container_users;  /* names from a container's own passwd (default true) */
	const char *hostname;  /* NULL: gethostname() */
	bool async_meta;       /* container metadata read on a worker thread */
	const char *host_root; /* the host's / (DaemonSet: /host) for overlay upperdirs; NULL "/" */
};

struct vgl_state_stats {
	struct vgl_proctable_stats procs;
	struct vgl_ctr_stats containers;
	struct vgl_fdtable_stats fds;
	uint64_t user_loads; /* passwd / group (re)loads, host and containers */
};

struct vgl_state;

void vgl_state_opts_default(struct vgl_state_opts *ret);

/* NULL with errno set on failure (ENOMEM, or the /proc scan's error). */
struct vgl_state *vgl_state_new(const struct vgl_state_opts *opts);
void vgl_state_free(struct vgl_state *st);

/* Account for @ev: fork / exec / exit, unknown pids repaired, the container resolved. */
void vgl_state_update(struct vgl_state *st, const struct vgl_event *ev);

/*
 * With async_meta: the key of @ev's container while its metadata is being
 * read (the event should wait), 0 to go on. Classifies a new cgroup and
 * queues the read; reads the pid from /proc now if unknown, while it exists.
 */
uint64_t vgl_state_wait_key(struct vgl_state *st, const struct vgl_event *ev);
bool vgl_state_key_pending(struct vgl_state *st, uint64_t key);
void vgl_state_stop_waiting(struct vgl_state *st, uint64_t key);
/* Apply finished metadata reads (between events); how many. */
size_t vgl_state_collect(struct vgl_state *st);
/* Readable when metadata reads finished; -1 without async_meta. */
int vgl_state_fd(const struct vgl_state *st);
/* Wait up to @timeout_ms for a finished read. */
bool vgl_state_wait(struct vgl_state *st, int timeout_ms);

/*
 * The container event (state/ctrnews.h): after vgl_state_update(@ev), is
 * @ev the first exec of a container not announced yet? Fills *@ret.
 */
bool vgl_state_container_news(struct vgl_state *st, const struct vgl_event *ev,
			      struct vgl_ctr_news *ret);
/* Containers running now, announced through @fn (at start); how many. */
size_t vgl_state_scan_containers(struct vgl_state *st, uint64_t now_ns, vgl_ctrnews_fn fn,
				 void *ctx);

/* The callbacks; pass the struct vgl_state * as their `state` argument. */
const struct vgl_field_state_ops *vgl_state_ops(void);

void vgl_state_stats(const struct vgl_state *st, struct vgl_state_stats *ret);

/* The last container metadata error ("<file>: <problem>"), "" if none. */
const char *vgl_state_last_error(const struct vgl_state *st);

#endif /* VIGIL_STATE_STATE_H */
