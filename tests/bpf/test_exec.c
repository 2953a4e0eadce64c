// SPDX-License-Identifier: Apache-2.0
/*
 * What an exec event says the kernel knew when exec returned (VGL_EXEC_P in
 * include/vigil/events.h): the environment, the exe's inode (number, change
 * and modification times), the controlling tty and the session, the
 * capabilities the exec left, and whether the caller could write its exe.
 * Every value the test wants it computes itself (stat, the pty's device
 * number, its own pid, the bounding set). The exe's layer and memfd origin
 * are in test_exec_layer.c.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <endian.h>
#include <linux/capability.h>
#include <sys/ioctl.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <sys/syscall.h>
#include <sys/sysmacros.h>
#include <sys/xattr.h>

#include "harness.h"

#define NOBODY 65534

struct exec_ctx {
	char dir[PATH_MAX];
	char exe[PATH_MAX + 64];
	long tty_nr;	/* the pty's tty_nr (act_ctty) */
	int bset_count; /* capabilities left in the bounding set (act_drop_bset) */
};

static struct exec_ctx *ctx_new(void)
{
	struct exec_ctx *c = vh_shared(sizeof(*c));

	vh_tmpdir(c->dir, sizeof(c->dir));
	return c;
}

static void act_exec(void *arg)
{
	const struct exec_ctx *c = arg;

	vh_exec_true(c->exe, vh_exec_envp);
}

/* The one successful execve of @pid. */
static json_t *expect_exec(const struct vh_run *run, pid_t pid)
{
	json_t *ev = vh_expect(run, "execve", pid, NULL, NULL);

	vh_assert_res(ev, 0);
	return ev;
}

/* --- env: exactly the envp given to execve ---------------------------------- */

static void act_exec_no_env(void *arg)
{
	const struct exec_ctx *c = arg;
	char *const envp[] = { NULL };

	vh_exec_true(c->exe, envp);
}

static void test_env(void **state)
{
	struct vh_run *run = vh_start("execve");
	struct exec_ctx *c = ctx_new();
	pid_t pid, none;
	json_t *ev;

	(void)state;
	assert_int_equal(vh_copy_true(c->dir, "vgl-env", 0755, c->exe, sizeof(c->exe)), 0);
	pid = vh_spawn("vgl-env", act_exec, c, NULL);
	none = vh_spawn("vgl-noenv", act_exec_no_env, c, NULL);
	vh_stop(run);
	ev = expect_exec(run, pid);
	vh_assert_arg_argv(ev, "env", "VIGIL_TEST=1", "B=2");
	/* an empty environment is an empty list, and no read failed */
	ev = expect_exec(run, none);
	vh_assert_arg_argv(ev, "env", NULL);
	assert_int_equal(json_integer_value(json_object_get(
				 json_object_get(json_object_get(run->stats, "kinds"), "execve"),
				 "read_failed")),
			 0);
	vh_shared_free(c, sizeof(*c));
}

/* --- exe_ino*: the exe's stat(), with an mtime set to the nanosecond -------- */

#define MTIME_SEC  1000000000LL
#define MTIME_NSEC 123456789LL

static void test_exe_inode(void **state)
{
	const struct timespec times[2] = { { .tv_nsec = UTIME_OMIT },
					   { .tv_sec = MTIME_SEC, .tv_nsec = MTIME_NSEC } };
	struct vh_run *run = vh_start("execve");
	struct exec_ctx *c = ctx_new();
	struct stat st;
	pid_t pid;
	json_t *ev;

	(void)state;
	assert_int_equal(vh_copy_true(c->dir, "vgl-ino", 0755, c->exe, sizeof(c->exe)), 0);
	assert_int_equal(utimensat(AT_FDCWD, c->exe, times, 0), 0);
	assert_int_equal(stat(c->exe, &st), 0);
	pid = vh_spawn("vgl-ino", act_exec, c, NULL);
	vh_stop(run);
	ev = expect_exec(run, pid);
	vh_assert_arg_int(ev, "exe_ino", (long long)st.st_ino);
	vh_assert_arg_int(ev, "exe_ino_mtime", MTIME_SEC * 1000000000LL + MTIME_NSEC);
	vh_assert_arg_int(ev, "exe_ino_ctime",
			  st.st_ctim.tv_sec * 1000000000LL + st.st_ctim.tv_nsec);
	vh_shared_free(c, sizeof(*c));
}

/* --- tty and sid: a new session with a pty as its controlling tty, or none -- */

/* tty_nr as /proc/PID/stat field 7 encodes a device number. */
static long tty_nr_of(dev_t rdev)
{
	unsigned int maj = major(rdev), min = minor(rdev);

	return (long)((min & 0xff) | (maj << 8) | ((min & ~0xffu) << 12));
}

/* Field 7 of /proc/self/stat. */
static long proc_tty_nr(void)
{
	char *stat = tu_read_file("/proc/self/stat");
	const char *p = strrchr(stat, ')');
	int tty = -1;

	if (!p || sscanf(p + 1, " %*c %*d %*d %*d %d", &tty) != 1)
		tty = -1;
	free(stat);
	return tty;
}

static void act_ctty(void *arg)
{
	struct exec_ctx *c = arg;
	char name[64];
	struct stat st;
	int master = posix_openpt(O_RDWR | O_NOCTTY), slave;

	VH_CHECK(master >= 0);
	VH_CHECK(grantpt(master) == 0 && unlockpt(master) == 0);
	VH_CHECK(ptsname_r(master, name, sizeof(name)) == 0);
	VH_CHECK(setsid() == getpid());
	slave = open(name, O_RDWR | O_NOCTTY);
	VH_CHECK(slave >= 0);
	VH_CHECK(ioctl(slave, TIOCSCTTY, 0) == 0);
	VH_CHECK(fstat(slave, &st) == 0);
	c->tty_nr = tty_nr_of(st.st_rdev);
	/* the encoding is the kernel's: a check of the test itself */
	VH_CHECK(proc_tty_nr() == c->tty_nr);
	vh_exec_true(c->exe, vh_exec_envp);
}

static void act_setsid(void *arg)
{
	const struct exec_ctx *c = arg;

	VH_CHECK(setsid() == getpid());
	vh_exec_true(c->exe, vh_exec_envp);
}

static void act_plain(void *arg)
{
	const struct exec_ctx *c = arg;

	vh_exec_true(c->exe, vh_exec_envp);
}

static void test_tty(void **state)
{
	struct vh_run *run = vh_start("execve");
	struct exec_ctx *c = ctx_new();
	pid_t with_tty, without, plain;
	json_t *ev;

	(void)state;
	assert_int_equal(vh_copy_true(c->dir, "vgl-tty", 0755, c->exe, sizeof(c->exe)), 0);
	with_tty = vh_spawn("vgl-ctty", act_ctty, c, NULL);
	without = vh_spawn("vgl-setsid", act_setsid, c, NULL);
	plain = vh_spawn("vgl-plain", act_plain, c, NULL);
	vh_stop(run);
	assert_true(c->tty_nr != 0);
	ev = expect_exec(run, with_tty);
	vh_assert_arg_int(ev, "tty", c->tty_nr);
	vh_assert_arg_int(ev, "sid", with_tty);
	vh_assert_arg_int(ev, "vpgid", with_tty); /* setsid() made it its group's leader */
	ev = expect_exec(run, without);
	vh_assert_arg_int(ev, "tty", 0);
	vh_assert_arg_int(ev, "sid", without);
	vh_assert_arg_int(ev, "vpgid", without);
	/* in this test's group and session (the tests run in the initial pid namespace) */
	ev = expect_exec(run, plain);
	vh_assert_arg_int(ev, "vpgid", getpgrp());
	vh_assert_arg_int(ev, "sid", getsid(0));
	vh_shared_free(c, sizeof(*c));
}

/* --- capabilities: root without CAP_SYS_ADMIN in its bounding set ---------- */

static size_t count_names(const char *set)
{
	size_t n = 1;

	for (; *set; set++)
		n += *set == '|';
	return n;
}

static void act_drop_bset(void *arg)
{
	struct exec_ctx *c = arg;

	VH_CHECK(prctl(PR_CAPBSET_DROP, CAP_SYS_ADMIN, 0, 0, 0) == 0);
	for (int cap = 0; cap < 64; cap++) {
		int r = prctl(PR_CAPBSET_READ, cap, 0, 0, 0);

		if (r < 0)
			break;
		c->bset_count += r;
	}
	vh_exec_true(c->exe, vh_exec_envp);
}

static void test_caps_bounding_set(void **state)
{
	struct vh_run *run = vh_start("execve");
	struct exec_ctx *c = ctx_new();
	pid_t pid;
	json_t *ev;

	(void)state;
	assert_int_equal(vh_copy_true(c->dir, "vgl-bset", 0755, c->exe, sizeof(c->exe)), 0);
	pid = vh_spawn("vgl-bset", act_drop_bset, c, NULL);
	vh_stop(run);
	ev = expect_exec(run, pid);
	/* root's exec: permitted and effective are the whole bounding set */
	for (const char *const *f = (const char *const[]){ "cap_permitted", "cap_effective", NULL };
	     *f; f++) {
		const char *set =
			json_string_value(json_object_get(json_object_get(ev, "args"), *f));

		vh_assert_arg_has_flag(ev, *f, "CAP_SYS_ADMIN", false);
		vh_assert_arg_has_flag(ev, *f, "CAP_CHOWN", true);
		assert_non_null(set);
		assert_int_equal(count_names(set), c->bset_count);
	}
	vh_assert_arg_flags(ev, "cap_inheritable", "0");
	vh_shared_free(c, sizeof(*c));
}

/* --- capabilities: setresuid to nobody drops them all, and so does exec ----- */

static void act_setresuid(void *arg)
{
	const struct exec_ctx *c = arg;

	VH_CHECK(syscall(SYS_setresuid, NOBODY, NOBODY, NOBODY) == 0);
	vh_exec_true(c->exe, vh_exec_envp);
}

static void test_caps_setresuid(void **state)
{
	struct vh_run *run = vh_start("execve,setresuid");
	struct exec_ctx *c = ctx_new();
	pid_t pid;
	json_t *ev;

	(void)state;
	assert_int_equal(vh_copy_true(c->dir, "vgl-nobody", 0755, c->exe, sizeof(c->exe)), 0);
	pid = vh_spawn("vgl-nobody", act_setresuid, c, NULL);
	vh_stop(run);
	ev = vh_expect(run, "setresuid", pid, NULL, NULL);
	vh_assert_res(ev, 0);
	vh_assert_int(ev, "euid", NOBODY);
	vh_assert_arg_flags(ev, "cap_effective", "0");
	vh_assert_arg_flags(ev, "cap_permitted", "0");
	ev = expect_exec(run, pid);
	vh_assert_int(ev, "uid", NOBODY);
	vh_assert_arg_flags(ev, "cap_inheritable", "0");
	vh_assert_arg_flags(ev, "cap_permitted", "0");
	vh_assert_arg_flags(ev, "cap_effective", "0");
	vh_shared_free(c, sizeof(*c));
}

/*
 * --- file capabilities: nobody execs a file whose security.capability grants
 * CAP_NET_RAW, permitted and effective (vfs_cap_data revision 2, by hand).
 */

static void set_file_caps(const char *path)
{
	struct vfs_cap_data d = { .magic_etc =
					  htole32(VFS_CAP_REVISION_2 | VFS_CAP_FLAGS_EFFECTIVE) };
	struct statvfs sv;

	d.data[0].permitted = htole32(1u << CAP_NET_RAW);
	if (setxattr(path, "security.capability", &d, XATTR_CAPS_SZ_2, 0) != 0)
		fail_msg("setxattr(%s, security.capability): %s (the filesystem of the "
			 "test's directory under /tmp must keep file capabilities)",
			 path, strerror(errno));
	assert_int_equal(statvfs(path, &sv), 0);
	if (sv.f_flag & ST_NOSUID)
		fail_msg("%s is on a nosuid mount: exec would ignore its capabilities", path);
}

static void act_nobody_exec(void *arg)
{
	const struct exec_ctx *c = arg;

	vh_become(NOBODY);
	vh_exec_true(c->exe, vh_exec_envp);
}

static void test_caps_file(void **state)
{
	struct vh_run *run = vh_start("execve");
	struct exec_ctx *c = ctx_new();
	pid_t pid;
	json_t *ev;

	(void)state;
	assert_int_equal(vh_copy_true(c->dir, "vgl-fcaps", 0755, c->exe, sizeof(c->exe)), 0);
	set_file_caps(c->exe);
	pid = vh_spawn("vgl-fcaps", act_nobody_exec, c, NULL);
	vh_stop(run);
	ev = expect_exec(run, pid);
	vh_assert_int(ev, "uid", NOBODY);
	vh_assert_arg_flags(ev, "cap_permitted", "CAP_NET_RAW");
	vh_assert_arg_flags(ev, "cap_effective", "CAP_NET_RAW");
	vh_assert_arg_flags(ev, "cap_inheritable", "0");
	vh_shared_free(c, sizeof(*c));
}

/* --- EXE_WRITABLE: nobody execs a root-owned 0755 file, then a 0777 one ---- */

static void test_writable(void **state)
{
	struct vh_run *run = vh_start("execve");
	struct exec_ctx *ro = ctx_new(), *rw = ctx_new();
	pid_t pid_ro, pid_rw;
	json_t *ev;

	(void)state;
	assert_int_equal(vh_copy_true(ro->dir, "vgl-0755", 0755, ro->exe, sizeof(ro->exe)), 0);
	assert_int_equal(vh_copy_true(rw->dir, "vgl-0777", 0777, rw->exe, sizeof(rw->exe)), 0);
	pid_ro = vh_spawn("vgl-ro", act_nobody_exec, ro, NULL);
	pid_rw = vh_spawn("vgl-rw", act_nobody_exec, rw, NULL);
	vh_stop(run);
	ev = expect_exec(run, pid_ro);
	vh_assert_int(ev, "uid", NOBODY);
	vh_assert_arg_flags(ev, "flags", "0");
	ev = expect_exec(run, pid_rw);
	vh_assert_int(ev, "uid", NOBODY);
	vh_assert_arg_flags(ev, "flags", "EXE_WRITABLE");
	vh_shared_free(ro, sizeof(*ro));
	vh_shared_free(rw, sizeof(*rw));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		vh_test(test_env),
		vh_test(test_exe_inode),
		vh_test(test_tty),
		vh_test(test_caps_bounding_set),
		vh_test(test_caps_setresuid),
		vh_test(test_caps_file),
		vh_test(test_writable),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
