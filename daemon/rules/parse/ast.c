// SPDX-License-Identifier: Apache-2.0
/* Condition syntax tree nodes. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "rules/parse/ast.h"

const char *const vgl_op_names[OP_MAX] = {
	[OP_EQ] = "=",
	[OP_NE] = "!=",
	[OP_LT] = "<",
	[OP_LE] = "<=",
	[OP_GT] = ">",
	[OP_GE] = ">=",
	[OP_CONTAINS] = "contains",
	[OP_ICONTAINS] = "icontains",
	[OP_BCONTAINS] = "bcontains",
	[OP_STARTSWITH] = "startswith",
	[OP_BSTARTSWITH] = "bstartswith",
	[OP_ENDSWITH] = "endswith",
	[OP_GLOB] = "glob",
	[OP_IGLOB] = "iglob",
	[OP_PMATCH] = "pmatch",
	[OP_IN] = "in",
	[OP_INTERSECTS] = "intersects",
	[OP_EXISTS] = "exists",
	[OP_REGEX] = "regex",
};

struct ast *ast_new(enum ast_type type, const struct vgl_pos *pos)
{
	struct ast *a = calloc(1, sizeof(*a));

	if (!a)
		return NULL;
	a->type = type;
	if (pos)
		a->pos = *pos;
	return a;
}

void ast_free(struct ast *a)
{
	size_t i;

	if (!a)
		return;
	for (i = 0; i < a->nkids; i++)
		ast_free(a->kids[i]);
	for (i = 0; i < a->nvals; i++)
		free(a->vals[i].s);
	free(a->kids);
	free(a->vals);
	free(a->field);
	free(a->arg);
	free(a->name);
	free(a);
}

int ast_add_kid(struct ast *a, struct ast *kid)
{
	struct ast **v = realloc(a->kids, (a->nkids + 1) * sizeof(*v));

	if (!v)
		return -ENOMEM;
	a->kids = v;
	v[a->nkids++] = kid;
	return 0;
}

/*
 * Room for value @n: the array holds 4, then doubles whenever it is full (at
 * each power of two), so a list of n items costs O(n) copies rather than a
 * realloc() per item.
 */
static int vals_reserve(struct ast *a)
{
	size_t n = a->nvals, cap;
	struct ast_val *v;

	if (n && (n < 4 || (n & (n - 1))))
		return 0;
	cap = n ? 2 * n : 4;
	v = realloc(a->vals, cap * sizeof(*v));
	if (!v)
		return -ENOMEM;
	a->vals = v;
	return 0;
}

int ast_add_val(struct ast *a, const char *s, size_t len, bool bare, const struct vgl_pos *pos)
{
	struct ast_val *v;
	char *c;

	if (vals_reserve(a))
		return -ENOMEM;
	v = a->vals;
	c = malloc(len + 1);
	if (!c)
		return -ENOMEM;
	memcpy(c, s, len);
	c[len] = '\0';
	v[a->nvals].s = c;
	v[a->nvals].len = len;
	v[a->nvals].bare = bare;
	v[a->nvals].pos = *pos;
	a->nvals++;
	return 0;
}

struct ast *ast_join(enum ast_type type, struct ast *l, struct ast *r)
{
	struct ast *a = ast_new(type, l ? &l->pos : NULL);

	if (!a || !l || ast_add_kid(a, l)) {
		ast_free(a);
		ast_free(l);
		ast_free(r);
		return NULL;
	}
	if (r && ast_add_kid(a, r)) {
		ast_free(a);
		ast_free(r);
		return NULL;
	}
	return a;
}

static char *dup_or_null(const char *s, bool *fail)
{
	char *d;

	if (!s)
		return NULL;
	d = strdup(s);
	if (!d)
		*fail = true;
	return d;
}

struct ast *ast_clone(const struct ast *a)
{
	struct ast *c = ast_new(a->type, &a->pos);
	bool fail = false;
	size_t i;

	if (!c)
		return NULL;
	c->field = dup_or_null(a->field, &fail);
	c->arg = dup_or_null(a->arg, &fail);
	c->name = dup_or_null(a->name, &fail);
	c->arg_pos = a->arg_pos;
	c->op = a->op;
	c->op_pos = a->op_pos;
	c->list = a->list;
	for (i = 0; !fail && i < a->nvals; i++)
		fail = ast_add_val(c, a->vals[i].s, a->vals[i].len, a->vals[i].bare,
				   &a->vals[i].pos) != 0;
	for (i = 0; !fail && i < a->nkids; i++) {
		struct ast *k = ast_clone(a->kids[i]);

		fail = !k || ast_add_kid(c, k);
		if (fail)
			ast_free(k);
	}
	if (fail) {
		ast_free(c);
		return NULL;
	}
	return c;
}
