// SPDX-License-Identifier: Apache-2.0
/* Naive AST-walking evaluator (see naive.h). */
#include <arpa/inet.h>
#include <stdlib.h>
#include <string.h>

#include "naive.h"

struct nnode {
	const struct ast *a;
	struct field_ref ref; /* resolved once: even a naive engine knows its fields */
	struct nnode **kids;
	size_t nkids;
};

struct naive {
	const struct vgl_ruleset *rs;
	struct nnode **roots;
	size_t nroots;
	struct vgl_xctx x;
	char scratch[256 * 1024];
	struct vgl_fval vals[VGL_FIELD_MULTI_MAX];
};

static struct nnode *build(const struct ast *a)
{
	struct nnode *n = calloc(1, sizeof(*n));
	char err[256];
	size_t i;

	if (!n)
		return NULL;
	n->a = a;
	if (a->type == AST_CMP && field_resolve(a->field, a->arg, &n->ref, err, sizeof(err)))
		abort(); /* the rule set compiled, so its fields resolve */
	n->kids = calloc(a->nkids + 1, sizeof(*n->kids));
	for (i = 0; n->kids && i < a->nkids; i++)
		n->kids[n->nkids++] = build(a->kids[i]);
	return n;
}

static void destroy(struct nnode *n)
{
	size_t i;

	for (i = 0; i < n->nkids; i++)
		destroy(n->kids[i]);
	field_ref_clear(&n->ref);
	free(n->kids);
	free(n);
}

struct naive *naive_new(const struct vgl_ruleset *rs)
{
	struct naive *n = calloc(1, sizeof(*n));
	size_t i;

	if (!n)
		return NULL;
	n->rs = rs;
	n->roots = calloc(rs->nrules + 1, sizeof(*n->roots));
	for (i = 0; n->roots && i < rs->nrules; i++) {
		if (rs->rules[i].info.enabled && rs->rules[i].ast)
			n->roots[n->nroots++] = build(rs->rules[i].ast);
	}
	n->x.scratch = n->scratch;
	n->x.scratch_cap = sizeof(n->scratch);
	xctx_init(&n->x);
	return n;
}

void naive_free(struct naive *n)
{
	size_t i;

	for (i = 0; i < n->nroots; i++)
		destroy(n->roots[i]);
	free(n->roots);
	free(n);
}

static bool path_under(const char *v, size_t len, const char *p)
{
	size_t pl = strlen(p);

	while (pl > 0 && p[pl - 1] == '/')
		pl--;
	return len >= pl && !memcmp(v, p, pl) && (len == pl || v[pl] == '/');
}

static bool one_value(const struct ast *a, enum vgl_ftype t, const struct vgl_fval *v,
		      const struct ast_val *c)
{
	struct cval cv = { .s = c->s, .len = c->len };
	uint8_t ip[16] = { 0 };

	switch (t) {
	case FT_STR:
		if (a->op == OP_PMATCH)
			return path_under(v->s, v->len, c->s);
		return cmp_str(a->op == OP_IN || a->op == OP_INTERSECTS ? OP_EQ : a->op, v->s,
			       v->len, &cv);
	case FT_INT:
	case FT_BOOL:
		cv.i = t == FT_BOOL ? !strcmp(c->s, "true") : strtoll(c->s, NULL, 0);
		switch (a->op) {
		case OP_NE:
			return v->i != cv.i;
		case OP_LT:
			return v->i < cv.i;
		case OP_LE:
			return v->i <= cv.i;
		case OP_GT:
			return v->i > cv.i;
		case OP_GE:
			return v->i >= cv.i;
		default:
			return v->i == cv.i;
		}
	default:
		if (inet_pton(v->fam == 4 ? AF_INET : AF_INET6, c->s, ip) != 1)
			return a->op == OP_NE; /* networks: treated as unequal */
		return (memcmp(ip, v->ip, v->fam == 4 ? 4 : 16) == 0) != (a->op == OP_NE);
	}
}

static bool eval(struct naive *n, const struct nnode *nn)
{
	const struct ast *a = nn->a;
	size_t i;
	int cnt, j;

	switch (a->type) {
	case AST_AND:
		for (i = 0; i < nn->nkids; i++)
			if (!eval(n, nn->kids[i]))
				return false;
		return true;
	case AST_OR:
		for (i = 0; i < nn->nkids; i++)
			if (eval(n, nn->kids[i]))
				return true;
		return false;
	case AST_NOT:
		return !eval(n, nn->kids[0]);
	default:
		break;
	}
	cnt = field_extract(&n->x, &nn->ref, n->vals, nn->ref.maxvals);
	if (a->op == OP_EXISTS)
		return cnt > 0;
	for (j = 0; j < cnt; j++) {
		for (i = 0; i < a->nvals; i++) {
			if (one_value(a, nn->ref.def->type, &n->vals[j], &a->vals[i]))
				return true;
		}
	}
	return false;
}

int naive_eval(struct naive *n, const struct vgl_event *ev, const struct vgl_field_state_ops *ops,
	       void *state)
{
	size_t i;
	int matches = 0;

	n->x.ev = ev;
	n->x.ops = ops;
	n->x.state = state;
	n->x.evnum++;
	for (i = 0; i < n->nroots; i++) {
		n->x.scratch_used = 0;
		n->x.proc_done = n->x.ctr_done = n->x.fd_done = false;
		matches += eval(n, n->roots[i]);
	}
	return matches;
}
