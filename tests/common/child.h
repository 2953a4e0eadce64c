/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Child processes for the BPF integration tests and the end-to-end tests:
 * vigil started with its output in files, waited for and stopped the same
 * way by both suites; forked children that perform the activity under test;
 * the temporary directories a test makes. Failures go through cmocka.
 */
#ifndef VIGIL_TESTS_CHILD_H
#define VIGIL_TESTS_CHILD_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

/* fork() after flushing stdio; fails the test when it fails. */
pid_t tu_fork(void);

/* Where a child's stdout and stderr go: two files in a fresh directory. */
struct tu_outdir {
	char dir[64];
	char out_path[96]; /* DIR/stdout */
	char err_path[96]; /* DIR/stderr */
};

/* Make @o's directory from @tmpl ("/tmp/name-XXXXXX"). */
void tu_outdir_make(struct tu_outdir *o, const char *tmpl);

/* Runs in the forked child before exec (after the redirections); exits 125 on failure. */
typedef void (*tu_setup_fn)(const void *arg);

/* A setup: become uid and gid *(const uid_t *)@uid with no groups (no capabilities left). */
void tu_setup_uid(const void *uid);

/*
 * Fork and exec @argv[0] with stdin from /dev/null and stdout and stderr
 * into @o's files, after @setup(@arg) when @setup is not NULL. Returns the
 * child's pid. Exit 126: the redirections failed, 127: the exec did.
 */
pid_t tu_exec_redirected(char *const argv[], const struct tu_outdir *o, tu_setup_fn setup,
			 const void *arg);

/* Occurrences of @needle in @text. */
size_t tu_count_text(const char *text, const char *needle);

/*
 * Poll the file @path until @needle occurs in it at least @n times (1), or
 * until @pid exits first (0: the child is reaped, its wait status in
 * *@ret_status), or for at most @ms (-1).
 */
int tu_wait_text(pid_t pid, const char *path, const char *needle, size_t n, long ms,
		 int *ret_status);

/* Fail the test with "vigil @what; its stderr:" and the file @err_path. */
void tu_fail_with_stderr(const char *err_path, const char *what);

/*
 * Wait @flush_ms, send @pid signal @sig and wait up to @ms for it to exit 0;
 * otherwise fail with its stderr (@err_path). The child is reaped (or
 * killed and reaped) whatever happens, but for a failed kill().
 */
void tu_stop_child(pid_t pid, int sig, long flush_ms, long ms, const char *err_path);

/* --- children that perform the activity under test ---------------------- */

typedef void (*tu_action_fn)(void *ctx);

/*
 * Fork a child named @comm (prctl PR_SET_NAME) that runs @fn(@ctx) and then
 * exits 0. Returns the child's pid after it has been reaped and stores its
 * wait status in *@ret_status (or, when @ret_status is NULL, fails the test
 * unless the child exited 0).
 */
pid_t tu_spawn(const char *comm, tu_action_fn fn, void *ctx, int *ret_status);

/* In a child: report a failed step with errno and exit 100. */
void tu_child_fail(const char *file, int line, const char *what) __attribute__((noreturn));
#define TU_CHECK(cond)                                            \
	do {                                                      \
		if (!(cond))                                      \
			tu_child_fail(__FILE__, __LINE__, #cond); \
	} while (0)

/* --- temporary directories ---------------------------------------------- */

/* tu_mkdtemp(@tmpl), remembered (up to 16) for tu_tmpdirs_remove(). */
void tu_tmpdir(const char *tmpl, char *buf, size_t size);
/* Remove every directory tu_tmpdir() made (a cmocka teardown calls it). */
void tu_tmpdirs_remove(void);

#endif /* VIGIL_TESTS_CHILD_H */
