// SPDX-License-Identifier: Apache-2.0
/* Field lookup by name, argument checking and extractor helpers. */
#include <arpa/inet.h>
#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "rules/fields/fields.h"

static const struct field_def *const tables[] = {
	vgl_fields_evt,	 vgl_fields_proc,      vgl_fields_thread, vgl_fields_fd,
	vgl_fields_user, vgl_fields_container, vgl_fields_docker, vgl_fields_ctr_posture,
};

/* Fields whose argument may also be written as a dotted suffix. */
static const char *const dotted_families[] = { "evt.arg", "evt.rawarg", "k8s.pod.label",
					       "proc.env" };

static const struct field_def *lookup(const char *name)
{
	size_t t;
	const struct field_def *d;

	for (t = 0; t < sizeof(tables) / sizeof(tables[0]); t++) {
		for (d = tables[t]; d->name; d++) {
			if (!strcmp(d->name, name))
				return d;
		}
	}
	return NULL;
}

static int parse_index(const char *s, int64_t *ret)
{
	char *end;
	long long v;

	if (!*s || *s < '0' || *s > '9')
		return -EINVAL;
	errno = 0;
	v = strtoll(s, &end, 10);
	if (errno || *end || v < 0 || v > 1000000)
		return -EINVAL;
	*ret = v;
	return 0;
}

/* evt.arg / evt.rawarg by parameter name: its index in each kind. */
static int resolve_param(struct field_ref *ref, char *err, size_t errlen)
{
	bool any = false;
	int k;

	for (k = 0; k < VGL_EV_MAX; k++) {
		int idx = k == VGL_EV_UNKNOWN ? -1 : vgl_param_index(k, ref->arg);

		ref->pidx[k] = (int8_t)idx;
		any = any || idx >= 0;
	}
	if (!any) {
		snprintf(err, errlen, "no event vigil captures has a parameter '%s'", ref->arg);
		return -ENOENT;
	}
	return 0;
}

static int check_arg(const char *name, const char *arg, struct field_ref *ref, char *err,
		     size_t errlen)
{
	unsigned int f = ref->def->flags;

	if (!arg && (f & FF_ARG_REQ)) {
		snprintf(err, errlen, "field '%s' needs an argument, e.g. %s[...]", name, name);
		return -EINVAL;
	}
	if (arg && !(f & (FF_ARG_REQ | FF_ARG_OPT))) {
		snprintf(err, errlen, "field '%s' takes no argument", name);
		return -EINVAL;
	}
	if (!arg)
		return 0;
	ref->has_arg = true;
	ref->arg = strdup(arg);
	if (!ref->arg)
		return -ENOMEM;
	if (!strcmp(ref->def->name, "evt.arg") || !strcmp(ref->def->name, "evt.rawarg")) {
		if (!parse_index(arg, &ref->argn)) {
			memset(ref->pidx, -1, sizeof(ref->pidx));
			return 0;
		}
		ref->argn = -1;
		return resolve_param(ref, err, errlen);
	}
	if (!parse_index(arg, &ref->argn))
		return 0;
	ref->argn = -1;
	if (f & FF_ARG_NUM) {
		snprintf(err, errlen, "field '%s' needs a numeric argument, not '%s'", name, arg);
		return -EINVAL;
	}
	return 0;
}

int field_resolve(const char *name, const char *arg, struct field_ref *ref, char *err,
		  size_t errlen)
{
	const struct field_def *d = lookup(name);
	size_t i, n;
	int ret;

	memset(ref, 0, sizeof(*ref));
	for (i = 0; !d && i < sizeof(dotted_families) / sizeof(dotted_families[0]); i++) {
		n = strlen(dotted_families[i]);
		if (!strncmp(name, dotted_families[i], n) && name[n] == '.' && name[n + 1] &&
		    !arg) {
			d = lookup(dotted_families[i]);
			arg = name + n + 1;
		}
	}
	if (!d) {
		snprintf(err, errlen, "unknown field '%s'", name);
		return -ENOENT;
	}
	ref->def = d;
	ret = check_arg(d->name, arg, ref, err, errlen);
	if (ret) {
		field_ref_clear(ref);
		return ret;
	}
	ref->maxvals = (d->flags & FF_MULTI) || ((d->flags & FF_MULTI_NOARG) && !arg)
			       ? VGL_FIELD_MULTI_MAX
			       : 1;
	return 0;
}

void field_ref_clear(struct field_ref *ref)
{
	free(ref->arg);
	ref->arg = NULL;
}

bool field_ref_same(const struct field_ref *a, const struct field_ref *b)
{
	if (a->def != b->def || a->has_arg != b->has_arg)
		return false;
	return !a->has_arg || !strcmp(a->arg, b->arg);
}

size_t field_val_str(enum vgl_ftype type, const struct vgl_fval *v, char *buf, size_t size)
{
	char ip[INET6_ADDRSTRLEN];

	switch (type) {
	case FT_STR:
		return (size_t)snprintf(buf, size, "%.*s", (int)v->len, v->s);
	case FT_INT:
		return (size_t)snprintf(buf, size, "%" PRId64, v->i);
	case FT_BOOL:
		return (size_t)snprintf(buf, size, "%s", v->i ? "true" : "false");
	case FT_IP:
	case FT_NET:
		if (!inet_ntop(v->fam == 6 ? AF_INET6 : AF_INET, v->ip, ip, sizeof(ip)))
			ip[0] = '\0';
		return (size_t)snprintf(buf, size, "%s", ip);
	}
	return 0;
}

char *xctx_alloc(struct vgl_xctx *x, size_t n)
{
	char *p;

	if (n > x->scratch_cap - x->scratch_used)
		return NULL;
	p = x->scratch + x->scratch_used;
	x->scratch_used += n;
	return p;
}

int put_strn(struct vgl_fval *out, const char *s, size_t len)
{
	if (!s)
		return 0;
	out->s = s;
	out->len = len;
	out->hashed = false;
	return 1;
}

int put_str(struct vgl_fval *out, const char *s)
{
	return s ? put_strn(out, s, strlen(s)) : 0;
}

int put_int(struct vgl_fval *out, int64_t i)
{
	out->i = i;
	return 1;
}

const struct vgl_proc_view *xctx_proc_of(struct vgl_xctx *x, uint32_t pid)
{
	if (!x->ops || !x->ops->proc || !pid)
		return NULL;
	return x->ops->proc(x->state, pid);
}

const struct vgl_proc_view *xctx_proc(struct vgl_xctx *x)
{
	if (!x->proc_done) {
		x->proc = xctx_proc_of(x, x->ev->hdr.pid);
		x->proc_done = true;
	}
	return x->proc;
}

const struct vgl_container_view *xctx_container(struct vgl_xctx *x)
{
	if (!x->ctr_done) {
		x->ctr = x->ops && x->ops->container
				 ? x->ops->container(x->state, x->ev->hdr.cgroup_id, x->ev->hdr.pid)
				 : NULL;
		x->ctr_done = true;
	}
	return x->ctr;
}

const struct vgl_param *xctx_param(const struct vgl_xctx *x, const char *name)
{
	const struct vgl_param *p = vgl_event_param(x->ev, name);

	return p && !p->absent ? p : NULL;
}

bool ev_is_exec(const struct vgl_event *ev)
{
	return ev->kind == VGL_EV_EXECVE || ev->kind == VGL_EV_EXECVEAT;
}

bool ev_is_open(const struct vgl_event *ev)
{
	return ev->kind == VGL_EV_OPEN || ev->kind == VGL_EV_OPENAT || ev->kind == VGL_EV_OPENAT2 ||
	       ev->kind == VGL_EV_CREAT;
}

const char *xctx_join(struct vgl_xctx *x, const char *s, size_t len, char sep, size_t *ret_len)
{
	char *d;
	size_t i;

	/* Drop the terminator of the last argument, if any. */
	while (len > 0 && s[len - 1] == '\0')
		len--;
	d = xctx_alloc(x, len + 1);
	if (!d)
		return NULL;
	for (i = 0; i < len; i++)
		d[i] = s[i] ? s[i] : sep;
	d[len] = '\0';
	*ret_len = len;
	return d;
}

int xctx_printf(struct vgl_xctx *x, struct vgl_fval *out, const char *fmt, ...)
{
	char tmp[256], *d;
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(tmp, sizeof(tmp), fmt, ap);
	va_end(ap);
	if (n < 0 || (size_t)n >= sizeof(tmp) || !(d = xctx_alloc(x, (size_t)n + 1)))
		return 0;
	memcpy(d, tmp, (size_t)n + 1);
	return put_strn(out, d, (size_t)n);
}

void xctx_init(struct vgl_xctx *x)
{
	static const char *const names[XP_MAX] = {
		[XP_PATH] = "path", [XP_NAME] = "name", [XP_FLAGS] = "flags",
		[XP_ARGS] = "args", [XP_EXE] = "exe",	[XP_CWD] = "cwd",
		[XP_FD] = "fd",	    [XP_ADDR] = "addr", [XP_LADDR] = "laddr",
	};
	int k, i;

	for (k = 0; k < VGL_EV_MAX; k++) {
		for (i = 0; i < XP_MAX; i++)
			x->pidx[k][i] = (int8_t)(k ? vgl_param_index(k, names[i]) : -1);
	}
}
