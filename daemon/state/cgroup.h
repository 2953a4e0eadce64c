/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Cgroup path -> container runtime, container id, Kubernetes pod uid and QoS
 * class. Pure functions: no I/O.
 *
 * Only these known layouts make a container (any other path is the host,
 * however much it looks like an id):
 *
 *	docker          /docker/<64hex>                    (cgroupfs driver)
 *	                .../docker-<64hex>.scope           (systemd driver)
 *	containerd/CRI  .../cri-containerd-<64hex>.scope
 *	CRI-O           .../crio-<64hex>[.scope]           (not crio-conmon-)
 *	podman          .../libpod-<64hex>[.scope]         (not libpod-conmon-)
 *	kubepods        /kubepods[/<qos>]/pod<uid>/<64hex> (cgroupfs driver)
 *	                /kubepods.slice/kubepods-<qos>.slice/
 *	                  kubepods-<qos>-pod<uid_with_underscores>.slice/<runtime>-<64hex>.scope
 *	systemd-nspawn  /machine.slice/machine-<name>.scope
 *	LXC             /lxc/<name>, /lxc.payload.<name>, /lxc.payload/<name>
 *
 * A cgroup inside a container's cgroup (e.g. podman's ".../container" or a
 * systemd inside the container) belongs to that container.
 */
#ifndef VIGIL_STATE_CGROUP_H
#define VIGIL_STATE_CGROUP_H

#include <stdbool.h>
#include <stddef.h>

enum vgl_ctr_runtime {
	VGL_RT_NONE = 0, /* host */
	VGL_RT_DOCKER,
	VGL_RT_CONTAINERD,
	VGL_RT_CRIO,
	VGL_RT_PODMAN,
	VGL_RT_CRI, /* a kubepods cgroupfs path: some CRI runtime, not named */
	VGL_RT_NSPAWN,
	VGL_RT_LXC,
};

enum vgl_k8s_qos {
	VGL_QOS_NONE = 0, /* not a Kubernetes pod */
	VGL_QOS_GUARANTEED,
	VGL_QOS_BURSTABLE,
	VGL_QOS_BESTEFFORT,
};

#define VGL_CTR_NAME_MAX    64 /* container id (64 hex) or machine / LXC name */
#define VGL_POD_UID_LEN	    36 /* 8-4-4-4-12 */
#define VGL_CGROUP_PATH_MAX 4096
#define VGL_CGROUP_FILE_MAX 65536 /* /proc/PID/cgroup read limit */

struct vgl_cgroup_info {
	enum vgl_ctr_runtime runtime;
	char id[VGL_CTR_NAME_MAX + 1]; /* full id, or the machine / LXC name */
	enum vgl_k8s_qos qos;
	char pod_uid[VGL_POD_UID_LEN + 1]; /* with dashes; "" when not in a pod */
};

/*
 * Classify one cgroup path (@len bytes, need not be NUL-terminated). Returns
 * true and fills *@ret for a container, false (and *@ret zeroed: runtime
 * VGL_RT_NONE) for the host.
 */
bool vgl_cgroup_parse_path(const char *path, size_t len, struct vgl_cgroup_info *ret);

/* How vgl_cgroup_parse_file() found its answer. */
struct vgl_cgroup_source {
	bool has_v2;	   /* a "0::" line was present */
	bool v2_root;	   /* ... and its path is "/" (no unified placement) */
	bool from_v2;	   /* the container was found on the "0::" line */
	char v2_path[512]; /* the "0::" line's path; "" when absent or too long */
};

/*
 * Classify the text of /proc/PID/cgroup (cgroup v1 "ID:controllers:path"
 * lines, the v2 "0::path" line, or both on a hybrid host). Every line is
 * examined; the v2 line is preferred, then the first v1 line that names a
 * container. Returns 1 for a container, 0 for the host, -EINVAL when no line
 * parses. @ret_src may be NULL.
 */
int vgl_cgroup_parse_file(const char *text, size_t len, struct vgl_cgroup_info *ret,
			  struct vgl_cgroup_source *ret_src);

/* Falco's container.type for @rt: "docker", "containerd", "cri-o", "podman",
 * "cri", "systemd-nspawn", "lxc"; NULL for the host. */
const char *vgl_ctr_runtime_name(enum vgl_ctr_runtime rt);

/* "guaranteed", "burstable", "besteffort"; NULL for VGL_QOS_NONE. */
const char *vgl_k8s_qos_name(enum vgl_k8s_qos qos);

#endif /* VIGIL_STATE_CGROUP_H */
