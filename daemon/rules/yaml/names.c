// SPDX-License-Identifier: Apache-2.0
/*
 * Name -> position indexes of a collection's lists, macros and rules: a
 * rule file of 20,000 items looked every name up by a walk over all items
 * defined before it, seconds of strcmp() per load.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "rules/collection.h"
#include "rules/compile/sets.h"

static const char *list_name(const struct collection *c, size_t i)
{
	return c->lists[i]->name;
}

static const char *macro_name(const struct collection *c, size_t i)
{
	return c->macros[i]->name;
}

static const char *rule_name(const struct collection *c, size_t i)
{
	return c->rules[i]->name;
}

typedef const char *(*name_fn)(const struct collection *c, size_t i);

/* Slot of @name in @ix: its entry, or the empty slot where it would go. */
static size_t find_slot(const struct coll_index *ix, const struct collection *c, name_fn fn,
			const char *name)
{
	size_t mask = ix->cap - 1, i = vgl_hash(name, strlen(name)) & mask;

	while (ix->slot[i] && strcmp(fn(c, ix->slot[i] - 1), name))
		i = (i + 1) & mask;
	return i;
}

static size_t find(const struct coll_index *ix, const struct collection *c, name_fn fn,
		   const char *name)
{
	size_t s;

	if (!ix->cap)
		return SIZE_MAX;
	s = find_slot(ix, c, fn, name);
	return ix->slot[s] ? ix->slot[s] - 1 : SIZE_MAX;
}

/* Index entry @i (its name not yet indexed); kept at most half full. */
static int add(struct coll_index *ix, const struct collection *c, name_fn fn, size_t i)
{
	if (2 * (ix->n + 1) > ix->cap) {
		struct coll_index big = { .cap = ix->cap ? ix->cap * 2 : 64 };
		size_t k;

		big.slot = calloc(big.cap, sizeof(*big.slot));
		if (!big.slot)
			return -ENOMEM;
		for (k = 0; k < ix->cap; k++) {
			if (ix->slot[k])
				big.slot[find_slot(&big, c, fn, fn(c, ix->slot[k] - 1))] =
					ix->slot[k];
		}
		big.n = ix->n;
		free(ix->slot);
		*ix = big;
	}
	ix->slot[find_slot(ix, c, fn, fn(c, i))] = i + 1;
	ix->n++;
	return 0;
}

void coll_index_free(struct coll_index *ix)
{
	free(ix->slot);
	memset(ix, 0, sizeof(*ix));
}

int coll_index_list(struct collection *c, size_t i)
{
	return add(&c->lists_ix, c, list_name, i);
}

int coll_index_macro(struct collection *c, size_t i)
{
	return add(&c->macros_ix, c, macro_name, i);
}

int coll_index_rule(struct collection *c, size_t i)
{
	return add(&c->rules_ix, c, rule_name, i);
}

struct list_def *coll_list(const struct collection *c, const char *name)
{
	size_t i = find(&c->lists_ix, c, list_name, name);

	return i == SIZE_MAX ? NULL : c->lists[i];
}

struct macro_def *coll_macro(const struct collection *c, const char *name)
{
	size_t i = find(&c->macros_ix, c, macro_name, name);

	return i == SIZE_MAX ? NULL : c->macros[i];
}

struct rule_def *coll_rule(const struct collection *c, const char *name)
{
	size_t i = find(&c->rules_ix, c, rule_name, name);

	return i == SIZE_MAX ? NULL : c->rules[i];
}
