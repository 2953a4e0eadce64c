// SPDX-License-Identifier: Apache-2.0
/* rule items: definitions, append, override, enable by name, exceptions. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "rules/items.h"

static const char *const rule_keys[] = { "rule",
					 "desc",
					 "condition",
					 "output",
					 "priority",
					 "tags",
					 "enabled",
					 "exceptions",
					 "source",
					 "append",
					 "override",
					 "warn_evttypes",
					 "skip-if-unknown-filter",
					 "capture",
					 "capture_duration",
					 NULL };

/* Concatenate @add to *@s with a space between (Falco's append). */
static int str_append(char **s, const char *add)
{
	size_t a = *s ? strlen(*s) : 0, b = strlen(add);
	char *n = realloc(*s, a + b + 2);

	if (!n)
		return -ENOMEM;
	if (a)
		n[a++] = ' ';
	memcpy(n + a, add, b + 1);
	*s = n;
	return 0;
}

static int set_str(char **s, const char *v)
{
	char *n = strdup(v);

	if (!n)
		return -ENOMEM;
	free(*s);
	*s = n;
	return 0;
}

static int add_tags(struct collection *c, struct rule_def *r, const struct ynode *tags)
{
	size_t i;
	char **v;

	if (tags->type != YN_SEQ) {
		vgl_diag_error(c->diag, &tags->pos, "'tags' must be a list of strings");
		return -EINVAL;
	}
	v = realloc(r->tags, (r->ntags + tags->nkids + 1) * sizeof(*v));
	if (!v)
		return -ENOMEM;
	r->tags = v;
	for (i = 0; i < tags->nkids; i++) {
		if (tags->kids[i]->type != YN_SCALAR) {
			vgl_diag_error(c->diag, &tags->kids[i]->pos, "tags must be strings");
			return -EINVAL;
		}
		v[r->ntags] = strdup(tags->kids[i]->str);
		if (!v[r->ntags])
			return -ENOMEM;
		r->ntags++;
	}
	v[r->ntags] = NULL;
	return 0;
}

static void clear_tags(struct rule_def *r)
{
	while (r->ntags)
		free(r->tags[--r->ntags]);
}

static struct exc_def *exc_find(struct rule_def *r, const char *name)
{
	size_t i;

	for (i = 0; i < r->nexc; i++) {
		if (!strcmp(r->exc[i].name, name))
			return &r->exc[i];
	}
	return NULL;
}

static int exc_add_values(struct exc_def *e, const struct ynode *values)
{
	const struct ynode **v;
	size_t i;

	if (!values)
		return 0;
	v = realloc(e->values, (e->nvalues + values->nkids + 1) * sizeof(*v));
	if (!v)
		return -ENOMEM;
	e->values = v;
	for (i = 0; i < values->nkids; i++)
		v[e->nvalues++] = values->kids[i];
	return 0;
}

static int add_exception(struct collection *c, const struct ydoc *doc, struct rule_def *r,
			 const struct ynode *x)
{
	const struct ynode *name = ynode_get(x, "name"), *values = ynode_get(x, "values");
	struct exc_def *e, *v;

	if (x->type != YN_MAP || !name || name->type != YN_SCALAR || !name->len) {
		vgl_diag_error(c->diag, &x->pos, "exception needs a 'name'");
		return -EINVAL;
	}
	if (values && values->type != YN_SEQ) {
		vgl_diag_error(c->diag, &values->pos, "exception 'values' must be a list");
		return -EINVAL;
	}
	e = exc_find(r, name->str);
	if (e && !ynode_get(x, "fields"))
		return exc_add_values(e, values);
	if (e) {
		vgl_diag_error(c->diag, &name->pos, "exception '%s' is already defined", name->str);
		return -EINVAL;
	}
	if (!ynode_get(x, "fields")) {
		vgl_diag_error(c->diag, &x->pos, "exception '%s' has no 'fields'", name->str);
		return -EINVAL;
	}
	v = realloc(r->exc, (r->nexc + 1) * sizeof(*v));
	if (!v)
		return -ENOMEM;
	r->exc = v;
	e = &v[r->nexc];
	memset(e, 0, sizeof(*e));
	e->name = strdup(name->str);
	if (!e->name)
		return -ENOMEM;
	r->nexc++;
	e->pos = x->pos;
	e->doc = doc;
	e->fields = ynode_get(x, "fields");
	e->comps = ynode_get(x, "comps");
	return exc_add_values(e, values);
}

static int add_exceptions(struct collection *c, const struct ydoc *doc, struct rule_def *r,
			  const struct ynode *list)
{
	size_t i;
	int err;

	if (list->type != YN_SEQ) {
		vgl_diag_error(c->diag, &list->pos, "'exceptions' must be a list");
		return -EINVAL;
	}
	for (i = 0; i < list->nkids; i++) {
		err = add_exception(c, doc, r, list->kids[i]);
		if (err)
			return err;
	}
	return 0;
}

static int set_priority(struct collection *c, struct rule_def *r, const struct ynode *n)
{
	int p = n->type == YN_SCALAR ? vgl_priority_parse(n->str) : -1;

	if (p < 0) {
		vgl_diag_error(c->diag, &n->pos, "unknown priority '%s'",
			       n->type == YN_SCALAR ? n->str : "");
		return -EINVAL;
	}
	r->priority = p;
	return 0;
}

static int set_enabled(struct collection *c, struct rule_def *r, const struct ynode *n)
{
	int b = ynode_bool(n);

	if (b < 0) {
		vgl_diag_error(c->diag, &n->pos, "'enabled' must be true or false");
		return -EINVAL;
	}
	r->enabled = b;
	return 0;
}

static int set_output(struct rule_def *r, const struct ydoc *doc, const struct ynode *n,
		      bool append)
{
	r->output_doc = doc;
	r->output_node = n;
	return append ? str_append(&r->output, n->str) : set_str(&r->output, n->str);
}

static int set_source(struct collection *c, struct rule_def *r, const struct ynode *n)
{
	if (!n)
		return set_str(&r->source, "syscall");
	if (strcmp(n->str, "syscall")) {
		r->skip = true;
		vgl_diag_warn(c->diag, &n->pos, "rule '%s': source '%s' is not evaluated by vigil",
			      r->name, n->str);
	}
	return set_str(&r->source, n->str);
}

static int keep_first(int a, int b)
{
	return a == -ENOMEM || b == -ENOMEM ? -ENOMEM : a ? a : b;
}

/* Fill a new rule from @item: every key is required but tags/enabled/... */
static int rule_fill(struct collection *c, const struct ydoc *doc, struct rule_def *r,
		     const struct ynode *item)
{
	const struct ynode *cond = item_scalar(c, item, "rule", "condition", true);
	const struct ynode *out = item_scalar(c, item, "rule", "output", true);
	const struct ynode *desc = item_scalar(c, item, "rule", "desc", true);
	const struct ynode *pri = item_scalar(c, item, "rule", "priority", true);
	const struct ynode *n;
	int err;

	if (!cond || !out || !desc || !pri)
		return -EINVAL;
	r->enabled = true;
	r->pos = item->pos;
	err = cond_append(&r->cond, doc, cond);
	if (!err)
		err = set_output(r, doc, out, false);
	if (!err)
		err = set_str(&r->desc, desc->str);
	if (!err)
		err = set_source(c, r, item_scalar(c, item, "rule", "source", false));
	if (err)
		return err;
	/* Keep going past invalid keys: the condition is still checked. */
	err = set_priority(c, r, pri);
	if ((n = ynode_get(item, "tags")))
		err = keep_first(err, add_tags(c, r, n));
	if ((n = ynode_get(item, "enabled")))
		err = keep_first(err, set_enabled(c, r, n));
	if ((n = ynode_get(item, "exceptions")))
		err = keep_first(err, add_exceptions(c, doc, r, n));
	return keep_first(err, rule_capture_keys(c, r, item));
}

static int rule_new(struct collection *c, const struct ydoc *doc, const struct ynode *item,
		    const char *name, struct rule_def *old)
{
	struct rule_def *r = calloc(1, sizeof(*r));
	size_t i;
	int err;

	if (!r)
		return -ENOMEM;
	r->name = strdup(name);
	r->file_idx = doc_idx(c, doc);
	err = r->name ? rule_fill(c, doc, r, item) : -ENOMEM;
	/*
	 * A rule with an invalid key but a condition and an output is kept, so
	 * that its condition's errors are reported too (the load fails anyway).
	 */
	if (err != -ENOMEM && r->cond.text && r->output && !old) {
		int e = rule_append_new(c, r);

		if (e)
			err = e;
		else if (!err)
			return 0;
		else
			return err;
	}
	if (err) {
		rule_destroy(r);
		return err;
	}
	/* A later file's definition replaces the earlier one in place. */
	for (i = 0; old && i < c->nrules; i++) {
		if (c->rules[i] == old) {
			c->rules[i] = r;
			rule_destroy(old);
		}
	}
	return 0;
}

static int rule_append(struct collection *c, const struct ydoc *doc, struct rule_def *r,
		       const struct ynode *item)
{
	const struct ynode *n;
	int err = 0;

	if ((n = item_scalar(c, item, "rule", "condition", false)))
		err = cond_append(&r->cond, doc, n);
	if (!err && (n = item_scalar(c, item, "rule", "output", false)))
		err = set_output(r, doc, n, true);
	if (!err && (n = item_scalar(c, item, "rule", "desc", false)))
		err = str_append(&r->desc, n->str);
	if (!err && (n = ynode_get(item, "tags")))
		err = add_tags(c, r, n);
	if (!err && (n = ynode_get(item, "exceptions")))
		err = add_exceptions(c, doc, r, n);
	rule_capture_append_warn(c, r, item);
	return err;
}

/* One `override:` key: mode 1 append, 2 replace. */
static int rule_override_key(struct collection *c, const struct ydoc *doc, struct rule_def *r,
			     const struct ynode *item, const char *key, int mode)
{
	const struct ynode *n = ynode_get(item, key);

	if (!strcmp(key, "condition")) {
		if (n->type != YN_SCALAR)
			return -EINVAL;
		if (mode == 2)
			cond_free(&r->cond);
		return cond_append(&r->cond, doc, n);
	}
	if (!strcmp(key, "output"))
		return n->type == YN_SCALAR ? set_output(r, doc, n, mode == 1) : -EINVAL;
	if (!strcmp(key, "desc") && n->type == YN_SCALAR)
		return mode == 1 ? str_append(&r->desc, n->str) : set_str(&r->desc, n->str);
	if (!strcmp(key, "tags")) {
		if (mode == 2)
			clear_tags(r);
		return add_tags(c, r, n);
	}
	if (!strcmp(key, "exceptions")) {
		if (mode == 2) {
			while (r->nexc) {
				free(r->exc[--r->nexc].name);
				free(r->exc[r->nexc].values);
			}
		}
		return add_exceptions(c, doc, r, n);
	}
	if (!strcmp(key, "priority"))
		return set_priority(c, r, n);
	if (!strcmp(key, "enabled"))
		return set_enabled(c, r, n);
	if (!strcmp(key, "capture"))
		return rule_set_capture(c, r, n);
	if (!strcmp(key, "capture_duration"))
		return rule_set_capture_duration(c, r, n);
	return 0;
}

static int rule_override(struct collection *c, const struct ydoc *doc, struct rule_def *r,
			 const struct ynode *item)
{
	static const char *const appendable[] = { "condition", "output", "desc", "tags",
						  "exceptions" };
	static const char *const replaceable[] = { "priority", "enabled", "capture",
						   "capture_duration" };
	const struct ynode *ovr = ynode_get(item, "override");
	size_t i, k;
	int mode, err;

	for (i = 0; i + 1 < ovr->nkids; i += 2) {
		const char *key = ovr->kids[i]->str;
		bool can_append = false, known = false;

		for (k = 0; k < 5; k++)
			known = can_append = can_append || !strcmp(key, appendable[k]);
		for (k = 0; k < 4; k++)
			known = known || !strcmp(key, replaceable[k]);
		if (!known) {
			vgl_diag_error(c->diag, &ovr->kids[i]->pos, "'%s' cannot be overridden",
				       key);
			return -EINVAL;
		}
		mode = override_mode(c, item, key, can_append);
		if (mode < 0)
			return mode;
		err = rule_override_key(c, doc, r, item, key, mode);
		if (err)
			return err;
	}
	return 0;
}

int coll_add_rule(struct collection *c, const struct ydoc *doc, const struct ynode *item)
{
	const char *name = item_name(c, item, "rule");
	const struct ynode *en = ynode_get(item, "enabled");
	struct rule_def *r;
	enum merge_mode mode;
	int err;

	if (!name)
		return -EINVAL;
	warn_unknown_keys(c, item, rule_keys);
	r = coll_rule(c, name);
	/* `- rule: X` + `enabled: B` alone switches an existing rule. */
	if (en && item->nkids == 4 && !ynode_get(item, "condition")) {
		if (!r) {
			vgl_diag_error(c->diag, &item->pos, "rule '%s' has no earlier definition",
				       name);
			return -EINVAL;
		}
		return set_enabled(c, r, en);
	}
	err = merge_mode(c, doc, item, "rule", name, r, r ? r->file_idx : 0, &mode);
	if (err)
		return err;
	if (mode == MERGE_NEW)
		return rule_new(c, doc, item, name, r);
	r->file_idx = doc_idx(c, doc);
	if (mode == MERGE_APPEND)
		return rule_append(c, doc, r, item);
	return rule_override(c, doc, r, item);
}
