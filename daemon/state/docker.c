// SPDX-License-Identifier: Apache-2.0
/*
 * Docker's container state: <root>/containers/<id>/config.v2.json (name,
 * image, image id, labels, start time, mount points) and hostconfig.json
 * (privileged), and the posture (posture_docker.c).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "state/posture_json.h"

static int dup_or_null(const char *s, const char **ret)
{
	*ret = NULL;
	if (!s)
		return 0;
	*ret = strdup(s);
	return *ret ? 0 : -ENOMEM;
}

/* One MountPoints entry; @dest is its key. */
static int mount_point(json_t *mp, const char *dest, struct vgl_mount_view *ret,
		       char err[VGL_META_ERR_MAX])
{
	const char *src, *mode, *relabel, *prop, *d;
	json_t *rw;
	int rc;

	if (!json_is_object(mp)) {
		snprintf(err, VGL_META_ERR_MAX, "MountPoints.%.64s is not an object", dest);
		return -EINVAL;
	}
	if ((rc = vgl_json_cstr(mp, "MountPoints", "Source", &src, err)) ||
	    (rc = vgl_json_cstr(mp, "MountPoints", "Mode", &mode, err)) ||
	    (rc = vgl_json_cstr(mp, "MountPoints", "Relabel", &relabel, err)) ||
	    (rc = vgl_json_cstr(mp, "MountPoints", "Propagation", &prop, err)) ||
	    (rc = vgl_json_cstr(mp, "MountPoints", "Destination", &d, err)))
		return rc;
	rw = json_object_get(mp, "RW");
	if (rw && !json_is_boolean(rw)) {
		snprintf(err, VGL_META_ERR_MAX, "MountPoints.%.64s.RW is not a boolean", dest);
		return -EINVAL;
	}
	ret->rw = rw && json_is_true(rw);
	if ((rc = dup_or_null(src, &ret->source)) || (rc = dup_or_null(d ? d : dest, &ret->dest)) ||
	    /* Docker keeps the mode ("ro", "z") as "Relabel"; inspect calls it Mode */
	    (rc = dup_or_null(mode	? mode
			      : relabel ? relabel
					: "",
			      &ret->mode)) ||
	    (rc = dup_or_null(prop ? prop : "", &ret->propagation)))
		return rc;
	return 0;
}

static int mount_points(json_t *root, struct vgl_ctr_meta *m, char err[VGL_META_ERR_MAX])
{
	const char *dest;
	json_t *mps, *mp;
	int rc;

	if ((rc = vgl_json_obj(root, "", "MountPoints", &mps, err)) || !mps)
		return rc;
	if (json_object_size(mps) > VGL_META_MOUNTS_MAX) {
		snprintf(err, VGL_META_ERR_MAX, "more than %u MountPoints", VGL_META_MOUNTS_MAX);
		return -EINVAL;
	}
	m->mounts = calloc(json_object_size(mps) + 1, sizeof(*m->mounts));
	if (!m->mounts)
		return -ENOMEM;
	json_object_foreach(mps, dest, mp)
	{
		rc = mount_point(mp, dest, &m->mounts[m->nmounts], err);
		m->nmounts++; /* cleared by vgl_ctr_meta_clear() even when partial */
		if (rc)
			return rc;
	}
	return 0;
}

/*
 * Kubernetes through cri-dockerd (dockershim): a container's labels name its
 * pod's sandbox ("pause") container, whose labels are the pod's.
 */
static int sandbox_of(struct vgl_ctr_meta *m)
{
	const char *sb = vgl_ctr_meta_label(m, "io.kubernetes.sandbox.id");
	const char *type = vgl_ctr_meta_label(m, "io.kubernetes.docker.type");

	int rc;

	if ((rc = dup_or_null(vgl_ctr_meta_label(m, "io.kubernetes.pod.name"),
			      (const char **)&m->k8s_pod_name)) ||
	    (rc = dup_or_null(vgl_ctr_meta_label(m, "io.kubernetes.pod.namespace"),
			      (const char **)&m->k8s_ns_name)) ||
	    (rc = dup_or_null(vgl_ctr_meta_label(m, "io.kubernetes.pod.uid"),
			      (const char **)&m->k8s_pod_uid)))
		return rc;
	m->is_sandbox = type && !strcmp(type, "podsandbox");
	if (m->is_sandbox)
		return vgl_ctr_meta_set_pod_labels(m, m);
	return dup_or_null(sb, (const char **)&m->sandbox_id);
}

/* Name, image, image id, labels, start time. */
static int config_v2(json_t *root, struct vgl_ctr_meta *m, char err[VGL_META_ERR_MAX])
{
	const char *name, *started = NULL, *created = NULL;
	json_t *config, *state, *labels;
	int rc;

	if ((rc = vgl_json_cstr(root, "", "Name", &name, err)) ||
	    (rc = vgl_json_str(root, "", "Image", &m->image_id, err)) ||
	    (rc = vgl_json_obj(root, "", "Config", &config, err)) ||
	    (rc = vgl_json_obj(root, "", "State", &state, err)) ||
	    (rc = vgl_json_cstr(root, "", "Created", &created, err)) ||
	    (rc = vgl_json_cstr(state, "State", "StartedAt", &started, err)) ||
	    (rc = vgl_json_str(config, "Config", "Image", &m->image, err)) ||
	    (rc = vgl_json_obj(config, "Config", "Labels", &labels, err)) ||
	    (rc = vgl_json_labels(labels, "Config.Labels", m, err)))
		return rc;
	if (!json_object_get(root, "ID")) {
		snprintf(err, VGL_META_ERR_MAX, "no ID: not a Docker config.v2.json");
		return -EINVAL;
	}
	if (name) {
		m->name = strdup(name[0] == '/' ? name + 1 : name);
		if (!m->name)
			return -ENOMEM;
	}
	if ((rc = sandbox_of(m)))
		return rc;
	if (!vgl_parse_rfc3339(started, &m->start_ts))
		vgl_parse_rfc3339(created, &m->start_ts);
	if (m->image && (rc = vgl_image_split(m->image, m)) == -ENOMEM)
		return rc;
	if ((rc = mount_points(root, m, err)))
		return rc;
	return vgl_docker_posture_config(root, m, err);
}

static int hostconfig(const char *text, size_t len, struct vgl_ctr_meta *m,
		      char err[VGL_META_ERR_MAX])
{
	json_t *root = vgl_json_load_object(text, len, err), *priv;
	int rc = 0;

	if (!root)
		return -EINVAL;
	priv = json_object_get(root, "Privileged");
	if (priv && !json_is_boolean(priv)) {
		snprintf(err, VGL_META_ERR_MAX, "Privileged is not a boolean");
		rc = -EINVAL;
	} else {
		m->privileged_known = true;
		m->privileged = priv && json_is_true(priv);
		rc = vgl_docker_posture_host(root, m, err);
	}
	json_decref(root);
	return rc;
}

int vgl_docker_parse(const char *config, size_t config_len, const char *hc, size_t hc_len,
		     struct vgl_ctr_meta *ret, char ret_err[VGL_META_ERR_MAX])
{
	struct vgl_ctr_meta m = { 0 };
	char err[VGL_META_ERR_MAX] = "";
	json_t *root;
	int rc;

	root = vgl_json_load_object(config, config_len, err);
	if (!root) {
		snprintf(ret_err, VGL_META_ERR_MAX, "config.v2.json: %.140s", err);
		return -EINVAL;
	}
	rc = config_v2(root, &m, err);
	json_decref(root);
	if (rc) {
		snprintf(ret_err, VGL_META_ERR_MAX, "config.v2.json: %.140s",
			 rc == -ENOMEM ? "out of memory" : err);
		goto out_clear;
	}
	if (hc && (rc = hostconfig(hc, hc_len, &m, err))) {
		snprintf(ret_err, VGL_META_ERR_MAX, "hostconfig.json: %.140s", err);
		goto out_clear;
	}
	*ret = m;
	return 0;

out_clear:
	vgl_ctr_meta_clear(&m);
	return rc == -ENOMEM ? rc : -EINVAL;
}
