// SPDX-License-Identifier: Apache-2.0
/*
 * An alert's Falco JSON is built only when a sink delivers it: which
 * outputs need it (the format each one ends up with: --json, json_output,
 * a per-output format either way, webhook and nats always), and through the
 * pipeline and the output stage, that text sinks get the same line with no
 * JSON built while a JSON sink gets exactly the JSON vgl_alert_json() makes.
 * Prints what building the JSON costs an alert.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <cmocka.h>

#include "testutil.h"

#include "config/config.h"
#include "output/spool.h"
#include "run/pipeline.h"
#include "run/setup.h"
#include "test_record.h"
#include "test_rules_util.h"

#define RULES                                                                               \
	"- rule: Shadow read\n  desc: d\n  condition: evt.type = openat\n"                  \
	"  output: \"Sensitive file opened (file=%fd.name pid=%proc.pid evt=%evt.type "     \
	"flags=%evt.arg.flags tid=%thread.tid user=%user.name container=%container.id)\"\n" \
	"  priority: WARNING\n  tags: [filesystem, mitre_credential_access]\n"

static char dir[64];

static int setup(void **state)
{
	(void)state;
	tu_mkdtemp("/tmp/vigil-lazyjson-XXXXXX", dir, sizeof(dir));
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	tu_rmtree(dir);
	return 0;
}

/* The output stage vigil run builds from config @yaml and --json @json. */
static struct vgl_outputs *outputs_from(const char *yaml, bool json)
{
	struct vgl_outputs *o = NULL;
	struct vgl_config cfg;
	struct vgl_diag diag;

	vgl_diag_init(&diag);
	assert_int_equal(vgl_config_parse("vigil.yaml", yaml, strlen(yaml), &cfg, &diag), 0);
	vgl_diag_free(&diag);
	/* --json, else the file's json_output (vgl_setup_load() merges them) */
	assert_int_equal(vgl_setup_outputs(&cfg, json || cfg.json_output, "host", &o), 0);
	vgl_config_free(&cfg);
	return o;
}

static bool need_json(const char *yaml, bool json)
{
	struct vgl_outputs *o = outputs_from(yaml, json);
	bool ret = vgl_outputs_need_json(o);

	vgl_outputs_free(o);
	return ret;
}

static void test_need_json(void **state)
{
	char y[1024];

	(void)state;
	/* the default output: stdout, text unless --json or json_output */
	assert_false(need_json("", false));
	assert_true(need_json("", true));
	assert_true(need_json("json_output: true\n", false));
	snprintf(y, sizeof(y),
		 "outputs:\n  - type: stdout\n  - type: file\n    path: %s/a.log\n"
		 "  - type: program\n    command: cat\n",
		 dir);
	assert_false(need_json(y, false));
	assert_true(need_json(y, true));
	/* a per-output format wins over --json, either way */
	snprintf(y, sizeof(y),
		 "outputs:\n  - type: stdout\n    format: text\n"
		 "  - type: file\n    path: %s/a.log\n    format: text\n",
		 dir);
	assert_false(need_json(y, true));
	snprintf(y, sizeof(y),
		 "outputs:\n  - type: stdout\n  - type: file\n    path: %s/a.log\n"
		 "    format: json\n",
		 dir);
	assert_true(need_json(y, false));
	assert_true(need_json("outputs:\n  - type: syslog\n    address: udp://127.0.0.1:9\n"
			      "    format: json\n",
			      false));
	assert_false(
		need_json("outputs:\n  - type: syslog\n    address: udp://127.0.0.1:9\n", false));
	/* webhook and nats send the JSON whatever --json says */
	assert_true(
		need_json("outputs:\n  - type: webhook\n    url: http://127.0.0.1:9/\n", false));
	assert_true(need_json("outputs:\n  - type: nats\n    url: nats://127.0.0.1:9\n"
			      "    subject: vigil.alerts\n",
			      false));
}

/* An openat of /etc/shadow by pid 4242 at boot time @ts. */
static struct trec *open_record(uint64_t ts)
{
	struct trec *t = trec_new(VGL_EV_OPENAT);

	t->hdr.pid = t->hdr.tid = 4242;
	t->hdr.ts = ts;
	t->hdr.res = 3;
	trec_s64(t, -100);
	trec_str(t, "/etc/shadow");
	trec_str(t, "/etc/shadow");
	trec_u64(t, 0);
	trec_u64(t, 0);
	trec_finish(t);
	return t;
}

struct ref {
	const struct vgl_pipeline *p;
	const struct vgl_event *ev;
	char *json;
};

/* How the pipeline made every alert's JSON before: vgl_alert_json(), always. */
static int ref_match(void *data, const struct vgl_ruleset *rs, size_t rule,
		     struct vgl_match_ctx *ctx)
{
	struct ref *r = data;
	struct vgl_alert_meta meta = {
		.hostname = r->p->hostname,
		.time_ns = (int64_t)r->ev->hdr.ts + r->p->fmt.boot_to_realtime_ns,
	};

	(void)rs;
	r->json = vgl_alert_json(ctx, rule, &meta);
	return 0;
}

struct seen {
	size_t alerts, json_len;
	char json[4096];
};

static void on_alert(void *ctx, const struct vgl_alert *a)
{
	struct seen *s = ctx;

	s->alerts++;
	s->json_len = a->json_len;
	snprintf(s->json, sizeof(s->json), "%s", a->json);
}

static char *slurp(const char *name)
{
	char path[128], *buf = calloc(1, 8192);
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	f = fopen(path, "r");
	assert_non_null(f);
	assert_non_null(buf);
	assert_true(fread(buf, 1, 8191, f) > 0);
	fclose(f);
	return buf;
}

/* One alert through the pipeline into a text and (@with_json) a JSON file sink. */
static void run_one(bool with_json, struct seen *seen, char **ret_text, char **ret_json,
		    char **ret_ref)
{
	const char *tag = with_json ? "j" : "t"; /* file sinks append: a file per run */
	struct vgl_kindset none = { 0 };
	struct vgl_pipeline p;
	struct trec *t = open_record(123456789);
	struct ref ref = { .p = &p };
	struct vgl_event ev;
	char y[512], err[256] = "";
	int e;

	snprintf(y, sizeof(y),
		 "outputs:\n  - type: file\n    path: %s/%s-text.log\n"
		 "  - type: file\n    path: %s/%s-json.log\n    format: %s\n",
		 dir, tag, dir, tag, with_json ? "json" : "text");
	assert_int_equal(vgl_pipeline_init(&p, &none, VGL_FMT_HUMAN, stdout), 0);
	assert_null(vgl_pipeline_set_rules(&p, rules_from(RULES), &e));
	p.fmt.boot_to_realtime_ns = 1700000000000000000; /* 2023-11-14T22:13:20Z at boot */
	p.outputs = outputs_from(y, false);
	p.alert_json = vgl_outputs_need_json(p.outputs); /* as vigil run and replay do */
	assert_int_equal(p.alert_json, with_json);
	p.on_alert = on_alert;
	p.on_alert_ctx = seen;
	assert_int_equal(vgl_outputs_start(p.outputs, err, sizeof(err)), 0);
	vgl_pipeline_record(&p, t->rec, t->size);
	vgl_outputs_stop(p.outputs);
	assert_int_equal(vgl_decode(t->rec, t->size, &ev, NULL), 0);
	ref.ev = &ev;
	vgl_ruleset_eval(p.rules, p.mctx, &ev, NULL, NULL, ref_match, &ref);
	*ret_ref = ref.json;
	snprintf(y, sizeof(y), "%s-text.log", tag);
	*ret_text = slurp(y);
	snprintf(y, sizeof(y), "%s-json.log", tag);
	*ret_json = slurp(y);
	vgl_outputs_free(p.outputs);
	vgl_pipeline_fini(&p);
	free(t);
}

static void test_text_only_builds_no_json(void **state)
{
	struct seen text = { 0 }, json = { 0 };
	char *t1, *j1, *r1, *t2, *j2, *r2, want[4200];

	(void)state;
	run_one(false, &text, &t1, &j1, &r1);
	run_one(true, &json, &t2, &j2, &r2);
	assert_int_equal(text.alerts, 1);
	assert_int_equal(json.alerts, 1);
	/* text sinks only: the alert carries no JSON, and the line is the same */
	assert_int_equal(text.json_len, 0);
	assert_string_equal(text.json, "");
	assert_string_equal(t1,
			    "22:13:20.123456789: Warning Sensitive file opened (file=/etc/shadow "
			    "pid=4242 evt=openat flags=O_RDONLY tid=4242 user=<NA> "
			    "container=<NA>)\n");
	assert_string_equal(t1, j1); /* both sinks text */
	assert_string_equal(t1, t2);
	/* a JSON sink: the JSON is built, byte for byte what vgl_alert_json() makes */
	assert_non_null(r2);
	assert_int_equal(json.json_len, strlen(r2));
	assert_string_equal(json.json, r2);
	snprintf(want, sizeof(want), "%s\n", r2);
	assert_string_equal(j2, want);
	assert_non_null(strstr(j2, "\"rule\":\"Shadow read\""));
	assert_non_null(strstr(j2, "\"fd.name\":\"/etc/shadow\""));
	assert_non_null(strstr(j2, "\"time\":\"2023-11-14T22:13:20.123456789Z\""));
	free(t1), free(j1), free(r1), free(t2), free(j2), free(r2);
}

/* An alert as a text output's pipeline makes it: no JSON. */
static struct vgl_alert *text_alert(const char *msg)
{
	static const char *const tags[] = { "filesystem", "T1" };
	struct vgl_alert_parts p = {
		.time_ns = 1700000000123456789,
		.priority = 4,
		.rule = "Shadow read",
		.source = "syscall",
		.hostname = "host-a",
		.msg = msg,
		.msg_len = strlen(msg),
		.tags = tags,
		.ntags = 2,
	};
	struct vgl_alert *a = vgl_alert_new(&p);

	assert_non_null(a);
	assert_int_equal(a->json_len, 0);
	return a;
}

#define WITH_JSON(out)                                                                      \
	"{\"hostname\":\"host-a\",\"output\":\"22:13:20.123456789: Warning " out "\","      \
	"\"output_fields\":{\"evt.time\":1700000000123456789},\"priority\":\"Warning\","    \
	"\"rule\":\"Shadow read\",\"source\":\"syscall\",\"tags\":[\"filesystem\",\"T1\"]," \
	"\"time\":\"2023-11-14T22:13:20.123456789Z\"}"

/* The JSON an alert spooled without one gets: Falco's shape from what it has. */
static void test_with_json(void **state)
{
	struct vgl_alert *a = text_alert("opened \"/etc/shadow\" \xc3\xa9"), *b;

	(void)state;
	b = vgl_alert_with_json(a);
	assert_non_null(b);
	assert_string_equal(b->json, WITH_JSON("opened \\\"/etc/shadow\\\" \\u00E9"));
	assert_int_equal(b->json_len, strlen(b->json));
	assert_string_equal(b->msg, a->msg);
	vgl_alert_unref(b);
	vgl_alert_unref(a);
	a = text_alert("bad \xff utf-8"); /* as vgl_alert_json(): '?' */
	b = vgl_alert_with_json(a);
	assert_string_equal(b->json, WITH_JSON("bad ? utf-8"));
	vgl_alert_unref(b);
	vgl_alert_unref(a);
}

/* A text output's spool read back after the config made it json: JSON lines. */
static void test_spool_to_json(void **state)
{
	struct vgl_alert *a = text_alert("one");
	struct vgl_spool *sp;
	struct vgl_outputs *o;
	char y[512], err[256] = "", *got;

	(void)state;
	snprintf(y, sizeof(y), "%s/spool", dir);
	assert_int_equal(vgl_spool_open(y, 1 << 20, &sp, err, sizeof(err)), 0);
	assert_int_equal(vgl_spool_append(sp, a), 0);
	vgl_spool_close(sp);
	vgl_alert_unref(a);
	snprintf(y, sizeof(y),
		 "outputs:\n  - type: file\n    path: %s/spooled.log\n    format: json\n"
		 "    queue: {spool: %s/spool}\n",
		 dir, dir);
	o = outputs_from(y, false);
	assert_int_equal(vgl_outputs_start(o, err, sizeof(err)), 0);
	/* the worker reads the spool while not stopping: wait for it (10 s at most) */
	for (int i = 0; i < 1000; i++) {
		struct vgl_sink_stats st;
		struct timespec ms = { 0, 10000000 };

		vgl_sink_get_stats(vgl_outputs_sink(o, 0), &st);
		if (st.unspooled == 1)
			break;
		nanosleep(&ms, NULL);
	}
	vgl_outputs_stop(o);
	vgl_outputs_free(o);
	got = slurp("spooled.log");
	assert_string_equal(got, WITH_JSON("one") "\n");
	free(got);
}

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

/* Seconds for @n alerts through the pipeline (no sinks: what on_match costs). */
static double time_alerts(bool alert_json, size_t n, struct seen *seen)
{
	struct vgl_kindset none = { 0 };
	struct vgl_pipeline p;
	struct trec *t = open_record(1);
	double t0;
	int e;

	assert_int_equal(vgl_pipeline_init(&p, &none, VGL_FMT_HUMAN, stdout), 0);
	assert_null(vgl_pipeline_set_rules(&p, rules_from(RULES), &e));
	p.alert_json = alert_json;
	p.on_alert = on_alert;
	p.on_alert_ctx = seen;
	t0 = now_s();
	for (size_t i = 0; i < n; i++)
		vgl_pipeline_record(&p, t->rec, t->size);
	t0 = now_s() - t0;
	assert_int_equal(p.stats.alerts, n);
	vgl_pipeline_fini(&p);
	free(t);
	return t0;
}

static void test_cost(void **state)
{
	struct seen a = { 0 }, b = { 0 };
	size_t n = 20000;
	double with, without;

	(void)state;
	time_alerts(true, 1000, &a); /* warm up */
	with = time_alerts(true, n, &a);
	without = time_alerts(false, n, &b);
	assert_true(a.json_len > 0);
	assert_int_equal(b.json_len, 0);
	printf("alerts through the pipeline: %.2f us each with the JSON, %.2f us without\n",
	       with / (double)n * 1e6, without / (double)n * 1e6);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_need_json), cmocka_unit_test(test_text_only_builds_no_json),
		cmocka_unit_test(test_with_json), cmocka_unit_test(test_spool_to_json),
		cmocka_unit_test(test_cost),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
