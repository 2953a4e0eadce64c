// SPDX-License-Identifier: Apache-2.0
/*
 * Field groups: rule sets test the same string field against many constants
 * (proc.name = tar, proc.name in (shell_binaries), fd.name startswith /etc/,
 * ...). The shared `=` / `in` comparisons on one field form a group answered
 * by one hash lookup of the event's value, its `startswith` comparisons one
 * answered by one walk down a trie, its `endswith` ones likewise.
 * A grouped comparison holds for the event when its memo slot carries the
 * event's epoch: group_eval() stamps only the comparisons the value meets.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "rules/compile/compile.h"

struct gentry {
	uint64_t hash;
	const char *s; /* borrowed from the comparison's constants; NULL: empty */
	size_t len;
	unsigned int *memos; /* memo slots of the comparisons this value satisfies */
	size_t n;
};

/* Affix trie node: the comparisons whose constant ends here. */
struct gnode {
	uint32_t child, next; /* 0 none */
	uint8_t ch;
	unsigned int *memos;
	size_t n;
};

enum gkind {
	G_SET,	  /* = and in: hash of values */
	G_PREFIX, /* startswith: trie */
	G_SUFFIX, /* endswith: trie of reversed constants */
};

struct fgroup {
	const struct field_ref *ref;
	enum gkind kind;
	struct gentry *tab; /* G_SET */
	size_t cap;	    /* power of two */
	size_t n;
	struct gnode *nodes; /* G_PREFIX, G_SUFFIX: nodes[0] is the root */
	size_t nnodes;
};

static bool groupable(const struct cnode *n, const struct field_ref *ref, enum gkind kind)
{
	if (n->ref != ref || !n->memo || n->merged || n->trie || n->re)
		return false;
	switch (kind) {
	case G_SET:
		if (n->op == OP_EQ)
			return !n->set && n->nvals == 1;
		return n->op == OP_IN && n->set;
	case G_PREFIX:
		return n->fast == CF_STR_PREFIX;
	default:
		return n->fast == CF_STR_SUFFIX;
	}
}

static int gnode_new(struct fgroup *g, uint8_t ch, uint32_t *ret)
{
	struct gnode *v = realloc(g->nodes, (g->nnodes + 1) * sizeof(*v));

	if (!v)
		return -ENOMEM;
	g->nodes = v;
	v[g->nnodes] = (struct gnode){ .ch = ch };
	*ret = (uint32_t)g->nnodes++;
	return 0;
}

static uint32_t gchild(const struct fgroup *g, uint32_t n, uint8_t ch)
{
	uint32_t c;

	for (c = g->nodes[n].child; c; c = g->nodes[c].next) {
		if (g->nodes[c].ch == ch)
			return c;
	}
	return 0;
}

static int gtrie_add(struct fgroup *g, const char *s, size_t len, unsigned int memo)
{
	uint32_t n = 0, c;
	unsigned int *v;
	size_t i;

	if (!g->nnodes && gnode_new(g, 0, &n))
		return -ENOMEM;
	for (i = 0; i < len; i++) {
		uint8_t ch = (uint8_t)(g->kind == G_SUFFIX ? s[len - 1 - i] : s[i]);

		c = gchild(g, n, ch);
		if (!c) {
			if (gnode_new(g, ch, &c))
				return -ENOMEM;
			g->nodes[c].next = g->nodes[n].child;
			g->nodes[n].child = c;
		}
		n = c;
	}
	v = realloc(g->nodes[n].memos, (g->nodes[n].n + 1) * sizeof(*v));
	if (!v)
		return -ENOMEM;
	g->nodes[n].memos = v;
	v[g->nodes[n].n++] = memo;
	return 0;
}

static struct gentry *gslot(const struct fgroup *g, uint64_t h, const char *s, size_t len)
{
	size_t mask = g->cap - 1, i = h & mask;

	for (;; i = (i + 1) & mask) {
		struct gentry *e = &g->tab[i];

		if (!e->s || (e->hash == h && e->len == len && !memcmp(e->s, s, len)))
			return e;
	}
}

static int ggrow(struct fgroup *g)
{
	struct gentry *old = g->tab;
	size_t ocap = g->cap, i;

	g->cap = ocap ? ocap * 2 : 16;
	g->tab = calloc(g->cap, sizeof(*g->tab));
	if (!g->tab) {
		g->tab = old;
		g->cap = ocap;
		return -ENOMEM;
	}
	for (i = 0; i < ocap; i++) {
		if (old[i].s)
			*gslot(g, old[i].hash, old[i].s, old[i].len) = old[i];
	}
	free(old);
	return 0;
}

static int gadd(struct fgroup *g, const char *s, size_t len, unsigned int memo)
{
	uint64_t h = vgl_hash(s, len);
	struct gentry *e;
	unsigned int *v;

	if ((g->n + 1) * 2 > g->cap && ggrow(g))
		return -ENOMEM;
	e = gslot(g, h, s, len);
	if (e->n && e->memos[e->n - 1] == memo)
		return 0;
	v = realloc(e->memos, (e->n + 1) * sizeof(*v));
	if (!v)
		return -ENOMEM;
	if (!e->s) {
		*e = (struct gentry){ .hash = h, .s = s, .len = len };
		g->n++;
	}
	e->memos = v;
	v[e->n++] = memo;
	return 0;
}

static int gadd_node(struct fgroup *g, struct cnode *n, unsigned int gid)
{
	size_t i;
	int err = 0;

	n->group = gid;
	if (g->kind != G_SET)
		return gtrie_add(g, n->vals[0].s, n->vals[0].len, n->memo);
	if (n->op == OP_EQ)
		return gadd(g, n->vals[0].s, n->vals[0].len, n->memo);
	for (i = 0; !err && i < n->set->cap; i++) {
		const struct strset_entry *e = &n->set->tab[i];

		if (e->s)
			err = gadd(g, e->s, e->len, n->memo);
	}
	return err;
}

static int group_field(struct vgl_ruleset *rs, const struct field_ref *ref, enum gkind kind)
{
	struct fgroup *v, *g;
	size_t i, count = 0;
	int err = 0;

	for (i = 0; i < rs->nshared; i++)
		count += groupable(rs->shared[i], ref, kind);
	if (count < 2)
		return 0;
	v = realloc(rs->groups, (rs->ngroups + 1) * sizeof(*v));
	if (!v)
		return -ENOMEM;
	rs->groups = v;
	g = &v[rs->ngroups++];
	memset(g, 0, sizeof(*g));
	g->ref = ref;
	g->kind = kind;
	for (i = 0; !err && i < rs->nshared; i++) {
		if (groupable(rs->shared[i], ref, kind))
			err = gadd_node(g, rs->shared[i], (unsigned int)rs->ngroups);
	}
	return err;
}

int rs_group(struct vgl_ruleset *rs)
{
	size_t i;
	int err = 0;

	for (i = 0; !err && i < rs->nrefs; i++) {
		if (rs->refs[i]->def->type != FT_STR)
			continue;
		err = group_field(rs, rs->refs[i], G_SET);
		if (!err)
			err = group_field(rs, rs->refs[i], G_PREFIX);
		if (!err)
			err = group_field(rs, rs->refs[i], G_SUFFIX);
	}
	return err;
}

void rs_free_groups(struct vgl_ruleset *rs)
{
	size_t i, j;

	for (i = 0; i < rs->ngroups; i++) {
		for (j = 0; j < rs->groups[i].cap; j++)
			free(rs->groups[i].tab[j].memos);
		free(rs->groups[i].tab);
		for (j = 0; j < rs->groups[i].nnodes; j++)
			free(rs->groups[i].nodes[j].memos);
		free(rs->groups[i].nodes);
	}
	free(rs->groups);
	rs->groups = NULL;
	rs->ngroups = 0;
	for (i = 0; i < VGL_EV_MAX; i++) {
		free(rs->kind_groups[i]);
		rs->kind_groups[i] = NULL;
		rs->nkind_groups[i] = 0;
	}
}

static inline void stamp(struct vgl_match_ctx *ctx, const unsigned int *memos, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		ctx->memo[memos[i] - 1].epoch = ctx->epoch;
}

/* Stamp the affix comparisons whose constant starts (ends) @v. */
static void gtrie_walk(struct vgl_match_ctx *ctx, const struct fgroup *g, const struct vgl_fval *v)
{
	const struct gnode *nd = g->nodes;
	uint32_t n = 0;
	size_t i;

	for (i = 0;; i++) {
		stamp(ctx, nd[n].memos, nd[n].n);
		if (i == v->len)
			return;
		n = gchild(g, n, (uint8_t)(g->kind == G_SUFFIX ? v->s[v->len - 1 - i] : v->s[i]));
		if (!n)
			return;
	}
}

/* Answer every comparison of group @gid for the current event. */
void group_eval(struct vgl_match_ctx *ctx, unsigned int gid)
{
	const struct fgroup *g = &ctx->rs->groups[gid - 1];
	const struct vgl_fval *v;
	int cnt = ctx_values(ctx, g->ref, &v), j;

	ctx->gepoch[gid - 1] = ctx->epoch;
	for (j = 0; j < cnt; j++) {
		struct vgl_fval *mv = (struct vgl_fval *)&v[j]; /* the context's cache */
		const struct gentry *e;

		if (g->kind != G_SET) {
			gtrie_walk(ctx, g, mv);
			continue;
		}
		if (!g->n)
			continue;
		if (!mv->hashed) {
			mv->hash = vgl_hash(mv->s, mv->len);
			mv->hashed = true;
		}
		e = gslot(g, mv->hash, mv->s, mv->len);
		if (e->s)
			stamp(ctx, e->memos, e->n);
	}
}
