// SPDX-License-Identifier: Apache-2.0
/* Cgroup path classification: see cgroup.h for the recognised layouts. */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "state/cgroup.h"

#define HEX_ID_LEN 64

/* One path component: @len bytes at @s. */
struct comp {
	const char *s;
	size_t len;
};

/* Walk state over the components of one path. */
struct walk {
	struct comp prev;
	bool kubepods;
	bool pod;
	enum vgl_k8s_qos qos;
	char pod_uid[VGL_POD_UID_LEN + 1];
};

static bool comp_is(struct comp c, const char *lit)
{
	return c.len == strlen(lit) && !memcmp(c.s, lit, c.len);
}

/* Strip @prefix from *@c; false (c untouched) when absent. */
static bool strip_prefix(struct comp *c, const char *prefix)
{
	size_t n = strlen(prefix);

	if (c->len < n || memcmp(c->s, prefix, n))
		return false;
	c->s += n;
	c->len -= n;
	return true;
}

static bool strip_suffix(struct comp *c, const char *suffix)
{
	size_t n = strlen(suffix);

	if (c->len < n || memcmp(c->s + c->len - n, suffix, n))
		return false;
	c->len -= n;
	return true;
}

static bool is_hex_id(struct comp c)
{
	size_t i;

	if (c.len != HEX_ID_LEN)
		return false;
	for (i = 0; i < c.len; i++) {
		if (!((c.s[i] >= '0' && c.s[i] <= '9') || (c.s[i] >= 'a' && c.s[i] <= 'f')))
			return false;
	}
	return true;
}

/* A pod uid with '-' (cgroupfs) or '_' (systemd) separators, stored with '-'. */
static bool parse_pod_uid(struct comp c, char out[VGL_POD_UID_LEN + 1])
{
	size_t i;

	if (c.len != VGL_POD_UID_LEN)
		return false;
	for (i = 0; i < c.len; i++) {
		char ch = c.s[i];

		if (i == 8 || i == 13 || i == 18 || i == 23) {
			if (ch != '-' && ch != '_')
				return false;
			out[i] = '-';
		} else if ((ch >= '0' && ch <= '9') || (ch >= 'a' && ch <= 'f')) {
			out[i] = ch;
		} else {
			return false;
		}
	}
	out[c.len] = '\0';
	return true;
}

static int hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* A machine / LXC name, systemd's \xNN escapes undone; printable, no '/'. */
static bool copy_name(struct comp c, char out[VGL_CTR_NAME_MAX + 1])
{
	size_t i, n = 0;
	int ch;

	for (i = 0; i < c.len; i++) {
		ch = (unsigned char)c.s[i];
		if (ch == '\\' && i + 3 < c.len && c.s[i + 1] == 'x' && hexval(c.s[i + 2]) >= 0 &&
		    hexval(c.s[i + 3]) >= 0) {
			ch = hexval(c.s[i + 2]) * 16 + hexval(c.s[i + 3]);
			i += 3;
		}
		if (ch <= ' ' || ch >= 0x7f || ch == '/' || n == VGL_CTR_NAME_MAX)
			return false;
		out[n++] = (char)ch;
	}
	out[n] = '\0';
	return n > 0;
}

static void set_id(struct vgl_cgroup_info *ret, enum vgl_ctr_runtime rt, struct comp id)
{
	ret->runtime = rt;
	memcpy(ret->id, id.s, id.len);
	ret->id[id.len] = '\0';
}

/* Kubernetes QoS and pod components; true when @c was one of them. */
static bool kube_comp(struct walk *w, struct comp c)
{
	struct comp t = c;

	if (comp_is(c, "kubepods") || comp_is(c, "kubepods.slice")) {
		w->kubepods = true;
		return true;
	}
	if (!w->kubepods)
		return false;
	if (comp_is(c, "besteffort") || comp_is(c, "kubepods-besteffort.slice")) {
		w->qos = VGL_QOS_BESTEFFORT;
		return true;
	}
	if (comp_is(c, "burstable") || comp_is(c, "kubepods-burstable.slice")) {
		w->qos = VGL_QOS_BURSTABLE;
		return true;
	}
	if (strip_prefix(&t, "kubepods-") && strip_suffix(&t, ".slice")) {
		/* kubepods-<qos>-pod<uid>.slice, or kubepods-pod<uid>.slice */
		if (strip_prefix(&t, "besteffort-"))
			w->qos = VGL_QOS_BESTEFFORT;
		else if (strip_prefix(&t, "burstable-"))
			w->qos = VGL_QOS_BURSTABLE;
	}
	if (!strip_prefix(&t, "pod") || !parse_pod_uid(t, w->pod_uid))
		return false;
	w->pod = true;
	return true;
}

/* Runtime-prefixed container ids: "<prefix><64hex>[.scope]". */
static bool prefixed_id(struct comp c, struct vgl_cgroup_info *ret)
{
	static const struct {
		const char *prefix;
		enum vgl_ctr_runtime rt;
		bool scope_required;
	} pats[] = {
		{ "docker-", VGL_RT_DOCKER, true },
		{ "cri-containerd-", VGL_RT_CONTAINERD, false },
		{ "crio-", VGL_RT_CRIO, false },
		{ "libpod-", VGL_RT_PODMAN, false },
	};
	size_t i;

	for (i = 0; i < sizeof(pats) / sizeof(pats[0]); i++) {
		struct comp t = c;
		bool scope;

		if (!strip_prefix(&t, pats[i].prefix))
			continue;
		scope = strip_suffix(&t, ".scope");
		if ((scope || !pats[i].scope_required) && is_hex_id(t)) {
			set_id(ret, pats[i].rt, t);
			return true;
		}
	}
	return false;
}

/*
 * "<pod slice>:<runtime prefix>:<64hex>", the form systemd-driver kubelets
 * leave when the runtime itself runs in cgroupfs mode (e.g. kind).
 */
static bool colon_id(struct walk *w, struct comp c, struct vgl_cgroup_info *ret)
{
	const char *a = memchr(c.s, ':', c.len), *b;
	char buf[VGL_CTR_NAME_MAX + 32];
	struct comp slice, rest;

	if (!a || !(b = memchr(a + 1, ':', c.len - (size_t)(a + 1 - c.s))))
		return false;
	slice = (struct comp){ c.s, (size_t)(a - c.s) };
	rest = (struct comp){ a + 1, c.len - (size_t)(a + 1 - c.s) };
	if (rest.len + 1 > sizeof(buf))
		return false;
	w->kubepods = true;
	if (!kube_comp(w, slice) || !w->pod)
		return false;
	memcpy(buf, rest.s, rest.len);
	buf[b - rest.s] = '-'; /* "cri-containerd:<id>" -> "cri-containerd-<id>" */
	return prefixed_id((struct comp){ buf, rest.len }, ret);
}

/* Does component @c (after w->prev) name a container? */
static bool container_comp(struct walk *w, struct comp c, bool first, struct vgl_cgroup_info *ret)
{
	struct comp t = c;

	if (prefixed_id(c, ret) || colon_id(w, c, ret))
		return true;
	if (is_hex_id(c) && (w->pod || comp_is(w->prev, "docker"))) {
		set_id(ret, w->pod ? VGL_RT_CRI : VGL_RT_DOCKER, c);
		return true;
	}
	if (comp_is(w->prev, "machine.slice") && strip_prefix(&t, "machine-") &&
	    strip_suffix(&t, ".scope") && copy_name(t, ret->id)) {
		ret->runtime = VGL_RT_NSPAWN;
		return true;
	}
	t = c;
	if ((first && strip_prefix(&t, "lxc.payload.")) || comp_is(w->prev, "lxc") ||
	    comp_is(w->prev, "lxc.payload")) {
		if (copy_name(t, ret->id)) {
			ret->runtime = VGL_RT_LXC;
			return true;
		}
	}
	return false;
}

bool vgl_cgroup_parse_path(const char *path, size_t len, struct vgl_cgroup_info *ret)
{
	struct walk w = { 0 };
	size_t i = 0, start, ncomp = 0;
	struct comp c;

	memset(ret, 0, sizeof(*ret));
	while (i < len) {
		while (i < len && path[i] == '/')
			i++;
		start = i;
		while (i < len && path[i] != '/')
			i++;
		if (i == start)
			break;
		c = (struct comp){ path + start, i - start };
		if (!kube_comp(&w, c) && container_comp(&w, c, ncomp == 0, ret)) {
			if (w.pod) {
				ret->qos = w.qos ? w.qos : VGL_QOS_GUARANTEED;
				memcpy(ret->pod_uid, w.pod_uid, sizeof(ret->pod_uid));
			}
			return true;
		}
		/* only the first component's parent is the root for /lxc and /docker */
		w.prev = ncomp == 0 ? c : (struct comp){ "", 0 };
		ncomp++;
	}
	memset(ret, 0, sizeof(*ret));
	return false;
}

/* One "ID:controllers:path" line; false when it does not parse. */
static bool parse_line(const char *s, size_t len, bool *ret_v2, struct comp *ret_path)
{
	const char *a = memchr(s, ':', len), *b;

	if (!a || a == s || !(b = memchr(a + 1, ':', len - (size_t)(a + 1 - s))))
		return false;
	*ret_v2 = a - s == 1 && s[0] == '0' && b == a + 1;
	ret_path->s = b + 1;
	ret_path->len = len - (size_t)(b + 1 - s);
	return ret_path->len > 0 && ret_path->s[0] == '/' && ret_path->len <= VGL_CGROUP_PATH_MAX;
}

int vgl_cgroup_parse_file(const char *text, size_t len, struct vgl_cgroup_info *ret,
			  struct vgl_cgroup_source *ret_src)
{
	struct vgl_cgroup_source src = { 0 };
	struct vgl_cgroup_info v1 = { 0 }, cur;
	const char *end = text + len, *nl;
	bool v2, any = false, have_v1 = false;
	struct comp path;

	memset(ret, 0, sizeof(*ret));
	for (; text < end; text = nl + 1) {
		nl = memchr(text, '\n', (size_t)(end - text));
		if (!nl)
			nl = end;
		if (!parse_line(text, (size_t)(nl - text), &v2, &path))
			continue;
		any = true;
		if (v2) {
			src.has_v2 = true;
			src.v2_root = path.len == 1;
			if (path.len < sizeof(src.v2_path))
				snprintf(src.v2_path, sizeof(src.v2_path), "%.*s", (int)path.len,
					 path.s);
		}
		if (!vgl_cgroup_parse_path(path.s, path.len, &cur))
			continue;
		if (v2) {
			*ret = cur;
			src.from_v2 = true;
		} else if (!have_v1) {
			v1 = cur;
			have_v1 = true;
		}
	}
	if (!src.from_v2 && have_v1)
		*ret = v1;
	if (ret_src)
		*ret_src = src;
	if (!any)
		return -EINVAL;
	return ret->runtime != VGL_RT_NONE;
}

const char *vgl_ctr_runtime_name(enum vgl_ctr_runtime rt)
{
	static const char *const names[] = {
		[VGL_RT_DOCKER] = "docker", [VGL_RT_CONTAINERD] = "containerd",
		[VGL_RT_CRIO] = "cri-o",    [VGL_RT_PODMAN] = "podman",
		[VGL_RT_CRI] = "cri",	    [VGL_RT_NSPAWN] = "systemd-nspawn",
		[VGL_RT_LXC] = "lxc",
	};

	return (unsigned int)rt < sizeof(names) / sizeof(names[0]) ? names[rt] : NULL;
}

const char *vgl_k8s_qos_name(enum vgl_k8s_qos qos)
{
	switch (qos) {
	case VGL_QOS_GUARANTEED:
		return "guaranteed";
	case VGL_QOS_BURSTABLE:
		return "burstable";
	case VGL_QOS_BESTEFFORT:
		return "besteffort";
	default:
		return NULL;
	}
}
