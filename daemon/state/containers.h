/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Container identity and metadata by event: cgroup id (or, where the cgroup
 * id does not tell containers apart, pid) -> /proc/PID/cgroup -> runtime and
 * id -> runtime state files. Resolved synchronously on the first event of a
 * new cgroup, then cached (bounded, LRU). Host cgroups are cached for good;
 * a container whose metadata could not be read is retried after a short
 * time; per-pid answers (cgroup v1 hosts) expire after the same time.
 */
#ifndef VIGIL_STATE_CONTAINERS_H
#define VIGIL_STATE_CONTAINERS_H

#include <stdint.h>

#include "rules/state.h"
#include "state/runtime.h"

#define VGL_CTR_CACHE_DEFAULT	 4096
#define VGL_CTR_RETRY_NS_DEFAULT 1000000000ull

struct vgl_ctr_cache_opts {
	const char *proc_root; /* "/proc" */
	struct vgl_runtime_roots roots;
	size_t max_entries; /* 0: VGL_CTR_CACHE_DEFAULT */
	uint64_t retry_ns;  /* 0: VGL_CTR_RETRY_NS_DEFAULT */
};

struct vgl_ctr_stats {
	size_t entries;
	uint64_t resolved;    /* cgroup files read */
	uint64_t containers;  /* of which containers */
	uint64_t meta_errors; /* state files missing or malformed */
	uint64_t evictions;
};

struct vgl_ctr_cache;

struct vgl_ctr_cache *vgl_ctr_cache_new(const struct vgl_ctr_cache_opts *opts);
void vgl_ctr_cache_free(struct vgl_ctr_cache *c);

/*
 * The container of the process @pid whose event carried @cgroup_id; @now_ns
 * is the event clock (for expiry). The host's view has id "host". NULL when
 * unknown (the process is gone). The view stays valid until the next call.
 */
const struct vgl_container_view *vgl_ctr_cache_lookup(struct vgl_ctr_cache *c, uint64_t cgroup_id,
						      uint32_t pid, uint64_t now_ns);

/* Labels and the like of the container last returned for @view. */
const struct vgl_ctr_meta *vgl_ctr_cache_meta(const struct vgl_container_view *view);

void vgl_ctr_cache_stats(const struct vgl_ctr_cache *c, struct vgl_ctr_stats *ret);

/* The last metadata error ("<file>: <problem>"), "" if none; for the daemon's log. */
const char *vgl_ctr_cache_last_error(const struct vgl_ctr_cache *c);

#endif /* VIGIL_STATE_CONTAINERS_H */
