// SPDX-License-Identifier: Apache-2.0
/*
 * Docker's view of a container's posture: Config.User, AppArmorProfile,
 * ProcessLabel and NetworkSettings of config.v2.json; capabilities,
 * ReadonlyRootfs, resources, SecurityOpt and the namespace modes of
 * hostconfig.json.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "state/posture_json.h"

#define IPS_MAX 16 /* networks whose address container.ip lists */

/* "0", "1000:1000": the uid; a name ("nobody") is unknown without the image's passwd. */
static void uid_of_user(struct vgl_ctr_posture *p, const char *user)
{
	char *end;
	long long v;

	if (!user[0]) {
		p->uid = 0; /* none given: root */
		p->known |= VGL_PST_UID;
		return;
	}
	v = strtoll(user, &end, 10);
	if (end != user && (*end == '\0' || *end == ':') && v >= 0 && v <= UINT32_MAX) {
		p->uid = v;
		p->known |= VGL_PST_UID;
	}
}

/* "172.17.0.2,10.0.5.3": the address of each network that gave one. */
static int ips(json_t *root, struct vgl_ctr_posture *p, char err[VGL_META_ERR_MAX])
{
	char buf[IPS_MAX * 48] = "";
	const char *name, *ip;
	json_t *ns, *nets, *net;
	size_t used = 0, n = 0;
	int rc;

	if ((rc = vgl_json_obj(root, "", "NetworkSettings", &ns, err)) || !ns ||
	    (rc = vgl_json_obj(ns, "NetworkSettings", "Networks", &nets, err)) || !nets)
		return rc;
	json_object_foreach(nets, name, net)
	{
		if ((rc = vgl_json_cstr(net, "NetworkSettings.Networks[]", "IPAddress", &ip, err)))
			return rc;
		if (!ip || !ip[0] || n++ >= IPS_MAX || strlen(ip) > 45)
			continue;
		used += (size_t)snprintf(buf + used, sizeof(buf) - used, "%s%s", used ? "," : "",
					 ip);
	}
	return vgl_posture_str(&p->ip, buf);
}

int vgl_docker_posture_config(json_t *root, struct vgl_ctr_meta *m, char err[VGL_META_ERR_MAX])
{
	struct vgl_ctr_posture *p = &m->posture;
	const char *user = NULL, *aa = NULL, *label = NULL, *sc = NULL;
	bool nnp = false, has_nnp;
	json_t *config;
	int rc;

	/*
	 * SeccompProfile and NoNewPrivileges: what the daemon applied (Docker
	 * 20.10 on). A custom profile is its whole JSON, longer than a name may be.
	 */
	sc = json_string_value(json_object_get(root, "SeccompProfile"));
	if ((rc = vgl_json_bool(root, "", "NoNewPrivileges", &nnp, &has_nnp, err)) ||
	    (rc = vgl_json_obj(root, "", "Config", &config, err)) ||
	    (rc = vgl_json_cstr(config, "Config", "User", &user, err)) ||
	    (rc = vgl_json_cstr(root, "", "AppArmorProfile", &aa, err)) ||
	    (rc = vgl_json_cstr(root, "", "ProcessLabel", &label, err)))
		return rc;
	if (config) {
		if ((rc = vgl_posture_str(&p->user, user ? user : "")))
			return rc;
		uid_of_user(p, p->user);
	}
	if (has_nnp)
		vgl_posture_set(p, VGL_PST_NNP, nnp);
	/* "": the default profile, or none for a privileged one (hostconfig.json says) */
	if (sc && sc[0] && (sc[0] == '{' || strlen(sc) <= VGL_META_STR_MAX) &&
	    (rc = vgl_posture_str(&p->seccomp, sc[0] == '{' ? "custom" : sc)))
		return rc;
	if (aa && (rc = vgl_posture_str(&p->apparmor, aa)))
		return rc;
	if (label && (rc = vgl_posture_str(&p->selinux, label)))
		return rc;
	return ips(root, p, err);
}

/* "name=value" or the older "name:value" of a SecurityOpt entry; NULL when another option. */
static const char *opt_value(const char *opt, const char *name)
{
	size_t n = strlen(name);

	if (strncmp(opt, name, n))
		return NULL;
	if (opt[n] == '\0')
		return "";
	return opt[n] == '=' || opt[n] == ':' ? opt + n + 1 : NULL;
}

static int security_opt(json_t *hc, struct vgl_ctr_posture *p, bool privileged,
			char err[VGL_META_ERR_MAX])
{
	json_t *arr = json_object_get(hc, "SecurityOpt"), *v;
	const char *seccomp = privileged ? "unconfined" : "default", *val, *s;
	bool nnp = false;
	size_t i;
	int rc;

	if (arr && !json_is_null(arr) && (!json_is_array(arr) || json_array_size(arr) > 64)) {
		snprintf(err, VGL_META_ERR_MAX, "SecurityOpt is not an array of at most 64");
		return -EINVAL;
	}
	json_array_foreach(arr, i, v)
	{
		if (!json_is_string(v)) {
			snprintf(err, VGL_META_ERR_MAX, "SecurityOpt[%zu] is not a string", i);
			return -EINVAL;
		}
		s = json_string_value(v);
		if (strlen(s) > VGL_META_STR_MAX && strncmp(s, "seccomp", 7))
			continue; /* no name is that long; an embedded profile is */
		if ((val = opt_value(s, "seccomp")))
			/* the CLI embeds a profile file's JSON: no name to give */
			seccomp = val[0] == '{' ? "custom" : val;
		else if ((val = opt_value(s, "no-new-privileges")))
			nnp = !strcmp(val, "") || !strcmp(val, "true");
		else if ((val = opt_value(s, "apparmor")) && !p->apparmor &&
			 (rc = vgl_posture_str(&p->apparmor, val)))
			return rc;
		else if ((val = opt_value(s, "label")) && !strcmp(val, "disable") &&
			 (rc = vgl_posture_str(&p->selinux, "disabled")))
			return rc;
	}
	if (!(p->known & VGL_PST_NNP))
		vgl_posture_set(p, VGL_PST_NNP, nnp);
	if (p->seccomp || strlen(seccomp) > VGL_META_STR_MAX)
		return 0;
	return vgl_posture_str(&p->seccomp, seccomp);
}

static int capabilities(json_t *hc, struct vgl_ctr_posture *p, bool privileged,
			char err[VGL_META_ERR_MAX])
{
	uint64_t add = 0, drop = 0;
	int rc;

	if ((rc = vgl_json_caps(hc, "", "CapAdd", &add, err)) ||
	    (rc = vgl_json_caps(hc, "", "CapDrop", &drop, err)))
		return rc;
	p->cap_effective = privileged ? vgl_caps_all() : (VGL_CAPS_RUNTIME_DEFAULT & ~drop) | add;
	p->known |= VGL_PST_CAPS;
	return 0;
}

/* Memory, NanoCpus or CpuQuota / CpuPeriod, PidsLimit; 0 or absent: no limit. */
static int resources(json_t *hc, struct vgl_ctr_posture *p, char err[VGL_META_ERR_MAX])
{
	int64_t mem = 0, nano = 0, quota = 0, period = 0, pids = 0;
	bool has;
	int rc;

	if ((rc = vgl_json_int(hc, "", "Memory", &mem, &has, err)) ||
	    (rc = vgl_json_int(hc, "", "NanoCpus", &nano, &has, err)) ||
	    (rc = vgl_json_int(hc, "", "CpuQuota", &quota, &has, err)) ||
	    (rc = vgl_json_int(hc, "", "CpuPeriod", &period, &has, err)) ||
	    (rc = vgl_json_int(hc, "", "PidsLimit", &pids, &has, err)))
		return rc;
	p->memory_limit = mem > 0 ? mem : 0;
	if (nano > 0)
		p->cpu_limit = nano / 1000000;
	else if (quota > 0)
		p->cpu_limit = quota * 1000 / (period > 0 ? period : 100000);
	p->pids_limit = pids > 0 ? pids : 0;
	p->known |= VGL_PST_MEMORY | VGL_PST_CPU | VGL_PST_PIDS;
	return 0;
}

static int ns_mode(json_t *hc, const char *key, struct vgl_ctr_posture *p, uint32_t bit,
		   char err[VGL_META_ERR_MAX])
{
	const char *mode = NULL;
	int rc = vgl_json_cstr(hc, "", key, &mode, err);

	if (!rc)
		vgl_posture_set(p, bit, mode && !strcmp(mode, "host"));
	return rc;
}

int vgl_docker_posture_host(json_t *hc, struct vgl_ctr_meta *m, char err[VGL_META_ERR_MAX])
{
	struct vgl_ctr_posture *p = &m->posture;
	const char *userns = NULL;
	bool ro = false, has;
	int rc;

	if ((rc = capabilities(hc, p, m->privileged, err)) ||
	    (rc = security_opt(hc, p, m->privileged, err)) || (rc = resources(hc, p, err)) ||
	    (rc = vgl_json_bool(hc, "", "ReadonlyRootfs", &ro, &has, err)) ||
	    (rc = ns_mode(hc, "NetworkMode", p, VGL_PST_HOST_NET, err)) ||
	    (rc = ns_mode(hc, "PidMode", p, VGL_PST_HOST_PID, err)) ||
	    (rc = ns_mode(hc, "IpcMode", p, VGL_PST_HOST_IPC, err)) ||
	    (rc = vgl_json_cstr(hc, "", "UsernsMode", &userns, err)))
		return rc;
	vgl_posture_set(p, VGL_PST_RO_ROOTFS, ro);
	/* "" follows the daemon's userns-remap, which its state files do not say */
	if (userns && !strcmp(userns, "host"))
		vgl_posture_set(p, VGL_PST_USERNS, false);
	return 0;
}
