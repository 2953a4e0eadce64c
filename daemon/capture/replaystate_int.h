/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Replay state internals: a bounded hash table whose least recently updated
 * entry goes first (replaystate_table.c), used for every kind of record.
 */
#ifndef VIGIL_CAPTURE_REPLAYSTATE_INT_H
#define VIGIL_CAPTURE_REPLAYSTATE_INT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "capture/record.h"
#include "capture/replaystate.h"

/* Embedded first in every entry. @skey (may be NULL) is owned by the entry. */
struct rs_node {
	uint64_t k1, k2;
	const char *skey;
	struct rs_node *hnext;
	struct rs_node *prev, *next; /* update order, most recent first */
};

struct rs_table {
	struct rs_node **buckets;
	size_t nbuckets, count, max;
	struct rs_node lru;		 /* sentinel */
	void (*drop)(struct rs_node *n); /* frees an entry */
	uint64_t *forgotten;		 /* counter of entries dropped at the bound */
};

int rs_table_init(struct rs_table *t, size_t max, void (*drop)(struct rs_node *),
		  uint64_t *forgotten);
void rs_table_fini(struct rs_table *t);
struct rs_node *rs_find(const struct rs_table *t, uint64_t k1, uint64_t k2, const char *skey);
/* Add @n (keys set; not in the table), forgetting the least recently updated at the bound. */
void rs_insert(struct rs_table *t, struct rs_node *n);
/* @n was updated: it goes last in line to be forgotten. */
void rs_touch(struct rs_table *t, struct rs_node *n);
/* Take @n out and drop it. */
void rs_remove(struct rs_table *t, struct rs_node *n);

/* The entries (replaystate.c applies records, replaystate_ops.c answers). */
#define RS_GROUP_KEY (1ull << 32) /* users table: gids apart from uids */

struct rs_proc {
	struct rs_node n;
	struct vgl_proc_view view;
	void *mem;
	bool lazy_known;
	struct vgl_caprec_lazy lazy;
};

struct rs_ctr {
	struct rs_node n;
	struct vgl_caprec_container c;
};

struct rs_user {
	struct rs_node n; /* skey: the container id, in u.mem */
	struct vgl_caprec_user u;
};

struct rs_bind {
	struct rs_node n;
	char *ctr_id;
};

struct rs_fd {
	struct rs_node n;
	struct vgl_caprec_fd f;
};

/* The last EXE answer for a pid; kept apart from the process, as the recorder keeps it. */
struct rs_exe {
	struct rs_node n;
	bool known;
	struct vgl_exe_stat st;
};

/* The last CONFIG answer for (pid, path) (replaystate_cfg.c); skey: the path, in mem. */
struct rs_cfg {
	struct rs_node n;
	char *mem;
	int err;
	const char *data; /* NULL when err != 0 */
	size_t len;
};

struct vgl_replaystate {
	struct rs_table procs, ctrs, users, binds, fds, exes, cfgs;
	char *hostname;
	uint64_t version; /* views get one, so that a replay can be recorded again */
	struct vgl_replaystate_stats stats;
};

/* replaystate_cfg.c */
void rs_drop_cfg(struct rs_node *n);
int rs_apply_config(struct vgl_replaystate *rs, const void *data, size_t len);
const char *rs_config_file(void *state, uint32_t pid, const char *path, size_t *ret_len,
			   int *ret_err);
/* A CTR_POSTURE record: 0, -EINVAL (malformed) or -ENOMEM (replaystate_posture.c). */
int rs_apply_ctr_posture(struct vgl_replaystate *rs, const void *data, size_t len);

#endif /* VIGIL_CAPTURE_REPLAYSTATE_INT_H */
