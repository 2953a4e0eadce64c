// SPDX-License-Identifier: Apache-2.0
/*
 * --first-match follows Falco's order: of the rules that match an event, the
 * one raised is the first in load order, whatever the matcher groups (hash
 * sets of proc.name, tries of fd.name prefixes, rules without an evt.type
 * restriction, wake bitmaps of 64 candidates). A rule keeps the place of its
 * first definition when a later file enables, appends to, overrides or
 * redefines it (Falco's rule collector does the same); a rule first defined
 * in a later file comes after every rule of the earlier files.
 *
 * Each case is checked the way the pipeline runs it (first_match set, a
 * callback that returns 0, like pipeline.c's on_match), with a callback that
 * returns 1 (stop at once), and without first_match, where every matching
 * rule must be called back in load order.
 */
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "test_rules_util.h"
#include "testutil.h"

#define NR	3  /* rules that match the test event */
#define FILLERS 40 /* non-matching rules between two of them: 2 wake words */

/* Three rules that all match an openat of /etc/shadow by cat, each of a kind
 * the matcher treats differently. */
static const char *const rname[NR] = { "in_list", "etc_prefix", "any_type" };
static const char *const rcond[NR] = {
	"evt.type in (open, openat) and proc.name in (cat, less)", /* set group */
	"evt.type = openat and fd.name startswith /etc",	   /* trie group */
	"cat_like",						   /* any event type */
};

#define MACRO "- macro: cat_like\n  condition: proc.name contains at\n"

struct calls {
	char names[8][32];
	size_t n;
	int ret; /* what the callback returns */
};

static int record_cb(void *data, const struct vgl_ruleset *rs, size_t rule,
		     struct vgl_match_ctx *ctx)
{
	struct calls *c = data;

	(void)ctx;
	if (c->n < 8)
		snprintf(c->names[c->n], sizeof(c->names[0]), "%s",
			 vgl_ruleset_rule(rs, rule)->name);
	c->n++;
	return c->ret;
}

/* Append "- rule: @name" with @cond (and @extra keys) to @buf. */
static void add_rule(char *buf, size_t size, const char *name, const char *cond, const char *extra)
{
	size_t len = strlen(buf);

	snprintf(buf + len, size - len,
		 "- rule: %s\n  desc: d\n  condition: %s\n  output: o %%proc.name\n"
		 "  priority: WARNING\n%s",
		 name, cond, extra ? extra : "");
}

static void add_fillers(char *buf, size_t size, int from)
{
	char name[32], cond[96];

	for (int i = from; i < from + FILLERS; i++) {
		snprintf(name, sizeof(name), "filler%d", i);
		if (i % 2)
			snprintf(cond, sizeof(cond),
				 "evt.type = openat and fd.name startswith /nomatch%d", i);
		else
			snprintf(cond, sizeof(cond), "proc.name in (nomatch%d, other%d)", i, i);
		add_rule(buf, size, name, cond, NULL);
	}
}

static struct vgl_ruleset *load_files(const char *const *f, size_t n, bool first)
{
	struct vgl_rules_opts o = { .first_match = first };
	struct vgl_ruleset *rs = NULL;
	struct vgl_diag d;

	vgl_diag_init(&d);
	if (vgl_ruleset_load(f, n, &o, &rs, &d))
		diag_dump(&d);
	assert_int_equal(d.nerrors, 0);
	vgl_diag_free(&d);
	assert_non_null(rs);
	return rs;
}

static void eval(const struct vgl_ruleset *rs, int ret, struct calls *c)
{
	struct vgl_match_ctx *ctx = vgl_match_ctx_new(rs);
	struct tev t;

	assert_non_null(ctx);
	memset(c, 0, sizeof(*c));
	c->ret = ret;
	tev_open(&t, "cat", "/etc/shadow", O_RDONLY, 3);
	vgl_ruleset_eval(rs, ctx, &t.ev, NULL, NULL, record_cb, c);
	vgl_match_ctx_free(ctx);
}

/* @files, loaded in order, raise @want (@nwant names, in order) for the event. */
static void check_order(const char *const *files, size_t nfiles, const char *const *want,
			size_t nwant, const char *what)
{
	struct vgl_ruleset *rs;
	struct calls c;
	size_t i;

	rs = load_files(files, nfiles, true);
	eval(rs, 0, &c); /* as the pipeline runs it */
	if (c.n != 1 || strcmp(c.names[0], want[0]))
		fail_msg("%s: --first-match raised %zu rules, first '%s'; want only '%s'", what,
			 c.n, c.n ? c.names[0] : "", want[0]);
	vgl_ruleset_free(rs);

	rs = load_files(files, nfiles, false);
	eval(rs, 1, &c);
	if (c.n != 1 || strcmp(c.names[0], want[0]))
		fail_msg("%s: a callback returning 1 saw %zu rules, first '%s'; want only '%s'",
			 what, c.n, c.n ? c.names[0] : "", want[0]);
	eval(rs, 0, &c);
	if (c.n != nwant)
		fail_msg("%s: %zu rules matched, want %zu", what, c.n, nwant);
	for (i = 0; i < nwant; i++) {
		if (strcmp(c.names[i], want[i]))
			fail_msg("%s: match %zu is '%s', want '%s' (load order)", what, i,
				 c.names[i], want[i]);
	}
	vgl_ruleset_free(rs);
}

static char dir[256];

static int setup(void **state)
{
	(void)state;
	tu_mkdtemp("/tmp/vigil-order-XXXXXX", dir, sizeof(dir));
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	tu_rmtree(dir);
	return 0;
}

static const char *write_file(const char *name, const char *text)
{
	const char *path = tu_join(dir, name);
	FILE *f = fopen(path, "w");

	assert_non_null(f);
	assert_int_equal(fputs(text, f) < 0, 0);
	assert_int_equal(fclose(f), 0);
	return path;
}

/* Every load order of the three rules, fillers between them. */
static void test_each_permutation(void **state)
{
	static const int perm[6][NR] = { { 0, 1, 2 }, { 0, 2, 1 }, { 1, 0, 2 },
					 { 1, 2, 0 }, { 2, 0, 1 }, { 2, 1, 0 } };
	static char text[65536];
	const char *want[NR], *f[1];
	char what[64];

	(void)state;
	for (int p = 0; p < 6; p++) {
		snprintf(text, sizeof(text), "%s", MACRO);
		for (int i = 0; i < NR; i++) {
			if (i)
				add_fillers(text, sizeof(text), i * FILLERS);
			add_rule(text, sizeof(text), rname[perm[p][i]], rcond[perm[p][i]], NULL);
			want[i] = rname[perm[p][i]];
		}
		snprintf(what, sizeof(what), "order %s, %s, %s", want[0], want[1], want[2]);
		f[0] = write_file("perm.yaml", text);
		check_order(f, 1, want, NR, what);
	}
}

/* How a later file brings rule @t (defined first, not matching yet) into play. */
enum late { L_ENABLED, L_OVR_ENABLED, L_OVR_COND, L_APPEND, L_OVR_APPEND, L_REDEFINE, L_MAX };

static const char *const late_name[L_MAX] = {
	"enabled: true",	  "override enabled: replace",	"override condition: replace",
	"append: true condition", "override condition: append", "redefinition"
};

static void late_files(enum late how, int t, char *f1, size_t size, char *f2, size_t size2)
{
	char cond[256], more[256];

	snprintf(f1, size, "%s", MACRO);
	if (how == L_ENABLED || how == L_OVR_ENABLED)
		add_rule(f1, size, rname[t], rcond[t], "  enabled: false\n");
	else if (how == L_APPEND || how == L_OVR_APPEND)
		snprintf(cond, sizeof(cond), "(%s) and proc.name = nomatch", rcond[t]);
	else
		snprintf(cond, sizeof(cond), "proc.name = nomatch");
	if (how != L_ENABLED && how != L_OVR_ENABLED)
		add_rule(f1, size, rname[t], cond, NULL);
	add_fillers(f1, size, 0);
	for (int i = 1; i < NR; i++)
		add_rule(f1, size, rname[(t + i) % NR], rcond[(t + i) % NR], NULL);

	snprintf(more, sizeof(more), "or (%s)", rcond[t]);
	f2[0] = '\0';
	if (how == L_ENABLED)
		snprintf(f2, size2, "- rule: %s\n  enabled: true\n", rname[t]);
	else if (how == L_OVR_ENABLED)
		snprintf(f2, size2,
			 "- rule: %s\n  enabled: true\n  override:\n    enabled: replace\n",
			 rname[t]);
	else if (how == L_OVR_COND)
		snprintf(f2, size2,
			 "- rule: %s\n  condition: %s\n  override:\n    condition: replace\n",
			 rname[t], rcond[t]);
	else if (how == L_APPEND)
		snprintf(f2, size2, "- rule: %s\n  condition: %s\n  append: true\n", rname[t],
			 more);
	else if (how == L_OVR_APPEND)
		snprintf(f2, size2,
			 "- rule: %s\n  condition: %s\n  override:\n    condition: append\n",
			 rname[t], more);
	else
		add_rule(f2, size2, rname[t], rcond[t], NULL);
	/* a rule new in the later file comes after all of the first file's */
	add_rule(f2, size2, "late_new", "evt.type = openat and proc.name = cat", NULL);
}

static void test_changed_later(void **state)
{
	static char f1[32768], f2[4096];
	const char *f[2], *want[NR + 1];
	char what[128];

	(void)state;
	for (int how = 0; how < L_MAX; how++) {
		for (int t = 0; t < NR; t++) {
			late_files(how, t, f1, sizeof(f1), f2, sizeof(f2));
			f[0] = write_file("first.yaml", f1);
			f[1] = write_file("second.yaml", f2);
			for (int i = 0; i < NR; i++)
				want[i] = rname[(t + i) % NR];
			want[NR] = "late_new";
			snprintf(what, sizeof(what), "%s made matching by %s in a later file",
				 rname[t], late_name[how]);
			check_order(f, 2, want, NR + 1, what);
		}
	}
}

/* Rules disabled by a later file leave the next one in load order first. */
static void test_disabled_later(void **state)
{
	static char f1[32768];
	const char *f[2], *want[2] = { "any_type", "late_new" };

	(void)state;
	snprintf(f1, sizeof(f1), "%s", MACRO);
	for (int i = 0; i < NR; i++) {
		add_fillers(f1, sizeof(f1), i * FILLERS);
		add_rule(f1, sizeof(f1), rname[i], rcond[i], NULL);
	}
	f[0] = write_file("first.yaml", f1);
	f[1] = write_file("second.yaml",
			  "- rule: late_new\n  desc: d\n  condition: evt.type = openat\n"
			  "  output: o\n  priority: WARNING\n"
			  "- rule: in_list\n  enabled: false\n"
			  "- rule: etc_prefix\n  enabled: false\n");
	check_order(f, 2, want, 2, "in_list and etc_prefix disabled by a later file");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_each_permutation),
		cmocka_unit_test(test_changed_later),
		cmocka_unit_test(test_disabled_later),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
