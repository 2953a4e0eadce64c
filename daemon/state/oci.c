// SPDX-License-Identifier: Apache-2.0
/*
 * OCI runtime spec config.json, as containerd and CRI-O (and podman) write it
 * into a container's bundle: CRI annotations for the pod and container, the
 * mounts, and privileged derived from the spec.
 *
 * Privileged rule (CRI has no flag in the bundle): a container is privileged
 * when its bounding capability set holds every capability up to
 * CAP_AUDIT_READ (all 38 that every supported kernel has), it has no seccomp
 * filter and no masked paths. That is what containerd, CRI-O and runc give a
 * `privileged: true` container; an unprivileged one fails all three.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "state/posture_json.h"

static const char *const all_caps[] = {
	"CAP_CHOWN",
	"CAP_DAC_OVERRIDE",
	"CAP_DAC_READ_SEARCH",
	"CAP_FOWNER",
	"CAP_FSETID",
	"CAP_KILL",
	"CAP_SETGID",
	"CAP_SETUID",
	"CAP_SETPCAP",
	"CAP_LINUX_IMMUTABLE",
	"CAP_NET_BIND_SERVICE",
	"CAP_NET_BROADCAST",
	"CAP_NET_ADMIN",
	"CAP_NET_RAW",
	"CAP_IPC_LOCK",
	"CAP_IPC_OWNER",
	"CAP_SYS_MODULE",
	"CAP_SYS_RAWIO",
	"CAP_SYS_CHROOT",
	"CAP_SYS_PTRACE",
	"CAP_SYS_PACCT",
	"CAP_SYS_ADMIN",
	"CAP_SYS_BOOT",
	"CAP_SYS_NICE",
	"CAP_SYS_RESOURCE",
	"CAP_SYS_TIME",
	"CAP_SYS_TTY_CONFIG",
	"CAP_MKNOD",
	"CAP_LEASE",
	"CAP_AUDIT_WRITE",
	"CAP_AUDIT_CONTROL",
	"CAP_SETFCAP",
	"CAP_MAC_OVERRIDE",
	"CAP_MAC_ADMIN",
	"CAP_SYSLOG",
	"CAP_WAKE_ALARM",
	"CAP_BLOCK_SUSPEND",
	"CAP_AUDIT_READ",
};

/* Annotation keys, in preference order: CRI-O / generic first, then containerd's. */
static const char *const k_pod_name[] = { "io.kubernetes.pod.name",
					  "io.kubernetes.cri.sandbox-name", NULL };
static const char *const k_pod_ns[] = { "io.kubernetes.pod.namespace",
					"io.kubernetes.cri.sandbox-namespace", NULL };
static const char *const k_pod_uid[] = { "io.kubernetes.pod.uid", "io.kubernetes.cri.sandbox-uid",
					 NULL };
static const char *const k_ctr_name[] = { "io.kubernetes.container.name",
					  "io.kubernetes.cri.container-name", NULL };
static const char *const k_image[] = { "io.kubernetes.cri.image-name",
				       "io.kubernetes.cri-o.ImageName",
				       "io.kubernetes.container.image", NULL };
static const char *const k_image_id[] = { "io.kubernetes.cri-o.ImageRef", NULL };
static const char *const k_sandbox_id[] = { "io.kubernetes.cri-o.SandboxID",
					    "io.kubernetes.cri.sandbox-id", NULL };
static const char *const k_type[] = { "io.kubernetes.cri-o.ContainerType",
				      "io.kubernetes.cri.container-type", NULL };

static bool array_has(json_t *arr, const char *s)
{
	size_t i;
	json_t *v;

	json_array_foreach(arr, i, v)
	{
		if (json_is_string(v) && !strcmp(json_string_value(v), s))
			return true;
	}
	return false;
}

static bool empty_or_absent(json_t *v)
{
	return !v || json_is_null(v) || (json_is_array(v) && json_array_size(v) == 0);
}

static bool privileged(json_t *root)
{
	json_t *linux_ = json_object_get(root, "linux");
	json_t *bounding = json_object_get(
		json_object_get(json_object_get(root, "process"), "capabilities"), "bounding");
	size_t i;

	if (!json_is_array(bounding))
		return false;
	for (i = 0; i < sizeof(all_caps) / sizeof(all_caps[0]); i++) {
		if (!array_has(bounding, all_caps[i]))
			return false;
	}
	return !json_object_get(linux_, "seccomp") &&
	       empty_or_absent(json_object_get(linux_, "maskedPaths"));
}

/* First present annotation of @keys, duplicated into *@ret. */
static int annotation(json_t *ann, const char *const *keys, char **ret, char err[VGL_META_ERR_MAX])
{
	int rc;

	for (; *keys; keys++) {
		if ((rc = vgl_json_str(ann, "annotations", *keys, ret, err)) || *ret)
			return rc;
	}
	return 0;
}

static const char *propagation(json_t *opts)
{
	static const char *const props[] = { "rprivate", "private", "rshared",
					     "shared",	 "rslave",  "slave" };
	size_t i;

	for (i = 0; i < sizeof(props) / sizeof(props[0]); i++) {
		if (array_has(opts, props[i]))
			return props[i];
	}
	return "";
}

static int one_mount(json_t *mj, struct vgl_mount_view *ret, char err[VGL_META_ERR_MAX])
{
	const char *src, *dst;
	json_t *opts;
	int rc;

	if (!json_is_object(mj)) {
		snprintf(err, VGL_META_ERR_MAX, "mounts[] entry is not an object");
		return -EINVAL;
	}
	if ((rc = vgl_json_cstr(mj, "mounts[]", "source", &src, err)) ||
	    (rc = vgl_json_cstr(mj, "mounts[]", "destination", &dst, err)))
		return rc;
	if (!dst) {
		snprintf(err, VGL_META_ERR_MAX, "mounts[] entry without a destination");
		return -EINVAL;
	}
	opts = json_object_get(mj, "options");
	if (opts && !json_is_array(opts)) {
		snprintf(err, VGL_META_ERR_MAX, "mounts[].options is not an array");
		return -EINVAL;
	}
	ret->rw = !array_has(opts, "ro");
	ret->source = strdup(src ? src : "");
	ret->dest = strdup(dst);
	ret->mode = strdup("");
	ret->propagation = strdup(propagation(opts));
	if (!ret->source || !ret->dest || !ret->mode || !ret->propagation)
		return -ENOMEM;
	return 0;
}

static int mounts(json_t *root, struct vgl_ctr_meta *m, char err[VGL_META_ERR_MAX])
{
	json_t *arr = json_object_get(root, "mounts"), *mj;
	size_t i;
	int rc;

	if (!arr || json_is_null(arr))
		return 0;
	if (!json_is_array(arr)) {
		snprintf(err, VGL_META_ERR_MAX, "mounts is not an array");
		return -EINVAL;
	}
	if (json_array_size(arr) > VGL_META_MOUNTS_MAX) {
		snprintf(err, VGL_META_ERR_MAX, "more than %u mounts", VGL_META_MOUNTS_MAX);
		return -EINVAL;
	}
	m->mounts = calloc(json_array_size(arr) + 1, sizeof(*m->mounts));
	if (!m->mounts)
		return -ENOMEM;
	json_array_foreach(arr, i, mj)
	{
		rc = one_mount(mj, &m->mounts[m->nmounts++], err);
		if (rc)
			return rc;
	}
	return 0;
}

static int annotations(json_t *root, struct vgl_ctr_meta *m, char err[VGL_META_ERR_MAX])
{
	const char *created, *labels;
	char *type = NULL;
	json_t *ann, *lj;
	int rc;

	if ((rc = vgl_json_obj(root, "", "annotations", &ann, err)) || !ann)
		return rc;
	if ((rc = annotation(ann, k_pod_name, &m->k8s_pod_name, err)) ||
	    (rc = annotation(ann, k_pod_ns, &m->k8s_ns_name, err)) ||
	    (rc = annotation(ann, k_pod_uid, &m->k8s_pod_uid, err)) ||
	    (rc = annotation(ann, k_ctr_name, &m->k8s_container_name, err)) ||
	    (rc = annotation(ann, k_image, &m->image, err)) ||
	    (rc = annotation(ann, k_image_id, &m->image_id, err)) ||
	    (rc = annotation(ann, k_sandbox_id, &m->sandbox_id, err)) ||
	    (rc = vgl_json_cstr(ann, "annotations", "io.kubernetes.cri-o.Created", &created,
				err)) ||
	    (rc = vgl_json_cstr(ann, "annotations", "io.kubernetes.cri-o.Labels", &labels, err)) ||
	    (rc = annotation(ann, k_type, &type, err)))
		return rc;
	m->is_sandbox = type && !strcmp(type, "sandbox");
	free(type);
	vgl_parse_rfc3339(created, &m->start_ts);
	if (labels) { /* CRI-O keeps the container's labels as a JSON string */
		lj = vgl_json_load_object(labels, strlen(labels), err);
		if (!lj)
			return -EINVAL;
		rc = vgl_json_labels(lj, "io.kubernetes.cri-o.Labels", m, err);
		json_decref(lj);
	}
	/* a CRI-O sandbox's labels are the pod's (containerd keeps them elsewhere) */
	if (!rc && m->is_sandbox && labels)
		rc = vgl_ctr_meta_set_pod_labels(m, m);
	return rc;
}

int vgl_oci_parse(const char *config, size_t len, struct vgl_ctr_meta *ret,
		  char ret_err[VGL_META_ERR_MAX])
{
	struct vgl_ctr_meta m = { 0 };
	char err[VGL_META_ERR_MAX] = "";
	json_t *root = vgl_json_load_object(config, len, err);
	int rc;

	if (!root) {
		snprintf(ret_err, VGL_META_ERR_MAX, "config.json: %.140s", err);
		return -EINVAL;
	}
	if (!json_is_string(json_object_get(root, "ociVersion"))) {
		snprintf(err, VGL_META_ERR_MAX, "no ociVersion: not an OCI runtime config");
		rc = -EINVAL;
	} else if (!(rc = annotations(root, &m, err)) && !(rc = mounts(root, &m, err)) &&
		   !(rc = vgl_oci_posture(root, &m, err))) {
		m.privileged_known = true;
		m.privileged = privileged(root);
		if (m.k8s_container_name && !(m.name = strdup(m.k8s_container_name)))
			rc = -ENOMEM;
		if (!rc && m.image && vgl_image_split(m.image, &m) == -ENOMEM)
			rc = -ENOMEM;
	}
	json_decref(root);
	if (rc) {
		snprintf(ret_err, VGL_META_ERR_MAX, "config.json: %.140s",
			 rc == -ENOMEM ? "out of memory" : err);
		vgl_ctr_meta_clear(&m);
		return rc == -ENOMEM ? rc : -EINVAL;
	}
	*ret = m;
	return 0;
}
