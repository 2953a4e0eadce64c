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
