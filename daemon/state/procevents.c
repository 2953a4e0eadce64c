// SPDX-License-Identifier: Apache-2.0
/* Process table updates from events: fork/clone, exec, exit, and the caller's comm. */
#include <string.h>

#include "state/proctable_int.h"

static const struct vgl_param *param(const struct vgl_event *ev, const char *name)
{
	const struct vgl_param *p = vgl_event_param(ev, name);

	return p && !p->absent ? p : NULL;
}

#define VGL_CLONE_NEWPID 0x20000000

/*
 * The child's pid in its own namespace: the kernel's (child_vpid); for a
 * record of an older capture, where the event lets us infer it.
 */
static uint32_t child_vpid(const struct vgl_event *ev, const struct proc_entry *p, uint32_t child)
{
	const struct vgl_param *fl = param(ev, "flags"), *vp = param(ev, "child_vpid");

	if (vp && vp->num.i > 0)
		return (uint32_t)vp->num.i;
	if (fl && (fl->num.u & VGL_CLONE_NEWPID))
		return 1;
	if (p && p->view.vpid && p->view.vpid == p->view.pid)
		return child; /* the parent is in the initial namespace, so is the child */
	return 0;
}

/* The child inherits everything of its parent but its pid and start time. */
static void on_fork(struct vgl_proctable *pt, const struct vgl_event *ev)
{
	const struct vgl_param *cp = param(ev, "child_pid");
	uint32_t child = cp && cp->num.i > 0 ? (uint32_t)cp->num.i : 0;
	struct proc_entry *p, *c;

	if (ev->hdr.res <= 0 || !child || child == ev->hdr.pid)
		return;
	pt->stats.forks++;
	c = vgl_pt_find(pt, child);
	if (c && !c->xnext && c->view.start_ts >= (int64_t)ev->hdr.ts)
		return; /* the child's own events came first and repaired it */
	p = vgl_pt_find(pt, ev->hdr.pid);
	if (!p && vgl_proctable_get(pt, ev->hdr.pid, true))
		p = vgl_pt_find(pt, ev->hdr.pid);
	if (p && ev->hdr.comm[0] && memcmp(p->comm, ev->hdr.comm, VGL_COMM_LEN)) {
		/* renamed (PR_SET_NAME) since its last event: the child inherits the new name */
		memcpy(p->comm, ev->hdr.comm, VGL_COMM_LEN);
		p->view.version = vgl_state_version_next();
	}
	c = vgl_pt_insert(pt, child);
	if (!c)
		return;
	if (p) {
		c->view = p->view;
		memcpy(c->comm, p->comm, sizeof(c->comm));
		c->exe = vgl_rstr_get(p->exe);
		c->exepath = vgl_rstr_get(p->exepath);
		c->args = vgl_rstr_get(p->args);
		c->cwd = vgl_rstr_get(p->cwd);
		c->env = vgl_rstr_get(p->env);
		c->env_tried = p->env != NULL; /* else the child reads its own */
		c->upper = p->upper;
		c->exe_flags_known = p->exe_flags_known;
		c->exe_flags = p->exe_flags;
		c->exe_stat_known = p->exe_stat_known;
		c->exe_stat = p->exe_stat;
	} else {
		memcpy(c->comm, ev->hdr.comm, VGL_COMM_LEN);
	}
	c->view.pid = child;
	c->view.ppid = ev->hdr.pid;
	c->view.vpid = child_vpid(ev, p, child);
	c->view.start_ts = (int64_t)ev->hdr.ts;
	vgl_pt_sync_view(c);
}

static struct vgl_rstr *param_str(struct vgl_proctable *pt, const struct vgl_event *ev,
				  const char *name)
{
	const struct vgl_param *p = param(ev, name);

	return p && p->str ? vgl_pt_intern(pt, p->str, strnlen(p->str, p->len)) : NULL;
}

/* A successful exec replaces the image: exe, argv, path, cwd and comm. */
static void on_exec(struct vgl_proctable *pt, const struct vgl_event *ev)
{
	struct proc_entry *e = vgl_pt_find(pt, ev->hdr.pid);
	const struct vgl_param *argv = param(ev, "args");
	struct vgl_rstr *path;

	if (ev->hdr.res != 0)
		return;
	pt->stats.execs++;
	if (!e && vgl_proctable_get(pt, ev->hdr.pid, true)) /* session, tty, ... from /proc */
		e = vgl_pt_find(pt, ev->hdr.pid);
	if (!e) {
		e = vgl_pt_insert(pt, ev->hdr.pid);
		if (!e)
			return;
	}
	if (argv && argv->str)
		vgl_pt_set_argv(pt, e, argv->str, argv->len);
	else
		vgl_pt_set_argv(pt, e, "", 0);
	path = param_str(pt, ev, "exe");
	vgl_pt_set_str(&e->exepath, path ? path : param_str(pt, ev, "filename"));
	if ((path = param_str(pt, ev, "cwd")))
		vgl_pt_set_str(&e->cwd, path);
	memcpy(e->comm, ev->hdr.comm, VGL_COMM_LEN);
	vgl_pt_apply_exec_info(e, ev);
	e->view.ppid = ev->hdr.ppid;
	vgl_pt_sync_view(e);
}

static void on_capset(struct proc_entry *e, const struct vgl_event *ev)
{
	const struct vgl_param *eff = param(ev, "cap_effective"), *prm = param(ev, "cap_permitted"),
			       *inh = param(ev, "cap_inheritable");

	if (ev->hdr.res != 0 || !eff || !prm || !inh)
		return;
	e->view.caps_known = true;
	e->view.cap_effective = eff->num.u;
	e->view.cap_permitted = prm->num.u;
	e->view.cap_inheritable = inh->num.u;
	e->view.version = vgl_state_version_next();
}

void vgl_proctable_update(struct vgl_proctable *pt, const struct vgl_event *ev)
{
	struct proc_entry *e;

	switch (ev->kind) {
	case VGL_EV_CLONE:
	case VGL_EV_CLONE3:
	case VGL_EV_FORK:
	case VGL_EV_VFORK:
		on_fork(pt, ev);
		return;
	case VGL_EV_EXECVE:
	case VGL_EV_EXECVEAT:
		on_exec(pt, ev);
		return;
	default:
		break;
	}
	if (ev->kind == VGL_EV_PROCEXIT) {
		pt->stats.exits++;
		if ((e = vgl_pt_find(pt, ev->hdr.pid))) /* no repair for a process on its way out */
			vgl_pt_mark_exited(pt, e, ev->hdr.ts);
		return;
	}
	if (!vgl_proctable_get(pt, ev->hdr.pid, true))
		return;
	e = vgl_pt_find(pt, ev->hdr.pid);
	switch (ev->kind) {
	case VGL_EV_CAPSET:
		on_capset(e, ev);
		break;
	case VGL_EV_SETUID:
	case VGL_EV_SETREUID:
	case VGL_EV_SETRESUID:
	case VGL_EV_SETFSUID:
		vgl_pt_apply_cred_caps(e, ev);
		break;
	default:
		break;
	}
	if (ev->hdr.comm[0] && memcmp(e->comm, ev->hdr.comm, VGL_COMM_LEN)) { /* PR_SET_NAME */
		memcpy(e->comm, ev->hdr.comm, VGL_COMM_LEN);
		e->view.version = vgl_state_version_next();
	}
	if (ev->hdr.ppid && !e->xnext && e->view.ppid != ev->hdr.ppid) {
		e->view.ppid = ev->hdr.ppid; /* reparented to a subreaper or init */
		e->view.version = vgl_state_version_next();
	}
}
