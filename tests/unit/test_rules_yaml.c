// SPDX-License-Identifier: Apache-2.0
/*
 * Rule file loading errors: YAML syntax, item structure, condition errors
 * with their exact file:line:column, type mismatches, limits, all errors
 * reported at once.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "test_rules_util.h"

static char buf[2048];

#define RULE(cond) "- rule: r\n  desc: d\n  condition: " cond "\n  output: o\n  priority: INFO\n"

static void test_yaml_syntax(void **state)
{
	(void)state;
	first_error("- rule: x\n  desc: [unclosed\n", buf, sizeof(buf));
	assert_non_null(strstr(buf, "test.yaml:3:1: error: YAML syntax error"));
	assert_string_equal(first_error("rule: x\n", buf, sizeof(buf)),
			    "test.yaml:1:1: error: a rule file must be a list of items");
	assert_string_equal(first_error("- just a string\n", buf, sizeof(buf)),
			    "test.yaml:1:3: error: rule file items must be mappings");
	assert_string_equal(first_error("- rulez: x\n", buf, sizeof(buf)),
			    "test.yaml:1:3: error: unknown item 'rulez'");
	assert_string_equal(first_error("- &a rule: x\n- *a\n", buf, sizeof(buf)),
			    "test.yaml:2:3: error: YAML aliases are not supported");
	assert_string_equal(first_error("", buf, sizeof(buf)), "");
	assert_string_equal(first_error("# only a comment\n", buf, sizeof(buf)), "");
}

static void test_item_errors(void **state)
{
	(void)state;
	assert_string_equal(first_error("- rule: r\n  desc: d\n", buf, sizeof(buf)),
			    "test.yaml:1:3: error: rule has no 'condition'");
	assert_string_equal(first_error("- rule: ''\n", buf, sizeof(buf)),
			    "test.yaml:1:9: error: rule name must be a non-empty string");
	assert_string_equal(
		first_error("- rule: r\n  desc: d\n  condition: evt.num=1\n  output: o\n"
			    "  priority: LOUD\n",
			    buf, sizeof(buf)),
		"test.yaml:5:13: error: unknown priority 'LOUD'");
	assert_string_equal(first_error("- list: l\n  items: x\n", buf, sizeof(buf)),
			    "test.yaml:2:10: error: list 'l' needs 'items', a sequence");
	assert_string_equal(first_error("- macro: m\n", buf, sizeof(buf)),
			    "test.yaml:1:3: error: macro has no 'condition'");
	assert_string_equal(
		first_error("- list: l\n  items: [a]\n- list: l\n  items: [b]\n", buf, sizeof(buf)),
		"test.yaml:3:3: error: list 'l' is already defined in this file (use "
		"append or override)");
	assert_string_equal(
		first_error("- list: l\n  items: [a]\n  append: true\n", buf, sizeof(buf)),
		"test.yaml:1:3: error: list 'l' has no earlier definition to append to");
	assert_string_equal(first_error("- rule: r\n  enabled: false\n", buf, sizeof(buf)),
			    "test.yaml:1:3: error: rule 'r' has no earlier definition");
}

static void test_condition_positions(void **state)
{
	(void)state;
	assert_string_equal(first_error(RULE("proc.name = x and prc.name = y"), buf, sizeof(buf)),
			    "test.yaml:3:32: error: unknown field 'prc.name'");
	assert_string_equal(first_error("- rule: r\n  desc: d\n  condition: >\n    proc.name = x\n"
					"    and evt.type = open\n    and fd.nme = y\n  output: o\n"
					"  priority: INFO\n",
					buf, sizeof(buf)),
			    "test.yaml:6:9: error: unknown field 'fd.nme'");
	assert_string_equal(first_error(RULE("foo and proc.name=x"), buf, sizeof(buf)),
			    "test.yaml:3:14: error: undefined macro 'foo'");
	assert_string_equal(first_error(RULE("(proc.name=x"), buf, sizeof(buf)),
			    "test.yaml:3:14: error: unbalanced parentheses: '(' is never closed");
	assert_string_equal(first_error(RULE("proc.name like x"), buf, sizeof(buf)),
			    "test.yaml:3:24: error: unknown operator 'like'");
	assert_string_equal(first_error(RULE("\"proc.name\""), buf, sizeof(buf)),
			    "test.yaml:3:24: error: expected an operator after field 'proc.name'");
	assert_string_equal(first_error(RULE("proc.aname[x] = y"), buf, sizeof(buf)),
			    "test.yaml:3:25: error: field 'proc.aname' needs a numeric argument, "
			    "not 'x'");
	assert_string_equal(first_error(RULE("evt.arg.nosuch = y"), buf, sizeof(buf)),
			    "test.yaml:3:14: error: no event vigil captures has a parameter "
			    "'nosuch'");
	/* several rules on one line, characters of several bytes before: the
	 * position is in characters, found walking on from the last scalar */
	assert_string_equal(
		first_error("[{rule: a, desc: \"\xc3\xa9\xe2\x82\xac\xc3\xbc\", condition: "
			    "\"proc.name = x\", output: o, priority: INFO}, {rule: b, desc: "
			    "\"\xe6\x97\xa5\xe6\x9c\xac\", condition: \"proc.name = y and prc.name "
			    "= z\", output: o, priority: INFO}]\n",
			    buf, sizeof(buf)),
		"test.yaml:1:133: error: unknown field 'prc.name'");
}

static void test_types(void **state)
{
	(void)state;
	assert_string_equal(first_error(RULE("fd.num = abc"), buf, sizeof(buf)),
			    "test.yaml:3:23: error: 'abc' is not a valid number (field 'fd.num')");
	assert_string_equal(first_error(RULE("fd.num contains 1"), buf, sizeof(buf)),
			    "test.yaml:3:21: error: operator 'contains' cannot be used with field "
			    "'fd.num'");
	assert_string_equal(first_error(RULE("evt.is_open_read = maybe"), buf, sizeof(buf)),
			    "test.yaml:3:33: error: 'maybe' is not a valid boolean (field "
			    "'evt.is_open_read')");
	assert_string_equal(first_error(RULE("fd.sip = 1.2.3"), buf, sizeof(buf)),
			    "test.yaml:3:23: error: '1.2.3' is not a valid IP address (field "
			    "'fd.sip')");
	assert_string_equal(
		first_error(RULE("fd.name bcontains xyz"), buf, sizeof(buf)),
		"test.yaml:3:32: error: 'xyz' is not a hex byte string (field 'fd.name')");
	assert_string_equal(first_error(RULE("fd.name regex '('"), buf, sizeof(buf)),
			    "test.yaml:3:28: error: invalid regular expression at offset 1: "
			    "missing closing parenthesis");
	assert_string_equal(first_error(RULE("proc.name < x"), buf, sizeof(buf)),
			    "test.yaml:3:24: error: operator '<' cannot be used with field "
			    "'proc.name'");
}

static void test_macro_cycle(void **state)
{
	(void)state;
	assert_string_equal(first_error("- macro: a\n  condition: b\n- macro: b\n  condition: "
					"proc.name = x or a\n" RULE("a"),
					buf, sizeof(buf)),
			    "test.yaml:4:31: error: macro cycle: 'a' is used inside its own "
			    "definition");
	assert_string_equal(first_error("- macro: a\n  condition: a\n" RULE("a"), buf, sizeof(buf)),
			    "test.yaml:2:14: error: macro cycle: 'a' is used inside its own "
			    "definition");
}

static void test_output_errors(void **state)
{
	(void)state;
	assert_string_equal(first_error("- rule: r\n  desc: d\n  condition: evt.num=1\n"
					"  output: a %proc.name b %proc.nme c\n  priority: INFO\n",
					buf, sizeof(buf)),
			    "test.yaml:4:26: error: rule 'r' output: unknown field 'proc.nme'");
}

static void test_all_errors_at_once(void **state)
{
	const char *text = RULE("prc.name = x") "- rule: r2\n  desc: d\n  condition: nomacro\n"
						"  output: o\n  priority: INFO\n"
						"- list: l\n  items: x\n" RULE("fd.num = y");
	struct vgl_ruleset *rs = NULL;
	struct vgl_diag d;

	(void)state;
	vgl_diag_init(&d);
	assert_int_equal(vgl_ruleset_load_text("t.yaml", text, strlen(text), NULL, &rs, &d), -22);
	assert_null(rs);
	/* The duplicate 'r' is a fourth error: reported too. */
	assert_int_equal(d.nerrors, 4);
	vgl_diag_free(&d);

	/* An invalid key does not hide the errors of the rule's condition and output. */
	text = "- rule: r\n  desc: d\n  condition: (evt.num = 1\n  output: '%fd.nam'\n"
	       "  priority: LOUD\n";
	vgl_diag_init(&d);
	assert_int_equal(vgl_ruleset_load_text("t.yaml", text, strlen(text), NULL, &rs, &d), -22);
	assert_int_equal(d.nerrors, 3);
	/* Reported in file order. */
	assert_string_equal(d.v[0].msg, "unbalanced parentheses: '(' is never closed");
	assert_string_equal(d.v[1].msg, "rule 'r' output: unknown field 'fd.nam'");
	assert_int_equal(d.v[1].line, 4);
	assert_int_equal(d.v[1].col, 12);
	assert_string_equal(d.v[2].msg, "unknown priority 'LOUD'");
	vgl_diag_free(&d);
}

static void test_limits(void **state)
{
	struct vgl_rules_opts o = { .max_items = 2 };
	const char *three =
		"- list: a\n  items: []\n- list: b\n  items: []\n- list: c\n  items: []\n";
	struct vgl_ruleset *rs = NULL;
	struct vgl_diag d;

	(void)state;
	vgl_diag_init(&d);
	assert_int_equal(vgl_ruleset_load_text("t.yaml", three, strlen(three), &o, &rs, &d), -22);
	assert_string_equal(d.v[0].msg, "more than 2 items");
	vgl_diag_free(&d);

	o = (struct vgl_rules_opts){ .max_list_items = 2 };
	vgl_diag_init(&d);
	three = "- list: a\n  items: [x, y, z]\n";
	assert_int_equal(vgl_ruleset_load_text("t.yaml", three, strlen(three), &o, &rs, &d), -22);
	assert_string_equal(d.v[0].msg, "list 'a' has more than 2 items");
	vgl_diag_free(&d);

	o = (struct vgl_rules_opts){ .max_cond_len = 10 };
	vgl_diag_init(&d);
	three = RULE("proc.name = abcdefgh");
	assert_int_equal(vgl_ruleset_load_text("t.yaml", three, strlen(three), &o, &rs, &d), -22);
	assert_string_equal(d.v[0].msg,
			    "value longer than 10 bytes, the longest a condition may be");
	vgl_diag_free(&d);

	/* each part short enough, the appended condition too long */
	vgl_diag_init(&d);
	three = RULE("evt.num=1") "- rule: r\n  condition: or x=2\n  append: true\n";
	assert_int_equal(vgl_ruleset_load_text("t.yaml", three, strlen(three), &o, &rs, &d), -22);
	assert_string_equal(d.v[0].msg, "condition longer than 10 bytes");
	vgl_diag_free(&d);

	o = (struct vgl_rules_opts){ .max_depth = 3 };
	vgl_diag_init(&d);
	three = RULE("((((proc.name = x))))");
	assert_int_equal(vgl_ruleset_load_text("t.yaml", three, strlen(three), &o, &rs, &d), -22);
	assert_string_equal(d.v[0].msg, "condition nested deeper than 3 levels");
	vgl_diag_free(&d);
}

static void test_versions_and_warnings(void **state)
{
	struct vgl_ruleset *rs = NULL;
	struct vgl_diag d;
	const char *ok =
		"- required_engine_version: 0.57.0\n- required_engine_version: 10\n"
		"- required_plugin_versions:\n    - name: container\n      version: 0.4.0\n"
		"    - name: k8saudit\n      version: 0.1.0\n" RULE(
			"evt.num = 1") "  tagz: [a]\n"
				       "- rule: audit\n  desc: d\n  condition: ka.verb = get\n  "
				       "output: o\n"
				       "  priority: INFO\n  source: k8s_audit\n";

	(void)state;
	assert_string_equal(first_error("- required_engine_version: 99.0.0\n", buf, sizeof(buf)),
			    "test.yaml:1:28: error: rules require engine version 99.0.0, vigil "
			    "implements 0.57.0");
	vgl_diag_init(&d);
	assert_int_equal(vgl_ruleset_load_text("t.yaml", ok, strlen(ok), NULL, &rs, &d), 0);
	assert_int_equal(d.nerrors, 0);
	assert_int_equal(d.nwarnings, 3);
	assert_string_equal(d.v[0].msg, "plugin 'k8saudit' is not available in vigil; rules of "
					"its source are skipped");
	assert_string_equal(d.v[1].msg, "unknown key 'tagz' ignored");
	assert_int_equal(d.v[1].line, 13);
	assert_string_equal(d.v[2].msg, "rule 'audit': source 'k8s_audit' is not evaluated by "
					"vigil");
	/* The k8s_audit rule is not part of the rule set. */
	assert_int_equal(vgl_ruleset_nrules(rs), 1);
	vgl_ruleset_free(rs);
	vgl_diag_free(&d);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_yaml_syntax),	      cmocka_unit_test(test_item_errors),
		cmocka_unit_test(test_condition_positions),   cmocka_unit_test(test_types),
		cmocka_unit_test(test_macro_cycle),	      cmocka_unit_test(test_output_errors),
		cmocka_unit_test(test_all_errors_at_once),    cmocka_unit_test(test_limits),
		cmocka_unit_test(test_versions_and_warnings),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
