// SPDX-License-Identifier: Apache-2.0
/*
 * Falco's stock rules, unmodified, end to end (issue 13): the rules for
 * terminals, ptrace, bpf, userfaultfd and setuid on the host, a shell with a
 * terminal that `docker exec -t` starts in a running container, and
 * containers started with a sensitive mount or CAP_SYS_MODULE (loading a
 * module that is not one: the kernel refuses it). Each case checks that
 * the stock rule is the first match (vigil run --first-match, as Falco)
 * with the output fields Falco gives, and that a benign variant does not
 * raise it. test_stock_rules.c and test_stock_container.c have the others.
 *
 * One vigil serves the whole file; each case finds its alerts by a value
 * unique to this run (harness_stock.h): a process name or a command line.
 *
 * Needs root, docker and /bin/busybox (harness_docker.h) and the stock
 * files (../shared/compat/falco); without them the tests skip, except
 * with CI=true, where they fail.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <linux/bpf.h>
#include <sys/ptrace.h>
#include <sys/syscall.h>
#include <sys/wait.h>

#include "harness.h"
#include "harness_docker.h"
#include "harness_stock.h"

#define ALERT_WAIT_MS 20000

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

/* A process name unique to this run: @prefix and the token's digits. */
static const char *comm(const char *prefix)
{
	return e2e_stock_expand(prefix);
}

/* Fork a child that waits to be killed; PTRACE_ATTACH to it when @ctx is set. */
static void trace_child(void *ctx)
{
	int status;
	pid_t pid = fork();

	E2E_CHECK(pid >= 0);
	if (pid == 0) {
		pause();
		_exit(0);
	}
	if (ctx) {
		E2E_CHECK(ptrace(PTRACE_ATTACH, pid, NULL, NULL) == 0);
		E2E_CHECK(waitpid(pid, &status, 0) == pid && WIFSTOPPED(status));
		E2E_CHECK(ptrace(PTRACE_DETACH, pid, NULL, NULL) == 0);
	} else {
		/* reading a process one does not trace fails: ESRCH */
		E2E_CHECK(ptrace(PTRACE_PEEKUSER, pid, NULL, NULL) == -1 && errno == ESRCH);
	}
	E2E_CHECK(kill(pid, SIGKILL) == 0);
	E2E_CHECK(waitpid(pid, &status, 0) == pid);
}

static void traceme_child(void *ctx)
{
	(void)ctx;
	E2E_CHECK(ptrace(PTRACE_TRACEME, 0, NULL, NULL) == 0);
}

static void test_ptrace_attach(void **state)
{
	const char *rule = "PTRACE attached to process";
	struct e2e_match m = { .rule = rule, .fields = { { "proc.name", comm("pt-" E2E_TOKEN) } } };
	const json_t *a;

	(void)state;
	e2e_spawn(comm("pb-" E2E_TOKEN), trace_child, NULL);
	e2e_spawn(comm("pt-" E2E_TOKEN), trace_child, (void *)1);
	a = e2e_wait_alert(vigil, &m, ALERT_WAIT_MS);
	e2e_assert_top(a, "priority", "Warning");
	e2e_assert_field(a, "evt.type", "ptrace");
	e2e_assert_field(a, "proc.pname", e2e_self_comm());
	e2e_stock_none(vigil, rule, "proc.name", "pb-" E2E_TOKEN);
}

static void test_ptrace_traceme(void **state)
{
	const char *rule = "PTRACE anti-debug attempt";
	struct e2e_match m = { .rule = rule, .fields = { { "proc.name", comm("tm-" E2E_TOKEN) } } };
	const json_t *a;

	(void)state;
	e2e_spawn(comm("pb-" E2E_TOKEN), trace_child, NULL);
	e2e_spawn(comm("tm-" E2E_TOKEN), traceme_child, NULL);
	a = e2e_wait_alert(vigil, &m, ALERT_WAIT_MS);
	e2e_assert_top(a, "priority", "Notice");
	e2e_assert_field(a, "evt.type", "ptrace");
	e2e_stock_none(vigil, rule, "proc.name", "pb-" E2E_TOKEN);
}

/* busybox run as nc on the host; as nc2, nothing. */
static void test_network_tool_on_host(void **state)
{
	static const char fmt[] =
		"cd %s && ln -sf /bin/busybox %s && ./%s " E2E_TOKEN " 2>/dev/null; true";
	char run[PATH_MAX + 128], benign[PATH_MAX + 128];
	const struct e2e_stock_case c = {
		.rule = "Launch Suspicious Network Tool on Host",
		.run = run,
		.want = "nc " E2E_TOKEN,
		.benign = benign,
		.benign_want = "nc2 " E2E_TOKEN,
		.key = "proc.cmdline",
	};
	const json_t *a;

	(void)state;
	snprintf(run, sizeof(run), fmt, dir, "nc", "nc");
	snprintf(benign, sizeof(benign), fmt, dir, "nc2", "nc2");
	a = e2e_stock_check(vigil, &c);
	e2e_assert_top(a, "priority", "Notice");
	e2e_assert_field(a, "proc.name", "nc");
	e2e_assert_field_has(a, "proc.exepath", "/busybox");
	e2e_assert_field_int(a, "proc.tty", 0, 0);
}

/* busybox run as useradd on the host (no such applet: it adds nothing); -D is exempt. */
static void test_user_mgmt_binary(void **state)
{
	static const char fmt[] = "cd %s && ln -sf /bin/busybox useradd && ./useradd %s" E2E_TOKEN
				  " 2>/dev/null; true";
	char run[PATH_MAX + 128], benign[PATH_MAX + 128];
	const struct e2e_stock_case c = {
		.rule = "User mgmt binaries",
		.run = run,
		.want = "useradd " E2E_TOKEN,
		.benign = benign,
		.benign_want = "useradd -D " E2E_TOKEN,
		.key = "proc.cmdline",
	};
	const json_t *a;

	(void)state;
	snprintf(run, sizeof(run), fmt, dir, "");
	snprintf(benign, sizeof(benign), fmt, dir, "-D ");
	a = e2e_stock_check(vigil, &c);
	e2e_assert_top(a, "priority", "Notice");
	e2e_assert_field(a, "proc.name", "useradd");
	e2e_assert_field(a, "evt.type", "execve");
}

/*
 * id, alone on a terminal (so its own process group's leader), is
 * reconnaissance; without a terminal it is not.
 */
static void test_interactive_reconnaissance(void **state)
{
	const char *rule = "Basic Interactive Reconnaissance";
	struct e2e_match m = { .rule = rule,
			       .fields = { { "proc.cmdline", comm("id tty-" E2E_TOKEN) } } };
	const json_t *a;

	(void)state;
	/* id fails (no such user) after its exec: the status does not matter */
	e2e_sh(NULL, 5000, "id notty-%s >/dev/null 2>&1", e2e_stock_token());
	e2e_pty_sh(5000, "exec id tty-%s", e2e_stock_token());
	a = e2e_wait_alert(vigil, &m, ALERT_WAIT_MS);
	e2e_assert_top(a, "priority", "Notice");
	e2e_assert_field(a, "proc.name", "id");
	e2e_assert_field_int(a, "proc.tty", 1, LLONG_MAX);
	e2e_stock_none(vigil, rule, "proc.cmdline", "id notty-" E2E_TOKEN);
}

/* `docker exec -t` a shell in a running container; without -t, nothing. */
static void test_terminal_shell_exec(void **state)
{
	const struct e2e_stock_case c = {
		.rule = "Terminal shell in container",
		.run = "docker exec -t " E2E_STOCK_C " sh -c 'exit 0' exec-" E2E_TOKEN,
		.want = "sh -c exit 0 exec-" E2E_TOKEN,
		.benign = "docker exec " E2E_STOCK_C " sh -c 'exit 0' noexec-" E2E_TOKEN,
		.benign_want = "sh -c exit 0 noexec-" E2E_TOKEN,
		.key = "proc.cmdline",
		.tty = true,
	};
	const json_t *a;

	(void)state;
	a = e2e_stock_check(vigil, &c);
	e2e_assert_top(a, "priority", "Notice");
	e2e_assert_field_int(a, "proc.tty", 1, LLONG_MAX);
	e2e_assert_field(a, "proc.name", "sh");
}

/* bpf(@ctx, zeroed attributes): the kernel refuses it, the event is there. */
static void bpf_child(void *ctx)
{
	union bpf_attr attr;

	memset(&attr, 0, sizeof(attr));
	E2E_CHECK(syscall(SYS_bpf, (int)(long)ctx, &attr, sizeof(attr)) == -1);
}

static void test_bpf_program_not_profiled(void **state)
{
	const char *rule = "BPF Program Not Profiled";
	struct e2e_match m = { .rule = rule,
			       .fields = { { "proc.name", comm("bpf-" E2E_TOKEN) } } };
	const json_t *a;

	(void)state;
	e2e_spawn(comm("map-" E2E_TOKEN), bpf_child, (void *)(long)BPF_MAP_CREATE);
	e2e_spawn(comm("bpf-" E2E_TOKEN), bpf_child, (void *)(long)BPF_PROG_LOAD);
	a = e2e_wait_alert(vigil, &m, ALERT_WAIT_MS);
	e2e_assert_top(a, "priority", "Notice");
	e2e_assert_field(a, "evt.type", "bpf");
	e2e_assert_field(a, "evt.arg.cmd", "BPF_PROG_LOAD");
	e2e_stock_none(vigil, rule, "proc.name", "map-" E2E_TOKEN);
}

/* userfaultfd() as uid @ctx (whatever the sysctl lets it do). */
static void userfaultfd_child(void *ctx)
{
	uid_t uid = (uid_t)(long)ctx;

	E2E_CHECK(setresgid(uid, uid, uid) == 0 && setresuid(uid, uid, uid) == 0);
	syscall(SYS_userfaultfd, 0);
}

static void test_userfaultfd_unprivileged(void **state)
{
	const char *rule = "Unprivileged Delegation of Page Faults Handling to a Userspace Process";
	struct e2e_match m = { .rule = rule, .fields = { { "proc.name", comm("uf-" E2E_TOKEN) } } };
	const json_t *a;

	(void)state;
	e2e_spawn(comm("ufr-" E2E_TOKEN), userfaultfd_child, (void *)0L);
	e2e_spawn(comm("uf-" E2E_TOKEN), userfaultfd_child, (void *)65534L);
	a = e2e_wait_alert(vigil, &m, ALERT_WAIT_MS);
	e2e_assert_top(a, "priority", "Critical");
	e2e_assert_field(a, "evt.type", "userfaultfd");
	e2e_assert_field_int(a, "user.uid", 65534, 65534);
	e2e_stock_none(vigil, rule, "proc.name", "ufr-" E2E_TOKEN);
}

/*
 * A container with the Docker socket mounted. No benign variant: for a
 * container without such mounts the lookups container.mount.dest[PATH]
 * have no value, and the rule's `not ... in ("<NA>","N/A")` is then true
 * (a comparison with a missing value is false, as in libsinsp).
 */
static void test_sensitive_mount(void **state)
{
	const struct e2e_stock_case c = {
		.rule = "Launch Sensitive Mount Container",
		.run = "docker run --rm --network none -v "
		       "/var/run/docker.sock:/var/run/docker.sock:ro " E2E_IMAGE
		       " sh -c 'exit 0' sm-" E2E_TOKEN,
		.want = "sh -c exit 0 sm-" E2E_TOKEN,
		.key = "proc.cmdline",
	};
	const json_t *a;

	(void)state;
	a = e2e_stock_check(vigil, &c);
	e2e_assert_top(a, "priority", "Informational");
	e2e_assert_field_has(a, "container.mounts", "/var/run/docker.sock");
}

/*
 * insmod of a file that is no module, in a container with CAP_SYS_MODULE:
 * the load fails, the attempt is what the rule is for; without the
 * capability, nothing.
 */
static void test_kernel_module_injection(void **state)
{
	const struct e2e_stock_case c = {
		.rule = "Linux Kernel Module Injection Detected",
		.run = "docker run --rm --network none --cap-add SYS_MODULE " E2E_IMAGE
		       " sh -c '/bin/insmod /bin/busybox m-" E2E_TOKEN " 2>/dev/null; true'",
		.want = "insmod /bin/busybox m-" E2E_TOKEN,
		.benign = "docker run --rm --network none " E2E_IMAGE
			  " sh -c '/bin/insmod /bin/busybox b-" E2E_TOKEN " 2>/dev/null; true'",
		.benign_want = "insmod /bin/busybox b-" E2E_TOKEN,
		.key = "proc.cmdline",
		.count = E2E_STOCK_ANY, /* finit_module, then init_module where it is ENOSYS */
	};
	const json_t *a;

	(void)state;
	a = e2e_stock_check(vigil, &c);
	e2e_assert_top(a, "priority", "Warning");
	e2e_assert_field(a, "proc.name", "insmod");
	e2e_assert_field_has(a, "evt.type", "init_module");
}

/* As nobody (@ctx set), setuid() to another user, which fails; as root, setuid(0). */
static void setuid_child(void *ctx)
{
	if (ctx) {
		E2E_CHECK(setresgid(65534, 65534, 65534) == 0 &&
			  setresuid(65534, 65534, 65534) == 0);
		E2E_CHECK(setuid(1234) == -1);
	} else {
		E2E_CHECK(setuid(0) == 0);
	}
}

static void test_non_sudo_setuid(void **state)
{
	const char *rule = "Non sudo setuid";
	struct e2e_match m = { .rule = rule, .fields = { { "proc.name", comm("su-" E2E_TOKEN) } } };
	const json_t *a;

	(void)state;
	e2e_spawn(comm("sur-" E2E_TOKEN), setuid_child, NULL);
	e2e_spawn(comm("su-" E2E_TOKEN), setuid_child, (void *)1);
	a = e2e_wait_alert(vigil, &m, ALERT_WAIT_MS);
	e2e_assert_top(a, "priority", "Notice");
	e2e_assert_field(a, "evt.type", "setuid");
	e2e_assert_field_int(a, "user.uid", 65534, 65534);
	e2e_stock_none(vigil, rule, "proc.name", "sur-" E2E_TOKEN);
}

/* Last: vigil stops having lost nothing, and its twin without the prefilter raised the same. */
static void test_stop(void **state)
{
	(void)state;
	assert_true(e2e_stock_same_without_prefilter(vigil));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_ptrace_attach),
		cmocka_unit_test(test_ptrace_traceme),
		cmocka_unit_test(test_network_tool_on_host),
		cmocka_unit_test(test_user_mgmt_binary),
		cmocka_unit_test(test_interactive_reconnaissance),
		cmocka_unit_test(test_terminal_shell_exec),
		cmocka_unit_test(test_bpf_program_not_profiled),
		cmocka_unit_test(test_userfaultfd_unprivileged),
		cmocka_unit_test(test_non_sudo_setuid),
		cmocka_unit_test(test_sensitive_mount),
		cmocka_unit_test(test_kernel_module_injection),
		cmocka_unit_test(test_stop),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
