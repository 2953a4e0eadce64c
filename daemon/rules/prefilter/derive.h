/* SPDX-License-Identifier: Apache-2.0 */
/* Inside the prefilter's derivation: comparisons and trees to clauses. */
#ifndef VIGIL_RULES_PREFILTER_DERIVE_H
#define VIGIL_RULES_PREFILTER_DERIVE_H

#include "rules/parse/ast.h"
#include "rules/prefilter/clauses.h"

/* One comparison on an open of @kind (atoms.c). */
struct pfr pf_cmp(const struct ast *a, enum vgl_kind kind);

/* An expanded condition on an open of @kind. */
struct pfr pf_tree(const struct ast *a, enum vgl_kind kind);

#endif /* VIGIL_RULES_PREFILTER_DERIVE_H */
