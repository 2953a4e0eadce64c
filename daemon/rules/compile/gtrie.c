// SPDX-License-Identifier: Apache-2.0
/*
 * Trie groups: all `startswith` / `pmatch` comparisons on a field in one
 * trie walked once down the value, all `endswith` ones in one trie of
 * reversed constants walked once up it, all `contains` ones in one trie
 * entered at the offsets of the value where a constant may start (a
 * Horspool shift table over the constants' first bytes skips the others). A glob joins the prefix
 * (suffix) trie at the node of its literal prefix (suffix): values that get
 * that far are marked as maybe matching it (groups.h).
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "rules/compile/groups.h"

static bool glob_special(char c)
{
	return c == '*' || c == '?' || c == '[' || c == ']' || c == '\\';
}

size_t glob_literal_prefix(const char *p, size_t len)
{
	size_t i;

	for (i = 0; i < len && !glob_special(p[i]); i++)
		;
	return i;
}

size_t glob_literal_suffix(const char *p, size_t len)
{
	size_t i;

	for (i = 0; i < len && !glob_special(p[len - 1 - i]); i++)
		;
	return i;
}

static int gnode_new(struct fgroup *g, uint8_t ch, uint32_t *ret)
{
	struct gnode *v = realloc(g->nodes, (g->nnodes + 1) * sizeof(*v));
	struct gleaf *l;

	if (!v)
		return -ENOMEM;
	g->nodes = v;
	l = realloc(g->leaves, (g->nnodes + 1) * sizeof(*l));
	if (!l)
		return -ENOMEM;
	g->leaves = l;
	v[g->nnodes] = (struct gnode){ .ch = ch };
	l[g->nnodes] = (struct gleaf){ 0 };
	*ret = (uint32_t)g->nnodes++;
	return 0;
}

static inline uint32_t gchild(const struct gnode *nd, uint32_t n, uint8_t ch)
{
	uint32_t c;

	if (nd[n].dense)
		return nd[n].dense[ch];
	for (c = nd[n].child; c; c = nd[c].next) {
		if (nd[c].ch == ch)
			return c;
	}
	return 0;
}

/* The node for @len bytes of @s (reversed for suffixes), created as needed. */
static int gtrie_node(struct fgroup *g, const char *s, size_t len, uint32_t *ret)
{
	uint32_t n = 0, c;
	size_t i;

	if (!g->nnodes && gnode_new(g, 0, &n))
		return -ENOMEM;
	for (i = 0; i < len; i++) {
		uint8_t ch = (uint8_t)(g->kind == G_SUFFIX ? s[len - 1 - i] : s[i]);

		c = gchild(g->nodes, n, ch);
		if (!c) {
			if (gnode_new(g, ch, &c))
				return -ENOMEM;
			g->nodes[c].next = g->nodes[n].child;
			g->nodes[n].child = c;
			g->nodes[n].nkids++;
		}
		n = c;
	}
	*ret = n;
	return 0;
}

static int push(void *pv, size_t *n, size_t size, const void *item)
{
	void **v = pv;
	char *w = realloc(*v, (*n + 1) * size);

	if (!w)
		return -ENOMEM;
	memcpy(w + *n * size, item, size);
	*v = w;
	(*n)++;
	return 0;
}

static int add_glob(struct fgroup *g, const struct cnode *n)
{
	const struct cval *c = &n->vals[0];
	size_t len = g->kind == G_PREFIX ? glob_literal_prefix(c->s, c->len)
					 : glob_literal_suffix(c->s, c->len);
	const char *s = g->kind == G_PREFIX ? c->s : c->s + c->len - len;
	uint32_t at;

	if (gtrie_node(g, s, len, &at))
		return -ENOMEM;
	return push(&g->leaves[at].lmemos, &g->leaves[at].nl, sizeof(n->memo), &n->memo);
}

int gtrie_add_cmp(struct fgroup *g, const struct cnode *n)
{
	size_t i, len;
	uint32_t at;
	int err = 0;

	if (n->op == OP_GLOB)
		return add_glob(g, n);
	/* Single constants, merged tries (every alternative kept), pmatch lists. */
	for (i = 0; !err && i < n->nvals; i++) {
		len = n->vals[i].len;
		/* As trie_add(): pmatch "/a/b/" is "/a/b"; "/" is the root of everything. */
		while (n->op == OP_PMATCH && len > 0 && n->vals[i].s[len - 1] == '/')
			len--;
		err = gtrie_node(g, n->vals[i].s, len, &at);
		if (len && (!g->minlen || len < g->minlen))
			g->minlen = len < 255 ? len : 255;
		if (!err && n->op == OP_PMATCH)
			err = push(&g->leaves[at].pmemos, &g->leaves[at].np, sizeof(n->memo),
				   &n->memo);
		else if (!err)
			err = push(&g->leaves[at].memos, &g->leaves[at].n, sizeof(n->memo),
				   &n->memo);
	}
	return err;
}

/*
 * Set Horspool: a constant's byte at index k < minlen - 1 lets the window end
 * move minlen - 1 - k bytes on; bytes no constant has there, minlen bytes.
 * Nodes come after their parents, so depths fill in node order.
 */
static int contains_shift(struct fgroup *g)
{
	uint8_t *depth = malloc(g->nnodes), m = (uint8_t)g->minlen;
	size_t i;
	uint32_t c;

	g->shift = malloc(256);
	if (!depth || !g->shift) {
		free(depth);
		return -ENOMEM;
	}
	memset(g->shift, m, 256);
	memset(depth, 0xff, g->nnodes); /* deeper than minlen: not looked at */
	depth[0] = 0;
	for (i = 0; i < g->nnodes; i++) {
		for (c = g->nodes[i].child; depth[i] < m && c; c = g->nodes[c].next) {
			uint8_t k = depth[i], *sh = &g->shift[g->nodes[c].ch];

			depth[c] = (uint8_t)(k + 1);
			if (*sh > m - 1 - k)
				*sh = (uint8_t)(m - 1 - k);
		}
	}
	free(depth);
	return 0;
}

int gtrie_freeze(struct fgroup *g)
{
	struct gnode *nd;
	size_t i;
	uint32_t c;

	for (i = 0; i < g->nnodes; i++) {
		nd = &g->nodes[i];
		nd->any = g->leaves[i].n || g->leaves[i].np || g->leaves[i].nl;
		if (nd->nkids < GNODE_DENSE && !(i == 0 && g->kind == G_CONTAINS))
			continue;
		nd->dense = calloc(256, sizeof(*nd->dense));
		if (!nd->dense)
			return -ENOMEM;
		for (c = nd->child; c; c = g->nodes[c].next)
			nd->dense[g->nodes[c].ch] = c;
	}
	return g->kind == G_CONTAINS && g->minlen ? contains_shift(g) : 0;
}

void gtrie_free(struct fgroup *g)
{
	size_t j;

	free(g->shift);
	for (j = 0; j < g->nnodes; j++) {
		free(g->leaves[j].memos);
		free(g->leaves[j].pmemos);
		free(g->leaves[j].lmemos);
		free(g->nodes[j].dense);
	}
	free(g->nodes);
	free(g->leaves);
}

/* What a walk that reached leaf @l after @i bytes of @v decides. */
static void leaf_hit(struct vgl_match_ctx *ctx, const struct gleaf *l, const struct vgl_fval *v,
		     size_t i)
{
	size_t k;

	stamp(ctx, l->memos, l->n);
	if (l->np && (i == v->len || v->s[i] == '/'))
		stamp(ctx, l->pmemos, l->np);
	for (k = 0; k < l->nl; k++) {
		struct memo *m = &ctx->memo[l->lmemos[k] - 1];

		if (m->epoch != ctx->epoch)
			hit(ctx, l->lmemos[k] - 1)->known = false;
	}
}

/*
 * Prefix (suffix) trie: one walk down (up) the value. Inlined with @rev
 * constant, so that neither walk tests its direction at every byte.
 */
static inline __attribute__((always_inline)) void
walk_affix(struct vgl_match_ctx *ctx, const struct fgroup *g, const struct vgl_fval *v, bool rev)
{
	const struct gnode *nd = g->nodes;
	uint32_t n = 0;
	size_t i;

	for (i = 0;; i++) {
		if (nd[n].any)
			leaf_hit(ctx, &g->leaves[n], v, i);
		if (i == v->len)
			return;
		n = gchild(nd, n, (uint8_t)(rev ? v->s[v->len - 1 - i] : v->s[i]));
		if (!n)
			return;
	}
}

/* Contains trie: stamp the constants that occur in @s at offset @i. */
static void walk_from(struct vgl_match_ctx *ctx, const struct fgroup *g, const unsigned char *s,
		      size_t len, size_t i)
{
	const struct gnode *nd = g->nodes;
	uint32_t n;
	size_t j;

	for (n = nd[0].dense[s[i]], j = i + 1; n; j++) {
		if (nd[n].any)
			stamp(ctx, g->leaves[n].memos, g->leaves[n].n);
		if (j == len)
			break;
		n = gchild(nd, n, s[j]);
	}
}

/* Contains trie: a walk from every offset the shift table does not rule out. */
static void walk_contains(struct vgl_match_ctx *ctx, const struct fgroup *g,
			  const struct vgl_fval *v)
{
	const struct gnode *nd = g->nodes;
	const unsigned char *s = (const unsigned char *)v->s;
	size_t m = g->minlen, e;
	uint8_t sh;

	if (nd[0].any)
		stamp(ctx, g->leaves[0].memos, g->leaves[0].n); /* contains "" */
	if (!m)
		return;
	for (e = m - 1; e < v->len;) {
		sh = g->shift[s[e]];
		if (sh) {
			e += sh;
			continue;
		}
		walk_from(ctx, g, s, v->len, e - (m - 1));
		e++;
	}
}

void gtrie_eval(struct vgl_match_ctx *ctx, const struct fgroup *g, const struct vgl_fval *v)
{
	if (!g->nnodes)
		return;
	if (g->kind == G_CONTAINS)
		walk_contains(ctx, g, v);
	else if (g->kind == G_SUFFIX)
		walk_affix(ctx, g, v, true);
	else
		walk_affix(ctx, g, v, false);
}
