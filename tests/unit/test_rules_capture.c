// SPDX-License-Identifier: Apache-2.0
/*
 * Falco's flight-recorder rule keys `capture` and `capture_duration`
 * (milliseconds): definitions, override: replace, append: true (ignored,
 * with a warning), errors with their positions; the alert JSON's
 * "capture_file".
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "test_rules_util.h"

#define R(name)                                                                                 \
	"- rule: " name "\n  desc: d\n  condition: evt.type = execve\n  output: o %proc.name\n" \
	"  priority: INFO\n"

static const struct vgl_rule_info *rule0(struct vgl_ruleset *rs)
{
	assert_non_null(rs);
	return vgl_ruleset_rule(rs, 0);
}

static void test_definition(void **state)
{
	struct vgl_ruleset *rs;

	(void)state;
	rs = rules_from(R("a"));
	assert_false(rule0(rs)->capture);
	assert_int_equal(rule0(rs)->capture_duration_ns, 0);
	vgl_ruleset_free(rs);

	rs = rules_from(R("a") "  capture: true\n  capture_duration: 10000\n");
	assert_true(rule0(rs)->capture);
	assert_int_equal(rule0(rs)->capture_duration_ns, 10000000000ull);
	vgl_ruleset_free(rs);

	/* YAML's other spellings of a boolean; Falco's largest duration (uint32 ms). */
	rs = rules_from(R("a") "  capture: yes\n  capture_duration: 4294967295\n");
	assert_true(rule0(rs)->capture);
	assert_int_equal(rule0(rs)->capture_duration_ns, 4294967295000000ull);
	vgl_ruleset_free(rs);

	rs = rules_from(R("a") "  capture: off\n  capture_duration: 0\n");
	assert_false(rule0(rs)->capture);
	assert_int_equal(rule0(rs)->capture_duration_ns, 0);
	vgl_ruleset_free(rs);
}

static void test_errors(void **state)
{
	static const char dur_err[] = "error: 'capture_duration' must be a whole number of "
				      "milliseconds from 0 to 4294967295";
	char buf[512], want[512];

	(void)state;
	assert_string_equal(first_error(R("a") "  capture: maybe\n", buf, sizeof(buf)),
			    "test.yaml:6:12: error: 'capture' must be true or false");
	assert_string_equal(first_error(R("a") "  capture: [true]\n", buf, sizeof(buf)),
			    "test.yaml:6:12: error: 'capture' must be true or false");
	snprintf(want, sizeof(want), "test.yaml:6:21: %s", dur_err);
	assert_string_equal(first_error(R("a") "  capture_duration: -5\n", buf, sizeof(buf)), want);
	assert_string_equal(first_error(R("a") "  capture_duration: 1.5\n", buf, sizeof(buf)),
			    want);
	assert_string_equal(first_error(R("a") "  capture_duration: 10s\n", buf, sizeof(buf)),
			    want);
	assert_string_equal(
		first_error(R("a") "  capture_duration: 4294967296\n", buf, sizeof(buf)), want);
	assert_string_equal(first_error(R("a") "  capture_duration: 99999999999999999999999\n", buf,
					sizeof(buf)),
			    want);
	assert_string_equal(first_error(R("a") "  capture_duration: ''\n", buf, sizeof(buf)), want);
	/* Only replace: Falco cannot append to them either. */
	assert_string_equal(first_error(R("a") "- rule: a\n  capture: true\n  override:\n"
					       "    capture: append\n",
					buf, sizeof(buf)),
			    "test.yaml:9:14: error: override of 'capture' must be 'replace'");
	assert_string_equal(
		first_error(R("a") "- rule: a\n  override:\n    capture_duration: replace\n", buf,
			    sizeof(buf)),
		"test.yaml:8:23: error: override of 'capture_duration' without a "
		"'capture_duration' key");
	snprintf(want, sizeof(want), "test.yaml:7:21: %s", dur_err);
	assert_string_equal(first_error(R("a") "- rule: a\n  capture_duration: x\n  override:\n"
					       "    capture_duration: replace\n",
					buf, sizeof(buf)),
			    want);
}

static void test_override_and_append(void **state)
{
	const char *append = R("a") "  capture: true\n  capture_duration: 2000\n"
				    "- rule: a\n  append: true\n  capture: false\n";
	struct vgl_ruleset *rs = NULL;
	struct vgl_diag d;
	char buf[512];

	(void)state;
	rs = rules_from(
		R("a") "- rule: a\n  capture: true\n  capture_duration: 2500\n"
		       "  override:\n    capture: replace\n    capture_duration: replace\n");
	assert_true(rule0(rs)->capture);
	assert_int_equal(rule0(rs)->capture_duration_ns, 2500000000ull);
	vgl_ruleset_free(rs);

	/* A replace of one key leaves the other as it was. */
	rs = rules_from(R("a") "  capture: true\n  capture_duration: 2000\n"
			       "- rule: a\n  capture: false\n  override:\n    capture: replace\n");
	assert_false(rule0(rs)->capture);
	assert_int_equal(rule0(rs)->capture_duration_ns, 2000000000ull);
	vgl_ruleset_free(rs);

	/* append: true cannot change them; it says so. */
	vgl_diag_init(&d);
	assert_int_equal(vgl_ruleset_load_text("test.yaml", append, strlen(append), NULL, &rs, &d),
			 0);
	assert_true(rule0(rs)->capture);
	assert_int_equal(rule0(rs)->capture_duration_ns, 2000000000ull);
	assert_int_equal(d.nwarnings, 1);
	vgl_diag_format(&d.v[0], buf, sizeof(buf));
	assert_string_equal(buf, "test.yaml:10:12: warning: rule 'a': 'capture' is ignored with "
				 "append: true (use override: {capture: replace})");
	vgl_diag_free(&d);
	vgl_ruleset_free(rs);
}

struct json_out {
	const char *capture_file;
	char *json;
};

static int json_cb(void *data, const struct vgl_ruleset *rs, size_t rule, struct vgl_match_ctx *ctx)
{
	struct json_out *o = data;
	struct vgl_alert_meta meta = {
		.hostname = "node1",
		.time_ns = 1000000000123,
		.capture_file = o->capture_file,
	};

	(void)rs;
	o->json = vgl_alert_json(ctx, rule, &meta);
	return 0;
}

static char *alert_json(const char *capture_file)
{
	struct vgl_ruleset *rs = rules_from(R("Shell in x") "  capture: true\n");
	struct json_out o = { capture_file, NULL };
	struct vgl_match_ctx *ctx;
	struct tev t;

	assert_non_null(rs);
	ctx = vgl_match_ctx_new(rs);
	tev_exec(&t, "bash", "/bin/bash", "bash");
	assert_int_equal(vgl_ruleset_eval(rs, ctx, &t.ev, NULL, NULL, json_cb, &o), 1);
	vgl_match_ctx_free(ctx);
	vgl_ruleset_free(rs);
	assert_non_null(o.json);
	return o.json;
}

static void test_alert_json(void **state)
{
	char *j;

	(void)state;
	j = alert_json("/var/lib/vigil/flight/shell-in-x-20261204T101112.123Z-3f2a9c1b7d4e.vgc");
	assert_string_equal(
		j, "{\"capture_file\":"
		   "\"/var/lib/vigil/flight/shell-in-x-20261204T101112.123Z-3f2a9c1b7d4e.vgc\","
		   "\"hostname\":\"node1\",\"output\":\"00:16:40.000000123: Informational o "
		   "bash\",\"output_fields\":{\"evt.time\":1000000000123,\"proc.name\":"
		   "\"bash\"},\"priority\":\"Informational\",\"rule\":\"Shell in x\","
		   "\"source\":\"syscall\",\"tags\":[],\"time\":"
		   "\"1970-01-01T00:16:40.000000123Z\"}");
	free(j);
	/* No capture (refused, or no flight recorder): no key. */
	j = alert_json(NULL);
	assert_null(strstr(j, "capture_file"));
	free(j);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_definition),
		cmocka_unit_test(test_errors),
		cmocka_unit_test(test_override_and_append),
		cmocka_unit_test(test_alert_json),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
