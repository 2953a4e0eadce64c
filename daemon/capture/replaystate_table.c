// SPDX-License-Identifier: Apache-2.0
/* The replay state's bounded hash tables (replaystate_int.h). */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "capture/replaystate_int.h"
#include "state/util.h"

static uint64_t str_hash(const char *s)
{
	uint64_t h = 0xcbf29ce484222325ull; /* FNV-1a */

	for (; s && *s; s++)
		h = (h ^ (unsigned char)*s) * 0x100000001b3ull;
	return h;
}

static struct rs_node **bucket(const struct rs_table *t, uint64_t k1, uint64_t k2, const char *s)
{
	uint64_t h = vgl_hash64(k1 ^ vgl_hash64(k2 ^ str_hash(s)));

	return &t->buckets[h & (t->nbuckets - 1)];
}

int rs_table_init(struct rs_table *t, size_t max, void (*drop)(struct rs_node *),
		  uint64_t *forgotten)
{
	memset(t, 0, sizeof(*t));
	t->max = max;
	t->nbuckets = vgl_pow2_ceil(max);
	t->buckets = calloc(t->nbuckets, sizeof(*t->buckets));
	if (!t->buckets)
		return -ENOMEM;
	t->lru.prev = t->lru.next = &t->lru;
	t->drop = drop;
	t->forgotten = forgotten;
	return 0;
}

void rs_table_fini(struct rs_table *t)
{
	if (!t->buckets)
		return;
	while (t->lru.next != &t->lru)
		rs_remove(t, t->lru.next);
	free(t->buckets);
	t->buckets = NULL;
}

static bool same(const struct rs_node *n, uint64_t k1, uint64_t k2, const char *skey)
{
	if (n->k1 != k1 || n->k2 != k2)
		return false;
	return !skey == !n->skey && (!skey || !strcmp(skey, n->skey));
}

struct rs_node *rs_find(const struct rs_table *t, uint64_t k1, uint64_t k2, const char *skey)
{
	struct rs_node *n;

	for (n = *bucket(t, k1, k2, skey); n && !same(n, k1, k2, skey); n = n->hnext)
		;
	return n;
}

static void unlink_lru(struct rs_node *n)
{
	n->prev->next = n->next;
	n->next->prev = n->prev;
}

static void push_lru(struct rs_table *t, struct rs_node *n)
{
	n->next = t->lru.next;
	n->prev = &t->lru;
	t->lru.next->prev = n;
	t->lru.next = n;
}

void rs_remove(struct rs_table *t, struct rs_node *n)
{
	struct rs_node **pp = bucket(t, n->k1, n->k2, n->skey);

	while (*pp != n)
		pp = &(*pp)->hnext;
	*pp = n->hnext;
	unlink_lru(n);
	t->count--;
	t->drop(n);
}

void rs_insert(struct rs_table *t, struct rs_node *n)
{
	struct rs_node **b;

	while (t->count >= t->max && t->lru.prev != &t->lru) {
		rs_remove(t, t->lru.prev);
		(*t->forgotten)++;
	}
	b = bucket(t, n->k1, n->k2, n->skey);
	n->hnext = *b;
	*b = n;
	push_lru(t, n);
	t->count++;
}

void rs_touch(struct rs_table *t, struct rs_node *n)
{
	unlink_lru(n);
	push_lru(t, n);
}
