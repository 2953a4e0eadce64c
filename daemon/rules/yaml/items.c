// SPDX-License-Identifier: Apache-2.0
/*
 * list / macro / rule items: new definitions, `append: true`,
 * `override: {key: append|replace}`, enabling by name.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "rules/collection.h"
#include "rules/items.h"
#include "rules/parse/ast.h"

static const char *const list_keys[] = { "list", "items", "append", "override", NULL };
static const char *const macro_keys[] = { "macro", "condition", "append", "override", NULL };

unsigned int doc_idx(const struct collection *c, const struct ydoc *doc)
{
	return (unsigned int)(doc - c->docs);
}

void warn_unknown_keys(struct collection *c, const struct ynode *item, const char *const *keys)
{
	size_t i, k;

	for (i = 0; i + 1 < item->nkids; i += 2) {
		for (k = 0; keys[k]; k++) {
			if (!strcmp(item->kids[i]->str, keys[k]))
				break;
		}
		if (!keys[k])
			vgl_diag_warn(c->diag, &item->kids[i]->pos, "unknown key '%s' ignored",
				      item->kids[i]->str);
	}
}

/* The item's name (value of @key): a non-empty scalar. */
const char *item_name(struct collection *c, const struct ynode *item, const char *key)
{
	const struct ynode *n = ynode_get(item, key);

	if (!n || n->type != YN_SCALAR || !n->len) {
		vgl_diag_error(c->diag, n ? &n->pos : &item->pos,
			       "%s name must be a non-empty string", key);
		return NULL;
	}
	return n->str;
}

/* A scalar member, or NULL with an error if @required. */
const struct ynode *item_scalar(struct collection *c, const struct ynode *item, const char *kind,
				const char *key, bool required)
{
	const struct ynode *n = ynode_get(item, key);

	if (!n) {
		if (required)
			vgl_diag_error(c->diag, &item->pos, "%s has no '%s'", kind, key);
		return NULL;
	}
	if (n->type != YN_SCALAR) {
		vgl_diag_error(c->diag, &n->pos, "'%s' must be a string", key);
		return NULL;
	}
	return n;
}

/*
 * How this item combines with an earlier one of the same name; -EINVAL
 * (reported) when the combination is invalid. @what is "list", "macro" ...
 */
int merge_mode(struct collection *c, const struct ydoc *doc, const struct ynode *item,
	       const char *what, const char *name, bool exists, unsigned int prev_file,
	       enum merge_mode *ret)
{
	const struct ynode *app = ynode_get(item, "append");
	const struct ynode *ovr = ynode_get(item, "override");
	int b = app ? ynode_bool(app) : 0;

	if (b < 0) {
		vgl_diag_error(c->diag, &app->pos, "'append' must be true or false");
		return -EINVAL;
	}
	if (b && ovr) {
		vgl_diag_error(c->diag, &ovr->pos,
			       "%s '%s': 'append' and 'override' cannot be combined", what, name);
		return -EINVAL;
	}
	if ((b || ovr) && !exists) {
		vgl_diag_error(c->diag, &item->pos, "%s '%s' has no earlier definition to %s", what,
			       name, b ? "append to" : "override");
		return -EINVAL;
	}
	if (ovr && ovr->type != YN_MAP) {
		vgl_diag_error(c->diag, &ovr->pos, "'override' must be a mapping");
		return -EINVAL;
	}
	if (!b && !ovr && exists && prev_file == doc_idx(c, doc)) {
		vgl_diag_error(c->diag, &item->pos,
			       "%s '%s' is already defined in this file (use append or override)",
			       what, name);
		return -EINVAL;
	}
	*ret = b ? MERGE_APPEND : ovr ? MERGE_OVERRIDE : MERGE_NEW;
	return 0;
}

/*
 * The override mode for @key: 1 append, 2 replace, 0 absent, -EINVAL bad.
 * @can_append says whether append is allowed for @key.
 */
int override_mode(struct collection *c, const struct ynode *item, const char *key, bool can_append)
{
	const struct ynode *o = ynode_get(ynode_get(item, "override"), key);

	if (!o)
		return 0;
	if (o->type == YN_SCALAR && !strcmp(o->str, "replace")) {
		if (!ynode_get(item, key))
			goto missing;
		return 2;
	}
	if (o->type == YN_SCALAR && !strcmp(o->str, "append") && can_append) {
		if (!ynode_get(item, key))
			goto missing;
		return 1;
	}
	vgl_diag_error(c->diag, &o->pos, "override of '%s' must be %s", key,
		       can_append ? "'append' or 'replace'" : "'replace'");
	return -EINVAL;
missing:
	vgl_diag_error(c->diag, &o->pos, "override of '%s' without a '%s' key", key, key);
	return -EINVAL;
}

static int list_add_items(struct collection *c, struct list_def *l, const struct ynode *items)
{
	size_t i, n = l->nitems + items->nkids;
	char **v;

	if (n > c->opts->max_list_items) {
		vgl_diag_error(c->diag, &items->pos, "list '%s' has more than %zu items", l->name,
			       c->opts->max_list_items);
		return -EINVAL;
	}
	v = realloc(l->items, (n ? n : 1) * sizeof(*v));
	if (!v)
		return -ENOMEM;
	l->items = v;
	for (i = 0; i < items->nkids; i++) {
		if (items->kids[i]->type != YN_SCALAR) {
			vgl_diag_error(c->diag, &items->kids[i]->pos, "list items must be strings");
			return -EINVAL;
		}
		v[l->nitems] = strdup(items->kids[i]->str);
		if (!v[l->nitems])
			return -ENOMEM;
		l->nitems++;
	}
	return 0;
}

static void list_clear(struct list_def *l)
{
	while (l->nitems)
		free(l->items[--l->nitems]);
}

static int list_new(struct collection *c, const char *name, const struct ynode *item,
		    struct list_def **ret)
{
	struct list_def *l = calloc(1, sizeof(*l)), **v;

	if (!l)
		return -ENOMEM;
	l->name = strdup(name);
	v = realloc(c->lists, (c->nlists + 1) * sizeof(*v));
	if (!l->name || !v) {
		free(l->name);
		free(l);
		return -ENOMEM;
	}
	c->lists = v;
	v[c->nlists++] = l;
	l->pos = item->pos;
	*ret = l;
	return coll_index_list(c, c->nlists - 1);
}

int coll_add_list(struct collection *c, const struct ydoc *doc, const struct ynode *item)
{
	const char *name = item_name(c, item, "list");
	const struct ynode *items = ynode_get(item, "items");
	struct list_def *l;
	enum merge_mode mode;
	int err, om = 0;

	if (!name)
		return -EINVAL;
	warn_unknown_keys(c, item, list_keys);
	if (!items || items->type != YN_SEQ) {
		vgl_diag_error(c->diag, items ? &items->pos : &item->pos,
			       "list '%s' needs 'items', a sequence", name);
		return -EINVAL;
	}
	l = coll_list(c, name);
	err = merge_mode(c, doc, item, "list", name, l, l ? l->file_idx : 0, &mode);
	if (!err && mode == MERGE_OVERRIDE)
		err = om = override_mode(c, item, "items", true);
	if (err < 0)
		return err;
	if (!l) {
		err = list_new(c, name, item, &l);
		if (err)
			return err;
	} else if (mode == MERGE_NEW || om == 2) {
		list_clear(l);
		l->pos = item->pos;
	}
	l->file_idx = doc_idx(c, doc);
	return list_add_items(c, l, items);
}

static int macro_new(struct collection *c, const char *name, struct macro_def **ret)
{
	struct macro_def *m = calloc(1, sizeof(*m)), **v;

	if (!m)
		return -ENOMEM;
	m->name = strdup(name);
	v = realloc(c->macros, (c->nmacros + 1) * sizeof(*v));
	if (!m->name || !v) {
		free(m->name);
		free(m);
		return -ENOMEM;
	}
	c->macros = v;
	v[c->nmacros++] = m;
	*ret = m;
	return coll_index_macro(c, c->nmacros - 1);
}

int coll_add_macro(struct collection *c, const struct ydoc *doc, const struct ynode *item)
{
	const char *name = item_name(c, item, "macro");
	const struct ynode *cond;
	struct macro_def *m;
	enum merge_mode mode;
	int err, om = 0;

	if (!name)
		return -EINVAL;
	warn_unknown_keys(c, item, macro_keys);
	cond = item_scalar(c, item, "macro", "condition", true);
	if (!cond)
		return -EINVAL;
	m = coll_macro(c, name);
	err = merge_mode(c, doc, item, "macro", name, m, m ? m->file_idx : 0, &mode);
	if (!err && mode == MERGE_OVERRIDE)
		err = om = override_mode(c, item, "condition", true);
	if (err < 0)
		return err;
	if (!m) {
		err = macro_new(c, name, &m);
		if (err)
			return err;
	}
	if (mode == MERGE_NEW || om == 2) {
		cond_free(&m->cond);
		m->pos = item->pos;
	}
	m->file_idx = doc_idx(c, doc);
	return cond_append(&m->cond, doc, cond);
}

static void exc_free(struct exc_def *e)
{
	free(e->name);
	free(e->values);
}

static void rule_free(struct rule_def *r)
{
	size_t i;

	free(r->name);
	free(r->desc);
	free(r->output);
	free(r->source);
	for (i = 0; i < r->ntags; i++)
		free(r->tags[i]);
	free(r->tags);
	for (i = 0; i < r->nexc; i++)
		exc_free(&r->exc[i]);
	free(r->exc);
	cond_free(&r->cond);
	free(r);
}

void coll_free(struct collection *c)
{
	size_t i;

	for (i = 0; i < c->nlists; i++) {
		list_clear(c->lists[i]);
		free(c->lists[i]->items);
		free(c->lists[i]->name);
		free(c->lists[i]);
	}
	for (i = 0; i < c->nmacros; i++) {
		ast_free(c->macros[i]->ast);
		cond_free(&c->macros[i]->cond);
		free(c->macros[i]->name);
		free(c->macros[i]);
	}
	for (i = 0; i < c->nrules; i++)
		rule_free(c->rules[i]);
	for (i = 0; i < c->ndocs; i++)
		ydoc_free(&c->docs[i]);
	coll_index_free(&c->lists_ix);
	coll_index_free(&c->macros_ix);
	coll_index_free(&c->rules_ix);
	free(c->lists);
	free(c->macros);
	free(c->rules);
	free(c->docs);
	memset(c, 0, sizeof(*c));
}

int rule_append_new(struct collection *c, struct rule_def *r)
{
	struct rule_def **v = realloc(c->rules, (c->nrules + 1) * sizeof(*v));

	if (!v)
		return -ENOMEM;
	c->rules = v;
	v[c->nrules++] = r;
	if (coll_index_rule(c, c->nrules - 1)) {
		c->nrules--; /* the caller still owns @r */
		return -ENOMEM;
	}
	return 0;
}

void rule_destroy(struct rule_def *r)
{
	rule_free(r);
}
