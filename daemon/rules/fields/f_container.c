// SPDX-License-Identifier: Apache-2.0
/* container.* and k8s.* fields, all from the state tracker's container view. */
#include <fnmatch.h>
#include <string.h>

#include "rules/fields/fields.h"

enum {
	C_ID,
	C_NAME,
	C_TYPE,
	C_IMAGE,
	C_IMAGE_ID,
	C_IMAGE_REPO,
	C_IMAGE_TAG,
	C_IMAGE_DIGEST,
	C_PRIVILEGED,
	C_START_TS,
	C_MOUNTS,
	C_MOUNT_DEST,
	C_MOUNT_SOURCE,
	C_MOUNT,
	C_MOUNT_MODE,
	C_MOUNT_RDWR,
	C_MOUNT_PROPAGATION,
	K_NS,
	K_POD,
	K_POD_UID,
	K_POD_LABEL,
	K_POD_LABELS,
	C_UNKNOWN,
};

/*
 * The mount selected by [index] or by a glob on the *other* end, as in
 * libsinsp: container.mount.dest[/var/run/docker.sock] is where the host's
 * socket is mounted, container.mount.source[/data] what is mounted on /data.
 */
static const struct vgl_mount_view *mount_by(const struct vgl_container_view *c,
					     const struct field_ref *ref, bool by_source)
{
	size_t i;

	if (!ref->has_arg)
		return NULL;
	if (ref->argn >= 0)
		return (size_t)ref->argn < c->nmounts ? &c->mounts[ref->argn] : NULL;
	for (i = 0; i < c->nmounts; i++) {
		const char *p = by_source ? c->mounts[i].source : c->mounts[i].dest;

		if (p && !fnmatch(ref->arg, p, 0))
			return &c->mounts[i];
	}
	return NULL;
}

/* "source:dest:mode:rw:propagation,..." as Falco prints container.mounts. */
static int mounts(struct vgl_xctx *x, const struct vgl_container_view *c, struct vgl_fval *out)
{
	size_t start = x->scratch_used, i;
	struct vgl_fval v;

	if (!c->nmounts)
		return put_strn(out, "", 0);
	for (i = 0; i < c->nmounts; i++) {
		const struct vgl_mount_view *m = &c->mounts[i];

		if (!xctx_printf(x, &v, "%s%s:%s:%s:%s:%s", i ? "," : "", m->source ?: "",
				 m->dest ?: "", m->mode ?: "", m->rw ? "true" : "false",
				 m->propagation ?: ""))
			return 0;
		x->scratch_used--; /* join: drop this piece's NUL */
	}
	if (!xctx_alloc(x, 1))
		return 0;
	x->scratch[x->scratch_used - 1] = '\0';
	return put_strn(out, x->scratch + start, x->scratch_used - start - 1);
}

/*
 * container.mount[...] ("source:dest:mode:rw:propagation", "none" when no
 * mount matches, as Falco), .mode, .rdwr ("true" / "false") and
 * .propagation, selected by index or by a glob on the source.
 */
static int mount_part(struct vgl_xctx *x, const struct vgl_container_view *c,
		      const struct field_ref *ref, struct vgl_fval *out)
{
	const struct vgl_mount_view *m = mount_by(c, ref, true);

	if (!m)
		return ref->def->id == C_MOUNT ? put_str(out, "none") : 0;
	switch (ref->def->id) {
	case C_MOUNT:
		return xctx_printf(x, out, "%s:%s:%s:%s:%s", m->source ?: "", m->dest ?: "",
				   m->mode ?: "", m->rw ? "true" : "false", m->propagation ?: "");
	case C_MOUNT_MODE:
		return put_str(out, m->mode);
	case C_MOUNT_RDWR:
		return put_str(out, m->rw ? "true" : "false");
	default:
		return put_str(out, m->propagation);
	}
}

static int pod_label(const struct vgl_container_view *c, const char *key, struct vgl_fval *out)
{
	size_t i;

	for (i = 0; c->pod_labels && i < c->npod_labels; i++) {
		if (!strcmp(c->pod_labels[i].key, key))
			return put_str(out, c->pod_labels[i].value);
	}
	return 0;
}

static bool append(struct vgl_xctx *x, const char *s)
{
	size_t n = strlen(s);
	char *d = xctx_alloc(x, n);

	if (d)
		memcpy(d, s, n);
	return d != NULL;
}

/*
 * "key:value, key2:value2" sorted by key, as libsinsp prints k8s.pod.labels:
 * Kubernetes' own io.kubernetes.* and annotation.* keys left out, a label
 * with an empty value printed as its key alone.
 */
static int pod_labels(struct vgl_xctx *x, const struct vgl_container_view *c, struct vgl_fval *out)
{
	size_t start = x->scratch_used, i;
	const char *sep = "";

	if (!c->pod_labels)
		return 0;
	for (i = 0; i < c->npod_labels; i++) {
		const struct vgl_label *l = &c->pod_labels[i];

		if (!strncmp(l->key, "io.kubernetes.", 14) || !strncmp(l->key, "annotation.", 11))
			continue;
		if (!append(x, sep) || !append(x, l->key) || !append(x, l->value[0] ? ":" : "") ||
		    !append(x, l->value))
			return 0;
		sep = ", ";
	}
	if (!xctx_alloc(x, 1))
		return 0;
	x->scratch[x->scratch_used - 1] = '\0';
	return put_strn(out, x->scratch + start, x->scratch_used - start - 1);
}

static int ex_container(struct vgl_xctx *x, const struct field_ref *ref, struct vgl_fval *out,
			int max)
{
	const struct vgl_container_view *c = xctx_container(x);
	const struct vgl_mount_view *m;

	(void)max;
	if (!c)
		return 0;
	switch (ref->def->id) {
	case C_ID:
		return put_str(out, c->id);
	case C_NAME:
		return put_str(out, c->name);
	case C_TYPE:
		return put_str(out, c->type);
	case C_IMAGE:
		return put_str(out, c->image);
	case C_IMAGE_ID:
		return put_str(out, c->image_id);
	case C_IMAGE_REPO:
		return put_str(out, c->image_repository);
	case C_IMAGE_TAG:
		return put_str(out, c->image_tag);
	case C_IMAGE_DIGEST:
		return put_str(out, c->image_digest);
	case C_PRIVILEGED:
		return c->privileged_known ? put_int(out, c->privileged) : 0;
	case C_START_TS:
		return c->start_ts ? put_int(out, c->start_ts) : 0;
	case C_MOUNTS:
		return mounts(x, c, out);
	case C_MOUNT_DEST:
	case C_MOUNT_SOURCE:
		m = mount_by(c, ref, ref->def->id == C_MOUNT_DEST);
		return m ? put_str(out, ref->def->id == C_MOUNT_SOURCE ? m->source : m->dest) : 0;
	case C_MOUNT:
	case C_MOUNT_MODE:
	case C_MOUNT_RDWR:
	case C_MOUNT_PROPAGATION:
		return mount_part(x, c, ref, out);
	case K_NS:
		return put_str(out, c->k8s_ns_name);
	case K_POD:
		return put_str(out, c->k8s_pod_name);
	case K_POD_UID:
		return put_str(out, c->k8s_pod_uid);
	case K_POD_LABEL:
		return pod_label(c, ref->arg, out);
	case K_POD_LABELS:
		return pod_labels(x, c, out);
	default:
		return 0;
	}
}

#define CTR(n, t, f, id)                               \
	{                                              \
		n, t, FF_STATE | (f), ex_container, id \
	}

const struct field_def vgl_fields_container[] = {
	CTR("container.id", FT_STR, 0, C_ID),
	CTR("container.name", FT_STR, 0, C_NAME),
	CTR("container.type", FT_STR, 0, C_TYPE),
	CTR("container.image", FT_STR, 0, C_IMAGE),
	CTR("container.image.id", FT_STR, 0, C_IMAGE_ID),
	CTR("container.image.repository", FT_STR, 0, C_IMAGE_REPO),
	CTR("container.image.tag", FT_STR, 0, C_IMAGE_TAG),
	CTR("container.image.digest", FT_STR, 0, C_IMAGE_DIGEST),
	CTR("container.privileged", FT_BOOL, 0, C_PRIVILEGED),
	CTR("container.start_ts", FT_INT, 0, C_START_TS),
	CTR("container.mounts", FT_STR, 0, C_MOUNTS),
	CTR("container.mount.dest", FT_STR, FF_ARG_REQ, C_MOUNT_DEST),
	CTR("container.mount.source", FT_STR, FF_ARG_REQ, C_MOUNT_SOURCE),
	CTR("container.mount", FT_STR, FF_ARG_REQ, C_MOUNT),
	CTR("container.mount.mode", FT_STR, FF_ARG_REQ, C_MOUNT_MODE),
	CTR("container.mount.rdwr", FT_STR, FF_ARG_REQ, C_MOUNT_RDWR),
	CTR("container.mount.propagation", FT_STR, FF_ARG_REQ, C_MOUNT_PROPAGATION),
	CTR("container.healthcheck", FT_STR, 0, C_UNKNOWN),
	CTR("container.liveness_probe", FT_STR, 0, C_UNKNOWN),
	CTR("container.readiness_probe", FT_STR, 0, C_UNKNOWN),
	CTR("k8s.ns.name", FT_STR, 0, K_NS),
	CTR("k8s.pod.name", FT_STR, 0, K_POD),
	CTR("k8s.pod.uid", FT_STR, 0, K_POD_UID),
	CTR("k8s.pod.id", FT_STR, 0, K_POD_UID),
	CTR("k8s.pod.label", FT_STR, FF_ARG_REQ, K_POD_LABEL),
	CTR("k8s.pod.labels", FT_STR, 0, K_POD_LABELS),
	CTR("k8s.pod.ip", FT_STR, 0, C_UNKNOWN),
	CTR("k8s.pod.cni.json", FT_STR, 0, C_UNKNOWN),
	{ NULL, 0, 0, NULL, 0 },
};
