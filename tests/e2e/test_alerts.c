// SPDX-License-Identifier: Apache-2.0
/*
 * End-to-end alerts: `vigil run --json -r RULES` against real syscalls made
 * by forked children, checked on the Falco-compatible JSON alert a user
 * sees — a rule written by the test, the bundled rules, and a SIGHUP reload
 * (good rules replace the old ones; broken rules are reported with
 * file:line:col and the old ones keep running).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/stat.h>

#include "harness.h"

#define ALERT_WAIT_MS  10000
#define RELOAD_WAIT_MS 15000

/* A rule that fires when @path is opened for reading. */
static void write_open_rule(const char *rules_path, const char *rule, const char *path)
{
	char text[PATH_MAX * 2 + 512];

	snprintf(text, sizeof(text),
		 "- rule: %s\n"
		 "  desc: an end-to-end test file was opened for reading\n"
		 "  condition: >\n"
		 "    evt.type in (open, openat, openat2) and fd.name = %s\n"
		 "    and evt.is_open_read=true\n"
		 "  output: >\n"
		 "    e2e open (proc=%%proc.name parent=%%proc.pname file=%%fd.name\n"
		 "    user=%%user.name container=%%container.id)\n"
		 "  priority: NOTICE\n"
		 "  tags: [e2e, filesystem]\n",
		 rule, path);
	e2e_write_file(rules_path, text);
}

/* In a child: open every path of the NULL-terminated list for reading. */
static void open_paths(void *ctx)
{
	for (const char *const *p = ctx; *p; p++) {
		int fd = open(*p, O_RDONLY | O_CLOEXEC);

		E2E_CHECK(fd >= 0);
		close(fd);
	}
}

static void make_file(const char *path)
{
	e2e_write_file(path, "e2e\n");
}

typedef char e2e_path[PATH_MAX + 16];

/*
 * The set-up of the tests below, as root: a private directory @dir with a
 * small file for each of @names (NULL-terminated; their paths in @paths),
 * and the path of a rule file in it whose rule @rule fires on reads of the
 * first one.
 */
static const char *open_rule_setup(char *dir, size_t dirlen, const char *const *names,
				   e2e_path *paths, const char *rule)
{
	const char *rules;

	e2e_require_root();
	e2e_tmpdir(dir, dirlen);
	for (size_t i = 0; names[i]; i++) {
		snprintf(paths[i], sizeof(paths[i]), "%s/%s", dir, names[i]);
		make_file(paths[i]);
	}
	rules = tu_join(dir, "rules.yaml");
	write_open_rule(rules, rule, paths[0]);
	return rules;
}

/* A rule written by the test fires once, with the expected fields, and only on its file. */
static void test_own_rule(void **state)
{
	char dir[PATH_MAX];
	e2e_path f[2];
	const char *marker = f[0], *other = f[1];
	const char *rules;
	struct e2e_vigil *v;
	const json_t *a;

	(void)state;
	rules = open_rule_setup(dir, sizeof(dir), (const char *[]){ "marker", "other", NULL }, f,
				"e2e read marker");

	v = e2e_start((const char *[]){ rules, NULL });
	e2e_spawn("e2e-other", open_paths, (const char *[]){ other, NULL });
	e2e_spawn("e2e-reader", open_paths, (const char *[]){ marker, NULL });
	e2e_wait_alert(v, (&(struct e2e_match){ .rule = "e2e read marker" }), ALERT_WAIT_MS);
	e2e_stop(v);

	a = e2e_expect_one(v, (&(struct e2e_match){ .rule = "e2e read marker" }));
	e2e_assert_top(a, "priority", "Notice");
	e2e_assert_top(a, "source", "syscall");
	e2e_assert_field(a, "proc.name", "e2e-reader");
	e2e_assert_field(a, "proc.pname", e2e_self_comm());
	e2e_assert_field(a, "fd.name", marker);
	e2e_assert_field(a, "user.name", "root");
	e2e_assert_field(a, "container.id", "host");
	assert_non_null(strstr(json_string_value(json_object_get(a, "output")),
			       "e2e open (proc=e2e-reader parent="));
	assert_int_equal(json_array_size(v->alerts), 1); /* nothing for "other" */
}

/* In a child: connect to @ctx ("127.0.0.1" or "192.0.2.1") port 9 over TCP. */
static void connect_to(void *ctx)
{
	struct sockaddr_in sin = { .sin_family = AF_INET, .sin_port = htons(9) };
	int fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);

	E2E_CHECK(fd >= 0 && inet_pton(AF_INET, ctx, &sin.sin_addr) == 1);
	(void)connect(fd, (struct sockaddr *)&sin, sizeof(sin)); /* refused or pending */
	close(fd);
}

/*
 * fd.sip.name as in Falco: the rule's names are resolved by vigil ahead of
 * the events ("localhost" from /etc/hosts), and a connect to one of their
 * addresses has that name; a connect elsewhere has none.
 */
static void test_server_name(void **state)
{
	char dir[PATH_MAX];
	const char *rules;
	struct e2e_vigil *v;
	const json_t *a;

	(void)state;
	e2e_require_root();
	e2e_tmpdir(dir, sizeof(dir));
	rules = tu_join(dir, "rules.yaml");
	e2e_write_file(rules,
		       "- rule: e2e connect by name\n"
		       "  desc: a connect to localhost, matched by its name\n"
		       "  condition: evt.type = connect and fd.sip.name = localhost\n"
		       "  output: e2e connect by %proc.name to %fd.sip.name (%fd.sip:%fd.sport)\n"
		       "  priority: NOTICE\n");
	v = e2e_start((const char *[]){ rules, NULL });
	e2e_spawn("e2e-elsewhere", connect_to, "192.0.2.1");
	e2e_spawn("e2e-byname", connect_to, "127.0.0.1");
	e2e_wait_alert(v, (&(struct e2e_match){ .rule = "e2e connect by name" }), ALERT_WAIT_MS);
	e2e_stop(v);
	a = e2e_expect_one(v, (&(struct e2e_match){ .rule = "e2e connect by name" }));
	e2e_assert_field(a, "proc.name", "e2e-byname");
	e2e_assert_field(a, "fd.sip.name", "localhost");
	assert_non_null(strstr(json_string_value(json_object_get(a, "output")),
			       ": Notice e2e connect by e2e-byname to localhost (127.0.0.1:9)"));
	assert_int_equal(json_array_size(v->alerts), 1);
}

static void read_shadow(void *ctx)
{
	(void)ctx;
	open_paths((const char *[]){ "/etc/shadow", NULL });
}

/* The bundled rules: reading /etc/shadow raises "Read sensitive file". */
static void test_bundled_sensitive_file(void **state)
{
	const struct e2e_match m = { .rule = "Read sensitive file",
				     .fields = { { "proc.name", "e2e-shadow" } } };
	json_t *tags = json_pack("[sssss]", "vigil", "filesystem", "credentials",
				 "mitre_credential_access", "T1003");
	struct e2e_vigil *v;
	const json_t *a;
	bool tags_ok;

	(void)state;
	e2e_require_root();
	v = e2e_start((const char *[]){ e2e_source_path("rules/vigil_rules.yaml"), NULL });
	e2e_spawn("e2e-shadow", read_shadow, NULL);
	e2e_wait_alert(v, &m, ALERT_WAIT_MS);
	e2e_stop(v);

	a = e2e_expect_one(v, &m);
	e2e_assert_top(a, "priority", "Warning");
	e2e_assert_field(a, "fd.name", "/etc/shadow");
	e2e_assert_field(a, "user.name", "root");
	e2e_assert_field(a, "proc.pname", e2e_self_comm());
	e2e_assert_field(a, "container.id", "host");
	tags_ok = json_equal(json_object_get(a, "tags"), tags);
	json_decref(tags);
	if (!tags_ok)
		e2e_print_alert("tags differ from rules/vigil_rules.yaml: ", a);
	assert_true(tags_ok);
}

/* Open both trigger files from a child named @comm. */
static void trigger(const char *comm, const char *file_a, const char *file_b)
{
	e2e_spawn(comm, open_paths, (const char *[]){ file_a, file_b, NULL });
}

/* SIGHUP: a good file replaces the rules; a broken one is reported and ignored. */
static void test_reload(void **state)
{
	char dir[PATH_MAX], loc[PATH_MAX + 32];
	e2e_path f[2];
	const char *fa = f[0], *fb = f[1];
	const char *rules;
	struct e2e_vigil *v;

	(void)state;
	rules = open_rule_setup(dir, sizeof(dir), (const char *[]){ "a", "b", NULL }, f,
				"e2e rule A");

	v = e2e_start((const char *[]){ rules, NULL });
	trigger("e2e-trig1", fa, fb);
	e2e_wait_alert(v, (&(struct e2e_match){ .rule = "e2e rule A" }), ALERT_WAIT_MS);

	write_open_rule(rules, "e2e rule B", fb);
	e2e_signal(v, SIGHUP);
	e2e_wait_stderr(v, "vigil: rules reloaded: 1 rules", 1, RELOAD_WAIT_MS);
	trigger("e2e-trig2", fa, fb);
	e2e_wait_alert(v, (&(struct e2e_match){ .rule = "e2e rule B" }), ALERT_WAIT_MS);

	/* line 3, column 36: the unknown field inside the condition */
	e2e_write_file(rules, "- rule: e2e rule broken\n"
			      "  desc: broken on purpose\n"
			      "  condition: evt.type = openat and fd.nosuchfield = x\n"
			      "  output: never (%proc.name)\n"
			      "  priority: NOTICE\n");
	e2e_signal(v, SIGHUP);
	e2e_wait_stderr(v, "vigil: error: reload failed, keeping the running rules", 1,
			RELOAD_WAIT_MS);
	snprintf(loc, sizeof(loc), "%s:3:36: error: unknown field 'fd.nosuchfield'", rules);
	if (e2e_stderr_count(v, loc) != 1)
		fail_msg("stderr does not name the error as \"%s\":\n%s", loc, v->err_text);
	assert_int_equal(e2e_stderr_count(v, "rules reloaded"), 1);
	trigger("e2e-trig3", fa, fb);
	e2e_wait_alert(v,
		       (&(struct e2e_match){ .rule = "e2e rule B",
					     .fields = { { "proc.name", "e2e-trig3" } } }),
		       ALERT_WAIT_MS);
	e2e_stop(v);

	/* A before the reload only; B after it only, from the good and the kept rules. */
	e2e_expect_one(v, (&(struct e2e_match){ .rule = "e2e rule A",
						.fields = { { "proc.name", "e2e-trig1" } } }));
	e2e_expect_one(v, (&(struct e2e_match){
				  .rule = "e2e rule B",
				  .fields = { { "proc.name", "e2e-trig2" }, { "fd.name", fb } } }));
	e2e_expect_one(v, (&(struct e2e_match){
				  .rule = "e2e rule B",
				  .fields = { { "proc.name", "e2e-trig3" }, { "fd.name", fb } } }));
	assert_int_equal(e2e_count(v, &(struct e2e_match){ .rule = "e2e rule A" }), 1);
	assert_int_equal(e2e_count(v, &(struct e2e_match){ .rule = "e2e rule B" }), 2);
	assert_int_equal(e2e_count(v, &(struct e2e_match){ .rule = "e2e rule broken" }), 0);
	assert_int_equal(json_array_size(v->alerts), 3);
}

static void make_dir(void *ctx)
{
	E2E_CHECK(mkdir(ctx, 0755) == 0);
}

/*
 * A reload that needs a syscall nothing captured before (mkdir) hooks it
 * then, and the syscalls wanted before and after (openat) stay hooked once:
 * one alert per call, not two.
 */
static void test_reload_new_syscall(void **state)
{
	char dir[PATH_MAX], md[PATH_MAX + 8], text[3 * PATH_MAX + 512];
	e2e_path f[1];
	const char *fa = f[0];
	const char *rules;
	struct e2e_vigil *v;

	(void)state;
	rules = open_rule_setup(dir, sizeof(dir), (const char *[]){ "a", NULL }, f, "e2e rule A");
	snprintf(md, sizeof(md), "%s/m", dir);

	v = e2e_start((const char *[]){ rules, NULL });
	e2e_spawn("e2e-mkdir1", make_dir, md); /* not captured yet */
	assert_int_equal(rmdir(md), 0);
	trigger("e2e-trig1", fa, fa);
	e2e_wait_alert(v, (&(struct e2e_match){ .rule = "e2e rule A" }), ALERT_WAIT_MS);

	snprintf(text, sizeof(text),
		 "- rule: e2e rule A\n"
		 "  desc: the same rule as before the reload\n"
		 "  condition: evt.type in (open, openat, openat2) and fd.name = %s\n"
		 "  output: e2e open (proc=%%proc.name file=%%fd.name)\n"
		 "  priority: NOTICE\n"
		 "- rule: e2e rule M\n"
		 "  desc: a directory was made\n"
		 "  condition: evt.type in (mkdir, mkdirat) and evt.arg.path = %s\n"
		 "  output: e2e mkdir (proc=%%proc.name path=%%evt.arg.path)\n"
		 "  priority: NOTICE\n",
		 fa, md);
	e2e_write_file(rules, text);
	e2e_signal(v, SIGHUP);
	e2e_wait_stderr(v, "vigil: rules reloaded: 2 rules", 1, RELOAD_WAIT_MS);
	e2e_spawn("e2e-mkdir2", make_dir, md);
	trigger("e2e-trig2", fa, fa);
	e2e_wait_alert(v, (&(struct e2e_match){ .rule = "e2e rule M" }), ALERT_WAIT_MS);
	e2e_wait_alert(v,
		       (&(struct e2e_match){ .rule = "e2e rule A",
					     .fields = { { "proc.name", "e2e-trig2" } } }),
		       ALERT_WAIT_MS);
	e2e_stop(v);

	e2e_expect_one(v, (&(struct e2e_match){ .rule = "e2e rule M",
						.fields = { { "proc.name", "e2e-mkdir2" } } }));
	/* each trigger opens the file twice */
	assert_int_equal(
		e2e_count(v, &(struct e2e_match){ .rule = "e2e rule A",
						  .fields = { { "proc.name", "e2e-trig1" } } }),
		2);
	assert_int_equal(
		e2e_count(v, &(struct e2e_match){ .rule = "e2e rule A",
						  .fields = { { "proc.name", "e2e-trig2" } } }),
		2);
	assert_int_equal(e2e_count(v, &(struct e2e_match){ .rule = "e2e rule M" }), 1);
	assert_int_equal(json_array_size(v->alerts), 5);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_teardown(test_own_rule, e2e_teardown),
		cmocka_unit_test_teardown(test_bundled_sensitive_file, e2e_teardown),
		cmocka_unit_test_teardown(test_reload, e2e_teardown),
		cmocka_unit_test_teardown(test_reload_new_syscall, e2e_teardown),
		cmocka_unit_test_teardown(test_server_name, e2e_teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
