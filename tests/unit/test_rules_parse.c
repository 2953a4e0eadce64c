// SPDX-License-Identifier: Apache-2.0
/* Condition parser: tree shapes, precedence, values, errors with positions. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include "rules/parse/ast.h"

static char out[4096];

/* The canonical tree of @text, or "error: line:col: message". */
static const char *parse(const char *text, size_t max_depth)
{
	struct parse_opts po = { .max_depth = max_depth, .max_list_items = 8 };
	struct vgl_diag d;
	struct ast *a = NULL;
	int err;

	vgl_diag_init(&d);
	err = cond_parse(text, strlen(text), &po, &a, &d);
	if (err) {
		assert_int_equal(d.nerrors, 1);
		snprintf(out, sizeof(out), "error: %u:%u: %s", d.v[0].line, d.v[0].col, d.v[0].msg);
	} else {
		ast_format(a, out, sizeof(out));
	}
	ast_free(a);
	vgl_diag_free(&d);
	return out;
}

static void test_precedence(void **state)
{
	(void)state;
	assert_string_equal(parse("a and b or c", 0), "(or (and a b) c)");
	assert_string_equal(parse("a or b and c", 0), "(or a (and b c))");
	assert_string_equal(parse("not a and b", 0), "(and (not a) b)");
	assert_string_equal(parse("not not a", 0), "(not (not a))");
	assert_string_equal(parse("not (a or b)", 0), "(not (or a b))");
	assert_string_equal(parse("not(a)", 0), "(not a)");
	assert_string_equal(parse("a and b and c", 0), "(and a b c)");
	assert_string_equal(parse("((a))", 0), "a");
	assert_string_equal(parse("  a\n\tor\r\nb  ", 0), "(or a b)");
	/* Keywords need a boundary: these are macro names. */
	assert_string_equal(parse("notice or order", 0), "(or notice order)");
}

static void test_comparisons(void **state)
{
	(void)state;
	assert_string_equal(parse("proc.name=bash", 0), "proc.name = bash");
	assert_string_equal(parse("proc.name == bash", 0), "proc.name = bash");
	assert_string_equal(parse("fd.num>=0", 0), "fd.num >= 0");
	assert_string_equal(parse("fd.num<=0 and fd.num<1 and fd.num>2 and fd.num!=3", 0),
			    "(and fd.num <= 0 fd.num < 1 fd.num > 2 fd.num != 3)");
	assert_string_equal(parse("fd.name exists", 0), "fd.name exists");
	assert_string_equal(parse("not proc.pname exists", 0), "(not proc.pname exists)");
	assert_string_equal(parse("fd.name startswith /etc/", 0), "fd.name startswith /etc/");
	assert_string_equal(parse("evt.res startswith E)", 0),
			    "error: 1:21: unbalanced parentheses: unexpected ')'");
	assert_string_equal(parse("proc.cmdline contains \"a b\"", 0),
			    "proc.cmdline contains \"a b\"");
	assert_string_equal(parse("fd.typechar='f'", 0), "fd.typechar = \"f\"");
	assert_string_equal(parse("proc.name regex '^ba.h$'", 0), "proc.name regex \"^ba.h$\"");
	assert_string_equal(parse("evt.buffer bcontains cafebabe", 0),
			    "evt.buffer bcontains cafebabe");
}

static void test_lists(void **state)
{
	(void)state;
	assert_string_equal(parse("proc.name in (bash, 'sh', \"zsh\")", 0),
			    "proc.name in (bash, \"sh\", \"zsh\")");
	assert_string_equal(parse("proc.name in ()", 0), "proc.name in ()");
	assert_string_equal(parse("proc.name in (shell_binaries)", 0),
			    "proc.name in (shell_binaries)");
	assert_string_equal(parse("proc.name in shell_binaries", 0),
			    "proc.name in (shell_binaries)");
	assert_string_equal(parse("proc.pname in (runc:[0:PARENT], runc:[1:CHILD])", 0),
			    "proc.pname in (runc:[0:PARENT], runc:[1:CHILD])");
	assert_string_equal(parse("fd.name pmatch (/etc, /usr/bin)", 0),
			    "fd.name pmatch (/etc, /usr/bin)");
	assert_string_equal(parse("proc.args intersects (\"-V\", \"-l\")", 0),
			    "proc.args intersects (\"-V\", \"-l\")");
	assert_string_equal(parse("proc.name in (a, b", 0),
			    "error: 1:14: unbalanced parentheses: list '(' is never closed");
	assert_string_equal(parse("proc.name in (a b)", 0),
			    "error: 1:17: expected ',' or ')' in list");
	assert_string_equal(parse("proc.name in (1,2,3,4,5,6,7,8,9)", 0),
			    "error: 1:14: list has more than 8 items");
}

static void test_field_args(void **state)
{
	(void)state;
	assert_string_equal(parse("proc.aname[2]=sshd", 0), "proc.aname[2] = sshd");
	assert_string_equal(parse("evt.arg[0] = x", 0), "evt.arg[0] = x");
	assert_string_equal(parse("container.mount.dest[/var/run/docker.sock] exists", 0),
			    "container.mount.dest[/var/run/docker.sock] exists");
	assert_string_equal(parse("container.mount.dest[/proc*] in (\"<NA>\")", 0),
			    "container.mount.dest[/proc*] in (\"<NA>\")");
	assert_string_equal(parse("k8s.pod.label['app.kubernetes.io/name'] = x", 0),
			    "k8s.pod.label[app.kubernetes.io/name] = x");
	assert_string_equal(parse("proc.aname[2 = x", 0),
			    "error: 1:11: missing ']' after the argument of 'proc.aname'");
}

static void test_strings(void **state)
{
	(void)state;
	assert_string_equal(parse("proc.name = 'a\\'b'", 0), "proc.name = \"a'b\"");
	assert_string_equal(parse("proc.name = \"a\\\"b\"", 0), "proc.name = \"a\"b\"");
	assert_string_equal(parse("proc.name = \"a\\\\b\"", 0), "proc.name = \"a\\b\"");
	assert_string_equal(parse("proc.name = \"tab\\there\"", 0), "proc.name = \"tab\there\"");
	assert_string_equal(parse("proc.name = ''", 0), "proc.name = \"\"");
	assert_string_equal(parse("proc.name = 'abc", 0), "error: 1:13: unterminated string");
}

static void test_errors(void **state)
{
	(void)state;
	assert_string_equal(parse("", 0), "error: 1:1: empty condition");
	assert_string_equal(parse("   ", 0), "error: 1:1: empty condition");
	assert_string_equal(parse("proc.name", 0),
			    "error: 1:10: expected an operator after field 'proc.name'");
	assert_string_equal(parse("proc.name =", 0), "error: 1:12: expected a value after '='");
	assert_string_equal(parse("proc.name foo bar", 0), "error: 1:11: unknown operator 'foo'");
	assert_string_equal(parse("(proc.name=a", 0),
			    "error: 1:1: unbalanced parentheses: '(' is never closed");
	assert_string_equal(parse("proc.name=a)", 0),
			    "error: 1:12: unbalanced parentheses: unexpected ')'");
	assert_string_equal(parse("a and", 0), "error: 1:6: unexpected end of condition");
	assert_string_equal(parse("a andb", 0),
			    "error: 1:3: expected 'and', 'or' or the end of the condition");
	assert_string_equal(parse("and", 0), "error: 1:1: unexpected 'and'");
	assert_string_equal(parse("a or or b", 0), "error: 1:6: unexpected 'or'");
	assert_string_equal(parse("= x", 0), "error: 1:1: unexpected '='");
	assert_string_equal(parse("()", 0), "error: 1:2: unexpected ')'");
}

static void test_depth_limit(void **state)
{
	char text[512];
	size_t i;

	(void)state;
	for (i = 0; i < 100; i++)
		text[i] = '(';
	strcpy(text + 100, "a");
	for (i = 0; i < 100; i++)
		strcat(text, ")");
	assert_string_equal(parse(text, 64), "error: 1:65: condition nested deeper than 64 levels");
	assert_string_equal(parse(text, 200), "a");
	for (i = 0; i < 100; i++)
		memcpy(text + 4 * i, "not ", 4);
	strcpy(text + 400, "a");
	assert_string_equal(parse(text, 10), "error: 1:41: condition nested deeper than 10 levels");
}

static void test_nul_byte(void **state)
{
	struct parse_opts po = { 0 };
	struct vgl_diag d;
	struct ast *a = NULL;

	(void)state;
	vgl_diag_init(&d);
	assert_int_equal(cond_parse("a\0b", 3, &po, &a, &d), -22);
	assert_null(a);
	assert_string_equal(d.v[0].msg, "NUL byte in condition");
	assert_int_equal(d.v[0].col, 2);
	vgl_diag_free(&d);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_precedence),  cmocka_unit_test(test_comparisons),
		cmocka_unit_test(test_lists),	    cmocka_unit_test(test_field_args),
		cmocka_unit_test(test_strings),	    cmocka_unit_test(test_errors),
		cmocka_unit_test(test_depth_limit), cmocka_unit_test(test_nul_byte),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
