// SPDX-License-Identifier: Apache-2.0
/*
 * Alternatives on one field merged into one lookup: within an OR,
 *	f = a or f = b or f in (c, d)      -> f in {a, b, c, d}    (hash set)
 *	f startswith a or f startswith b   -> prefix trie
 *	f endswith a or f endswith b       -> suffix trie
 * A merged set keeps its first operand's constants only; a merged trie keeps
 * every alternative's constant, so that field groups can index them
 * (merged = true either way).
 */
#include <errno.h>
#include <stdlib.h>

#include "rules/compile/constants.h"

/* Merge an OR's `f = a`, `f in (...)` alternatives on one string field into one set. */
static int merge_eq(struct cnode *n)
{
	size_t i, j, out;
	int err;

	for (i = 0; i < n->nkids; i++) {
		struct cnode *a = n->kids[i];

		if (a->type != CN_CMP || a->ref->def->type != FT_STR ||
		    (a->op != OP_EQ && a->op != OP_IN))
			continue;
		for (j = i + 1, out = j; j < n->nkids; j++) {
			struct cnode *b = n->kids[j];

			if (b->type == CN_CMP && b->ref == a->ref &&
			    (b->op == OP_EQ || b->op == OP_IN)) {
				if (!a->set && !(a->set = calloc(1, sizeof(*a->set))))
					return -ENOMEM;
				for (size_t k = 0; a->op == OP_EQ && k < a->nvals; k++)
					if ((err = cset_add(a->set, FT_STR, &a->vals[k])))
						return err;
				a->op = OP_IN;
				a->merged = true;
				for (size_t k = 0; k < b->nvals; k++)
					if ((err = cset_add(a->set, FT_STR, &b->vals[k])))
						return err;
				cnode_free(b);
				continue;
			}
			n->kids[out++] = b;
		}
		n->nkids = out;
	}
	return 0;
}

/* Move @b's constant to the end of @a's (@a's storage grows as needed). */
static int take_val(struct cnode *a, struct cnode *b)
{
	struct cval *v = realloc(a->vals, (a->nvals + 1) * sizeof(*v));

	if (!v)
		return -ENOMEM;
	a->vals = v;
	v[a->nvals++] = b->vals[0];
	b->nvals = 0;
	return 0;
}

/* Merge startswith / endswith alternatives on one field into a trie. */
static int merge_affix(struct cnode *n, enum vgl_op op, enum trie_mode mode)
{
	size_t i, j, out;

	for (i = 0; i < n->nkids; i++) {
		struct cnode *a = n->kids[i];
		size_t count = 1;

		if (a->type != CN_CMP || a->op != op || a->trie)
			continue;
		for (j = i + 1; j < n->nkids; j++)
			count += n->kids[j]->type == CN_CMP && n->kids[j]->op == op &&
				 n->kids[j]->ref == a->ref;
		if (count < 2)
			continue;
		a->trie = calloc(1, sizeof(*a->trie));
		a->merged = true;
		if (!a->trie || trie_add(a->trie, a->vals[0].s, a->vals[0].len, mode))
			return -ENOMEM;
		for (j = i + 1, out = j; j < n->nkids; j++) {
			struct cnode *b = n->kids[j];

			if (b->type == CN_CMP && b->op == op && b->ref == a->ref) {
				if (trie_add(a->trie, b->vals[0].s, b->vals[0].len, mode) ||
				    take_val(a, b))
					return -ENOMEM;
				cnode_free(b);
				continue;
			}
			n->kids[out++] = b;
		}
		n->nkids = out;
	}
	return 0;
}

int cnode_merge_or(struct cnode *n)
{
	int err = merge_eq(n);

	if (!err)
		err = merge_affix(n, OP_STARTSWITH, TRIE_PREFIX);
	if (!err)
		err = merge_affix(n, OP_ENDSWITH, TRIE_SUFFIX);
	return err;
}
