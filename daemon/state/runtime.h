/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Where each runtime keeps its containers' state, and reading it: container
 * id -> struct vgl_ctr_meta. Roots are configurable so that a DaemonSet can
 * point them at its host mounts (e.g. /host/var/lib/docker).
 */
#ifndef VIGIL_STATE_RUNTIME_H
#define VIGIL_STATE_RUNTIME_H

#include "state/cgroup.h"
#include "state/meta.h"

#define VGL_RUNTIME_NS_MAX  32 /* containerd namespaces examined */
#define VGL_RUNTIME_ERR_MAX 512

struct vgl_runtime_roots {
	const char *docker;	/* /var/lib/docker */
	const char *containerd; /* /run/containerd/io.containerd.runtime.v2.task */
	const char *crio;	/* /run/containers/storage/overlay-containers */
	const char *podman;	/* /var/lib/containers/storage/overlay-containers */
};

/* The defaults above. */
extern const struct vgl_runtime_roots vgl_runtime_default_roots;

/*
 * Metadata of the container @ci names. For a kubepods path with no runtime
 * named (VGL_RT_CRI) containerd, CRI-O then Docker are tried, and
 * *@ret_rt says which one had it. systemd-nspawn and LXC have no state files:
 * their name is the id. Returns 0, -ENOENT (no runtime has the container;
 * @err lists where it looked), -EINVAL (a state file is malformed: @err names
 * the file and the problem), -EFBIG (a file exceeds VGL_META_FILE_MAX),
 * -ENOMEM.
 */
int vgl_runtime_load(const struct vgl_runtime_roots *roots, const struct vgl_cgroup_info *ci,
		     struct vgl_ctr_meta *ret, enum vgl_ctr_runtime *ret_rt,
		     char err[VGL_RUNTIME_ERR_MAX]);

#endif /* VIGIL_STATE_RUNTIME_H */
