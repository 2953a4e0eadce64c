/* SPDX-License-Identifier: Apache-2.0 */
/* Condition syntax tree: what the parser produces and macro expansion edits. */
#ifndef VIGIL_RULES_AST_H
#define VIGIL_RULES_AST_H

#include <stdbool.h>
#include <stddef.h>

#include "rules/diag.h"

enum ast_type {
	AST_AND,
	AST_OR,
	AST_NOT,
	AST_CMP,
	AST_REF, /* macro reference */
};

enum vgl_op {
	OP_EQ,
	OP_NE,
	OP_LT,
	OP_LE,
	OP_GT,
	OP_GE,
	OP_CONTAINS,
	OP_ICONTAINS,
	OP_BCONTAINS,
	OP_STARTSWITH,
	OP_BSTARTSWITH,
	OP_ENDSWITH,
	OP_GLOB,
	OP_IGLOB,
	OP_PMATCH,
	OP_IN,
	OP_INTERSECTS,
	OP_EXISTS,
	OP_REGEX,
	OP_MAX,
};

extern const char *const vgl_op_names[OP_MAX];

/* Whether @op takes a parenthesised list of values. */
static inline bool op_takes_list(enum vgl_op op)
{
	return op == OP_IN || op == OP_INTERSECTS || op == OP_PMATCH;
}

struct ast_val {
	char *s;
	size_t len;
	bool bare; /* unquoted: may name a list */
	struct vgl_pos pos;
};

struct ast {
	enum ast_type type;
	struct vgl_pos pos;
	struct ast **kids; /* AND, OR: nkids >= 2; NOT: 1 */
	size_t nkids;
	/* CMP */
	char *field;
	char *arg; /* field argument inside [...], or NULL */
	struct vgl_pos arg_pos;
	enum vgl_op op;
	struct vgl_pos op_pos;
	struct ast_val *vals;
	size_t nvals;
	bool list; /* the value was a (list) */
	/* REF */
	char *name;
};

struct ast *ast_new(enum ast_type type, const struct vgl_pos *pos);
void ast_free(struct ast *a);
struct ast *ast_clone(const struct ast *a);
int ast_add_kid(struct ast *a, struct ast *kid);
int ast_add_val(struct ast *a, const char *s, size_t len, bool bare, const struct vgl_pos *pos);
/* A new AND/OR/NOT node owning @l and @r (r NULL for NOT); frees both on failure. */
struct ast *ast_join(enum ast_type type, struct ast *l, struct ast *r);

/*
 * Canonical text: "(and (or a b) (not c))", comparisons as
 * `field[arg] op value` with quoted values in double quotes. snprintf semantics.
 */
size_t ast_format(const struct ast *a, char *buf, size_t size);

/* Maps a byte offset of the condition text to a file position. */
typedef void (*ast_pos_fn)(const void *data, size_t off, struct vgl_pos *ret);

struct parse_opts {
	size_t max_depth;
	size_t max_list_items;
	ast_pos_fn pos_fn; /* NULL: line 1, column = offset + 1 */
	const void *pos_data;
};

/*
 * Parse condition @text (@len bytes; NUL bytes are an error). Returns 0 and
 * the tree, or -EINVAL with one error in @diag, or -ENOMEM.
 */
int cond_parse(const char *text, size_t len, const struct parse_opts *opts, struct ast **ret,
	       struct vgl_diag *diag);

#endif /* VIGIL_RULES_AST_H */
