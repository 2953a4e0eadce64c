// SPDX-License-Identifier: Apache-2.0
/* The kernel's view of a container's posture (posture.h). */
#include <errno.h>
#include <inttypes.h>
#include <limits.h>
#include <stdio.h>
#include <sys/stat.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "state/cgroup.h"
#include "state/cgroup_rel.h"
#include "state/posture.h"
#include "state/util.h"

/* Read @proc_root/@pid/@name (bounded, NUL-terminated); -errno. */
static int read_proc(const char *proc_root, const char *pid, const char *name, char **ret,
		     size_t *ret_len)
{
	char path[PATH_MAX];

	snprintf(path, sizeof(path), "%s/%s/%s", proc_root, pid, name);
	return vgl_read_file(path, VGL_KPOST_FILE_MAX, ret, ret_len);
}

/* The value after "@key:\t" in a status file, or NULL. */
static const char *status_value(const char *text, const char *key)
{
	size_t n = strlen(key);
	const char *p = text;

	while (p && *p) {
		if (!strncmp(p, key, n) && p[n] == ':')
			return p + n + 1;
		p = strchr(p, '\n');
		p = p ? p + 1 : NULL;
	}
	return NULL;
}

/* Is the process still the runtime's init, not yet the container's program? */
static bool runtime_setup(const char *comm)
{
	static const char *const inits[] = { "runc", "crun", "youki", "runsc", "conmon" };
	size_t i, n;

	for (i = 0; i < sizeof(inits) / sizeof(inits[0]); i++) {
		n = strlen(inits[i]);
		if (!strncmp(comm, inits[i], n) &&
		    (comm[n] == '\0' || comm[n] == '\n' || comm[n] == ':' || comm[n] == '-'))
			return true;
	}
	return false;
}

static int status(const char *text, struct vgl_ctr_posture *p, char *seccomp, size_t size)
{
	const char *bnd = status_value(text, "CapBnd"), *uid = status_value(text, "Uid");
	const char *nnp = status_value(text, "NoNewPrivs"), *sc = status_value(text, "Seccomp");
	unsigned long long caps;
	unsigned u[2];

	if (!bnd || !uid || sscanf(bnd, "%llx", &caps) != 1 ||
	    sscanf(uid, "%u %u", &u[0], &u[1]) != 2)
		return -EINVAL;
	p->cap_effective = caps;
	p->uid = u[1]; /* the effective uid */
	p->known |= VGL_PST_CAPS | VGL_PST_UID;
	if (nnp) {
		p->known |= VGL_PST_NNP;
		p->set |= strtol(nnp, NULL, 10) == 1 ? VGL_PST_NNP : 0;
	}
	if (sc) { /* a kernel without CONFIG_SECCOMP has no line: unknown */
		snprintf(seccomp, size, "%s", strtol(sc, NULL, 10) == 0 ? "unconfined" : "filter");
		p->seccomp = seccomp;
	}
	return 0;
}

/* The label of attr/@name without its "(enforce)" mode and newline; false when none. */
static bool lsm_label(const char *proc_root, const char *pid, const char *name, char *buf,
		      size_t size)
{
	size_t len;
	char *text, *end;

	if (read_proc(proc_root, pid, name, &text, &len))
		return false;
	end = strpbrk(text, "\n");
	if (end)
		*end = '\0';
	end = strstr(text, " (");
	if (end)
		*end = '\0';
	len = strlen(text);
	while (len && text[len - 1] == '\0')
		len--;
	snprintf(buf, size, "%.*s", (int)len, text);
	free(text);
	return len > 0;
}

/*
 * Is AppArmor enabled in the running kernel? /sys/module is the kernel's,
 * whatever the mount namespace; a tree with its own sys/ beside proc/ (a
 * test's) is asked instead.
 */
static bool host_apparmor(const char *proc_root)
{
	char path[PATH_MAX], c = 'N';
	struct stat st;
	FILE *f;

	snprintf(path, sizeof(path), "%s/../sys/module", proc_root);
	if (stat(path, &st) || !S_ISDIR(st.st_mode))
		snprintf(path, sizeof(path), "/sys/module");
	strncat(path, "/apparmor/parameters/enabled", sizeof(path) - strlen(path) - 1);
	if (!(f = fopen(path, "re")))
		return false;
	if (fread(&c, 1, 1, f) != 1)
		c = 'N';
	fclose(f);
	return c == 'Y';
}

static void lsm(const char *proc_root, const char *pid, struct vgl_kposture *k)
{
	if (lsm_label(proc_root, pid, "attr/apparmor/current", k->apparmor, sizeof(k->apparmor))) {
		k->p.apparmor = k->apparmor;
		return;
	}
	/* no AppArmor in the kernel: none, whatever the runtime was asked (Docker
	 * records apparmor=unconfined before it finds out) */
	if (!host_apparmor(proc_root)) {
		k->apparmor[0] = '\0';
		k->p.apparmor = k->apparmor;
	}
	/* older kernels: attr/current is the one LSM's; a SELinux context has its colons */
	if (!lsm_label(proc_root, pid, "attr/current", k->selinux, sizeof(k->selinux)))
		return;
	if (strchr(k->selinux, ':')) {
		k->p.selinux = k->selinux;
	} else {
		memcpy(k->apparmor, k->selinux, sizeof(k->apparmor));
		k->p.apparmor = k->apparmor;
	}
}

/*
 * Does @pid's namespace @ns differ from the host's? -1 unknown. The host's is
 * pid 1's, or where pid 1 cannot be read (a sandbox's init that denies
 * ptrace access), vigil's own, which runs in the host's namespaces.
 */
static int ns_differs(const char *proc_root, const char *pid, const char *ns)
{
	char path[PATH_MAX], a[64], b[64];
	ssize_t na, nb;

	snprintf(path, sizeof(path), "%s/%s/ns/%s", proc_root, pid, ns);
	na = readlink(path, a, sizeof(a));
	snprintf(path, sizeof(path), "%s/1/ns/%s", proc_root, ns);
	nb = readlink(path, b, sizeof(b));
	if (nb <= 0) {
		snprintf(path, sizeof(path), "%s/self/ns/%s", proc_root, ns);
		nb = readlink(path, b, sizeof(b));
	}
	if (na <= 0 || nb <= 0 || na == sizeof(a) || nb == sizeof(b))
		return -1;
	return na != nb || memcmp(a, b, (size_t)na);
}

static void namespaces(const char *proc_root, const char *pid, struct vgl_ctr_posture *p)
{
	static const struct {
		const char *ns;
		uint32_t bit;
	} host[] = { { "net", VGL_PST_HOST_NET },
		     { "pid", VGL_PST_HOST_PID },
		     { "ipc", VGL_PST_HOST_IPC } };
	unsigned long long inside, outside, count;
	size_t i, len;
	char *map;
	int d;

	for (i = 0; i < sizeof(host) / sizeof(host[0]); i++) {
		d = ns_differs(proc_root, pid, host[i].ns);
		if (d >= 0)
			vgl_posture_set(p, host[i].bit, d == 0);
	}
	if (read_proc(proc_root, pid, "uid_map", &map, &len))
		return;
	/* the initial namespace maps every uid to itself in one line */
	if (sscanf(map, "%llu %llu %llu", &inside, &outside, &count) == 3) {
		const char *nl = strchr(map, '\n');
		bool one = !nl || !nl[1];

		vgl_posture_set(p, VGL_PST_USERNS,
				!(one && inside == 0 && outside == 0 && count == 4294967295ull));
	}
	free(map);
}

/* One cgroup v2 limit file: "max" is 0; -1 when unreadable. */
static int64_t cg_limit(const char *dir, const char *name, int64_t *ret_period)
{
	char path[PATH_MAX], *text;
	long long v = -1, period = 0;
	size_t len;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	if (vgl_read_file(path, VGL_KPOST_FILE_MAX, &text, &len))
		return -1;
	if (!strncmp(text, "max", 3))
		v = 0;
	else if (sscanf(text, "%lld %lld", &v, &period) < 1 || v < 0)
		v = -1;
	if (ret_period)
		*ret_period = period;
	free(text);
	return v;
}

/* memory.max, cpu.max, pids.max of the process's cgroup v2 ("0::/path" of /proc/PID/cgroup). */
static void limits(const char *proc_root, const char *cg2_mount, const char *ns_root,
		   const char *pid, struct vgl_ctr_posture *p)
{
	char dir[PATH_MAX * 2], abs[VGL_CGROUP_PATH_MAX + 1], *text, *line, *nl;
	int64_t v, period = 0;
	size_t len;

	if (!cg2_mount[0] || read_proc(proc_root, pid, "cgroup", &text, &len))
		return;
	line = strstr(text, "0::/");
	if (!line || (line != text && line[-1] != '\n')) {
		free(text);
		return;
	}
	if ((nl = strchr(line, '\n')))
		*nl = '\0';
	line += 3;
	if (vgl_cgroup_ups(line, strlen(line)) &&
	    (!ns_root || vgl_cgroup_rebase(ns_root, line, strlen(line), abs, sizeof(abs)))) {
		free(text); /* relative to a namespace root not known */
		return;
	}
	snprintf(dir, sizeof(dir), "%s%s", cg2_mount,
		 vgl_cgroup_ups(line, strlen(line)) ? abs : line);
	free(text);
	if ((v = cg_limit(dir, "memory.max", NULL)) >= 0) {
		p->memory_limit = v;
		p->known |= VGL_PST_MEMORY;
	}
	if ((v = cg_limit(dir, "cpu.max", &period)) >= 0) {
		p->cpu_limit = v && period > 0 ? v * 1000 / period : 0;
		p->known |= VGL_PST_CPU;
	}
	if ((v = cg_limit(dir, "pids.max", NULL)) >= 0) {
		p->pids_limit = v;
		p->known |= VGL_PST_PIDS;
	}
}

int vgl_posture_read(const char *proc_root, const char *cg2_mount, const char *cg2_ns_root,
		     uint32_t pid, struct vgl_kposture *ret)
{
	struct vgl_kposture k = { 0 };
	char spid[16], *text;
	size_t len;
	int rc;

	snprintf(spid, sizeof(spid), "%u", pid);
	if ((rc = read_proc(proc_root, spid, "comm", &text, &len)))
		return rc;
	rc = runtime_setup(text) ? -EAGAIN : 0;
	free(text);
	if (rc || (rc = read_proc(proc_root, spid, "status", &text, &len)))
		return rc;
	rc = status(text, &k.p, k.seccomp, sizeof(k.seccomp));
	free(text);
	if (rc)
		return rc;
	lsm(proc_root, spid, &k);
	namespaces(proc_root, spid, &k.p);
	limits(proc_root, cg2_mount, cg2_ns_root, spid, &k.p);
	/* the host's network: no address of its own, as Docker says */
	if ((k.p.known & k.p.set & VGL_PST_HOST_NET) ||
	    !vgl_posture_ips(proc_root, spid, k.ip, sizeof(k.ip)))
		k.p.ip = k.ip;
	k.done = true;
	k.tries = ret->tries;
	*ret = k;
	/* the strings point into k's buffers: now @ret's */
	if (k.p.seccomp)
		ret->p.seccomp = ret->seccomp;
	if (k.p.apparmor)
		ret->p.apparmor = ret->apparmor;
	if (k.p.selinux)
		ret->p.selinux = ret->selinux;
	if (k.p.ip)
		ret->p.ip = ret->ip;
	return 0;
}

static const char *pick(const char *k, const char *rt)
{
	return k ? k : rt;
}

void vgl_posture_merge(const struct vgl_ctr_posture *rt, const struct vgl_kposture *k,
		       struct vgl_ctr_posture *ret)
{
	const struct vgl_ctr_posture *kp = &k->p;
	uint32_t kb = k->done ? kp->known : 0;

	*ret = *rt;
	ret->known = rt->known | kb;
	ret->set = (rt->set & ~kb) | (kp->set & kb);
	if (kb & VGL_PST_CAPS)
		ret->cap_effective = kp->cap_effective;
	if (kb & VGL_PST_UID)
		ret->uid = kp->uid;
	if (kb & VGL_PST_MEMORY)
		ret->memory_limit = kp->memory_limit;
	if (kb & VGL_PST_CPU)
		ret->cpu_limit = kp->cpu_limit;
	if (kb & VGL_PST_PIDS)
		ret->pids_limit = kp->pids_limit;
	if (!k->done)
		return;
	ret->apparmor = pick(kp->apparmor, rt->apparmor);
	ret->selinux = pick(kp->selinux, rt->selinux);
	ret->ip = pick(kp->ip, rt->ip);
	/* a filter: the runtime names the profile, unless it says there is none */
	if (kp->seccomp && (!strcmp(kp->seccomp, "unconfined") || !rt->seccomp ||
			    !strcmp(rt->seccomp, "unconfined")))
		ret->seccomp = kp->seccomp;
}
