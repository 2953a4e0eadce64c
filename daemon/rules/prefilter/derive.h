/* SPDX-License-Identifier: Apache-2.0 */
/* Inside the prefilter's derivation: comparisons and trees to clauses. */
#ifndef VIGIL_RULES_PREFILTER_DERIVE_H
#define VIGIL_RULES_PREFILTER_DERIVE_H

#include "rules/parse/ast.h"
#include "rules/prefilter/clauses.h"

/* One comparison on an event of @kind (atoms.c). */
struct pfr pf_cmp(const struct ast *a, enum vgl_kind kind);
/* ... of a connect or a socket call (atoms_net.c). */
struct pfr pf_cmp_net(const struct ast *a, enum vgl_kind kind);
/* evt.type on @kind; proc.name (its process names). */
struct pfr pf_evt_type(const struct ast *a, enum vgl_kind kind);
struct pfr pf_proc_name(const struct ast *a);

/* An expanded condition on an event of @kind. */
struct pfr pf_tree(const struct ast *a, enum vgl_kind kind);

#endif /* VIGIL_RULES_PREFILTER_DERIVE_H */
