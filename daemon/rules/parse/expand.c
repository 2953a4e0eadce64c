// SPDX-License-Identifier: Apache-2.0
/* Macro expansion with cycle detection; list flattening. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "rules/parse/expand.h"

#define LIST_MAX_NESTING 32

static void src_pos(const void *data, size_t off, struct vgl_pos *ret)
{
	cond_pos(data, off, ret);
}

int cond_parse_src(struct collection *c, const struct cond_src *src, struct ast **ret)
{
	struct parse_opts po = {
		.max_depth = c->opts->max_depth,
		.max_list_items = c->opts->max_list_items,
		.pos_fn = src_pos,
		.pos_data = src,
	};
	struct vgl_pos pos;

	if (src->len > c->opts->max_cond_len) {
		cond_pos(src, 0, &pos);
		vgl_diag_error(c->diag, &pos, "condition longer than %zu bytes",
			       c->opts->max_cond_len);
		return -EINVAL;
	}
	return cond_parse(src->text, src->len, &po, ret, c->diag);
}

/* Strip one level of matching quotes from a list item, as Falco does. */
static void item_text(const char *s, const char **ret, size_t *ret_len)
{
	size_t n = strlen(s);

	if (n >= 2 && (s[0] == '"' || s[0] == '\'') && s[n - 1] == s[0]) {
		*ret = s + 1;
		*ret_len = n - 2;
		return;
	}
	*ret = s;
	*ret_len = n;
}

/* The rule set's expansion is over its limit: no use going on. */
static int total_error(struct collection *c, const struct vgl_pos *pos)
{
	vgl_diag_error(c->diag, pos,
		       "rules expand to more than %d condition nodes and list values in all "
		       "(macros or lists used by too many rules)",
		       VGL_EXPAND_MAX_TOTAL);
	return -E2BIG;
}

/* Append list @l's items (nested lists flattened) to @a's values. */
static int add_list_items(struct collection *c, struct ast *a, struct list_def *l,
			  const struct vgl_pos *pos, int depth)
{
	struct list_def *sub;
	const char *s;
	size_t i, n;
	int err;

	if (l->state == 1) {
		vgl_diag_error(c->diag, &l->pos, "list '%s' includes itself", l->name);
		return -EINVAL;
	}
	if (depth > LIST_MAX_NESTING) {
		vgl_diag_error(c->diag, &l->pos, "lists nested deeper than %d levels",
			       LIST_MAX_NESTING);
		return -EINVAL;
	}
	l->state = 1;
	for (i = 0; i < l->nitems; i++) {
		sub = coll_list(c, l->items[i]);
		if (sub) {
			err = add_list_items(c, a, sub, pos, depth + 1);
		} else {
			item_text(l->items[i], &s, &n);
			err = ast_add_val(a, s, n, false, pos);
		}
		if (err) {
			l->state = 0;
			return err;
		}
		if (a->nvals > c->opts->max_list_items ||
		    a->nvals > VGL_EXPAND_MAX_TOTAL - c->nexpanded) {
			l->state = 0;
			if (a->nvals <= c->opts->max_list_items)
				return total_error(c, pos);
			vgl_diag_error(c->diag, pos, "list operand has more than %zu items",
				       c->opts->max_list_items);
			return -EINVAL;
		}
	}
	l->state = 0;
	return 0;
}

/* Replace list names among a list operand's values by their items. */
static int expand_lists(struct collection *c, struct ast *a)
{
	struct ast_val *old = a->vals;
	size_t i, n = a->nvals;
	struct list_def *l;
	int err = 0;

	if (!a->list)
		return 0;
	for (i = 0; i < n; i++) {
		if (old[i].bare && coll_list(c, old[i].s))
			break;
	}
	if (i == n)
		return 0;
	a->vals = NULL;
	a->nvals = 0;
	for (i = 0; i < n && !err; i++) {
		l = old[i].bare ? coll_list(c, old[i].s) : NULL;
		if (l)
			err = add_list_items(c, a, l, &old[i].pos, 0);
		else
			err = ast_add_val(a, old[i].s, old[i].len, old[i].bare, &old[i].pos);
	}
	for (i = 0; i < n; i++)
		free(old[i].s);
	free(old);
	return err;
}

/* Nodes and list values of @a: what an expansion costs in memory. */
static size_t ast_count(const struct ast *a)
{
	size_t i, n = 1 + a->nvals;

	for (i = 0; i < a->nkids; i++)
		n += ast_count(a->kids[i]);
	return n;
}

/*
 * Charge @n nodes and values to the condition's @budget and to the rule
 * set's total: a macro or list used by many rules is copied into each, so a
 * small file could otherwise expand to gigabytes.
 */
static int charge(struct collection *c, size_t *budget, size_t n, const struct vgl_pos *pos)
{
	if (n > *budget) {
		vgl_diag_error(c->diag, pos,
			       "condition expands to more than %d nodes and list values",
			       VGL_EXPAND_MAX_NODES);
		return -EINVAL;
	}
	if (n > VGL_EXPAND_MAX_TOTAL - c->nexpanded)
		return total_error(c, pos);
	*budget -= n;
	c->nexpanded += n;
	return 0;
}

static int expand(struct collection *c, struct ast **pa, size_t *budget);

/* The expanded tree of macro @m (parsed and expanded once, then cloned). */
static int macro_tree(struct collection *c, struct macro_def *m, const struct ast *ref,
		      struct ast **ret)
{
	size_t budget = VGL_EXPAND_MAX_NODES;
	int err;

	if (m->state == 1) {
		vgl_diag_error(c->diag, &ref->pos,
			       "macro cycle: '%s' is used inside its own definition", m->name);
		return -EINVAL;
	}
	if (m->state == 3)
		return -EINVAL; /* reported when first seen */
	if (m->state == 0) {
		m->state = 1;
		m->used = true;
		err = cond_parse_src(c, &m->cond, &m->ast);
		if (!err)
			err = expand(c, &m->ast, &budget);
		m->state = err ? 3 : 2;
		if (err)
			return err;
	}
	*ret = ast_clone(m->ast);
	return *ret ? 0 : -ENOMEM;
}

static int expand(struct collection *c, struct ast **pa, size_t *budget)
{
	struct ast *a = *pa, *t;
	struct macro_def *m;
	size_t i;
	int err = 0, e;

	switch (a->type) {
	case AST_REF:
		m = coll_macro(c, a->name);
		if (!m) {
			vgl_diag_error(c->diag, &a->pos, "undefined macro '%s'", a->name);
			return -EINVAL;
		}
		err = macro_tree(c, m, a, &t);
		if (err)
			return err;
		err = charge(c, budget, ast_count(t), &a->pos);
		if (err) {
			ast_free(t);
			return err;
		}
		ast_free(a);
		*pa = t;
		return 0;
	case AST_CMP:
		err = expand_lists(c, a);
		return err ? err : charge(c, budget, a->nvals, &a->pos);
	default:
		/* Keep going after an error to report every undefined name. */
		for (i = 0; i < a->nkids; i++) {
			e = expand(c, &a->kids[i], budget);
			if (e == -ENOMEM || e == -E2BIG)
				return e;
			err = err ? err : e;
		}
		return err;
	}
}

int ast_expand(struct collection *c, struct ast **a)
{
	size_t budget = VGL_EXPAND_MAX_NODES;

	return expand(c, a, &budget);
}
