// SPDX-License-Identifier: Apache-2.0
/*
 * Child processes of the BPF and end-to-end tests (see child.h): one way to
 * start vigil with its output in files, to wait for a line it prints and to
 * stop it, shared by both suites so that they cannot drift apart.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <limits.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/prctl.h>
#include <sys/wait.h>

#include <cmocka.h>

#include "child.h"
#include "testutil.h"

#define TU_POLL_MS     10
#define TU_TMPDIRS_MAX 16

/* Directories made by tu_tmpdir(), removed by tu_tmpdirs_remove(). */
static char tmpdirs[TU_TMPDIRS_MAX][PATH_MAX];

pid_t tu_fork(void)
{
	pid_t pid;

	fflush(NULL); /* or the child flushes the test's buffered output again */
	pid = fork();
	if (pid < 0)
		fail_msg("fork: %s", strerror(errno));
	return pid;
}

void tu_outdir_make(struct tu_outdir *o, const char *tmpl)
{
	snprintf(o->dir, sizeof(o->dir), "%s", tmpl);
	if (!mkdtemp(o->dir))
		fail_msg("mkdtemp(%s): %s", tmpl, strerror(errno));
	snprintf(o->out_path, sizeof(o->out_path), "%s/stdout", o->dir);
	snprintf(o->err_path, sizeof(o->err_path), "%s/stderr", o->dir);
}

void tu_setup_uid(const void *arg)
{
	uid_t uid = *(const uid_t *)arg;

	if (uid == 0)
		return;
	if (setgroups(0, NULL) < 0 || setresgid(uid, uid, uid) < 0 ||
	    setresuid(uid, uid, uid) < 0) {
		dprintf(2, "harness: cannot become uid %d: %s\n", (int)uid, strerror(errno));
		_exit(125);
	}
}

pid_t tu_exec_redirected(char *const argv[], const struct tu_outdir *o, tu_setup_fn setup,
			 const void *arg)
{
	pid_t pid;

	pid = tu_fork();
	if (pid == 0) {
		int in = open("/dev/null", O_RDONLY);
		int out = open(o->out_path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
		int err = open(o->err_path, O_WRONLY | O_CREAT | O_TRUNC, 0644);

		if (in < 0 || out < 0 || err < 0)
			_exit(126);
		dup2(in, 0);
		dup2(out, 1);
		dup2(err, 2);
		if (setup)
			setup(arg);
		execv(argv[0], argv);
		dprintf(2, "harness: exec %s: %s\n", argv[0], strerror(errno));
		_exit(127);
	}
	return pid;
}

size_t tu_count_text(const char *text, const char *needle)
{
	size_t n = 0;

	for (const char *p = text; (p = strstr(p, needle)); p += strlen(needle))
		n++;
	return n;
}

int tu_wait_text(pid_t pid, const char *path, const char *needle, size_t n, long ms,
		 int *ret_status)
{
	for (long waited = 0; waited <= ms; waited += TU_POLL_MS) {
		char *text = tu_read_file(path);
		size_t got = tu_count_text(text, needle);

		free(text);
		if (got >= n)
			return 1;
		if (waitpid(pid, ret_status, WNOHANG) == pid)
			return 0;
		tu_sleep_ms(TU_POLL_MS);
	}
	return -1;
}

void tu_fail_with_stderr(const char *err_path, const char *what)
{
	char *err = tu_read_file(err_path);

	print_error("vigil %s; its stderr:\n%s\n", what, err);
	free(err);
	fail();
}

void tu_stop_child(pid_t pid, int sig, long flush_ms, long ms, const char *err_path)
{
	int status;

	tu_sleep_ms(flush_ms);
	if (kill(pid, sig) < 0)
		fail_msg("kill(vigil %d, %s): %s", (int)pid, strsignal(sig), strerror(errno));
	if (!tu_wait_timeout(pid, &status, ms)) {
		tu_kill_and_reap(pid);
		print_error("vigil ignored signal %d (%s) for %ld ms\n", sig, strsignal(sig), ms);
		tu_fail_with_stderr(err_path, "did not exit after the signal");
		return;
	}
	if (WIFEXITED(status) && WEXITSTATUS(status) == 0)
		return;
	if (WIFEXITED(status))
		print_error("vigil exited with status %d after signal %d (want 0)\n",
			    WEXITSTATUS(status), sig);
	else
		print_error("vigil was killed by signal %d after signal %d\n", WTERMSIG(status),
			    sig);
	tu_fail_with_stderr(err_path, "did not shut down cleanly");
}

void tu_child_fail(const char *file, int line, const char *what)
{
	dprintf(2, "%s:%d: in child %d: check failed: %s (errno %d: %s)\n", file, line,
		(int)getpid(), what, errno, strerror(errno));
	_exit(100);
}

pid_t tu_spawn(const char *comm, tu_action_fn fn, void *ctx, int *ret_status)
{
	int status;
	pid_t pid;

	pid = tu_fork();
	if (pid == 0) {
		if (prctl(PR_SET_NAME, comm, 0, 0, 0) < 0)
			tu_child_fail(__FILE__, __LINE__, "prctl(PR_SET_NAME)");
		fn(ctx);
		_exit(0);
	}
	if (waitpid(pid, &status, 0) != pid)
		fail_msg("waitpid(%d): %s", (int)pid, strerror(errno));
	if (ret_status) {
		*ret_status = status;
		return pid;
	}
	if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
		fail_msg("child %s (%d) failed: wait status 0x%x (see its message above)", comm,
			 (int)pid, status);
	return pid;
}

void tu_tmpdir(const char *tmpl, char *buf, size_t size)
{
	tu_mkdtemp(tmpl, buf, size);
	for (size_t i = 0; i < TU_TMPDIRS_MAX; i++) {
		if (!tmpdirs[i][0]) {
			snprintf(tmpdirs[i], sizeof(tmpdirs[i]), "%s", buf);
			return;
		}
	}
	print_message("note: more than %d temporary directories: %s is left behind\n",
		      TU_TMPDIRS_MAX, buf);
}

void tu_tmpdirs_remove(void)
{
	for (size_t i = 0; i < TU_TMPDIRS_MAX; i++) {
		tu_rmtree(tmpdirs[i]);
		tmpdirs[i][0] = '\0';
	}
}
