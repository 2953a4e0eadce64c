// SPDX-License-Identifier: Apache-2.0
/*
 * Rule files built to be slow: one list of 300,000 items on one line, a
 * whole rule file on one line, a million short lines, a condition of
 * megabytes, a big list used by many rules. Each loads or fails with its
 * exact limit error at its position. None of this is timed; quadratic work
 * on these sizes (minutes, as a line-walking position lookup once took)
 * trips the ctest TIMEOUT set for this test in tests/CMakeLists.txt.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "test_rules_util.h"

struct text {
	char *s;
	size_t len;
	size_t cap;
};

static void __attribute__((format(printf, 2, 3))) add(struct text *t, const char *fmt, ...)
{
	va_list ap;
	int n;

	for (;;) {
		va_start(ap, fmt);
		n = vsnprintf(t->s + t->len, t->cap - t->len, fmt, ap);
		va_end(ap);
		assert_true(n >= 0);
		if ((size_t)n < t->cap - t->len)
			break;
		t->cap = t->cap * 2 + (size_t)n + 1;
		t->s = realloc(t->s, t->cap);
		assert_non_null(t->s);
	}
	t->len += (size_t)n;
}

/* Load @t as "big.yaml"; the first error formatted into @buf ("" if none). */
static int load(struct text *t, char *buf, size_t size)
{
	struct vgl_ruleset *rs = NULL;
	struct vgl_diag d;
	int ret;

	vgl_diag_init(&d);
	ret = vgl_ruleset_load_text("big.yaml", t->s, t->len, NULL, &rs, &d);
	buf[0] = '\0';
	if (d.nerrors) {
		for (size_t i = 0; i < d.n; i++) {
			if (!d.v[i].warning) {
				vgl_diag_format(&d.v[i], buf, size);
				break;
			}
		}
	}
	vgl_diag_free(&d);
	vgl_ruleset_free(rs);
	free(t->s);
	memset(t, 0, sizeof(*t));
	return ret;
}

static char msg[1400], expect[1400];

/* The file: 300,000 items on one line (2.7 MB), refused at once. */
static void test_one_line_list(void **state)
{
	struct text t = { 0 };

	(void)state;
	add(&t, "- list: big\n  items: [");
	for (int i = 0; i < 300000; i++)
		add(&t, "%sitem%06d", i ? "," : "", i);
	add(&t, "]\n");
	assert_true(t.len > 2500000);
	assert_int_equal(load(&t, msg, sizeof(msg)), -EINVAL);
	assert_string_equal(msg, "big.yaml:2:10: error: list has more than 20000 entries");
}

/*
 * A whole rule file on one line of 650 KB, within every limit: 19,999 lists
 * and a rule whose error is reported at its column on that line. Every
 * scalar's position is looked up on the one line.
 */
static void test_one_line_file(void **state)
{
	struct text t = { 0 };
	size_t col;

	(void)state;
	add(&t, "[");
	for (int i = 0; i < 19999; i++)
		add(&t, "{list: l%05d, items: [a, b]}, ", i);
	add(&t, "{rule: r, desc: d, output: o, priority: INFO, condition: ");
	col = t.len + 1;
	add(&t, "proc.nme in (l19998)}]\n");
	assert_int_equal(load(&t, msg, sizeof(msg)), -EINVAL);
	snprintf(expect, sizeof(expect), "big.yaml:1:%zu: error: unknown field 'proc.nme'", col);
	assert_string_equal(msg, expect);

	/* the same file with a correct field loads */
	add(&t, "[");
	for (int i = 0; i < 19999; i++)
		add(&t, "{list: l%05d, items: [a, b]}, ", i);
	add(&t, "{rule: r, desc: d, output: o, priority: INFO, condition: "
		"evt.type = execve and proc.name in (l19998)}]\n");
	assert_int_equal(load(&t, msg, sizeof(msg)), 0);
	assert_string_equal(msg, "");
}

/* The list limit exactly: 16,384 items on one line load, one more does not. */
static void test_list_limit(void **state)
{
	struct text t = { 0 };

	(void)state;
	for (int n = 16384; n <= 16385; n++) {
		add(&t, "- list: big\n  items: [");
		for (int i = 0; i < n; i++)
			add(&t, "%sitem%06d", i ? "," : "", i);
		add(&t, "]\n- rule: r\n  desc: d\n  condition: evt.type = execve and proc.name "
			"in (big)\n  output: o\n  priority: INFO\n");
		if (n == 16384) {
			assert_int_equal(load(&t, msg, sizeof(msg)), 0);
			assert_string_equal(msg, "");
		} else {
			assert_int_equal(load(&t, msg, sizeof(msg)), -EINVAL);
			assert_string_equal(
				msg, "big.yaml:2:10: error: list 'big' has more than 16384 items");
		}
	}
}

/* 10 MB of short lines: refused at the list's 20,001st entry. */
static void test_many_lines(void **state)
{
	struct text t = { 0 };

	(void)state;
	add(&t, "- list: big\n  items:\n");
	for (int i = 0; i < 800000; i++)
		add(&t, "    - item%06d\n", i);
	assert_true(t.len > 10000000);
	assert_int_equal(load(&t, msg, sizeof(msg)), -EINVAL);
	assert_string_equal(msg, "big.yaml:3:5: error: list has more than 20000 entries");
}

/* A condition of 5 MB on one line: refused as it is read. */
static void test_long_condition(void **state)
{
	struct text t = { 0 };

	(void)state;
	add(&t, "- rule: r\n  desc: d\n  output: o\n  priority: INFO\n  condition: ");
	for (int i = 0; i < 250000; i++)
		add(&t, "%sproc.name = p%06d", i ? " or " : "", i);
	add(&t, "\n");
	assert_true(t.len > 5000000);
	assert_int_equal(load(&t, msg, sizeof(msg)), -EINVAL);
	assert_string_equal(msg, "big.yaml:5:14: error: value longer than 65536 bytes, the "
				 "longest a condition may be");
}

/*
 * A 16,000-item list used by 100 rules would be copied into each (1.6
 * million values from 300 KB): refused at the first reference past the rule
 * set's expansion limit, with one error.
 */
static void test_list_in_many_rules(void **state)
{
	struct vgl_ruleset *rs = NULL;
	struct vgl_diag d;
	struct text t = { 0 };
	unsigned int line;

	(void)state;
	add(&t, "- list: big\n  items: [");
	for (int i = 0; i < 16000; i++)
		add(&t, "%sn%05d", i ? "," : "", i);
	add(&t, "]\n");
	for (int i = 0; i < 100; i++)
		add(&t,
		    "- rule: r%d\n  desc: d\n  condition: evt.type = execve and proc.name in "
		    "(big)\n  output: o\n  priority: INFO\n",
		    i);
	vgl_diag_init(&d);
	assert_int_equal(vgl_ruleset_load_text("big.yaml", t.s, t.len, NULL, &rs, &d), -EINVAL);
	assert_int_equal(d.nerrors, 1);
	/* rule 62 (0-based) is the 63rd to copy the list: 63 x 16,001 > 1,000,000 */
	line = 2 + 62 * 5 + 3;
	assert_int_equal(d.v[0].line, line);
	assert_int_equal(d.v[0].col, 50);
	assert_string_equal(d.v[0].msg, "rules expand to more than 1000000 condition nodes and "
					"list values in all (macros or lists used by too many "
					"rules)");
	vgl_diag_free(&d);
	free(t.s);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_one_line_list),  cmocka_unit_test(test_one_line_file),
		cmocka_unit_test(test_list_limit),     cmocka_unit_test(test_many_lines),
		cmocka_unit_test(test_long_condition), cmocka_unit_test(test_list_in_many_rules),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
