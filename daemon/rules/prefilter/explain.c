// SPDX-License-Identifier: Apache-2.0
/* `vigil rules explain`: each kind's prefilter, and what keeps kinds whole. */
#include <string.h>

#include "rules/prefilter.h"
#include "rules/prefilter/clauses.h"

/* Each group's class bits (VGL_PFC_*, VGL_PFC_C_*, VGL_PFC_S_*); "" unused. */
static const char *const open_bits[7] = { "read", "write", "create", "exec", "ok", "dir", "../" };
static const char *const conn_bits[7] = { "ipv4", "ipv6", "unix", "loopback", "ok", "inprogress" };
static const char *const sock_bits[7] = { "AF_INET", "AF_INET6", "AF_UNIX", "AF_PACKET", "ok" };
static const char *const *bit_names = open_bits;

/* A mask as the bits all its classes share ("read ok"), "+" when it is less. */
static void describe(struct vgl_pf_mask m, char *buf, size_t size)
{
	struct vgl_pf_mask conj = VGL_PF_ALL;
	size_t off = 0;

	buf[0] = '\0';
	if (pf_mask_full(m)) {
		snprintf(buf, size, bit_names == open_bits ? "any open" : "any class");
		return;
	}
	for (unsigned int b = 0; b < 7; b++) {
		if (!bit_names[b])
			continue;
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

/*
 * The classes a connect or a socket call can have (vgl_pf_conn_class,
 * vgl_pf_sock_class): one family or none, loopback only with an IP one,
 * at most one result.
 */
static bool valid_class(enum vgl_kind kind, unsigned int c)
{
	unsigned int fam = c & 0xf, res = c & 0x30;

	if (kind == VGL_EV_SOCKET)
		return c < 0x20 && (fam & (fam - 1)) == 0;
	fam &= 0x7;
	return c < 0x40 && (fam & (fam - 1)) == 0 && res != 0x30 &&
	       (!(c & VGL_PFC_C_LOOP) || (fam && fam != VGL_PFC_C_UNIX));
}

/* The classes of @kind that @any leaves to the process names: "ipv4 loopback ok, ...". */
static void dropped(enum vgl_kind kind, struct vgl_pf_mask any, FILE *f)
{
	const char *sep = "";

	if (pf_mask_empty(any)) {
		fprintf(f, "every class");
		return;
	}
	for (unsigned int c = 0; c < 0x40; c++) {
		if (!valid_class(kind, c) || vgl_pf_mask_has(&any, c))
			continue;
		fprintf(f, "%s%s", sep, c & 0xf ? "" : "other family");
		for (unsigned int b = 0, first = !!(c & 0xf); b < 6; b++) {
			if (!bit_names[b] || !((c >> b) & 1))
				continue;
			fprintf(f, "%s%s", first ? "" : " ", bit_names[b]);
			first = 0;
		}
		if (!(c & (kind == VGL_EV_SOCKET ? VGL_PFC_S_OK : VGL_PFC_C_OK | VGL_PFC_C_INPROG)))
			fprintf(f, " failed");
		sep = ", ";
	}
}

/* A connect's or a socket call's filter: the classes and process names it passes. */
static void explain_net(const struct vgl_pf_kind *k, enum vgl_kind kind, bool verbose, FILE *f)
{
	char d[160];

	fprintf(f, "  %-8s filtered: %zu rules; %zu process names; other processes dropped for: ",
		vgl_kind_info[kind].name, k->nrules, k->ncomm);
	dropped(kind, k->any, f);
	if (!pf_mask_empty(k->any)) {
		fprintf(f, "; the rest passes for ");
		for (size_t i = 0; i < k->nany_by; i++)
			fprintf(f, "%s\"%s\"", i ? ", " : "", k->any_by[i]);
		fprintf(f, "%s", k->nany_by == 4 ? ", ..." : "");
	}
	fprintf(f, "\n");
	for (size_t i = 0; verbose && i < k->ncomm; i++) {
		describe(k->comm[i].mask, d, sizeof(d));
		fprintf(f, "    %-11s %.*s  [%s]\n", "process", VGL_COMM_LEN, k->comm[i].comm, d);
	}
}

static void explain_kind(const struct vgl_pf_kind *k, enum vgl_kind kind, bool verbose, FILE *f)
{
	const char *name = vgl_kind_info[kind].name;
	size_t nt[VGL_PF_NAME_PREFIX + 1] = { 0 };
	char d[160];

	bit_names = kind == VGL_EV_CONNECT  ? conn_bits
		    : kind == VGL_EV_SOCKET ? sock_bits
					    : open_bits;
	if (!k->filtered) {
		fprintf(f, "  %-8s passes whole: %s\n", name, k->why);
		return;
	}
	if (!vgl_pf_kind_has_paths(kind)) {
		explain_net(k, kind, verbose, f);
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
			explain_kind(&pf->k[k], k, verbose, f);
	fprintf(f, "  other kinds pass whole: only opens, connect and socket are filtered\n");
}
