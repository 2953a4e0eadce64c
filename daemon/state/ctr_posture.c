// SPDX-License-Identifier: Apache-2.0
/*
 * The container cache's side of the kernel's posture view (posture.h): read
 * from the process of one of the container's events, once a process is past
 * the runtime's setup (runc init), tried at most every VGL_KPOST_RETRY_NS and
 * VGL_KPOST_TRIES times, and at once at an exec in the container; the runtime's state answers until
 * then, and for good when every try failed.
 */
#include <errno.h>
#include <stddef.h>

#include "state/containers_int.h"

void ctr_posture_try(struct vgl_ctr_cache *c, struct ctr_entry *e, uint32_t pid, uint64_t now)
{
	struct vgl_kposture *k = &e->kpost;
	int rc;

	if (k->done || now < k->next_try)
		return;
	rc = vgl_posture_read(c->proc_root, ctr_cgroup2_mount(c), ctr_cgns_known(c, ""), pid, k);
	if (rc) {
		k->next_try = now + VGL_KPOST_RETRY_NS;
		k->done = ++k->tries >= VGL_KPOST_TRIES;
		return;
	}
	vgl_posture_merge(&e->meta.posture, k, &e->view.posture);
	e->view.version = vgl_state_version_next();
}

void vgl_ctr_cache_exec(struct vgl_ctr_cache *c, const struct vgl_container_view *view,
			uint32_t pid, uint64_t now_ns)
{
	struct ctr_entry *e;

	if (!view || !vgl_ctr_cache_meta(view))
		return;
	e = (struct ctr_entry *)((char *)view - offsetof(struct ctr_entry, view));
	e->kpost.next_try = 0;
	ctr_posture_try(c, e, pid, now_ns);
}
