/* SPDX-License-Identifier: Apache-2.0 */
/* Container cache internals shared by containers.c (lookup) and ctr_async.c (async reads). */
#ifndef VIGIL_STATE_CONTAINERS_INT_H
#define VIGIL_STATE_CONTAINERS_INT_H

#include <limits.h>

#include "state/containers.h"
#include "state/posture.h"
#include "state/resolver.h"
#include "state/util.h"

#define PID_KEY	     (1ull << 63) /* keys of per-pid entries; cgroup ids never set it */
#define SHORT_ID_LEN 12		  /* Falco's container.id is the 12-character short id */

struct ctr_entry {
	uint64_t key;
	uint64_t cgid;	  /* the event's cgroup id when resolved */
	uint64_t expires; /* event clock; 0 never */
	struct ctr_entry *hnext;
	struct ctr_entry *prev, *next; /* LRU, most recent first */
	bool host;
	bool pending; /* metadata being read by the resolver */
	bool waited;  /* events stopped waiting for it (deadline passed) */
	uint64_t gen; /* tells a reused key's job results from this entry's */
	struct vgl_cgroup_info ci;
	char id[VGL_CTR_NAME_MAX + 1];
	struct vgl_ctr_meta meta;
	struct vgl_kposture kpost; /* the kernel's view of its posture */
	struct vgl_container_view view;
};

/* vigil's cgroup namespace root in one hierarchy (cgns.c). */
struct ctr_cgns_root {
	char ctrl[64];	/* the /proc/PID/cgroup controller field; "" v2 */
	char root[512]; /* its absolute path, when known */
	bool known;
};

#define CTR_CGNS_MAX 16 /* hierarchies: v1 has at most 13 controllers, plus named ones and v2 */
struct ctr_cgns {
	size_t n;
	struct ctr_cgns_root h[CTR_CGNS_MAX];
};

/* Containers whose container event was raised: hashes of full ids (ctrnews.c). */
struct ctr_seen {
	uint64_t *slots; /* open addressing, VGL_CTR_SEEN_SLOTS; 0 empty */
	size_t count;
};

struct vgl_ctr_cache {
	char proc_root[PATH_MAX / 2];
	char cg2_mount[512]; /* cgroup2 mount point, "" unknown */
	bool cg2_probed;
	struct vgl_runtime_roots roots;
	size_t max, count, nbuckets;
	uint64_t retry_ns, gen, now;
	struct vgl_resolver *resolver; /* NULL: metadata read synchronously */
	struct ctr_entry **buckets;
	struct ctr_entry lru; /* sentinel */
	struct vgl_ctr_stats stats;
	struct ctr_seen seen;
	struct ctr_cgns cgns; /* relative cgroup paths: vigil in its own cgroup namespace */
	char last_error[VGL_RUNTIME_ERR_MAX];
};

/* Metadata of @e from @ci: read now, or queued to the resolver (e->pending). */
void ctr_load_meta(struct vgl_ctr_cache *c, struct ctr_entry *e, const struct vgl_cgroup_info *ci,
		   uint64_t now);
/* Apply a finished read (0, or -errno of vgl_runtime_load()) to @e. */
void ctr_apply_meta(struct vgl_ctr_cache *c, struct ctr_entry *e, int rc, enum vgl_ctr_runtime rt,
		    uint64_t now);
struct ctr_entry *ctr_find_key(struct vgl_ctr_cache *c, uint64_t key);
/* Read and classify /proc/PID/cgroup; < 0 when the process is gone. */
int ctr_read_cgroup(struct vgl_ctr_cache *c, uint32_t pid, struct vgl_cgroup_info *ci,
		    struct vgl_cgroup_source *src);
/* The cgroup2 mount point with the highest root ("" when there is none). */
const char *ctr_cgroup2_mount(struct vgl_ctr_cache *c);
/*
 * The mount of hierarchy @ctrl ("" v2) whose root is highest: its mount
 * point into @mnt, how many levels above vigil's cgroup namespace root its
 * root is into *@ret_ups. 0, -ENOENT when there is none, -errno.
 */
int ctr_cgroup_mount(struct vgl_ctr_cache *c, const char *ctrl, char *mnt, size_t size,
		     size_t *ret_ups);
/* vgl_cgroup_root_fn for @ctx, a struct vgl_ctr_cache: vigil's namespace root in @ctrl. */
const char *ctr_cgns_root(void *ctx, const char *ctrl);
/* The same when already found (a relative path was read), else NULL; no I/O. */
const char *ctr_cgns_known(const struct vgl_ctr_cache *c, const char *ctrl);
/* Read the kernel's view of @e's posture from @pid, unless read or tried just now. */
void ctr_posture_try(struct vgl_ctr_cache *c, struct ctr_entry *e, uint32_t pid, uint64_t now);
void ctr_fill_view(struct ctr_entry *e, const struct vgl_cgroup_info *ci, enum vgl_ctr_runtime rt);

#endif /* VIGIL_STATE_CONTAINERS_INT_H */
