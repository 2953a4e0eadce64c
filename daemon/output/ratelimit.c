// SPDX-License-Identifier: Apache-2.0
/* Per-rule token buckets in an open-addressing hash table keyed by name. */
#include <stdlib.h>
#include <string.h>

#include "output/ratelimit.h"

struct bucket {
	char *rule; /* NULL: free slot */
	double tokens;
	double last;
	uint64_t suppressed;
};

struct vgl_ratelimit {
	double rate, burst;
	struct bucket *v;
	size_t cap, n; /* cap is a power of two, kept at most half full */
	uint64_t total;
};

static uint64_t hash(const char *s)
{
	uint64_t h = 1469598103934665603ull; /* FNV-1a */

	while (*s)
		h = (h ^ (unsigned char)*s++) * 1099511628211ull;
	return h;
}

struct vgl_ratelimit *vgl_ratelimit_new(double rate, double burst)
{
	struct vgl_ratelimit *rl = calloc(1, sizeof(*rl));

	if (!rl)
		return NULL;
	rl->rate = rate;
	rl->burst = burst >= 1 ? burst : 1;
	rl->cap = 64;
	rl->v = calloc(rl->cap, sizeof(*rl->v));
	if (!rl->v) {
		free(rl);
		return NULL;
	}
	return rl;
}

void vgl_ratelimit_free(struct vgl_ratelimit *rl)
{
	if (!rl)
		return;
	for (size_t i = 0; i < rl->cap; i++)
		free(rl->v[i].rule);
	free(rl->v);
	free(rl);
}

static struct bucket *slot(struct bucket *v, size_t cap, const char *rule)
{
	size_t i = hash(rule) & (cap - 1);

	while (v[i].rule && strcmp(v[i].rule, rule))
		i = (i + 1) & (cap - 1);
	return &v[i];
}

static bool grow(struct vgl_ratelimit *rl)
{
	size_t cap = rl->cap * 2;
	struct bucket *v = calloc(cap, sizeof(*v));

	if (!v)
		return false;
	for (size_t i = 0; i < rl->cap; i++) {
		if (rl->v[i].rule)
			*slot(v, cap, rl->v[i].rule) = rl->v[i];
	}
	free(rl->v);
	rl->v = v;
	rl->cap = cap;
	return true;
}

static struct bucket *find_or_add(struct vgl_ratelimit *rl, const char *rule, double now)
{
	struct bucket *b = slot(rl->v, rl->cap, rule);

	if (b->rule)
		return b;
	if (rl->n >= VGL_RATELIMIT_RULES_MAX)
		return NULL;
	if (2 * (rl->n + 1) > rl->cap) {
		if (!grow(rl))
			return NULL;
		b = slot(rl->v, rl->cap, rule);
	}
	b->rule = strdup(rule);
	if (!b->rule)
		return NULL;
	b->tokens = rl->burst;
	b->last = now;
	rl->n++;
	return b;
}

bool vgl_ratelimit_allow(struct vgl_ratelimit *rl, const char *rule, double now)
{
	struct bucket *b = find_or_add(rl, rule, now);

	if (!b)
		return true; /* not tracked: never limit what cannot be reported */
	if (now > b->last) {
		b->tokens += (now - b->last) * rl->rate;
		if (b->tokens > rl->burst)
			b->tokens = rl->burst;
		b->last = now;
	}
	if (b->tokens >= 1) {
		b->tokens -= 1;
		return true;
	}
	b->suppressed++;
	rl->total++;
	return false;
}

size_t vgl_ratelimit_take_report(struct vgl_ratelimit *rl, struct vgl_ratelimit_entry *out,
				 size_t max, uint64_t *ret_total)
{
	size_t n = 0;

	*ret_total = rl->total;
	rl->total = 0;
	for (size_t i = 0; i < rl->cap; i++) {
		struct bucket *b = &rl->v[i];
		size_t j;

		if (!b->rule || !b->suppressed)
			continue;
		/* insertion into the top @max, most suppressed first */
		for (j = n; j > 0 && out[j - 1].suppressed < b->suppressed; j--) {
			if (j < max)
				out[j] = out[j - 1];
		}
		if (j < max) {
			out[j] = (struct vgl_ratelimit_entry){ b->rule, b->suppressed };
			if (n < max)
				n++;
		}
		b->suppressed = 0;
	}
	return n;
}
