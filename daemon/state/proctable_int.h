/* SPDX-License-Identifier: Apache-2.0 */
/* Process table internals shared by proctable.c (storage) and procevents.c (events). */
#ifndef VIGIL_STATE_PROCTABLE_INT_H
#define VIGIL_STATE_PROCTABLE_INT_H

#include <limits.h>

#include "state/proctable.h"
#include "state/util.h"

#define VGL_INTERN_SLOTS 512

struct proc_entry {
	struct vgl_proc_view view; /* pointers into this entry */
	struct proc_entry *hnext;
	struct proc_entry *prev, *next;	  /* LRU, most recent first */
	struct proc_entry *xprev, *xnext; /* exit queue, oldest first; NULL when alive */
	uint64_t gen;			  /* last event that used it */
	uint64_t exit_ts;
	char comm[VGL_COMM_LEN + 1];
	struct vgl_rstr *exe, *exepath, *args, *cwd;
	struct vgl_rstr *env; /* read lazily; inherited at fork, dropped at exec */
	bool env_tried;
	int8_t upper; /* exe in an overlay's upper layer: 1, 0, -1 unknown, -2 not asked yet */
	bool exe_flags_known; /* the exec event's flags (VGL_EXE_*) */
	uint32_t exe_flags;
	bool exe_stat_known; /* the exec event's exe inode */
	struct vgl_exe_stat exe_stat;
};

struct vgl_proctable {
	char proc_root[PATH_MAX / 2];
	size_t max, args_max, count, nbuckets;
	uint64_t grace_ns, gen;
	struct proc_entry **buckets;
	struct proc_entry lru;	 /* sentinel */
	struct proc_entry exits; /* sentinel */
	struct vgl_proctable_stats stats;
	struct {
		uint32_t pid;
		uint64_t until;
	} neg[VGL_REPAIR_NEG_SLOTS];
	uint64_t now;
	struct vgl_rstr *intern[VGL_INTERN_SLOTS]; /* recent strings, shared by equal ones */
};

struct proc_entry *vgl_pt_find(struct vgl_proctable *pt, uint32_t pid);
/* A new, empty entry for @pid (replacing any old one), marked used by this event. */
struct proc_entry *vgl_pt_insert(struct vgl_proctable *pt, uint32_t pid);
void vgl_pt_remove(struct vgl_proctable *pt, struct proc_entry *e);
/* Point the view's strings at the entry's members. */
void vgl_pt_sync_view(struct proc_entry *e);
/* Read @pid from /proc into a new entry; NULL when it is gone. */
struct proc_entry *vgl_pt_from_procfs(struct vgl_proctable *pt, uint32_t pid);
/* A reference to a string equal to @len bytes of @s: a recent one when there is one. */
struct vgl_rstr *vgl_pt_intern(struct vgl_proctable *pt, const char *s, size_t len);
/* Replace @slot with @val (reference taken by the caller). */
void vgl_pt_set_str(struct vgl_rstr **slot, struct vgl_rstr *val);
/* Split NUL-separated argv into exe (argv[0]) and args (the rest, cut at args_max). */
void vgl_pt_set_argv(struct vgl_proctable *pt, struct proc_entry *e, const char *argv, size_t len);
void vgl_pt_mark_exited(struct vgl_proctable *pt, struct proc_entry *e, uint64_t ts);
/* The exec event's image (caps, exe inode and flags, tty, session, env): procexec.c. */
void vgl_pt_apply_exec_info(struct proc_entry *e, const struct vgl_event *ev);
/* The capabilities a set*id event reports after the call. */
void vgl_pt_apply_cred_caps(struct proc_entry *e, const struct vgl_event *ev);

#endif /* VIGIL_STATE_PROCTABLE_INT_H */
