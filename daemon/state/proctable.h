/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The process table: pid -> what the rule engine needs of a process and of
 * its ancestors. Built from /proc at start, kept current from fork / exec /
 * exit events, repaired from /proc for pids it does not know. Bounded: at
 * most max_procs entries (least recently used evicted), argv cut at
 * args_max, strings shared between a parent and its forked children.
 *
 * Views returned during one event (between vgl_proctable_begin() calls) are
 * never evicted or reaped before the next vgl_proctable_begin().
 */
#ifndef VIGIL_STATE_PROCTABLE_H
#define VIGIL_STATE_PROCTABLE_H

#include <stdint.h>

#include "decode/event.h"
#include "rules/state.h"

#define VGL_PROCS_DEFAULT	  65536
#define VGL_PROCS_MIN		  64 /* deeper than any ancestry walk of one event */
#define VGL_PROC_ARGS_DEFAULT	  1024
#define VGL_PROC_GRACE_NS_DEFAULT 5000000000ull
#define VGL_REPAIR_NEG_SLOTS	  1024 /* pids /proc did not have, remembered briefly */
#define VGL_PROC_ENV_MAX	  4096 /* bytes of /proc/PID/environ kept, as libscap */

struct vgl_proctable_opts {
	const char *proc_root; /* "/proc" */
	size_t max_procs;      /* 0: default; raised to VGL_PROCS_MIN */
	size_t args_max;       /* bytes of argv kept; 0: default */
	uint64_t grace_ns;     /* exited processes kept this long; 0: default */
};

struct vgl_proctable_stats {
	size_t entries;
	uint64_t scanned; /* entries made by the start-up scan */
	uint64_t forks, execs, exits;
	uint64_t repairs; /* unknown pids read from /proc */
	uint64_t repair_failures;
	uint64_t evictions; /* LRU */
	uint64_t reaped;    /* exited, grace period over */
};

struct vgl_proctable;

struct vgl_proctable *vgl_proctable_new(const struct vgl_proctable_opts *opts);
void vgl_proctable_free(struct vgl_proctable *pt);

/* Add every process of /proc (kernel threads excluded). Returns the count or -errno. */
int vgl_proctable_scan(struct vgl_proctable *pt);

/* Start of an event at @now_ns (event clock): reap exited entries past their grace. */
void vgl_proctable_begin(struct vgl_proctable *pt, uint64_t now_ns);

/* Apply a fork / exec / exit event; other kinds only make sure the caller is known. */
void vgl_proctable_update(struct vgl_proctable *pt, const struct vgl_event *ev);

/* The process @pid; with @repair, read it from /proc when unknown. NULL unknown. */
const struct vgl_proc_view *vgl_proctable_get(struct vgl_proctable *pt, uint32_t pid, bool repair);

/*
 * The environment of @pid (NUL-separated KEY=VALUE, *@ret_len bytes, cut at
 * VGL_PROC_ENV_MAX on a variable boundary): read from /proc/PID/environ on
 * first use after an exec (the BPF side does not capture envp), inherited at
 * fork. NULL when unknown, e.g. the process is gone.
 */
const char *vgl_proctable_env(struct vgl_proctable *pt, uint32_t pid, size_t *ret_len);

/* The exe inode @pid's exec event reported; false when it had none. */
bool vgl_proctable_exe_stat(struct vgl_proctable *pt, uint32_t pid, struct vgl_exe_stat *ret);

/* proc.is_exe_upper_layer cached for @pid since its exec: 1, 0, -1 unknown, -2 not yet. */
int vgl_proctable_upper(struct vgl_proctable *pt, uint32_t pid);
void vgl_proctable_set_upper(struct vgl_proctable *pt, uint32_t pid, int upper);

void vgl_proctable_stats(const struct vgl_proctable *pt, struct vgl_proctable_stats *ret);

#endif /* VIGIL_STATE_PROCTABLE_H */
