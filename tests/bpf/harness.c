// SPDX-License-Identifier: Apache-2.0
/*
 * Harness for the BPF integration tests: vigil as a child process and the
 * children that perform the syscalls under test (through tests/common's
 * child.c, shared with the end-to-end tests). The checks of vigil's output
 * are in harness_schema.c, lookups in harness_lookup.c, assertions in
 * harness_assert.c and harness_ident.c.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sched.h>
#include <linux/capability.h>
#include <sys/mman.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/wait.h>

#include "harness.h"

#define VH_READY_TIMEOUT_MS 20000
#define VH_STOP_TIMEOUT_MS  15000
#define VH_FLUSH_MS	    300
#define VH_READY_LINE	    "vigil: ready"
#define VH_RUN_DIR	    "/tmp/vigil-run-XXXXXX"

/* The run whose vigil may still be alive; vh_teardown() cleans it up. */
static struct vh_run *vh_current;

void vh_require_root(void)
{
	if (geteuid() != 0)
		tu_skip_or_fail("BPF tests need root to load vigil's programs (euid %d)",
				(int)geteuid());
}

static void wait_ready(struct vh_run *run)
{
	int status = 0;
	int r = tu_wait_text(run->pid, run->files.err_path, VH_READY_LINE, 1, VH_READY_TIMEOUT_MS,
			     &status);

	if (r > 0)
		return;
	if (r == 0) {
		run->pid = -run->pid; /* reaped */
		if (WIFEXITED(status))
			print_error("vigil exited with status %d before ready\n",
				    WEXITSTATUS(status));
		else
			print_error("vigil killed by signal %d before ready\n", WTERMSIG(status));
		tu_fail_with_stderr(run->files.err_path,
				    "did not start (failed to load or attach?)");
		return;
	}
	tu_kill_and_reap(run->pid);
	run->pid = -run->pid;
	tu_fail_with_stderr(run->files.err_path, "did not print \"" VH_READY_LINE "\" within 20 s");
}

const char *vh_syscall_hook(void)
{
	const char *mode = getenv("VIGIL_TEST_SYSCALL_HOOK");

	return mode && mode[0] ? mode : NULL;
}

/* `vigil run` with @opts, into @argv (at least 16 entries). */
static void run_argv(const struct vh_opts *opts, char **argv)
{
	int argc = 0;

	argv[argc++] = (char *)tu_vigil_bin();
	argv[argc++] = "run";
	if (!opts->text)
		argv[argc++] = "--json";
	argv[argc++] = "-v"; /* logs the hooks chosen: see vh_assert_user_args() */
	if (opts->events) {
		argv[argc++] = "--events";
		argv[argc++] = (char *)opts->events;
	}
	if (opts->rules) {
		argv[argc++] = "-r";
		argv[argc++] = (char *)opts->rules;
	}
	if (opts->no_prefilter)
		argv[argc++] = "--no-prefilter";
	if (opts->write) {
		argv[argc++] = "-w";
		argv[argc++] = (char *)opts->write;
	}
	if (opts->ringbuf_size) {
		argv[argc++] = "--ringbuf-size";
		argv[argc++] = (char *)opts->ringbuf_size;
	}
	if (vh_syscall_hook()) {
		argv[argc++] = "--syscall-hook";
		argv[argc++] = (char *)vh_syscall_hook();
	}
	argv[argc] = NULL;
}

struct vh_run *vh_start_opts(const struct vh_opts *opts)
{
	char *argv[20];
	struct vh_run *run;

	vh_require_root();
	vh_free(vh_current);
	run = calloc(1, sizeof(*run));
	assert_non_null(run);
	vh_current = run;
	run->text = opts->text;
	run->allow_loss = opts->allow_loss;
	tu_outdir_make(&run->files, VH_RUN_DIR);
	run_argv(opts, argv);
	run->pid = tu_exec_redirected(argv, &run->files, NULL, NULL);
	wait_ready(run);
	return run;
}

struct vh_run *vh_start(const char *events)
{
	return vh_start_opts(&(struct vh_opts){ .events = events });
}

void vh_stop(struct vh_run *run)
{
	vh_stop_ex(run, SIGINT, VH_FLUSH_MS);
}

void vh_stop_ex(struct vh_run *run, int sig, long flush_ms)
{
	pid_t pid = run->pid;

	assert_true(pid > 0);
	run->pid = -pid; /* reaped by the stop: keep the number for the self-filter check */
	tu_stop_child(pid, sig, flush_ms, VH_STOP_TIMEOUT_MS, run->files.err_path);
	run->err_text = tu_read_file(run->files.err_path);
	if (run->text)
		run->out_text = tu_read_file(run->files.out_path);
	else
		vh_parse_output(run);
}

void vh_free(struct vh_run *run)
{
	if (!run)
		return;
	if (run->pid > 0)
		tu_kill_and_reap(run->pid);
	tu_rmtree(run->files.dir);
	json_decref(run->events);
	json_decref(run->stats);
	free(run->out_text);
	free(run->err_text);
	free(run);
	if (vh_current == run)
		vh_current = NULL;
}

int vh_teardown(void **state)
{
	(void)state;
	vh_free(vh_current);
	tu_tmpdirs_remove();
	return 0;
}

/*
 * A mount namespace without tracefs, and no CAP_SYS_ADMIN left (bounding
 * set) to mount it again (harness.h).
 */
void vh_hide_tracefs(const void *arg)
{
	(void)arg;
	if (unshare(CLONE_NEWNS) < 0 || mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) < 0)
		_exit(125);
	while (umount2("/sys/kernel/tracing", MNT_DETACH) == 0)
		; /* mounted more than once, perhaps */
	if (prctl(PR_CAPBSET_DROP, CAP_SYS_ADMIN, 0, 0, 0) < 0)
		_exit(125);
}

static int exec_vigil(char **ret_err_text, tu_setup_fn setup, uid_t uid, const char *arg,
		      va_list ap)
{
	struct tu_outdir tmp;
	char *argv[16];
	int argc = 0, status;
	pid_t pid;

	argv[argc++] = (char *)tu_vigil_bin();
	for (; arg && argc < 15; arg = va_arg(ap, const char *))
		argv[argc++] = (char *)arg;
	argv[argc] = NULL;
	tu_outdir_make(&tmp, VH_RUN_DIR);
	pid = tu_exec_redirected(argv, &tmp, setup, &uid);
	if (!tu_wait_timeout(pid, &status, VH_READY_TIMEOUT_MS)) {
		tu_kill_and_reap(pid);
		tu_rmtree(tmp.dir);
		fail_msg("vigil %s did not exit within 20 s", argv[1] ? argv[1] : "");
	}
	*ret_err_text = tu_read_file(tmp.err_path);
	tu_rmtree(tmp.dir);
	if (WIFEXITED(status) && WEXITSTATUS(status) == 125)
		fail_msg("could not set up vigil's process (uid %d, or hiding tracefs):\n%s",
			 (int)uid, *ret_err_text);
	return status;
}

int vh_exec_vigil(char **ret_err_text, uid_t uid, const char *arg, ...)
{
	va_list ap;
	int status;

	va_start(ap, arg);
	status = exec_vigil(ret_err_text, tu_setup_uid, uid, arg, ap);
	va_end(ap);
	return status;
}

int vh_exec_vigil_with(char **ret_err_text, tu_setup_fn setup, const char *arg, ...)
{
	va_list ap;
	int status;

	va_start(ap, arg);
	status = exec_vigil(ret_err_text, setup, 0, arg, ap);
	va_end(ap);
	return status;
}

void *vh_shared(size_t size)
{
	void *p = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);

	if (p == MAP_FAILED)
		fail_msg("mmap(%zu): %s", size, strerror(errno));
	return p;
}

void vh_shared_free(void *p, size_t size)
{
	if (p)
		munmap(p, size);
}

struct vh_run *vh_run_child(const char *events, const char *comm, vh_action_fn fn, void *ctx,
			    pid_t *ret_pid)
{
	struct vh_run *run = vh_start(events);

	*ret_pid = vh_spawn(comm, fn, ctx, NULL);
	vh_stop(run);
	return run;
}

void vh_tmpdir(char *buf, size_t size)
{
	tu_tmpdir("/tmp/vigil-test-XXXXXX", buf, size);
}
