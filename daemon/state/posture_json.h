/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The runtime's view of a container's posture (struct vgl_ctr_posture in
 * struct vgl_ctr_meta), from its state files: Docker's config.v2.json and
 * hostconfig.json, an OCI config.json. Errors name the key ("HostConfig.CapAdd
 * is not an array"); the caller names the file.
 */
#ifndef VIGIL_STATE_POSTURE_JSON_H
#define VIGIL_STATE_POSTURE_JSON_H

#include "state/jsonget.h"
#include "state/posture.h"

/* Config.User, AppArmorProfile, ProcessLabel, NetworkSettings IPs of config.v2.json. */
int vgl_docker_posture_config(json_t *root, struct vgl_ctr_meta *m, char err[VGL_META_ERR_MAX]);
/* Capabilities, limits, security options and namespaces of hostconfig.json. */
int vgl_docker_posture_host(json_t *root, struct vgl_ctr_meta *m, char err[VGL_META_ERR_MAX]);
/* process.capabilities, user, root.readonly, linux.resources ... of an OCI config.json. */
int vgl_oci_posture(json_t *root, struct vgl_ctr_meta *m, char err[VGL_META_ERR_MAX]);

/*
 * Integer member @key of @obj: absent or null leaves *@ret and returns 0
 * with *@ret_present false; another type is -EINVAL ("<what>.<key> is not an
 * integer").
 */
int vgl_json_int(json_t *obj, const char *what, const char *key, int64_t *ret, bool *ret_present,
		 char err[VGL_META_ERR_MAX]);
/* Boolean member: as vgl_json_int(). */
int vgl_json_bool(json_t *obj, const char *what, const char *key, bool *ret, bool *ret_present,
		  char err[VGL_META_ERR_MAX]);
/* Capability names of the array @key of @obj (absent: 0) OR-ed into *@ret. */
int vgl_json_caps(json_t *obj, const char *what, const char *key, uint64_t *ret,
		  char err[VGL_META_ERR_MAX]);
/* *@ret = strdup(@s) (@s not NULL); 0 or -ENOMEM. */
int vgl_posture_str(const char **ret, const char *s);

#endif /* VIGIL_STATE_POSTURE_JSON_H */
