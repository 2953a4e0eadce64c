/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The rule files' items after loading (append / override applied), before
 * compilation: lists, macros and rules with their source positions.
 */
#ifndef VIGIL_RULES_COLLECTION_H
#define VIGIL_RULES_COLLECTION_H

#include <stdbool.h>
#include <stddef.h>

#include "rules/diag.h"
#include "rules/rules.h"
#include "rules/yaml/ynode.h"

/* A condition's text, possibly assembled from several YAML scalars (append). */
struct cond_seg {
	size_t off; /* first byte of this scalar in text */
	const struct ydoc *doc;
	const struct ynode *node;
};

struct cond_src {
	char *text;
	size_t len;
	struct cond_seg *segs;
	size_t nsegs;
};

struct list_def {
	char *name;
	char **items;
	size_t nitems;
	struct vgl_pos pos;
	unsigned int file_idx;
	int state; /* flattening: 0 new, 1 in progress, 2 done */
};

struct ast;

struct macro_def {
	char *name;
	struct cond_src cond;
	struct vgl_pos pos;
	unsigned int file_idx;
	struct ast *ast; /* parsed, not expanded */
	int state;	 /* expansion: 0 new, 1 in progress, 2 done, 3 failed */
	bool used;
};

struct exc_def {
	char *name;
	struct vgl_pos pos;
	const struct ydoc *doc;
	const struct ynode *fields;
	const struct ynode *comps;
	const struct ynode **values;
	size_t nvalues;
};

struct rule_def {
	char *name;
	char *desc;
	char *output;
	const struct ydoc *output_doc;
	const struct ynode *output_node;
	enum vgl_priority priority;
	char **tags;
	size_t ntags;
	bool enabled;
	bool skip; /* a source vigil does not evaluate */
	bool capture;
	uint64_t capture_duration_ns;
	char *source;
	struct cond_src cond;
	struct exc_def *exc;
	size_t nexc;
	struct vgl_pos pos;
	unsigned int file_idx;
};

/* Name -> position in one of a collection's arrays (yaml/names.c). */
struct coll_index {
	size_t *slot; /* position + 1; 0: empty */
	size_t cap;   /* power of two */
	size_t n;
};

struct collection {
	const struct vgl_rules_opts *opts;
	struct vgl_diag *diag;
	struct ydoc *docs;
	size_t ndocs;
	struct list_def **lists;
	size_t nlists;
	struct macro_def **macros;
	size_t nmacros;
	struct rule_def **rules;
	size_t nrules;
	size_t nitems;	  /* items read, against opts->max_items */
	size_t nexpanded; /* expanded condition nodes and list values, all rules */
	struct coll_index lists_ix;
	struct coll_index macros_ix;
	struct coll_index rules_ix;
};

/* Read @nfiles rule files in order into @c; errors go to c->diag. */
int coll_load_files(struct collection *c, const char *const *files, size_t nfiles);
/* Read one rule file given as text (tests, fuzzing). */
int coll_load_text(struct collection *c, const char *name, const char *text, size_t len);
void coll_free(struct collection *c);

/* Index lists[@i] (macros[@i], rules[@i]) by its name, once it is added. */
int coll_index_list(struct collection *c, size_t i);
int coll_index_macro(struct collection *c, size_t i);
int coll_index_rule(struct collection *c, size_t i);
void coll_index_free(struct coll_index *ix);

struct list_def *coll_list(const struct collection *c, const char *name);
struct macro_def *coll_macro(const struct collection *c, const char *name);
struct rule_def *coll_rule(const struct collection *c, const char *name);

void cond_free(struct cond_src *c);
int cond_append(struct cond_src *c, const struct ydoc *doc, const struct ynode *node);
void cond_pos(const struct cond_src *c, size_t off, struct vgl_pos *ret);

/* Rule item handling (yaml/items.c). */
int coll_add_list(struct collection *c, const struct ydoc *doc, const struct ynode *item);
int coll_add_macro(struct collection *c, const struct ydoc *doc, const struct ynode *item);
int coll_add_rule(struct collection *c, const struct ydoc *doc, const struct ynode *item);

#endif /* VIGIL_RULES_COLLECTION_H */
