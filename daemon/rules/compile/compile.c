// SPDX-License-Identifier: Apache-2.0
/*
 * Expanded condition -> compiled predicate tree: fields resolved to
 * extractors with a cache slot each, constants typed, lists turned into hash
 * sets, evt.type tests into kind bitmasks, constant subtrees folded.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "rules/compile/constants.h"
#include "rules/dns.h"

void cnode_free(struct cnode *n)
{
	size_t i;

	if (!n || n->shared)
		return;
	for (i = 0; i < n->nkids; i++)
		cnode_free(n->kids[i]);
	for (i = 0; i < n->nvals; i++)
		cval_clear(&n->vals[i]);
	free(n->kids);
	free(n->vals);
	if (n->set) {
		strset_free(n->set);
		free(n->set);
	}
	if (n->trie) {
		trie_free(n->trie);
		free(n->trie);
	}
	if (n->re)
		regex_free(n->re);
	free(n);
}

static struct cnode *cn_new(enum cnode_type type)
{
	struct cnode *n = calloc(1, sizeof(*n));

	if (n)
		n->type = type;
	return n;
}

static struct cnode *cn_const(bool v)
{
	struct cnode *n = cn_new(CN_CONST);

	if (n)
		n->value = v;
	return n;
}

int rs_field(struct vgl_ruleset *rs, const char *name, const char *arg,
	     const struct field_ref **ret, char *err, size_t errlen)
{
	struct field_ref ref, *r, **v;
	size_t i;
	int e = field_resolve(name, arg, &ref, err, errlen);

	if (e)
		return e;
	for (i = 0; i < rs->nrefs; i++) {
		if (field_ref_same(rs->refs[i], &ref)) {
			field_ref_clear(&ref);
			*ret = rs->refs[i];
			return 0;
		}
	}
	r = malloc(sizeof(*r));
	v = realloc(rs->refs, (rs->nrefs + 1) * sizeof(*v));
	if (!r || !v) {
		free(r);
		if (v)
			rs->refs = v;
		field_ref_clear(&ref);
		return -ENOMEM;
	}
	*r = ref;
	r->slot = (unsigned int)rs->nrefs;
	rs->refs = v;
	v[rs->nrefs++] = r;
	*ret = r;
	return 0;
}

static void set_kind(uint64_t k[2], unsigned int kind)
{
	k[kind / 64] |= 1ull << (kind % 64);
}

/* evt.type = / != / in: a bitmask of kinds. */
static struct cnode *compile_kind(struct collection *c, const struct ast *a)
{
	struct cnode *n = cn_new(CN_KIND), *neg;
	size_t i;

	if (!n)
		return NULL;
	for (i = 0; i < a->nvals; i++) {
		enum vgl_kind k = vgl_kind_by_name(a->vals[i].s);

		if (k == VGL_EV_UNKNOWN)
			vgl_diag_warn(c->diag, &a->vals[i].pos,
				      "event type '%s' is not captured by vigil; it never matches",
				      a->vals[i].s);
		else
			set_kind(n->kinds, k);
	}
	if (a->op != OP_NE)
		return n;
	neg = cn_new(CN_NOT);
	if (!neg || !(neg->kids = malloc(sizeof(*neg->kids)))) {
		cnode_free(n);
		cnode_free(neg);
		return NULL;
	}
	neg->kids[0] = n;
	neg->nkids = 1;
	return neg;
}

static bool op_allowed(enum vgl_ftype t, enum vgl_op op)
{
	switch (t) {
	case FT_STR:
		return op != OP_LT && op != OP_LE && op != OP_GT && op != OP_GE;
	case FT_INT:
		return op <= OP_GE || op == OP_IN || op == OP_INTERSECTS || op == OP_EXISTS;
	default:
		return op == OP_EQ || op == OP_NE || op == OP_IN || op == OP_INTERSECTS ||
		       op == OP_EXISTS;
	}
}

/* Typed constants of @a into @n; sets for list operators. */
static int compile_consts(struct collection *c, struct cnode *n, const struct ast *a)
{
	enum vgl_ftype t = n->ref->def->type;
	char err[256];
	size_t i;
	int e;

	n->vals = calloc(a->nvals ? a->nvals : 1, sizeof(*n->vals));
	if (!n->vals)
		return -ENOMEM;
	for (i = 0; i < a->nvals; i++) {
		err[0] = '\0';
		e = cval_parse(t, n->op, &a->vals[i], &n->vals[i], err, sizeof(err));
		n->nvals++;
		if (e == -ENOMEM)
			return e;
		if (e) {
			vgl_diag_error(c->diag, &a->vals[i].pos, "%s (field '%s')", err, a->field);
			return -EINVAL;
		}
	}
	if (n->op == OP_PMATCH) {
		n->trie = calloc(1, sizeof(*n->trie));
		for (i = 0; n->trie && i < n->nvals; i++) {
			if (trie_add(n->trie, n->vals[i].s, n->vals[i].len, TRIE_PATH))
				return -ENOMEM;
		}
		return n->trie ? 0 : -ENOMEM;
	}
	if (n->op == OP_IN || n->op == OP_INTERSECTS) {
		if (t == FT_NET)
			return 0; /* networks: linear */
		n->set = calloc(1, sizeof(*n->set));
		for (i = 0; n->set && i < n->nvals; i++) {
			if (cset_add(n->set, t, &n->vals[i]))
				return -ENOMEM;
		}
		return n->set ? 0 : -ENOMEM;
	}
	if (n->op == OP_REGEX) {
		n->re = regex_compile(n->vals[0].s, err, sizeof(err));
		if (!n->re) {
			vgl_diag_error(c->diag, &a->vals[0].pos, "%s", err);
			return -EINVAL;
		}
	}
	return 0;
}

/* fd.sip.name = NAME: resolve NAME ahead of the events, as Falco does. */
static void watch_names(struct collection *c, const struct ast *a)
{
	for (size_t i = 0; i < a->nvals; i++) {
		int e = vgl_dns_watch(a->vals[i].s);

		if (e)
			vgl_diag_warn(c->diag, &a->vals[i].pos,
				      "%s: '%s' will not be resolved (%s)", a->field, a->vals[i].s,
				      e == -ENOSPC ? "too many names" : strerror(-e));
	}
}

static struct cnode *compile_cmp(struct collection *c, struct vgl_ruleset *rs, const struct ast *a,
				 int *err)
{
	const struct field_ref *ref;
	struct cnode *n;
	char msg[256];
	int e = rs_field(rs, a->field, a->arg, &ref, msg, sizeof(msg));

	if (e) {
		if (e != -ENOMEM)
			vgl_diag_error(c->diag, e == -ENOENT && !a->arg ? &a->pos : &a->arg_pos,
				       "%s", msg);
		*err = e == -ENOMEM ? e : -EINVAL;
		return NULL;
	}
	if (!strcmp(a->field, "evt.type") && (a->op == OP_EQ || a->op == OP_NE || a->op == OP_IN))
		return compile_kind(c, a);
	if (!op_allowed(ref->def->type, a->op)) {
		vgl_diag_error(c->diag, &a->op_pos, "operator '%s' cannot be used with field '%s'",
			       vgl_op_names[a->op], a->field);
		*err = -EINVAL;
		return NULL;
	}
	n = cn_new(CN_CMP);
	if (!n)
		return NULL;
	n->op = a->op;
	n->ref = ref;
	e = a->op == OP_EXISTS ? 0 : compile_consts(c, n, a);
	if (e) {
		cnode_free(n);
		*err = e;
		return NULL;
	}
	if (ref->def->flags & FF_DNS)
		watch_names(c, a);
	return n;
}

static int add_kid(struct cnode *n, struct cnode *k)
{
	struct cnode **v = realloc(n->kids, (n->nkids + 1) * sizeof(*v));

	if (!v)
		return -ENOMEM;
	n->kids = v;
	v[n->nkids++] = k;
	return 0;
}

/* Fold constants and nested nodes of the same type into @n (AND or OR). */
static struct cnode *fold(struct cnode *n)
{
	bool is_and = n->type == CN_AND;
	struct cnode *r;

	if (n->nkids == 0) {
		cnode_free(n);
		return cn_const(is_and);
	}
	if (n->nkids == 1) {
		r = n->kids[0];
		n->nkids = 0;
		cnode_free(n);
		return r;
	}
	if (!is_and && cnode_merge_or(n)) {
		cnode_free(n);
		return NULL;
	}
	return n->nkids == 1 ? fold(n) : n;
}

static struct cnode *compile_bool(struct collection *c, struct vgl_ruleset *rs, const struct ast *a,
				  int *err)
{
	enum cnode_type t = a->type == AST_AND ? CN_AND : CN_OR;
	struct cnode *n = cn_new(t), *k;
	bool absorbing = false;
	size_t i;
	int e;

	if (!n)
		return NULL;
	for (i = 0; i < a->nkids; i++) {
		e = cnode_compile(c, rs, a->kids[i], &k);
		if (e) {
			*err = *err ? *err : e;
			continue;
		}
		if (k->type == CN_CONST) {
			absorbing = absorbing || k->value == (t == CN_OR);
			cnode_free(k);
			continue;
		}
		if (k->type == t) {
			for (size_t j = 0; j < k->nkids; j++)
				e = e ? e : add_kid(n, k->kids[j]);
			k->nkids = 0;
			cnode_free(k);
		} else if ((e = add_kid(n, k))) {
			cnode_free(k);
		}
		if (e)
			*err = e;
	}
	if (*err || absorbing) {
		cnode_free(n);
		return *err ? NULL : cn_const(t == CN_OR);
	}
	return fold(n);
}

int cnode_compile(struct collection *c, struct vgl_ruleset *rs, const struct ast *a,
		  struct cnode **ret)
{
	struct cnode *n = NULL, *k;
	int err = 0;

	switch (a->type) {
	case AST_AND:
	case AST_OR:
		n = compile_bool(c, rs, a, &err);
		break;
	case AST_NOT:
		err = cnode_compile(c, rs, a->kids[0], &k);
		if (err)
			return err;
		if (k->type == CN_CONST) {
			k->value = !k->value;
			n = k;
		} else if (k->type == CN_NOT) {
			n = k->kids[0];
			k->nkids = 0;
			cnode_free(k);
		} else if ((n = cn_new(CN_NOT)) && !add_kid(n, k)) {
			break;
		} else {
			cnode_free(k);
			cnode_free(n);
			n = NULL;
		}
		break;
	case AST_CMP:
		n = compile_cmp(c, rs, a, &err);
		break;
	case AST_REF:
		vgl_diag_error(c->diag, &a->pos, "undefined macro '%s'", a->name);
		return -EINVAL;
	}
	if (!n)
		return err ? err : -ENOMEM;
	*ret = n;
	return 0;
}
