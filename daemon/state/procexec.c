// SPDX-License-Identifier: Apache-2.0
/*
 * What an exec event says of the new image (include/vigil/events.h,
 * VGL_EXEC_P), and the capabilities the set*id calls leave: the kernel's
 * values at that moment, so they hold for a process that is gone before its
 * events are evaluated. A record without them (an older capture, a failed
 * read) leaves /proc, read when a rule asks, as the source.
 */
#include <string.h>

#include "state/proctable_int.h"

static const struct vgl_param *param(const struct vgl_event *ev, const char *name)
{
	const struct vgl_param *p = vgl_event_param(ev, name);

	return p && !p->absent ? p : NULL;
}

static void exec_caps(struct proc_entry *e, const struct vgl_event *ev)
{
	const struct vgl_param *eff = param(ev, "cap_effective"), *prm = param(ev, "cap_permitted"),
			       *inh = param(ev, "cap_inheritable");

	/* file capabilities and setuid bits change them: unknown without the event's */
	e->view.caps_known = eff && prm && inh;
	if (!e->view.caps_known)
		return;
	e->view.cap_effective = eff->num.u;
	e->view.cap_permitted = prm->num.u;
	e->view.cap_inheritable = inh->num.u;
}

static void exec_exe(struct proc_entry *e, const struct vgl_event *ev)
{
	const struct vgl_param *fl = param(ev, "flags"), *ino = param(ev, "exe_ino"),
			       *ct = param(ev, "exe_ino_ctime"), *mt = param(ev, "exe_ino_mtime");

	e->exe_flags_known = fl != NULL;
	e->exe_flags = fl ? (uint32_t)fl->num.u : 0;
	/* the layer the kernel saw; else asked of the container's mounts later */
	e->upper = fl ? (fl->num.u & VGL_EXE_UPPER_LAYER) != 0 : -2;
	e->exe_stat_known = ino && ct && mt;
	if (!e->exe_stat_known)
		return;
	e->exe_stat.ino = ino->num.u;
	e->exe_stat.ctime_ns = ct->num.i;
	e->exe_stat.mtime_ns = mt->num.i;
}

static void exec_session(struct proc_entry *e, const struct vgl_event *ev)
{
	const struct vgl_param *tty = param(ev, "tty"), *sid = param(ev, "sid"),
			       *vpgid = param(ev, "vpgid");

	if (tty)
		e->view.tty = tty->num.i;
	if (sid && sid->num.i > 0)
		e->view.sid = (uint32_t)sid->num.i;
	if (vpgid && vpgid->num.i > 0)
		e->view.vpgid = (uint32_t)vpgid->num.i;
}

/* The new image's environment, as the event carried it (else read when asked). */
static void exec_env(struct proc_entry *e, const struct vgl_event *ev)
{
	const struct vgl_param *env = param(ev, "env");

	vgl_pt_set_str(&e->env, env ? vgl_rstr_new(env->str, env->len) : NULL);
	e->env_tried = env != NULL;
}

void vgl_pt_apply_exec_info(struct proc_entry *e, const struct vgl_event *ev)
{
	exec_caps(e, ev);
	exec_exe(e, ev);
	exec_session(e, ev);
	exec_env(e, ev);
}

void vgl_pt_apply_cred_caps(struct proc_entry *e, const struct vgl_event *ev)
{
	const struct vgl_param *eff = param(ev, "cap_effective"), *prm = param(ev, "cap_permitted");

	/* a set*id call leaves the inheritable set alone, and does not report it */
	if (ev->hdr.res != 0 || !eff || !prm || !e->view.caps_known)
		return;
	if (e->view.cap_effective == eff->num.u && e->view.cap_permitted == prm->num.u)
		return;
	e->view.cap_effective = eff->num.u;
	e->view.cap_permitted = prm->num.u;
	e->view.version = vgl_state_version_next();
}
