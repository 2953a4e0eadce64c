// SPDX-License-Identifier: Apache-2.0
/*
 * Rule exceptions as Falco compiles them: for each exception,
 *	fields: [f1, f2], comps: [=, in], values: [[a, [b, c]], ...]
 * becomes `and not ((f1 = a and f2 in (b, c)) or ...)`; a single field
 * (`fields: f`) takes a list of values: `and not f in (v1, v2)`.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "rules/parse/expand.h"

static int op_parse(const char *s)
{
	int op;

	if (!strcmp(s, "=="))
		return OP_EQ;
	for (op = 0; op < OP_MAX; op++) {
		if (!strcmp(s, vgl_op_names[op]))
			return op;
	}
	return -1;
}

/* A comparison node for field text @f ("name" or "name[arg]"). */
static struct ast *cmp_new(struct collection *c, const struct ynode *f, int op)
{
	struct ast *a = ast_new(AST_CMP, &f->pos);
	const char *br = strchr(f->str, '[');

	if (!a)
		return NULL;
	a->op = op;
	a->op_pos = f->pos;
	a->arg_pos = f->pos;
	a->list = op_takes_list(op);
	if (br && f->str[f->len - 1] == ']') {
		a->field = strndup(f->str, (size_t)(br - f->str));
		a->arg = strndup(br + 1, f->len - (size_t)(br - f->str) - 2);
	} else {
		a->field = strdup(f->str);
		a->arg = NULL;
	}
	if (!a->field || (br && !a->arg && f->str[f->len - 1] == ']')) {
		ast_free(a);
		return NULL;
	}
	(void)c;
	return a;
}

/* Values of one comparison: a scalar, or a sequence for list operators. */
static int cmp_values(struct collection *c, struct ast *a, const struct ynode *v)
{
	size_t i;

	if (v->type == YN_SCALAR)
		return ast_add_val(a, v->str, v->len, true, &v->pos);
	if (v->type != YN_SEQ || !a->list) {
		vgl_diag_error(c->diag, &v->pos, "exception value must be a string%s",
			       a->list ? " or a list" : "");
		return -EINVAL;
	}
	for (i = 0; i < v->nkids; i++) {
		if (v->kids[i]->type != YN_SCALAR) {
			vgl_diag_error(c->diag, &v->kids[i]->pos,
				       "exception values must be strings");
			return -EINVAL;
		}
		if (ast_add_val(a, v->kids[i]->str, v->kids[i]->len, false, &v->kids[i]->pos))
			return -ENOMEM;
	}
	return 0;
}

static int comp_of(struct collection *c, const struct exc_def *e, size_t i, const char *dflt)
{
	const struct ynode *n = e->comps;
	int op;

	if (n && n->type == YN_SEQ)
		n = i < n->nkids ? n->kids[i] : NULL;
	if (!n)
		return op_parse(dflt);
	op = n->type == YN_SCALAR ? op_parse(n->str) : -1;
	if (op < 0 || op == OP_EXISTS)
		vgl_diag_error(c->diag, &n->pos, "exception '%s': invalid comparison operator",
			       e->name);
	return op == OP_EXISTS ? -1 : op;
}

/* `f comp (values...)` for the single-field form. */
static int single_field(struct collection *c, const struct exc_def *e, struct ast **ret)
{
	int op = comp_of(c, e, 0, "in");
	struct ast *a;
	size_t i;

	if (op < 0)
		return -EINVAL;
	a = cmp_new(c, e->fields, op);
	if (!a)
		return -ENOMEM;
	a->list = true;
	for (i = 0; i < e->nvalues; i++) {
		int err = cmp_values(c, a, e->values[i]);

		if (err) {
			ast_free(a);
			return err;
		}
	}
	if (!op_takes_list(op) && a->nvals != 1) {
		vgl_diag_error(c->diag, &e->pos,
			       "exception '%s': operator '%s' needs exactly one value", e->name,
			       vgl_op_names[op]);
		ast_free(a);
		return -EINVAL;
	}
	a->list = op_takes_list(op);
	*ret = a;
	return 0;
}

/* (f1 c1 v1 and f2 c2 v2 ...) for one value tuple. */
static int tuple(struct collection *c, const struct exc_def *e, const struct ynode *t,
		 struct ast **ret)
{
	const struct ynode *f = e->fields;
	struct ast *all = NULL, *a;
	size_t i;
	int op, err;

	if (t->type != YN_SEQ || t->nkids != f->nkids) {
		vgl_diag_error(c->diag, &t->pos, "exception '%s': expected %zu values per entry",
			       e->name, f->nkids);
		return -EINVAL;
	}
	for (i = 0; i < f->nkids; i++) {
		op = comp_of(c, e, i, "=");
		if (op < 0 || f->kids[i]->type != YN_SCALAR) {
			ast_free(all);
			return -EINVAL;
		}
		a = cmp_new(c, f->kids[i], op);
		if (!a || (err = cmp_values(c, a, t->kids[i]))) {
			ast_free(a);
			ast_free(all);
			return a ? err : -ENOMEM;
		}
		all = all ? ast_join(AST_AND, all, a) : a;
		if (!all)
			return -ENOMEM;
	}
	*ret = all;
	return 0;
}

static int exception_tree(struct collection *c, const struct exc_def *e, struct ast **ret)
{
	struct ast *any = NULL, *t;
	size_t i;
	int err;

	if (e->fields->type == YN_SCALAR)
		return single_field(c, e, ret);
	if (e->fields->type != YN_SEQ || !e->fields->nkids) {
		vgl_diag_error(c->diag, &e->fields->pos,
			       "exception '%s': 'fields' must be a "
			       "field or a list of fields",
			       e->name);
		return -EINVAL;
	}
	for (i = 0; i < e->nvalues; i++) {
		err = tuple(c, e, e->values[i], &t);
		if (err) {
			ast_free(any);
			return err;
		}
		any = any ? ast_join(AST_OR, any, t) : t;
		if (!any)
			return -ENOMEM;
	}
	*ret = any;
	return 0;
}

int ast_add_exceptions(struct collection *c, const struct rule_def *r, struct ast **a)
{
	struct ast *t;
	size_t i;
	int err, ret = 0;

	for (i = 0; i < r->nexc; i++) {
		if (!r->exc[i].nvalues)
			continue;
		err = exception_tree(c, &r->exc[i], &t);
		if (err == -ENOMEM)
			return err;
		if (err) {
			ret = err;
			continue;
		}
		t = ast_join(AST_NOT, t, NULL);
		if (!t)
			return -ENOMEM;
		*a = ast_join(AST_AND, *a, t);
		if (!*a)
			return -ENOMEM;
	}
	return ret;
}
