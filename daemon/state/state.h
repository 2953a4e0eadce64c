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
 * Not known yet (NULL / false in the views, so "<NA>" as Falco): proc.env,
 * exe_upper_layer, capabilities after an exec until a capset (or a /proc
 * repair), the vpid of a child forked inside a non-initial pid namespace.
 * Container metadata is read synchronously on the first event of a new
 * cgroup (a few small files), never again while cached.
 */
#ifndef VIGIL_STATE_STATE_H
#define VIGIL_STATE_STATE_H

#include <stdbool.h>
#include <stdint.h>

#include "decode/event.h"
#include "rules/state.h"
#include "state/containers.h"
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
	size_t max_fds;	      /* VGL_FDS_DEFAULT */
	bool scan_proc;	      /* fill the process table from /proc at start (default true) */
	bool container_users; /* names from a container's own passwd (default true) */
	const char *hostname; /* NULL: gethostname() */
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

/* The callbacks; pass the struct vgl_state * as their `state` argument. */
const struct vgl_field_state_ops *vgl_state_ops(void);

void vgl_state_stats(const struct vgl_state *st, struct vgl_state_stats *ret);

/* The last container metadata error ("<file>: <problem>"), "" if none. */
const char *vgl_state_last_error(const struct vgl_state *st);

#endif /* VIGIL_STATE_STATE_H */
