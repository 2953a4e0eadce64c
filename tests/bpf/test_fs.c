// SPDX-License-Identifier: Apache-2.0
/*
 * File system changes: unlink, unlinkat, rmdir, mkdir, mkdirat, rename,
 * renameat, renameat2, chmod, fchmod, fchmodat, symlink, symlinkat, link and
 * linkat, including failures.
 *
 * Paths given to the syscalls are absolute unless the test is about a
 * directory fd, so "as given" and "resolved" agree where the docs leave the
 * choice open; names relative to a dirfd are reported as given.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>
#include <sys/syscall.h>

#include "harness.h"

#ifndef RENAME_NOREPLACE
#define RENAME_NOREPLACE (1 << 0)
#endif

struct fs_ctx {
	char dir[PATH_MAX];
	long dirfd;
	long fd;
	long res[2]; /* results of the failing calls */
};

static struct fs_ctx *ctx_new(void)
{
	struct fs_ctx *c = vh_shared(sizeof(*c));

	vh_tmpdir(c->dir, sizeof(c->dir));
	return c;
}

static void touch(const char *path)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);

	VH_CHECK(fd >= 0);
	close(fd);
}

#define FS_HDR(ev, pid_, comm_) vh_assert_hdr(ev, .pid = (pid_), .ppid = getpid(), .comm = (comm_))

/* --- unlink, unlinkat, rmdir, mkdir, mkdirat -------------------------------- */

static void act_dirs(void *arg)
{
	struct fs_ctx *c = arg;

	umask(0);
	c->dirfd = open(c->dir, O_RDONLY | O_DIRECTORY);
	VH_CHECK(c->dirfd >= 0);
#ifdef SYS_mkdir
	VH_CHECK(syscall(SYS_mkdir, tu_join(c->dir, "d1"), 0750) == 0);
	VH_CHECK(syscall(SYS_rmdir, tu_join(c->dir, "d1")) == 0);
#endif
	VH_CHECK(syscall(SYS_mkdirat, (int)c->dirfd, "d2", 0700) == 0);
	VH_CHECK(syscall(SYS_unlinkat, (int)c->dirfd, "d2", AT_REMOVEDIR) == 0);
	touch(tu_join(c->dir, "f1"));
	touch(tu_join(c->dir, "f2"));
#ifdef SYS_unlink
	VH_CHECK(syscall(SYS_unlink, tu_join(c->dir, "f1")) == 0);
	c->res[0] = VH_RES(syscall(SYS_unlink, tu_join(c->dir, "missing")));
	VH_CHECK(c->res[0] == -ENOENT);
#endif
	VH_CHECK(syscall(SYS_unlinkat, (int)c->dirfd, "f2", 0) == 0);
}

static void test_dirs(void **state)
{
	struct fs_ctx *c = ctx_new();
	pid_t pid;
	struct vh_run *run =
		vh_run_child("unlink,unlinkat,rmdir,mkdir,mkdirat", "vgl-dirs", act_dirs, c, &pid);
	json_t *ev;

	(void)state;
#ifdef SYS_mkdir
	ev = vh_expect(run, "mkdir", pid, NULL, NULL);
	FS_HDR(ev, pid, "vgl-dirs");
	vh_assert_res(ev, 0);
	vh_assert_arg_str(ev, "path", tu_join(c->dir, "d1"));
	vh_assert_arg_int(ev, "mode", 0750);

	ev = vh_expect(run, "rmdir", pid, NULL, NULL);
	FS_HDR(ev, pid, "vgl-dirs");
	vh_assert_res(ev, 0);
	vh_assert_arg_str(ev, "path", tu_join(c->dir, "d1"));
#endif
	ev = vh_expect(run, "mkdirat", pid, NULL, NULL);
	FS_HDR(ev, pid, "vgl-dirs");
	vh_assert_res(ev, 0);
	vh_assert_arg_int(ev, "dirfd", c->dirfd);
	vh_assert_arg_str(ev, "path", "d2");
	vh_assert_arg_int(ev, "mode", 0700);

	ev = vh_expect_arg_str(run, "unlinkat", pid, "name", "d2");
	FS_HDR(ev, pid, "vgl-dirs");
	vh_assert_res(ev, 0);
	vh_assert_arg_int(ev, "dirfd", c->dirfd);
	vh_assert_arg_flags(ev, "flags", "AT_REMOVEDIR");

	ev = vh_expect_arg_str(run, "unlinkat", pid, "name", "f2");
	vh_assert_res(ev, 0);
	vh_assert_arg_int(ev, "dirfd", c->dirfd);
	vh_assert_arg_str(ev, "flags", "0");
#ifdef SYS_unlink
	ev = vh_expect_arg_str(run, "unlink", pid, "path", tu_join(c->dir, "f1"));
	FS_HDR(ev, pid, "vgl-dirs");
	vh_assert_res(ev, 0);

	ev = vh_expect_arg_str(run, "unlink", pid, "path", tu_join(c->dir, "missing"));
	vh_assert_res(ev, -ENOENT);
#endif
	vh_shared_free(c, sizeof(*c));
}

/* --- rename, renameat, renameat2 (RENAME_NOREPLACE, and refused) ----------- */

static void act_rename(void *arg)
{
	struct fs_ctx *c = arg;

	c->dirfd = open(c->dir, O_RDONLY | O_DIRECTORY);
	VH_CHECK(c->dirfd >= 0);
	touch(tu_join(c->dir, "a"));
	touch(tu_join(c->dir, "other"));
#ifdef SYS_rename
	VH_CHECK(syscall(SYS_rename, tu_join(c->dir, "a"), tu_join(c->dir, "b")) == 0);
#else
	VH_CHECK(syscall(SYS_renameat, AT_FDCWD, tu_join(c->dir, "a"), AT_FDCWD,
			 tu_join(c->dir, "b")) == 0);
#endif
	VH_CHECK(syscall(SYS_renameat, (int)c->dirfd, "b", (int)c->dirfd, "c") == 0);
	VH_CHECK(syscall(SYS_renameat2, AT_FDCWD, tu_join(c->dir, "c"), AT_FDCWD,
			 tu_join(c->dir, "d"), RENAME_NOREPLACE) == 0);
	c->res[0] = VH_RES(syscall(SYS_renameat2, AT_FDCWD, tu_join(c->dir, "d"), AT_FDCWD,
				   tu_join(c->dir, "other"), RENAME_NOREPLACE));
	VH_CHECK(c->res[0] == -EEXIST);
}

static void test_rename(void **state)
{
	struct fs_ctx *c = ctx_new();
	pid_t pid;
	struct vh_run *run =
		vh_run_child("rename,renameat,renameat2", "vgl-rename", act_rename, c, &pid);
	json_t *ev;

	(void)state;
#ifdef SYS_rename
	ev = vh_expect(run, "rename", pid, NULL, NULL);
	FS_HDR(ev, pid, "vgl-rename");
	vh_assert_res(ev, 0);
	vh_assert_arg_str(ev, "oldpath", tu_join(c->dir, "a"));
	vh_assert_arg_str(ev, "newpath", tu_join(c->dir, "b"));
#endif
	ev = vh_expect_arg_str(run, "renameat", pid, "oldpath", "b");
	FS_HDR(ev, pid, "vgl-rename");
	vh_assert_res(ev, 0);
	vh_assert_arg_int(ev, "olddirfd", c->dirfd);
	vh_assert_arg_int(ev, "newdirfd", c->dirfd);
	vh_assert_arg_str(ev, "newpath", "c");

	ev = vh_expect_arg_str(run, "renameat2", pid, "oldpath", tu_join(c->dir, "c"));
	FS_HDR(ev, pid, "vgl-rename");
	vh_assert_res(ev, 0);
	vh_assert_arg_int(ev, "olddirfd", AT_FDCWD);
	vh_assert_arg_int(ev, "newdirfd", AT_FDCWD);
	vh_assert_arg_str(ev, "newpath", tu_join(c->dir, "d"));
	vh_assert_arg_flags(ev, "flags", "RENAME_NOREPLACE");

	ev = vh_expect_arg_str(run, "renameat2", pid, "oldpath", tu_join(c->dir, "d"));
	vh_assert_res(ev, -EEXIST);
	vh_assert_arg_str(ev, "newpath", tu_join(c->dir, "other"));
	vh_assert_arg_flags(ev, "flags", "RENAME_NOREPLACE");
	vh_shared_free(c, sizeof(*c));
}

/* --- chmod, fchmod, fchmodat ------------------------------------------------- */

static void act_chmod(void *arg)
{
	struct fs_ctx *c = arg;

	c->dirfd = open(c->dir, O_RDONLY | O_DIRECTORY);
	VH_CHECK(c->dirfd >= 0);
	touch(tu_join(c->dir, "f"));
#ifdef SYS_chmod
	VH_CHECK(syscall(SYS_chmod, tu_join(c->dir, "f"), 0600) == 0);
#endif
	c->fd = open(tu_join(c->dir, "f"), O_RDONLY);
	VH_CHECK(c->fd >= 0);
	VH_CHECK(syscall(SYS_fchmod, (int)c->fd, 0640) == 0);
	VH_CHECK(syscall(SYS_fchmodat, (int)c->dirfd, "f", 0604) == 0);
}

static void test_chmod(void **state)
{
	struct fs_ctx *c = ctx_new();
	pid_t pid;
	struct vh_run *run = vh_run_child("chmod,fchmod,fchmodat", "vgl-chmod", act_chmod, c, &pid);
	json_t *ev;

	(void)state;
#ifdef SYS_chmod
	ev = vh_expect(run, "chmod", pid, NULL, NULL);
	FS_HDR(ev, pid, "vgl-chmod");
	vh_assert_res(ev, 0);
	vh_assert_arg_str(ev, "filename", tu_join(c->dir, "f"));
	vh_assert_arg_int(ev, "mode", 0600);
#endif
	ev = vh_expect(run, "fchmod", pid, NULL, NULL);
	FS_HDR(ev, pid, "vgl-chmod");
	vh_assert_res(ev, 0);
	vh_assert_arg_int(ev, "fd", c->fd);
	vh_assert_arg_int(ev, "mode", 0640);

	ev = vh_expect(run, "fchmodat", pid, NULL, NULL);
	FS_HDR(ev, pid, "vgl-chmod");
	vh_assert_res(ev, 0);
	vh_assert_arg_int(ev, "dirfd", c->dirfd);
	vh_assert_arg_str(ev, "filename", "f");
	vh_assert_arg_int(ev, "mode", 0604);
	vh_shared_free(c, sizeof(*c));
}

/* --- symlink, symlinkat, link, linkat ---------------------------------------- */

static void act_links(void *arg)
{
	struct fs_ctx *c = arg;

	c->dirfd = open(c->dir, O_RDONLY | O_DIRECTORY);
	VH_CHECK(c->dirfd >= 0);
	touch(tu_join(c->dir, "f"));
#ifdef SYS_symlink
	VH_CHECK(syscall(SYS_symlink, "vgl-target", tu_join(c->dir, "l1")) == 0);
	VH_CHECK(syscall(SYS_link, tu_join(c->dir, "f"), tu_join(c->dir, "h1")) == 0);
#endif
	VH_CHECK(syscall(SYS_symlinkat, "vgl-target2", (int)c->dirfd, "l2") == 0);
	VH_CHECK(syscall(SYS_linkat, (int)c->dirfd, "f", (int)c->dirfd, "h2", AT_SYMLINK_FOLLOW) ==
		 0);
}

static void test_links(void **state)
{
	struct fs_ctx *c = ctx_new();
	pid_t pid;
	struct vh_run *run =
		vh_run_child("symlink,symlinkat,link,linkat", "vgl-links", act_links, c, &pid);
	json_t *ev;

	(void)state;
#ifdef SYS_symlink
	ev = vh_expect(run, "symlink", pid, NULL, NULL);
	FS_HDR(ev, pid, "vgl-links");
	vh_assert_res(ev, 0);
	vh_assert_arg_str(ev, "target", "vgl-target");
	vh_assert_arg_str(ev, "linkpath", tu_join(c->dir, "l1"));

	ev = vh_expect(run, "link", pid, NULL, NULL);
	FS_HDR(ev, pid, "vgl-links");
	vh_assert_res(ev, 0);
	vh_assert_arg_str(ev, "oldpath", tu_join(c->dir, "f"));
	vh_assert_arg_str(ev, "newpath", tu_join(c->dir, "h1"));
#endif
	ev = vh_expect(run, "symlinkat", pid, NULL, NULL);
	FS_HDR(ev, pid, "vgl-links");
	vh_assert_res(ev, 0);
	vh_assert_arg_str(ev, "target", "vgl-target2");
	vh_assert_arg_int(ev, "linkdirfd", c->dirfd);
	vh_assert_arg_str(ev, "linkpath", "l2");

	ev = vh_expect(run, "linkat", pid, NULL, NULL);
	FS_HDR(ev, pid, "vgl-links");
	vh_assert_res(ev, 0);
	vh_assert_arg_int(ev, "olddir", c->dirfd);
	vh_assert_arg_str(ev, "oldpath", "f");
	vh_assert_arg_int(ev, "newdir", c->dirfd);
	vh_assert_arg_str(ev, "newpath", "h2");
	vh_assert_arg_flags(ev, "flags", "AT_SYMLINK_FOLLOW");
	vh_shared_free(c, sizeof(*c));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		vh_test(test_dirs),
		vh_test(test_rename),
		vh_test(test_chmod),
		vh_test(test_links),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
