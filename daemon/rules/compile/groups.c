// SPDX-License-Identifier: Apache-2.0
/*
 * Field groups: rule sets test the same string field against many constants
 * (proc.name = tar, proc.name in (shell_binaries), fd.name startswith /etc/,
 * ...). The shared `=` / `in` comparisons on one field form a group answered
 * by one hash lookup of the event's value; its `startswith`, `pmatch` and
 * glob comparisons, its `endswith` ones and its `contains` ones each form a
 * trie group answered by one pass over the value (gtrie.c). Merged
 * alternatives (`f = a or f in (b, c)`, `f startswith a or f startswith b`)
 * join their field's group like any other comparison.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "rules/compile/groups.h"

/* A glob goes by its literal prefix, or failing that its literal suffix. */
static bool glob_groupable(const struct cnode *n, enum gkind kind)
{
	const struct cval *c = &n->vals[0];
	size_t pre = glob_literal_prefix(c->s, c->len);

	if (n->nvals != 1 || n->set || n->trie)
		return false;
	if (kind == G_PREFIX)
		return pre >= 2;
	return kind == G_SUFFIX && pre < 2 && glob_literal_suffix(c->s, c->len) >= 2;
}

static bool groupable(const struct cnode *n, const struct field_ref *ref, enum gkind kind)
{
	if (n->ref != ref || !n->memo || n->group || n->re)
		return false;
	if (n->op == OP_GLOB)
		return glob_groupable(n, kind);
	switch (kind) {
	case G_SET:
		if (n->op == OP_EQ)
			return !n->set && n->nvals == 1;
		return n->op == OP_IN && n->set;
	case G_PREFIX:
		if (n->trie)
			return n->op == OP_STARTSWITH || n->op == OP_PMATCH;
		return n->fast == CF_STR_PREFIX;
	case G_SUFFIX:
		return n->trie ? n->op == OP_ENDSWITH : n->fast == CF_STR_SUFFIX;
	default:
		return (n->op == OP_CONTAINS || n->op == OP_BCONTAINS) && n->nvals == 1 &&
		       !n->set && !n->trie;
	}
}

static inline struct gentry *gslot(const struct fgroup *g, uint64_t h, const char *s, size_t len)
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
	n->lazy = n->op == OP_GLOB;
	if (g->kind != G_SET)
		return gtrie_add_cmp(g, n);
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
	return err || kind == G_SET ? err : gtrie_freeze(g);
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
		if (!err)
			err = group_field(rs, rs->refs[i], G_CONTAINS);
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
		gtrie_free(&rs->groups[i]);
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

/*
 * Stamp the comparisons of @g that one of the @cnt values @v meets. Inlined
 * into both callers: as a call it costs more than the lookup it makes.
 */
static inline __attribute__((always_inline)) void
group_answer(struct vgl_match_ctx *ctx, const struct fgroup *g, const struct vgl_fval *v, int cnt)
{
	const struct gentry *e;
	int j;

	for (j = 0; j < cnt; j++) {
		struct vgl_fval *mv = (struct vgl_fval *)&v[j]; /* the context's cache */

		if (g->kind != G_SET) {
			gtrie_eval(ctx, g, mv);
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

/* Answer every comparison of group @gid for the current event. */
void group_eval(struct vgl_match_ctx *ctx, unsigned int gid)
{
	const struct fgroup *g = &ctx->rs->groups[gid - 1];
	const struct vgl_fval *v;
	int cnt = ctx_values(ctx, g->ref, &v);

	ctx->gepoch[gid - 1] = ctx->epoch;
	group_answer(ctx, g, v, cnt);
}

void groups_eval(struct vgl_match_ctx *ctx, const unsigned int *gids, size_t n)
{
	const struct field_ref *ref = NULL;
	const struct vgl_fval *v = NULL;
	const struct fgroup *g;
	size_t i;
	int cnt = 0;

	for (i = 0; i < n; i++) {
		if (ctx->gepoch[gids[i] - 1] == ctx->epoch)
			continue;
		g = &ctx->rs->groups[gids[i] - 1];
		if (g->ref != ref) {
			ref = g->ref;
			cnt = ctx_values(ctx, ref, &v);
		}
		ctx->gepoch[gids[i] - 1] = ctx->epoch;
		group_answer(ctx, g, v, cnt);
	}
}

/* Order @gids by field, so that groups_eval() fetches each field's values once. */
void groups_sort(const struct vgl_ruleset *rs, unsigned int *gids, size_t n)
{
	size_t i, j;

	for (i = 1; i < n; i++) {
		unsigned int k = gids[i];

		for (j = i;
		     j > 0 && rs->groups[gids[j - 1] - 1].ref->slot > rs->groups[k - 1].ref->slot;
		     j--)
			gids[j] = gids[j - 1];
		gids[j] = k;
	}
}
