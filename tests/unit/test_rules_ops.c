// SPDX-License-Identifier: Apache-2.0
/*
 * Every comparison operator against synthetic events, with the edge cases:
 * empty strings, case folding, globs with '**', pmatch path boundaries,
 * numeric vs string comparison, unknown values, merged alternatives.
 */
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "test_rules_util.h"

/* Whether a one-rule set with condition @cond matches @ev (no state). */
static bool match(const char *cond, const struct vgl_event *ev)
{
	char text[4096];
	struct vgl_ruleset *rs;
	struct hits h;
	int n;

	snprintf(text, sizeof(text),
		 "- rule: r\n  desc: d\n  condition: >\n    %s\n  output: o\n  priority: WARNING\n",
		 cond);
	rs = rules_from(text);
	if (!rs)
		fail_msg("condition did not load: %s", cond);
	n = eval_hits(rs, ev, NULL, NULL, &h);
	vgl_ruleset_free(rs);
	return n == 1;
}

static struct tev t_open, t_exec, t_conn;

static int setup(void **state)
{
	(void)state;
	tev_open(&t_open, "cat", "/etc/passwd", O_RDONLY, 3);
	tev_exec(&t_exec, "bash", "/usr/bin/bash", "bash");
	tev_init(&t_conn, VGL_EV_CONNECT, "nc", 77, 0);
	tev_num(&t_conn, "fd", 5);
	tev_sa(&t_conn, "addr", "1.2.3.4", 4444);
	tev_sa(&t_conn, "laddr", "10.0.0.1", 5555);
	return 0;
}

static void test_equality(void **state)
{
	(void)state;
	assert_true(match("proc.name = cat", &t_open.ev));
	assert_true(match("proc.name == cat", &t_open.ev));
	assert_false(match("proc.name = ca", &t_open.ev));
	assert_false(match("proc.name = CAT", &t_open.ev));
	assert_true(match("proc.name != bash", &t_open.ev));
	assert_false(match("proc.name = ''", &t_open.ev));
	assert_true(match("proc.name != ''", &t_open.ev));
	/* An exec without arguments has empty (known) args. */
	assert_true(match("proc.args = ''", &t_exec.ev));
	assert_true(match("proc.cmdline = bash", &t_exec.ev));
	assert_true(match("evt.type = openat and evt.dir = '<'", &t_open.ev));
	assert_false(match("evt.dir = '>'", &t_open.ev));
	assert_true(match("evt.type != execve", &t_open.ev));
}

static void test_substrings(void **state)
{
	(void)state;
	assert_true(match("fd.name contains /pass", &t_open.ev));
	assert_true(match("fd.name contains ''", &t_open.ev));
	assert_false(match("fd.name contains PASS", &t_open.ev));
	assert_true(match("fd.name icontains ETC/PaSs", &t_open.ev));
	assert_true(match("fd.name startswith /etc/", &t_open.ev));
	assert_true(match("fd.name startswith ''", &t_open.ev));
	assert_false(match("fd.name startswith /etc/passwd/", &t_open.ev));
	assert_true(match("fd.name endswith passwd", &t_open.ev));
	assert_true(match("fd.name endswith /etc/passwd", &t_open.ev));
	assert_false(match("fd.name endswith x/etc/passwd", &t_open.ev));
	/* b* operators take hex bytes: 2f657463 is "/etc". */
	assert_true(match("fd.name bcontains 7061737377", &t_open.ev));
	assert_true(match("fd.name bstartswith 2f657463", &t_open.ev));
	assert_false(match("fd.name bstartswith 657463", &t_open.ev));
}

static void test_glob(void **state)
{
	(void)state;
	assert_true(match("fd.name glob /etc/*", &t_open.ev));
	assert_true(match("fd.name glob '/etc/p?ss*'", &t_open.ev));
	assert_true(match("fd.name glob '/etc/[a-q]asswd'", &t_open.ev));
	assert_false(match("fd.name glob '/etc/[!p]asswd'", &t_open.ev));
	assert_true(match("fd.name glob '/**'", &t_open.ev));
	assert_true(match("fd.name glob '*'", &t_open.ev));
	/* '*' crosses '/', as fnmatch(3) without FNM_PATHNAME (Falco). */
	assert_true(match("fd.name glob '/*passwd'", &t_open.ev));
	assert_false(match("fd.name glob /etc", &t_open.ev));
	assert_false(match("fd.name glob '/ETC/*'", &t_open.ev));
	assert_true(match("fd.name iglob '/ETC/PASS*'", &t_open.ev));
}

static void test_pmatch(void **state)
{
	struct tev t;

	(void)state;
	assert_true(match("fd.name pmatch (/etc)", &t_open.ev));
	assert_true(match("fd.name pmatch (/etc/)", &t_open.ev));
	assert_true(match("fd.name pmatch (/usr, /etc/passwd)", &t_open.ev));
	assert_true(match("fd.name pmatch (/)", &t_open.ev));
	assert_false(match("fd.name pmatch (/et)", &t_open.ev));
	assert_false(match("fd.name pmatch (/etc/passwd/x, /usr)", &t_open.ev));
	assert_false(match("fd.name pmatch ()", &t_open.ev));
	tev_open(&t, "cat", "/etcfoo/x", O_RDONLY, 3);
	assert_false(match("fd.name pmatch (/etc)", &t.ev));
	assert_true(match("fd.name pmatch (/etc, /etcfoo)", &t.ev));
}

static void test_lists(void **state)
{
	(void)state;
	assert_true(match("proc.name in (bash, cat)", &t_open.ev));
	assert_false(match("proc.name in (bash, ca, catt, '')", &t_open.ev));
	assert_false(match("proc.name in ()", &t_open.ev));
	assert_true(match("not proc.name in ()", &t_open.ev));
	assert_true(match("fd.num in (1, 2, 3)", &t_open.ev));
	assert_false(match("fd.num in (1, 2)", &t_open.ev));
	assert_true(match("proc.name intersects (x, cat)", &t_open.ev));
	assert_true(match("fd.sip in (1.2.3.4, ::1)", &t_conn.ev));
	assert_true(match("fd.sport in (22, 4444)", &t_conn.ev));
	/* Alternatives on one field are merged into a set / trie. */
	assert_true(match("proc.name = a or proc.name = cat or proc.name in (b)", &t_open.ev));
	assert_true(match("fd.name startswith /usr or fd.name startswith /et", &t_open.ev));
	assert_true(match("fd.name endswith .so or fd.name endswith swd", &t_open.ev));
	assert_false(match("fd.name endswith .so or fd.name endswith /pass", &t_open.ev));
}

static void test_numbers(void **state)
{
	(void)state;
	assert_true(match("fd.num = 3", &t_open.ev));
	assert_true(match("fd.num = 0x3", &t_open.ev));
	assert_true(match("fd.num >= 3 and fd.num <= 3 and fd.num > 2 and fd.num < 4", &t_open.ev));
	assert_false(match("fd.num > 3", &t_open.ev));
	assert_true(match("evt.rawres = 3", &t_open.ev));
	assert_true(match("user.uid = 1000 and user.loginuid = 1000", &t_open.ev));
	assert_true(match("proc.pid = 4242 and proc.ppid = 1", &t_open.ev));
	/* evt.res is a string: SUCCESS or the errno name. */
	assert_true(match("evt.res = SUCCESS", &t_open.ev));
	assert_false(match("evt.res = 3", &t_open.ev));
}

static void test_failed_open(void **state)
{
	struct tev t;

	(void)state;
	tev_open(&t, "cat", "/nope", O_RDONLY, -2);
	assert_true(match("evt.res = ENOENT and evt.rawres = -2 and fd.num = -1", &t.ev));
	assert_true(match("evt.res startswith E and evt.failed = true", &t.ev));
	assert_true(match("fd.typechar = f and fd.type = file", &t.ev));
}

static void test_bool_and_flags(void **state)
{
	struct tev t;

	(void)state;
	assert_true(match("evt.is_open_read = true and evt.is_open_write = false", &t_open.ev));
	tev_open(&t, "sh", "/etc/x", O_WRONLY | O_CREAT | O_TRUNC, 4);
	assert_true(match("evt.is_open_write = true and evt.is_open_read = false", &t.ev));
	assert_true(match("evt.arg.flags contains O_CREAT", &t.ev));
	assert_true(
		match("evt.arg.flags contains O_TRUNC and evt.arg.flags contains O_WRONLY", &t.ev));
	assert_false(match("evt.arg.flags contains O_RDWR", &t.ev));
	assert_true(match("evt.arg[1] = /etc/x and evt.arg.name = /etc/x", &t.ev));
	assert_true(match("fd.directory = /etc and fd.filename = x", &t.ev));
	/* libsinsp: created with an execute bit */
	assert_false(match("evt.is_open_exec = true", &t.ev));
	assert_false(match("evt.is_open_exec = true", &t_open.ev));
	tev_num(&t, "mode", 0750);
	assert_true(match("evt.is_open_exec = true", &t.ev));
	tev_num(&t, "flags", O_WRONLY);
	assert_false(match("evt.is_open_exec = true", &t.ev));
	/* socket(): its descriptor is the result */
	tev_init(&t, VGL_EV_SOCKET, "nc", 4242, 5);
	tev_num(&t, "domain", AF_INET);
	assert_true(match("fd.num = 5", &t.ev));
}

static void test_exists_and_unknown(void **state)
{
	(void)state;
	assert_true(match("fd.name exists", &t_open.ev));
	assert_false(match("fd.name exists", &t_exec.ev));
	/* Without a state tracker the parent is unknown: every comparison is false. */
	assert_false(match("proc.pname exists", &t_open.ev));
	assert_false(match("proc.pname = bash", &t_open.ev));
	assert_false(match("proc.pname != bash", &t_open.ev));
	assert_true(match("not proc.pname = bash", &t_open.ev));
	assert_false(match("container.id = host", &t_open.ev));
	assert_false(match("user.name = root", &t_open.ev));
}

static void test_regex(void **state)
{
	(void)state;
	assert_true(match("fd.name regex '^/etc/pa[s]+wd$'", &t_open.ev));
	assert_false(match("fd.name regex '^/usr'", &t_open.ev));
}

static void test_network(void **state)
{
	(void)state;
	assert_true(match("fd.typechar = 4 and fd.type = ipv4 and fd.sockfamily = ip", &t_conn.ev));
	assert_true(match("fd.sip = 1.2.3.4 and fd.sport = 4444", &t_conn.ev));
	assert_true(match("fd.cip = 10.0.0.1 and fd.cport = 5555", &t_conn.ev));
	assert_true(match("fd.rip = 1.2.3.4 and fd.lport = 5555 and fd.rport = 4444", &t_conn.ev));
	assert_true(match("fd.ip = 10.0.0.1 and fd.ip = 1.2.3.4", &t_conn.ev));
	assert_true(match("fd.net = '1.2.3.0/24' and fd.snet != '10.0.0.0/8'", &t_conn.ev));
	assert_true(match("fd.snet in ('10.0.0.0/8', '1.2.0.0/16')", &t_conn.ev));
	assert_false(match("fd.snet in ('10.0.0.0/8', '192.168.0.0/16')", &t_conn.ev));
	assert_true(match("fd.name = '10.0.0.1:5555->1.2.3.4:4444'", &t_conn.ev));
	assert_true(match("fd.num = 5 and fd.connected = true", &t_conn.ev));
}

/* One context over several events: nothing of one event leaks into the next. */
static void test_context_reuse(void **state)
{
	struct vgl_ruleset *rs = rules_from("- rule: r\n  desc: d\n  condition: proc.args in "
					    "('x y', 'a b') and proc.name in (sh, ls)\n"
					    "  output: o\n  priority: INFO\n");
	struct vgl_match_ctx *ctx = vgl_match_ctx_new(rs);
	struct tev t;

	(void)state;
	tev_exec(&t, "sh", "/bin/sh", "sh a b");
	assert_int_equal(vgl_ruleset_eval(rs, ctx, &t.ev, NULL, NULL, NULL, NULL), 1);
	tev_exec(&t, "ls", "/bin/ls", "ls x y");
	assert_int_equal(vgl_ruleset_eval(rs, ctx, &t.ev, NULL, NULL, NULL, NULL), 1);
	tev_exec(&t, "ls", "/bin/ls", "ls q");
	assert_int_equal(vgl_ruleset_eval(rs, ctx, &t.ev, NULL, NULL, NULL, NULL), 0);
	tev_exec(&t, "cat", "/bin/cat", "cat a b");
	assert_int_equal(vgl_ruleset_eval(rs, ctx, &t.ev, NULL, NULL, NULL, NULL), 0);
	vgl_match_ctx_free(ctx);
	vgl_ruleset_free(rs);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_equality),
		cmocka_unit_test(test_substrings),
		cmocka_unit_test(test_glob),
		cmocka_unit_test(test_pmatch),
		cmocka_unit_test(test_lists),
		cmocka_unit_test(test_numbers),
		cmocka_unit_test(test_failed_open),
		cmocka_unit_test(test_bool_and_flags),
		cmocka_unit_test(test_exists_and_unknown),
		cmocka_unit_test(test_regex),
		cmocka_unit_test(test_network),
		cmocka_unit_test(test_context_reuse),
	};

	return cmocka_run_group_tests(tests, setup, NULL);
}
