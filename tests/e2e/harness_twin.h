/* SPDX-License-Identifier: Apache-2.0 */
/*
 * A twin: a second vigil with the same arguments and --no-prefilter, run
 * beside the one a test file checks, so that its last test can require the
 * very alerts of both (issue 16: the prefilter drops nothing a rule
 * matches). Alerts are compared as "rule|evt.type|fd.name|proc.name",
 * sorted, for the alerts the file's own processes raised (its predicate):
 * both vigils watch the whole machine.
 */
#ifndef VIGIL_TESTS_E2E_HARNESS_TWIN_H
#define VIGIL_TESTS_E2E_HARNESS_TWIN_H

#include <stdbool.h>

#include "harness.h"

typedef bool (*e2e_twin_ours_fn)(const json_t *alert);

/* Start the twin of a vigil started with @args (NULL-terminated). */
void e2e_twin_start(const char *const *args);

/*
 * Stop @v (when running) and the twin; true when the alerts @ours accepts
 * are the same in both, else false with both lists printed. Frees the twin.
 */
bool e2e_twin_compare(struct e2e_vigil *v, e2e_twin_ours_fn ours);

/* Whether a twin runs (started, not compared yet). */
bool e2e_twin_running(void);

/* Free the twin if a test failed before the comparison; for a teardown. */
void e2e_twin_free(void);

#endif /* VIGIL_TESTS_E2E_HARNESS_TWIN_H */
