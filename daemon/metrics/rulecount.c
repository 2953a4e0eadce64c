// SPDX-License-Identifier: Apache-2.0
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "metrics/rulecount.h"

#define SLOTS (4u * VGL_METRICS_RULES_MAX) /* a power of two, a quarter full at most */

_Static_assert((SLOTS & (SLOTS - 1)) == 0, "SLOTS is a power of two");

int vgl_rule_counts_init(struct vgl_rule_counts *t)
{
	memset(t, 0, sizeof(*t));
	t->v = calloc(VGL_METRICS_RULES_MAX, sizeof(*t->v));
	t->slots = calloc(SLOTS, sizeof(*t->slots));
	if (!t->v || !t->slots) {
		vgl_rule_counts_fini(t);
		return -ENOMEM;
	}
	return 0;
}

void vgl_rule_counts_fini(struct vgl_rule_counts *t)
{
	for (size_t i = 0; t->v && i < t->n; i++)
		free((char *)t->v[i].rule);
	free(t->v);
	free(t->slots);
	memset(t, 0, sizeof(*t));
}

/* FNV-1a over the name, then the priority. */
static uint32_t hash(const char *rule, int priority)
{
	uint32_t h = 2166136261u;

	for (const unsigned char *p = (const unsigned char *)rule; *p; p++)
		h = (h ^ *p) * 16777619u;
	return (h ^ (uint32_t)priority) * 16777619u;
}

void vgl_rule_counts_add(struct vgl_rule_counts *t, const char *rule, int priority)
{
	uint32_t i = hash(rule, priority) & (SLOTS - 1);
	struct vgl_rule_count *c;

	for (; t->slots[i]; i = (i + 1) & (SLOTS - 1)) {
		c = &t->v[t->slots[i] - 1];
		if (c->priority == priority && !strcmp(c->rule, rule)) {
			c->n++;
			return;
		}
	}
	if (t->n == VGL_METRICS_RULES_MAX) {
		t->overflow++;
		return;
	}
	c = &t->v[t->n];
	c->rule = strdup(rule);
	if (!c->rule) {
		t->overflow++;
		return;
	}
	c->priority = priority;
	c->n = 1;
	t->slots[i] = (uint32_t)++t->n;
}
