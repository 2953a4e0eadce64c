// SPDX-License-Identifier: Apache-2.0
/*
 * An OCI config.json's view of a container's posture (containerd, CRI-O,
 * podman): process.capabilities.bounding, process.user, noNewPrivileges,
 * apparmorProfile, selinuxLabel; root.readonly; linux.resources,
 * linux.namespaces and linux.seccomp.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "state/posture_json.h"

static int user(json_t *process, struct vgl_ctr_posture *p, char err[VGL_META_ERR_MAX])
{
	int64_t uid = 0, gid = 0;
	bool has_uid, has_gid;
	char buf[48];
	json_t *u;
	int rc;

	if ((rc = vgl_json_obj(process, "process", "user", &u, err)) || !u ||
	    (rc = vgl_json_int(u, "process.user", "uid", &uid, &has_uid, err)) ||
	    (rc = vgl_json_int(u, "process.user", "gid", &gid, &has_gid, err)))
		return rc;
	if (!has_uid)
		return 0;
	if (gid)
		snprintf(buf, sizeof(buf), "%" PRId64 ":%" PRId64, uid, gid);
	else
		snprintf(buf, sizeof(buf), "%" PRId64, uid);
	p->uid = uid;
	p->known |= VGL_PST_UID;
	return vgl_posture_str(&p->user, buf);
}

static int process(json_t *root, struct vgl_ctr_posture *p, char err[VGL_META_ERR_MAX])
{
	const char *aa = NULL, *label = NULL;
	json_t *proc, *caps;
	bool nnp = false, has;
	int rc;

	if ((rc = vgl_json_obj(root, "", "process", &proc, err)) || !proc ||
	    (rc = vgl_json_obj(proc, "process", "capabilities", &caps, err)) ||
	    (rc = vgl_json_bool(proc, "process", "noNewPrivileges", &nnp, &has, err)) ||
	    (rc = vgl_json_cstr(proc, "process", "apparmorProfile", &aa, err)) ||
	    (rc = vgl_json_cstr(proc, "process", "selinuxLabel", &label, err)) ||
	    (rc = user(proc, p, err)))
		return rc;
	if (caps) {
		if ((rc = vgl_json_caps(caps, "process.capabilities", "bounding", &p->cap_effective,
					err)))
			return rc;
		p->known |= VGL_PST_CAPS;
	}
	vgl_posture_set(p, VGL_PST_NNP, nnp);
	if (aa && (rc = vgl_posture_str(&p->apparmor, aa)))
		return rc;
	return vgl_posture_str(&p->selinux, label ? label : "");
}

static int limit(json_t *res, const char *what, const char *key, const char *member, int64_t *ret,
		 char err[VGL_META_ERR_MAX])
{
	char path[64];
	json_t *o;
	bool has;
	int rc;

	if ((rc = vgl_json_obj(res, what, key, &o, err)) || !o)
		return rc;
	snprintf(path, sizeof(path), "%s.%s", what, key);
	return vgl_json_int(o, path, member, ret, &has, err);
}

/* linux.resources: memory.limit, cpu.quota / cpu.period, pids.limit; absent: none. */
static int resources(json_t *lx, struct vgl_ctr_posture *p, char err[VGL_META_ERR_MAX])
{
	int64_t mem = 0, quota = 0, period = 0, pids = 0;
	json_t *res;
	int rc;

	if ((rc = vgl_json_obj(lx, "linux", "resources", &res, err)) ||
	    (rc = limit(res, "linux.resources", "memory", "limit", &mem, err)) ||
	    (rc = limit(res, "linux.resources", "cpu", "quota", &quota, err)) ||
	    (rc = limit(res, "linux.resources", "cpu", "period", &period, err)) ||
	    (rc = limit(res, "linux.resources", "pids", "limit", &pids, err)))
		return rc;
	p->memory_limit = mem > 0 ? mem : 0;
	p->cpu_limit = quota > 0 ? quota * 1000 / (period > 0 ? period : 100000) : 0;
	p->pids_limit = pids > 0 ? pids : 0;
	p->known |= VGL_PST_MEMORY | VGL_PST_CPU | VGL_PST_PIDS;
	return 0;
}

/* A namespace type the config does not list is the host's; "user" listed: remapped. */
static int namespaces(json_t *lx, struct vgl_ctr_posture *p, char err[VGL_META_ERR_MAX])
{
	json_t *arr = json_object_get(lx, "namespaces"), *ns;
	bool net = false, pid = false, ipc = false, userns = false;
	const char *type;
	size_t i;

	if (!arr || json_is_null(arr))
		return 0;
	if (!json_is_array(arr)) {
		snprintf(err, VGL_META_ERR_MAX, "linux.namespaces is not an array");
		return -EINVAL;
	}
	json_array_foreach(arr, i, ns)
	{
		type = json_string_value(json_object_get(ns, "type"));
		if (!type) {
			snprintf(err, VGL_META_ERR_MAX,
				 "linux.namespaces[%zu].type is not a string", i);
			return -EINVAL;
		}
		net |= !strcmp(type, "network");
		pid |= !strcmp(type, "pid");
		ipc |= !strcmp(type, "ipc");
		userns |= !strcmp(type, "user");
	}
	vgl_posture_set(p, VGL_PST_HOST_NET, !net);
	vgl_posture_set(p, VGL_PST_HOST_PID, !pid);
	vgl_posture_set(p, VGL_PST_HOST_IPC, !ipc);
	vgl_posture_set(p, VGL_PST_USERNS, userns);
	return 0;
}

int vgl_oci_posture(json_t *root, struct vgl_ctr_meta *m, char err[VGL_META_ERR_MAX])
{
	struct vgl_ctr_posture *p = &m->posture;
	bool ro = false, has;
	json_t *rootfs, *lx;
	int rc;

	if ((rc = process(root, p, err)) || (rc = vgl_json_obj(root, "", "root", &rootfs, err)) ||
	    (rc = vgl_json_obj(root, "", "linux", &lx, err)))
		return rc;
	if (rootfs) {
		if ((rc = vgl_json_bool(rootfs, "root", "readonly", &ro, &has, err)))
			return rc;
		vgl_posture_set(p, VGL_PST_RO_ROOTFS, ro);
	}
	if (!lx)
		return 0;
	if ((rc = resources(lx, p, err)) || (rc = namespaces(lx, p, err)))
		return rc;
	/* the profile's name is not in the bundle: "filter" when it has one */
	return vgl_posture_str(&p->seccomp,
			       json_object_get(lx, "seccomp") ? "filter" : "unconfined");
}
