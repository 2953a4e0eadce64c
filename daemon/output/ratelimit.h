/* SPDX-License-Identifier: Apache-2.0 */
/*
 * A token bucket per rule name: @rate alerts per second, bursts of @burst.
 * Suppressed alerts are counted per rule until vgl_ratelimit_take_report().
 * Single-threaded (the pipeline's thread).
 */
#ifndef VIGIL_OUTPUT_RATELIMIT_H
#define VIGIL_OUTPUT_RATELIMIT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Distinct rule names tracked; alerts of further rules are not limited. */
#define VGL_RATELIMIT_RULES_MAX 65536

struct vgl_ratelimit;

struct vgl_ratelimit *vgl_ratelimit_new(double rate, double burst);
void vgl_ratelimit_free(struct vgl_ratelimit *rl);

/* Whether an alert of @rule at @now (seconds) may pass; counts it if not. */
bool vgl_ratelimit_allow(struct vgl_ratelimit *rl, const char *rule, double now);

/* One rule's suppressions since the last report. */
struct vgl_ratelimit_entry {
	const char *rule;
	uint64_t suppressed;
};

/*
 * The rules with suppressions since the last call (at most @max, the most
 * suppressed first), and the total; resets the counts. Names stay valid
 * until the limiter is freed.
 */
size_t vgl_ratelimit_take_report(struct vgl_ratelimit *rl, struct vgl_ratelimit_entry *out,
				 size_t max, uint64_t *ret_total);

#endif /* VIGIL_OUTPUT_RATELIMIT_H */
