// SPDX-License-Identifier: Apache-2.0
/*
 * Matcher-specific tree analysis and rewrites done once at load time:
 *  - the event kinds a tree can match (AND intersects, OR unites, NOT
 *    complements evt.type sets), for the kind index and the BPF filter;
 *  - operands of AND / OR are ordered cheapest first (no side effects, so the
 *    result is the same, only sooner);
 *  - each rule gets one tree per candidate event kind with its evt.type tests
 *    folded to constants, so e.g. `(spawned_process and A) or (open_write and
 *    B)` is just `B` for openat events. Specialized trees share every subtree
 *    without an evt.type test with the rule's tree.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "rules/compile/compile.h"

static void set_kind(uint64_t k[2], unsigned int kind)
{
	k[kind / 64] |= 1ull << (kind % 64);
}

static void all_kinds(uint64_t m[2])
{
	unsigned int k;

	m[0] = m[1] = 0;
	for (k = 1; k < VGL_EV_MAX; k++)
		set_kind(m, k);
}

void cnode_kinds(const struct cnode *n, bool neg, uint64_t ret[2])
{
	uint64_t k[2], all_kinds_mask[2];
	bool meet;
	size_t i;

	all_kinds(all_kinds_mask);
	switch (n->type) {
	case CN_KIND:
		ret[0] = (neg ? ~n->kinds[0] : n->kinds[0]) & all_kinds_mask[0];
		ret[1] = (neg ? ~n->kinds[1] : n->kinds[1]) & all_kinds_mask[1];
		return;
	case CN_NOT:
		cnode_kinds(n->kids[0], !neg, ret);
		return;
	case CN_CONST:
		ret[0] = n->value != neg ? all_kinds_mask[0] : 0;
		ret[1] = n->value != neg ? all_kinds_mask[1] : 0;
		return;
	case CN_CMP:
		ret[0] = all_kinds_mask[0];
		ret[1] = all_kinds_mask[1];
		return;
	default:
		break;
	}
	/* AND intersects, OR unites; negation swaps the two (De Morgan). */
	meet = (n->type == CN_AND) != neg;
	ret[0] = meet ? all_kinds_mask[0] : 0;
	ret[1] = meet ? all_kinds_mask[1] : 0;
	for (i = 0; i < n->nkids; i++) {
		cnode_kinds(n->kids[i], neg, k);
		ret[0] = meet ? ret[0] & k[0] : ret[0] | k[0];
		ret[1] = meet ? ret[1] & k[1] : ret[1] | k[1];
	}
}

static unsigned int cmp_cost(const struct cnode *n)
{
	static const char *const joined[] = { "proc.cmdline", "proc.args", "proc.pcmdline",
					      "evt.args",     "proc.env",  "container.mounts",
					      "proc.acmdline" };
	const struct field_def *d = n->ref->def;
	unsigned int c = 2;
	size_t i;

	/*
	 * Flag and range checks (evt.is_open_read = true, fd.num >= 0,
	 * fd.typechar = f) hold for most events of their kind; name tests
	 * rarely do. Among equally cheap operands, the rarely true go first:
	 * an AND stops at its first false operand.
	 */
	if (d->type != FT_STR || n->op == OP_NE || !strcmp(d->name, "fd.typechar"))
		c++;
	if (d->flags & FF_STATE)
		c += 6;
	for (i = 0; i < sizeof(joined) / sizeof(joined[0]); i++)
		c += strcmp(d->name, joined[i]) ? 0 : 8;
	/* evt.arg.X / evt.arg[N] render the parameter (flag names) first. */
	if (!strncmp(d->name, "evt.arg", 7) && strcmp(d->name, "evt.args"))
		c += 6;
	switch (n->op) {
	case OP_CONTAINS:
	case OP_ICONTAINS:
	case OP_BCONTAINS:
	case OP_GLOB:
	case OP_IGLOB:
		c += 4;
		break;
	case OP_REGEX:
		c += 20;
		break;
	default:
		break;
	}
	return n->ref->maxvals > 1 ? c * 4 : c;
}

static enum cmp_fast cmp_fast(const struct cnode *n)
{
	enum vgl_ftype t = n->ref->def->type;

	if (n->set || n->trie || n->re || n->nvals != 1)
		return CF_GENERIC;
	if (t == FT_INT || t == FT_BOOL)
		return n->op <= OP_GE ? CF_NUM : CF_GENERIC;
	if (t != FT_STR)
		return CF_GENERIC;
	switch (n->op) {
	case OP_EQ:
		return CF_STR_EQ;
	case OP_STARTSWITH:
	case OP_BSTARTSWITH:
		return CF_STR_PREFIX;
	case OP_ENDSWITH:
		return CF_STR_SUFFIX;
	default:
		return CF_GENERIC;
	}
}

unsigned int cnode_prepare(struct cnode *n)
{
	size_t i, j;

	switch (n->type) {
	case CN_CONST:
		n->cost = 0;
		return 0;
	case CN_KIND:
		n->haskind = true;
		n->cost = 1;
		return 1;
	case CN_CMP:
		n->cost = cmp_cost(n);
		n->fast = (uint8_t)cmp_fast(n);
		return n->cost;
	default:
		break;
	}
	n->cost = 0;
	for (i = 0; i < n->nkids; i++) {
		n->cost += cnode_prepare(n->kids[i]);
		n->haskind = n->haskind || n->kids[i]->haskind;
	}
	/* Stable insertion sort by cost. */
	for (i = 1; i < n->nkids; i++) {
		struct cnode *k = n->kids[i];

		for (j = i; j > 0 && n->kids[j - 1]->cost > k->cost; j--)
			n->kids[j] = n->kids[j - 1];
		n->kids[j] = k;
	}
	return n->cost;
}

static struct cnode *spec_const(bool v)
{
	struct cnode *n = calloc(1, sizeof(*n));

	if (n) {
		n->type = CN_CONST;
		n->value = v;
		n->spec = true;
	}
	return n;
}

void cnode_free_spec(struct cnode *n)
{
	size_t i;

	if (!n || !n->spec)
		return;
	for (i = 0; i < n->nkids; i++)
		cnode_free_spec(n->kids[i]);
	free(n->kids);
	free(n);
}

static struct cnode *spec_bool(struct cnode *n, unsigned int kind)
{
	bool is_and = n->type == CN_AND;
	struct cnode *s = calloc(1, sizeof(*s)), *k, *r;
	size_t i;

	if (!s || !(s->kids = calloc(n->nkids, sizeof(*s->kids)))) {
		free(s);
		return NULL;
	}
	s->type = n->type;
	s->spec = true;
	for (i = 0; i < n->nkids; i++) {
		k = cnode_specialize(n->kids[i], kind);
		if (!k)
			goto out_free;
		if (k->type != CN_CONST) {
			s->kids[s->nkids++] = k;
			continue;
		}
		if (k->value != is_and) {
			/* false in an AND, true in an OR decides it. */
			cnode_free_spec(s);
			return k;
		}
		cnode_free_spec(k);
	}
	if (s->nkids > 1)
		return s;
	r = s->nkids ? s->kids[0] : spec_const(is_and);
	s->nkids = 0;
	cnode_free_spec(s);
	return r;
out_free:
	cnode_free_spec(s);
	return NULL;
}

struct cnode *cnode_specialize(struct cnode *n, unsigned int kind)
{
	struct cnode *k, *s;

	if (!n->haskind)
		return n;
	switch (n->type) {
	case CN_KIND:
		return spec_const(kind_test(n->kinds, kind));
	case CN_NOT:
		k = cnode_specialize(n->kids[0], kind);
		if (k && k->type == CN_CONST && !k->spec)
			return spec_const(!k->value);
		if (!k || k->type == CN_CONST) {
			if (k)
				k->value = !k->value;
			return k;
		}
		s = calloc(1, sizeof(*s));
		if (!s || !(s->kids = malloc(sizeof(*s->kids)))) {
			free(s);
			cnode_free_spec(k);
			return NULL;
		}
		s->type = CN_NOT;
		s->spec = true;
		s->kids[0] = k;
		s->nkids = 1;
		return s;
	default:
		return spec_bool(n, kind);
	}
}

/* Comparisons one of which a tree needs, and how soon they reject an event. */
struct gset {
	const struct cnode *v[KCAND_GUARDS];
	unsigned int n;
	unsigned int score; /* lower is better */
};

/*
 * How often a comparison holds: 0 rarely (names, paths, sets of them), 1
 * sometimes, 2 usually (flags, ranges, inequalities, fd.typechar = f).
 */
static unsigned int cmp_rarity(const struct cnode *n)
{
	const struct field_def *d = n->ref->def;

	if (n->op == OP_NE || n->op == OP_EXISTS || n->op == OP_REGEX)
		return 2;
	if (d->type == FT_INT && n->op == OP_EQ)
		return 1; /* proc.vpid = 1, user.uid = 0 */
	if (d->type == FT_INT || d->type == FT_BOOL || !strcmp(d->name, "fd.typechar"))
		return 2;
	if (d->type != FT_STR || !strcmp(d->name, "evt.res"))
		return 1;
	return 0;
}

/* Add @b's comparisons to @a (each once); false when they do not fit. */
static bool gset_union(struct gset *a, const struct gset *b)
{
	unsigned int i, j;

	for (i = 0; i < b->n; i++) {
		for (j = 0; j < a->n && a->v[j] != b->v[i]; j++)
			;
		if (j < a->n)
			continue;
		if (a->n == KCAND_GUARDS)
			return false;
		a->v[a->n++] = b->v[i];
		a->score += b->v[i]->cost;
	}
	return true;
}

static bool necessary(const struct cnode *n, struct gset *ret)
{
	struct gset k, best = { .score = ~0u };
	unsigned int r = 0;
	size_t i;

	switch (n->type) {
	case CN_CMP:
		*ret = (struct gset){ .v = { n }, .n = 1, .score = cmp_rarity(n) * 1000 + n->cost };
		return true;
	case CN_AND:
		for (i = 0; i < n->nkids; i++) {
			if (necessary(n->kids[i], &k) && k.score < best.score)
				best = k;
		}
		break;
	case CN_OR:
		best.n = 0;
		best.score = 0;
		for (i = 0; i < n->nkids; i++) {
			if (!necessary(n->kids[i], &k) || !gset_union(&best, &k))
				return false;
			r = k.score / 1000 > r ? k.score / 1000 : r;
		}
		best.score += r * 1000;
		break;
	default:
		return false;
	}
	if (!best.n)
		return false;
	*ret = best;
	return true;
}

/* Answer group @gid up front for events of @kind. */
static int kind_group(struct vgl_ruleset *rs, unsigned int kind, unsigned int gid)
{
	unsigned int *v;
	size_t i;

	for (i = 0; i < rs->nkind_groups[kind]; i++) {
		if (rs->kind_groups[kind][i] == gid)
			return 0;
	}
	v = realloc(rs->kind_groups[kind], (rs->nkind_groups[kind] + 1) * sizeof(*v));
	if (!v)
		return -ENOMEM;
	rs->kind_groups[kind] = v;
	v[rs->nkind_groups[kind]++] = gid;
	return 0;
}

int kcand_guards(struct vgl_ruleset *rs, unsigned int kind, struct kcand *c)
{
	struct gset g;
	unsigned int i;
	int err = 0;

	c->nguards = 0;
	c->grouped = false;
	if (!necessary(c->root, &g))
		return 0;
	memcpy(c->guards, g.v, g.n * sizeof(g.v[0]));
	c->nguards = g.n;
	for (i = 0; i < g.n && g.v[i]->group; i++)
		c->gslots[i] = g.v[i]->memo - 1;
	if (i < g.n)
		return 0;
	for (i = 0; !err && i < g.n; i++)
		err = kind_group(rs, kind, g.v[i]->group);
	c->grouped = !err;
	return err;
}
