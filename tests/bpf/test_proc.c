// SPDX-License-Identifier: Apache-2.0
/*
 * Process lifecycle: fork/clone/vfork and thread creation, execve (plain,
 * through a symlink, failing), execveat on an fd, and process exit (exit
 * code and death by signal).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <linux/sched.h>

#include "vigil/events.h"
#include "harness.h"

#define PROC_EVENTS "clone,clone3,fork,vfork,procexit"
#define EXEC_EVENTS "execve,execveat"

struct proc_ctx {
	char dir[PATH_MAX];
	long child; /* pid (or tid) the call under test returned */
	long fd;    /* fd given to execveat */
	char exe[PATH_MAX + 64];
};

static char *const exec_argv[] = { "true", "a b", "c", NULL };
static char *const exec_envp[] = { "VIGIL_TEST=1", NULL };

static struct proc_ctx *ctx_new(void)
{
	struct proc_ctx *c = vh_shared(sizeof(*c));

	vh_tmpdir(c->dir, sizeof(c->dir));
	return c;
}

static void reap(pid_t pid)
{
	int status;

	VH_CHECK(waitpid(pid, &status, 0) == pid);
	VH_CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 0);
}

/* The process-creation event from @pid whose result is @child. */
static json_t *expect_creation(const struct vh_run *run, const char *type, pid_t pid, long child,
			       const char *comm)
{
	long long res = child;
	json_t *ev = vh_expect(run, type, pid, vh_pred_res_eq, &res);

	vh_assert_hdr(ev, .pid = pid, .ppid = getpid(), .comm = comm);
	vh_assert_res(ev, child);
	vh_assert_arg_int(ev, "child_pid", child);
	vh_assert_arg_int(ev, "child_tid", child);
	vh_assert_arg_int(ev, "child_vpid", child); /* the tests run in the initial pid namespace */
	return ev;
}

/* --- fork(): glibc issues clone(CLONE_CHILD_SETTID|CLONE_CHILD_CLEARTID|SIGCHLD) */

static void act_fork(void *arg)
{
	struct proc_ctx *c = arg;
	pid_t pid = fork();

	VH_CHECK(pid >= 0);
	if (pid == 0)
		_exit(0);
	c->child = pid;
	reap(pid);
}

static void test_fork(void **state)
{
	struct vh_run *run = vh_start(PROC_EVENTS);
	struct proc_ctx *c = ctx_new();
	pid_t pid = vh_spawn("vgl-fork", act_fork, c, NULL);
	json_t *ev;

	(void)state;
	vh_stop(run);
	ev = expect_creation(run, "clone", pid, c->child, "vgl-fork");
	vh_assert_arg_flags(ev, "flags", "CLONE_CHILD_SETTID|CLONE_CHILD_CLEARTID|SIGCHLD");

	/* The new process exits 0; its parent is the forking child. */
	ev = vh_expect(run, "procexit", c->child, NULL, NULL);
	vh_assert_hdr(ev, .pid = c->child, .ppid = pid, .comm = "vgl-fork");
	vh_assert_arg_int(ev, "status", 0);
	vh_assert_arg_int(ev, "ret", 0);
	vh_assert_arg_str(ev, "sig", "0");
	vh_assert_arg_int(ev, "core", 0);
	vh_shared_free(c, sizeof(*c));
}

/* --- the fork(2) and vfork(2) system calls --------------------------------- */

#ifdef SYS_fork
static void act_sys_fork(void *arg)
{
	struct proc_ctx *c = arg;
	long pid = syscall(SYS_fork);

	VH_CHECK(pid >= 0);
	if (pid == 0)
		_exit(0);
	c->child = pid;
	reap((pid_t)pid);
}

static void test_sys_fork(void **state)
{
	struct vh_run *run = vh_start(PROC_EVENTS);
	struct proc_ctx *c = ctx_new();
	pid_t pid = vh_spawn("vgl-sysfork", act_sys_fork, c, NULL);
	json_t *ev;

	(void)state;
	vh_stop(run);
	ev = expect_creation(run, "fork", pid, c->child, "vgl-sysfork");
	vh_assert_arg_flags(ev, "flags", "SIGCHLD");
	vh_shared_free(c, sizeof(*c));
}
#endif

static void act_vfork(void *arg)
{
	struct proc_ctx *c = arg;
	pid_t pid = vfork();

	VH_CHECK(pid >= 0);
	if (pid == 0)
		_exit(0);
	c->child = pid;
	reap(pid);
}

static void test_vfork(void **state)
{
	struct vh_run *run = vh_start(PROC_EVENTS);
	struct proc_ctx *c = ctx_new();
	pid_t pid = vh_spawn("vgl-vfork", act_vfork, c, NULL);
	json_t *ev;

	(void)state;
	vh_stop(run);
#ifdef SYS_vfork
	ev = expect_creation(run, "vfork", pid, c->child, "vgl-vfork");
#else /* arm64: glibc's vfork() is clone(CLONE_VM | CLONE_VFORK | SIGCHLD) */
	ev = expect_creation(run, "clone", pid, c->child, "vgl-vfork");
#endif
	vh_assert_arg_flags(ev, "flags", "CLONE_VM|CLONE_VFORK|SIGCHLD");
	vh_shared_free(c, sizeof(*c));
}

/* --- clone3(CLONE_PARENT_SETTID, exit_signal SIGCHLD): a new process ------ */

static void act_clone3(void *arg)
{
	struct proc_ctx *c = arg;
	pid_t ptid = 0;
	struct clone_args ca = { .flags = CLONE_PARENT_SETTID,
				 .parent_tid = (__u64)(uintptr_t)&ptid,
				 .exit_signal = SIGCHLD };
	long pid = syscall(SYS_clone3, &ca, sizeof(ca));

	VH_CHECK(pid >= 0);
	if (pid == 0)
		_exit(0);
	VH_CHECK(ptid == pid);
	c->child = pid;
	reap((pid_t)pid);
}

static void test_clone3(void **state)
{
	struct vh_run *run = vh_start(PROC_EVENTS);
	struct proc_ctx *c = ctx_new();
	pid_t pid = vh_spawn("vgl-clone3", act_clone3, c, NULL);
	json_t *ev;

	(void)state;
	vh_stop(run);
	ev = expect_creation(run, "clone3", pid, c->child, "vgl-clone3");
	vh_assert_arg_has_flag(ev, "flags", "CLONE_PARENT_SETTID", true);
	vh_assert_arg_has_flag(ev, "flags", "CLONE_THREAD", false);
	vh_assert_arg_has_flag(ev, "flags", "CLONE_VM", false);
	vh_shared_free(c, sizeof(*c));
}

/* --- clone3(CLONE_NEWPID): the child is pid 1 of its own namespace ------- */

static void act_clone_newpid(void *arg)
{
	struct proc_ctx *c = arg;
	struct clone_args ca = { .flags = CLONE_NEWPID, .exit_signal = SIGCHLD };
	long pid = syscall(SYS_clone3, &ca, sizeof(ca));

	VH_CHECK(pid >= 0);
	if (pid == 0)
		_exit(getpid() == 1 ? 0 : 1);
	c->child = pid;
	reap((pid_t)pid);
}

static void test_clone_newpid(void **state)
{
	struct vh_run *run = vh_start(PROC_EVENTS);
	struct proc_ctx *c = ctx_new();
	pid_t pid = vh_spawn("vgl-newpid", act_clone_newpid, c, NULL);
	long long res;
	json_t *ev;

	(void)state;
	vh_stop(run);
	res = c->child;
	ev = vh_expect(run, "clone3", pid, vh_pred_res_eq, &res);
	vh_assert_arg_has_flag(ev, "flags", "CLONE_NEWPID", true);
	vh_assert_arg_int(ev, "child_pid", c->child);
	vh_assert_arg_int(ev, "child_vpid", 1);
	vh_shared_free(c, sizeof(*c));
}

/*
 * --- a thread is not a new process: whatever vigil reports about thread
 * creation (docs/events.md leaves it open), no process-creation event may
 * name the thread as a new process.
 */

static void *thread_main(void *arg)
{
	struct proc_ctx *c = arg;

	c->child = syscall(SYS_gettid);
	return NULL;
}

static void act_thread(void *arg)
{
	pthread_t t;

	VH_CHECK(pthread_create(&t, NULL, thread_main, arg) == 0);
	VH_CHECK(pthread_join(t, NULL) == 0);
}

static void test_thread(void **state)
{
	static const char *const kinds[] = { "clone", "clone3", "fork", "vfork" };
	struct vh_run *run = vh_start(PROC_EVENTS);
	struct proc_ctx *c = ctx_new();
	pid_t pid = vh_spawn("vgl-thread", act_thread, c, NULL);
	json_int_t tid;
	json_t *ev;

	(void)state;
	vh_stop(run);
	assert_true(c->child > 0 && c->child != pid);
	for (size_t i = 0; i < sizeof(kinds) / sizeof(kinds[0]); i++) {
		ev = vh_find(run, kinds[i], pid, vh_pred_arg_eq,
			     &(struct vh_arg_eq){ .name = "child_pid", .num = c->child });

		if (ev) {
			vh_print_event("thread reported as a new process: ", ev);
			fail_msg("thread %ld of %d reported as process %ld", c->child, (int)pid,
				 c->child);
		}
	}
	/*
	 * One exit for the process, none for its thread alone. It comes from
	 * whichever thread found the process over: before the tracepoint
	 * passed group_dead (6.1) that can be the thread, woken out of the
	 * leader's pthread_join as it exits, or the leader.
	 */
	ev = vh_expect(run, "procexit", pid, NULL, NULL);
	tid = json_integer_value(json_object_get(ev, "tid"));
	if (tid != pid && tid != c->child)
		fail_msg("procexit tid %lld: neither the process %d nor its thread %ld",
			 (long long)tid, (int)pid, c->child);
	vh_assert_hdr(ev, .pid = pid, .tid = (pid_t)tid, .ppid = getpid(), .comm = "vgl-thread");
	vh_assert_arg_int(ev, "ret", 0);
	vh_shared_free(c, sizeof(*c));
}

/* --- execve("/bin/true", ["true", "a b", "c"]) ------------------------------ */

static void act_execve(void *arg)
{
	struct proc_ctx *c = arg;

	VH_CHECK(chdir(c->dir) == 0);
	execve(c->exe, exec_argv, exec_envp);
	VH_CHECK(!"execve returned");
}

/* The successful exec event of @pid, run by @path, of /bin/true. */
static json_t *expect_exec(const struct vh_run *run, const char *type, pid_t pid,
			   const struct proc_ctx *c, const char *comm)
{
	char exe[PATH_MAX];
	json_t *ev = vh_expect(run, type, pid, NULL, NULL);

	assert_non_null(realpath("/bin/true", exe));
	vh_assert_hdr(ev, .pid = pid, .ppid = getpid(), .comm = comm);
	vh_assert_res(ev, 0);
	vh_assert_arg_argv(ev, "args", "true", "a b", "c");
	vh_assert_arg_str(ev, "exe", exe);
	vh_assert_arg_str(ev, "cwd", c->dir);
	vh_assert_absent(ev, "truncated");
	vh_assert_user_args(run, ev, "exec filename");
	return ev;
}

static void test_execve(void **state)
{
	struct vh_run *run = vh_start(EXEC_EVENTS);
	struct proc_ctx *c = ctx_new();
	pid_t pid;
	json_t *ev;

	(void)state;
	strcpy(c->exe, "/bin/true");
	pid = vh_spawn("vgl-exec", act_execve, c, NULL);
	vh_stop(run);
	ev = expect_exec(run, "execve", pid, c, "true");
	vh_assert_arg_str(ev, "filename", "/bin/true");
	vh_shared_free(c, sizeof(*c));
}

/* --- exec through a symlink: filename is the link, exe the binary ---------- */

static void test_execve_symlink(void **state)
{
	struct vh_run *run = vh_start(EXEC_EVENTS);
	struct proc_ctx *c = ctx_new();
	pid_t pid;
	json_t *ev;

	(void)state;
	snprintf(c->exe, sizeof(c->exe), "%s/vgl-link", c->dir);
	assert_int_equal(symlink("/bin/true", c->exe), 0);
	pid = vh_spawn("vgl-exec-link", act_execve, c, NULL);
	vh_stop(run);
	/* The kernel names the task after the file name it was asked to run. */
	ev = expect_exec(run, "execve", pid, c, "vgl-link");
	vh_assert_arg_str(ev, "filename", c->exe);
	vh_shared_free(c, sizeof(*c));
}

/*
 * --- exec of a "#!/bin/sh" script: filename is the script, exe the
 * interpreter, argv the one the kernel built (interpreter, script, args).
 */

static void act_execve_script(void *arg)
{
	struct proc_ctx *c = arg;
	char *const argv[] = { "vgl-script", "x", NULL };

	VH_CHECK(chdir(c->dir) == 0);
	execve(c->exe, argv, exec_envp);
	VH_CHECK(!"execve returned");
}

static void test_execve_script(void **state)
{
	struct vh_run *run = vh_start(EXEC_EVENTS);
	struct proc_ctx *c = ctx_new();
	char sh[PATH_MAX];
	pid_t pid;
	json_t *ev;
	FILE *f;

	(void)state;
	assert_non_null(realpath("/bin/sh", sh));
	snprintf(c->exe, sizeof(c->exe), "%s/vgl-script", c->dir);
	f = fopen(c->exe, "w");
	assert_non_null(f);
	fputs("#!/bin/sh\nexit 0\n", f);
	fclose(f);
	assert_int_equal(chmod(c->exe, 0755), 0);
	pid = vh_spawn("vgl-exec-sh", act_execve_script, c, NULL);
	vh_stop(run);
	ev = vh_expect(run, "execve", pid, NULL, NULL);
	vh_assert_hdr(ev, .pid = pid, .ppid = getpid(), .comm = "vgl-script");
	vh_assert_res(ev, 0);
	vh_assert_arg_str(ev, "filename", c->exe);
	vh_assert_arg_argv(ev, "args", "/bin/sh", c->exe, "x");
	vh_assert_arg_str(ev, "exe", sh);
	vh_assert_arg_str(ev, "cwd", c->dir);
	vh_shared_free(c, sizeof(*c));
}

/*
 * --- argv longer than VGL_ARGV_MAX: cut at the limit, flagged truncated, and
 * what is kept is exactly the start of the real argv.
 */

#define LONG_ARGC    100
#define LONG_ARG_LEN 99

static void act_execve_long(void *arg)
{
	static char args[LONG_ARGC][LONG_ARG_LEN + 1];
	char *argv[LONG_ARGC + 1];
	struct proc_ctx *c = arg;

	argv[0] = "true";
	for (int i = 1; i < LONG_ARGC; i++) {
		memset(args[i], 'a' + i % 26, LONG_ARG_LEN);
		argv[i] = args[i];
	}
	argv[LONG_ARGC] = NULL;
	execve(c->exe, argv, exec_envp);
	VH_CHECK(!"execve returned");
}

static void check_argv_prefix(const json_t *ev)
{
	const json_t *args = json_object_get(json_object_get(ev, "args"), "args");
	size_t n = json_array_size(args), bytes = 0;

	if (!json_is_true(json_object_get(ev, "truncated")) || n < 2 || n > LONG_ARGC)
		goto fail;
	for (size_t i = 0; i < n; i++) {
		const char *a = json_string_value(json_array_get(args, i));
		char want[LONG_ARG_LEN + 1] = "true";
		size_t len = a ? strlen(a) : 0;

		if (i > 0)
			memset(want, 'a' + (int)i % 26, LONG_ARG_LEN);
		/* every argument whole, the last one possibly cut */
		if (!a || strncmp(a, want, len) != 0 || (i + 1 < n && strcmp(a, want) != 0))
			goto fail;
		bytes += len + 1;
	}
	/* filled up to the limit, not cut short */
	if (bytes > VGL_ARGV_MAX || bytes + LONG_ARG_LEN + 1 < VGL_ARGV_MAX)
		goto fail;
	return;
fail:
	vh_print_event("event: ", ev);
	fail_msg("want \"truncated\": true and args = the first %d bytes of the real argv "
		 "(argv[0] \"true\", then 99-byte arguments), each argument whole but the last",
		 VGL_ARGV_MAX);
}

static void test_execve_argv_limit(void **state)
{
	struct vh_run *run = vh_start(EXEC_EVENTS);
	struct proc_ctx *c = ctx_new();
	pid_t pid;
	json_t *ev;

	(void)state;
	strcpy(c->exe, "/bin/true");
	pid = vh_spawn("vgl-exec-long", act_execve_long, c, NULL);
	vh_stop(run);
	ev = vh_expect(run, "execve", pid, NULL, NULL);
	vh_assert_hdr(ev, .pid = pid, .ppid = getpid(), .comm = "true");
	vh_assert_res(ev, 0);
	vh_assert_arg_str(ev, "filename", "/bin/true");
	check_argv_prefix(ev);
	assert_true(json_integer_value(json_object_get(
			    json_object_get(json_object_get(run->stats, "kinds"), "execve"),
			    "truncated")) >= 1);
	vh_shared_free(c, sizeof(*c));
}

/* --- exec of a missing file: ENOENT, the process keeps its name ------------ */

static void act_execve_missing(void *arg)
{
	struct proc_ctx *c = arg;

	VH_CHECK(chdir(c->dir) == 0);
	VH_CHECK(execve(c->exe, exec_argv, exec_envp) == -1 && errno == ENOENT);
}

static void test_execve_missing(void **state)
{
	struct vh_run *run = vh_start(EXEC_EVENTS);
	struct proc_ctx *c = ctx_new();
	pid_t pid;
	json_t *ev;

	(void)state;
	snprintf(c->exe, sizeof(c->exe), "%s/no-such-binary", c->dir);
	pid = vh_spawn("vgl-exec-miss", act_execve_missing, c, NULL);
	vh_stop(run);
	ev = vh_expect(run, "execve", pid, NULL, NULL);
	vh_assert_hdr(ev, .pid = pid, .ppid = getpid(), .comm = "vgl-exec-miss");
	vh_assert_res(ev, -ENOENT);
	vh_assert_arg_str(ev, "filename", c->exe);
	vh_assert_arg_argv(ev, "args", "true", "a b", "c");
	vh_assert_arg_str(ev, "cwd", c->dir);
	vh_shared_free(c, sizeof(*c));
}

/* --- execveat(fd, "", argv, envp, AT_EMPTY_PATH) ---------------------------- */

static void act_execveat(void *arg)
{
	struct proc_ctx *c = arg;

	VH_CHECK(chdir(c->dir) == 0);
	c->fd = open("/bin/true", O_RDONLY);
	VH_CHECK(c->fd >= 0);
	syscall(SYS_execveat, (int)c->fd, "", exec_argv, exec_envp, AT_EMPTY_PATH);
	VH_CHECK(!"execveat returned");
}

static void test_execveat(void **state)
{
	struct vh_run *run = vh_start(EXEC_EVENTS);
	struct proc_ctx *c = ctx_new();
	char devfd[64];
	pid_t pid;
	json_t *ev;

	(void)state;
	pid = vh_spawn("vgl-execveat", act_execveat, c, NULL);
	vh_stop(run);
	/* Since Linux 6.14 an fd exec names the task after the file's dentry. */
	ev = expect_exec(run, "execveat", pid, c, "true");
	vh_assert_arg_int(ev, "dirfd", c->fd);
	vh_assert_arg_flags(ev, "at_flags", "AT_EMPTY_PATH");
	/* As given, or as the kernel's bprm names it. */
	snprintf(devfd, sizeof(devfd), "/dev/fd/%ld", c->fd);
	vh_assert_arg_str_oneof(ev, "filename", "", devfd);
	vh_shared_free(c, sizeof(*c));
}

/* --- process exit ----------------------------------------------------------- */

static void act_exit7(void *arg)
{
	(void)arg;
	_exit(7);
}

static void test_procexit_code(void **state)
{
	struct vh_run *run = vh_start(PROC_EVENTS);
	int status;
	pid_t pid = vh_spawn("vgl-exit7", act_exit7, NULL, &status);
	json_t *ev;

	(void)state;
	assert_true(WIFEXITED(status) && WEXITSTATUS(status) == 7);
	vh_stop(run);
	ev = vh_expect(run, "procexit", pid, NULL, NULL);
	vh_assert_hdr(ev, .pid = pid, .ppid = getpid(), .comm = "vgl-exit7");
	vh_assert_arg_int(ev, "status", status); /* the wait status, 7 << 8 */
	vh_assert_arg_int(ev, "ret", 7);
	vh_assert_arg_str(ev, "sig", "0");
	vh_assert_arg_int(ev, "core", 0);
}

static void act_sigkill(void *arg)
{
	(void)arg;
	kill(getpid(), SIGKILL);
	pause();
}

static void test_procexit_signal(void **state)
{
	struct vh_run *run = vh_start(PROC_EVENTS);
	int status;
	pid_t pid = vh_spawn("vgl-killed", act_sigkill, NULL, &status);
	json_t *ev;

	(void)state;
	assert_true(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL);
	vh_stop(run);
	ev = vh_expect(run, "procexit", pid, NULL, NULL);
	vh_assert_hdr(ev, .pid = pid, .ppid = getpid(), .comm = "vgl-killed");
	vh_assert_arg_int(ev, "status", SIGKILL);
	vh_assert_arg_int(ev, "ret", 0);
	vh_assert_arg_str(ev, "sig", "SIGKILL");
	vh_assert_arg_int(ev, "core", 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		vh_test(test_fork),
#ifdef SYS_fork
		vh_test(test_sys_fork),
#endif
		vh_test(test_vfork),
		vh_test(test_clone3),
		vh_test(test_clone_newpid),
		vh_test(test_thread),
		vh_test(test_execve),
		vh_test(test_execve_symlink),
		vh_test(test_execve_argv_limit),
		vh_test(test_execve_script),
		vh_test(test_execve_missing),
		vh_test(test_execveat),
		vh_test(test_procexit_code),
		vh_test(test_procexit_signal),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
