/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Matches by (rule, priority), for vigil_rule_matches_total. Rule names
 * are user text and reloads may add rules: at most VGL_METRICS_RULES_MAX
 * pairs get a series of their own; matches of any further pair are counted
 * together in @overflow. Names are copied once and kept until
 * vgl_rule_counts_fini(), so a copy of the entries stays valid.
 * Not thread-safe: the caller locks.
 */
#ifndef VIGIL_METRICS_RULECOUNT_H
#define VIGIL_METRICS_RULECOUNT_H

#include "metrics/view.h"

struct vgl_rule_counts {
	struct vgl_rule_count *v; /* in order of first match */
	size_t n;
	uint32_t *slots; /* open addressing: index into v + 1, 0 empty */
	uint64_t overflow;
};

int vgl_rule_counts_init(struct vgl_rule_counts *t);
void vgl_rule_counts_fini(struct vgl_rule_counts *t);
void vgl_rule_counts_add(struct vgl_rule_counts *t, const char *rule, int priority);

#endif /* VIGIL_METRICS_RULECOUNT_H */
