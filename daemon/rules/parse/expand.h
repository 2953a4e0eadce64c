/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Macro and list expansion: a rule's parsed condition with every macro
 * reference replaced by the macro's (expanded) tree, every list name in a
 * list operand replaced by the list's flattened items, and the rule's
 * exceptions appended as `and not (...)`.
 */
#ifndef VIGIL_RULES_EXPAND_H
#define VIGIL_RULES_EXPAND_H

#include "rules/collection.h"
#include "rules/parse/ast.h"

/* Nodes and list values one expanded condition may have (macros can nest
 * exponentially), and all of a rule set's conditions together. */
#define VGL_EXPAND_MAX_NODES 200000
#define VGL_EXPAND_MAX_TOTAL 1000000

/* Parse @src (a rule's or macro's condition) with positions from its YAML. */
int cond_parse_src(struct collection *c, const struct cond_src *src, struct ast **ret);

/*
 * Expand @a in place (macros, lists). Returns 0, -EINVAL (reported in
 * c->diag) or -ENOMEM. On error @a may be partly expanded; free it.
 */
int ast_expand(struct collection *c, struct ast **a);

/* `and not (...)` for each of @r's exceptions, appended to *@a. */
int ast_add_exceptions(struct collection *c, const struct rule_def *r, struct ast **a);

#endif /* VIGIL_RULES_EXPAND_H */
