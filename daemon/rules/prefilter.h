/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The in-kernel prefilter: what the loaded rules can match, derived from
 * their expanded conditions, so that the BPF side drops the events no rule
 * can raise an alert for before it builds their records.
 *
 * The open family is filtered (open, openat, openat2, creat: most of a
 * host's events and most of capture's cost), and connect and socket by
 * their class and process name alone (VGL_PFC_C_*, VGL_PFC_S_*:
 * atoms_net.c evaluates each comparison on the values a class fixes). An open is described to the
 * filter by its resolved path (fd.name) and its class, 7 bits of what the
 * rules test about it (VGL_PFC_*): 128 classes, so a set of classes is a
 * 128-bit mask. Each rule gives, per kind it applies to, clauses "path atom
 * and class in mask"; an atom is an exact path, a prefix, a suffix, a
 * substring or a directory, an exact or prefix requested name, or none
 * (any path); a clause
 * may also name the process (proc.name). Everything else in a condition
 * (container.*, regex...) is taken as true: the filter is a conservative
 * over-approximation, an event it drops cannot match any enabled rule.
 *
 * A kind is passed whole (not filtered) when some rule needs every class of
 * it whatever the path, when something besides the rules wants its events
 * (--events, a capture file, the flight recorder), or when its constants
 * exceed VGL_PF_MAX_ENTRIES; `vigil rules explain` says which.
 */
#ifndef VIGIL_RULES_PREFILTER_H
#define VIGIL_RULES_PREFILTER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "decode/event.h"
#include "rules/rules.h"
#include "vigil/prefilter.h"

#define VGL_PF_MAX_ENTRIES 4096 /* path constants per kind */
#define VGL_PF_MAX_COMMS   1024 /* process names per kind; past it, the kind passes whole */
#define VGL_PF_ALL                             \
	{                                      \
		{                              \
			UINT64_MAX, UINT64_MAX \
		}                              \
	}

/* Bit numbers of the VGL_PFC_* class bits (include/vigil/events.h). */
enum {
	VGL_PFB_READ,
	VGL_PFB_WRITE,
	VGL_PFB_CREATE,
	VGL_PFB_EXEC,
	VGL_PFB_OK,
	VGL_PFB_DIR,
	VGL_PFB_DOTDOT,
};

struct vgl_pf_mask {
	uint64_t w[2]; /* bit c: class c (VGL_PFC_* bits) passes */
};

enum vgl_pf_atom {
	VGL_PF_ANY,	    /* no path test */
	VGL_PF_EXACT,	    /* fd.name is s */
	VGL_PF_PREFIX,	    /* fd.name starts with s */
	VGL_PF_SUFFIX,	    /* fd.name ends with s */
	VGL_PF_CONTAINS,    /* fd.name holds s (2 bytes or more); in vgl_pf_kind.sub */
	VGL_PF_DIR,	    /* fd.directory is s without its last "/" ("/": the root) */
	VGL_PF_NAME_EXACT,  /* the requested name (evt.arg.name, fd.nameraw) is s */
	VGL_PF_NAME_PREFIX, /* the requested name starts with s */
};

struct vgl_pf_entry {
	enum vgl_pf_atom type;
	char *s;
	char *comm;		 /* in a clause: the process name it requires, or NULL */
	struct vgl_pf_mask mask; /* classes this atom passes */
};

/* The classes of opens a process name passes whatever the path. */
struct vgl_pf_comm {
	char comm[VGL_COMM_LEN]; /* NUL-padded */
	struct vgl_pf_mask mask;
};

/* The classes of opens whose path holds a substring pass. */
struct vgl_pf_substr {
	char s[VGL_PF_SUB_MAX + 1];
	struct vgl_pf_mask mask;
};

struct vgl_pf_kind {
	bool filtered;
	struct vgl_pf_gate gate[VGL_PF_NGATES]; /* VGL_PF_GATE_*: what each table can pass */
	char why[160];				/* why not filtered; "" when filtered */
	struct vgl_pf_mask any;			/* classes passed whatever the path */
	struct vgl_pf_entry *e;			/* exact, prefix, suffix entries, sorted */
	size_t n;
	struct vgl_pf_comm *comm; /* process names, sorted */
	size_t ncomm;
	struct vgl_pf_substr sub[VGL_PF_NSUBS]; /* fd.name contains, in the kernel's order */
	size_t nsub;
	size_t nsub_over;    /* more substrings: their classes pass any path */
	size_t nrules;	     /* enabled rules of this kind */
	size_t max_suffix;   /* the longest suffix (bytes) */
	char any_by[4][128]; /* rules whose clauses test no path */
	size_t nany_by;
};

struct vgl_prefilter {
	struct vgl_pf_kind k[VGL_EV_MAX];
};

/* Whether the prefilter can filter kind @k (the open family, connect, socket). */
bool vgl_pf_kind_filterable(enum vgl_kind k);
/* Whether kind @k is filtered by its paths too (the open family). */
bool vgl_pf_kind_has_paths(enum vgl_kind k);

/*
 * Derive the filter from the enabled rules of @nsets rule sets (two during a
 * reload: the union), leaving the kinds in @keep (NULL: none) unfiltered
 * with @keep_why. Returns 0 or -ENOMEM.
 */
int vgl_prefilter_derive(const struct vgl_ruleset *const *sets, size_t nsets,
			 const struct vgl_kindset *keep, const char *keep_why,
			 struct vgl_prefilter **ret);
void vgl_prefilter_free(struct vgl_prefilter *pf);

/* The class of an open (what the BPF side computes: bpf/prefilter.h). */
unsigned int vgl_pf_open_class(uint64_t flags, uint64_t mode, int64_t res, const char *name);
bool vgl_pf_mask_has(const struct vgl_pf_mask *m, unsigned int cls);

/*
 * Whether the filter passes an open of kind @k: resolved path, requested
 * name, class, and the process name @comm (NULL: one no clause names).
 */
bool vgl_prefilter_pass(const struct vgl_prefilter *pf, enum vgl_kind k, const char *path,
			const char *name, unsigned int cls, const char *comm);

/* Each kind's filter and what keeps kinds unfiltered, as `rules explain` prints it. */
void vgl_prefilter_explain(const struct vgl_prefilter *pf, bool verbose, FILE *f);

#endif /* VIGIL_RULES_PREFILTER_H */
