// SPDX-License-Identifier: Apache-2.0
/*
 * Comparison sharing: Falco rule sets expand the same macros into many rules
 * (open_write, spawned_process, container, ...), so the same comparison
 * appears dozens of times. Identical comparisons become one node owned by the
 * rule set, evaluated at most once per event (its result memoized in the
 * match context) and usable as a cheap guard in front of whole rules.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "rules/compile/compile.h"

struct ientry {
	uint64_t hash;
	char *key;
	size_t len;
	struct cnode *node;
};

struct interner {
	struct ientry *tab;
	size_t cap; /* power of two */
	size_t n;
};

/* Key bytes of a comparison: field slot, operator, constants. 0: not shareable. */
static size_t cmp_key(const struct cnode *n, char **ret)
{
	size_t len = 2 * sizeof(unsigned int) + sizeof(size_t), i, off;
	unsigned int hdr[2] = { n->ref->slot, n->op };
	char *k;

	if (n->merged)
		return 0;
	for (i = 0; i < n->nvals; i++)
		len += sizeof(size_t) + n->vals[i].len;
	k = malloc(len);
	if (!k)
		return 0;
	memcpy(k, hdr, sizeof(hdr));
	off = sizeof(hdr);
	memcpy(k + off, &n->nvals, sizeof(size_t));
	off += sizeof(size_t);
	for (i = 0; i < n->nvals; i++) {
		memcpy(k + off, &n->vals[i].len, sizeof(size_t));
		off += sizeof(size_t);
		memcpy(k + off, n->vals[i].s, n->vals[i].len);
		off += n->vals[i].len;
	}
	*ret = k;
	return len;
}

static int grow(struct interner *in)
{
	struct interner old = *in;
	size_t i, j;

	in->cap = old.cap ? old.cap * 2 : 256;
	in->tab = calloc(in->cap, sizeof(*in->tab));
	if (!in->tab) {
		*in = old;
		return -ENOMEM;
	}
	for (i = 0; i < old.cap; i++) {
		if (!old.tab[i].key)
			continue;
		for (j = old.tab[i].hash & (in->cap - 1); in->tab[j].key;
		     j = (j + 1) & (in->cap - 1))
			;
		in->tab[j] = old.tab[i];
	}
	free(old.tab);
	return 0;
}

static int add_shared(struct vgl_ruleset *rs, struct cnode *n)
{
	struct cnode **v = realloc(rs->shared, (rs->nshared + 1) * sizeof(*v));

	if (!v)
		return -ENOMEM;
	rs->shared = v;
	v[rs->nshared++] = n;
	n->shared = true;
	n->memo = (unsigned int)rs->nshared;
	return 0;
}

/* Replace *@pn by its canonical copy, or make it canonical. */
static int intern_cmp(struct interner *in, struct vgl_ruleset *rs, struct cnode **pn)
{
	struct cnode *n = *pn;
	char *key = NULL;
	size_t len = cmp_key(n, &key), j;
	uint64_t h;

	if (!len || n->shared) {
		free(key);
		/* Merged alternatives are unique, but a memo slot lets groups answer them. */
		return n->merged && !n->shared ? add_shared(rs, n) : 0;
	}
	if ((in->n + 1) * 2 > in->cap && grow(in)) {
		free(key);
		return -ENOMEM;
	}
	h = vgl_hash(key, len);
	for (j = h & (in->cap - 1); in->tab[j].key; j = (j + 1) & (in->cap - 1)) {
		struct ientry *e = &in->tab[j];

		if (e->hash == h && e->len == len && !memcmp(e->key, key, len)) {
			free(key);
			cnode_free(n);
			*pn = e->node;
			return 0;
		}
	}
	if (add_shared(rs, n)) {
		free(key);
		return -ENOMEM;
	}
	in->tab[j] = (struct ientry){ .hash = h, .key = key, .len = len, .node = n };
	in->n++;
	return 0;
}

static int intern_tree(struct interner *in, struct vgl_ruleset *rs, struct cnode **pn)
{
	size_t i;
	int err;

	if ((*pn)->type == CN_CMP)
		return intern_cmp(in, rs, pn);
	for (i = 0; i < (*pn)->nkids; i++) {
		err = intern_tree(in, rs, &(*pn)->kids[i]);
		if (err)
			return err;
	}
	return 0;
}

int rs_intern(struct vgl_ruleset *rs)
{
	struct interner in = { 0 };
	size_t i;
	int err = 0;

	for (i = 0; !err && i < rs->nrules; i++) {
		if (rs->rules[i].root)
			err = intern_tree(&in, rs, &rs->rules[i].root);
	}
	for (i = 0; i < in.cap; i++)
		free(in.tab[i].key);
	free(in.tab);
	return err ? err : rs_group(rs);
}

void rs_free_shared(struct vgl_ruleset *rs)
{
	size_t i;

	rs_free_groups(rs);
	for (i = 0; i < rs->nshared; i++) {
		rs->shared[i]->shared = false;
		cnode_free(rs->shared[i]);
	}
	free(rs->shared);
	rs->shared = NULL;
	rs->nshared = 0;
}
