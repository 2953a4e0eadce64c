// SPDX-License-Identifier: Apache-2.0
/*
 * The hot path: candidate rules for the event's kind, compiled predicates,
 * fields extracted at most once per event into the context's cache. Nothing
 * here allocates.
 */
#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "rules/compile/constants.h"

bool cval_net_has(const struct cval *net, const struct vgl_fval *v)
{
	unsigned int bits = net->prefix, i;

	if (net->fam != v->fam)
		return false;
	for (i = 0; bits >= 8; i++, bits -= 8) {
		if (net->ip[i] != v->ip[i])
			return false;
	}
	return !bits || ((net->ip[i] ^ v->ip[i]) >> (8 - bits)) == 0;
}

static bool cmp_num(enum vgl_op op, int64_t a, int64_t b)
{
	switch (op) {
	case OP_EQ:
		return a == b;
	case OP_NE:
		return a != b;
	case OP_LT:
		return a < b;
	case OP_LE:
		return a <= b;
	case OP_GT:
		return a > b;
	case OP_GE:
		return a >= b;
	default:
		return false;
	}
}

static bool in_set(const struct cnode *n, enum vgl_ftype t, const struct vgl_fval *v)
{
	struct vgl_fval *mv = (struct vgl_fval *)v; /* the context's cache */
	char key[17];
	const char *k;
	size_t len;

	if (t == FT_STR) {
		if (!v->hashed) {
			mv->hash = vgl_hash(v->s, v->len);
			mv->hashed = true;
		}
		return strset_has_h(n->set, v->s, v->len, v->hash);
	}
	len = cval_key(t, v->s, v->len, v->i, v->ip, v->fam, key, &k);
	return strset_has(n->set, k, len);
}

static bool cmp_one(struct vgl_match_ctx *ctx, const struct cnode *n, const struct vgl_fval *v)
{
	enum vgl_ftype t = n->ref->def->type;
	size_t i;

	if (n->set)
		return in_set(n, t, v);
	if (n->trie) {
		enum trie_mode m = n->op == OP_PMATCH	  ? TRIE_PATH
				   : n->op == OP_ENDSWITH ? TRIE_SUFFIX
							  : TRIE_PREFIX;

		return trie_match(n->trie, v->s, v->len, m);
	}
	switch (t) {
	case FT_STR:
		if (n->op == OP_REGEX)
			return pcre2_match(n->re, (PCRE2_SPTR)v->s, v->len, 0, 0, ctx->md, NULL) >=
			       0;
		return cmp_str(n->op, v->s, v->len, &n->vals[0]);
	case FT_INT:
	case FT_BOOL:
		return n->nvals && cmp_num(n->op, v->i, n->vals[0].i);
	case FT_IP:
		if (!n->nvals)
			return false;
		return (n->vals[0].fam == v->fam && !memcmp(n->vals[0].ip, v->ip, 16)) ==
		       (n->op == OP_EQ);
	case FT_NET:
		for (i = 0; i < n->nvals; i++) {
			if (cval_net_has(&n->vals[i], v))
				return n->op != OP_NE;
		}
		return n->op == OP_NE;
	}
	return false;
}

/* Byte compare with an early exit: constants are short and differ early. */
static inline bool bytes_eq(const char *a, const char *b, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		if (a[i] != b[i])
			return false;
	}
	return true;
}

static bool fast_one(const struct cnode *n, const struct vgl_fval *v)
{
	const struct cval *c = &n->vals[0];

	switch (n->fast) {
	case CF_STR_EQ:
		return v->len == c->len && bytes_eq(v->s, c->s, c->len);
	case CF_STR_PREFIX:
		return v->len >= c->len && bytes_eq(v->s, c->s, c->len);
	case CF_STR_SUFFIX:
		return v->len >= c->len && bytes_eq(v->s + v->len - c->len, c->s, c->len);
	default:
		return cmp_num(n->op, v->i, c->i);
	}
}

static bool cmp_eval(struct vgl_match_ctx *ctx, const struct cnode *n)
{
	const struct vgl_fval *v;
	int cnt = ctx_values(ctx, n->ref, &v), j;

	if (n->fast != CF_GENERIC) {
		for (j = 0; j < cnt; j++) {
			if (fast_one(n, &v[j]))
				return true;
		}
		return false;
	}
	if (n->op == OP_EXISTS)
		return cnt > 0;
	for (j = 0; j < cnt; j++) {
		if (cmp_one(ctx, n, &v[j]))
			return true;
	}
	return false;
}

/* A comparison, memoized for the event when it is shared between rules. */
static inline bool cmp_memo(struct vgl_match_ctx *ctx, const struct cnode *n)
{
	struct memo *m;

	if (!n->memo)
		return cmp_eval(ctx, n);
	m = &ctx->memo[n->memo - 1];
	if (n->group) {
		/* Only the group's hits are stamped with this event's epoch. */
		if (ctx->gepoch[n->group - 1] != ctx->epoch)
			group_eval(ctx, n->group);
		if (m->epoch != ctx->epoch || !n->lazy)
			return m->epoch == ctx->epoch;
		/* A glob's stamp only says its literal prefix (suffix) matched. */
		if (!m->known) {
			m->value = cmp_eval(ctx, n);
			m->known = true;
		}
		return m->value;
	}
	if (m->epoch != ctx->epoch) {
		m->value = cmp_eval(ctx, n);
		m->epoch = ctx->epoch;
	}
	return m->value;
}

/* One of an ungrouped candidate's guards holds (or it has none). */
static inline bool guards_pass(struct vgl_match_ctx *ctx, const struct kcand *c)
{
	unsigned int i;

	for (i = 0; i < c->nguards; i++) {
		if (cmp_memo(ctx, c->guards[i]))
			return true;
	}
	return !c->nguards;
}

bool cnode_eval(struct vgl_match_ctx *ctx, const struct cnode *n)
{
	size_t i;

	switch (n->type) {
	case CN_AND:
		for (i = 0; i < n->nkids; i++) {
			const struct cnode *k = n->kids[i];

			if (!(k->type == CN_CMP ? cmp_memo(ctx, k) : cnode_eval(ctx, k)))
				return false;
		}
		return true;
	case CN_OR:
		for (i = 0; i < n->nkids; i++) {
			const struct cnode *k = n->kids[i];

			if (k->type == CN_CMP ? cmp_memo(ctx, k) : cnode_eval(ctx, k))
				return true;
		}
		return false;
	case CN_NOT:
		return !cnode_eval(ctx, n->kids[0]);
	case CN_CONST:
		return n->value;
	case CN_KIND:
		return kind_test(n->kinds, ctx->x.ev->kind);
	case CN_CMP:
		return cmp_memo(ctx, n);
	}
	return false;
}

static int64_t boot_to_wall(void)
{
	struct timespec r, b;

	if (clock_gettime(CLOCK_REALTIME, &r) || clock_gettime(CLOCK_BOOTTIME, &b))
		return 0;
	return ((int64_t)r.tv_sec - b.tv_sec) * 1000000000 + (r.tv_nsec - b.tv_nsec);
}

struct vgl_match_ctx *vgl_match_ctx_new(const struct vgl_ruleset *rs)
{
	struct vgl_match_ctx *ctx = calloc(1, sizeof(*ctx));
	size_t i, nv = 0;

	if (!ctx)
		return NULL;
	ctx->rs = rs;
	for (i = 0; i < rs->nrefs; i++)
		nv += (size_t)rs->refs[i]->maxvals;
	ctx->slots = calloc(rs->nrefs ? rs->nrefs : 1, sizeof(*ctx->slots));
	ctx->memo = calloc(rs->nshared ? rs->nshared : 1, sizeof(*ctx->memo));
	ctx->gepoch = calloc(rs->ngroups ? rs->ngroups : 1, sizeof(*ctx->gepoch));
	ctx->wake = calloc(rs->wake_words ? rs->wake_words : 1, sizeof(*ctx->wake));
	ctx->hits = calloc(rs->nshared ? rs->nshared : 1, sizeof(*ctx->hits));
	ctx->vals = calloc(nv ? nv : 1, sizeof(*ctx->vals));
	ctx->x.scratch = malloc(VGL_SCRATCH_SIZE);
	ctx->md = pcre2_match_data_create(1, NULL);
	if (!ctx->slots || !ctx->memo || !ctx->gepoch || !ctx->wake || !ctx->hits || !ctx->vals ||
	    !ctx->x.scratch || !ctx->md) {
		vgl_match_ctx_free(ctx);
		return NULL;
	}
	for (i = 0, nv = 0; i < rs->nrefs; i++) {
		ctx->slots[i].v = &ctx->vals[nv];
		nv += (size_t)rs->refs[i]->maxvals;
	}
	ctx->x.scratch_cap = VGL_SCRATCH_SIZE;
	xctx_init(&ctx->x);
	ctx->x.boot_to_wall_ns = boot_to_wall();
	return ctx;
}

void vgl_match_ctx_set_clock(struct vgl_match_ctx *ctx, int64_t boot_to_wall_ns)
{
	ctx->x.boot_to_wall_ns = boot_to_wall_ns;
}

void vgl_match_ctx_free(struct vgl_match_ctx *ctx)
{
	if (!ctx)
		return;
	pcre2_match_data_free(ctx->md);
	free(ctx->x.scratch);
	free(ctx->vals);
	free(ctx->slots);
	free(ctx->memo);
	free(ctx->gepoch);
	free(ctx->wake);
	free(ctx->hits);
	free(ctx);
}

/* Fill ctx->wake with the candidates of @w this event can match. */
static void wake_fill(struct vgl_match_ctx *ctx, const struct kwake *w)
{
	uint64_t *bits = ctx->wake;
	const uint64_t *m;
	size_t i, j;
	uint32_t k;

	for (j = 0; j < w->nwords; j++)
		bits[j] = w->always[j];
	for (i = 0; w->mask_of && i < ctx->nhits; i++) {
		k = w->mask_of[ctx->hits[i]];
		if (!k)
			continue;
		m = &w->masks[(k - 1) * w->nwords];
		for (j = 0; j < w->nwords; j++)
			bits[j] |= m[j];
	}
}

static void event_begin(struct vgl_match_ctx *ctx, const struct vgl_event *ev,
			const struct vgl_field_state_ops *ops, void *state)
{
	struct vgl_xctx *x = &ctx->x;

	ctx->epoch++;
	ctx->nhits = 0;
	x->ev = ev;
	x->ops = ops;
	x->state = state;
	x->evnum++;
	x->scratch_used = 0;
	x->proc_done = x->ctr_done = x->fd_done = false;
}

int vgl_ruleset_eval(const struct vgl_ruleset *rs, struct vgl_match_ctx *ctx,
		     const struct vgl_event *ev, const struct vgl_field_state_ops *ops, void *state,
		     vgl_match_cb cb, void *cb_data)
{
	const struct kwake *w;
	const struct kcand *c;
	size_t j;
	uint64_t b;
	int matches = 0;

	if (ctx->rs != rs || (unsigned int)ev->kind >= VGL_EV_MAX)
		return 0;
	event_begin(ctx, ev, ops, state);
	groups_eval(ctx, rs->kind_groups[ev->kind], rs->nkind_groups[ev->kind]);
	w = &rs->wake[ev->kind];
	wake_fill(ctx, w);
	for (j = 0; j < w->nwords; j++) {
		/* Set bits in ascending order: candidates run in rule order. */
		for (b = ctx->wake[j]; b; b &= b - 1) {
			c = &rs->kind_rules[ev->kind][j * 64 + (size_t)__builtin_ctzll(b)];
			if ((!c->grouped && !guards_pass(ctx, c)) || !cnode_eval(ctx, c->root))
				continue;
			matches++;
			if ((cb && cb(cb_data, rs, c->rule, ctx)) || rs->first_match)
				return matches;
		}
	}
	return matches;
}
