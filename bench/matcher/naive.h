/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The baseline the compiled matcher is measured against: walk every enabled
 * rule's expanded condition tree for every event, extracting each field
 * again at every comparison, comparing against the constants' text (lists
 * scanned linearly, numbers parsed on use), no event-kind index.
 */
#ifndef VIGIL_BENCH_NAIVE_H
#define VIGIL_BENCH_NAIVE_H

#include "rules/compile/compile.h"

struct naive;

struct naive *naive_new(const struct vgl_ruleset *rs);
void naive_free(struct naive *n);
/* Number of enabled rules whose condition holds for @ev. */
int naive_eval(struct naive *n, const struct vgl_event *ev, const struct vgl_field_state_ops *ops,
	       void *state);

#endif /* VIGIL_BENCH_NAIVE_H */
