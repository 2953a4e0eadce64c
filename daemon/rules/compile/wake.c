// SPDX-License-Identifier: Apache-2.0
/*
 * Wake lists: most candidates of a kind are guarded by grouped comparisons
 * (proc.name in (...), fd.directory = /etc, ...), answered before the
 * candidates run. Rather than asking each candidate whether one of its
 * guards holds, the matcher takes the few comparisons the groups found true
 * for the event (ctx->hits), ORs the candidates each of them admits into a
 * bitmap, and visits the set bits in candidate order. Candidates with
 * ungrouped guards (or none) are always visited and test their guards
 * themselves.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "rules/compile/compile.h"

static void bit_set(uint64_t *w, size_t i)
{
	w[i / 64] |= 1ull << (i % 64);
}

/* Index of @slot in @w->slots, appended (with a zero mask) when new. */
static int wake_slot(struct kwake *w, unsigned int slot, size_t *ret)
{
	unsigned int *s;
	uint64_t *m;
	size_t i;

	for (i = 0; i < w->nslots; i++) {
		if (w->slots[i] == slot) {
			*ret = i;
			return 0;
		}
	}
	s = realloc(w->slots, (w->nslots + 1) * sizeof(*s));
	if (!s)
		return -ENOMEM;
	w->slots = s;
	m = realloc(w->masks, (w->nslots + 1) * w->nwords * sizeof(*m));
	if (!m)
		return -ENOMEM;
	w->masks = m;
	memset(&m[w->nslots * w->nwords], 0, w->nwords * sizeof(*m));
	s[w->nslots] = slot;
	*ret = w->nslots++;
	return 0;
}

int rs_wake(struct vgl_ruleset *rs, unsigned int kind)
{
	struct kwake *w = &rs->wake[kind];
	const struct kcand *c;
	size_t i, k, n = rs->nkind_rules[kind];
	unsigned int g;

	w->nwords = (n + 63) / 64;
	groups_sort(rs, rs->kind_groups[kind], rs->nkind_groups[kind]);
	if (!n)
		return 0;
	w->always = calloc(w->nwords, sizeof(*w->always));
	if (!w->always)
		return -ENOMEM;
	for (i = 0; i < n; i++) {
		c = &rs->kind_rules[kind][i];
		if (!c->grouped) {
			bit_set(w->always, i);
			continue;
		}
		for (g = 0; g < c->nguards; g++) {
			if (wake_slot(w, c->gslots[g], &k))
				return -ENOMEM;
			bit_set(&w->masks[k * w->nwords], i);
		}
	}
	if (w->nwords > rs->wake_words)
		rs->wake_words = w->nwords;
	if (!w->nslots)
		return 0;
	w->mask_of = calloc(rs->nshared, sizeof(*w->mask_of));
	if (!w->mask_of)
		return -ENOMEM;
	for (k = 0; k < w->nslots; k++)
		w->mask_of[w->slots[k]] = (uint32_t)k + 1;
	return 0;
}

void rs_free_wake(struct vgl_ruleset *rs)
{
	size_t k;

	for (k = 0; k < VGL_EV_MAX; k++) {
		free(rs->wake[k].always);
		free(rs->wake[k].slots);
		free(rs->wake[k].masks);
		free(rs->wake[k].mask_of);
		memset(&rs->wake[k], 0, sizeof(rs->wake[k]));
	}
}
