// SPDX-License-Identifier: Apache-2.0
/*
 * `vigil rules check|list|explain [-r PATH]... [-v]`: validate rule files
 * and print a summary or every error; list the rules with priority, tags,
 * event types; explain the in-kernel prefilter derived from them.
 * Paths expand as for `vigil run` (rulefiles.h: files, directories, the
 * defaults). Exit codes: 0 valid, 1 invalid rules, 2 usage error.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "rules/prefilter.h"
#include "rules/rulefiles.h"
#include "rules/rules.h"

static void usage(FILE *f)
{
	fprintf(f, "usage: vigil rules check [-r PATH]... [--first-match] [-v]\n"
		   "       vigil rules list  [-r PATH]...\n"
		   "       vigil rules explain [-r PATH]... [-v]\n"
		   "  explain            the prefilter the kernel applies for these rules: per\n"
		   "                     event type, the paths and open flags that pass, and\n"
		   "                     the rules that keep a type unfiltered (-v: every entry)\n"
		   "  -v, --verbose      check: also the prefilter, as explain\n"
		   "  -r, --rules PATH   rule file, or directory of *.yaml and *.yml loaded in\n"
		   "                     name order (repeatable, loaded in order; default: as\n"
		   "                     vigil run)\n");
}

static void print_diag(const struct vgl_diag *d)
{
	char line[1400];
	size_t i;

	for (i = 0; i < d->n; i++) {
		vgl_diag_format(&d->v[i], line, sizeof(line));
		fprintf(stderr, "%s\n", line);
	}
	if (d->dropped)
		fprintf(stderr, "... and %zu more\n", d->dropped);
}

static size_t count_all_kinds(const struct vgl_ruleset *rs, size_t rule)
{
	size_t n = 0;
	int k;

	for (k = 1; k < VGL_EV_MAX; k++)
		n += vgl_ruleset_rule_kind(rs, rule, k);
	return n;
}

static void print_summary(const struct vgl_ruleset *rs, const char *const *files, size_t n)
{
	size_t i, enabled = 0, per[VGL_EV_MAX] = { 0 };
	int k;

	for (i = 0; i < vgl_ruleset_nrules(rs); i++) {
		if (!vgl_ruleset_rule(rs, i)->enabled)
			continue;
		enabled++;
		for (k = 1; k < VGL_EV_MAX; k++)
			per[k] += vgl_ruleset_rule_kind(rs, i, k);
	}
	printf("%zu rule file%s OK:", n, n == 1 ? "" : "s");
	for (i = 0; i < n; i++)
		printf(" %s", files[i]);
	printf("\nrules: %zu (%zu enabled)\nmacros: %zu\nlists: %zu\n", vgl_ruleset_nrules(rs),
	       enabled, vgl_ruleset_nmacros(rs), vgl_ruleset_nlists(rs));
	printf("enabled rules per event type:\n");
	for (k = 1; k < VGL_EV_MAX; k++) {
		if (per[k])
			printf("  %-14s %zu\n", vgl_kind_info[k].name, per[k]);
	}
}

static void print_list(const struct vgl_ruleset *rs)
{
	size_t i, t;
	int k;

	printf("%-60s %-13s %-7s %-12s %-40s %s\n", "RULE", "PRIORITY", "ENABLED", "CAPTURE",
	       "EVENT TYPES", "TAGS");
	for (i = 0; i < vgl_ruleset_nrules(rs); i++) {
		const struct vgl_rule_info *r = vgl_ruleset_rule(rs, i);
		char types[2048] = "", capture[32] = "no";
		size_t len = 0;

		if (count_all_kinds(rs, i) == VGL_EV_MAX - 1)
			snprintf(types, sizeof(types), "(all)");
		for (k = 1; k < VGL_EV_MAX && strcmp(types, "(all)"); k++) {
			if (vgl_ruleset_rule_kind(rs, i, k) && len < sizeof(types) - 32)
				len += (size_t)snprintf(types + len, sizeof(types) - len, "%s%s",
							len ? "," : "", vgl_kind_info[k].name);
		}
		/* `capture: true`, with its own capture_duration: "yes:10000ms" */
		if (r->capture && r->capture_duration_ns)
			snprintf(capture, sizeof(capture), "yes:%llums",
				 (unsigned long long)(r->capture_duration_ns / 1000000));
		else if (r->capture)
			snprintf(capture, sizeof(capture), "yes");
		printf("%-60s %-13s %-7s %-12s %-40s ", r->name, vgl_priority_name(r->priority),
		       r->enabled ? "yes" : "no", capture, types[0] ? types : "(none)");
		for (t = 0; t < r->ntags; t++)
			printf("%s%s", t ? "," : "", r->tags[t]);
		printf("\n");
	}
}

/* Parse options after the subcommand; returns the number of paths or -1. */
static int parse_args(int argc, char **argv, const char **paths, struct vgl_rules_opts *o,
		      bool *verbose)
{
	int i, n = 0;

	for (i = 2; i < argc; i++) {
		const char *a = argv[i];

		if (!strcmp(a, "-r") || !strcmp(a, "--rules")) {
			if (++i >= argc) {
				fprintf(stderr, "vigil rules: %s needs a path\n", a);
				return -1;
			}
			a = argv[i];
		} else if (!strncmp(a, "--rules=", 8)) {
			a += 8;
		} else if (!strcmp(a, "--first-match")) {
			o->first_match = true;
			continue;
		} else if (!strcmp(a, "-v") || !strcmp(a, "--verbose")) {
			*verbose = true;
			continue;
		} else {
			fprintf(stderr, "vigil rules: unknown option '%s'\n", a);
			return -1;
		}
		if (n == VGL_RULE_FILES_MAX) {
			fprintf(stderr, "vigil rules: more than %d -r options\n",
				VGL_RULE_FILES_MAX);
			return -1;
		}
		paths[n++] = a;
	}
	return n;
}

enum mode { CHECK, LIST, EXPLAIN };

/* The prefilter of @rs for `explain` and `check -v`; 0 or 1 without memory. */
static int print_prefilter(const struct vgl_ruleset *rs, bool verbose)
{
	struct vgl_prefilter *pf;

	if (vgl_prefilter_derive(&rs, 1, NULL, NULL, &pf)) {
		fprintf(stderr, "vigil rules: prefilter: out of memory\n");
		return 1;
	}
	vgl_prefilter_explain(pf, verbose, stdout);
	vgl_prefilter_free(pf);
	return 0;
}

/* Load the rules of @files and print them, their summary or their prefilter. */
static int check_files(const struct vgl_rule_files *files, const struct vgl_rules_opts *o,
		       enum mode mode, bool verbose)
{
	const char *const *paths = (const char *const *)files->path;
	struct vgl_ruleset *rs = NULL;
	struct vgl_diag d;
	int err;

	vgl_diag_init(&d);
	err = vgl_ruleset_load(paths, files->n, o, &rs, &d);
	print_diag(&d);
	if (err && !d.nerrors) {
		fprintf(stderr, "vigil rules: rules not loaded: %s\n", strerror(-err));
		vgl_diag_free(&d);
		return 1;
	}
	if (err) {
		fprintf(stderr, "vigil rules: %zu error%s, rules not loaded\n", d.nerrors,
			d.nerrors == 1 ? "" : "s");
		vgl_diag_free(&d);
		return 1;
	}
	if (mode == LIST)
		print_list(rs);
	else if (mode == CHECK)
		print_summary(rs, paths, files->n);
	if (mode == EXPLAIN || (mode == CHECK && verbose))
		err = print_prefilter(rs, verbose);
	vgl_diag_free(&d);
	vgl_ruleset_free(rs);
	return err ? 1 : 0;
}

int vgl_cmd_rules(int argc, char **argv)
{
	const char *paths[VGL_RULE_FILES_MAX];
	struct vgl_rules_opts o = { 0 };
	struct vgl_rule_files files;
	char err[512];
	bool verbose = false;
	enum mode mode;
	int n, ret;

	if (argc < 2 || !strcmp(argv[1], "-h") || !strcmp(argv[1], "--help")) {
		usage(argc < 2 ? stderr : stdout);
		return argc < 2 ? 2 : 0;
	}
	mode = !strcmp(argv[1], "list") ? LIST : !strcmp(argv[1], "explain") ? EXPLAIN : CHECK;
	if (mode == CHECK && strcmp(argv[1], "check")) {
		fprintf(stderr, "vigil rules: unknown command '%s'\n", argv[1]);
		usage(stderr);
		return 2;
	}
	n = parse_args(argc, argv, paths, &o, &verbose);
	if (n < 0)
		return 2;
	if (vgl_rule_files_expand(paths, (size_t)n, &files, err, sizeof(err))) {
		fprintf(stderr, "vigil rules: %s\n", err);
		return 1;
	}
	ret = check_files(&files, &o, mode, verbose);
	vgl_rule_files_free(&files);
	return ret;
}
