// SPDX-License-Identifier: Apache-2.0
/*
 * proc.* fields. The calling process's name, pid and ppid come from the event
 * header; an exec event carries its own exe, args and cwd; everything else
 * (ancestors, tty, session, environment) comes from the state tracker.
 */
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include "rules/fields/fields.h"

enum {
	P_PID,
	P_PPID,
	P_VPID,
	P_NAME,
	P_EXE,
	P_EXEPATH,
	P_ARGS,
	P_CMDLINE,
	P_CWD,
	P_PNAME,
	P_PEXE,
	P_PEXEPATH,
	P_PCMDLINE,
	P_ANAME,
	P_AEXE,
	P_AEXEPATH,
	P_APID,
	P_ACMDLINE,
	P_TTY,
	P_SID,
	P_SNAME,
	P_VPGID,
	P_VPGID_NAME,
	P_VPGID_EXE,
	P_IS_VPGID_LEADER,
	P_IS_SID_LEADER,
	P_ENV,
	P_UPPER,
	P_EXE_INO,
	P_EXE_CTIME,
	P_EXE_MTIME,
	P_EXE_CTIME_DUR,
	P_MEMFD,
	P_DURATION,
	P_PPID_DURATION,
	P_UNKNOWN,
};

/* What the fields need to know of one process. */
struct pinfo {
	uint32_t pid;
	uint32_t ppid;
	const char *name;
	const char *exe;
	const char *exepath;
	const char *args; /* NUL-separated, without argv[0] */
	size_t args_len;
	const char *cwd;
	const struct vgl_proc_view *view;
};

static void from_view(const struct vgl_proc_view *v, struct pinfo *pi)
{
	memset(pi, 0, sizeof(*pi));
	pi->view = v;
	pi->pid = v->pid;
	pi->ppid = v->ppid;
	pi->name = v->name;
	pi->exe = v->exe;
	pi->exepath = v->exepath;
	pi->args = v->args;
	pi->args_len = v->args ? v->args_len : 0;
	pi->cwd = v->cwd;
}

/* The calling process; false when nothing but the header is known. */
static void self_info(struct vgl_xctx *x, struct pinfo *pi)
{
	const struct vgl_proc_view *v = xctx_proc(x);
	const struct vgl_param *p;
	size_t n;

	if (v)
		from_view(v, pi);
	else
		memset(pi, 0, sizeof(*pi));
	pi->pid = x->ev->hdr.pid;
	pi->ppid = x->ev->hdr.ppid;
	pi->name = x->ev->hdr.comm;
	if (!memchr(x->ev->hdr.comm, '\0', VGL_COMM_LEN)) {
		char *d = xctx_alloc(x, VGL_COMM_LEN + 1);

		if (d) {
			memcpy(d, x->ev->hdr.comm, VGL_COMM_LEN);
			d[VGL_COMM_LEN] = '\0';
		}
		pi->name = d;
	}
	if (!ev_is_exec(x->ev))
		return;
	if ((p = xctx_p(x, XP_ARGS)) && p->len) {
		n = strnlen(p->str, p->len);
		pi->exe = p->str;
		pi->args = n < p->len ? p->str + n + 1 : NULL;
		pi->args_len = n < p->len ? p->len - n - 1 : 0;
	}
	if ((p = xctx_p(x, XP_EXE)))
		pi->exepath = p->str;
	if ((p = xctx_p(x, XP_CWD)))
		pi->cwd = p->str;
}

/* Ancestor @n (1 parent, 2 grandparent, ...); false if unknown. */
static bool ancestor(struct vgl_xctx *x, int64_t n, struct pinfo *pi)
{
	const struct vgl_proc_view *v = NULL;
	uint32_t pid = x->ev->hdr.ppid;

	if (n == 0) {
		self_info(x, pi);
		return true;
	}
	while (n-- > 0) {
		v = xctx_proc_of(x, pid);
		if (!v || (n > 0 && (!v->ppid || v->ppid == v->pid)))
			return false;
		pid = v->ppid;
	}
	from_view(v, pi);
	return true;
}

static int cmdline(struct vgl_xctx *x, const struct pinfo *pi, struct vgl_fval *out)
{
	size_t nl, n;
	const char *args;
	char *d;

	if (!pi->name)
		return 0;
	if (!pi->args || !pi->args_len)
		return put_str(out, pi->name);
	args = xctx_join(x, pi->args, pi->args_len, ' ', &n);
	if (!args)
		return 0;
	nl = strlen(pi->name);
	d = xctx_alloc(x, nl + n + 2);
	if (!d)
		return 0;
	memcpy(d, pi->name, nl);
	d[nl] = ' ';
	memcpy(d + nl + 1, args, n + 1);
	return put_strn(out, d, nl + 1 + n);
}

static int pinfo_field(struct vgl_xctx *x, const struct pinfo *pi, int what, struct vgl_fval *out)
{
	switch (what) {
	case P_NAME:
		return put_str(out, pi->name);
	case P_EXE:
		return put_str(out, pi->exe);
	case P_EXEPATH:
		return put_str(out, pi->exepath);
	case P_CMDLINE:
		return cmdline(x, pi, out);
	case P_PID:
		return pi->pid ? put_int(out, pi->pid) : 0;
	case P_ARGS:
		if (!pi->args && !pi->exe)
			return 0;
		if (!pi->args || !pi->args_len)
			return put_strn(out, "", 0);
		out->s = xctx_join(x, pi->args, pi->args_len, ' ', &out->len);
		return out->s ? 1 : 0;
	case P_CWD:
		return put_str(out, pi->cwd);
	default:
		return 0;
	}
}

/* proc.aname and friends: one ancestor, or all of them without an index. */
static int ancestors(struct vgl_xctx *x, const struct field_ref *ref, int what,
		     struct vgl_fval *out, int max)
{
	struct pinfo pi;
	int n = 0, i;

	if (ref->has_arg)
		return ancestor(x, ref->argn, &pi) ? pinfo_field(x, &pi, what, out) : 0;
	for (i = 1; i <= VGL_ANCESTORS_MAX && n < max; i++) {
		if (!ancestor(x, i, &pi))
			break;
		n += pinfo_field(x, &pi, what, &out[n]);
	}
	return n;
}

/* proc.env: "K=V K2=V2"; proc.env[K]: V (as libsinsp). */
static int env_field(struct vgl_xctx *x, const struct field_ref *ref, struct vgl_fval *out)
{
	const struct vgl_proc_view *v = xctx_proc(x);
	const char *env = v ? v->env : NULL;
	size_t off = 0, kl, env_len = v ? v->env_len : 0;

	if (!env && x->ops && x->ops->proc_env)
		env = x->ops->proc_env(x->state, x->ev->hdr.pid, &env_len);
	if (!env)
		return 0;
	if (!ref->has_arg) {
		out->s = xctx_join(x, env, env_len, ' ', &out->len);
		return out->s ? 1 : 0;
	}
	kl = strlen(ref->arg);
	while (off < env_len) {
		const char *e = env + off;
		size_t el = strnlen(e, env_len - off);

		if (el > kl && !memcmp(e, ref->arg, kl) && e[kl] == '=')
			return put_strn(out, e + kl + 1, el - kl - 1);
		off += el + 1;
	}
	return 0;
}

/* The exec's flags (the kernel's dentry name); else the exe path /proc gave. */
static int memfd_field(struct vgl_xctx *x, struct vgl_fval *out)
{
	const struct vgl_param *p = ev_is_exec(x->ev) ? xctx_p(x, XP_FLAGS) : NULL;
	const struct vgl_proc_view *v;

	if (p)
		return put_int(out, (p->num.u & VGL_EXE_FROM_MEMFD) != 0);
	p = ev_is_exec(x->ev) ? xctx_p(x, XP_EXE) : NULL;
	if (p)
		return put_int(out,
			       !strncmp(p->str, "/memfd:", 7) || !strncmp(p->str, "memfd:", 6));
	v = xctx_proc(x);
	return v ? put_int(out, v->exe_from_memfd) : 0;
}

static int upper_field(struct vgl_xctx *x, const struct vgl_proc_view *v, struct vgl_fval *out)
{
	int upper;

	if (!x->ops || !x->ops->exe_upper_layer)
		return put_int(out, v->exe_upper_layer);
	upper = x->ops->exe_upper_layer(x->state, x->ev->hdr.pid);
	return upper >= 0 ? put_int(out, upper) : 0;
}

/*
 * proc.exe_ino and its times: the state's answer, read when a rule asks
 * (live: the inode /proc/PID/exe names). A process that has gone, or a
 * replayed one, has none (<NA>).
 */
static int exe_ino_field(struct vgl_xctx *x, const struct vgl_proc_view *v, int id,
			 struct vgl_fval *out)
{
	struct vgl_exe_stat st;

	if (!x->ops || !x->ops->exe_stat || !x->ops->exe_stat(x->state, v->pid, &st))
		return 0;
	switch (id) {
	case P_EXE_INO:
		return put_int(out, (int64_t)st.ino);
	case P_EXE_CTIME:
		return put_int(out, st.ctime_ns);
	case P_EXE_MTIME:
		return put_int(out, st.mtime_ns);
	}
	/* from the change to the executable to the start of this process */
	return v->start_ts ? put_int(out, v->start_ts + x->boot_to_wall_ns - st.ctime_ns) : 0;
}

static int session_field(struct vgl_xctx *x, int id, struct vgl_fval *out)
{
	const struct vgl_proc_view *v = xctx_proc(x), *o;

	if (!v)
		return 0;
	switch (id) {
	case P_TTY:
		return v->tty >= 0 ? put_int(out, v->tty) : 0;
	case P_SID:
		return v->sid ? put_int(out, v->sid) : 0;
	case P_VPGID:
		return v->vpgid ? put_int(out, v->vpgid) : 0;
	case P_VPID:
		return v->vpid ? put_int(out, v->vpid) : 0;
	case P_IS_VPGID_LEADER:
		return v->vpgid && v->vpid ? put_int(out, v->vpgid == v->vpid) : 0;
	case P_IS_SID_LEADER:
		return v->sid ? put_int(out, v->sid == v->pid) : 0;
	case P_UPPER:
		return upper_field(x, v, out);
	case P_EXE_INO:
	case P_EXE_CTIME:
	case P_EXE_MTIME:
	case P_EXE_CTIME_DUR:
		return exe_ino_field(x, v, id, out);
	case P_DURATION:
		return v->start_ts ? put_int(out, (int64_t)x->ev->hdr.ts - v->start_ts) : 0;
	}
	o = xctx_proc_of(x, id == P_SNAME ? v->sid : v->vpgid);
	if (!o)
		return 0;
	return put_str(out, id == P_VPGID_EXE ? o->exe : o->name);
}

static int ex_proc(struct vgl_xctx *x, const struct field_ref *ref, struct vgl_fval *out, int max)
{
	int id = ref->def->id;
	struct pinfo pi;

	switch (id) {
	case P_PID:
	case P_NAME:
	case P_EXE:
	case P_EXEPATH:
	case P_ARGS:
	case P_CMDLINE:
	case P_CWD:
		self_info(x, &pi);
		return pinfo_field(x, &pi, id, out);
	case P_PPID:
		return put_int(out, x->ev->hdr.ppid);
	case P_PNAME:
	case P_PEXE:
	case P_PEXEPATH:
	case P_PCMDLINE:
		if (!ancestor(x, 1, &pi))
			return 0;
		return pinfo_field(x, &pi, id - P_PNAME + P_NAME + (id == P_PCMDLINE ? 1 : 0), out);
	case P_ANAME:
		return ancestors(x, ref, P_NAME, out, max);
	case P_AEXE:
		return ancestors(x, ref, P_EXE, out, max);
	case P_AEXEPATH:
		return ancestors(x, ref, P_EXEPATH, out, max);
	case P_APID:
		return ancestors(x, ref, P_PID, out, max);
	case P_ACMDLINE:
		return ancestors(x, ref, P_CMDLINE, out, max);
	case P_ENV:
		return env_field(x, ref, out);
	case P_MEMFD:
		return memfd_field(x, out);
	case P_UNKNOWN:
	case P_PPID_DURATION:
		return 0;
	default:
		return session_field(x, id, out);
	}
}

#define PROC(n, t, f, id)            \
	{                            \
		n, t, f, ex_proc, id \
	}

const struct field_def vgl_fields_proc[] = {
	PROC("proc.pid", FT_INT, 0, P_PID),
	PROC("proc.ppid", FT_INT, 0, P_PPID),
	PROC("proc.vpid", FT_INT, FF_STATE, P_VPID),
	PROC("proc.name", FT_STR, 0, P_NAME),
	PROC("proc.exe", FT_STR, 0, P_EXE),
	PROC("proc.exepath", FT_STR, 0, P_EXEPATH),
	PROC("proc.args", FT_STR, 0, P_ARGS),
	PROC("proc.cmdline", FT_STR, 0, P_CMDLINE),
	PROC("proc.cwd", FT_STR, 0, P_CWD),
	PROC("proc.pname", FT_STR, FF_STATE, P_PNAME),
	PROC("proc.pexe", FT_STR, FF_STATE, P_PEXE),
	PROC("proc.pexepath", FT_STR, FF_STATE, P_PEXEPATH),
	PROC("proc.pcmdline", FT_STR, FF_STATE, P_PCMDLINE),
	PROC("proc.aname", FT_STR, FF_STATE | FF_ARG_OPT | FF_ARG_NUM | FF_MULTI_NOARG, P_ANAME),
	PROC("proc.aexe", FT_STR, FF_STATE | FF_ARG_OPT | FF_ARG_NUM | FF_MULTI_NOARG, P_AEXE),
	PROC("proc.aexepath", FT_STR, FF_STATE | FF_ARG_OPT | FF_ARG_NUM | FF_MULTI_NOARG,
	     P_AEXEPATH),
	PROC("proc.apid", FT_INT, FF_STATE | FF_ARG_OPT | FF_ARG_NUM | FF_MULTI_NOARG, P_APID),
	PROC("proc.acmdline", FT_STR, FF_STATE | FF_ARG_OPT | FF_ARG_NUM | FF_MULTI_NOARG,
	     P_ACMDLINE),
	PROC("proc.tty", FT_INT, FF_STATE, P_TTY),
	PROC("proc.sid", FT_INT, FF_STATE, P_SID),
	PROC("proc.sname", FT_STR, FF_STATE, P_SNAME),
	PROC("proc.vpgid", FT_INT, FF_STATE, P_VPGID),
	PROC("proc.vpgid.name", FT_STR, FF_STATE, P_VPGID_NAME),
	PROC("proc.vpgid.exe", FT_STR, FF_STATE, P_VPGID_EXE),
	PROC("proc.is_vpgid_leader", FT_BOOL, FF_STATE, P_IS_VPGID_LEADER),
	PROC("proc.is_sid_leader", FT_BOOL, FF_STATE, P_IS_SID_LEADER),
	PROC("proc.env", FT_STR, FF_STATE | FF_ARG_OPT, P_ENV),
	PROC("proc.is_exe_upper_layer", FT_BOOL, FF_STATE, P_UPPER),
	PROC("proc.is_exe_from_memfd", FT_BOOL, 0, P_MEMFD),
	PROC("proc.duration", FT_INT, FF_STATE, P_DURATION),
	PROC("proc.ppid.duration", FT_INT, FF_STATE, P_PPID_DURATION),
	PROC("proc.exe_ino", FT_INT, FF_STATE, P_EXE_INO),
	PROC("proc.exe_ino.ctime", FT_INT, FF_STATE, P_EXE_CTIME),
	PROC("proc.exe_ino.mtime", FT_INT, FF_STATE, P_EXE_MTIME),
	PROC("proc.exe_ino.ctime_duration_proc_start", FT_INT, FF_STATE, P_EXE_CTIME_DUR),
	PROC("proc.exe_ino.ctime_duration_pidns_start", FT_INT, FF_STATE, P_UNKNOWN),
	PROC("proc.pidns_init_start_ts", FT_INT, FF_STATE, P_UNKNOWN),
	PROC("proc.is_container_healthcheck", FT_BOOL, FF_STATE, P_UNKNOWN),
	PROC("proc.is_container_liveness_probe", FT_BOOL, FF_STATE, P_UNKNOWN),
	PROC("proc.is_container_readiness_probe", FT_BOOL, FF_STATE, P_UNKNOWN),
	{ NULL, 0, 0, NULL, 0 },
};
