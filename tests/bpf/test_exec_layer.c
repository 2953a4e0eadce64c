// SPDX-License-Identifier: Apache-2.0
/*
 * Where an exec'd file lives, as the exec events' flags say: a memfd
 * (EXE_FROM_MEMFD), or the lower or the upper layer of an overlayfs mount
 * (EXE_LOWER_LAYER, EXE_UPPER_LAYER). The test runs as root and its files are
 * root's with mode 0755, so EXE_WRITABLE is set in each (test_exec.c tests
 * it on its own).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <sched.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <sys/mman.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>

#include "harness.h"

struct layer_ctx {
	char dir[PATH_MAX];
	char exe[PATH_MAX + 64];
	pid_t lower_pid, upper_pid; /* the children that exec'd through the overlay */
	ino_t lower_ino, upper_ino; /* their files' st_ino, through the overlay */
	int mount_err;		    /* errno of the overlay mount, 0 when mounted */
};

static struct layer_ctx *ctx_new(void)
{
	struct layer_ctx *c = vh_shared(sizeof(*c));

	vh_tmpdir(c->dir, sizeof(c->dir));
	return c;
}

static json_t *expect_exec(const struct vh_run *run, const char *type, pid_t pid)
{
	json_t *ev = vh_expect(run, type, pid, NULL, NULL);

	vh_assert_res(ev, 0);
	return ev;
}

/* --- a memfd holding /bin/true, exec'd by execveat(fd, "", AT_EMPTY_PATH) --- */

static void act_memfd(void *arg)
{
	char *const argv[] = { "true", NULL };
	int in = open("/bin/true", O_RDONLY | O_CLOEXEC);
	int fd = memfd_create("vgl-memfd", 0);

	(void)arg;
	VH_CHECK(in >= 0 && fd >= 0);
	VH_CHECK(vh_copy_fd(in, fd) == 0);
	syscall(SYS_execveat, fd, "", argv, vh_exec_envp, AT_EMPTY_PATH);
	VH_CHECK(!"execveat returned");
}

static void act_exec(void *arg)
{
	const struct layer_ctx *c = arg;

	vh_exec_true(c->exe, vh_exec_envp);
}

static void test_memfd(void **state)
{
	struct vh_run *run = vh_start("execve,execveat");
	struct layer_ctx *c = ctx_new();
	struct layer_ctx *named = ctx_new();
	pid_t memfd, plain, like;
	json_t *ev;

	(void)state;
	assert_int_equal(vh_copy_true(c->dir, "vgl-plain", 0755, c->exe, sizeof(c->exe)), 0);
	assert_int_equal(
		vh_copy_true(named->dir, "memfd:vgl", 0755, named->exe, sizeof(named->exe)), 0);
	memfd = vh_spawn("vgl-memfd", act_memfd, NULL, NULL);
	plain = vh_spawn("vgl-plain", act_exec, c, NULL);
	like = vh_spawn("vgl-named", act_exec, named, NULL);
	vh_stop(run);
	/* a memfd is root's, mode 0777 */
	ev = expect_exec(run, "execveat", memfd);
	vh_assert_arg_flags(ev, "at_flags", "AT_EMPTY_PATH");
	vh_assert_arg_flags(ev, "flags", "EXE_WRITABLE|EXE_FROM_MEMFD");
	ev = expect_exec(run, "execve", plain);
	vh_assert_arg_flags(ev, "flags", "EXE_WRITABLE");
	/* a file in a directory named as memfds are is not one */
	ev = expect_exec(run, "execve", like);
	vh_assert_arg_flags(ev, "flags", "EXE_WRITABLE");
	vh_shared_free(c, sizeof(*c));
	vh_shared_free(named, sizeof(*named));
}

/*
 * --- overlayfs: a file only in the lower layer, exec'd through the merged
 * directory, then a file written through it (so into the upper layer). The
 * mount lives in a mount namespace of the child's own, gone with it.
 */

/* In a child: fork, exec @path there, wait for it; its pid. */
static pid_t exec_in_child(const char *path)
{
	int status;
	pid_t pid = fork();

	VH_CHECK(pid >= 0);
	if (pid == 0)
		vh_exec_true(path, vh_exec_envp);
	VH_CHECK(waitpid(pid, &status, 0) == pid);
	VH_CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	return pid;
}

static void act_overlay(void *arg)
{
	struct layer_ctx *c = arg;
	char opts[3 * PATH_MAX + 64], merged[PATH_MAX + 16], exe[PATH_MAX + 64];
	struct stat st;

	snprintf(merged, sizeof(merged), "%s/merged", c->dir);
	snprintf(opts, sizeof(opts), "lowerdir=%s/lower,upperdir=%s/upper,workdir=%s/work", c->dir,
		 c->dir, c->dir);
	VH_CHECK(unshare(CLONE_NEWNS) == 0);
	VH_CHECK(mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) == 0);
	if (mount("overlay", merged, "overlay", 0, opts) != 0) {
		c->mount_err = errno;
		return;
	}
	snprintf(exe, sizeof(exe), "%s/vgl-lower", merged);
	VH_CHECK(stat(exe, &st) == 0);
	c->lower_ino = st.st_ino;
	c->lower_pid = exec_in_child(exe);
	VH_CHECK(vh_copy_true(merged, "vgl-upper", 0755, exe, sizeof(exe)) == 0);
	VH_CHECK(stat(tu_join(c->dir, "upper/vgl-upper"), &st) == 0);
	VH_CHECK(stat(exe, &st) == 0);
	c->upper_ino = st.st_ino;
	c->upper_pid = exec_in_child(exe);
	VH_CHECK(umount(merged) == 0);
}

static void test_overlay(void **state)
{
	static const char *const dirs[] = { "lower", "upper", "work", "merged" };
	struct vh_run *run = vh_start("execve");
	struct layer_ctx *c = ctx_new();
	char path[PATH_MAX + 64];
	json_t *ev;

	(void)state;
	for (size_t i = 0; i < sizeof(dirs) / sizeof(dirs[0]); i++)
		assert_int_equal(mkdir(tu_join(c->dir, dirs[i]), 0755), 0);
	assert_int_equal(
		vh_copy_true(tu_join(c->dir, "lower"), "vgl-lower", 0755, path, sizeof(path)), 0);
	vh_spawn("vgl-overlay", act_overlay, c, NULL);
	vh_stop(run);
	if (c->mount_err == ENODEV)
		tu_skip_or_fail("no overlayfs in this kernel (mount: ENODEV)");
	if (c->mount_err)
		fail_msg("mount overlay on %s/merged: %s", c->dir, strerror(c->mount_err));
	ev = expect_exec(run, "execve", c->lower_pid);
	vh_assert_arg_flags(ev, "flags", "EXE_WRITABLE|EXE_LOWER_LAYER");
	vh_assert_arg_int(ev, "exe_ino", (long long)c->lower_ino);
	ev = expect_exec(run, "execve", c->upper_pid);
	vh_assert_arg_flags(ev, "flags", "EXE_WRITABLE|EXE_UPPER_LAYER");
	vh_assert_arg_int(ev, "exe_ino", (long long)c->upper_ino);
	vh_shared_free(c, sizeof(*c));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		vh_test(test_memfd),
		vh_test(test_overlay),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
