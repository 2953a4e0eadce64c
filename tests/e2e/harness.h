/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Harness for the end-to-end tests: runs `vigil run --json -r RULES...` as a
 * child the way a user would, lets a test trigger rules from forked children
 * or shell commands (docker), waits for alerts and stderr lines while vigil
 * runs, then stops it and checks the run as a whole: exit status 0, every
 * stdout line a Falco-compatible JSON alert (or, with --events, an event
 * line), and "lost": 0 in vigil_stats. harness_capture.h adds `vigil
 * replay`, harness_docker.h containers, harness_activity.h real activity,
 * harness_load.h workers that load the CPUs while the test signals vigil.
 *
 * Environment: VIGIL_BIN is the vigil binary, VIGIL_SOURCE_DIR the source
 * tree (for the bundled rules). The tests need root; without it they skip
 * with a message, except when CI=true, where they fail.
 * Run: `ctest -L e2e --output-on-failure` in the build directory, or by hand:
 * `sudo VIGIL_BIN=build/vigil VIGIL_SOURCE_DIR=. CI=true build/tests/e2e_test_alerts`.
 *
 * Other programs may run on the same host while a test runs, so lookups
 * always narrow alerts down by rule name and output field values the test
 * controls (a unique path, a unique comm, a container id).
 */
#ifndef VIGIL_TESTS_E2E_HARNESS_H
#define VIGIL_TESTS_E2E_HARNESS_H

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

/* A running or finished `vigil run`. */
struct e2e_vigil {
	pid_t pid;		/* while it runs; 0 once reaped */
	struct tu_outdir files; /* its stdout and stderr */
	json_t *alerts;		/* every alert printed so far, in order */
	json_t *events;		/* every event line printed so far (--events), in order */
	json_t *stats;		/* the object inside {"vigil_stats": ...}, after the stop */
	char *err_text;		/* vigil's stderr as last read */
	long out_off;		/* stdout read up to here */
	unsigned int out_lines; /* lines read from stdout */
	bool allow_loss;	/* e2e_stop() accepts "lost" > 0 (set it before) */
};

/* A lookup: alerts of @rule whose output_fields hold every given value. */
#define E2E_MAX_FIELDS 8
struct e2e_match {
	const char *rule;
	const char *fields[E2E_MAX_FIELDS][2]; /* { field, string value }, NULL-ended */
};

/* $VIGIL_SOURCE_DIR/@rel; fails the test when VIGIL_SOURCE_DIR is unset. */
const char *e2e_source_path(const char *rel);

/* Skip unless root; with CI=true, fail instead. */
void e2e_require_root(void);

/*
 * Start `vigil run --json -r RULES[0] -r RULES[1] ...` (NULL-terminated) and
 * wait for "vigil: ready". Fails with vigil's stderr if it exits or stalls.
 */
struct e2e_vigil *e2e_start(const char *const *rules);
/* The same with any arguments after `vigil run --json` (NULL-terminated). */
#define E2E_ARGS_MAX 28
struct e2e_vigil *e2e_start_args(const char *const *args);
/* The same, after @setup(@arg) in the child before the exec (see child.h). */
struct e2e_vigil *e2e_start_setup(const char *const *args, tu_setup_fn setup, const void *arg);
/* The same, but not the current vigil (a second one): the caller stops and frees it. */
struct e2e_vigil *e2e_start_other(const char *const *args, tu_setup_fn setup, const void *arg);
/* Send @sig (e.g. SIGHUP) to the running vigil. */
void e2e_signal(struct e2e_vigil *v, int sig);
/* Read every alert vigil has printed so far (fails when it exited). */
void e2e_refresh(struct e2e_vigil *v);
/* Occurrences of @needle in vigil's stderr so far. */
size_t e2e_stderr_count(struct e2e_vigil *v, const char *needle);
/* Wait until @needle occurs at least @n times on stderr; fails after @ms. */
void e2e_wait_stderr(struct e2e_vigil *v, const char *needle, size_t n, long ms);
/*
 * Wait until an alert matching @m has been printed and return it (owned by
 * @v); fails after @ms, listing the alerts of that rule.
 */
const json_t *_e2e_wait_alert(const char *file, int line, struct e2e_vigil *v,
			      const struct e2e_match *m, long ms);
#define e2e_wait_alert(v, m, ms) _e2e_wait_alert(__FILE__, __LINE__, v, m, ms)
/*
 * Stop vigil with SIGINT after a short flush, check it exits 0, read every
 * alert and the stats, and check "lost": 0 (unless v->allow_loss).
 */
void e2e_stop(struct e2e_vigil *v);
/* Kill vigil if still running, remove its files, free; accepts NULL. */
void e2e_free(struct e2e_vigil *v);

/* NULL when @a has every field of a Falco JSON alert, else what is wrong. */
const char *e2e_alert_problem(const json_t *a);
/* Alerts matching @m among those read so far (among @alerts, a JSON array). */
size_t e2e_count(const struct e2e_vigil *v, const struct e2e_match *m);
size_t e2e_count_in(const json_t *alerts, const struct e2e_match *m);
/* The one alert matching @m; fails listing the candidates otherwise. */
const json_t *_e2e_expect_one(const char *file, int line, const struct e2e_vigil *v,
			      const struct e2e_match *m);
#define e2e_expect_one(v, m) _e2e_expect_one(__FILE__, __LINE__, v, m)
const json_t *_e2e_expect_one_in(const char *file, int line, const json_t *alerts,
				 const struct e2e_match *m);
#define e2e_expect_one_in(alerts, m) _e2e_expect_one_in(__FILE__, __LINE__, alerts, m)

/* Exact checks on one alert; a failure prints the alert. */
void _e2e_assert_top(const char *file, int line, const json_t *a, const char *key,
		     const char *want);
void _e2e_assert_field(const char *file, int line, const json_t *a, const char *field,
		       const char *want);
/* output_fields[@field] is JSON null (Falco prints <NA>). */
void _e2e_assert_field_null(const char *file, int line, const json_t *a, const char *field);
/* output_fields[@field] is the JSON boolean @want. */
void _e2e_assert_field_bool(const char *file, int line, const json_t *a, const char *field,
			    bool want);
#define e2e_assert_field_bool(a, f, w) _e2e_assert_field_bool(__FILE__, __LINE__, a, f, w)
/* output_fields[@field] is a string holding @needle. */
void _e2e_assert_field_has(const char *file, int line, const json_t *a, const char *field,
			   const char *needle);
#define e2e_assert_field_has(a, f, n) _e2e_assert_field_has(__FILE__, __LINE__, a, f, n)
/* output_fields[@field] is a JSON integer from @min to @max. */
void _e2e_assert_field_int(const char *file, int line, const json_t *a, const char *field,
			   long long min, long long max);
#define e2e_assert_field_int(a, f, min, max) \
	_e2e_assert_field_int(__FILE__, __LINE__, a, f, min, max)
#define e2e_assert_top(a, k, w)	    _e2e_assert_top(__FILE__, __LINE__, a, k, w)
#define e2e_assert_field(a, f, w)   _e2e_assert_field(__FILE__, __LINE__, a, f, w)
#define e2e_assert_field_null(a, f) _e2e_assert_field_null(__FILE__, __LINE__, a, f)
#define E2E_DUMP_FLAGS		    (JSON_COMPACT | JSON_SORT_KEYS)
void e2e_print_alert(const char *prefix, const json_t *a);

/* --- children, files, commands ------------------------------------------ */

/* The children of tests/common/child.h under the names the e2e tests use. */
typedef tu_action_fn e2e_action_fn;
/* Fork a child named @comm that runs @fn(@ctx), reap it; fails unless it exits 0. */
static inline pid_t e2e_spawn(const char *comm, e2e_action_fn fn, void *ctx)
{
	return tu_spawn(comm, fn, ctx, NULL);
}
/* In a child: report a failed step with errno and exit 100. */
#define E2E_CHECK(cond) TU_CHECK(cond)

/* This process's comm (what its children see as proc.pname). */
const char *e2e_self_comm(void);

/* A fresh realpath'd 0755 directory under /tmp, removed by e2e_teardown(). */
void e2e_tmpdir(char *buf, size_t size);
/* Replace @path atomically (write a sibling, rename) with @text. */
void e2e_write_file(const char *path, const char *text);

/*
 * Run `/bin/sh -c CMD` (printf-style), wait up to @timeout_ms, return its exit
 * status (-1 on a signal or timeout) with its stdout, trailing newlines cut,
 * in *@ret_out when not NULL (free it). Its stderr goes to the test's stderr.
 */
int e2e_sh(char **ret_out, long timeout_ms, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* cmocka teardown: kill a vigil left running, free it, remove temp dirs. */
int e2e_teardown(void **state);
/* The vigil that e2e_teardown() frees (the last one started). */
struct e2e_vigil *e2e_current(void);

#endif /* VIGIL_TESTS_E2E_HARNESS_H */
