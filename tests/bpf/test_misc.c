// SPDX-License-Identifier: Apache-2.0
/*
 * The remaining event kinds: descriptors (dup, dup2, dup3), ptrace, kernel
 * modules, namespaces (setns, unshare), bpf, userfaultfd, memfd_create and
 * mount/umount2. File system changes are in test_fs.c.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <linux/bpf.h>
#include <sys/mount.h>
#include <sys/ptrace.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>

#include "harness.h"

#ifndef MFD_CLOEXEC
#define MFD_CLOEXEC 0x0001U
#endif

struct misc_ctx {
	char dir[PATH_MAX];
	long dirfd;
	long fd;
	long res[2];
	long target; /* ptrace: the traced process */
};

static struct misc_ctx *ctx_new(void)
{
	struct misc_ctx *c = vh_shared(sizeof(*c));

	vh_tmpdir(c->dir, sizeof(c->dir));
	return c;
}

#define MISC_HDR(ev, pid_, comm_) \
	vh_assert_hdr(ev, .pid = (pid_), .ppid = getpid(), .comm = (comm_))

/* --- dup, dup2, dup3, and dup of a bad fd ------------------------------------ */

static void act_dup(void *arg)
{
	struct misc_ctx *c = arg;

	c->fd = open("/dev/null", O_RDONLY);
	VH_CHECK(c->fd >= 0);
	c->res[0] = syscall(SYS_dup, (int)c->fd);
	VH_CHECK(c->res[0] >= 0);
#ifdef SYS_dup2
	VH_CHECK(syscall(SYS_dup2, (int)c->fd, 100) == 100);
#endif
	VH_CHECK(syscall(SYS_dup3, (int)c->fd, 101, O_CLOEXEC) == 101);
	c->res[1] = VH_RES(syscall(SYS_dup, 999));
	VH_CHECK(c->res[1] == -EBADF);
}

static void test_dup(void **state)
{
	struct misc_ctx *c = ctx_new();
	pid_t pid;
	struct vh_run *run = vh_run_child("dup,dup2,dup3", "vgl-dup", act_dup, c, &pid);
	json_t *ev;

	(void)state;
	ev = vh_expect_arg_int(run, "dup", pid, "oldfd", c->fd);
	MISC_HDR(ev, pid, "vgl-dup");
	vh_assert_res(ev, c->res[0]);

	ev = vh_expect_arg_int(run, "dup", pid, "oldfd", 999);
	vh_assert_res(ev, -EBADF);
#ifdef SYS_dup2
	ev = vh_expect(run, "dup2", pid, NULL, NULL);
	MISC_HDR(ev, pid, "vgl-dup");
	vh_assert_res(ev, 100);
	vh_assert_arg_int(ev, "oldfd", c->fd);
	vh_assert_arg_int(ev, "newfd", 100);
#endif
	ev = vh_expect(run, "dup3", pid, NULL, NULL);
	MISC_HDR(ev, pid, "vgl-dup");
	vh_assert_res(ev, 101);
	vh_assert_arg_int(ev, "oldfd", c->fd);
	vh_assert_arg_int(ev, "newfd", 101);
	/* An OFLAGS parameter: open flags always start with the access mode. */
	vh_assert_arg_flags(ev, "flags", "O_RDONLY|O_CLOEXEC");
	/* a file: no socket to describe */
	vh_assert_arg_null(ev, "addr");
	vh_assert_arg_null(ev, "laddr");
	vh_assert_arg_null(ev, "type");
	vh_shared_free(c, sizeof(*c));
}

/* --- ptrace(PTRACE_ATTACH) to a child, then PTRACE_DETACH -------------------- */

static void act_ptrace(void *arg)
{
	struct misc_ctx *c = arg;
	int status;
	pid_t t = fork();

	VH_CHECK(t >= 0);
	if (t == 0) {
		for (;;)
			pause();
	}
	c->target = t;
	c->res[0] = VH_RES(syscall(SYS_ptrace, PTRACE_ATTACH, t, 0, 0));
	VH_CHECK(c->res[0] == 0);
	VH_CHECK(waitpid(t, &status, 0) == t && WIFSTOPPED(status));
	c->res[1] = VH_RES(syscall(SYS_ptrace, PTRACE_DETACH, t, 0, 0));
	VH_CHECK(c->res[1] == 0);
	kill(t, SIGKILL);
	waitpid(t, &status, 0);
}

static void test_ptrace(void **state)
{
	struct misc_ctx *c = ctx_new();
	pid_t pid;
	struct vh_run *run = vh_run_child("ptrace", "vgl-ptrace", act_ptrace, c, &pid);
	json_t *ev;

	(void)state;
	ev = vh_expect_arg_str(run, "ptrace", pid, "request", "PTRACE_ATTACH");
	MISC_HDR(ev, pid, "vgl-ptrace");
	vh_assert_res(ev, 0);
	vh_assert_arg_int(ev, "pid", c->target);

	ev = vh_expect_arg_str(run, "ptrace", pid, "request", "PTRACE_DETACH");
	vh_assert_res(ev, 0);
	vh_assert_arg_int(ev, "pid", c->target);
	vh_shared_free(c, sizeof(*c));
}

/* --- init_module with a garbage image, finit_module on a non-module --------- */

static void act_modules(void *arg)
{
	struct misc_ctx *c = arg;
	static const char garbage[64] = "this is not an ELF module";
	int fd;

	c->res[0] = VH_RES(syscall(SYS_init_module, garbage, sizeof(garbage), "vigil=1"));
	VH_CHECK(c->res[0] < 0);
	fd = open(tu_join(c->dir, "not-a-module.ko"), O_RDWR | O_CREAT | O_TRUNC, 0644);
	VH_CHECK(fd >= 0);
	VH_CHECK(write(fd, garbage, sizeof(garbage)) == (ssize_t)sizeof(garbage));
	c->fd = fd;
	c->res[1] = VH_RES(syscall(SYS_finit_module, fd, "vigil=2", 0));
	VH_CHECK(c->res[1] < 0);
}

/*
 * A kernel without module support (CONFIG_MODULES=n, like the CI host) has
 * no init_module tracepoints: vigil must say so in -v and report the calls
 * (ENOSYS) through tp_btf/sys_exit.
 */
static void assert_modules_hook(const struct vh_run *run)
{
	static const char want[] = "hook: syscalls: syscalls/sys_exit_<name> tracepoints "
				   "(init_module, finit_module: no tracepoint in this kernel, at "
				   "tp_btf/sys_exit)";
	bool raw = vh_syscall_hook() && strcmp(vh_syscall_hook(), "raw") == 0;

	if (raw || access("/sys/kernel/tracing/events/syscalls", F_OK) != 0 ||
	    access("/sys/kernel/tracing/events/syscalls/sys_exit_init_module", F_OK) == 0)
		return;
	if (!run->err_text || !strstr(run->err_text, want))
		fail_msg("vigil -v: want \"%s\" in its log:\n%s", want,
			 run->err_text ? run->err_text : "");
}

static void test_modules(void **state)
{
	struct misc_ctx *c = ctx_new();
	pid_t pid;
	struct vh_run *run =
		vh_run_child("init_module,finit_module", "vgl-modules", act_modules, c, &pid);
	json_t *ev;

	(void)state;
	assert_modules_hook(run);
	ev = vh_expect(run, "init_module", pid, NULL, NULL);
	MISC_HDR(ev, pid, "vgl-modules");
	vh_assert_res(ev, c->res[0]);
	vh_assert_arg_int(ev, "length", 64);
	vh_assert_arg_str(ev, "uargs", "vigil=1");

	ev = vh_expect(run, "finit_module", pid, NULL, NULL);
	MISC_HDR(ev, pid, "vgl-modules");
	vh_assert_res(ev, c->res[1]);
	vh_assert_arg_int(ev, "fd", c->fd);
	vh_assert_arg_str(ev, "uargs", "vigil=2");
	vh_assert_arg_int(ev, "flags", 0);
	vh_shared_free(c, sizeof(*c));
}

/* --- setns into our own UTS namespace, unshare(CLONE_NEWUTS) ---------------- */

static void act_ns(void *arg)
{
	struct misc_ctx *c = arg;

	c->fd = open("/proc/self/ns/uts", O_RDONLY);
	VH_CHECK(c->fd >= 0);
	VH_CHECK(syscall(SYS_setns, (int)c->fd, CLONE_NEWUTS) == 0);
	VH_CHECK(syscall(SYS_unshare, CLONE_NEWUTS) == 0);
}

static void test_ns(void **state)
{
	struct misc_ctx *c = ctx_new();
	pid_t pid;
	struct vh_run *run = vh_run_child("setns,unshare", "vgl-ns", act_ns, c, &pid);
	json_t *ev;

	(void)state;
	ev = vh_expect(run, "setns", pid, NULL, NULL);
	MISC_HDR(ev, pid, "vgl-ns");
	vh_assert_res(ev, 0);
	vh_assert_arg_int(ev, "fd", c->fd);
	vh_assert_arg_flags(ev, "nstype", "CLONE_NEWUTS");

	ev = vh_expect(run, "unshare", pid, NULL, NULL);
	MISC_HDR(ev, pid, "vgl-ns");
	vh_assert_res(ev, 0);
	vh_assert_arg_flags(ev, "flags", "CLONE_NEWUTS");
	vh_shared_free(c, sizeof(*c));
}

/* --- bpf(BPF_MAP_CREATE) and an unknown command ----------------------------- */

static void act_bpf(void *arg)
{
	struct misc_ctx *c = arg;
	union bpf_attr attr;

	memset(&attr, 0, sizeof(attr));
	attr.map_type = BPF_MAP_TYPE_ARRAY;
	attr.key_size = 4;
	attr.value_size = 8;
	attr.max_entries = 1;
	c->res[0] = VH_RES(syscall(SYS_bpf, BPF_MAP_CREATE, &attr, sizeof(attr)));
	VH_CHECK(c->res[0] >= 0);
	c->res[1] = VH_RES(syscall(SYS_bpf, 9999, &attr, sizeof(attr)));
	VH_CHECK(c->res[1] < 0);
}

static void test_bpf(void **state)
{
	struct misc_ctx *c = ctx_new();
	pid_t pid;
	struct vh_run *run = vh_run_child("bpf", "vgl-bpf", act_bpf, c, &pid);
	json_t *ev;

	(void)state;
	ev = vh_expect_arg_str(run, "bpf", pid, "cmd", "BPF_MAP_CREATE");
	MISC_HDR(ev, pid, "vgl-bpf");
	vh_assert_res(ev, c->res[0]);

	ev = vh_expect_arg_str(run, "bpf", pid, "cmd", "9999");
	vh_assert_res(ev, c->res[1]);
	vh_shared_free(c, sizeof(*c));
}

/* --- userfaultfd: whatever it returns (EPERM is possible by sysctl) -------- */

static void act_userfaultfd(void *arg)
{
	struct misc_ctx *c = arg;

	c->res[0] = VH_RES(syscall(SYS_userfaultfd, O_CLOEXEC | O_NONBLOCK));
}

static void test_userfaultfd(void **state)
{
	struct misc_ctx *c = ctx_new();
	pid_t pid;
	struct vh_run *run = vh_run_child("userfaultfd", "vgl-uffd", act_userfaultfd, c, &pid);
	json_t *ev;

	(void)state;
	ev = vh_expect(run, "userfaultfd", pid, NULL, NULL);
	MISC_HDR(ev, pid, "vgl-uffd");
	vh_assert_res(ev, c->res[0]);
	vh_assert_arg_flags(ev, "flags", "O_RDONLY|O_NONBLOCK|O_CLOEXEC");
	vh_shared_free(c, sizeof(*c));
}

/* --- memfd_create("vigil-test", MFD_CLOEXEC) -------------------------------- */

static void act_memfd(void *arg)
{
	struct misc_ctx *c = arg;

	c->res[0] = VH_RES(syscall(SYS_memfd_create, "vigil-test", MFD_CLOEXEC));
	VH_CHECK(c->res[0] >= 0);
}

static void test_memfd_create(void **state)
{
	struct misc_ctx *c = ctx_new();
	pid_t pid;
	struct vh_run *run = vh_run_child("memfd_create", "vgl-memfd", act_memfd, c, &pid);
	json_t *ev;

	(void)state;
	ev = vh_expect(run, "memfd_create", pid, NULL, NULL);
	MISC_HDR(ev, pid, "vgl-memfd");
	vh_assert_res(ev, c->res[0]);
	vh_assert_arg_str(ev, "name", "vigil-test");
	vh_assert_arg_flags(ev, "flags", "MFD_CLOEXEC");
	vh_shared_free(c, sizeof(*c));
}

/* --- mount a tmpfs and umount2 it, in a private mount namespace ------------ */

static void act_mount(void *arg)
{
	struct misc_ctx *c = arg;

	VH_CHECK(mkdir(tu_join(c->dir, "mnt"), 0755) == 0);
	VH_CHECK(unshare(CLONE_NEWNS) == 0);
	VH_CHECK(mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) == 0);
	c->res[0] = VH_RES(syscall(SYS_mount, "vgl-tmpfs", tu_join(c->dir, "mnt"), "tmpfs",
				   MS_NOSUID | MS_NODEV, "size=1m"));
	VH_CHECK(c->res[0] == 0);
	c->res[1] = VH_RES(syscall(SYS_umount2, tu_join(c->dir, "mnt"), MNT_DETACH));
	VH_CHECK(c->res[1] == 0);
}

static void test_mount(void **state)
{
	struct misc_ctx *c = ctx_new();
	pid_t pid;
	struct vh_run *run = vh_run_child("mount,umount2", "vgl-mount", act_mount, c, &pid);
	json_t *ev;

	(void)state;
	ev = vh_expect_arg_str(run, "mount", pid, "dir", tu_join(c->dir, "mnt"));
	vh_assert_hdr(ev, .pid = pid, .ppid = getpid(), .comm = "vgl-mount", .other_mntns = true);
	vh_assert_res(ev, 0);
	vh_assert_arg_str(ev, "dev", "vgl-tmpfs");
	vh_assert_arg_str(ev, "type", "tmpfs");
	vh_assert_arg_flags(ev, "flags", "MS_NOSUID|MS_NODEV");

	ev = vh_expect(run, "umount2", pid, NULL, NULL);
	vh_assert_hdr(ev, .pid = pid, .ppid = getpid(), .comm = "vgl-mount", .other_mntns = true);
	vh_assert_res(ev, 0);
	vh_assert_arg_str(ev, "name", tu_join(c->dir, "mnt"));
	vh_assert_arg_flags(ev, "flags", "MNT_DETACH");
	vh_shared_free(c, sizeof(*c));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		vh_test(test_dup),	    vh_test(test_ptrace), vh_test(test_modules),
		vh_test(test_ns),	    vh_test(test_bpf),	  vh_test(test_userfaultfd),
		vh_test(test_memfd_create), vh_test(test_mount),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
