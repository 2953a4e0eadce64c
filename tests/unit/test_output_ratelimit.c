// SPDX-License-Identifier: Apache-2.0
/*
 * The per-rule rate limit: bursts, refill, one rule never limiting
 * another, and the summary alert (source internal) that reports what was
 * suppressed, delivered to the sinks like any alert.
 */
#include <jansson.h>
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <unistd.h>

#include <cmocka.h>

#include "output/outputs.h"
#include "output/ratelimit.h"
#include "test_output_util.h"

#define UNUSED __attribute__((unused))

static void test_bucket(void **state UNUSED)
{
	struct vgl_ratelimit *rl = vgl_ratelimit_new(2, 3); /* 2/s, bursts of 3 */
	struct vgl_ratelimit_entry e[4];
	uint64_t total;
	int pass = 0;

	for (int i = 0; i < 10; i++)
		pass += vgl_ratelimit_allow(rl, "noisy", 100.0);
	assert_int_equal(pass, 3);
	assert_true(vgl_ratelimit_allow(rl, "quiet", 100.0)); /* its own bucket */
	assert_false(vgl_ratelimit_allow(rl, "noisy", 100.4));
	assert_true(vgl_ratelimit_allow(rl, "noisy", 100.6)); /* 1.2 tokens refilled */
	assert_false(vgl_ratelimit_allow(rl, "noisy", 100.6));
	for (int i = 0; i < 3; i++)
		vgl_ratelimit_allow(rl, "other", 100.0);
	vgl_ratelimit_allow(rl, "other", 100.0);
	assert_int_equal(vgl_ratelimit_take_report(rl, e, 4, &total), 2);
	assert_int_equal(total, 10);
	assert_string_equal(e[0].rule, "noisy"); /* the most suppressed first */
	assert_int_equal(e[0].suppressed, 9);
	assert_string_equal(e[1].rule, "other");
	assert_int_equal(e[1].suppressed, 1);
	/* the report resets the counts */
	assert_int_equal(vgl_ratelimit_take_report(rl, e, 4, &total), 0);
	assert_int_equal(total, 0);
	vgl_ratelimit_free(rl);
}

/* A driver that keeps what it was given. */
struct keep {
	pthread_mutex_t mu;
	struct vgl_alert *a[64];
	size_t n;
};

static void keep_deliver(void *priv, struct vgl_sink *s, struct vgl_alert *const *a, size_t n,
			 struct vgl_deliver_result *r)
{
	struct keep *k = priv;

	pthread_mutex_lock(&k->mu);
	for (size_t i = 0; i < n && k->n < 64; i++)
		k->a[k->n++] = vgl_alert_ref(a[i]);
	pthread_mutex_unlock(&k->mu);
	r->status = VGL_DELIVER_OK;
}

static const struct vgl_sink_ops keep_ops = { .type = "keep", .deliver = keep_deliver };

static void test_summary_alert(void **state UNUSED)
{
	struct vgl_outputs_conf oc = {
		.rate = 1, .burst = 2, .summary_interval = 0.01, .hostname = "node-1"
	};
	struct keep k = { .mu = PTHREAD_MUTEX_INITIALIZER };
	struct vgl_outputs_stats st;
	struct vgl_outputs *o = NULL;
	struct vgl_sink_conf c;
	struct vgl_sink *s = NULL;
	struct vgl_alert *last;
	char err[128];
	json_t *j;

	vgl_sink_conf_init(&c);
	assert_int_equal(vgl_outputs_new(&oc, &o), 0);
	assert_int_equal(vgl_sink_new(&keep_ops, &c, &k, &s, err, sizeof(err)), 0);
	assert_int_equal(vgl_outputs_add(o, s), 0);
	assert_int_equal(vgl_outputs_start(o, err, sizeof(err)), 0);
	for (int i = 0; i < 10; i++) {
		struct vgl_alert *a = talert("Noisy \"rule\"", "m", i);

		vgl_outputs_submit(o, a);
		vgl_alert_unref(a);
	}
	usleep(20000);
	vgl_outputs_tick(o, 1796379072123456789ll);
	vgl_outputs_stop(o);
	vgl_outputs_get_stats(o, &st);
	assert_int_equal(st.submitted, 10);
	assert_int_equal(st.rate_limited, 8);
	assert_int_equal(k.n, 3); /* the burst, then the summary */
	last = k.a[2];
	assert_string_equal(last->rule, VGL_RATELIMIT_RULE);
	assert_string_equal(last->source, "internal");
	assert_string_equal(last->hostname, "node-1");
	assert_string_equal(last->msg,
			    "vigil internal: alerts rate-limited. 8 alerts suppressed in "
			    "the last 0 s (limit 1/s, burst 2 per rule): Noisy \"rule\"=8");
	j = json_loads(last->json, 0, NULL);
	assert_non_null(j);
	assert_string_equal(json_string_value(json_object_get(j, "source")), "internal");
	assert_string_equal(json_string_value(json_object_get(j, "priority")), "Warning");
	assert_string_equal(json_string_value(json_object_get(j, "time")),
			    "2026-12-04T10:11:12.123456789Z");
	assert_int_equal(json_integer_value(json_object_get(json_object_get(j, "output_fields"),
							    "vigil.suppressed")),
			 8);
	assert_int_equal(json_integer_value(json_object_get(
				 json_object_get(json_object_get(j, "output_fields"),
						 "vigil.suppressed_by_rule"),
				 "Noisy \"rule\"")),
			 8);
	assert_string_equal(json_string_value(json_object_get(j, "output")),
			    "10:11:12.123456789: Warning vigil internal: alerts rate-limited. 8 "
			    "alerts suppressed in the last 0 s (limit 1/s, burst 2 per rule): "
			    "Noisy \"rule\"=8");
	json_decref(j);
	for (size_t i = 0; i < k.n; i++)
		vgl_alert_unref(k.a[i]);
	vgl_outputs_free(o);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_bucket),
		cmocka_unit_test(test_summary_alert),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
