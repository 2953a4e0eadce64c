// SPDX-License-Identifier: Apache-2.0
/*
 * Falco's stock rules, unmodified, end to end (issue 13): the behaviour each
 * rule is written for, performed for real on the host or in a Docker
 * container, raises that rule (vigil run --first-match, as Falco raises
 * only the first matching rule per event) with the output fields Falco
 * gives; a benign variant of it does not. Processes that exit at once and
 * containers that live for well under a second are among the cases: the
 * fields these rules read (terminal, capabilities, executable layer and
 * memfd) must come from the exec itself.
 *
 * One vigil runs for the whole file; each case finds its alerts by a value
 * unique to this run (harness_stock.h). test_stock_container.c has the
 * rules that one command in a container triggers.
 *
 * Needs root, docker and /bin/busybox (harness_docker.h) and the stock
 * files (../shared/compat/falco); without them the tests skip, except
 * with CI=true, where they fail.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/mman.h>

#include "harness.h"
#include "harness_docker.h"
#include "harness_stock.h"

/* The memfd's name, and the process's: the kernel names it after the file. */
#define MEMFD_NAME "memfd:e2e-stock"
#define NC_PORT	   "7777"

static struct e2e_vigil *vigil;
static char dir[PATH_MAX];

static int setup(void **state)
{
	(void)state;
	vigil = e2e_stock_start();
	e2e_tmpdir(dir, sizeof(dir));
	e2e_stock_containers(dir);
	return 0;
}

static int teardown(void **state)
{
	e2e_stock_containers_remove();
	e2e_twin_free(); /* a test failed before the comparison */
	return e2e_teardown(state);
}

/* Copy /bin/true into a memfd and run it with fexecve(), @ctx its argument. */
static void fexecve_memfd(void *ctx)
{
	char buf[65536];
	char *argv[] = { "true", ctx, NULL };
	int in = open("/bin/true", O_RDONLY | O_CLOEXEC), fd = memfd_create("e2e-stock", 0);
	ssize_t n;

	E2E_CHECK(in >= 0 && fd >= 0);
	while ((n = read(in, buf, sizeof(buf))) > 0)
		E2E_CHECK(write(fd, buf, (size_t)n) == n);
	E2E_CHECK(n == 0);
	fexecve(fd, argv, environ);
	E2E_CHECK(!"fexecve");
}

/* Run the file @ctx ("DIR/true") with the argument file-TOKEN. */
static void exec_file(void *ctx)
{
	char *argv[] = { "true", (char *)e2e_stock_expand("file-" E2E_TOKEN), NULL };

	execve(ctx, argv, environ);
	E2E_CHECK(!"execve");
}

static void test_fileless_memfd(void **state)
{
	const char *rule = "Fileless execution via memfd_create";
	struct e2e_match m = { .rule = rule,
			       .fields = { { "proc.cmdline",
					     e2e_stock_expand(MEMFD_NAME " memfd-" E2E_TOKEN) } } };
	const char *copy = tu_join(dir, "true");
	const json_t *a;

	(void)state;
	if (e2e_sh(NULL, 5000, "cp /bin/true %s", copy))
		fail_msg("cp /bin/true %s failed", copy);
	e2e_spawn("e2e-file", exec_file, (void *)copy);
	e2e_spawn("e2e-memfd", fexecve_memfd, (void *)e2e_stock_expand("memfd-" E2E_TOKEN));
	a = e2e_wait_alert(vigil, &m, 20000);
	e2e_assert_top(a, "priority", "Critical");
	e2e_assert_field(a, "evt.type", "execveat");
	e2e_assert_field(a, "proc.name", MEMFD_NAME);
	e2e_assert_field(a, "proc.pname", e2e_self_comm()); /* the child ran it */
	e2e_assert_field_has(a, "proc.exepath", MEMFD_NAME);
	e2e_assert_field_has(a, "evt.arg.flags", "EXE_FROM_MEMFD");
	e2e_assert_field(a, "user.name", "root");
	e2e_stock_none(vigil, rule, "proc.cmdline", "true file-" E2E_TOKEN);
}

/*
 * `docker run -t` with a shell as the container's first process, which
 * exits at once; without -t it has no terminal and does not fire.
 */
static void test_terminal_shell(void **state)
{
	const struct e2e_stock_case c = {
		.rule = "Terminal shell in container",
		.run = "docker run --rm -t --network none " E2E_IMAGE
		       " sh -c 'exit 0' tty-" E2E_TOKEN,
		.want = "sh -c exit 0 tty-" E2E_TOKEN,
		.benign = "docker run --rm --network none " E2E_IMAGE
			  " sh -c 'exit 0' notty-" E2E_TOKEN,
		.benign_want = "sh -c exit 0 notty-" E2E_TOKEN,
		.key = "proc.cmdline",
		.tty = true,
	};
	const json_t *a;

	(void)state;
	a = e2e_stock_check(vigil, &c);
	e2e_assert_top(a, "priority", "Notice");
	e2e_assert_field_int(a, "proc.tty", 1, LLONG_MAX);
	e2e_assert_field(a, "evt.type", "execve");
	e2e_assert_field(a, "proc.name", "sh");
	e2e_assert_field(a, "proc.exepath", "/bin/busybox"); /* /bin/sh is a symlink */
	e2e_assert_field(a, "user.name", "root");
	e2e_assert_field_has(a, "evt.arg.flags", "EXE_LOWER_LAYER");
}

static void assert_dropped(const json_t *a, const char *exe)
{
	e2e_assert_top(a, "priority", "Critical");
	e2e_assert_field(a, "evt.type", "execve");
	e2e_assert_field(a, "proc.exe", e2e_stock_expand(exe));
	e2e_assert_field(a, "proc.exepath", e2e_stock_expand(exe));
	e2e_assert_field(a, "proc.name", "busybox");
	e2e_assert_field_has(a, "evt.arg.flags", "EXE_UPPER_LAYER");
	e2e_assert_field_int(a, "container.start_ts", 1, LLONG_MAX);
	e2e_assert_field_int(a, "proc.exe_ino.ctime", 1, LLONG_MAX);
	e2e_assert_field_int(a, "proc.exe_ino.mtime", 1, LLONG_MAX);
	e2e_assert_field_int(a, "proc.exe_ino.ctime_duration_proc_start", 0, LLONG_MAX);
}

/*
 * A copy of busybox written in a running container, run at once by a shell
 * that forks after the copy (so the process starts after the file's last
 * change: proc.exe_ino.ctime_duration_proc_start is not negative).
 */
static void test_drop_and_execute(void **state)
{
	const struct e2e_stock_case c = {
		.rule = "Drop and execute new binary in container",
		.run = E2E_IN_C "sh -c 'mkdir -p /tmp/" E2E_TOKEN
				" && cp /bin/busybox /tmp/" E2E_TOKEN "/busybox && /tmp/" E2E_TOKEN
				"/busybox true drop-" E2E_TOKEN "; true'",
		.want = "busybox true drop-" E2E_TOKEN,
		.benign = E2E_IN_C "/bin/busybox true image-" E2E_TOKEN,
		.benign_want = "busybox true image-" E2E_TOKEN,
		.key = "proc.cmdline",
	};

	(void)state;
	assert_dropped(e2e_stock_check(vigil, &c), "/tmp/" E2E_TOKEN "/busybox");
}

/* The same in a container that lives well under a second. */
static void test_drop_and_execute_short_container(void **state)
{
	const struct e2e_stock_case c = {
		.rule = "Drop and execute new binary in container",
		.run = "docker run --rm --network none " E2E_IMAGE " sh -c 'mkdir -p /tmp/x && "
		       "cp /bin/busybox /tmp/x/busybox && /tmp/x/busybox true short-" E2E_TOKEN
		       "; true'",
		.want = "busybox true short-" E2E_TOKEN,
		.key = "proc.cmdline",
	};

	(void)state;
	assert_dropped(e2e_stock_check(vigil, &c), "/tmp/x/busybox");
}

static void assert_release_agent(const json_t *a, const char *path)
{
	e2e_assert_top(a, "priority", "Critical");
	e2e_assert_field(a, "fd.name", e2e_stock_expand(path));
	e2e_assert_field_has(a, "thread.cap_effective", "CAP_SYS_ADMIN");
	e2e_assert_field(a, "evt.type", "openat");
	e2e_assert_field(a, "proc.name", "sh");
	e2e_assert_field_int(a, "user.uid", 0, 0);
}

/* A write to a file named release_agent with CAP_SYS_ADMIN; without it, none. */
static void test_release_agent(void **state)
{
	const struct e2e_stock_case c = {
		.rule = "Detect release_agent File Container Escapes",
		.run = E2E_IN_SA "sh -c 'mkdir -p /tmp/" E2E_TOKEN " && echo x > /tmp/" E2E_TOKEN
				 "/release_agent'",
		.want = "/tmp/" E2E_TOKEN "/release_agent",
		.benign = E2E_IN_C "sh -c 'mkdir -p /tmp/" E2E_TOKEN
				   "-b && echo x > /tmp/" E2E_TOKEN "-b/release_agent'",
		.benign_want = "/tmp/" E2E_TOKEN "-b/release_agent",
		.key = "fd.name",
	};

	(void)state;
	assert_release_agent(e2e_stock_check(vigil, &c), c.want);
}

/* The same from the first process of a container that exits at once. */
static void test_release_agent_short_container(void **state)
{
	const struct e2e_stock_case c = {
		.rule = "Detect release_agent File Container Escapes",
		.run = "docker run --rm --network none --cap-add SYS_ADMIN " E2E_IMAGE
		       " sh -c 'echo x > /short-" E2E_TOKEN "-release_agent'",
		.want = "/short-" E2E_TOKEN "-release_agent",
		.key = "fd.name",
	};

	(void)state;
	assert_release_agent(e2e_stock_check(vigil, &c), c.want);
}

/*
 * busybox nc -e connects to a listener in the same container and dup2()s
 * the socket onto its stdin and stdout (two alerts) before it runs the
 * program; a dup2() of a file onto stdout does not fire.
 */
static void test_redirect_to_network(void **state)
{
	const struct e2e_stock_case c = {
		.rule = "Redirect STDOUT/STDIN to Network Connection in Container",
		.run = E2E_IN_C "sh -c '/bin/nc -l -p " NC_PORT " >/dev/null & /bin/sleep 0.3; "
				"/bin/nc 127.0.0.1 " NC_PORT " -e /bin/true " E2E_TOKEN "; wait'",
		.want = "nc 127.0.0.1 " NC_PORT " -e /bin/true " E2E_TOKEN,
		.benign = E2E_IN_C "sh -c 'exec 1>/tmp/" E2E_TOKEN "-out; /bin/true'",
		.benign_want = "sh -c exec 1>/tmp/" E2E_TOKEN "-out; /bin/true",
		.key = "proc.cmdline",
		.count = 2,
	};
	const json_t *a;

	(void)state;
	a = e2e_stock_check(vigil, &c);
	e2e_assert_top(a, "priority", "Notice");
	e2e_assert_field(a, "evt.type", "dup2");
	e2e_assert_field(a, "fd.type", "ipv4");
	e2e_assert_field(a, "fd.l4proto", "tcp");
	e2e_assert_field(a, "fd.sip", "127.0.0.1");
	e2e_assert_field_has(a, "fd.name", "->127.0.0.1:" NC_PORT);
	e2e_assert_field_int(a, "fd.rport", atoi(NC_PORT), atoi(NC_PORT));
	e2e_assert_field(a, "proc.name", "nc");
}

/*
 * The same nc -e is the first match of its exec; the listener without -e
 * is a suspicious network tool, not a remote code execution.
 */
static void test_netcat_remote_code_execution(void **state)
{
	const char *rce = "Netcat Remote Code Execution in Container";
	struct e2e_match m = { .rule = rce,
			       .fields = { { "proc.cmdline",
					     e2e_stock_expand("nc 127.0.0.1 " NC_PORT
							      " -e /bin/true " E2E_TOKEN) } } };
	struct e2e_match tool = { .rule = "Launch Suspicious Network Tool in Container",
				  .fields = { { "proc.cmdline", "nc -l -p " NC_PORT } } };
	const json_t *a;

	(void)state;
	/* test_redirect_to_network ran both */
	a = e2e_wait_alert(vigil, &m, 20000);
	e2e_assert_top(a, "priority", "Warning");
	e2e_assert_field(a, "evt.type", "execve");
	e2e_assert_field(a, "proc.exepath", "/bin/busybox"); /* /bin/nc is a symlink */
	e2e_assert_field(a, "proc.pname", "sh");
	e2e_assert_field_has(a, "evt.arg.flags", "EXE_LOWER_LAYER");
	a = e2e_wait_alert(vigil, &tool, 20000);
	e2e_assert_top(a, "priority", "Notice");
	e2e_stock_none(vigil, rce, "proc.cmdline", "nc -l -p " NC_PORT);
}

/*
 * The first process of a container with CAP_SYS_ADMIN added (started by
 * setup) is excessively capable; one with Docker's defaults is not.
 */
static void test_excessively_capable_container(void **state)
{
	const char *rule = "Launch Excessively Capable Container";
	struct e2e_match m = {
		.rule = rule,
		.fields = { { "proc.cmdline",
			      e2e_stock_expand(
				      "sh -c mkdir -p /tmp && exec sleep 600 sa-" E2E_TOKEN) } }
	};
	const json_t *a;

	(void)state;
	a = e2e_wait_alert(vigil, &m, 20000);
	e2e_assert_top(a, "priority", "Informational");
	e2e_assert_field_has(a, "thread.cap_permitted", "CAP_SYS_ADMIN");
	e2e_assert_field(a, "evt.type", "execve");
	e2e_assert_field(a, "proc.name", "sh");
	e2e_stock_none(vigil, rule, "proc.cmdline",
		       "sh -c mkdir -p /tmp && exec sleep 600 c-" E2E_TOKEN);
}

/* unshare() in a container without CAP_SYS_ADMIN; with it, none. */
static void test_unshare_without_sys_admin(void **state)
{
	const struct e2e_stock_case c = {
		.rule = "Change namespace privileges via unshare",
		.run = E2E_IN_C "sh -c '/bin/unshare -m /bin/true " E2E_TOKEN "; true'",
		.want = "unshare -m /bin/true " E2E_TOKEN,
		.benign = E2E_IN_SA "sh -c '/bin/unshare -m /bin/true sa-" E2E_TOKEN "; true'",
		.benign_want = "unshare -m /bin/true sa-" E2E_TOKEN,
		.key = "proc.cmdline",
	};
	const json_t *a;

	(void)state;
	a = e2e_stock_check(vigil, &c);
	e2e_assert_field(a, "evt.type", "unshare");
	e2e_assert_field(a, "proc.name", "unshare");
}

/* Last: vigil stops cleanly, having lost nothing. */
/* Last: vigil stops having lost nothing, and its twin without the prefilter raised the same. */
static void test_stop(void **state)
{
	(void)state;
	assert_true(e2e_stock_same_without_prefilter(vigil));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_fileless_memfd),
		cmocka_unit_test(test_terminal_shell),
		cmocka_unit_test(test_drop_and_execute),
		cmocka_unit_test(test_drop_and_execute_short_container),
		cmocka_unit_test(test_release_agent),
		cmocka_unit_test(test_release_agent_short_container),
		cmocka_unit_test(test_redirect_to_network),
		cmocka_unit_test(test_netcat_remote_code_execution),
		cmocka_unit_test(test_excessively_capable_container),
		cmocka_unit_test(test_unshare_without_sys_admin),
		cmocka_unit_test(test_stop),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
