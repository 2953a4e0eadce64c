/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Test helper for the context of event lines (docs/events.md, "Context"): a
 * fake state behind struct vgl_field_state_ops (processes, one container for
 * every event, user names) and the lines formatted with it.
 *
 *	decode(openat_rec()); add_tree(); ctr = &pod;
 *	check_ctx(" proc.exepath=...", ", \"proc.exepath\": ...");
 *
 * Include after <cmocka.h>. Tests run with reset() as their setup and
 * free_record() as the group's teardown.
 */
#ifndef VIGIL_TESTS_TEST_EVENTFMT_CTX_UTIL_H
#define VIGIL_TESTS_TEST_EVENTFMT_CTX_UTIL_H

#include <fcntl.h>
#include <jansson.h>

#include "decode/event.h"
#include "output/eventfmt.h"
#include "test_record.h"

#define UNUSED __attribute__((unused))

/* --- the fake state ---------------------------------------------------------- */

#define NPROCS 16
static UNUSED struct vgl_proc_view procs[NPROCS];
static UNUSED size_t nprocs;
static UNUSED struct vgl_container_view pod = { .id = "3ad7b2c1e9f0",
						.name = "web",
						.image = "nginx:1.25",
						.k8s_ns_name = "prod",
						.k8s_pod_name = "web-7d4b9" };
static UNUSED struct vgl_container_view host = { .id = "host", .name = "host" };
static const struct vgl_container_view *ctr; /* for every event; NULL unknown */
static UNUSED unsigned int lookups;	     /* proc() calls */
static UNUSED const char *user_names;	     /* every uid's name, if set */

static inline void add_proc(uint32_t pid, uint32_t ppid, const char *name, const char *exepath,
			    const char *args, size_t args_len)
{
	assert_true(nprocs < NPROCS);
	procs[nprocs++] = (struct vgl_proc_view){ .pid = pid,
						  .ppid = ppid,
						  .name = name,
						  .exepath = exepath,
						  .args = args,
						  .args_len = args_len };
}

static inline const struct vgl_proc_view *f_proc(void *state, uint32_t pid)
{
	assert_ptr_equal(state, &procs);
	lookups++;
	for (size_t i = 0; i < nprocs; i++) {
		if (procs[i].pid == pid)
			return &procs[i];
	}
	return NULL;
}

static inline const struct vgl_container_view *f_container(void *state UNUSED, uint64_t cgroup_id,
							   uint32_t pid)
{
	assert_int_equal(cgroup_id, 4242);
	assert_int_equal(pid, TREC_PID);
	return ctr;
}

static inline const char *f_user_name(void *state UNUSED, uint32_t uid, uint32_t pid)
{
	assert_int_equal(pid, TREC_PID);
	if (user_names)
		return user_names;
	return uid == 0 ? "root" : uid == 1000 ? "alice" : NULL;
}

static const struct vgl_field_state_ops fake_ops = {
	.proc = f_proc,
	.container = f_container,
	.user_name = f_user_name,
};

/* hdr.ts = TREC_TS is 2026-11-22T08:10:00.123456789Z */
#define WALL_NS 1795335000123456789LL
static UNUSED struct vgl_fmt_opts opts = { .boot_to_realtime_ns = WALL_NS - (int64_t)TREC_TS,
					   .sops = &fake_ops,
					   .sctx = &procs };

static inline int reset(void **state UNUSED)
{
	nprocs = 0;
	ctr = NULL;
	lookups = 0;
	user_names = NULL;
	opts.sops = &fake_ops;
	return 0;
}

/* --- lines ------------------------------------------------------------------- */

static UNUSED struct trec *cur;
static UNUSED struct vgl_event ev;
static char line[VGL_FMT_BUF_MAX];

static inline void decode(struct trec *r)
{
	size_t size = trec_finish(r);

	free(cur);
	cur = r;
	assert_int_equal(vgl_decode(r->rec, size, &ev, NULL), 0);
}

static inline int free_record(void **state UNUSED)
{
	free(cur);
	cur = NULL;
	return 0;
}

/* The context keys, their types as docs/events.md gives them. */
static inline void check_schema(const char *text)
{
	static const char *const strs[] = { "proc.exepath",   "proc.cmdline",	 "proc.pname",
					    "user.name",      "user.loginname",	 "container.id",
					    "container.name", "container.image", "k8s.ns.name",
					    "k8s.pod.name" };
	json_t *o = json_loads(text, JSON_REJECT_DUPLICATES, NULL), *a, *e;
	size_t i;

	assert_non_null(o);
	for (i = 0; i < sizeof(strs) / sizeof(strs[0]); i++) {
		json_t *v = json_object_get(o, strs[i]);

		if (!v || !(json_is_string(v) || json_is_null(v)))
			fail_msg("%s: want a string or null: %s", strs[i], text);
	}
	a = json_object_get(o, "proc.ancestors");
	assert_true(json_is_array(a));
	assert_true(json_array_size(a) <= VGL_FMT_ANCESTORS_MAX);
	json_array_foreach(a, i, e)
	{
		assert_true(json_is_integer(json_object_get(e, "pid")));
		e = json_object_get(e, "name");
		assert_true(json_is_string(e) || json_is_null(e));
	}
	json_decref(o);
}

/* The line's text after its parameters (human) or after "args" (JSON). */
static inline const char *ctx_of(enum vgl_fmt_style style)
{
	int n = vgl_fmt_event(&ev, style, &opts, line, sizeof(line));
	const char *p;

	assert_int_equal(n, strlen(line));
	if (style == VGL_FMT_JSON) {
		check_schema(line);
		p = strstr(line, "}, \"proc.exepath\"");
		assert_non_null(p);
		return p + 1;
	}
	p = strstr(line, " proc.exepath=");
	assert_non_null(p);
	return p;
}

static inline void check_ctx(const char *human, const char *json)
{
	assert_string_equal(ctx_of(VGL_FMT_HUMAN), human);
	assert_string_equal(ctx_of(VGL_FMT_JSON), json);
}

static inline struct trec *openat_rec(void)
{
	struct trec *r = trec_new(VGL_EV_OPENAT);

	r->hdr.res = 3;
	trec_s64(r, AT_FDCWD);
	trec_str(r, "/etc/passwd");
	trec_str(r, "/etc/passwd");
	trec_u64(r, O_RDONLY);
	trec_u64(r, 0);
	return r;
}

/* cat (1234) <- bash (1000) <- containerd-shim (900) <- systemd (1) */
static inline void add_tree(void)
{
	add_proc(TREC_PID, TREC_PPID, "cat", "/usr/bin/cat", "/etc/passwd\0-n\0", 15);
	add_proc(TREC_PPID, 900, "bash", "/usr/bin/bash", NULL, 0);
	add_proc(900, 1, "containerd-shim", "/usr/bin/containerd-shim-runc-v2", NULL, 0);
	add_proc(1, 0, "systemd", "/usr/lib/systemd/systemd", NULL, 0);
}

#define TREE_HUMAN                                                            \
	" proc.exepath=\"/usr/bin/cat\" proc.cmdline=\"cat /etc/passwd -n\" " \
	"proc.ancestors=bash[1000],containerd-shim[900],systemd[1]"
#define TREE_JSON                                                                              \
	", \"proc.exepath\": \"/usr/bin/cat\", \"proc.cmdline\": \"cat /etc/passwd -n\", "     \
	"\"proc.pname\": \"bash\", \"proc.ancestors\": [{\"pid\": 1000, \"name\": \"bash\"}, " \
	"{\"pid\": 900, \"name\": \"containerd-shim\"}, {\"pid\": 1, \"name\": \"systemd\"}]"

#endif /* VIGIL_TESTS_TEST_EVENTFMT_CTX_UTIL_H */
