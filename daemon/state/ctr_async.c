// SPDX-License-Identifier: Apache-2.0
/*
 * The container cache's asynchronous side: which events must wait for a
 * container's metadata, and applying the resolver's finished reads.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "state/containers_int.h"

static struct ctr_entry *entry_of(const struct vgl_container_view *v)
{
	return (struct ctr_entry *)((char *)v - offsetof(struct ctr_entry, view));
}

uint64_t vgl_ctr_cache_wait_key(struct vgl_ctr_cache *c, uint64_t cgroup_id, uint32_t pid,
				uint64_t now_ns)
{
	const struct vgl_container_view *v = vgl_ctr_cache_lookup(c, cgroup_id, pid, now_ns);
	struct ctr_entry *e;

	if (!v || !c->resolver || !strcmp(v->id, "host"))
		return 0;
	e = entry_of(v);
	return e->pending && !e->waited ? e->key : 0;
}

bool vgl_ctr_cache_key_pending(struct vgl_ctr_cache *c, uint64_t key)
{
	struct ctr_entry *e = ctr_find_key(c, key);

	return e && e->pending && !e->waited;
}

void vgl_ctr_cache_stop_waiting(struct vgl_ctr_cache *c, uint64_t key)
{
	struct ctr_entry *e = ctr_find_key(c, key);

	if (e && e->pending) {
		e->waited = true;
		c->stats.wait_timeouts++;
	}
}

static void apply_job(struct vgl_ctr_cache *c, struct vgl_resolve_job *job)
{
	struct ctr_entry *e = ctr_find_key(c, job->key);

	if (!e || e->gen != job->gen || !e->pending) {
		vgl_ctr_meta_clear(&job->meta); /* evicted or expired meanwhile */
		c->stats.async_discarded++;
		return;
	}
	e->pending = false;
	vgl_ctr_meta_clear(&e->meta); /* what was known before the read: the pod uid */
	if (job->rc) {
		snprintf(c->last_error, sizeof(c->last_error), "%s", job->err);
		vgl_ctr_meta_clear(&job->meta);
	} else {
		e->meta = job->meta;
	}
	ctr_apply_meta(c, e, job->rc, job->rt, c->now);
}

size_t vgl_ctr_cache_collect(struct vgl_ctr_cache *c)
{
	struct vgl_resolve_job job;
	size_t n = 0;

	while (c->resolver && vgl_resolver_take(c->resolver, &job)) {
		apply_job(c, &job);
		n++;
	}
	return n;
}

int vgl_ctr_cache_fd(const struct vgl_ctr_cache *c)
{
	return c->resolver ? vgl_resolver_fd(c->resolver) : -1;
}

bool vgl_ctr_cache_wait(struct vgl_ctr_cache *c, int timeout_ms)
{
	return c->resolver && vgl_resolver_wait(c->resolver, timeout_ms);
}
