/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Container metadata read from a runtime's state files (Docker's
 * config.v2.json + hostconfig.json, an OCI bundle's config.json with CRI
 * annotations), and the image reference split.
 *
 * Parsers take the file contents, not paths, so they are pure; the caller
 * names the file in its error message. On error they fill @ret_err with the
 * problem ("Config.Image is not a string", ...) and leave @ret untouched.
 */
#ifndef VIGIL_STATE_META_H
#define VIGIL_STATE_META_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "rules/state.h"

#define VGL_META_FILE_MAX   (4u << 20) /* runtime state file read limit */
#define VGL_META_MOUNTS_MAX 256
#define VGL_META_LABELS_MAX 256
#define VGL_META_STR_MAX    4096 /* longer strings are rejected */
#define VGL_META_ERR_MAX    160

/* Everything owned; NULL strings are unknown. */
struct vgl_ctr_meta {
	char *name;
	char *image; /* as the user gave it, e.g. "localhost:5000/app:1.2" */
	char *image_id;
	char *image_repository;
	char *image_tag;
	char *image_digest;
	bool privileged_known;
	bool privileged;
	int64_t start_ts; /* ns since the epoch; 0 unknown */
	struct vgl_mount_view *mounts;
	size_t nmounts;
	struct vgl_label *labels;
	size_t nlabels;
	char *k8s_ns_name;
	char *k8s_pod_name;
	char *k8s_pod_uid;
	char *k8s_container_name;
	/* the pod's sandbox, where the pod's labels are (Docker via cri-dockerd, CRI-O) */
	char *sandbox_id;
	bool is_sandbox;
	struct vgl_label *pod_labels; /* sorted by key; NULL unknown */
	size_t npod_labels;
	struct vgl_ctr_posture posture; /* the runtime's view; strings owned */
};

/* Every capability vigil knows a name for (a privileged container's set). */
uint64_t vgl_caps_all(void);

/*
 * The bit of capability @name ("NET_ADMIN", "CAP_NET_ADMIN", any case) or
 * every bit for "ALL"; false when unknown.
 */
bool vgl_cap_parse(const char *name, uint64_t *ret_mask);

/* Free the strings of @p (owned, as in struct vgl_ctr_meta) and zero it. */
void vgl_ctr_posture_clear(struct vgl_ctr_posture *p);

void vgl_ctr_meta_clear(struct vgl_ctr_meta *m);

/*
 * Make @sandbox's labels (a pod sandbox's: the pod's labels) the pod labels
 * of @m, sorted by key. @sandbox may be @m itself. 0 or -ENOMEM.
 */
int vgl_ctr_meta_set_pod_labels(struct vgl_ctr_meta *m, const struct vgl_ctr_meta *sandbox);

/* Label @key or NULL. */
const char *vgl_ctr_meta_label(const struct vgl_ctr_meta *m, const char *key);

/*
 * Docker: @config is config.v2.json, @hostconfig hostconfig.json (may be
 * NULL: privileged is then unknown). Returns 0 or -EINVAL.
 */
int vgl_docker_parse(const char *config, size_t config_len, const char *hostconfig,
		     size_t hostconfig_len, struct vgl_ctr_meta *ret,
		     char ret_err[VGL_META_ERR_MAX]);

/* OCI runtime spec config.json (containerd, CRI-O, podman). 0 or -EINVAL. */
int vgl_oci_parse(const char *config, size_t len, struct vgl_ctr_meta *ret,
		  char ret_err[VGL_META_ERR_MAX]);

/*
 * Split an image reference into repository, tag and digest:
 *	"busybox"                      -> "busybox", "latest", NULL
 *	"localhost:5000/app:1.2"       -> "localhost:5000/app", "1.2", NULL
 *	"repo@sha256:ab.."             -> "repo", NULL, "sha256:ab.."
 *	"repo:tag@sha256:ab.."         -> "repo", "tag", "sha256:ab.."
 * Sets the three members of @m (replacing what they held). 0 or -ENOMEM /
 * -EINVAL (empty reference).
 */
int vgl_image_split(const char *ref, struct vgl_ctr_meta *m);

/* RFC 3339 time ("2026-11-22T08:10:00.123456789Z", offsets allowed) -> ns since
 * the epoch; false when it does not parse. Docker's zero time gives false. */
bool vgl_parse_rfc3339(const char *s, int64_t *ret_ns);

#endif /* VIGIL_STATE_META_H */
