/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The compiled rule set: predicate trees with resolved fields and typed
 * constants, rules indexed by event kind, and the per-thread match context
 * with its per-event field cache.
 */
#ifndef VIGIL_RULES_COMPILE_H
#define VIGIL_RULES_COMPILE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "rules/collection.h"
#include "rules/compile/sets.h"
#include "rules/fields/fields.h"
#include "rules/parse/ast.h"
#include "rules/rules.h"

enum cnode_type {
	CN_AND,
	CN_OR,
	CN_NOT,
	CN_CONST,
	CN_KIND, /* evt.type in a set of kinds */
	CN_CMP,
};

/* One typed constant. */
struct cval {
	char *s; /* strings (lower-cased for icontains / iglob; bytes for b*) */
	size_t len;
	int64_t i;
	uint8_t ip[16];
	uint8_t fam;
	uint8_t prefix; /* FT_NET: network prefix length */
};

/* How cmp_eval() tests one value: a fast path, or the generic operator switch. */
enum cmp_fast {
	CF_GENERIC,
	CF_STR_EQ,     /* = on a string, one constant */
	CF_STR_PREFIX, /* startswith, one constant */
	CF_STR_SUFFIX, /* endswith, one constant */
	CF_NUM,	       /* = != < <= > >= on an integer or boolean */
};

struct cnode {
	enum cnode_type type;
	uint8_t fast; /* CMP: enum cmp_fast (cnode_prepare()) */
	enum vgl_op op;
	bool value;	   /* CN_CONST */
	bool haskind;	   /* a CN_KIND node below (or here) */
	bool spec;	   /* allocated by cnode_specialize() */
	bool merged;	   /* CMP of merged alternatives (a merged set keeps its first vals only) */
	bool shared;	   /* interned or merged CMP, owned by the rule set (intern.c) */
	bool lazy;	   /* grouped glob: a stamp means "maybe" (groups.h) */
	unsigned int memo; /* shared CMP: 1 + its per-event result slot, 0 none */
	unsigned int group; /* 1 + its field group (groups.c), 0 none */
	unsigned int cost;
	struct cnode **kids;
	size_t nkids;
	uint64_t kinds[2]; /* CN_KIND: bit per enum vgl_kind */
	const struct field_ref *ref;
	struct cval *vals; /* scalar operand, or small lists */
	size_t nvals;
	struct strset *set; /* `in` / merged `=` on strings, ints, ips */
	struct trie *trie;  /* merged startswith / endswith, pmatch */
	void *re;	    /* pcre2_code for regex */
};

#define KCAND_GUARDS 4

/* A candidate rule for one event kind: its tree with evt.type tests folded. */
struct kcand {
	uint32_t rule;
	unsigned int nguards;
	struct cnode *root;
	/* The rule needs one of these (shared, memoized) comparisons; none: no guard. */
	const struct cnode *guards[KCAND_GUARDS];
	/* All guards grouped: their memo slots, answered before the candidates run. */
	bool grouped;
	unsigned int gslots[KCAND_GUARDS];
};

/*
 * Per event kind: the candidates the kind's grouped guards admit (wake.c).
 * Bit i of a bitmap is candidate i of the kind.
 */
struct kwake {
	size_t nwords;	     /* bitmap words */
	uint64_t *always;    /* candidates that test their own guards (or have none) */
	unsigned int *slots; /* memo slots of the grouped guards, each once */
	uint64_t *masks;     /* per slot, nwords words: the candidates it admits */
	size_t nslots;
	uint32_t *mask_of; /* per memo slot: 1 + its index in slots, 0 not a guard */
};

struct crule {
	struct vgl_rule_info info;
	struct cnode *root;
	struct ast *ast; /* expanded condition (naive evaluation, tests) */
	uint64_t kinds[2];
	struct ofmt *output;
};

struct vgl_ruleset {
	struct crule *rules;
	size_t nrules;
	size_t nmacros;
	size_t nlists;
	struct field_ref **refs; /* unique fields; slot = index */
	size_t nrefs;
	struct kcand *kind_rules[VGL_EV_MAX]; /* enabled candidate rules per kind */
	size_t nkind_rules[VGL_EV_MAX];
	bool first_match;
	struct cnode **shared; /* interned comparisons (intern.c) */
	size_t nshared;
	struct fgroup *groups; /* comparisons answered per field (groups.c) */
	size_t ngroups;
	unsigned int *kind_groups[VGL_EV_MAX]; /* groups of the kind's grouped guards */
	size_t nkind_groups[VGL_EV_MAX];
	struct kwake wake[VGL_EV_MAX];
	size_t wake_words; /* the largest kind's bitmap */
};

struct fslot {
	uint64_t epoch;
	int n;
	struct vgl_fval *v;
};

#define VGL_SCRATCH_SIZE (256u * 1024)

struct memo {
	uint64_t epoch;
	bool value;
	bool known; /* lazy grouped comparisons: value is computed */
};

struct vgl_match_ctx {
	const struct vgl_ruleset *rs;
	struct memo *memo;  /* results of shared comparisons for this event */
	uint64_t *gepoch;   /* per field group: the event it was last answered for */
	uint64_t *wake;	    /* this event's candidates (struct kwake bitmap) */
	unsigned int *hits; /* memo slots groups stamped for this event, each once */
	size_t nhits;
	struct fslot *slots;
	struct vgl_fval *vals;
	uint64_t epoch;
	struct vgl_xctx x;
	void *md; /* pcre2_match_data */
};

static inline bool kind_test(const uint64_t k[2], unsigned int kind)
{
	return (k[kind / 64] >> (kind % 64)) & 1;
}

/* Compile an expanded tree; errors go to c->diag. */
int cnode_compile(struct collection *c, struct vgl_ruleset *rs, const struct ast *a,
		  struct cnode **ret);
void cnode_free(struct cnode *n);
/* Kinds a tree can match (negated: kinds its negation can match). */
void cnode_kinds(const struct cnode *n, bool neg, uint64_t ret[2]);

/* Merge an OR's alternatives on one field into sets and tries (merge.c). */
int cnode_merge_or(struct cnode *n);

/* Cost estimates, cheap-first ordering of AND / OR operands (specialize.c). */
unsigned int cnode_prepare(struct cnode *n);
/* @n with the event kind known: evt.type tests folded; NULL on ENOMEM. */
struct cnode *cnode_specialize(struct cnode *n, unsigned int kind);
void cnode_free_spec(struct cnode *n);
/* Guards of @c->root: rarely true shared comparisons one of which it needs. */
int kcand_guards(struct vgl_ruleset *rs, unsigned int kind, struct kcand *c);

/*
 * Share identical comparisons between rules (one evaluation per event, with
 * the result memoized) and free them with the rule set (intern.c).
 */
int rs_intern(struct vgl_ruleset *rs);
void rs_free_shared(struct vgl_ruleset *rs);

/* Group shared `=` / `in` string comparisons by field (groups.c). */
int rs_group(struct vgl_ruleset *rs);
void rs_free_groups(struct vgl_ruleset *rs);
struct vgl_match_ctx;
/* Fill the memo slots of every comparison of group @gid for the current event. */
void group_eval(struct vgl_match_ctx *ctx, unsigned int gid);
/* The same for @n groups (not yet answered), in the order groups_sort() gave them. */
void groups_eval(struct vgl_match_ctx *ctx, const unsigned int *gids, size_t n);
void groups_sort(const struct vgl_ruleset *rs, unsigned int *gids, size_t n);

/* Wake lists of @kind's candidates, once they all have their guards. */
int rs_wake(struct vgl_ruleset *rs, unsigned int kind);
void rs_free_wake(struct vgl_ruleset *rs);

/* Intern a field reference in the rule set (one cache slot per field). */
int rs_field(struct vgl_ruleset *rs, const char *name, const char *arg,
	     const struct field_ref **ret, char *err, size_t errlen);

/* Extract @ref into its cache slot @s for the current event (inline: hot). */
static inline void ctx_slot_fill(struct vgl_match_ctx *ctx, const struct field_ref *ref,
				 struct fslot *s)
{
	int i;

	s->n = field_extract(&ctx->x, ref, s->v, ref->maxvals);
	s->epoch = ctx->epoch;
	for (i = 0; i < s->n; i++)
		s->v[i].hashed = false;
}

/* Values of @ref for the current event (cached); 0 when unknown. */
static inline int ctx_values(struct vgl_match_ctx *ctx, const struct field_ref *ref,
			     const struct vgl_fval **ret)
{
	struct fslot *s = &ctx->slots[ref->slot];

	if (s->epoch != ctx->epoch)
		ctx_slot_fill(ctx, ref, s);
	*ret = s->v;
	return s->n;
}
bool cnode_eval(struct vgl_match_ctx *ctx, const struct cnode *n);

/* Comparison of one value against a constant operand (matcher and naive). */
bool cmp_str(enum vgl_op op, const char *s, size_t len, const struct cval *c);
/* Whether address @v is in network @net (an FT_NET constant; same family only). */
bool cval_net_has(const struct cval *net, const struct vgl_fval *v);

/* Output templates (output/template.c). */
struct ofmt;
int ofmt_compile(struct collection *c, struct vgl_ruleset *rs, const struct rule_def *r,
		 struct ofmt **ret);
void ofmt_free(struct ofmt *f);

#endif /* VIGIL_RULES_COMPILE_H */
