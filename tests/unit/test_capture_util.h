/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Test helpers for recording and replaying context (capture/recorder.h,
 * capture/replaystate.h):
 *
 *	tsnap()    every answer a rule could read for an event, asked of any
 *	           state callbacks, as one string: what live and replay must
 *	           agree on (written from the field extractors, independently
 *	           of the recorder's own list)
 *	tbuild()   an event record made by hand, decoded
 *	touts()    the text of every rule of a rule set for an event
 *	tplay      a capture file read back: context applied, each event's
 *	           snapshot and rule outputs taken from the recorded state
 */
#ifndef VIGIL_TESTS_TEST_CAPTURE_UTIL_H
#define VIGIL_TESTS_TEST_CAPTURE_UTIL_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "capture/reader.h"
#include "capture/replaystate.h"
#include "decode/event.h"
#include "rules/rules.h"
#include "test_record.h"

static inline void tsnap_str(FILE *f, const char *s)
{
	fprintf(f, s ? "'%s'," : "NULL,", s);
}

static inline void tsnap_blob(FILE *f, const char *s, size_t len)
{
	if (!s) {
		fputs("NULL,", f);
		return;
	}
	fputc('\'', f);
	for (size_t i = 0; i < len; i++)
		fputc(s[i] ? s[i] : '|', f);
	fputs("',", f);
}

static inline void tsnap_proc(FILE *f, const char *tag, uint32_t pid, const struct vgl_proc_view *v)
{
	fprintf(f, "\n%s(%u)=", tag, pid);
	if (!v) {
		fputs("none", f);
		return;
	}
	fprintf(f, "%u/%u/%u/%u/%u,", v->pid, v->ppid, v->vpid, v->sid, v->vpgid);
	tsnap_str(f, v->name);
	tsnap_str(f, v->exe);
	tsnap_str(f, v->exepath);
	tsnap_blob(f, v->args, v->args_len);
	tsnap_str(f, v->cwd);
	tsnap_blob(f, v->env, v->env_len);
	fprintf(f, "tty=%lld,start=%lld,caps=%d/%llx/%llx/%llx,upper=%d,memfd=%d",
		(long long)v->tty, (long long)v->start_ts, v->caps_known,
		(unsigned long long)v->cap_permitted, (unsigned long long)v->cap_effective,
		(unsigned long long)v->cap_inheritable, v->exe_upper_layer, v->exe_from_memfd);
}

static inline void tsnap_ctr(FILE *f, const struct vgl_container_view *c)
{
	fputs("\ncontainer=", f);
	if (!c) {
		fputs("none", f);
		return;
	}
	tsnap_str(f, c->id);
	tsnap_str(f, c->name);
	tsnap_str(f, c->type);
	tsnap_str(f, c->image);
	tsnap_str(f, c->image_id);
	tsnap_str(f, c->image_repository);
	tsnap_str(f, c->image_tag);
	tsnap_str(f, c->image_digest);
	fprintf(f, "priv=%d/%d,start=%lld,mounts%s=", c->privileged_known, c->privileged,
		(long long)c->start_ts, c->mounts ? "" : "(NULL)");
	for (size_t i = 0; i < c->nmounts; i++) {
		tsnap_str(f, c->mounts[i].source);
		tsnap_str(f, c->mounts[i].dest);
		tsnap_str(f, c->mounts[i].mode);
		fprintf(f, "%d,", c->mounts[i].rw);
		tsnap_str(f, c->mounts[i].propagation);
	}
	tsnap_str(f, c->k8s_ns_name);
	tsnap_str(f, c->k8s_pod_name);
	tsnap_str(f, c->k8s_pod_uid);
	fprintf(f, "labels%s=", c->pod_labels ? "" : "(NULL)");
	for (size_t i = 0; i < c->npod_labels; i++) {
		tsnap_str(f, c->pod_labels[i].key);
		tsnap_str(f, c->pod_labels[i].value);
	}
	fprintf(f, "posture=%x/%x,%llx,%lld,%lld,%lld,%lld,", c->posture.known, c->posture.set,
		(unsigned long long)c->posture.cap_effective, (long long)c->posture.uid,
		(long long)c->posture.memory_limit, (long long)c->posture.cpu_limit,
		(long long)c->posture.pids_limit);
	tsnap_str(f, c->posture.user);
	tsnap_str(f, c->posture.seccomp);
	tsnap_str(f, c->posture.apparmor);
	tsnap_str(f, c->posture.selinux);
	tsnap_str(f, c->posture.ip);
}

static inline void tsnap_user(FILE *f, const struct vgl_field_state_ops *o, void *st, uint32_t uid,
			      uint32_t pid)
{
	fprintf(f, "\nuser(%u)=", uid);
	tsnap_str(f, o->user_name(st, uid, pid));
	tsnap_str(f, o->user_home(st, uid, pid));
	tsnap_str(f, o->user_shell(st, uid, pid));
}

/* The descriptor fd.* fields ask about (f_fd.c fd_num()), opens included. */
static inline bool tsnap_fdnum(const struct vgl_event *ev, int64_t *ret)
{
	enum vgl_kind k = ev->kind;
	int i = vgl_param_index(k, "fd");

	if (k == VGL_EV_OPENAT || k == VGL_EV_OPEN || k == VGL_EV_ACCEPT || k == VGL_EV_DUP) {
		*ret = ev->hdr.res;
		return ev->hdr.res >= 0;
	}
	if (i < 0 || ev->params[i].absent)
		return false;
	*ret = ev->params[i].num.i;
	return *ret >= 0;
}

/*
 * Everything a rule could read for @ev through @o, @depth ancestors deep and
 * with an open's descriptor when @open_fd; free() the result.
 */
static inline char *tsnap(const struct vgl_field_state_ops *o, void *st, const struct vgl_event *ev,
			  bool open_fd, uint32_t depth)
{
	const struct vgl_hdr *h = &ev->hdr;
	const struct vgl_proc_view *v, *a;
	char *buf = NULL;
	size_t len = 0, n;
	int64_t fd;
	FILE *f = open_memstream(&buf, &len);

	tsnap_ctr(f, o->container(st, h->cgroup_id, h->pid));
	v = o->proc(st, h->pid);
	tsnap_proc(f, "self", h->pid, v);
	if (v) {
		const char *env = o->proc_env(st, h->pid, &n);

		fputs("\nenv=", f);
		tsnap_blob(f, env, env ? n : 0);
		fprintf(f, "upper=%d", o->exe_upper_layer(st, h->pid));
		if (v->sid)
			tsnap_proc(f, "sid", v->sid, o->proc(st, v->sid));
		if (v->vpgid)
			tsnap_proc(f, "vpgid", v->vpgid, o->proc(st, v->vpgid));
	}
	for (uint32_t i = 0, pid = h->ppid; pid && i < depth; i++) {
		a = o->proc(st, pid);
		tsnap_proc(f, "anc", pid, a);
		if (!a || !a->ppid || a->ppid == a->pid)
			break;
		pid = a->ppid;
	}
	tsnap_user(f, o, st, h->euid, h->pid);
	if (h->loginuid != UINT32_MAX)
		tsnap_user(f, o, st, h->loginuid, h->pid);
	for (unsigned int i = 0; i < ev->nparams; i++) {
		const struct vgl_param *p = &ev->params[i];

		if (p->info->type == VGL_PT_UID && !p->absent && p->num.u != (uint32_t)-1)
			tsnap_user(f, o, st, (uint32_t)p->num.u, h->pid);
	}
	fprintf(f, "\ngroup(%u)=", h->egid);
	tsnap_str(f, o->group_name(st, h->egid, h->pid));
	if (tsnap_fdnum(ev, &fd) &&
	    (open_fd || (ev->kind != VGL_EV_OPENAT && ev->kind != VGL_EV_OPEN))) {
		const struct vgl_fd_view *d = o->fd(st, h->pid, fd);

		fprintf(f, "\nfd(%lld)=", (long long)fd);
		if (d) {
			fprintf(f, "%c,", d->typechar ? d->typechar : '0');
			tsnap_str(f, d->name);
			tsnap_str(f, d->l4proto);
			fprintf(f, "%d", d->connected);
		} else {
			fputs("none", f);
		}
	}
	fprintf(f, "\nhostname=%s", o->hostname(st));
	fclose(f);
	return buf;
}

/* Header fields of a hand-made event. */
struct tspec {
	enum vgl_kind kind;
	uint32_t pid, ppid, uid, euid, egid, loginuid;
	uint64_t cg, ts;
	int64_t res;
	const char *comm;
};

/* Start a record of @s; add its parameters, then tbuild(). */
static inline struct trec *tstart(const struct tspec *s)
{
	struct trec *t = trec_new(s->kind);

	t->hdr.pid = t->hdr.tid = s->pid;
	t->hdr.ppid = s->ppid;
	t->hdr.uid = s->uid;
	t->hdr.euid = s->euid;
	t->hdr.gid = t->hdr.egid = s->egid;
	t->hdr.loginuid = s->loginuid;
	t->hdr.cgroup_id = s->cg;
	t->hdr.ts = s->ts;
	t->hdr.res = s->res;
	memset(t->hdr.comm, 0, sizeof(t->hdr.comm));
	snprintf(t->hdr.comm, sizeof(t->hdr.comm), "%s", s->comm ? s->comm : "x");
	return t;
}

/* Lay out and decode: @ev points into @t->rec, which must outlive it. */
static inline void tbuild(struct trec *t, struct vgl_event *ev)
{
	trec_finish(t);
	if (vgl_decode(t->rec, t->size, ev, NULL))
		abort();
}

struct touts {
	char *text;
	size_t len;
	FILE *f;
};

static inline int touts_cb(void *data, const struct vgl_ruleset *rs, size_t rule,
			   struct vgl_match_ctx *ctx)
{
	struct touts *o = data;
	char line[8192];

	vgl_alert_format(ctx, rule, line, sizeof(line));
	fprintf(o->f, "%s: %s\n", vgl_ruleset_rule(rs, rule)->name, line);
	return 0;
}

/* What the rules of @rs print for @ev through @o; free() the result. */
static inline char *touts(const struct vgl_ruleset *rs, struct vgl_match_ctx *mctx,
			  const struct vgl_event *ev, const struct vgl_field_state_ops *o, void *st)
{
	struct touts out = { 0 };

	out.f = open_memstream(&out.text, &out.len);
	vgl_ruleset_eval(rs, mctx, ev, o, st, touts_cb, &out);
	fclose(out.f);
	return out.text;
}

#endif /* VIGIL_TESTS_TEST_CAPTURE_UTIL_H */
