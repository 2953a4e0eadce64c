/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Falco's stock rules end to end: vigil run with the three stock files of
 * ../shared/compat/falco loaded unmodified and --first-match (Falco raises
 * only the first matching rule per event), and cases that perform a
 * behaviour for real and check which stock rule fires, or does not.
 *
 * Without the stock files the tests skip and name the missing file, except
 * with CI=true, where they fail (tu_skip_or_fail).
 */
#ifndef VIGIL_TESTS_E2E_HARNESS_STOCK_H
#define VIGIL_TESTS_E2E_HARNESS_STOCK_H

#include <stdbool.h>
#include <stddef.h>

#include "harness.h"
#include "harness_twin.h"

/* The part of a command or value that a run makes unique ("e2e<pid>"). */
#define E2E_TOKEN "@T"

/*
 * One case: @run performs the behaviour, @benign (NULL: none) the variant
 * that must not raise @rule. Both are shell commands; every E2E_TOKEN in
 * them, and in @want and @benign_want, becomes this run's token. An alert
 * is the case's when its output field @key equals @want (@benign_want).
 */
struct e2e_stock_case {
	const char *rule;
	const char *run;
	const char *want;
	const char *benign;
	const char *benign_want;
	const char *key;
	size_t count; /* alerts @run raises; 0 means 1, E2E_STOCK_ANY: 1 or more */
	bool tty;     /* run @run on a pseudo-terminal (e2e_pty_sh) */
};

/*
 * The containers the cases run in, from E2E_IMAGE with --network none: one
 * with Docker's default capabilities, the host directory @dir on /e2e
 * (read-only) and /dev/null as the device /dev/vd-TOKEN, one with
 * CAP_SYS_ADMIN added. Their first processes are
 * `sh -c 'mkdir -p /tmp && exec sleep 600' c-TOKEN` and `... sa-TOKEN`.
 */
#define E2E_STOCK_C  "vigil-e2e-stock"
#define E2E_STOCK_SA "vigil-e2e-stock-sa"
#define E2E_IN_C     "docker exec " E2E_STOCK_C " "
#define E2E_IN_SA    "docker exec " E2E_STOCK_SA " "
void e2e_stock_containers(const char *dir);
/* Remove both containers (when they exist). */
void e2e_stock_containers_remove(void);

#define E2E_STOCK_ANY ((size_t)-1)

/*
 * Start `vigil run --json --first-match -r FILE...` on the three stock
 * files, and its twin with --no-prefilter (harness_twin.h).
 */
struct e2e_vigil *e2e_stock_start(void);

/*
 * Stop @v and its twin: the alerts of this run (an output field holds the
 * token) must be the same with and without the prefilter.
 */
bool e2e_stock_same_without_prefilter(struct e2e_vigil *v);

/* This run's token, e.g. "e2e1234". */
const char *e2e_stock_token(void);
/* @tmpl with every E2E_TOKEN replaced by the token, in one of 8 static buffers. */
const char *e2e_stock_expand(const char *tmpl);

/*
 * Run @c->benign, then @c->run (each must exit 0), wait for the alert of
 * @c->run, give the benign variant time to show up, and check that @rule
 * fired @c->count times for @c->run and never for @c->benign. The first
 * alert of @c->run (owned by @v).
 */
const json_t *_e2e_stock_check(const char *file, int line, struct e2e_vigil *v,
			       const struct e2e_stock_case *c);
#define e2e_stock_check(v, c) _e2e_stock_check(__FILE__, __LINE__, v, c)

/*
 * Check that @rule never fired with @key = @value (expanded) among the
 * alerts read so far, after a grace period; a failure lists the alerts.
 */
void _e2e_stock_none(const char *file, int line, struct e2e_vigil *v, const char *rule,
		     const char *key, const char *value);
#define e2e_stock_none(v, r, k, val) _e2e_stock_none(__FILE__, __LINE__, v, r, k, val)

/*
 * Run `/bin/sh -c CMD` (printf-style) with a new pseudo-terminal as its
 * controlling terminal and stdin, stdout and stderr (what `docker run -t`
 * needs), reading what it writes; its exit status, -1 on a signal or timeout.
 */
int e2e_pty_sh(long timeout_ms, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

#endif /* VIGIL_TESTS_E2E_HARNESS_STOCK_H */
