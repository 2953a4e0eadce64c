// SPDX-License-Identifier: Apache-2.0
/* The clause algebra of the prefilter (clauses.h). */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "rules/prefilter/clauses.h"

void pfr_free(struct pfr *r)
{
	for (size_t i = 0; i < r->n; i++) {
		free(r->c[i].s);
		free(r->c[i].comm);
	}
	free(r->c);
	r->c = NULL;
	r->n = 0;
}

struct vgl_pf_mask pf_mask_bit(unsigned int bit, bool set)
{
	struct vgl_pf_mask m = { { 0, 0 } };

	for (unsigned int cls = 0; cls < 128; cls++)
		if (!!(cls & (1u << bit)) == set)
			m.w[cls / 64] |= 1ull << (cls % 64);
	return m;
}

/* Append a clause; it owns @s and @comm (freed when it is empty or on failure). */
static int push(struct pfr *r, enum vgl_pf_atom type, char *s, char *comm, struct vgl_pf_mask m)
{
	struct vgl_pf_entry *c;

	if (pf_mask_empty(m)) {
		free(s);
		free(comm);
		return 0;
	}
	c = realloc(r->c, (r->n + 1) * sizeof(*c));
	if (!c) {
		free(s);
		free(comm);
		r->nomem = true;
		return -ENOMEM;
	}
	r->c = c;
	r->c[r->n++] = (struct vgl_pf_entry){ .type = type, .s = s, .comm = comm, .mask = m };
	return 0;
}

struct pfr pfr_mask(struct vgl_pf_mask m, bool exact)
{
	struct pfr r = { .exact = exact };

	if (exact)
		r.must = m;
	push(&r, VGL_PF_ANY, NULL, NULL, m);
	return r;
}

struct pfr pfr_may_must(struct vgl_pf_mask may, struct vgl_pf_mask must)
{
	struct pfr r = pfr_mask(may, false);

	r.must = pf_mask_and(must, may);
	r.exact = !memcmp(&r.must, &may, sizeof(may));
	return r;
}

struct pfr pfr_true(bool exact)
{
	return pfr_mask((struct vgl_pf_mask)VGL_PF_ALL, exact);
}

int pfr_add_atom(struct pfr *r, enum vgl_pf_atom type, const char *s, size_t len)
{
	char *copy = strndup(s, len);

	if (!copy) {
		r->nomem = true;
		return -ENOMEM;
	}
	return push(r, type, copy, NULL, (struct vgl_pf_mask)VGL_PF_ALL);
}

int pfr_add_comm(struct pfr *r, const char *s, size_t len)
{
	char *copy = strndup(s, len);

	if (!copy) {
		r->nomem = true;
		return -ENOMEM;
	}
	return push(r, VGL_PF_ANY, NULL, copy, (struct vgl_pf_mask)VGL_PF_ALL);
}

struct vgl_pf_mask pfr_any(const struct pfr *r)
{
	struct vgl_pf_mask m = { { 0, 0 } };

	for (size_t i = 0; i < r->n; i++)
		if (r->c[i].type == VGL_PF_ANY && !r->c[i].comm)
			m = pf_mask_or(m, r->c[i].mask);
	return m;
}

/* Whether every clause tests a path or a process name. */
static bool has_atoms(const struct pfr *r)
{
	for (size_t i = 0; i < r->n; i++)
		if (r->c[i].type == VGL_PF_ANY && !r->c[i].comm)
			return false;
	return r->n > 0;
}

/*
 * The conjunction of two clauses: one path atom survives (the left's,
 * unless only it is a substring, which costs the kernel a scan); two
 * different process names cannot both hold.
 */
static int clause_and(struct pfr *out, const struct vgl_pf_entry *x, const struct vgl_pf_entry *y)
{
	const struct vgl_pf_entry *keep =
		x->type != VGL_PF_ANY && !(x->type == VGL_PF_CONTAINS && y->type != VGL_PF_ANY &&
					   y->type != VGL_PF_CONTAINS)
			? x
			: y;
	const char *comm = x->comm ? x->comm : y->comm;
	struct vgl_pf_mask m = pf_mask_and(x->mask, y->mask);
	char *s = NULL, *c = NULL;

	if (x->type != VGL_PF_ANY && y->type != VGL_PF_ANY)
		out->exact = false;
	if (pf_mask_empty(m) || (x->comm && y->comm && strcmp(x->comm, y->comm)))
		return 0;
	if ((keep->s && !(s = strdup(keep->s))) || (comm && !(c = strdup(comm)))) {
		free(s);
		out->nomem = true;
		return -ENOMEM;
	}
	return push(out, keep->type, s, c, m);
}

/* Too many clauses: one side alone allows more; keep the one with paths. */
static struct pfr keep_one(struct pfr a, struct pfr b)
{
	bool keep_a = has_atoms(&a) || (!has_atoms(&b) && a.n <= b.n);

	pfr_free(keep_a ? &b : &a);
	if (keep_a) {
		a.exact = false;
		return a;
	}
	b.exact = false;
	return b;
}

struct pfr pfr_and(struct pfr a, struct pfr b)
{
	struct pfr out = { .exact = a.exact && b.exact, .nomem = a.nomem || b.nomem };

	out.must = pf_mask_and(a.must, b.must);
	if (out.nomem || a.n * b.n > PF_MAX_CLAUSES) {
		if (out.nomem) {
			pfr_free(&a);
			pfr_free(&b);
			return out;
		}
		a.must = b.must = out.must;
		return keep_one(a, b);
	}
	for (size_t i = 0; i < a.n && !out.nomem; i++)
		for (size_t j = 0; j < b.n && !out.nomem; j++)
			clause_and(&out, &a.c[i], &b.c[j]);
	pfr_free(&a);
	pfr_free(&b);
	if (!out.nomem)
		pfr_normalize(&out);
	return out;
}

struct pfr pfr_or(struct pfr a, struct pfr b)
{
	struct vgl_pf_entry *c;

	a.exact = a.exact && b.exact;
	a.nomem = a.nomem || b.nomem;
	a.must = pf_mask_or(a.must, b.must);
	if (!a.nomem && b.n) {
		c = realloc(a.c, (a.n + b.n) * sizeof(*c));
		if (!c) {
			a.nomem = true;
		} else {
			a.c = c;
			memcpy(a.c + a.n, b.c, b.n * sizeof(*c));
			a.n += b.n;
			free(b.c);
			b.c = NULL;
			b.n = 0;
		}
	}
	pfr_free(&b);
	if (!a.nomem)
		pfr_normalize(&a);
	return a;
}

/* Not: what @a did not surely allow; surely where @a allowed nothing. */
struct pfr pfr_not(struct pfr a)
{
	struct vgl_pf_mask may = { { 0, 0 } }, must = a.must;

	if (a.nomem)
		return a;
	for (size_t i = 0; i < a.n; i++)
		may = pf_mask_or(may, a.c[i].mask);
	pfr_free(&a);
	return pfr_may_must((struct vgl_pf_mask){ { ~must.w[0], ~must.w[1] } },
			    (struct vgl_pf_mask){ { ~may.w[0], ~may.w[1] } });
}

static int cmp_str(const char *a, const char *b)
{
	if (!a || !b)
		return !!a - !!b;
	return strcmp(a, b);
}

static int cmp_entry(const void *x, const void *y)
{
	const struct vgl_pf_entry *a = x, *b = y;
	int c;

	if (a->type != b->type)
		return (int)a->type - (int)b->type;
	c = cmp_str(a->s, b->s);
	return c ? c : cmp_str(a->comm, b->comm);
}

int pfr_normalize(struct pfr *r)
{
	size_t out = 0;

	if (r->n < 2)
		return 0; /* qsort(NULL, 0, ...) is undefined */
	qsort(r->c, r->n, sizeof(*r->c), cmp_entry);
	for (size_t i = 0; i < r->n; i++) {
		if (out && !cmp_entry(&r->c[out - 1], &r->c[i])) {
			r->c[out - 1].mask = pf_mask_or(r->c[out - 1].mask, r->c[i].mask);
			free(r->c[i].s);
			free(r->c[i].comm);
			continue;
		}
		r->c[out++] = r->c[i];
	}
	r->n = out;
	return 0;
}
