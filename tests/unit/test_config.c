// SPDX-License-Identifier: Apache-2.0
/*
 * The config file: every key read into its setting, every mistake an error
 * with file:line:col and the key's full name, and Falco's falco.yaml keys
 * turned into the same outputs.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "config/config.h"
#include "rules/rules.h"

#define UNUSED __attribute__((unused))

static struct vgl_diag diag;
static char errors[8192];

/* Parse @text as "vigil.yaml"; the errors joined by '\n' in `errors`. */
static int parse(const char *text, struct vgl_config *c)
{
	size_t n = 0;
	int ret;

	vgl_diag_free(&diag);
	vgl_diag_init(&diag);
	ret = vgl_config_parse("vigil.yaml", text, strlen(text), c, &diag);
	errors[0] = '\0';
	for (size_t i = 0; i < diag.n && n < sizeof(errors); i++) {
		n += (size_t)vgl_diag_format(&diag.v[i], errors + n, sizeof(errors) - n);
		if (n + 1 < sizeof(errors))
			errors[n++] = '\n', errors[n] = '\0';
	}
	return ret;
}

static void test_defaults(void **state UNUSED)
{
	struct vgl_config c;

	assert_int_equal(parse("", &c), 0);
	assert_int_equal(c.noutputs, 0);
	assert_false(c.outputs_given);
	assert_false(c.json_output_set);
	assert_true(c.alerts.drain_timeout == 10);
	assert_null(c.metrics_listen);
	assert_int_equal(c.min_priority, -1);
	vgl_config_free(&c);
}

static void expect_ok(const char *text, struct vgl_config *c)
{
	int ret = parse(text, c);

	if (ret)
		fail_msg("%s", errors);
}

static void expect_errors(const char *text, const char *want)
{
	struct vgl_config c;

	assert_int_equal(parse(text, &c), -EINVAL);
	assert_string_equal(errors, want);
}

static void test_all_keys(void **state UNUSED)
{
	struct vgl_config c;
	const struct vgl_sink_conf *o;

	expect_ok(("rules: [/etc/vigil/rules.d, /opt/more.yaml]\n"
		   "json_output: true\n"
		   "first_match: yes\n"
		   "ringbuf_size: 16M\n"
		   "wakeup_bytes: 128K\n"
		   "syscall_hook: raw\n"
		   "log_level: info\n"
		   "host_root: /host\n"
		   "drain_timeout: 2500ms\n"
		   "rate_limit: {rate: 0.5, burst: 20, summary_interval: 5m}\n"
		   "metrics:\n  listen: 127.0.0.1:8765\n"
		   "outputs:\n"
		   "  - type: file\n"
		   "    name: alerts\n"
		   "    path: /var/log/vigil/alerts.json\n"
		   "    min_priority: warning\n"
		   "    rules: [a, b]\n"
		   "    tags_exclude: noisy\n"
		   "    queue: {size: 100, spool: /var/lib/vigil/spool, spool_max: 1G}\n"
		   "    retry: {initial: 1s, max: 1m, max_attempts: 7}\n"
		   "    unhealthy_after: 90s\n"
		   "  - type: stdout\n"
		   "    format: text\n"),
		  &c);
	assert_int_equal(c.nrules, 2);
	assert_string_equal(c.rules[1], "/opt/more.yaml");
	assert_true(c.json_output && c.json_output_set && c.first_match);
	assert_int_equal(c.ringbuf_size, 16 << 20);
	assert_int_equal(c.wakeup_bytes, 128 << 10);
	assert_int_equal(c.syscall_hook, 2);
	assert_int_equal(c.log_level, 2);
	assert_string_equal(c.host_root, "/host");
	assert_true(c.alerts.drain_timeout == 2.5);
	assert_true(c.alerts.rate == 0.5 && c.alerts.burst == 20);
	assert_true(c.alerts.summary_interval == 300);
	assert_string_equal(c.metrics_listen, "127.0.0.1:8765");
	assert_int_equal(c.noutputs, 2);
	o = &c.outputs[0].conf;
	assert_string_equal(o->name, "alerts");
	assert_int_equal(o->format, VGL_ALERT_JSON); /* json_output */
	assert_false(o->format_set);
	assert_int_equal(o->min_priority, VGL_PRI_WARNING);
	assert_int_equal(o->nrules, 2);
	assert_string_equal(o->tags_exclude[0], "noisy");
	assert_int_equal(o->queue_size, 100);
	assert_string_equal(o->spool, "/var/lib/vigil/spool");
	assert_int_equal(o->spool_max, 1 << 30);
	assert_true(o->retry_initial == 1 && o->retry_max == 60);
	assert_int_equal(o->retry_max_attempts, 7);
	assert_true(o->unhealthy_after == 90);
	o = &c.outputs[1].conf;
	assert_string_equal(o->name, "stdout-1");
	assert_int_equal(o->format, VGL_ALERT_TEXT);
	assert_true(o->format_set);
	vgl_config_free(&c);
}

static void test_errors(void **state UNUSED)
{
	expect_errors("json_output: true\nfrobnicate: 1\n",
		      "vigil.yaml:2:1: error: frobnicate: unknown key\n");
	expect_errors("outputs:\n  - type: fax\n",
		      "vigil.yaml:2:11: error: outputs[0].type: unknown output type 'fax': not one "
		      "of stdout, file, syslog, webhook, program, nats\n");
	expect_errors("outputs:\n  - path: /x\n",
		      "vigil.yaml:2:5: error: outputs[0].type: missing "
		      "(one of stdout, file, syslog, webhook, program, nats)\n");
	expect_errors("outputs:\n  - type: file\n    path: /x\n    queue: {size: lots}\n",
		      "vigil.yaml:4:19: error: outputs[0].queue.size: 'lots' is not a whole number "
		      "from 1 to 4194304\n");
	expect_errors("outputs:\n  - type: file\n    path: relative.log\n    colour: red\n",
		      "vigil.yaml:4:5: error: outputs[0].colour: unknown key\n");
	expect_errors("outputs:\n  - type: file\n    path: relative.log\n",
		      "vigil.yaml:3:11: error: outputs[0].path: 'relative.log' is not an absolute "
		      "path\n");
	expect_errors("drain_timeout: forever\nrules: {a: b}\n",
		      "vigil.yaml:1:16: error: drain_timeout: 'forever' is not a duration from 0 "
		      "to 3600 s (a number of seconds, or with ms, s, m, h)\n"
		      "vigil.yaml:2:8: error: rules: expected a list of strings, got a mapping\n");
	expect_errors("json_output: maybe\njson_output: true\n",
		      "vigil.yaml:1:14: error: json_output: 'maybe' is not true or false\n"
		      "vigil.yaml:2:1: error: json_output: key given twice\n");
	expect_errors("- a\n- b\n",
		      "vigil.yaml:1:1: error: (top level): the config file must be a mapping of "
		      "keys\n");
	expect_errors("outputs: [\n", "vigil.yaml:2:1: error: YAML syntax error: did not find "
				      "expected node content while parsing a flow node\n");
	expect_errors("engine: {kind: modern_ebpf}\n",
		      "vigil.yaml:1:1: error: engine: a falco.yaml key with no meaning for vigil: "
		      "remove it (see docs/config.md)\n");
}

/* Falco's keys make the same outputs as vigil's own would. */
static void test_falco_keys(void **state UNUSED)
{
	struct vgl_config c;

	assert_int_equal(parse("rules_files: [/etc/falco/falco_rules.yaml]\n"
			       "json_output: true\n"
			       "priority: notice\n"
			       "stdout_output: {enabled: false}\n"
			       "file_output: {enabled: true, keep_alive: false, filename: "
			       "/var/log/falco.json}\n"
			       "outputs: {rate: 1, max_burst: 1000}\n",
			       &c),
			 0);
	assert_int_equal(c.nrules, 1);
	assert_string_equal(c.rules[0], "/etc/falco/falco_rules.yaml");
	assert_true(c.outputs_given);
	assert_int_equal(c.noutputs, 1);
	assert_string_equal(c.outputs[0].ops->type, "file");
	assert_int_equal(c.outputs[0].conf.format, VGL_ALERT_JSON);
	assert_int_equal(c.outputs[0].conf.min_priority, VGL_PRI_NOTICE);
	assert_true(c.alerts.rate == 1 && c.alerts.burst == 1000);
	vgl_config_free(&c);
	/* the rest of Falco's outputs: program and http (TLS keys with https only) */
	expect_ok("program_output: {enabled: true, keep_alive: false, program: \"jq .\"}\n"
		  "http_output: {enabled: true, url: \"http://127.0.0.1:2801/\", insecure: true,\n"
		  "  ca_path: /etc/ssl/certs, user_agent: falcosecurity/falco}\n",
		  &c);
	assert_int_equal(c.noutputs, 2);
	assert_string_equal(c.outputs[0].ops->type, "program");
	assert_string_equal(c.outputs[1].ops->type, "webhook");
	assert_string_equal(errors, ""); /* no "tls not used" warning for http:// */
	vgl_config_free(&c);
	expect_ok("http_output: {enabled: true, url: \"https://127.0.0.1:2801/\", mtls: true,\n"
		  "  client_cert: /etc/c.pem, client_key: /etc/k.pem, ca_cert: /etc/ca.pem}\n",
		  &c);
	assert_string_equal(c.outputs[0].ops->type, "webhook");
	vgl_config_free(&c);
	expect_errors("http_output: {enabled: true, url: \"htp://x\"}\n",
		      "vigil.yaml:1:14: error: http_output.url: 'htp://x' is not an http:// or "
		      "https:// URL\n");
	expect_errors("file_output: {enabled: true}\n",
		      "vigil.yaml:1:14: error: file_output.filename: missing (the output is "
		      "enabled)\n");
	expect_errors("file_output: {enabled: true, filename: /x, rotate: daily}\n",
		      "vigil.yaml:1:44: error: file_output.rotate: unknown key\n");
}

/* capture: every key into its setting; each mistake names its key. */
static void test_capture(void **state UNUSED)
{
	const struct vgl_capture_conf *cc;
	struct vgl_config c;

	expect_ok("capture:\n"
		  "  path: /var/lib/vigil/cap.vgc\n"
		  "  filter: 'container.id != host and proc.name != \"a: b\"'\n"
		  "  rotate_size: 256M\n"
		  "  rotate_interval: 1h\n"
		  "  max_files: 24\n"
		  "  max_size: 4G\n"
		  "  queue_size: 128M\n"
		  "  flight: {dir: /var/lib/vigil/flight, window: 45s, ring_size: 64M,\n"
		  "           max_duration: 2m}\n",
		  &c);
	cc = &c.capture;
	assert_string_equal(cc->path, "/var/lib/vigil/cap.vgc");
	assert_string_equal(cc->filter, "container.id != host and proc.name != \"a: b\"");
	assert_int_equal(cc->filter_pos.line, 3);
	assert_int_equal(cc->filter_pos.col, 11);
	assert_string_equal(cc->filter_pos.file, "vigil.yaml");
	assert_int_equal(cc->rotate_size, 256ull << 20);
	assert_true(cc->rotate_interval == 3600);
	assert_int_equal(cc->max_files, 24);
	assert_int_equal(cc->max_size, 4ull << 30);
	assert_int_equal(cc->queue_size, 128ull << 20);
	assert_string_equal(cc->flight_dir, "/var/lib/vigil/flight");
	assert_true(cc->flight_window == 45 && cc->flight_max_duration == 120);
	assert_int_equal(cc->flight_ring_size, 64ull << 20);
	vgl_config_free(&c);
	expect_ok("capture: {flight: {dir: /tmp/f}}\n", &c);
	assert_null(c.capture.path);
	assert_null(c.capture.filter);
	assert_int_equal(c.capture.rotate_size, 0);
	vgl_config_free(&c);
	expect_errors("capture:\n  path: /x\n  rotate_size: huge\n  colour: red\n",
		      "vigil.yaml:3:16: error: capture.rotate_size: 'huge' is not a size from 0 to "
		      "17592186044416 bytes (suffixes K, M, G)\n"
		      "vigil.yaml:4:3: error: capture.colour: unknown key\n");
	expect_errors("capture: {path: /x, max_files: 3}\n",
		      "vigil.yaml:1:32: error: capture.max_files: only with rotate_size or "
		      "rotate_interval (without rotation there is one file)\n");
	expect_errors("capture:\n  flight: {dir: /f, window: 2 days}\n",
		      "vigil.yaml:2:29: error: capture.flight.window: '2 days' is not a duration "
		      "from 0.001 to 3600 s (a number of seconds, or with ms, s, m, h)\n");
	expect_errors("capture: {path: /x, queue_size: 1K}\n",
		      "vigil.yaml:1:33: error: capture.queue_size: '1K' is not a size from 1048576 "
		      "to 68719476736 bytes (suffixes K, M, G)\n");
	/* Falco's capture section is not vigil's: said so */
	expect_errors(
		"capture:\n  enabled: true\n  path_prefix: /tmp/falco\n",
		"vigil.yaml:2:3: error: capture.enabled: a falco.yaml capture key: vigil's "
		"capture section has path, filter, rotation and flight (the recorder for "
		"rules with capture: true); see docs/config.md\n"
		"vigil.yaml:3:3: error: capture.path_prefix: a falco.yaml capture key: vigil's "
		"capture section has path, filter, rotation and flight (the recorder for "
		"rules with capture: true); see docs/config.md\n");
	expect_errors("capture: [a]\n",
		      "vigil.yaml:1:10: error: capture: expected a mapping, got a list\n");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_defaults), cmocka_unit_test(test_all_keys),
		cmocka_unit_test(test_errors),	 cmocka_unit_test(test_falco_keys),
		cmocka_unit_test(test_capture),
	};
	int ret = cmocka_run_group_tests(tests, NULL, NULL);

	vgl_diag_free(&diag);
	return ret;
}
