/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Field groups (groups.c): every shared comparison of one kind on one string
 * field answered together, by a hash lookup (G_SET) or one pass of a trie
 * over the value (gtrie.c). A grouped comparison holds for the event when
 * its memo slot carries the event's epoch: evaluation stamps only the
 * comparisons the value meets. Globs are the exception (cnode.lazy): their
 * stamp says the value has the glob's literal prefix or suffix, and the glob
 * itself runs only if a rule gets as far as asking (cmp_memo()).
 */
#ifndef VIGIL_RULES_GROUPS_H
#define VIGIL_RULES_GROUPS_H

#include "rules/compile/compile.h"

struct gentry {
	uint64_t hash;
	const char *s; /* borrowed from the comparison's constants; NULL: empty */
	size_t len;
	unsigned int *memos; /* memo slots of the comparisons this value satisfies */
	size_t n;
};

/* Children at which a trie node gets a direct table instead of a sibling list. */
#define GNODE_DENSE 4

/* Trie node, as walks read it (kept small: a walk reads one per byte). */
struct gnode {
	uint32_t child, next; /* 0 none */
	uint8_t ch;
	bool any;	 /* its gleaf has something to stamp */
	uint32_t nkids;	 /* children */
	uint32_t *dense; /* NULL, or the child for each byte (0 none) */
};

/* What a walk that reaches the node of the same index decides. */
struct gleaf {
	unsigned int *memos; /* hold when the walk gets here */
	size_t n;
	unsigned int *pmemos; /* pmatch: hold if the value's path component ends here */
	size_t np;
	unsigned int *lmemos; /* globs whose literal affix ends here: may hold */
	size_t nl;
};

enum gkind {
	G_SET,	    /* = and in: hash of values */
	G_PREFIX,   /* startswith, pmatch, globs by literal prefix: trie */
	G_SUFFIX,   /* endswith, globs by literal suffix: trie of reversed constants */
	G_CONTAINS, /* contains: trie of constants tried at every offset */
};

struct fgroup {
	const struct field_ref *ref;
	enum gkind kind;
	struct gentry *tab; /* G_SET */
	size_t cap;	    /* power of two */
	size_t n;
	struct gnode *nodes;  /* tries: nodes[0] is the root */
	struct gleaf *leaves; /* one per node */
	size_t nnodes;
	size_t minlen;	/* G_CONTAINS: shortest non-empty constant (at most 255) */
	uint8_t *shift; /* G_CONTAINS: Horspool shift per byte (gtrie.c) */
};

/* Bytes of a glob's constant that every match starts (ends) with. */
size_t glob_literal_prefix(const char *p, size_t len);
size_t glob_literal_suffix(const char *p, size_t len);

/* Add comparison @n (its memo slot) to trie group @g. */
int gtrie_add_cmp(struct fgroup *g, const struct cnode *n);
/* Direct child tables for wide nodes, once every comparison is in. */
int gtrie_freeze(struct fgroup *g);
void gtrie_free(struct fgroup *g);
/* Stamp the comparisons of trie group @g that value @v meets. */
void gtrie_eval(struct vgl_match_ctx *ctx, const struct fgroup *g, const struct vgl_fval *v);

/* Mark memo slot @idx true for this event, once, and list it as a hit. */
static inline struct memo *hit(struct vgl_match_ctx *ctx, unsigned int idx)
{
	struct memo *m = &ctx->memo[idx];

	if (m->epoch != ctx->epoch) {
		m->epoch = ctx->epoch;
		ctx->hits[ctx->nhits++] = idx;
	}
	return m;
}

static inline void stamp(struct vgl_match_ctx *ctx, const unsigned int *memos, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		hit(ctx, memos[i] - 1);
}

#endif /* VIGIL_RULES_GROUPS_H */
