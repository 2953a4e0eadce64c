/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The kernel's view of a container's posture, read from /proc for one of
 * its processes while it lives (the first event of the container): the
 * bounding set, uid, NoNewPrivs and Seccomp of /proc/PID/status, the LSM
 * label of /proc/PID/attr, namespaces against /proc/1's, uid_map, the
 * limits of its cgroup v2, and its addresses (net/fib_trie). It wins over the runtime's state
 * files, which remain the answer for what it does not tell (the process was gone, a replayed
 * capture).
 */
#ifndef VIGIL_STATE_POSTURE_H
#define VIGIL_STATE_POSTURE_H

#include <stdbool.h>
#include <stdint.h>

#include "rules/state.h"

#define VGL_KPOST_LABEL_MAX 256	     /* apparmor / SELinux label kept */
#define VGL_KPOST_FILE_MAX  8192     /* /proc and cgroup files read */
#define VGL_KPOST_TRIES	    200	     /* processes still being set up before giving up */
#define VGL_KPOST_RETRY_NS  10000000 /* between two tries of one container */

struct vgl_kposture {
	bool done;		  /* read, or given up */
	uint16_t tries;		  /* reads of a process the runtime was still setting up */
	uint64_t next_try;	  /* event clock */
	struct vgl_ctr_posture p; /* strings point into the buffers below */
	char seccomp[16];
	char apparmor[VGL_KPOST_LABEL_MAX];
	char selinux[VGL_KPOST_LABEL_MAX];
	char ip[256];
};

/*
 * The kernel's view of the container process @pid into @ret (its cgroup's
 * limits under @cg2_mount, "" none; a relative cgroup path, vigil in its own
 * cgroup namespace, is taken from @cg2_ns_root, that namespace's root, or
 * not at all when NULL). 0; -EAGAIN when @pid is still the
 * runtime's (runc init: its capabilities, seccomp filter and LSM label are
 * not the container's yet); -ENOENT when it is gone; -EINVAL when
 * /proc/PID/status lacks a key (the kernel is not one vigil knows).
 */
int vgl_posture_read(const char *proc_root, const char *cg2_mount, const char *cg2_ns_root,
		     uint32_t pid, struct vgl_kposture *ret);

/*
 * The local IPv4 addresses of process @pid's network namespace but
 * loopback, comma-separated into @buf ("" none), from net/fib_trie. 0 or -errno.
 */
int vgl_posture_ips(const char *proc_root, const char *pid, char *buf, size_t size);

/* Set or clear the boolean @bit of @p as known. */
void vgl_posture_set(struct vgl_ctr_posture *p, uint32_t bit, bool value);

/* @ret: @k where it is known, else @rt. Strings are borrowed from both. */
void vgl_posture_merge(const struct vgl_ctr_posture *rt, const struct vgl_kposture *k,
		       struct vgl_ctr_posture *ret);

#endif /* VIGIL_STATE_POSTURE_H */
