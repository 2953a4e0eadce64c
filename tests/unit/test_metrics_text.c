// SPDX-License-Identifier: Apache-2.0
/*
 * /metrics and /healthz as a scraper reads them, from a known view: exact
 * lines of the Prometheus text (label escaping of user text included), a
 * HELP and TYPE for every family, the health verdict, the rule series limit.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "metrics/rulecount.h"
#include "metrics/view.h"
#include "rules/rules.h"

#define UNUSED __attribute__((unused))

static struct vgl_metrics_snapshot snap;
static struct vgl_metrics_sink sinks[2];
static struct vgl_rule_count rules[2];

/* A view of a vigil that ran a while: known counters everywhere. */
static struct vgl_metrics_view known_view(void)
{
	struct vgl_metrics_view v = {
		.published = true,
		.s = &snap,
		.now_mono = 1000,
		.now_wall = 1700000000,
		.sinks = sinks,
		.nsinks = 2,
		.rules = rules,
		.nrules = 2,
		.rules_overflow = 3,
		.proc = { .cpu_seconds = 1.5, .rss_bytes = 4096 * 1000, .start_time = 1699999000 },
	};

	memset(&snap, 0, sizeof(snap));
	snap.attached = true;
	snap.consumed_at = 999.9;
	snap.kernel[VGL_EV_OPENAT] = (struct vgl_kind_stats){ 120, 4, 2, 1, 7000 };
	snap.kernel[VGL_EV_EXECVE] = (struct vgl_kind_stats){ 30, 1, 0, 0, 0 };
	snap.ncpus = 2;
	snap.cpu[0] = (struct vgl_kind_stats){ 100, 5, 0, 0, 0 };
	snap.cpu[1] = (struct vgl_kind_stats){ 50, 0, 0, 0, 0 };
	snap.received = 145;
	snap.decode_errors = 2;
	snap.decoded[VGL_EV_OPENAT] = 116;
	snap.alerts = 10;
	snap.nrules = 42;
	snap.load_seconds = 0.25;
	snap.reload_ok_at = 1699999500.5;
	snap.reloads_failed = 1;
	snap.procs = 310;
	snap.containers = 7;
	memset(sinks, 0, sizeof(sinks));
	sinks[0] =
		(struct vgl_metrics_sink){ .name = "alerts-file", .type = "file", .healthy = true };
	sinks[0].st.sent = 9;
	sinks[0].st.queue_depth = 1;
	sinks[0].st.queue_size = 10000;
	sinks[1] = (struct vgl_metrics_sink){ .name = "hook", .type = "webhook" };
	sinks[1].st.retries = 6;
	sinks[1].st.lost[VGL_LOSS_QUEUE_FULL] = 11;
	sinks[1].st.lost[VGL_LOSS_REJECTED] = 2;
	sinks[1].st.failing = true;
	sinks[1].st.failing_for = 12.5;
	snprintf(sinks[1].why, sizeof(sinks[1].why), "failing for 12 s: HTTP 500\n\x1b[31m");
	rules[0] = (struct vgl_rule_count){ "Write below etc", VGL_PRI_ERROR, 4 };
	rules[1] = (struct vgl_rule_count){ "say \"hi\" \\ to\nme", VGL_PRI_CRITICAL, 6 };
	return v;
}

static char *render(const struct vgl_metrics_view *v)
{
	struct vgl_text t;

	vgl_text_init(&t, VGL_METRICS_TEXT_MAX);
	vgl_metrics_render(v, &t);
	assert_false(t.failed);
	assert_non_null(t.buf);
	return t.buf;
}

/* @line is one whole line of @text. */
static void assert_line(const char *text, const char *line)
{
	size_t n = strlen(line);

	for (const char *p = text; (p = strstr(p, line)); p++) {
		if ((p == text || p[-1] == '\n') && p[n] == '\n')
			return;
	}
	fail_msg("no line '%s' in:\n%s", line, text);
}

static void test_families(void **state UNUSED)
{
	struct vgl_metrics_view v = known_view();
	char *text = render(&v);

	assert_line(text, "# HELP vigil_kernel_events_total Records the BPF programs wrote to "
			  "the ring buffer, by event kind.");
	assert_line(text, "# TYPE vigil_kernel_events_total counter");
	assert_line(text, "vigil_kernel_events_total{kind=\"openat\"} 120");
	assert_line(text, "vigil_kernel_events_total{kind=\"clone\"} 0");
	assert_line(text,
		    "vigil_kernel_events_lost_total{kind=\"openat\",reason=\"ringbuf_full\"} 4");
	assert_line(text, "vigil_kernel_events_truncated_total{kind=\"openat\"} 2");
	assert_line(text, "vigil_kernel_events_unreadable_total{kind=\"openat\"} 1");
	assert_line(text, "vigil_kernel_events_prefiltered_total{kind=\"openat\"} 7000");
	assert_line(text, "vigil_kernel_cpu_events_total{cpu=\"1\"} 50");
	assert_line(text,
		    "vigil_kernel_cpu_events_lost_total{cpu=\"0\",reason=\"ringbuf_full\"} 5");
	assert_null(strstr(text, "cpu=\"2\""));
	assert_line(text, "vigil_events_received_total 145");
	assert_line(text, "vigil_events_decoded_total{kind=\"openat\"} 116");
	assert_line(text, "vigil_events_lost_total{reason=\"ringbuf_full\"} 5");
	assert_line(text, "vigil_events_lost_total{reason=\"undecodable\"} 2");
	assert_line(text, "vigil_alerts_total 10");
	assert_line(text,
		    "vigil_rule_matches_total{rule=\"Write below etc\",priority=\"Error\"} 4");
	assert_line(text, "vigil_rule_matches_overflow_total 3");
	assert_line(text, "vigil_rules_loaded 42");
	assert_line(text, "vigil_rules_load_duration_seconds 0.250000");
	assert_line(text, "vigil_rules_last_reload_success_timestamp_seconds 1699999500.500000");
	assert_line(text, "vigil_rules_reloads_total{result=\"failure\"} 1");
	assert_line(text, "vigil_state_processes 310");
	assert_line(text, "vigil_state_containers 7");
	assert_line(text, "process_resident_memory_bytes 4096000");
	assert_line(text, "process_cpu_seconds_total 1.500000");
	assert_line(text, "vigil_capture_attached 1");
	assert_line(text, "vigil_ringbuf_last_read_timestamp_seconds 1699999999.900000");
	free(text);
}

static void test_outputs(void **state UNUSED)
{
	struct vgl_metrics_view v = known_view();
	char *text = render(&v);

	assert_line(text, "# TYPE vigil_output_alerts_sent_total counter");
	assert_line(text, "vigil_output_alerts_sent_total{sink=\"alerts-file\",type=\"file\"} 9");
	assert_line(text, "vigil_output_retries_total{sink=\"hook\",type=\"webhook\"} 6");
	assert_line(text, "vigil_output_queue_depth{sink=\"alerts-file\",type=\"file\"} 1");
	assert_line(text, "vigil_output_queue_capacity{sink=\"alerts-file\",type=\"file\"} 10000");
	assert_line(text, "vigil_output_alerts_dropped_total{sink=\"hook\",type=\"webhook\","
			  "reason=\"queue_full\"} 11");
	assert_line(text, "vigil_output_alerts_failed_total{sink=\"hook\",type=\"webhook\","
			  "reason=\"rejected\"} 2");
	/* each loss reason is in one family only */
	assert_null(strstr(text, "vigil_output_alerts_failed_total{sink=\"hook\",type=\"webhook\","
				 "reason=\"queue_full\"}"));
	assert_null(strstr(text, "vigil_output_alerts_dropped_total{sink=\"hook\",type=\"webhook\","
				 "reason=\"rejected\"}"));
	assert_line(text, "vigil_output_failing_seconds{sink=\"hook\",type=\"webhook\"} 12.500000");
	assert_line(text, "vigil_output_healthy{sink=\"hook\",type=\"webhook\"} 0");
	assert_line(text, "vigil_output_healthy{sink=\"alerts-file\",type=\"file\"} 1");
	assert_line(text, "vigil_healthy 0");
	free(text);
}

/* A rule name is user text: \ " and newline escaped, bytes that are not UTF-8 replaced. */
static void test_label_escaping(void **state UNUSED)
{
	struct vgl_metrics_view v = known_view();
	char *text = render(&v);
	struct vgl_text t;

	assert_line(text, "vigil_rule_matches_total{rule=\"say \\\"hi\\\" \\\\ to\\nme\","
			  "priority=\"Critical\"} 6");
	free(text);
	vgl_text_init(&t, 1024);
	vgl_text_label(&t, "caf\xc3\xa9 \xff\xc0\xaf \xe2\x82 ok\t\xf0\x9f\x90\x9b");
	assert_string_equal(t.buf, "caf\xc3\xa9 \xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd "
				   "\xef\xbf\xbd\xef\xbf\xbd ok\t\xf0\x9f\x90\x9b");
	vgl_text_free(&t);
}

/* Every sample belongs to a family announced by HELP and TYPE; counters end in _total. */
static void test_every_family_typed(void **state UNUSED)
{
	struct vgl_metrics_view v = known_view();
	char *text = render(&v), *save = NULL, help[128] = "", type[128] = "", kind[16] = "";
	size_t samples = 0;

	for (char *l = strtok_r(text, "\n", &save); l; l = strtok_r(NULL, "\n", &save)) {
		char name[128];
		size_t n;

		if (sscanf(l, "# HELP %127s", help) == 1)
			continue;
		if (sscanf(l, "# TYPE %127s %15s", type, kind) == 2) {
			assert_string_equal(type, help);
			n = strlen(type);
			if (!strcmp(kind, "counter"))
				assert_string_equal(type + n - 6, "_total");
			else
				assert_string_equal(kind, "gauge");
			continue;
		}
		n = strcspn(l, "{ ");
		assert_true(n < sizeof(name));
		memcpy(name, l, n);
		name[n] = '\0';
		assert_string_equal(name, type);
		samples++;
	}
	assert_true(samples > 100);
	free(text);
}

static void test_health(void **state UNUSED)
{
	struct vgl_metrics_view v = known_view();
	struct vgl_text t;

	vgl_text_init(&t, 4096);
	assert_int_equal(vgl_metrics_health(&v, &t), 1);
	/* the reason quotes a receiver: escaped, one line */
	assert_string_equal(t.buf, "output hook: failing for 12 s: HTTP 500\\n\\x1b[31m\n");
	vgl_text_free(&t);
	/* a failing receiver is not vigil's liveness: restarting would not mend it */
	vgl_text_init(&t, 4096);
	assert_int_equal(vgl_metrics_live(&v, &t), 0);
	assert_int_equal(t.len, 0);
	vgl_text_free(&t);

	sinks[1].healthy = true;
	vgl_text_init(&t, 4096);
	assert_int_equal(vgl_metrics_health(&v, &t), 0);
	assert_int_equal(t.len, 0);
	vgl_text_free(&t);

	snap.attached = false;
	snap.consumed_at = v.now_mono - 12;
	vgl_text_init(&t, 4096);
	assert_int_equal(vgl_metrics_health(&v, &t), 2);
	assert_string_equal(t.buf, "capture: programs not attached\n"
				   "capture: ring buffer not consumed for 12 s\n");
	vgl_text_free(&t);
	vgl_text_init(&t, 4096);
	assert_int_equal(vgl_metrics_live(&v, &t), 2);
	assert_string_equal(t.buf, "capture: programs not attached\n"
				   "capture: ring buffer not consumed for 12 s\n");
	vgl_text_free(&t);

	v.published = false;
	vgl_text_init(&t, 4096);
	assert_int_equal(vgl_metrics_health(&v, &t), 1);
	assert_string_equal(t.buf, "starting\n");
	vgl_text_free(&t);
}

/* Matches by (rule, priority), bounded: beyond the limit they are counted together. */
static void test_rule_counts(void **state UNUSED)
{
	struct vgl_rule_counts c;
	char name[32];

	assert_int_equal(vgl_rule_counts_init(&c), 0);
	vgl_rule_counts_add(&c, "a", VGL_PRI_WARNING);
	vgl_rule_counts_add(&c, "a", VGL_PRI_WARNING);
	vgl_rule_counts_add(&c, "a", VGL_PRI_ERROR);
	assert_int_equal(c.n, 2);
	assert_string_equal(c.v[0].rule, "a");
	assert_int_equal(c.v[0].priority, VGL_PRI_WARNING);
	assert_int_equal(c.v[0].n, 2);
	assert_int_equal(c.v[1].n, 1);
	for (int i = 0; i < VGL_METRICS_RULES_MAX + 5; i++) {
		snprintf(name, sizeof(name), "rule %d", i);
		vgl_rule_counts_add(&c, name, VGL_PRI_NOTICE);
	}
	assert_int_equal(c.n, VGL_METRICS_RULES_MAX);
	assert_int_equal(c.overflow, 7);
	vgl_rule_counts_add(&c, "rule 5", VGL_PRI_NOTICE); /* kept: still counted by name */
	assert_int_equal(c.v[7].n, 2);
	assert_int_equal(c.overflow, 7);
	vgl_rule_counts_fini(&c);
}

/* The answer has a size limit: past it the text says it failed, never cut silently. */
static void test_text_limit(void **state UNUSED)
{
	struct vgl_metrics_view v = known_view();
	struct vgl_text t;

	vgl_text_init(&t, 2000);
	vgl_metrics_render(&v, &t);
	assert_true(t.failed);
	assert_true(t.len < 2000);
	vgl_text_free(&t);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_families),       cmocka_unit_test(test_outputs),
		cmocka_unit_test(test_label_escaping), cmocka_unit_test(test_every_family_typed),
		cmocka_unit_test(test_health),	       cmocka_unit_test(test_rule_counts),
		cmocka_unit_test(test_text_limit),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
