/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Container identity and metadata by event: cgroup id (or, where the cgroup
 * id does not tell containers apart, pid) -> /proc/PID/cgroup -> runtime and
 * id -> runtime state files. The cgroup is classified on the first event of
 * a new cgroup (while /proc still has the process); the state files are read
 * then too, synchronously, or with opts.async by a worker thread
 * (resolver.h), whose results vgl_ctr_cache_collect() applies. Then cached
 * (bounded, LRU). Host cgroups are cached for good; a container whose
 * metadata could not be read is retried after a short time; per-pid answers
 * (cgroup v1 hosts) expire after the same time. A new container, a restarted
 * one included, has a new cgroup and so a new entry: cgroup ids are kernfs
 * ids, which a 64-bit kernel does not reuse before a reboot.
 */
#ifndef VIGIL_STATE_CONTAINERS_H
#define VIGIL_STATE_CONTAINERS_H

#include <stdbool.h>
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
	bool async;	    /* read state files on a worker thread */
	size_t max_jobs;    /* 0: VGL_RESOLVER_JOBS_DEFAULT */
};

struct vgl_ctr_stats {
	size_t entries;
	uint64_t resolved;    /* cgroup files read */
	uint64_t containers;  /* of which containers */
	uint64_t meta_errors; /* state files missing or malformed */
	uint64_t evictions;
	uint64_t async_reads;	  /* metadata reads queued to the worker */
	uint64_t async_discarded; /* finished for an entry already evicted */
	uint64_t queue_full;	  /* not queued: the worker was too far behind */
	uint64_t wait_timeouts;	  /* containers whose events stopped waiting */
	uint64_t announced;	  /* container events raised (ctrnews.h) */
	uint64_t seen_resets;	  /* the announced set was full and forgotten */
	uint64_t cgns_unknown;	  /* hierarchies whose cgroup namespace root is not known */
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

/*
 * @pid of the container of @view (from a lookup; NULL and the host's are
 * ignored) exec'd: read the kernel's view of its posture now (posture.h),
 * without waiting for the retry delay, since the exec may have ended the
 * runtime's setup (runc init becomes the entrypoint).
 */
void vgl_ctr_cache_exec(struct vgl_ctr_cache *c, const struct vgl_container_view *view,
			uint32_t pid, uint64_t now_ns);

/* Labels and the like of the container last returned for @view. */
const struct vgl_ctr_meta *vgl_ctr_cache_meta(const struct vgl_container_view *view);

/*
 * With opts.async: the key of the container of (@cgroup_id, @pid) while its
 * metadata is being read and its events should wait; 0 otherwise (host,
 * known, unknown, or stopped waiting). Classifies a new cgroup like lookup.
 */
uint64_t vgl_ctr_cache_wait_key(struct vgl_ctr_cache *c, uint64_t cgroup_id, uint32_t pid,
				uint64_t now_ns);
/* Is the container @key (from vgl_ctr_cache_wait_key()) still being read? */
bool vgl_ctr_cache_key_pending(struct vgl_ctr_cache *c, uint64_t key);
/* Events of @key stop waiting (deadline): its fields are <NA> until the read ends. */
void vgl_ctr_cache_stop_waiting(struct vgl_ctr_cache *c, uint64_t key);
/* Apply the worker's finished reads; how many. Views stay valid until the next event. */
size_t vgl_ctr_cache_collect(struct vgl_ctr_cache *c);
/* The worker's eventfd (readable: reads finished), -1 without async. */
int vgl_ctr_cache_fd(const struct vgl_ctr_cache *c);
/* Wait up to @timeout_ms for a finished read; true when one is ready. */
bool vgl_ctr_cache_wait(struct vgl_ctr_cache *c, int timeout_ms);

void vgl_ctr_cache_stats(const struct vgl_ctr_cache *c, struct vgl_ctr_stats *ret);

/* The last metadata error ("<file>: <problem>"), "" if none; for the daemon's log. */
const char *vgl_ctr_cache_last_error(const struct vgl_ctr_cache *c);

/*
 * Add to @kinds (indexed by enum vgl_kind) what the container state needs
 * captured with rules: pipe, pipe2 and socketpair, rare calls. A container's
 * first process makes them while it waits to exec its program (runc init),
 * in the container's cgroup, and its event lets the state read that cgroup
 * from /proc while the process lives. On cgroup v1 the kernel's cgroup id
 * names no container, so a container whose program exits at once would
 * otherwise be gone, and taken for the host, by the time its exec is
 * evaluated (e2e.test_stock_rules, the "short container" cases).
 */
void vgl_ctr_early_kinds(bool *kinds);

#endif /* VIGIL_STATE_CONTAINERS_H */
