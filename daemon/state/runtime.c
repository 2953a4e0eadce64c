// SPDX-License-Identifier: Apache-2.0
/* Container id -> metadata from the runtimes' state files. */
#include <dirent.h>
#include <errno.h>
#include <stdarg.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "state/runtime.h"
#include "state/util.h"

const struct vgl_runtime_roots vgl_runtime_default_roots = {
	.docker = "/var/lib/docker",
	.containerd = "/run/containerd/io.containerd.runtime.v2.task",
	.crio = "/run/containers/storage/overlay-containers",
	.podman = "/var/lib/containers/storage/overlay-containers",
};

/* Read @path; on failure other than ENOENT describe it in @err. */

/* The error text, cut to the buffer (vsnprintf: cutting is intended). */
static void __attribute__((format(printf, 2, 3)))
set_err(char err[VGL_RUNTIME_ERR_MAX], const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(err, VGL_RUNTIME_ERR_MAX, fmt, ap);
	va_end(ap);
}

static int read_state(const char *path, char **ret_buf, size_t *ret_len, bool optional,
		      char err[VGL_RUNTIME_ERR_MAX])
{
	int rc = vgl_read_file(path, VGL_META_FILE_MAX, ret_buf, ret_len);

	if (rc == -ENOENT && optional) {
		*ret_buf = NULL;
		*ret_len = 0;
		return 0;
	}
	if (rc == -EFBIG)
		set_err(err, "%s: larger than %u bytes", path, VGL_META_FILE_MAX);
	else if (rc && rc != -ENOENT)
		set_err(err, "%s: %s", path, strerror(-rc));
	return rc;
}

static int load_docker(const char *root, const char *id, struct vgl_ctr_meta *ret,
		       char err[VGL_RUNTIME_ERR_MAX])
{
	char path[PATH_MAX], hpath[PATH_MAX], perr[VGL_META_ERR_MAX];
	char *cfg = NULL, *hc = NULL;
	size_t clen, hlen;
	int rc;

	if (!root)
		return -ENOENT;
	snprintf(path, sizeof(path), "%s/containers/%s/config.v2.json", root, id);
	snprintf(hpath, sizeof(hpath), "%s/containers/%s/hostconfig.json", root, id);
	if ((rc = read_state(path, &cfg, &clen, false, err)))
		return rc;
	if ((rc = read_state(hpath, &hc, &hlen, true, err)))
		goto out_free;
	rc = vgl_docker_parse(cfg, clen, hc, hlen, ret, perr);
	if (rc)
		set_err(err, "%s/containers/%s/%s", root, id, perr);
out_free:
	free(hc);
	free(cfg);
	return rc;
}

static int load_oci(const char *path, struct vgl_ctr_meta *ret, char err[VGL_RUNTIME_ERR_MAX])
{
	char perr[VGL_META_ERR_MAX], *cfg;
	size_t len;
	int rc;

	if ((rc = read_state(path, &cfg, &len, false, err)))
		return rc;
	rc = vgl_oci_parse(cfg, len, ret, perr);
	/* perr starts with "config.json: "; name the whole path instead */
	if (rc)
		set_err(err, "%s: %s", path, strncmp(perr, "config.json: ", 13) ? perr : perr + 13);
	free(cfg);
	return rc;
}

/* <root>/<namespace>/<id>/config.json, for each namespace (k8s.io, moby, ...). */
static int load_containerd(const char *root, const char *id, struct vgl_ctr_meta *ret,
			   char err[VGL_RUNTIME_ERR_MAX])
{
	char path[PATH_MAX];
	struct dirent *de;
	int rc = -ENOENT, n = 0;
	DIR *dir;

	if (!root || !(dir = opendir(root)))
		return -ENOENT;
	while (rc == -ENOENT && n++ < VGL_RUNTIME_NS_MAX && (de = readdir(dir))) {
		if (de->d_name[0] == '.')
			continue;
		snprintf(path, sizeof(path), "%s/%s/%s/config.json", root, de->d_name, id);
		rc = load_oci(path, ret, err);
	}
	closedir(dir);
	return rc;
}

/* CRI-O and podman (containers/storage): <root>/<id>/userdata/config.json */
static int load_storage(const char *root, const char *id, struct vgl_ctr_meta *ret,
			char err[VGL_RUNTIME_ERR_MAX])
{
	char path[PATH_MAX];

	if (!root)
		return -ENOENT;
	snprintf(path, sizeof(path), "%s/%s/userdata/config.json", root, id);
	return load_oci(path, ret, err);
}

/* Try each runtime of @order until one has the container. */
static int load_first(const struct vgl_runtime_roots *r, const char *id,
		      const enum vgl_ctr_runtime *order, size_t n, struct vgl_ctr_meta *ret,
		      enum vgl_ctr_runtime *ret_rt, char err[VGL_RUNTIME_ERR_MAX])
{
	int rc = -ENOENT;
	size_t i;

	for (i = 0; i < n && rc == -ENOENT; i++) {
		*ret_rt = order[i];
		switch (order[i]) {
		case VGL_RT_DOCKER:
			rc = load_docker(r->docker, id, ret, err);
			break;
		case VGL_RT_CONTAINERD:
			rc = load_containerd(r->containerd, id, ret, err);
			break;
		case VGL_RT_CRIO:
			rc = load_storage(r->crio, id, ret, err);
			break;
		default: /* podman */
			rc = load_storage(r->podman, id, ret, err);
			break;
		}
	}
	if (rc == -ENOENT)
		set_err(err, "container %.64s: no state under %s, %s, %s or %s", id,
			r->docker ?: "-", r->containerd ?: "-", r->crio ?: "-", r->podman ?: "-");
	return rc;
}

/*
 * The pod's labels, from its sandbox container's state (Docker through
 * cri-dockerd, CRI-O). containerd keeps them only in its bolt metadata
 * database: unknown there. A missing or bad sandbox leaves them unknown.
 */
static int pod_labels(const struct vgl_runtime_roots *r, enum vgl_ctr_runtime rt,
		      struct vgl_ctr_meta *m)
{
	struct vgl_ctr_meta sb = { 0 };
	char err[VGL_RUNTIME_ERR_MAX];
	enum vgl_ctr_runtime sb_rt;
	int rc;

	if (m->pod_labels || !m->sandbox_id || rt == VGL_RT_CONTAINERD ||
	    strlen(m->sandbox_id) > VGL_CTR_NAME_MAX || strchr(m->sandbox_id, '/'))
		return 0;
	if (load_first(r, m->sandbox_id, &rt, 1, &sb, &sb_rt, err))
		return 0;
	rc = sb.is_sandbox ? vgl_ctr_meta_set_pod_labels(m, &sb) : 0;
	vgl_ctr_meta_clear(&sb);
	return rc;
}

static int load(const struct vgl_runtime_roots *roots, const struct vgl_cgroup_info *ci,
		struct vgl_ctr_meta *ret, enum vgl_ctr_runtime *ret_rt,
		char err[VGL_RUNTIME_ERR_MAX])
{
	static const enum vgl_ctr_runtime cri[] = { VGL_RT_CONTAINERD, VGL_RT_CRIO, VGL_RT_DOCKER };
	static const enum vgl_ctr_runtime storage[] = { VGL_RT_CRIO, VGL_RT_PODMAN };
	static const enum vgl_ctr_runtime podman[] = { VGL_RT_PODMAN, VGL_RT_CRIO };
	enum vgl_ctr_runtime rt = ci->runtime;
	int rc;

	*ret_rt = rt;
	switch (ci->runtime) {
	case VGL_RT_DOCKER:
	case VGL_RT_CONTAINERD:
		return load_first(roots, ci->id, &rt, 1, ret, ret_rt, err);
	case VGL_RT_CRIO: /* the cgroup named the runtime; both share a layout */
		rc = load_first(roots, ci->id, storage, 2, ret, ret_rt, err);
		*ret_rt = rt;
		return rc;
	case VGL_RT_PODMAN:
		rc = load_first(roots, ci->id, podman, 2, ret, ret_rt, err);
		*ret_rt = rt;
		return rc;
	case VGL_RT_CRI:
		return load_first(roots, ci->id, cri, 3, ret, ret_rt, err);
	case VGL_RT_NSPAWN:
	case VGL_RT_LXC:
		memset(ret, 0, sizeof(*ret));
		ret->name = strdup(ci->id);
		return ret->name ? 0 : -ENOMEM;
	default:
		set_err(err, "not a container");
		return -EINVAL;
	}
}

int vgl_runtime_load(const struct vgl_runtime_roots *roots, const struct vgl_cgroup_info *ci,
		     struct vgl_ctr_meta *ret, enum vgl_ctr_runtime *ret_rt,
		     char err[VGL_RUNTIME_ERR_MAX])
{
	int rc = load(roots, ci, ret, ret_rt, err);

	if (!rc && (rc = pod_labels(roots, *ret_rt, ret)))
		vgl_ctr_meta_clear(ret);
	return rc;
}
