/* SPDX-License-Identifier: Apache-2.0 */
/*
 * What a condition allows of an event, as clauses "path atom, process name
 * and class in mask" (prefilter.h): the algebra of and / or / not over them. A result is
 * exact when it is what the condition is, and otherwise an
 * over-approximation. Each result also knows the classes where the
 * condition surely holds, whatever the path and process (must): the not
 * of a result allows what it did not surely allow, and surely holds where
 * it allowed nothing.
 */
#ifndef VIGIL_RULES_PREFILTER_CLAUSES_H
#define VIGIL_RULES_PREFILTER_CLAUSES_H

#include "rules/prefilter.h"

#define PF_MAX_CLAUSES 4096 /* a product past this keeps one side */

struct pfr {
	struct vgl_pf_entry *c;
	size_t n;
	struct vgl_pf_mask must; /* classes where the condition surely holds */
	bool exact;
	bool nomem;
};

void pfr_free(struct pfr *r);
struct pfr pfr_mask(struct vgl_pf_mask m, bool exact);
struct pfr pfr_true(bool exact);
/* Any path, the classes in @may; surely those in @must (a subset of @may). */
struct pfr pfr_may_must(struct vgl_pf_mask may, struct vgl_pf_mask must);
/* One clause per value: @type with the value as given, every class. */
int pfr_add_atom(struct pfr *r, enum vgl_pf_atom type, const char *s, size_t len);
/* One clause "the process name is @s", any path, every class. */
int pfr_add_comm(struct pfr *r, const char *s, size_t len);
struct pfr pfr_and(struct pfr a, struct pfr b);
struct pfr pfr_or(struct pfr a, struct pfr b);
struct pfr pfr_not(struct pfr a);

/* The union of the classes of the clauses with neither a path atom nor a process name. */
struct vgl_pf_mask pfr_any(const struct pfr *r);

static inline struct vgl_pf_mask pf_mask_and(struct vgl_pf_mask a, struct vgl_pf_mask b)
{
	return (struct vgl_pf_mask){ { a.w[0] & b.w[0], a.w[1] & b.w[1] } };
}

static inline struct vgl_pf_mask pf_mask_or(struct vgl_pf_mask a, struct vgl_pf_mask b)
{
	return (struct vgl_pf_mask){ { a.w[0] | b.w[0], a.w[1] | b.w[1] } };
}

static inline bool pf_mask_empty(struct vgl_pf_mask m)
{
	return !m.w[0] && !m.w[1];
}

static inline bool pf_mask_full(struct vgl_pf_mask m)
{
	return m.w[0] == UINT64_MAX && m.w[1] == UINT64_MAX;
}

/* The classes where bit @bit is @set. */
struct vgl_pf_mask pf_mask_bit(unsigned int bit, bool set);

/* Sort by atom and string, merge equal atoms' masks, drop empty ones. */
int pfr_normalize(struct pfr *r);

#endif /* VIGIL_RULES_PREFILTER_CLAUSES_H */
