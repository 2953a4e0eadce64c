// SPDX-License-Identifier: Apache-2.0
/* Rule set loading: files -> collection -> expanded trees -> compiled rules. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "rules/compile/compile.h"
#include "rules/parse/expand.h"

static const char *const pri_names[] = { "Emergency", "Alert",	"Critical",	 "Error",
					 "Warning",   "Notice", "Informational", "Debug" };

const char *vgl_priority_name(enum vgl_priority p)
{
	return (unsigned int)p < 8 ? pri_names[p] : "Unknown";
}

int vgl_priority_parse(const char *s)
{
	int i;

	for (i = 0; i < 8; i++) {
		if (!strcasecmp(s, pri_names[i]))
			return i;
	}
	return !strcasecmp(s, "info") ? VGL_PRI_INFORMATIONAL : -1;
}

static void opts_defaults(const struct vgl_rules_opts *in, struct vgl_rules_opts *o)
{
	if (in)
		*o = *in;
	else
		memset(o, 0, sizeof(*o));
	o->max_depth = o->max_depth ? o->max_depth : 64;
	o->max_cond_len = o->max_cond_len ? o->max_cond_len : 65536;
	o->max_list_items = o->max_list_items ? o->max_list_items : 16384;
	o->max_items = o->max_items ? o->max_items : 20000;
	o->max_file_size = o->max_file_size ? o->max_file_size : 16u << 20;
}

static void crule_clear(struct crule *r)
{
	size_t i;

	cnode_free(r->root);
	ast_free(r->ast);
	ofmt_free(r->output);
	free((char *)r->info.name);
	free((char *)r->info.desc);
	free((char *)r->info.output);
	free((char *)r->info.source);
	free((char *)r->info.file);
	for (i = 0; i < r->info.ntags; i++)
		free((char *)r->info.tags[i]);
	free((void *)r->info.tags);
}

void vgl_ruleset_free(struct vgl_ruleset *rs)
{
	size_t i;

	if (!rs)
		return;
	/* Specialized trees borrow from the rules' trees: free them first. */
	for (i = 0; i < VGL_EV_MAX; i++) {
		for (size_t j = 0; j < rs->nkind_rules[i]; j++)
			cnode_free_spec(rs->kind_rules[i][j].root);
		free(rs->kind_rules[i]);
	}
	rs_free_wake(rs);
	for (i = 0; i < rs->nrules; i++)
		crule_clear(&rs->rules[i]);
	rs_free_shared(rs);
	for (i = 0; i < rs->nrefs; i++) {
		field_ref_clear(rs->refs[i]);
		free(rs->refs[i]);
	}
	free(rs->refs);
	free(rs->rules);
	free(rs);
}

/* Move @r's metadata into @cr (the collection is freed after loading). */
static int take_info(struct collection *c, struct rule_def *r, struct crule *cr)
{
	struct vgl_rule_info *i = &cr->info;

	i->name = r->name;
	i->desc = r->desc;
	i->output = r->output;
	i->source = r->source;
	i->tags = (const char *const *)r->tags;
	i->ntags = r->ntags;
	i->priority = r->priority;
	i->enabled = r->enabled;
	i->capture = r->capture;
	i->capture_duration_ns = r->capture_duration_ns;
	i->line = r->pos.line;
	i->file = strdup(c->docs[r->file_idx].file);
	r->name = r->desc = r->output = r->source = NULL;
	r->tags = NULL;
	r->ntags = 0;
	return i->file ? 0 : -ENOMEM;
}

static int compile_rule(struct collection *c, struct vgl_ruleset *rs, struct rule_def *r,
			struct crule *cr)
{
	struct ast *a = NULL;
	int err, e;

	err = cond_parse_src(c, &r->cond, &a);
	if (!err)
		err = ast_add_exceptions(c, r, &a);
	if (!err)
		err = ast_expand(c, &a);
	if (!err)
		err = cnode_compile(c, rs, a, &cr->root);
	e = ofmt_compile(c, rs, r, &cr->output);
	err = err ? err : e;
	cr->ast = a;
	if (!err) {
		cnode_prepare(cr->root);
		cnode_kinds(cr->root, false, cr->kinds);
		if (!cr->kinds[0] && !cr->kinds[1])
			vgl_diag_warn(c->diag, &r->pos,
				      "rule '%s' can never match: no event type "
				      "satisfies its condition",
				      r->name);
	}
	e = take_info(c, r, cr);
	return err ? err : e;
}

static int index_kinds(struct vgl_ruleset *rs)
{
	size_t i;
	unsigned int k;

	for (k = 1; k < VGL_EV_MAX; k++) {
		for (i = 0; i < rs->nrules; i++) {
			const struct crule *r = &rs->rules[i];
			struct kcand *v;
			struct cnode *root;

			if (!r->info.enabled || !r->root || !kind_test(r->kinds, k))
				continue;
			root = cnode_specialize(r->root, k);
			if (!root)
				return -ENOMEM;
			if (root->type == CN_CONST && !root->value) {
				cnode_free_spec(root);
				continue;
			}
			v = realloc(rs->kind_rules[k], (rs->nkind_rules[k] + 1) * sizeof(*v));
			if (!v) {
				cnode_free_spec(root);
				return -ENOMEM;
			}
			rs->kind_rules[k] = v;
			v[rs->nkind_rules[k]].rule = (uint32_t)i;
			v[rs->nkind_rules[k]].root = root;
			if (kcand_guards(rs, k, &v[rs->nkind_rules[k]++]))
				return -ENOMEM;
		}
		if (rs_wake(rs, k))
			return -ENOMEM;
	}
	return 0;
}

/* Fields of a macro no rule uses still have to exist. */
static void check_fields(struct collection *c, const struct ast *a)
{
	struct field_ref ref;
	char err[256];
	size_t i;

	if (a->type == AST_CMP) {
		if (field_resolve(a->field, a->arg, &ref, err, sizeof(err)))
			vgl_diag_error(c->diag, &a->pos, "%s", err);
		field_ref_clear(&ref);
	}
	for (i = 0; i < a->nkids; i++)
		check_fields(c, a->kids[i]);
}

/* Syntax and field errors in macros that no rule refers to. */
static int check_unused_macros(struct collection *c)
{
	struct macro_def *m;
	size_t i;
	int err, ret = 0;

	for (i = 0; i < c->nmacros; i++) {
		m = c->macros[i];
		if (m->state != 0)
			continue;
		err = cond_parse_src(c, &m->cond, &m->ast);
		if (err == -ENOMEM)
			return err;
		if (!err)
			check_fields(c, m->ast);
		ret = ret ? ret : err;
	}
	return ret;
}

static int compile_all(struct collection *c, struct vgl_ruleset *rs)
{
	size_t i;
	int ret = 0, err;

	rs->rules = calloc(c->nrules ? c->nrules : 1, sizeof(*rs->rules));
	if (!rs->rules)
		return -ENOMEM;
	for (i = 0; i < c->nrules; i++) {
		if (c->rules[i]->skip)
			continue;
		err = compile_rule(c, rs, c->rules[i], &rs->rules[rs->nrules++]);
		if (err == -ENOMEM || err == -E2BIG)
			return err;
		ret = ret ? ret : err;
	}
	rs->nmacros = c->nmacros;
	rs->nlists = c->nlists;
	err = check_unused_macros(c);
	if (err == -ENOMEM)
		return err;
	if (ret || err)
		return ret ? ret : err;
	err = rs_intern(rs);
	return err ? err : index_kinds(rs);
}

static size_t file_order(const struct collection *c, const struct vgl_diag_entry *e)
{
	size_t i;

	for (i = 0; e->file && i < c->ndocs; i++) {
		if (c->docs[i].file && !strcmp(c->docs[i].file, e->file))
			return i;
	}
	return c->ndocs;
}

static bool diag_before(const struct collection *c, const struct vgl_diag_entry *a,
			const struct vgl_diag_entry *b)
{
	size_t fa = file_order(c, a), fb = file_order(c, b);

	if (fa != fb)
		return fa < fb;
	return a->line != b->line ? a->line < b->line : a->col < b->col;
}

/* Diagnostics of this load in file order, then by position (stable). */
static void sort_diag(const struct collection *c, struct vgl_diag *d, size_t from)
{
	size_t i, j;

	for (i = from + 1; i < d->n; i++) {
		struct vgl_diag_entry e = d->v[i];

		for (j = i; j > from && diag_before(c, &e, &d->v[j - 1]); j--)
			d->v[j] = d->v[j - 1];
		d->v[j] = e;
	}
}

typedef int (*load_fn)(struct collection *c, const void *a, const void *b, size_t n);

static int load(const struct vgl_rules_opts *opts, struct vgl_ruleset **ret, struct vgl_diag *diag,
		load_fn fn, const void *a, const void *b, size_t n)
{
	struct vgl_rules_opts o;
	struct collection c = { 0 };
	struct vgl_diag local;
	struct vgl_ruleset *rs;
	size_t before, first;
	int err, e;

	rs = calloc(1, sizeof(*rs));
	if (!rs)
		return -ENOMEM;
	if (!diag) {
		vgl_diag_init(&local);
		diag = &local;
	}
	before = diag->nerrors;
	first = diag->n;
	opts_defaults(opts, &o);
	c.opts = &o;
	c.diag = diag;
	rs->first_match = o.first_match;
	err = fn(&c, a, b, n);
	if (err != -ENOMEM && err != -E2BIG) {
		e = compile_all(&c, rs);
		err = e == -ENOMEM ? e : err;
	}
	sort_diag(&c, diag, first);
	coll_free(&c);
	if (!err && diag->nerrors > before)
		err = -EINVAL;
	if (diag == &local)
		vgl_diag_free(&local);
	if (err) {
		vgl_ruleset_free(rs);
		return err == -ENOMEM ? err : -EINVAL;
	}
	*ret = rs;
	return 0;
}

static int load_files(struct collection *c, const void *a, const void *b, size_t n)
{
	(void)b;
	return coll_load_files(c, a, n);
}

static int load_text(struct collection *c, const void *a, const void *b, size_t n)
{
	return coll_load_text(c, a, b, n);
}

int vgl_ruleset_load(const char *const *files, size_t nfiles, const struct vgl_rules_opts *opts,
		     struct vgl_ruleset **ret, struct vgl_diag *diag)
{
	return load(opts, ret, diag, load_files, files, NULL, nfiles);
}

int vgl_ruleset_load_text(const char *name, const char *text, size_t len,
			  const struct vgl_rules_opts *opts, struct vgl_ruleset **ret,
			  struct vgl_diag *diag)
{
	return load(opts, ret, diag, load_text, name, text, len);
}

void vgl_ruleset_kinds(const struct vgl_ruleset *rs, bool kinds[VGL_EV_MAX])
{
	unsigned int k;

	for (k = 0; k < VGL_EV_MAX; k++)
		kinds[k] = k && rs->nkind_rules[k] > 0;
}

bool vgl_ruleset_uses_field(const struct vgl_ruleset *rs, const char *name)
{
	for (size_t i = 0; i < rs->nrefs; i++) {
		if (!strcmp(rs->refs[i]->def->name, name))
			return true;
	}
	return false;
}

size_t vgl_ruleset_nrules(const struct vgl_ruleset *rs)
{
	return rs->nrules;
}

const struct vgl_rule_info *vgl_ruleset_rule(const struct vgl_ruleset *rs, size_t idx)
{
	return idx < rs->nrules ? &rs->rules[idx].info : NULL;
}

bool vgl_ruleset_rule_kind(const struct vgl_ruleset *rs, size_t idx, enum vgl_kind kind)
{
	if (idx >= rs->nrules || (unsigned int)kind >= VGL_EV_MAX || !rs->rules[idx].root)
		return false;
	return kind != VGL_EV_UNKNOWN && kind_test(rs->rules[idx].kinds, kind);
}

size_t vgl_ruleset_nmacros(const struct vgl_ruleset *rs)
{
	return rs->nmacros;
}

size_t vgl_ruleset_nlists(const struct vgl_ruleset *rs)
{
	return rs->nlists;
}
