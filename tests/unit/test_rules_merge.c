// SPDX-License-Identifier: Apache-2.0
/*
 * Several rule files in order: append, override (append / replace),
 * enabling by name, replacement by a later file; macro and list expansion;
 * exceptions compiled into the condition as Falco does.
 */
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "test_rules_util.h"

static char base[1024], local[1024];

static int setup(void **state)
{
	const char *src = getenv("VIGIL_SOURCE_DIR");
	char dir[900];

	(void)state;
	if (src) {
		snprintf(dir, sizeof(dir), "%s/tests/data/rules", src);
	} else {
		/* Built by hand: find the data next to this file. */
		snprintf(dir, sizeof(dir), "%s", __FILE__);
		*strrchr(dir, '/') = '\0';
		strcat(dir, "/../data/rules");
	}
	snprintf(base, sizeof(base), "%s/base.yaml", dir);
	snprintf(local, sizeof(local), "%s/local.yaml", dir);
	return 0;
}

static struct vgl_ruleset *load(size_t n)
{
	const char *files[] = { base, local };
	struct vgl_ruleset *rs = NULL;
	struct vgl_diag d;

	vgl_diag_init(&d);
	if (vgl_ruleset_load(files, n, NULL, &rs, &d))
		diag_dump(&d);
	assert_int_equal(d.nerrors, 0);
	vgl_diag_free(&d);
	assert_non_null(rs);
	return rs;
}

static bool fires(struct vgl_ruleset *rs, const char *comm, const char *argv, const char *rule)
{
	struct tev t;
	struct hits h;

	tev_exec(&t, comm, "/bin/x", argv);
	eval_hits(rs, &t.ev, NULL, NULL, &h);
	return hits_has(&h, rule);
}

static void test_base_only(void **state)
{
	struct vgl_ruleset *rs = load(1);

	(void)state;
	assert_int_equal(vgl_ruleset_nrules(rs), 2);
	assert_true(fires(rs, "bash", "bash -c x", "Shell spawned"));
	assert_false(fires(rs, "zsh", "zsh", "Shell spawned"));
	assert_false(vgl_ruleset_rule(rs, 1)->enabled);
	assert_int_equal(vgl_ruleset_rule(rs, 0)->priority, VGL_PRI_WARNING);
	vgl_ruleset_free(rs);
}

static void test_base_and_local(void **state)
{
	struct vgl_ruleset *rs = load(2);
	bool kinds[VGL_EV_MAX];

	(void)state;
	assert_int_equal(vgl_ruleset_nrules(rs), 2);
	/* list append: zsh; macro override append: all_shells with nested list + quoted item. */
	assert_true(fires(rs, "zsh", "zsh", "Shell spawned"));
	assert_true(fires(rs, "fish", "fish", "Shell spawned"));
	assert_false(fires(rs, "csh", "csh", "Shell spawned"));
	/* rule override: condition appended. */
	assert_false(fires(rs, "sh", "sh safe.sh", "Shell spawned"));
	/* exception appended: bash with --login is excepted, other bash runs are not. */
	assert_false(fires(rs, "bash", "bash --login", "Shell spawned"));
	assert_true(fires(rs, "bash", "bash -i", "Shell spawned"));
	assert_int_equal(vgl_ruleset_rule(rs, 0)->priority, VGL_PRI_NOTICE);
	assert_true(vgl_ruleset_rule(rs, 1)->enabled);
	vgl_ruleset_kinds(rs, kinds);
	assert_true(kinds[VGL_EV_EXECVE] && kinds[VGL_EV_EXECVEAT] && kinds[VGL_EV_OPENAT]);
	assert_false(kinds[VGL_EV_OPEN] || kinds[VGL_EV_CONNECT] || kinds[VGL_EV_UNKNOWN]);
	vgl_ruleset_free(rs);
}

#define R(name, cond) \
	"- rule: " name "\n  desc: d\n  condition: " cond "\n  output: o\n  priority: INFO\n"

static void test_text_merges(void **state)
{
	struct vgl_ruleset *rs;
	char buf[1024];

	(void)state;
	/* Replacement in one file is an error; override of a missing key too. */
	assert_string_equal(
		first_error(
			R("a", "evt.num=1") "- rule: a\n  condition: x\n"
					    "  append: true\n  override:\n    condition: append\n",
			buf, sizeof(buf)),
		"test.yaml:10:5: error: rule 'a': 'append' and 'override' cannot be "
		"combined");
	assert_string_equal(first_error(R("a", "evt.num=1") "- rule: a\n  override:\n"
							    "    output: replace\n",
					buf, sizeof(buf)),
			    "test.yaml:8:13: error: override of 'output' without a 'output' key");
	assert_string_equal(
		first_error(R("a", "evt.num=1") "- rule: a\n  desc: x\n  override:\n"
						"    desc: merge\n",
			    buf, sizeof(buf)),
		"test.yaml:9:11: error: override of 'desc' must be 'append' or 'replace'");
	/* Macro append keeps the earlier text: "evt.type = execve or evt.type = openat". */
	rs = rules_from("- macro: m\n  condition: evt.type = execve\n- macro: m\n"
			"  condition: or evt.type = openat\n  append: true\n" R("a", "m"));
	assert_non_null(rs);
	assert_true(vgl_ruleset_rule_kind(rs, 0, VGL_EV_OPENAT));
	assert_true(vgl_ruleset_rule_kind(rs, 0, VGL_EV_EXECVE));
	assert_false(vgl_ruleset_rule_kind(rs, 0, VGL_EV_OPEN));
	vgl_ruleset_free(rs);
}

static void test_macros_and_lists(void **state)
{
	struct vgl_ruleset *rs;
	struct tev t;
	struct hits h;

	(void)state;
	/* Nested macros, a macro defined after its user, nested lists, quoted items. */
	rs = rules_from(R(
		"a",
		"outer") "- macro: outer\n  condition: inner and not excluded\n"
			 "- macro: inner\n  condition: spawned_process and proc.name in (l2)\n"
			 "- macro: spawned_process\n  condition: evt.type = execve\n"
			 "- macro: excluded\n  condition: proc.args contains nope\n"
			 "- list: l1\n  items: [a, '\"(b c)\"']\n- list: l2\n  items: [l1, cat]\n");
	assert_non_null(rs);
	tev_exec(&t, "cat", "/bin/cat", "cat x");
	assert_int_equal(eval_hits(rs, &t.ev, NULL, NULL, &h), 1);
	tev_exec(&t, "(b c)", "/bin/x", "x");
	assert_int_equal(eval_hits(rs, &t.ev, NULL, NULL, &h), 1);
	tev_exec(&t, "cat", "/bin/cat", "cat nope");
	assert_int_equal(eval_hits(rs, &t.ev, NULL, NULL, &h), 0);
	tev_open(&t, "cat", "/x", O_RDONLY, 3);
	assert_int_equal(eval_hits(rs, &t.ev, NULL, NULL, &h), 0);
	vgl_ruleset_free(rs);
}

static void test_exceptions(void **state)
{
	struct vgl_ruleset *rs;
	struct tev t;
	struct hits h;
	char buf[512];

	(void)state;
	rs = rules_from(
		R("a",
		  "evt.type = openat") "  exceptions:\n"
				       "    - name: by_name\n      fields: proc.name\n      "
				       "values: [cat, less]\n"
				       "    - name: by_pair\n      fields: [proc.name, fd.name]\n"
				       "      comps: [=, pmatch]\n      values:\n        - [vi, "
				       "[/tmp, /var/tmp]]\n"
				       "        - [vi, safe_dirs]\n    - name: empty\n      "
				       "fields: proc.name\n"
				       "- list: safe_dirs\n  items: [/home]\n");
	assert_non_null(rs);
	tev_open(&t, "cat", "/etc/x", O_RDONLY, 3);
	assert_int_equal(eval_hits(rs, &t.ev, NULL, NULL, &h), 0);
	tev_open(&t, "vi", "/tmp/x", O_RDONLY, 3);
	assert_int_equal(eval_hits(rs, &t.ev, NULL, NULL, &h), 0);
	tev_open(&t, "vi", "/home/u/x", O_RDONLY, 3);
	assert_int_equal(eval_hits(rs, &t.ev, NULL, NULL, &h), 0);
	tev_open(&t, "vi", "/etc/x", O_RDONLY, 3);
	assert_int_equal(eval_hits(rs, &t.ev, NULL, NULL, &h), 1);
	tev_open(&t, "sh", "/tmp/x", O_RDONLY, 3);
	assert_int_equal(eval_hits(rs, &t.ev, NULL, NULL, &h), 1);
	vgl_ruleset_free(rs);

	assert_string_equal(
		first_error(
			R("a", "evt.num=1") "  exceptions:\n    - name: e\n"
					    "      fields: [proc.name, fd.name]\n      values:\n"
					    "        - [only_one]\n",
			buf, sizeof(buf)),
		"test.yaml:10:11: error: exception 'e': expected 2 values per entry");
	assert_string_equal(
		first_error(R("a", "evt.num=1") "  exceptions:\n    - name: e\n"
						"      fields: [proc.nme]\n      values: [[x]]\n",
			    buf, sizeof(buf)),
		"test.yaml:8:16: error: unknown field 'proc.nme'");
	assert_string_equal(
		first_error(R("a", "evt.num=1") "  exceptions:\n    - name: e\n"
						"      fields: [proc.name]\n      comps: [like]\n"
						"      values: [[x]]\n",
			    buf, sizeof(buf)),
		"test.yaml:9:15: error: exception 'e': invalid comparison operator");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_base_only),   cmocka_unit_test(test_base_and_local),
		cmocka_unit_test(test_text_merges), cmocka_unit_test(test_macros_and_lists),
		cmocka_unit_test(test_exceptions),
	};

	return cmocka_run_group_tests(tests, setup, NULL);
}
