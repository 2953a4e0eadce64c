/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Helpers shared by the rule engine tests: synthetic decoded events, a fake
 * state tracker, loading rules from text and collecting matches.
 */
#ifndef VIGIL_TEST_RULES_UTIL_H
#define VIGIL_TEST_RULES_UTIL_H

#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "decode/event.h"
#include "rules/rules.h"

struct tev {
	struct vgl_event ev;
	char buf[16384];
	size_t used;
};

static inline void tev_init(struct tev *t, enum vgl_kind kind, const char *comm, uint32_t pid,
			    int64_t res)
{
	unsigned int i;

	memset(t, 0, sizeof(*t));
	t->ev.kind = kind;
	t->ev.info = &vgl_kind_info[kind];
	t->ev.nparams = vgl_kind_info[kind].nparams;
	t->ev.hdr.kind = (uint16_t)kind;
	t->ev.hdr.pid = pid;
	t->ev.hdr.tid = pid;
	t->ev.hdr.ppid = 1;
	t->ev.hdr.res = res;
	t->ev.hdr.uid = t->ev.hdr.euid = 1000;
	t->ev.hdr.gid = t->ev.hdr.egid = 1000;
	t->ev.hdr.loginuid = 1000;
	t->ev.hdr.ts = 1000000000ull;
	t->ev.hdr.nparams = (uint16_t)t->ev.nparams;
	snprintf(t->ev.hdr.comm, sizeof(t->ev.hdr.comm), "%s", comm);
	for (i = 0; i < t->ev.nparams; i++) {
		t->ev.params[i].info = &vgl_kind_info[kind].params[i];
		t->ev.params[i].absent = true;
	}
}

static inline struct vgl_param *tev_param(struct tev *t, const char *name)
{
	int i = vgl_param_index(t->ev.kind, name);

	if (i < 0) {
		fprintf(stderr, "test bug: %s has no parameter %s\n", t->ev.info->name, name);
		abort();
	}
	t->ev.params[i].absent = false;
	return &t->ev.params[i];
}

/* A string, path or NUL-separated argv parameter (@len bytes, without the last NUL). */
static inline void tev_bytes(struct tev *t, const char *name, const char *s, size_t len)
{
	struct vgl_param *p = tev_param(t, name);

	memcpy(t->buf + t->used, s, len);
	t->buf[t->used + len] = '\0';
	p->str = t->buf + t->used;
	p->len = len;
	t->used += len + 1;
}

static inline void tev_str(struct tev *t, const char *name, const char *s)
{
	tev_bytes(t, name, s, strlen(s));
}

/* argv given as "a b c" split on spaces. */
static inline void tev_argv(struct tev *t, const char *name, const char *words)
{
	char tmp[4096];
	size_t i, n = strlen(words);

	memcpy(tmp, words, n + 1);
	for (i = 0; i < n; i++) {
		if (tmp[i] == ' ')
			tmp[i] = '\0';
	}
	tev_bytes(t, name, tmp, n + 1);
	tev_param(t, name)->len = n + 1;
}

static inline void tev_num(struct tev *t, const char *name, int64_t v)
{
	tev_param(t, name)->num.i = v;
}

static inline void tev_sa(struct tev *t, const char *name, const char *ip, uint16_t port)
{
	struct vgl_param *p = tev_param(t, name);

	memset(&p->sa, 0, sizeof(p->sa));
	p->sa.port = port;
	if (inet_pton(AF_INET, ip, p->sa.addr) == 1) {
		p->sa.family = AF_INET;
	} else if (inet_pton(AF_INET6, ip, p->sa.addr) == 1) {
		p->sa.family = AF_INET6;
	} else {
		p->sa.family = AF_UNIX;
		p->sa.path = ip;
		p->sa.path_len = strlen(ip);
		p->sa.port = 0;
	}
}

/* An execve of @argv ("prog arg ...") by @comm with exe path @exe. */
static inline void tev_exec(struct tev *t, const char *comm, const char *exe, const char *argv)
{
	tev_init(t, VGL_EV_EXECVE, comm, 4242, 0);
	tev_str(t, "filename", exe);
	tev_str(t, "exe", exe);
	tev_str(t, "cwd", "/home/user");
	tev_argv(t, "args", argv);
}

/* An openat of @path with @flags by @comm; res is the fd or -errno. */
static inline void tev_open(struct tev *t, const char *comm, const char *path, int64_t flags,
			    int64_t res)
{
	tev_init(t, VGL_EV_OPENAT, comm, 4242, res);
	tev_num(t, "dirfd", -100);
	tev_str(t, "name", path);
	tev_str(t, "path", path);
	tev_num(t, "flags", flags);
	tev_num(t, "mode", 0);
}

/* Matches of one evaluation, by rule name. */
struct hits {
	char names[64][128];
	size_t n;
};

static inline int hits_cb(void *data, const struct vgl_ruleset *rs, size_t rule,
			  struct vgl_match_ctx *ctx)
{
	struct hits *h = data;

	(void)ctx;
	if (h->n < 64)
		snprintf(h->names[h->n++], sizeof(h->names[0]), "%s",
			 vgl_ruleset_rule(rs, rule)->name);
	return 0;
}

static inline bool hits_has(const struct hits *h, const char *name)
{
	size_t i;

	for (i = 0; i < h->n; i++) {
		if (!strcmp(h->names[i], name))
			return true;
	}
	return false;
}

/* Print every diagnostic (test failure context). */
static inline void diag_dump(const struct vgl_diag *d)
{
	char line[1400];
	size_t i;

	for (i = 0; i < d->n; i++) {
		vgl_diag_format(&d->v[i], line, sizeof(line));
		fprintf(stderr, "  %s\n", line);
	}
}

/* Load rules from text; NULL (and the diagnostics printed) on failure. */
static inline struct vgl_ruleset *rules_from(const char *text)
{
	struct vgl_ruleset *rs = NULL;
	struct vgl_diag d;

	vgl_diag_init(&d);
	if (vgl_ruleset_load_text("test.yaml", text, strlen(text), NULL, &rs, &d))
		diag_dump(&d);
	vgl_diag_free(&d);
	return rs;
}

/* The first error of loading @text, formatted, into @buf ("" if it loads). */
static inline const char *first_error(const char *text, char *buf, size_t size)
{
	struct vgl_ruleset *rs = NULL;
	struct vgl_diag d;
	size_t i;

	buf[0] = '\0';
	vgl_diag_init(&d);
	if (vgl_ruleset_load_text("test.yaml", text, strlen(text), NULL, &rs, &d)) {
		for (i = 0; i < d.n && d.v[i].warning; i++)
			;
		if (i < d.n)
			vgl_diag_format(&d.v[i], buf, size);
	}
	vgl_ruleset_free(rs);
	vgl_diag_free(&d);
	return buf;
}

/* Evaluate @ev against @rs with optional state; returns the number of matches. */
static inline int eval_hits(const struct vgl_ruleset *rs, const struct vgl_event *ev,
			    const struct vgl_field_state_ops *ops, void *state, struct hits *h)
{
	struct vgl_match_ctx *ctx = vgl_match_ctx_new(rs);
	int n;

	memset(h, 0, sizeof(*h));
	n = vgl_ruleset_eval(rs, ctx, ev, ops, state, hits_cb, h);
	vgl_match_ctx_free(ctx);
	return n;
}

#endif /* VIGIL_TEST_RULES_UTIL_H */
