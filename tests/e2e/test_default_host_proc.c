// SPDX-License-Identifier: Apache-2.0
/*
 * vigil's default host rules on processes and the kernel
 * (rules/vigil_rules.yaml), end to end as root on the host: executions from
 * /tmp and from a memfd, setuid back to root and capset raising
 * capabilities as a non-root user, ptrace attach, a module load attempt, a
 * BPF program load, opening kernel parameters for writing, a new namespace
 * and a packet socket. Each case is
 * performed for real by a child named for this run and checked on the
 * alert; each has a benign variant that must raise nothing.
 *
 * Module loading: the case calls finit_module on a file that is not a
 * module, so nothing is loaded; the kernel refuses it (ENOEXEC, or ENOSYS
 * on a kernel built without modules, as the CI VM's) and the rule reports
 * the attempt whatever its result: the call is what it matches.
 * Kernel parameters are opened for writing and closed without a write: the
 * open is what the rules see, and nothing changes.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <linux/bpf.h>
#include <linux/capability.h>
#include <sys/mman.h>
#include <sched.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>

#include "harness.h"
#include "harness_activity.h"
#include "harness_host.h"

static struct e2e_vigil *vigil;
static char tmp[PATH_MAX];

static int setup(void **state)
{
	(void)state;
	vigil = e2e_host_start();
	e2e_tmpdir(tmp, sizeof(tmp));
	return 0;
}

static int teardown(void **state)
{
	e2e_host_cleanup();
	return e2e_teardown(state);
}

/* Copy /bin/true to @path, executable. */
static void copy_true(const char *path)
{
	if (e2e_sh(NULL, 10000, "cp /bin/true '%s' && chmod 755 '%s'", path, path) != 0)
		fail_msg("cannot copy /bin/true to %s", path);
}

/* A copied binary and a script run from the temporary directory; the copy run from /var/lib. */
static void test_exec_from_tmp(void **state)
{
	char bin[PATH_MAX + 32], script[PATH_MAX + 32], okdir[64], ok[96];
	const char *cb = e2e_host_name("xb-"), *cs = e2e_host_name("xs-"),
		   *co = e2e_host_name("xo-");
	const char *rule = "Execution from temporary directory";
	const json_t *a;

	(void)state;
	snprintf(bin, sizeof(bin), "%s/%s", tmp, e2e_host_name("tb-"));
	snprintf(script, sizeof(script), "%s/%s.sh", tmp, e2e_host_name("ts-"));
	snprintf(okdir, sizeof(okdir), "/var/lib/%s", e2e_host_name("vgl-"));
	snprintf(ok, sizeof(ok), "%s/true", okdir);
	copy_true(bin);
	e2e_write_file(script, "#!/bin/sh\nexit 0\n");
	chmod(script, 0755);
	if (mkdir(okdir, 0755) < 0)
		fail_msg("mkdir %s: %s", okdir, strerror(errno));
	e2e_host_made(okdir);
	e2e_host_made(ok);
	copy_true(ok);

	e2e_do_exec(co, ok);
	e2e_do_exec(cb, bin);
	e2e_do_exec(cs, script);
	a = e2e_host_fired(
		vigil, (&(struct e2e_match){ .rule = rule, .fields = { { "proc.pname", cb } } }),
		"Warning");
	e2e_assert_field(a, "proc.exepath", bin);
	a = e2e_host_fired(
		vigil, (&(struct e2e_match){ .rule = rule, .fields = { { "proc.pname", cs } } }),
		"Warning");
	e2e_assert_field(a, "evt.arg.filename", script);
	e2e_assert_field(a, "proc.exepath", "/usr/bin/dash");
	e2e_host_none(vigil,
		      (&(struct e2e_match){ .rule = rule, .fields = { { "proc.pname", co } } }));
}

/* Copy /bin/true into a memfd and run it from there (@ctx set), or run /bin/true. */
static void memfd_exec(void *ctx)
{
	char buf[65536];
	ssize_t n;
	int in, mfd, status;
	pid_t pid;

	if (!ctx) {
		e2e_do_exec("true", "/bin/true");
		return;
	}
	in = open("/bin/true", O_RDONLY | O_CLOEXEC);
	mfd = memfd_create("vigil-e2e", 0);
	E2E_CHECK(in >= 0 && mfd >= 0);
	while ((n = read(in, buf, sizeof(buf))) > 0)
		E2E_CHECK(write(mfd, buf, (size_t)n) == n);
	pid = fork();
	E2E_CHECK(pid >= 0);
	if (pid == 0) {
		char *argv[] = { "vigil-e2e-memfd", NULL }, *envp[] = { NULL };

		fexecve(mfd, argv, envp);
		_exit(127);
	}
	E2E_CHECK(waitpid(pid, &status, 0) == pid && WIFEXITED(status) && !WEXITSTATUS(status));
}

static void test_exec_from_memfd(void **state)
{
	const char *cm = e2e_host_name("mf-"), *cb = e2e_host_name("mb-");
	const char *rule = "Execution from memfd";
	const json_t *a;

	(void)state;
	e2e_spawn(cb, memfd_exec, NULL);
	e2e_spawn(cm, memfd_exec, (void *)1);
	a = e2e_host_fired(
		vigil, (&(struct e2e_match){ .rule = rule, .fields = { { "proc.pname", cm } } }),
		"Critical");
	e2e_assert_field(a, "proc.exepath", "/memfd:vigil-e2e");
	e2e_assert_field(a, "proc.cmdline", "memfd:vigil-e2e");
	e2e_host_none(vigil,
		      (&(struct e2e_match){ .rule = rule, .fields = { { "proc.pname", cb } } }));
}

/* A root process that lowered only its effective uid, then took it back. */
static void seteuid_toggle(void *ctx)
{
	(void)ctx;
	E2E_CHECK(setresuid(-1, 65534, -1) == 0);
	E2E_CHECK(setresuid(-1, 0, -1) == 0);
}

static void test_setuid_root(void **state)
{
	const char *cs = e2e_host_name("su-"), *cb = e2e_host_name("sb-");
	const char *rule = "Setuid to root by non-root";
	const json_t *a;

	(void)state;
	e2e_spawn(cb, seteuid_toggle, NULL);
	e2e_do_setuid(cs);
	a = e2e_host_fired(vigil,
			   (&(struct e2e_match){ .rule = rule, .fields = { { "proc.name", cs } } }),
			   "Critical");
	e2e_assert_field(a, "evt.type", "setresuid");
	e2e_assert_field(a, "evt.arg.old_euid", "nobody");
	e2e_host_none(vigil,
		      (&(struct e2e_match){ .rule = rule, .fields = { { "proc.name", cb } } }));
}

/*
 * As nobody with the permitted set kept (PR_SET_KEEPCAPS), raise @ctx (a
 * capability number) into the effective set with capset.
 */
static void raise_cap(void *ctx)
{
	struct __user_cap_header_struct h = { .version = _LINUX_CAPABILITY_VERSION_3 };
	struct __user_cap_data_struct d[2];
	int cap = (int)(long)ctx;

	E2E_CHECK(prctl(PR_SET_KEEPCAPS, 1, 0, 0, 0) == 0);
	E2E_CHECK(setresgid(65534, 65534, 65534) == 0);
	E2E_CHECK(setresuid(65534, 65534, 65534) == 0);
	E2E_CHECK(syscall(SYS_capget, &h, d) == 0);
	d[0].effective = d[1].effective = 0;
	d[cap / 32].effective = 1u << (cap % 32);
	E2E_CHECK(syscall(SYS_capset, &h, d) == 0);
}

static void test_capset_raise(void **state)
{
	const char *cr = e2e_host_name("cr-"), *cb = e2e_host_name("cb-");
	const char *rule = "Capabilities raised by non-root process";
	const json_t *a;

	(void)state;
	e2e_spawn(cb, raise_cap, (void *)(long)CAP_NET_RAW);
	e2e_spawn(cr, raise_cap, (void *)(long)CAP_SYS_ADMIN);
	a = e2e_host_fired(vigil,
			   (&(struct e2e_match){ .rule = rule, .fields = { { "proc.name", cr } } }),
			   "Warning");
	e2e_assert_field(a, "evt.arg.cap_effective", "CAP_SYS_ADMIN");
	e2e_assert_field(a, "user.name", "nobody");
	e2e_host_none(vigil,
		      (&(struct e2e_match){ .rule = rule, .fields = { { "proc.name", cb } } }));
}

static void test_ptrace_attach(void **state)
{
	const char *cp = e2e_host_name("pa-");
	const char *rule = "Ptrace attach";
	const json_t *a;

	(void)state;
	e2e_do_ptrace("gdb");
	e2e_do_ptrace(cp);
	a = e2e_host_fired(vigil,
			   (&(struct e2e_match){ .rule = rule, .fields = { { "proc.name", cp } } }),
			   "Warning");
	e2e_assert_field(a, "evt.arg.request", "PTRACE_ATTACH");
	e2e_assert_field(a, "proc.pname", e2e_self_comm());
	e2e_host_none(vigil,
		      (&(struct e2e_match){ .rule = rule,
					    .fields = { { "proc.name", "gdb" },
							{ "proc.pname", e2e_self_comm() } } }));
}

/* finit_module on @ctx, a file that is not a module: the kernel refuses it. */
static void load_module(void *ctx)
{
	int fd = open(ctx, O_RDONLY | O_CLOEXEC);

	E2E_CHECK(fd >= 0);
	E2E_CHECK(syscall(SYS_finit_module, fd, "", 0) == -1);
	close(fd);
}

static void test_module_load(void **state)
{
	char path[PATH_MAX + 32];
	const char *ck = e2e_host_name("km-");
	const char *rule = "Kernel module loaded";
	const json_t *a;

	(void)state;
	snprintf(path, sizeof(path), "%s/not-a-module.ko", tmp);
	e2e_write_file(path, "not an ELF module\n");
	e2e_spawn("modprobe", load_module, path);
	e2e_spawn(ck, load_module, path);
	a = e2e_host_fired(vigil,
			   (&(struct e2e_match){ .rule = rule, .fields = { { "proc.name", ck } } }),
			   "Critical");
	e2e_assert_field(a, "evt.type", "finit_module");
	e2e_host_tag(a, "T1547.006");
	e2e_host_none(vigil,
		      (&(struct e2e_match){ .rule = rule,
					    .fields = { { "proc.name", "modprobe" },
							{ "proc.pname", e2e_self_comm() } } }));
}

/* Load the smallest socket filter program ("return 0"); it is closed on exit. */
static void load_bpf(void *ctx)
{
	struct bpf_insn insns[] = {
		{ .code = BPF_ALU64 | BPF_MOV | BPF_K, .dst_reg = BPF_REG_0, .imm = 0 },
		{ .code = BPF_JMP | BPF_EXIT },
	};
	union bpf_attr attr;

	(void)ctx;
	memset(&attr, 0, sizeof(attr));
	attr.prog_type = BPF_PROG_TYPE_SOCKET_FILTER;
	attr.insns = (__u64)(unsigned long)insns;
	attr.insn_cnt = 2;
	attr.license = (__u64)(unsigned long)"GPL";
	E2E_CHECK(syscall(SYS_bpf, BPF_PROG_LOAD, &attr, sizeof(attr)) >= 0);
}

static void test_bpf_load(void **state)
{
	const char *cb = e2e_host_name("bp-");
	const char *rule = "BPF program loaded";
	const json_t *a;

	(void)state;
	e2e_spawn("bpftool", load_bpf, NULL);
	e2e_spawn(cb, load_bpf, NULL);
	a = e2e_host_fired(vigil,
			   (&(struct e2e_match){ .rule = rule, .fields = { { "proc.name", cb } } }),
			   "Notice");
	e2e_assert_field(a, "user.name", "root");
	e2e_host_none(vigil,
		      (&(struct e2e_match){ .rule = rule,
					    .fields = { { "proc.name", "bpftool" },
							{ "proc.pname", e2e_self_comm() } } }));
}

/* Open @ctx for writing and close it without writing. */
static void open_for_write(void *ctx)
{
	int fd = open(ctx, O_WRONLY | O_CLOEXEC);

	E2E_CHECK(fd >= 0);
	close(fd);
}

/*
 * vm.swappiness and kernel.core_pattern opened for writing (nothing is
 * written): the first is "Kernel parameter modified", the second only
 * "Core pattern or kernel helper modified"; sysctl and systemd-sysctl may.
 */
static void test_kernel_parameters(void **state)
{
	const char *swp = "/proc/sys/vm/swappiness", *core = "/proc/sys/kernel/core_pattern";
	const char *cs = e2e_host_name("sy-"), *cc = e2e_host_name("co-");
	const json_t *a;

	(void)state;
	e2e_spawn("sysctl", open_for_write, (void *)swp);
	e2e_spawn("systemd-sysctl", open_for_write, (void *)core);
	e2e_spawn(cs, open_for_write, (void *)swp);
	e2e_spawn(cc, open_for_write, (void *)core);
	a = e2e_host_fired(vigil,
			   (&(struct e2e_match){ .rule = "Kernel parameter modified",
						 .fields = { { "proc.name", cs } } }),
			   "Warning");
	e2e_assert_field(a, "fd.name", swp);
	a = e2e_host_fired(vigil,
			   (&(struct e2e_match){ .rule = "Core pattern or kernel helper modified",
						 .fields = { { "proc.name", cc } } }),
			   "Critical");
	e2e_assert_field(a, "fd.name", core);
	e2e_host_tag(a, "T1611");
	e2e_host_none(vigil, (&(struct e2e_match){ .rule = "Kernel parameter modified",
						   .fields = { { "proc.name", cc } } }));
	e2e_host_none(vigil,
		      (&(struct e2e_match){ .rule = "Kernel parameter modified",
					    .fields = { { "proc.name", "sysctl" },
							{ "proc.pname", e2e_self_comm() } } }));
	e2e_host_none(vigil,
		      (&(struct e2e_match){ .rule = "Core pattern or kernel helper modified",
					    .fields = { { "proc.pname", e2e_self_comm() },
							{ "proc.name", "systemd-sysctl" } } }));
}

/* unshare(CLONE_NEWUTS) (@ctx set), or a socket of family AF_PACKET / AF_INET. */
static void new_uts(void *ctx)
{
	(void)ctx;
	E2E_CHECK(unshare(CLONE_NEWUTS) == 0);
}

static void packet_socket(void *ctx)
{
	int fd = socket((int)(long)ctx, SOCK_DGRAM | SOCK_CLOEXEC, 0);

	E2E_CHECK(fd >= 0);
	close(fd);
}

/* A new UTS namespace and a packet socket; unshare(1) and an AF_INET socket may. */
static void test_namespace_and_packet(void **state)
{
	const char *cn = e2e_host_name("ns-"), *cp = e2e_host_name("pk-");
	const json_t *a;

	(void)state;
	e2e_spawn("unshare", new_uts, NULL);
	e2e_spawn(cp, packet_socket, (void *)(long)AF_INET);
	e2e_spawn(cn, new_uts, NULL);
	e2e_spawn(cp, packet_socket, (void *)(long)AF_PACKET);
	a = e2e_host_fired(vigil,
			   (&(struct e2e_match){ .rule = "Namespace change by unexpected program",
						 .fields = { { "proc.name", cn } } }),
			   "Warning");
	e2e_assert_field(a, "evt.type", "unshare");
	e2e_host_fired(vigil,
		       (&(struct e2e_match){ .rule = "Packet socket created",
					     .fields = { { "proc.name", cp } } }),
		       "Notice");
	assert_int_equal(e2e_count(vigil, &(struct e2e_match){ .rule = "Packet socket created",
							       .fields = { { "proc.name", cp } } }),
			 1);
	e2e_host_none(vigil,
		      (&(struct e2e_match){ .rule = "Namespace change by unexpected program",
					    .fields = { { "proc.name", "unshare" },
							{ "proc.pname", e2e_self_comm() } } }));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_exec_from_tmp),
		cmocka_unit_test(test_exec_from_memfd),
		cmocka_unit_test(test_setuid_root),
		cmocka_unit_test(test_capset_raise),
		cmocka_unit_test(test_ptrace_attach),
		cmocka_unit_test(test_module_load),
		cmocka_unit_test(test_bpf_load),
		cmocka_unit_test(test_kernel_parameters),
		cmocka_unit_test(test_namespace_and_packet),
		cmocka_unit_test(e2e_host_test_same_without_prefilter), /* last */
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
