/* SPDX-License-Identifier: Apache-2.0 */
/*
 * A YAML document as a small tree of scalars, sequences and mappings, each
 * node with its line and column, built with libyaml's event API so that every
 * error can point at the text that caused it.
 */
#ifndef VIGIL_RULES_YNODE_H
#define VIGIL_RULES_YNODE_H

#include <stdbool.h>
#include <stddef.h>

#include "rules/diag.h"

enum ynode_type {
	YN_SCALAR,
	YN_SEQ,
	YN_MAP,
};

enum ynode_style {
	YS_PLAIN,
	YS_QUOTED,
	YS_BLOCK,
};

struct ynode {
	enum ynode_type type;
	enum ynode_style style;
	struct vgl_pos pos;
	char *str; /* scalar value, NUL-terminated */
	size_t len;
	size_t raw_start; /* byte offsets of the scalar in the file */
	size_t raw_end;
	struct ynode **kids; /* sequence items; mapping keys and values, alternating */
	size_t nkids;
	size_t kids_cap; /* allocated entries of kids */
};

struct ydoc {
	char *file;
	char *raw;
	size_t raw_len;
	struct ynode *root; /* NULL for an empty document */
};

/* Limits against hostile input. */
#define YDOC_MAX_DEPTH 32
#define YDOC_MAX_NODES (1u << 20)

/*
 * Limits checked as each node is read, so that a hostile file is refused at
 * its first excess rather than after its whole tree is built; 0 means the
 * default in brackets.
 */
struct ydoc_limits {
	size_t max_nodes;   /* nodes in the document [YDOC_MAX_NODES] */
	size_t max_entries; /* items of one sequence, pairs of one mapping [none] */
	size_t max_scalar;  /* bytes of one scalar, a condition's limit [none] */
};

/*
 * Parse @size bytes of @buf (copied) named @file within @lim (NULL: the
 * defaults). Returns 0, or -EINVAL with the syntax error or the exceeded
 * limit, at its position, in @diag, or -ENOMEM.
 */
int ydoc_parse_limited(const char *file, const char *buf, size_t size,
		       const struct ydoc_limits *lim, struct ydoc *ret_doc, struct vgl_diag *diag);
/* ydoc_parse_limited() with the default limits. */
int ydoc_parse(const char *file, const char *buf, size_t size, struct ydoc *ret_doc,
	       struct vgl_diag *diag);
void ydoc_free(struct ydoc *doc);

/* Value of @key in mapping @map, or NULL. */
const struct ynode *ynode_get(const struct ynode *map, const char *key);

/* Position of byte @off of scalar @n's value in the file. */
void ydoc_pos(const struct ydoc *doc, const struct ynode *n, size_t off, struct vgl_pos *ret);

/* Scalar truth value: true/false/yes/no/on/off. Returns -1 if not boolean. */
int ynode_bool(const struct ynode *n);

#endif /* VIGIL_RULES_YNODE_H */
