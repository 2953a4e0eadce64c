// SPDX-License-Identifier: Apache-2.0
/*
 * The sink framework with a scripted driver: order, filters, retries and
 * their limit, refusals, a full queue with and without a spool, the drain
 * at shutdown and what it leaves for the next run, health, batches.
 */
#include <errno.h>
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include "output/sink.h"
#include "test_output_util.h"

#define UNUSED __attribute__((unused))
#define MAXREC 256

/* The scripted driver: retries the first @retries attempts, refuses rule "bad",
 * blocks while @gate. */
struct fake {
	pthread_mutex_t mu;
	int retries;	    /* attempts still to answer RETRY */
	bool retry_forever; /* every attempt */
	bool gate;	    /* deliveries wait while true (until the sink aborts) */
	int64_t got[MAXREC];
	size_t ngot, attempts, maxbatch;
};

static void fake_deliver(void *priv, struct vgl_sink *s, struct vgl_alert *const *a, size_t n,
			 struct vgl_deliver_result *r)
{
	struct fake *f = priv;

	pthread_mutex_lock(&f->mu);
	f->attempts++;
	f->maxbatch = n > f->maxbatch ? n : f->maxbatch;
	while (f->gate && !vgl_sink_aborting(s)) {
		pthread_mutex_unlock(&f->mu);
		usleep(1000);
		pthread_mutex_lock(&f->mu);
	}
	if (f->gate || f->retry_forever || f->retries > 0) {
		f->retries--;
		r->status = VGL_DELIVER_RETRY;
		snprintf(r->error, sizeof(r->error), "receiver said 503");
	} else if (!strcmp(a[0]->rule, "bad")) {
		r->status = VGL_DELIVER_FAIL;
		r->loss = VGL_LOSS_REJECTED;
		snprintf(r->error, sizeof(r->error), "receiver said 400");
	} else {
		for (size_t i = 0; i < n && f->ngot < MAXREC; i++)
			f->got[f->ngot++] = a[i]->time_ns;
		r->status = VGL_DELIVER_OK;
	}
	pthread_mutex_unlock(&f->mu);
}

static const struct vgl_sink_ops fake_ops = {
	.type = "fake",
	.deliver = fake_deliver,
};

static struct fake *fake_new(void)
{
	struct fake *f = calloc(1, sizeof(*f));

	pthread_mutex_init(&f->mu, NULL);
	return f;
}

static void fake_set(struct fake *f, bool *field, bool v)
{
	pthread_mutex_lock(&f->mu);
	*field = v;
	pthread_mutex_unlock(&f->mu);
}

static size_t fake_attempts(struct fake *f)
{
	size_t n;

	pthread_mutex_lock(&f->mu);
	n = f->attempts;
	pthread_mutex_unlock(&f->mu);
	return n;
}

/* Submit one alert and wait until the driver holds it (in flight). */
static void submit_in_flight(struct vgl_sink *s, struct fake *f)
{
	struct vgl_alert *a = talert("r", "m", 0);

	vgl_sink_submit(s, a);
	vgl_alert_unref(a);
	for (int i = 0; i < 5000 && fake_attempts(f) == 0; i++)
		usleep(1000);
	assert_true(fake_attempts(f) > 0);
}

static size_t fake_ngot(struct fake *f)
{
	size_t n;

	pthread_mutex_lock(&f->mu);
	n = f->ngot;
	pthread_mutex_unlock(&f->mu);
	return n;
}

/* A started sink over @f; @spool may be NULL. */
static struct vgl_sink *sink_new(struct fake *f, size_t queue, const char *spool,
				 void (*tweak)(struct vgl_sink_conf *))
{
	struct vgl_sink_conf c;
	struct vgl_sink *s = NULL;
	char err[256] = "";

	vgl_sink_conf_init(&c);
	c.name = strdup("fake-0");
	c.queue_size = queue;
	c.retry_initial = 0.001;
	c.retry_max = 0.004;
	c.spool = spool ? strdup(spool) : NULL;
	if (tweak)
		tweak(&c);
	assert_int_equal(vgl_sink_new(&fake_ops, &c, f, &s, err, sizeof(err)), 0);
	assert_int_equal(vgl_sink_start(s, err, sizeof(err)), 0);
	return s;
}

static void submit(struct vgl_sink *s, const char *rule, int64_t from, int n)
{
	for (int64_t i = from; i < from + n; i++) {
		struct vgl_alert *a = talert(rule, "m", i);

		vgl_sink_submit(s, a);
		vgl_alert_unref(a);
	}
}

static void wait_got(struct fake *f, size_t n)
{
	for (int i = 0; i < 10000 && fake_ngot(f) < n; i++)
		usleep(1000);
	assert_int_equal(fake_ngot(f), n);
}

static void assert_in_order(struct fake *f, int64_t from, size_t n)
{
	assert_int_equal(f->ngot, n);
	for (size_t i = 0; i < n; i++)
		assert_int_equal(f->got[i], from + (int64_t)i);
}

static double soon(double s)
{
	return vgl_mono_now() + s;
}

static struct vgl_sink_stats stats_of(struct vgl_sink *s)
{
	struct vgl_sink_stats st;

	vgl_sink_get_stats(s, &st);
	return st;
}

static void test_in_order(void **state UNUSED)
{
	struct fake *f = fake_new();
	struct vgl_sink *s = sink_new(f, 100, NULL, NULL);

	f->retries = 3; /* the first attempts fail, then the same alert goes again */
	submit(s, "r", 0, 50);
	wait_got(f, 50);
	vgl_sink_stop(s, soon(5));
	assert_in_order(f, 0, 50);
	assert_int_equal(stats_of(s).sent, 50);
	assert_int_equal(stats_of(s).retries, 3);
	assert_int_equal(stats_of(s).submitted, 50);
	vgl_sink_free(s);
	free(f);
}

static void filters(struct vgl_sink_conf *c)
{
	static const char *const ex[] = { "skip" };
	static const char *const tags[] = { "mitre_discovery" };

	c->min_priority = 4; /* warning and more urgent */
	c->rules_exclude = calloc(2, sizeof(char *));
	c->rules_exclude[0] = strdup(ex[0]);
	c->nrules_exclude = 1;
	c->tags = calloc(2, sizeof(char *));
	c->tags[0] = strdup(tags[0]);
	c->ntags = 1;
}

static void test_filters(void **state UNUSED)
{
	struct fake *f = fake_new();
	struct vgl_sink *s = sink_new(f, 100, NULL, filters);
	struct vgl_alert *low = talert("r", "m", 100);

	low->priority = 5; /* notice: below warning */
	vgl_sink_submit(s, low);
	vgl_alert_unref(low);
	submit(s, "skip", 200, 2);
	submit(s, "r", 0, 3);
	wait_got(f, 3);
	vgl_sink_stop(s, soon(5));
	assert_in_order(f, 0, 3);
	assert_int_equal(stats_of(s).filtered, 3);
	vgl_sink_free(s);
	free(f);
}

static void test_refused_and_retry_limit(void **state UNUSED)
{
	struct fake *f = fake_new();
	struct vgl_sink *s = sink_new(f, 100, NULL, NULL);
	struct vgl_sink_stats st;

	submit(s, "bad", 0, 2); /* refused: counted, not retried */
	submit(s, "r", 2, 2);
	wait_got(f, 2);
	vgl_sink_stop(s, soon(5));
	st = stats_of(s);
	assert_int_equal(st.lost[VGL_LOSS_REJECTED], 2);
	assert_int_equal(st.sent, 2);
	assert_int_equal(f->attempts, 4);
	vgl_sink_free(s);
	free(f);
}

static void max_attempts(struct vgl_sink_conf *c)
{
	c->retry_max_attempts = 3;
}

static void test_max_attempts(void **state UNUSED)
{
	struct fake *f = fake_new();
	struct vgl_sink *s = sink_new(f, 100, NULL, max_attempts);
	char why[256];

	f->retry_forever = true;
	submit(s, "r", 0, 2);
	for (int i = 0; i < 5000 && stats_of(s).lost[VGL_LOSS_RETRIES] < 2; i++)
		usleep(1000);
	assert_int_equal(stats_of(s).lost[VGL_LOSS_RETRIES], 2);
	assert_int_equal(fake_attempts(f), 6);
	assert_false(vgl_sink_healthy(s, why, sizeof(why)));
	assert_string_equal(why, "lost alerts (retries_exhausted) in the last 30 s");
	vgl_sink_stop(s, soon(5));
	vgl_sink_free(s);
	free(f);
}

/* No spool: one in flight, @queue waiting, the rest lost and counted exactly. */
static void test_queue_full(void **state UNUSED)
{
	struct fake *f = fake_new();
	struct vgl_sink *s;
	struct vgl_sink_stats st;

	f->gate = true;
	s = sink_new(f, 4, NULL, NULL);
	submit_in_flight(s, f);
	submit(s, "r", 1, 19);
	st = stats_of(s);
	assert_int_equal(st.lost[VGL_LOSS_QUEUE_FULL], 15);
	assert_int_equal(st.queue_depth, 5);
	fake_set(f, &f->gate, false);
	wait_got(f, 5);
	vgl_sink_stop(s, soon(5));
	assert_in_order(f, 0, 5);
	vgl_sink_free(s);
	free(f);
}

/* With a spool: what does not fit waits on disk and arrives in order. */
static void test_spool_spill(void **state UNUSED)
{
	struct fake *f = fake_new();
	struct vgl_sink_stats st;
	struct vgl_sink *s;
	char dir[64];

	tmkdir(dir, sizeof(dir));
	f->gate = true;
	s = sink_new(f, 4, dir, NULL);
	submit(s, "r", 0, 100);
	st = stats_of(s);
	assert_true(st.spooled >= 95);
	assert_int_equal(st.spooled + st.queue_depth, 100);
	submit(s, "r", 100, 20); /* behind the spool, even once the queue has room */
	fake_set(f, &f->gate, false);
	wait_got(f, 120);
	vgl_sink_stop(s, soon(5));
	assert_in_order(f, 0, 120);
	st = stats_of(s);
	assert_int_equal(st.unspooled, st.spooled);
	assert_int_equal(st.spool_depth, 0);
	for (int r = 0; r < VGL_LOSS_MAX; r++)
		assert_int_equal(st.lost[r], 0);
	vgl_sink_free(s);
	free(f);
	trm(dir);
}

/* Shutdown with the receiver down: queued alerts are spooled for the next run. */
static void test_drain_to_spool(void **state UNUSED)
{
	struct fake *f = fake_new(), *g = fake_new();
	struct vgl_sink *s;
	char dir[64];
	double t0;

	tmkdir(dir, sizeof(dir));
	f->gate = true;
	s = sink_new(f, 8, dir, NULL);
	submit(s, "r", 0, 20); /* 1 in flight, 7 queued, 12 spooled */
	t0 = vgl_mono_now();
	vgl_sink_stop(s, soon(0.2));
	assert_true(vgl_mono_now() - t0 < 3);
	assert_int_equal(stats_of(s).spool_depth, 20);
	vgl_sink_free(s);
	/* the next run delivers them first, in order */
	s = sink_new(g, 8, dir, NULL);
	submit(s, "r", 20, 5);
	wait_got(g, 25);
	vgl_sink_stop(s, soon(5));
	assert_in_order(g, 0, 25);
	vgl_sink_free(s);
	free(f);
	free(g);
	trm(dir);
}

static void test_drain_without_spool(void **state UNUSED)
{
	struct fake *f = fake_new();
	struct vgl_sink *s;
	struct vgl_sink_stats st;

	f->gate = true;
	s = sink_new(f, 8, NULL, NULL);
	submit_in_flight(s, f);
	submit(s, "r", 1, 19); /* 8 queued, 11 lost */
	vgl_sink_stop(s, soon(0.2));
	st = stats_of(s);
	assert_int_equal(st.lost[VGL_LOSS_QUEUE_FULL], 11);
	assert_int_equal(st.lost[VGL_LOSS_SHUTDOWN], 9);
	assert_int_equal(st.sent, 0);
	vgl_sink_free(s);
	free(f);
}

static void batches(struct vgl_sink_conf *c)
{
	c->batch_max = 5;
	c->batch_linger = 0.05;
	c->unhealthy_after = 0.05;
}

static void test_batches_and_health(void **state UNUSED)
{
	struct fake *f = fake_new();
	struct vgl_sink *s = sink_new(f, 100, NULL, batches);
	char why[256];

	submit(s, "r", 0, 23);
	wait_got(f, 23);
	assert_int_equal(f->maxbatch, 5);
	assert_true(f->attempts <= 10);
	assert_true(vgl_sink_healthy(s, why, sizeof(why)));
	f->retry_forever = true;
	submit(s, "r", 23, 1);
	for (int i = 0; i < 5000 && vgl_sink_healthy(s, why, sizeof(why)); i++)
		usleep(1000);
	assert_false(vgl_sink_healthy(s, why, sizeof(why)));
	assert_non_null(strstr(why, "s: receiver said 503"));
	assert_true(stats_of(s).failing);
	vgl_sink_stop(s, soon(0.1));
	vgl_sink_free(s);
	free(f);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_in_order),
		cmocka_unit_test(test_filters),
		cmocka_unit_test(test_refused_and_retry_limit),
		cmocka_unit_test(test_max_attempts),
		cmocka_unit_test(test_queue_full),
		cmocka_unit_test(test_spool_spill),
		cmocka_unit_test(test_drain_to_spool),
		cmocka_unit_test(test_drain_without_spool),
		cmocka_unit_test(test_batches_and_health),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
