// SPDX-License-Identifier: Apache-2.0
/*
 * The prefilter from the rule sets (prefilter.h): each enabled rule's
 * expanded condition, per filterable kind it applies to, as clauses; their
 * union per kind, with each entry's mask widened by the shorter entries it
 * extends, which is what the kernel's longest-prefix lookups need. Clauses
 * that name a process become that name's classes, their path left out.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "rules/compile/compile.h"
#include "rules/prefilter/derive.h"

struct pfr pf_tree(const struct ast *a, enum vgl_kind kind)
{
	struct pfr acc;

	switch (a->type) {
	case AST_CMP:
		return pf_cmp(a, kind);
	case AST_NOT:
		return pfr_not(pf_tree(a->kids[0], kind));
	case AST_AND:
	case AST_OR:
		acc = pf_tree(a->kids[0], kind);
		for (size_t i = 1; i < a->nkids; i++) {
			struct pfr k = pf_tree(a->kids[i], kind);

			acc = a->type == AST_AND ? pfr_and(acc, k) : pfr_or(acc, k);
		}
		return acc;
	default:
		return pfr_true(false);
	}
}

bool vgl_pf_kind_filterable(enum vgl_kind k)
{
	return vgl_pf_kind_has_paths(k) || k == VGL_EV_CONNECT || k == VGL_EV_SOCKET;
}

bool vgl_pf_kind_has_paths(enum vgl_kind k)
{
	return k == VGL_EV_OPEN || k == VGL_EV_OPENAT || k == VGL_EV_OPENAT2 || k == VGL_EV_CREAT;
}

/*
 * A rule whose events take fd.* of a socket from the fd tracker's entries,
 * which the tracker makes from the socket calls (close, fcntl: they do not
 * describe their descriptor); NULL if none. Then no socket call may be
 * dropped.
 */
static const char *tracker_user(const struct vgl_ruleset *const *sets, size_t nsets)
{
	for (size_t s = 0; s < nsets; s++)
		for (size_t i = 0; i < sets[s]->nrules; i++)
			if (sets[s]->rules[i].info.enabled &&
			    (vgl_ruleset_rule_kind(sets[s], i, VGL_EV_CLOSE) ||
			     vgl_ruleset_rule_kind(sets[s], i, VGL_EV_FCNTL)))
				return sets[s]->rules[i].info.name;
	return NULL;
}

static void unfilter(struct vgl_pf_kind *k, const char *why, const char *name)
{
	if (!k->filtered)
		return;
	k->filtered = false;
	snprintf(k->why, sizeof(k->why), "%s%s%s%s", why, name ? " \"" : "", name ? name : "",
		 name ? "\"" : "");
}

/* Rule @cr's clauses for kind @kind into @acc. */
static int add_rule(struct vgl_pf_kind *k, struct pfr *acc, const struct crule *cr,
		    enum vgl_kind kind)
{
	struct pfr r = pf_tree(cr->ast, kind);

	if (r.nomem) {
		pfr_free(&r);
		return -ENOMEM;
	}
	if (r.n)
		k->nrules++;
	if (!pf_mask_empty(pfr_any(&r)) && k->nany_by < 4)
		snprintf(k->any_by[k->nany_by++], sizeof(k->any_by[0]), "%s", cr->info.name);
	if (pf_mask_full(pf_mask_or(pfr_any(acc), pfr_any(&r))))
		unfilter(k,
			 kind == VGL_EV_CONNECT	 ? "every connect may match rule"
			 : kind == VGL_EV_SOCKET ? "every socket call may match rule"
						 : "every open may match rule",
			 cr->info.name);
	*acc = pfr_or(*acc, r);
	return acc->nomem ? -ENOMEM : 0;
}

static bool extends(const struct vgl_pf_entry *longer, const struct vgl_pf_entry *shorter)
{
	size_t a = strlen(longer->s), b = strlen(shorter->s);

	if (b > a || longer->type == VGL_PF_DIR || shorter->type == VGL_PF_DIR)
		return false; /* directories are looked up exactly, in a slot of their own */
	if (shorter->type == VGL_PF_SUFFIX)
		return longer->type == VGL_PF_SUFFIX && !memcmp(longer->s + a - b, shorter->s, b);
	if ((shorter->type >= VGL_PF_NAME_EXACT) != (longer->type >= VGL_PF_NAME_EXACT))
		return false;
	if (shorter->type == VGL_PF_NAME_PREFIX)
		return !memcmp(longer->s, shorter->s, b);
	return shorter->type == VGL_PF_PREFIX && longer->type != VGL_PF_SUFFIX &&
	       !memcmp(longer->s, shorter->s, b);
}

static int cmp_comm(const void *x, const void *y)
{
	return memcmp(((const struct vgl_pf_comm *)x)->comm, ((const struct vgl_pf_comm *)y)->comm,
		      VGL_COMM_LEN);
}

/*
 * Move the clauses that name a process into @k's process names, each with
 * the union of its clauses' classes: sorted, then merged (n log n in the
 * clauses). Returns 0, -ENOMEM, or 1 when there are more than
 * VGL_PF_MAX_COMMS names.
 */
static int take_comms(struct vgl_pf_kind *k, struct pfr *acc)
{
	struct vgl_pf_comm *c = calloc(acc->n ? acc->n : 1, sizeof(*c));
	size_t n = 0, nc = 0, out = 0;

	if (!c)
		return -ENOMEM;
	for (size_t i = 0; i < acc->n; i++) {
		struct vgl_pf_entry *e = &acc->c[i];

		if (!e->comm) {
			acc->c[n++] = *e;
			continue;
		}
		strncpy(c[nc].comm, e->comm, VGL_COMM_LEN - 1);
		c[nc++].mask = e->mask;
		free(e->s);
		free(e->comm);
	}
	acc->n = n;
	qsort(c, nc, sizeof(*c), cmp_comm);
	for (size_t i = 0; i < nc; i++) {
		if (out && !memcmp(c[out - 1].comm, c[i].comm, VGL_COMM_LEN))
			c[out - 1].mask = pf_mask_or(c[out - 1].mask, c[i].mask);
		else
			c[out++] = c[i];
	}
	k->comm = c;
	k->ncomm = out;
	return out > VGL_PF_MAX_COMMS;
}

/*
 * Move the substring clauses into @k's VGL_PF_NSUBS substrings, each with
 * the union of its clauses' classes; past them, into @over (classes that
 * then pass any path).
 */
static void take_subs(struct vgl_pf_kind *k, struct pfr *acc, struct vgl_pf_mask *over)
{
	size_t n = 0;

	for (size_t i = 0; i < acc->n; i++) {
		struct vgl_pf_entry *e = &acc->c[i];
		size_t j = 0;

		if (e->type != VGL_PF_CONTAINS) {
			acc->c[n++] = *e;
			continue;
		}
		while (j < k->nsub && strcmp(k->sub[j].s, e->s))
			j++;
		if (j == k->nsub && k->nsub < VGL_PF_NSUBS) {
			snprintf(k->sub[j].s, sizeof(k->sub[j].s), "%s", e->s);
			k->nsub++;
		}
		if (j < k->nsub)
			k->sub[j].mask = pf_mask_or(k->sub[j].mask, e->mask);
		else {
			*over = pf_mask_or(*over, e->mask);
			k->nsub_over++;
		}
		free(e->s);
		free(e->comm);
	}
	acc->n = n;
}

/* The table of @e (VGL_PF_GATE_*) and the key byte its gate tests, or -1 for any. */
static int gate_of(const struct vgl_pf_entry *e, int *byte)
{
	size_t len = strlen(e->s);

	switch (e->type) {
	case VGL_PF_SUFFIX:
		*byte = len ? (unsigned char)e->s[len - 1] : -1;
		return VGL_PF_GATE_REV;
	case VGL_PF_DIR: /* "/" is the key "/" and its NUL */
		*byte = len >= 2 ? (unsigned char)e->s[1] : 0;
		return VGL_PF_GATE_DIR;
	default: /* the second byte (after a leading "/"); exact "x" has its NUL there */
		*byte = len >= 2 ? (unsigned char)e->s[1]
			: (e->type == VGL_PF_EXACT || e->type == VGL_PF_NAME_EXACT) && len ? 0
											   : -1;
		return e->type >= VGL_PF_NAME_EXACT ? VGL_PF_GATE_NAME : VGL_PF_GATE_FWD;
	}
}

static void gate_add(struct vgl_pf_gate *g, const struct vgl_pf_mask *m, int byte)
{
	g->cls[0] |= m->w[0];
	g->cls[1] |= m->w[1];
	for (int w = 0; w < 4; w++)
		g->bytes[w] |= byte < 0 ? UINT64_MAX : byte / 64 == w ? 1ull << (byte % 64) : 0;
}

/* Each table's gate: the union of its entries' classes and key bytes. */
static void set_gates(struct vgl_pf_kind *k)
{
	for (size_t i = 0; i < k->ncomm; i++)
		gate_add(&k->gate[VGL_PF_GATE_COMM], &k->comm[i].mask,
			 (unsigned char)k->comm[i].comm[0]);
	for (size_t i = 0; i < k->n; i++) {
		int byte, t = gate_of(&k->e[i], &byte);

		gate_add(&k->gate[t], &k->e[i].mask, byte);
	}
}

/* Cut to what a key holds (shorter atoms allow more), then widen the masks. */
static int finish_kind(struct vgl_pf_kind *k, struct pfr *acc)
{
	struct vgl_pf_mask over = { { 0, 0 } };
	size_t n = 0;

	switch (take_comms(k, acc)) {
	case 0:
		break;
	case 1:
		unfilter(k, "more process names than the kernel's table holds", NULL);
		return 0;
	default:
		return -ENOMEM;
	}
	take_subs(k, acc, &over);
	k->any = pf_mask_or(pfr_any(acc), over);
	if (pf_mask_full(k->any)) {
		unfilter(k, "every open may hold one of more substrings than the kernel tests",
			 NULL);
		return 0;
	}
	for (size_t i = 0; i < acc->n; i++) {
		struct vgl_pf_entry *e = &acc->c[i];
		size_t len = strlen(e->s ? e->s : "");

		if (e->type == VGL_PF_ANY) {
			free(e->s);
			continue;
		}
		if ((e->type == VGL_PF_EXACT || e->type == VGL_PF_NAME_EXACT) && len >= VGL_PF_PATH)
			e->type = e->type == VGL_PF_EXACT ? VGL_PF_PREFIX : VGL_PF_NAME_PREFIX;
		if ((e->type == VGL_PF_PREFIX || e->type == VGL_PF_NAME_PREFIX) &&
		    len > VGL_PF_PATH)
			e->s[VGL_PF_PATH] = '\0';
		if (e->type == VGL_PF_SUFFIX && len > VGL_PF_PATH)
			memmove(e->s, e->s + len - VGL_PF_PATH, VGL_PF_PATH + 1);
		acc->c[n++] = *e;
	}
	acc->n = n;
	pfr_normalize(acc);
	k->e = acc->c;
	k->n = acc->n;
	acc->c = NULL;
	acc->n = 0;
	for (size_t i = 0; i < k->n; i++) {
		if (k->e[i].type == VGL_PF_SUFFIX && strlen(k->e[i].s) > k->max_suffix)
			k->max_suffix = strlen(k->e[i].s);
		for (size_t j = 0; j < k->n; j++)
			if (j != i && extends(&k->e[i], &k->e[j]))
				k->e[i].mask = pf_mask_or(k->e[i].mask, k->e[j].mask);
	}
	set_gates(k);
	if (k->n > VGL_PF_MAX_ENTRIES)
		unfilter(k, "more path constants than the kernel's tables hold", NULL);
	return 0;
}

static int derive_kind(struct vgl_prefilter *pf, const struct vgl_ruleset *const *sets,
		       size_t nsets, enum vgl_kind kind)
{
	struct vgl_pf_kind *k = &pf->k[kind];
	struct pfr acc = { .exact = true };
	const char *user = vgl_pf_kind_has_paths(kind) ? NULL : tracker_user(sets, nsets);
	int ret = 0;

	if (user)
		unfilter(k, "the fd tracker follows sockets for the close or fcntl of rule", user);

	for (size_t s = 0; s < nsets && !ret; s++) {
		const struct vgl_ruleset *rs = sets[s];

		for (size_t i = 0; i < rs->nrules && !ret && k->filtered; i++) {
			const struct crule *cr = &rs->rules[i];

			if (cr->info.enabled && cr->root && cr->ast &&
			    vgl_ruleset_rule_kind(rs, i, kind))
				ret = add_rule(k, &acc, cr, kind);
		}
	}
	if (!ret && k->filtered)
		ret = finish_kind(k, &acc);
	pfr_free(&acc);
	return ret;
}

int vgl_prefilter_derive(const struct vgl_ruleset *const *sets, size_t nsets,
			 const struct vgl_kindset *keep, const char *keep_why,
			 struct vgl_prefilter **ret)
{
	struct vgl_prefilter *pf = calloc(1, sizeof(*pf));
	int err = 0;

	if (!pf)
		return -ENOMEM;
	for (int k = 1; k < VGL_EV_MAX && !err; k++) {
		pf->k[k].filtered = vgl_pf_kind_filterable(k);
		if (!pf->k[k].filtered)
			continue;
		if (keep && keep->has[k])
			unfilter(&pf->k[k], keep_why, NULL);
		else
			err = derive_kind(pf, sets, nsets, k);
	}
	if (err) {
		vgl_prefilter_free(pf);
		return err;
	}
	*ret = pf;
	return 0;
}

void vgl_prefilter_free(struct vgl_prefilter *pf)
{
	if (!pf)
		return;
	for (int k = 0; k < VGL_EV_MAX; k++) {
		for (size_t i = 0; i < pf->k[k].n; i++)
			free(pf->k[k].e[i].s);
		free(pf->k[k].e);
		free(pf->k[k].comm);
	}
	free(pf);
}
