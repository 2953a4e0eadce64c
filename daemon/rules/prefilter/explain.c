// SPDX-License-Identifier: Apache-2.0
/* `vigil rules explain`: each kind's prefilter, and what keeps kinds whole. */
#include <string.h>

#include "rules/prefilter.h"
#include "rules/prefilter/clauses.h"

static const char *const bit_names[] = { "read", "write", "create", "exec", "ok", "dir", "../" };

/* A mask as the bits all its classes share ("read ok"), "+" when it is less. */
static void describe(struct vgl_pf_mask m, char *buf, size_t size)
{
	struct vgl_pf_mask conj = VGL_PF_ALL;
	size_t off = 0;

	buf[0] = '\0';
	if (pf_mask_full(m)) {
		snprintf(buf, size, "any open");
		return;
	}
	for (unsigned int b = 0; b < 7; b++) {
		struct vgl_pf_mask on = pf_mask_bit(b, true), off_m = pf_mask_bit(b, false);
		bool all_on = pf_mask_empty(pf_mask_and(m, off_m));
		bool all_off = pf_mask_empty(pf_mask_and(m, on));

		if (!all_on && !all_off)
			continue;
		conj = pf_mask_and(conj, all_on ? on : off_m);
		off += (size_t)snprintf(buf + off, off < size ? size - off : 0, "%s%s%s",
					off ? " " : "", all_on ? "" : "!", bit_names[b]);
	}
	if (memcmp(&conj, &m, sizeof(m)) && off < size)
		snprintf(buf + off, size - off, "%s(some classes)", off ? " " : "");
}

static void explain_kind(const struct vgl_pf_kind *k, const char *name, bool verbose, FILE *f)
{
	size_t nt[VGL_PF_NAME_PREFIX + 1] = { 0 };
	char d[160];

	if (!k->filtered) {
		fprintf(f, "  %-8s passes whole: %s\n", name, k->why);
		return;
	}
	for (size_t i = 0; i < k->n; i++)
		nt[k->e[i].type]++;
	fprintf(f,
		"  %-8s filtered: %zu rules; %zu exact paths, %zu prefixes, %zu suffixes,"
		" %zu directories, %zu requested names and prefixes, %zu process names,"
		" %zu substrings",
		name, k->nrules, nt[VGL_PF_EXACT], nt[VGL_PF_PREFIX], nt[VGL_PF_SUFFIX],
		nt[VGL_PF_DIR], nt[VGL_PF_NAME_EXACT] + nt[VGL_PF_NAME_PREFIX], k->ncomm, k->nsub);
	if (pf_mask_empty(k->any)) {
		fprintf(f, "\n");
	} else {
		describe(k->any, d, sizeof(d));
		fprintf(f, "; any path when: %s (", d);
		for (size_t i = 0; i < k->nany_by; i++)
			fprintf(f, "%s\"%s\"", i ? ", " : "", k->any_by[i]);
		if (k->nsub_over)
			fprintf(f, "%s%zu substrings past the kernel's %d", k->nany_by ? ", " : "",
				k->nsub_over, VGL_PF_NSUBS);
		fprintf(f, "%s)\n", k->nany_by == 4 ? ", ..." : "");
	}
	for (size_t i = 0; verbose && i < k->n; i++) {
		static const char *const types[] = { "",       "path",	     "prefix",
						     "suffix", "contains",   "directory",
						     "name",   "name-prefix" };

		describe(k->e[i].mask, d, sizeof(d));
		fprintf(f, "    %-11s %s  [%s]\n", types[k->e[i].type], k->e[i].s, d);
	}
	for (size_t i = 0; verbose && i < k->nsub; i++) {
		describe(k->sub[i].mask, d, sizeof(d));
		fprintf(f, "    %-11s %s  [%s]\n", "contains", k->sub[i].s, d);
	}
	for (size_t i = 0; verbose && i < k->ncomm; i++) {
		describe(k->comm[i].mask, d, sizeof(d));
		fprintf(f, "    %-11s %.*s  [%s, any path]\n", "process", VGL_COMM_LEN,
			k->comm[i].comm, d);
	}
}

void vgl_prefilter_explain(const struct vgl_prefilter *pf, bool verbose, FILE *f)
{
	fprintf(f, "prefilter (in the kernel, before a record is built):\n");
	for (int k = 1; k < VGL_EV_MAX; k++)
		if (vgl_pf_kind_filterable(k))
			explain_kind(&pf->k[k], vgl_kind_info[k].name, verbose, f);
	fprintf(f, "  other kinds pass whole: only opens are filtered\n");
}
