/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The container event (evt.type = container, include/vigil/events.h): raised
 * by userspace once per container, with no syscall behind it.
 *
 * A container started while vigil runs is announced at the first successful
 * exec inside it by a process that left its parent's mount namespace (runc's
 * init execs itself in the container's cgroup first, in runc's): the
 * runtime's init has then applied the container's capabilities, seccomp filter and
 * no_new_privs, so what the kernel shows of its first process is what the
 * container runs with. Containers already
 * running when vigil starts are announced by vgl_ctrnews_scan() (their
 * lowest pid). "Once" is kept by container id (a set of VGL_CTR_SEEN_MAX
 * ids; when full it is forgotten, counted in seen_resets, so a container
 * announced before could be announced again at a later exec).
 */
#ifndef VIGIL_STATE_CTRNEWS_H
#define VIGIL_STATE_CTRNEWS_H

#include <stdbool.h>
#include <stdint.h>

#include "decode/event.h"
#include "state/containers.h"

#define VGL_CTR_SEEN_MAX 16384

/* What the event is made of: its header and its two parameters. */
struct vgl_ctr_news {
	struct vgl_hdr hdr; /* kind VGL_EV_CONTAINER, the process's ids, nparams 2 */
	char id[VGL_CTR_NAME_MAX + 1];
	char type[16];
};

/*
 * Is @ev (after the state saw it) the first exec of a container not
 * announced yet? Then fills *@ret (the header is @ev's) and marks it.
 */
bool vgl_ctrnews_exec(struct vgl_ctr_cache *c, const struct vgl_event *ev, uint64_t now,
		      struct vgl_ctr_news *ret);

typedef void (*vgl_ctrnews_fn)(void *ctx, const struct vgl_ctr_news *n);

/*
 * Containers running now under @proc_root, one call of @fn each (not yet
 * announced ones, marked), with the header of its lowest pid read from
 * /proc and the timestamp @now_ns (CLOCK_BOOTTIME). Returns how many.
 */
size_t vgl_ctrnews_scan(struct vgl_ctr_cache *c, const char *proc_root, uint64_t now_ns,
			vgl_ctrnews_fn fn, void *ctx);

/* Encode @n as a wire-format record into @buf (@size bytes); its length or 0. */
size_t vgl_ctrnews_record(const struct vgl_ctr_news *n, void *buf, size_t size);

#endif /* VIGIL_STATE_CTRNEWS_H */
