/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Harness for the BPF integration tests: runs `vigil run --json -v` as a
 * child, lets a test perform real syscalls in forked children with a known
 * comm, stops vigil and offers lookups and exact assertions on the decoded
 * events. A lookup expects exactly one event per syscall.
 *
 * Environment: VIGIL_BIN is the vigil binary. The tests need root; without it
 * they skip with a message, except when CI=true, where they fail.
 * Run: `ctest -L bpf --output-on-failure` in the build directory (CMake sets
 * VIGIL_BIN), or one file by hand: `sudo VIGIL_BIN=build/vigil CI=true
 * build/tests/bpf_test_file`.
 *
 * Every run is checked as a whole when it stops: vigil exits 0, every stdout
 * line is a JSON event that follows docs/events.md, no event comes from vigil
 * itself, and the final counters report lost == 0.
 */
#ifndef VIGIL_TESTS_BPF_HARNESS_H
#define VIGIL_TESTS_BPF_HARNESS_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <sys/types.h>

#include <cmocka.h>
#include <jansson.h>

#include "child.h"
#include "jsonutil.h"
#include "testutil.h"

/* A finished or running `vigil run`. */
struct vh_run {
	pid_t pid;		/* vigil's pid while it runs, then minus its old pid */
	struct tu_outdir files; /* vigil's stdout and stderr */
	json_t *events;		/* array of every event printed, in order (--json) */
	json_t *stats;		/* the object inside {"vigil_stats": ...} (--json) */
	char *out_text;		/* vigil's whole stdout (human-readable mode) */
	char *err_text;		/* vigil's whole stderr, NUL-terminated */
	bool text;		/* human-readable output: no JSON checks */
	bool allow_loss;	/* lost > 0 is expected */
};

/* How to run vigil. */
struct vh_opts {
	const char *events;	  /* --events ("all": every kind); NULL: no option */
	bool text;		  /* human-readable lines instead of --json */
	const char *ringbuf_size; /* --ringbuf-size, or NULL */
	bool allow_loss;	  /* do not require "lost": 0 */
	const char *rules;	  /* -r: stdout has alerts, in events */
	bool no_prefilter;	  /* --no-prefilter */
	const char *write;	  /* -w: record to this capture file */
};

/*
 * The --syscall-hook every vigil of the test runs with (environment
 * VIGIL_TEST_SYSCALL_HOOK: the tests run once per way of hooking syscalls),
 * or NULL for vigil's default.
 */
const char *vh_syscall_hook(void);

/* Skip the test unless running as root; with CI=true, fail instead. */
void vh_require_root(void);

/*
 * Start `vigil run --json -v --events @events` (no --events option when
 * @events is NULL) and wait until it prints "vigil: ready". Fails the test with vigil's stderr
 * if it exits early or does not get ready in time.
 */
struct vh_run *vh_start(const char *events);
struct vh_run *vh_start_opts(const struct vh_opts *opts);

/*
 * Let vigil flush, stop it with SIGINT, check that it exits 0, parse and
 * validate its output (see the top of this file; in human-readable mode only
 * the exit status is checked).
 */
void vh_stop(struct vh_run *run);
/* The same with signal @sig after waiting @flush_ms (vh_stop: SIGINT, 300 ms). */
void vh_stop_ex(struct vh_run *run, int sig, long flush_ms);

/* Remove the temporary files and free everything; accepts NULL. */
void vh_free(struct vh_run *run);

/*
 * cmocka teardown: kill a vigil left running by a failed test and free the
 * last run. Use cmocka_unit_test_teardown(test, vh_teardown).
 */
int vh_teardown(void **state);
#define vh_test(f) cmocka_unit_test_teardown(f, vh_teardown)

/*
 * Run `vigil ARGS...` (NULL-terminated) to completion as @uid (0: as the test
 * runs; else setgid/setuid to it, which drops every capability) and return
 * its wait status, with its stderr in *@ret_err_text (free it).
 */
int vh_exec_vigil(char **ret_err_text, uid_t uid, const char *arg, ...);

/* As root, with @setup run in the child before the exec. */
int vh_exec_vigil_with(char **ret_err_text, tu_setup_fn setup, const char *arg, ...);

/*
 * A setup for vh_exec_vigil_with(): a mount namespace where tracefs is not
 * mounted and cannot be (no CAP_SYS_ADMIN), as on a host or in a pod
 * without it.
 */
void vh_hide_tracefs(const void *arg);

/* --- actions in children ------------------------------------------------ */

/* The children of tests/common/child.h under the names the BPF tests use. */
typedef tu_action_fn vh_action_fn;

/* Zeroed memory shared with forked children; freed by vh_shared_free(). */
void *vh_shared(size_t size);
void vh_shared_free(void *p, size_t size);

/* tu_spawn(): fork a child named @comm that runs @fn(@ctx), reap it. */
static inline pid_t vh_spawn(const char *comm, vh_action_fn fn, void *ctx, int *ret_status)
{
	return tu_spawn(comm, fn, ctx, ret_status);
}

/* Start vigil for @events, run @fn in a child named @comm, stop vigil. */
struct vh_run *vh_run_child(const char *events, const char *comm, vh_action_fn fn, void *ctx,
			    pid_t *ret_pid);

/* The result of a syscall as the kernel returned it: the value or -errno. */
#define VH_RES(call)                  \
	({                            \
		long r_ = (call);     \
		r_ < 0 ? -errno : r_; \
	})

/* In a child: report a failed step with errno and exit 100. */
#define VH_CHECK(cond) TU_CHECK(cond)

/*
 * A fresh directory under /tmp (realpath'd, mode 0755) for a test's files;
 * @buf holds PATH_MAX bytes. vh_teardown() removes it.
 */
void vh_tmpdir(char *buf, size_t size);
/* Where cgroup v2 is mounted, into @buf; false when it is not. */
bool vh_cgroup2_mount(char *buf, size_t size);

/* --- exec'd files (harness_exec.c) --------------------------------------- */

/* The environment the exec tests give: exactly {"VIGIL_TEST=1", "B=2"}. */
extern char *const vh_exec_envp[];

/* Copy @in to @out from their offsets: 0 or -errno. */
int vh_copy_fd(int in, int out);
/*
 * Copy /bin/true to @dir/@name (a new file, in *@ret_path) with exactly
 * @mode: 0 or -errno. Usable in forked children.
 */
int vh_copy_true(const char *dir, const char *name, mode_t mode, char *ret_path, size_t size);
/* In a child: execve(@path, ["true"], @envp); exits 100 if it returns. */
void vh_exec_true(const char *path, char *const envp[]) __attribute__((noreturn));
/* In a child: become @uid and gid @uid with no groups (no capabilities left). */
void vh_become(uid_t uid);

/* --- lookups ------------------------------------------------------------ */

typedef bool (*vh_pred_fn)(const json_t *ev, const void *arg);

/* A predicate on one parameter: args[name] equals str (when set) or num. */
struct vh_arg_eq {
	const char *name;
	const char *str;
	long long num;
};
bool vh_pred_arg_eq(const json_t *ev, const void *arg);
/* A predicate on the result: res equals *(const long long *)arg. */
bool vh_pred_res_eq(const json_t *ev, const void *arg);

/* First event of @type from @pid (any pid when 0) accepted by @pred (or NULL). */
json_t *vh_find(const struct vh_run *run, const char *type, pid_t pid, vh_pred_fn pred,
		const void *arg);
/* Number of such events. */
size_t vh_count(const struct vh_run *run, const char *type, pid_t pid, vh_pred_fn pred,
		const void *arg);

/*
 * The one event of @type from @pid accepted by @pred: fails the test, listing
 * the candidates, when there is none or more than one (one syscall must give
 * exactly one event).
 */
json_t *_vh_expect(const char *file, int line, const struct vh_run *run, const char *type,
		   pid_t pid, vh_pred_fn pred, const void *arg);
#define vh_expect(run, type, pid, pred, arg) \
	_vh_expect(__FILE__, __LINE__, run, type, pid, pred, arg)

/* Find the event of @type from @pid whose parameter @name is the string @val. */
#define vh_expect_arg_str(run, type, pid, arg_name, val) \
	vh_expect(run, type, pid, vh_pred_arg_eq,        \
		  (&(struct vh_arg_eq){ .name = (arg_name), .str = (val) }))
#define vh_expect_arg_int(run, type, pid, arg_name, val) \
	vh_expect(run, type, pid, vh_pred_arg_eq,        \
		  (&(struct vh_arg_eq){ .name = (arg_name), .num = (val) }))

/* --- exact assertions; a failure prints the event's JSON line ------------- */

/* What the header of an event from a forked child must hold. */
struct vh_hdr_want {
	pid_t pid;
	pid_t tid; /* 0: same as pid */
	pid_t ppid;
	const char *comm;
	long long uid, gid, euid, egid;
	bool other_mntns;    /* the child left the test's mount namespace */
	bool other_pidns;    /* the child is in another pid namespace */
	long long cgroup_id; /* 0: the test process's */
	long long loginuid;  /* with loginuid_given; else the test process's */
	bool loginuid_given;
};

void _vh_assert_hdr(const char *file, int line, const json_t *ev, const struct vh_hdr_want *w);
/* res exactly, and error: the errno name when res < 0, absent otherwise. */
void _vh_assert_res(const char *file, int line, const json_t *ev, long long res);
void _vh_assert_int(const char *file, int line, const json_t *ev, const char *field,
		    long long want);
void _vh_assert_str(const char *file, int line, const json_t *ev, const char *field,
		    const char *want);
/* The parameter is one of @n strings (for values the docs leave two ways). */
void _vh_assert_arg_str_oneof(const char *file, int line, const json_t *ev, const char *arg,
			      size_t n, const char *const *want);
/* A flag-set string, compared as a set of '|'-separated names. */
void _vh_assert_arg_flags(const char *file, int line, const json_t *ev, const char *arg,
			  const char *want);
/* @arg holds (@has) or lacks (!@has) the flag name @flag. */
void _vh_assert_arg_has_flag(const char *file, int line, const json_t *ev, const char *arg,
			     const char *flag, bool has);
void _vh_assert_arg_argv(const char *file, int line, const json_t *ev, const char *arg,
			 const char *const *want);
void _vh_assert_arg_inet(const char *file, int line, const json_t *ev, const char *arg,
			 const char *family, const char *ip, int port);
void _vh_assert_arg_unix(const char *file, int line, const json_t *ev, const char *arg,
			 const char *path);
/* The top-level field @f is absent (e.g. "truncated" when nothing was cut). */
void _vh_assert_absent(const char *file, int line, const json_t *ev, const char *f);
#define vh_assert_absent(ev, f) _vh_assert_absent(__FILE__, __LINE__, ev, f)
/* The parameter is present and JSON null (unknown). */
void _vh_assert_arg_null(const char *file, int line, const json_t *ev, const char *arg);

#define vh_assert_hdr(ev, ...) \
	_vh_assert_hdr(__FILE__, __LINE__, ev, (&(struct vh_hdr_want){ __VA_ARGS__ }))
#define vh_assert_res(ev, res) _vh_assert_res(__FILE__, __LINE__, ev, res)
/*
 * A field by dotted path: "pid", "args.fd", "args.addr.family", or a context
 * key "proc.exepath"; vh_assert_str() with NULL wants JSON null.
 */
#define vh_assert_int(ev, f, v) _vh_assert_int(__FILE__, __LINE__, ev, f, v)
#define vh_assert_str(ev, f, v) _vh_assert_str(__FILE__, __LINE__, ev, f, v)
/* Parameter in "args": pass "args.NAME"-free names, e.g. "fd". */
#define vh_assert_arg_int(ev, a, v) _vh_assert_int(__FILE__, __LINE__, ev, "args." a, v)
#define vh_assert_arg_str(ev, a, v) _vh_assert_str(__FILE__, __LINE__, ev, "args." a, v)
#define vh_assert_arg_str_oneof(ev, a, ...)                                                \
	_vh_assert_arg_str_oneof(__FILE__, __LINE__, ev, a,                                \
				 sizeof((const char *[]){ __VA_ARGS__ }) / sizeof(char *), \
				 (const char *[]){ __VA_ARGS__ })
#define vh_assert_arg_flags(ev, a, v) _vh_assert_arg_flags(__FILE__, __LINE__, ev, a, v)
#define vh_assert_arg_has_flag(ev, a, f, has) \
	_vh_assert_arg_has_flag(__FILE__, __LINE__, ev, a, f, has)
#define vh_assert_arg_argv(ev, a, ...) \
	_vh_assert_arg_argv(__FILE__, __LINE__, ev, a, (const char *const[]){ __VA_ARGS__, NULL })
#define vh_assert_arg_inet(ev, a, fam, ip, port) \
	_vh_assert_arg_inet(__FILE__, __LINE__, ev, a, fam, ip, port)
#define vh_assert_arg_unix(ev, a, path) _vh_assert_arg_unix(__FILE__, __LINE__, ev, a, path)
#define vh_assert_arg_null(ev, a)	_vh_assert_arg_null(__FILE__, __LINE__, ev, a)

/*
 * The user_args flag is honest: absent when vigil -v said it reads @what
 * ("open name", "connect address", "bind address") from the kernel's own
 * copy, true when it said "user memory" (e.g. no fentry/LSM on this kernel).
 * Fails when vigil -v did not say where it reads @what from.
 */
void _vh_assert_user_args(const char *file, int line, const struct vh_run *run, const json_t *ev,
			  const char *what);
#define vh_assert_user_args(run, ev, what) _vh_assert_user_args(__FILE__, __LINE__, run, ev, what)

/* --- the context of events (docs/events.md, "Context") -------------------- */

/* A process as vigil's context names it, read from /proc. */
struct vh_proc {
	pid_t pid;
	char name[16]; /* comm */
};

/*
 * @pid, then its parent, and so on up to @max entries or to a process
 * without a parent: what proc.ancestors says of a child of @pid. Returns
 * the number of entries.
 */
size_t vh_proc_chain(pid_t pid, struct vh_proc *out, size_t max);
/* The human form of proc.ancestors for @n entries: "bash[1000],systemd[1]". */
void vh_chain_text(const struct vh_proc *c, size_t n, char *buf, size_t size);
/* This process's argv[1..], each after a space (its proc.cmdline after its name). */
void vh_self_args(char *buf, size_t size);
/* What user.loginname says of this process: its login uid's name, or NULL. */
const char *vh_loginname(void);
/* proc.ancestors is exactly @c[0..@n) (pids and names). */
void _vh_assert_ancestors(const char *file, int line, const json_t *ev, const struct vh_proc *c,
			  size_t n);
#define vh_assert_ancestors(ev, c, n) _vh_assert_ancestors(__FILE__, __LINE__, ev, c, n)

/* Print an event as one JSON line on stderr (for failure context). */
#define VH_DUMP_FLAGS (JSON_COMPACT | JSON_PRESERVE_ORDER)
void vh_print_event(const char *prefix, const json_t *ev);

/* --- inside the harness ---------------------------------------------------- */

/* Parse and check a stopped run's stdout and stats (harness_schema.c). */
void vh_parse_output(struct vh_run *run);
/* A field by dotted path (see vh_assert_int), or NULL. */
const json_t *vh_field(const json_t *ev, const char *path);
/* Fail at @file:@line: "@what, got GOT", then the event. */
void vh_fail_on(const char *file, int line, const json_t *ev, const char *what, const json_t *got);

#endif /* VIGIL_TESTS_BPF_HARNESS_H */
