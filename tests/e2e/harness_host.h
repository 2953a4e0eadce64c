/* SPDX-License-Identifier: Apache-2.0 */
/*
 * vigil's default host rules (rules/vigil_rules.yaml) end to end: one
 * `vigil run -r rules/vigil_rules.yaml` per test file, children named
 * uniquely for this run that perform a behaviour for real, and checks that
 * the rule fired for them with the priority and fields a user sees, and
 * never for the benign variant (run first, so that once the alert is there
 * its events were evaluated too).
 */
#ifndef VIGIL_TESTS_E2E_HARNESS_HOST_H
#define VIGIL_TESTS_E2E_HARNESS_HOST_H

#include <stddef.h>
#include <sys/types.h>

#include "harness.h"

#define E2E_HOST_WAIT_MS 20000

/* Start vigil on the bundled rules/vigil_rules.yaml alone (needs root). */
struct e2e_vigil *e2e_host_start(void);

/* @prefix followed by this run's token ("e2e1234"), at most 15 bytes: a comm or a file name. */
const char *e2e_host_name(const char *prefix);

/* Wait for @m's alert and check its priority ("Warning", ...); the alert. */
const json_t *_e2e_host_fired(const char *file, int line, struct e2e_vigil *v,
			      const struct e2e_match *m, const char *priority);
#define e2e_host_fired(v, m, prio) _e2e_host_fired(__FILE__, __LINE__, v, m, prio)

/* After a short grace, check that no alert read so far matches @m. */
void _e2e_host_none(const char *file, int line, struct e2e_vigil *v, const struct e2e_match *m);
#define e2e_host_none(v, m) _e2e_host_none(__FILE__, __LINE__, v, m)

/* Check that the alert's tags hold @tag. */
void _e2e_host_tag(const char *file, int line, const json_t *a, const char *tag);
#define e2e_host_tag(a, tag) _e2e_host_tag(__FILE__, __LINE__, a, tag)

/* A file or directory the test made outside its temporary directory, removed at teardown. */
void e2e_host_made(const char *path);
/* Remove (deepest first) what e2e_host_made() recorded; for a teardown. */
void e2e_host_cleanup(void);

/*
 * The last test of a file: stop vigil and its twin run with --no-prefilter
 * (e2e_host_start()); the alerts of this run's processes must be the same.
 */
void e2e_host_test_same_without_prefilter(void **state);

/* What a child does to a file (the ctx of the actions below). */
struct e2e_file_op {
	const char *path;
	int flags;	   /* open: O_CLOEXEC is added */
	mode_t mode;	   /* open */
	const char *path2; /* rename: the old path; symlink: the target */
};
/* Children's actions: open and close, unlink, symlink(path2, path), rename(path2, path). */
void e2e_host_do_open(void *ctx);
void e2e_host_do_unlink(void *ctx);
void e2e_host_do_symlink(void *ctx);
void e2e_host_do_rename(void *ctx);

/* A child named @comm that runs @fn(@ctx): run it from a child of another name. */
struct e2e_nested {
	const char *comm;
	e2e_action_fn fn;
	void *ctx;
};
void e2e_host_run_nested(void *ctx);

/* Create @path (new, with a line of text), recorded for the clean-up. */
void e2e_host_make_file(const char *path, mode_t mode);
/* mkdir @path unless it exists; recorded for the clean-up only when made here. */
void e2e_host_make_dir(const char *path);
/* @pre @name @suf, in one of 8 static buffers. */
const char *e2e_host_path(const char *pre, const char *name, const char *suf);

#endif /* VIGIL_TESTS_E2E_HARNESS_HOST_H */
