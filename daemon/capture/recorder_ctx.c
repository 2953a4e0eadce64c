// SPDX-License-Identifier: Apache-2.0
/*
 * The context of one event: every answer of the state callbacks
 * (rules/state.h) that a rule could read for it, found by reading the field
 * extractors (rules/fields/ *.c, rules/output/alert.c). With the event's
 * header h:
 *
 *	proc(h.pid)                      proc.*, thread.*, the view's own fields
 *	proc(v.sid), proc(v.vpgid)       proc.sname, proc.vpgid.name / .exe (v:
 *	                                 the view of h.pid)
 *	proc(p1) .. proc(pN)             proc.pname ... proc.aname[N] and friends:
 *	                                 p1 = h.ppid, then each view's ppid while
 *	                                 it is not 0 or the process itself; N up to
 *	                                 VGL_RECORDER_ANCESTORS (deeper is late)
 *	proc_env(h.pid)                  proc.env (PROC_LAZY)
 *	exe_upper_layer(h.pid)           proc.is_exe_upper_layer, when v exists
 *	container(h.cgroup_id, h.pid)    container.*, k8s.*
 *	user_name/home/shell(h.euid)     user.name, user.homedir, user.shell
 *	user_name(h.loginuid)            user.loginname, unless -1
 *	group_name(h.egid)               group.name
 *	user_name(uid) for every present VGL_PT_UID parameter but (uint32)-1
 *	                                 evt.arg.* and evt.args (argfmt.c)
 *	fd(h.pid, n)                     fd.* that the event does not describe
 *	                                 itself: n = h.res for accept, accept4,
 *	                                 dup*; the "fd" parameter otherwise; n >= 0
 *	hostname()                       not recorded: the capture's header has it
 *
 * The event printer's context (output/eventfmt_ctx.c, --events) reads a
 * subset: proc(h.pid), 8 ancestors from h.ppid, user_name of h.euid and
 * h.loginuid, container(h.cgroup_id, h.pid).
 *
 * Not in the set: fd(h.pid, h.res) of an open, which only fd.connected and
 * fd.l4proto of an open read (a readlink of /proc per open would be the
 * largest cost of recording); a rule that reads it gets it written as a late
 * record. proc.exe_ino* (exe_stat) are read only for the rules, and written
 * as late EXE records (recorder_exe.c).
 *
 * Each function below asks the live callbacks, returns their answer, and
 * writes what the current file does not hold yet (recorder_int.h has the
 * tables), and everything to the flight recorder's context when asked.
 */
#include <stdio.h>
#include <string.h>

#include "capture/recorder_int.h"
#include "state/util.h"

#define OPS(r) ((r)->o.ops)
#define ST(r)  ((r)->o.state)

/* The event clock. */
static uint64_t now(const struct vgl_recorder *r)
{
	return r->ev ? r->ev->hdr.ts : 0;
}

void rec_note_late(struct vgl_recorder *r, enum rec_kind kind, uint32_t pid, uint64_t arg)
{
	if (!r->late)
		return;
	r->stats.late_records++;
	if (r->nlate < REC_LATE_MAX)
		r->lates[r->nlate++] = (struct rec_late){ kind, pid, arg };
}

const struct vgl_proc_view *rec_proc(struct vgl_recorder *r, uint32_t pid)
{
	const struct vgl_proc_view *v = OPS(r)->proc ? OPS(r)->proc(ST(r), pid) : NULL;
	uint64_t want = v ? v->version : RM_GONE;
	struct rm_slot *s = r->to_writer ? rm_get(&r->procs, pid, 0) : NULL;
	bool write = r->to_writer && (!s || s->v[0] != want || !want);
	uint32_t type = VGL_CAP_REC_PROC;

	r->wants += write;
	/* asking again may find it in /proc: the fast path does so once a second */
	r->unknown_proc |= !v;
	if (!write && !r->to_flight)
		return v;
	/* a view too big to encode is written as unknown rather than left stale */
	if (!v || vgl_caprec_proc(&r->rec, v)) {
		type = VGL_CAP_REC_PROC_GONE;
		if (vgl_caprec_proc_gone(&r->rec, pid))
			return v;
	}
	if (rec_emit(r, type, r->to_flight, write)) {
		s = rm_put(&r->procs, pid, 0);
		s->v[0] = want;
		if (type == VGL_CAP_REC_PROC_GONE)
			s->v[1] = 0; /* replay forgot its proc.env with it */
		rec_note_late(r, RK_PROC, pid, 0);
	}
	return v;
}

struct rec_lazy rec_lazy(struct vgl_recorder *r, uint32_t pid)
{
	const struct vgl_proc_view *v = OPS(r)->proc ? OPS(r)->proc(ST(r), pid) : NULL;
	struct rec_lazy a = { NULL, 0, -1 };
	struct rm_slot *s;
	uint64_t want;
	bool write;

	/*
	 * Written at this version: asking again answers the same, but for an
	 * unknown upper layer, which the state does not keep (asking again may
	 * read /proc each time): asked again once a second. A rule that asks
	 * in between gets its answer written as a late record.
	 */
	if (v && v->lazy_version && r->to_writer && !r->to_flight && !r->late &&
	    (s = rm_get(&r->procs, pid, 0)) &&
	    (s->v[1] == v->lazy_version ||
	     (s->v[1] == (v->lazy_version | LAZY_UNKNOWN_UPPER) && now(r) < s->v[4])))
		return a; /* the set does not use the answers */
	if (OPS(r)->proc_env)
		a.env = OPS(r)->proc_env(ST(r), pid, &a.env_len);
	if (OPS(r)->exe_upper_layer)
		a.upper = OPS(r)->exe_upper_layer(ST(r), pid);
	else if (v)
		a.upper = v->exe_upper_layer; /* what the rules read without the callback */
	if (!v)
		return a; /* no process: the rules read no proc.is_exe_upper_layer */
	want = v->lazy_version | (a.upper < 0 ? LAZY_UNKNOWN_UPPER : 0);
	s = r->to_writer ? rm_get(&r->procs, pid, 0) : NULL;
	write = r->to_writer && (!s || s->v[1] != want || !v->lazy_version);
	r->wants += write;
	if (s && a.upper < 0)
		s->v[4] = now(r) + REC_RETRY_NS;
	if (!write && !r->to_flight)
		return a;
	if (vgl_caprec_proc_lazy(&r->rec, pid, a.env, a.env_len, a.upper) &&
	    vgl_caprec_proc_lazy(&r->rec, pid, NULL, 0, a.upper))
		return a;
	if (rec_emit(r, VGL_CAP_REC_PROC_LAZY, r->to_flight, write)) {
		s = rm_put(&r->procs, pid, 0);
		s->v[1] = want;
		s->v[4] = now(r) + REC_RETRY_NS;
		rec_note_late(r, RK_LAZY, pid, 0);
	}
	return a;
}

/* A view too big to encode is written as unknown. */
static int encode_container(struct vgl_recorder *r, uint64_t cg, uint32_t pid,
			    const struct vgl_container_view *c)
{
	if (c && !vgl_caprec_container(&r->rec, cg, pid, c))
		return 0;
	return vgl_caprec_container(&r->rec, cg, pid, NULL);
}

/* The posture of the CONTAINER record just written, right after it (none: nothing known). */
static void emit_posture(struct vgl_recorder *r, uint64_t cg, uint32_t pid,
			 const struct vgl_container_view *c, bool flight, bool writer)
{
	if ((flight || writer) && c && !vgl_caprec_ctr_posture(&r->rec, cg, pid, &c->posture))
		rec_emit(r, VGL_CAP_REC_CTR_POSTURE, flight, writer);
}

/*
 * Replay answers (cg, pid) with the newer of its records for (cg, pid) and
 * (cg, 0). A changed answer is written for the whole cgroup when it comes
 * from the same live entry as the cgroup's (its metadata arrived), for the
 * process alone when not (a per-process answer: cgroup v1, a process that
 * moved).
 */
const struct vgl_container_view *rec_container(struct vgl_recorder *r, uint64_t cg, uint32_t pid)
{
	const struct vgl_container_view *c =
		OPS(r)->container ? OPS(r)->container(ST(r), cg, pid) : NULL;
	uint64_t want = c ? c->version : RM_GONE;
	struct rm_slot *g, *s, *d;
	uint32_t target = 0;
	bool write = false;

	if (r->to_writer) {
		g = rm_get(&r->ctrs, cg, 0);
		s = pid ? rm_get(&r->ctrs, cg, pid) : NULL;
		d = s && (!g || s->v[2] > g->v[2]) ? s : g;
		write = !d || d->v[0] != want || !want;
		target = !write || !g || g->v[1] == (uintptr_t)c ? 0 : pid;
		r->wants += write;
		r->unsure |= !c;
	}
	/* the flight's context is self-contained: always for the whole cgroup */
	if (r->to_flight && (!write || target) && !encode_container(r, cg, 0, c)) {
		rec_emit(r, VGL_CAP_REC_CONTAINER, true, false);
		emit_posture(r, cg, 0, c, true, false);
	}
	if (!write || encode_container(r, cg, target, c))
		return c;
	write = rec_emit(r, VGL_CAP_REC_CONTAINER, r->to_flight && !target, true);
	emit_posture(r, cg, target, c, r->to_flight && !target, write);
	if (write) {
		s = rm_put(&r->ctrs, cg, target);
		s->v[0] = want;
		s->v[1] = (uintptr_t)c;
		s->v[2] = ++r->wseq;
		rec_note_late(r, RK_CTR, pid, cg);
	}
	return c;
}

const struct vgl_fd_view *rec_fd(struct vgl_recorder *r, uint32_t pid, int64_t fd)
{
	const struct vgl_fd_view *f = OPS(r)->fd ? OPS(r)->fd(ST(r), pid, fd) : NULL;
	uint64_t want = f ? f->version : RM_GONE;
	struct rm_slot *s = r->to_writer ? rm_get(&r->fds, pid, (uint64_t)fd) : NULL;
	bool write = r->to_writer && (!s || s->v[0] != want || !want);
	uint32_t type = VGL_CAP_REC_FD;

	if (!write && !r->to_flight)
		return f;
	if (!f || vgl_caprec_fd(&r->rec, pid, fd, f)) {
		type = VGL_CAP_REC_FD_GONE;
		if (vgl_caprec_fd_gone(&r->rec, pid, fd))
			return f;
	}
	if (rec_emit(r, type, r->to_flight, write)) {
		rm_put(&r->fds, pid, (uint64_t)fd)->v[0] = want;
		rec_note_late(r, RK_FD, pid, (uint64_t)fd);
	}
	/* a followed socket's ends, right after it (replay clears them with the FD) */
	if (type == VGL_CAP_REC_FD && !vgl_caprec_fd_addr(&r->rec, pid, fd, f))
		rec_emit(r, VGL_CAP_REC_FD_ADDR, r->to_flight, write);
	return f;
}

/* proc.aname[1..N] and friends: the lookups ancestor() (f_proc.c) makes. */
static void ancestors(struct vgl_recorder *r, uint32_t pid)
{
	const struct vgl_proc_view *a;
	int i;

	for (i = 0; pid && i < VGL_RECORDER_ANCESTORS; i++) {
		if (!(a = rec_proc(r, pid)))
			return;
		r->chain[r->nchain++] = pid;
		if (!a->ppid || a->ppid == a->pid)
			return;
		pid = a->ppid;
	}
}

/* The descriptor fd_num() (f_fd.c) names, but an open's (see the top). */
static bool event_fd(const struct vgl_recorder *r, const struct vgl_event *ev, int64_t *ret)
{
	enum vgl_kind k = ev->kind;
	int i = r->fd_param[k];

	if (k == VGL_EV_ACCEPT || k == VGL_EV_ACCEPT4 || k == VGL_EV_DUP || k == VGL_EV_DUP2 ||
	    k == VGL_EV_DUP3) {
		*ret = ev->hdr.res;
		return ev->hdr.res >= 0;
	}
	if (i < 0 || (unsigned int)i >= ev->nparams || ev->params[i].absent)
		return false;
	*ret = ev->params[i].num.i;
	return *ret >= 0;
}

/* The set but the descriptor. */
static void lookups(struct vgl_recorder *r, const struct vgl_event *ev)
{
	const struct vgl_hdr *h = &ev->hdr;
	const struct vgl_container_view *c;
	const struct vgl_proc_view *v = NULL;

	c = rec_container(r, h->cgroup_id, h->pid);
	if (r->to_flight || !OPS(r)->users_of) /* copied: the view lives until the next lookup */
		snprintf(r->ctr_id, sizeof(r->ctr_id), "%s", c && c->id ? c->id : "host");
	if (h->pid && (v = rec_proc(r, h->pid))) {
		rec_lazy(r, h->pid);
		if (v->sid && v->sid != h->pid)
			rec_proc(r, v->sid);
		if (v->vpgid && v->vpgid != h->pid && v->vpgid != v->sid)
			rec_proc(r, v->vpgid);
	}
	ancestors(r, h->ppid);
	rec_event_users(r, ev);
}

void rec_context(struct vgl_recorder *r, const struct vgl_event *ev)
{
	struct rec_fast_mark m;
	int64_t fd;

	r->nchain = 0;
	r->chain[r->nchain++] = ev->hdr.pid;
	if (!rec_fast(r, ev)) {
		rec_fast_begin(r, &m);
		lookups(r, ev);
		rec_fast_end(r, ev, &m);
	}
	if (event_fd(r, ev, &fd))
		rec_fd(r, ev->hdr.pid, fd);
}
