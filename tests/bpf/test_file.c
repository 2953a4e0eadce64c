// SPDX-License-Identifier: Apache-2.0
/*
 * File opens: open, openat, openat2 and creat, successful and failing, with
 * relative paths, a directory fd and a symlink. Each asserts the decoded
 * header and every parameter exactly.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <linux/openat2.h>
#include <sys/stat.h>
#include <sys/syscall.h>

#include "harness.h"

struct file_ctx {
	char dir[PATH_MAX];
	long fd;    /* what the syscall under test returned */
	long dirfd; /* the directory fd it was given */
};

static struct file_ctx *ctx_new(void)
{
	struct file_ctx *c = vh_shared(sizeof(*c));

	vh_tmpdir(c->dir, sizeof(c->dir));
	return c;
}

static void write_file(const char *path)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);

	assert_true(fd >= 0);
	close(fd);
}

/* --- openat(AT_FDCWD, "/abs/created.txt", O_WRONLY|O_CREAT|O_TRUNC, 0644) -- */

static void act_openat_create(void *arg)
{
	struct file_ctx *c = arg;

	umask(0);
	c->fd = syscall(SYS_openat, AT_FDCWD, tu_join(c->dir, "created.txt"),
			O_WRONLY | O_CREAT | O_TRUNC, 0644);
	VH_CHECK(c->fd >= 0);
}

static void test_openat_create(void **state)
{
	struct vh_run *run = vh_start("openat");
	struct file_ctx *c = ctx_new();
	const char *path = tu_join(c->dir, "created.txt");
	pid_t pid = vh_spawn("vgl-open", act_openat_create, c, NULL);
	json_t *ev;

	(void)state;
	vh_stop(run);
	ev = vh_expect_arg_str(run, "openat", pid, "name", path);
	vh_assert_hdr(ev, .pid = pid, .ppid = getpid(), .comm = "vgl-open");
	vh_assert_res(ev, c->fd);
	vh_assert_arg_int(ev, "dirfd", AT_FDCWD);
	vh_assert_arg_str(ev, "path", path);
	vh_assert_arg_flags(ev, "flags", "O_WRONLY|O_CREAT|O_TRUNC");
	vh_assert_arg_int(ev, "mode", 0644);
	vh_assert_user_args(run, ev, "open name");
	vh_shared_free(c, sizeof(*c));
}

/* --- a relative name that does not exist: ENOENT, path = cwd + name ------- */

static void act_openat_missing(void *arg)
{
	struct file_ctx *c = arg;

	VH_CHECK(chdir(c->dir) == 0);
	c->fd = syscall(SYS_openat, AT_FDCWD, "missing.txt", O_RDONLY);
	VH_CHECK(c->fd == -1 && errno == ENOENT);
}

static void test_openat_missing(void **state)
{
	struct vh_run *run = vh_start("openat");
	struct file_ctx *c = ctx_new();
	pid_t pid = vh_spawn("vgl-open-miss", act_openat_missing, c, NULL);
	json_t *ev;

	(void)state;
	vh_stop(run);
	ev = vh_expect_arg_str(run, "openat", pid, "name", "missing.txt");
	vh_assert_hdr(ev, .pid = pid, .ppid = getpid(), .comm = "vgl-open-miss");
	vh_assert_res(ev, -ENOENT);
	vh_assert_arg_int(ev, "dirfd", AT_FDCWD);
	vh_assert_arg_str(ev, "path", tu_join(c->dir, "missing.txt"));
	vh_assert_arg_flags(ev, "flags", "O_RDONLY");
	vh_assert_arg_int(ev, "mode", 0);
	vh_shared_free(c, sizeof(*c));
}

/* --- a name that cannot be read (EFAULT): null, not made up --------------- */

static void act_openat_efault(void *arg)
{
	struct file_ctx *c = arg;

	c->fd = syscall(SYS_openat, AT_FDCWD, (const char *)1, O_RDONLY);
	VH_CHECK(c->fd == -1 && errno == EFAULT);
}

static void test_openat_efault(void **state)
{
	struct vh_run *run = vh_start("openat");
	struct file_ctx *c = ctx_new();
	pid_t pid = vh_spawn("vgl-open-fault", act_openat_efault, c, NULL);
	long long efault = -EFAULT;
	json_t *ev;

	(void)state;
	vh_stop(run);
	ev = vh_expect(run, "openat", pid, vh_pred_res_eq, &efault);
	vh_assert_hdr(ev, .pid = pid, .ppid = getpid(), .comm = "vgl-open-fault");
	vh_assert_res(ev, -EFAULT);
	vh_assert_arg_int(ev, "dirfd", AT_FDCWD);
	vh_assert_arg_null(ev, "name");
	vh_assert_arg_null(ev, "path");
	vh_assert_arg_flags(ev, "flags", "O_RDONLY");
	assert_true(json_integer_value(json_object_get(
			    json_object_get(json_object_get(run->stats, "kinds"), "openat"),
			    "read_failed")) >= 1);
	vh_shared_free(c, sizeof(*c));
}

/* --- openat(dirfd, "sub/file", O_RDONLY|O_CLOEXEC) ------------------------- */

static void act_openat_dirfd(void *arg)
{
	struct file_ctx *c = arg;

	c->dirfd = open(c->dir, O_RDONLY | O_DIRECTORY);
	VH_CHECK(c->dirfd >= 0);
	c->fd = syscall(SYS_openat, (int)c->dirfd, "sub/file", O_RDONLY | O_CLOEXEC);
	VH_CHECK(c->fd >= 0);
	VH_CHECK(syscall(SYS_openat, (int)c->dirfd, "sub/missing", O_RDONLY) == -1 &&
		 errno == ENOENT);
}

static void test_openat_dirfd(void **state)
{
	struct vh_run *run = vh_start("openat");
	struct file_ctx *c = ctx_new();
	pid_t pid;
	json_t *ev;

	(void)state;
	assert_int_equal(mkdir(tu_join(c->dir, "sub"), 0755), 0);
	write_file(tu_join(c->dir, "sub/file"));
	pid = vh_spawn("vgl-open-dirfd", act_openat_dirfd, c, NULL);
	vh_stop(run);

	ev = vh_expect_arg_str(run, "openat", pid, "name", "sub/file");
	vh_assert_hdr(ev, .pid = pid, .ppid = getpid(), .comm = "vgl-open-dirfd");
	vh_assert_res(ev, c->fd);
	vh_assert_arg_int(ev, "dirfd", c->dirfd);
	vh_assert_arg_str(ev, "path", tu_join(c->dir, "sub/file"));
	vh_assert_arg_flags(ev, "flags", "O_RDONLY|O_CLOEXEC");
	vh_assert_arg_int(ev, "mode", 0);

	/* A missing name relative to the dirfd: the path it would have had. */
	ev = vh_expect_arg_str(run, "openat", pid, "name", "sub/missing");
	vh_assert_res(ev, -ENOENT);
	vh_assert_arg_int(ev, "dirfd", c->dirfd);
	vh_assert_arg_str(ev, "path", tu_join(c->dir, "sub/missing"));

	/* The directory open before it: absolute name, O_DIRECTORY. */
	ev = vh_expect_arg_str(run, "openat", pid, "name", c->dir);
	vh_assert_res(ev, c->dirfd);
	vh_assert_arg_str(ev, "path", c->dir);
	vh_assert_arg_flags(ev, "flags", "O_RDONLY|O_DIRECTORY");
	vh_shared_free(c, sizeof(*c));
}

/* --- open through a symlink: name is the link, path the file opened -------- */

static void act_openat_symlink(void *arg)
{
	struct file_ctx *c = arg;

	c->fd = syscall(SYS_openat, AT_FDCWD, tu_join(c->dir, "link.txt"), O_RDONLY);
	VH_CHECK(c->fd >= 0);
}

static void test_openat_symlink(void **state)
{
	struct vh_run *run = vh_start("openat");
	struct file_ctx *c = ctx_new();
	pid_t pid;
	json_t *ev;

	(void)state;
	write_file(tu_join(c->dir, "target.txt"));
	assert_int_equal(symlink("target.txt", tu_join(c->dir, "link.txt")), 0);
	pid = vh_spawn("vgl-open-link", act_openat_symlink, c, NULL);
	vh_stop(run);

	ev = vh_expect_arg_str(run, "openat", pid, "name", tu_join(c->dir, "link.txt"));
	vh_assert_hdr(ev, .pid = pid, .ppid = getpid(), .comm = "vgl-open-link");
	vh_assert_res(ev, c->fd);
	vh_assert_arg_int(ev, "dirfd", AT_FDCWD);
	vh_assert_arg_str(ev, "path", tu_join(c->dir, "target.txt"));
	vh_assert_arg_flags(ev, "flags", "O_RDONLY");
	vh_assert_arg_int(ev, "mode", 0);
	vh_shared_free(c, sizeof(*c));
}

/* --- creat(2) -------------------------------------------------------------- */

#ifdef SYS_creat
static void act_creat(void *arg)
{
	struct file_ctx *c = arg;

	umask(0);
	c->fd = syscall(SYS_creat, tu_join(c->dir, "creat.txt"), 0600);
	VH_CHECK(c->fd >= 0);
}

static void test_creat(void **state)
{
	struct vh_run *run = vh_start("creat");
	struct file_ctx *c = ctx_new();
	pid_t pid = vh_spawn("vgl-creat", act_creat, c, NULL);
	json_t *ev;

	(void)state;
	vh_stop(run);
	ev = vh_expect(run, "creat", pid, NULL, NULL);
	vh_assert_hdr(ev, .pid = pid, .ppid = getpid(), .comm = "vgl-creat");
	vh_assert_res(ev, c->fd);
	vh_assert_arg_int(ev, "dirfd", AT_FDCWD);
	vh_assert_arg_str(ev, "name", tu_join(c->dir, "creat.txt"));
	vh_assert_arg_str(ev, "path", tu_join(c->dir, "creat.txt"));
	vh_assert_arg_flags(ev, "flags", "O_WRONLY|O_CREAT|O_TRUNC");
	vh_assert_arg_int(ev, "mode", 0600);
	vh_shared_free(c, sizeof(*c));
}
#endif

/* --- open(2), relative to the cwd ------------------------------------------ */

#ifdef SYS_open
static void act_open(void *arg)
{
	struct file_ctx *c = arg;

	umask(0);
	VH_CHECK(chdir(c->dir) == 0);
	c->fd = syscall(SYS_open, "legacy.txt", O_RDWR | O_CREAT | O_EXCL, 0640);
	VH_CHECK(c->fd >= 0);
}

static void test_open(void **state)
{
	struct vh_run *run = vh_start("open");
	struct file_ctx *c = ctx_new();
	pid_t pid = vh_spawn("vgl-open-old", act_open, c, NULL);
	json_t *ev;

	(void)state;
	vh_stop(run);
	ev = vh_expect(run, "open", pid, NULL, NULL);
	vh_assert_hdr(ev, .pid = pid, .ppid = getpid(), .comm = "vgl-open-old");
	vh_assert_res(ev, c->fd);
	vh_assert_arg_int(ev, "dirfd", AT_FDCWD);
	vh_assert_arg_str(ev, "name", "legacy.txt");
	vh_assert_arg_str(ev, "path", tu_join(c->dir, "legacy.txt"));
	vh_assert_arg_flags(ev, "flags", "O_RDWR|O_CREAT|O_EXCL");
	vh_assert_arg_int(ev, "mode", 0640);
	vh_shared_free(c, sizeof(*c));
}
#endif

/* --- openat2(2): a success and a RESOLVE_NO_SYMLINKS refusal --------------- */

static void act_openat2(void *arg)
{
	struct file_ctx *c = arg;
	struct open_how how = { .flags = O_RDONLY | O_CLOEXEC, .resolve = RESOLVE_NO_SYMLINKS };

	c->fd = syscall(SYS_openat2, AT_FDCWD, tu_join(c->dir, "target.txt"), &how, sizeof(how));
	VH_CHECK(c->fd >= 0);
	c->dirfd = syscall(SYS_openat2, AT_FDCWD, tu_join(c->dir, "link.txt"), &how, sizeof(how));
	VH_CHECK(c->dirfd == -1 && errno == ELOOP);
}

static void test_openat2(void **state)
{
	struct vh_run *run = vh_start("openat2");
	struct file_ctx *c = ctx_new();
	pid_t pid;
	json_t *ev;

	(void)state;
	write_file(tu_join(c->dir, "target.txt"));
	assert_int_equal(symlink("target.txt", tu_join(c->dir, "link.txt")), 0);
	pid = vh_spawn("vgl-openat2", act_openat2, c, NULL);
	vh_stop(run);

	ev = vh_expect_arg_str(run, "openat2", pid, "name", tu_join(c->dir, "target.txt"));
	vh_assert_hdr(ev, .pid = pid, .ppid = getpid(), .comm = "vgl-openat2");
	vh_assert_res(ev, c->fd);
	vh_assert_arg_int(ev, "dirfd", AT_FDCWD);
	vh_assert_arg_str(ev, "path", tu_join(c->dir, "target.txt"));
	vh_assert_arg_flags(ev, "flags", "O_RDONLY|O_CLOEXEC");
	vh_assert_arg_int(ev, "mode", 0);

	ev = vh_expect_arg_str(run, "openat2", pid, "name", tu_join(c->dir, "link.txt"));
	vh_assert_res(ev, -ELOOP);
	vh_assert_arg_int(ev, "dirfd", AT_FDCWD);
	vh_assert_arg_flags(ev, "flags", "O_RDONLY|O_CLOEXEC");
	vh_shared_free(c, sizeof(*c));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		vh_test(test_openat_create),  vh_test(test_openat_missing),
		vh_test(test_openat_efault),  vh_test(test_openat_dirfd),
		vh_test(test_openat_symlink),
#ifdef SYS_creat
		vh_test(test_creat),
#endif
#ifdef SYS_open
		vh_test(test_open),
#endif
		vh_test(test_openat2),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
