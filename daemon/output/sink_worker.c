// SPDX-License-Identifier: Apache-2.0
/*
 * A sink's worker thread: the queue first (it is older than the spool),
 * then the spool; each batch is delivered, retried with exponential backoff
 * and jitter (or after the receiver's Retry-After), or counted as lost.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "output/sink_impl.h"
#include "util/log.h"

#define IDLE_WAKEUP_S	1.0
#define RETRY_AFTER_MAX 300.0
#define SPOOL_RETRY_S	1.0

/* Under s->mu: wait for the condition variable until @until (monotonic). */
static void wait_until(struct vgl_sink *s, double until)
{
	struct timespec ts = { .tv_sec = (time_t)until,
			       .tv_nsec = (long)((until - (double)(time_t)until) * 1e9) };

	pthread_cond_timedwait(&s->cv, &s->mu, &ts);
}

/* Under s->mu: up to batch_max alerts from the queue, after the linger time. */
static void take_from_queue(struct vgl_sink *s)
{
	double until = vgl_mono_now() + s->conf.batch_linger;

	while (s->qlen < s->conf.batch_max && s->conf.batch_linger > 0 && !s->stopping &&
	       vgl_mono_now() < until)
		wait_until(s, until);
	s->nbatch = 0;
	while (s->qlen && s->nbatch < s->conf.batch_max) {
		s->batch[s->nbatch++] = s->q[s->qhead];
		s->qhead = (s->qhead + 1) % s->qcap;
		s->qlen--;
	}
	s->batch_from_queue = true;
}

/*
 * Alerts a text output spooled carry no JSON ("", as the pipeline built
 * none): if the config has since made this output json, give them one.
 */
static void add_json(struct vgl_sink *s, size_t n)
{
	for (size_t i = 0; s->conf.format == VGL_ALERT_JSON && i < n; i++) {
		struct vgl_alert *a =
			s->batch[i]->json_len ? NULL : vgl_alert_with_json(s->batch[i]);

		if (a) {
			vgl_alert_unref(s->batch[i]);
			s->batch[i] = a;
		}
	}
}

/* Under s->mu: a batch from the spool; false when it had none. */
static bool take_from_spool(struct vgl_sink *s)
{
	uint64_t corrupt = 0;
	size_t n = 0;
	int err;

	pthread_mutex_unlock(&s->mu);
	err = vgl_spool_peek(s->spool, s->batch, s->conf.batch_max, &n, &corrupt);
	if (!err)
		add_json(s, n);
	pthread_mutex_lock(&s->mu);
	if (corrupt)
		sink_lost(s, VGL_LOSS_SPOOL_ERROR, corrupt);
	if (err) {
		snprintf(s->st.last_error, sizeof(s->st.last_error), "reading the spool: %s",
			 strerror(-err));
		wait_until(s, vgl_mono_now() + SPOOL_RETRY_S);
		return false;
	}
	if (n) {
		s->nbatch = n;
		s->batch_from_queue = false;
		return true;
	}
	if (vgl_spool_count(s->spool) == 0)
		s->spooling = false; /* submits append under s->mu: nothing can be behind */
	return false;
}

/* Under s->mu: wait for the next batch; false when the worker should exit. */
static bool next_batch(struct vgl_sink *s)
{
	bool flushed = false;

	for (;;) {
		if (s->reopen && s->ops->reopen) {
			s->reopen = false;
			pthread_mutex_unlock(&s->mu);
			s->ops->reopen(s->priv);
			pthread_mutex_lock(&s->mu);
			continue;
		}
		s->reopen = false;
		if (s->qlen) {
			take_from_queue(s);
			return true;
		}
		if (s->spooling && !s->stopping) {
			if (take_from_spool(s))
				return true;
			continue;
		}
		if (s->stopping)
			return false;
		if (!flushed && s->ops->flush) {
			pthread_mutex_unlock(&s->mu);
			s->ops->flush(s->priv);
			pthread_mutex_lock(&s->mu);
			flushed = true;
			continue;
		}
		wait_until(s, vgl_mono_now() + IDLE_WAKEUP_S);
	}
}

/* Under s->mu: the batch is done with (delivered or lost). */
static void batch_done(struct vgl_sink *s)
{
	bool from_spool = !s->batch_from_queue;

	if (from_spool)
		s->st.unspooled += s->nbatch;
	for (size_t i = 0; i < s->nbatch; i++)
		vgl_alert_unref(s->batch[i]);
	s->nbatch = 0;
	s->batch_from_queue = false;
	if (from_spool) {
		pthread_mutex_unlock(&s->mu);
		vgl_spool_commit(s->spool);
		pthread_mutex_lock(&s->mu);
	}
}

/* Seconds to wait before attempt @attempt (1-based): backoff with jitter. */
static double backoff(struct vgl_sink *s, unsigned int attempt, double retry_after)
{
	double b = s->conf.retry_initial;

	if (retry_after > 0)
		return retry_after < RETRY_AFTER_MAX ? retry_after : RETRY_AFTER_MAX;
	for (unsigned int i = 1; i < attempt && b < s->conf.retry_max; i++)
		b *= 2;
	if (b > s->conf.retry_max)
		b = s->conf.retry_max;
	/* "equal jitter": half fixed, half random, so retries of many nodes spread out */
	return b / 2 + b / 2 * ((double)rand_r(&s->seed) / RAND_MAX);
}

/*
 * Log the first failure of a streak (retries of the same trouble stay
 * quiet), and every refusal whose reason differs from the last one said:
 * each loss is counted, and its reason is seen at least once.
 */
static void note_failure(struct vgl_sink *s, const struct vgl_deliver_result *r)
{
	bool fail = r->status == VGL_DELIVER_FAIL;

	if (!s->fail_since || (fail && strcmp(s->last_logged, r->error))) {
		vgl_warn("output %s: %s%s", vgl_sink_name(s), r->error,
			 fail ? " (not retried: lost)" : "");
		memcpy(s->last_logged, r->error, sizeof(s->last_logged));
	}
	if (!s->fail_since)
		s->fail_since = vgl_mono_now();
	memcpy(s->st.last_error, r->error, sizeof(s->st.last_error));
}

/* Under s->mu: deliver the batch until done; false when aborted (batch kept). */
static bool deliver(struct vgl_sink *s)
{
	struct vgl_deliver_result r;
	unsigned int attempt = 0;
	double until;

	for (;;) {
		memset(&r, 0, sizeof(r));
		pthread_mutex_unlock(&s->mu);
		s->ops->deliver(s->priv, s, s->batch, s->nbatch, &r);
		pthread_mutex_lock(&s->mu);
		r.error[sizeof(r.error) - 1] = '\0';
		if (r.status == VGL_DELIVER_OK) {
			if (s->fail_since)
				vgl_info("output %s: delivering again", vgl_sink_name(s));
			s->fail_since = 0;
			s->st.sent += s->nbatch;
			break;
		}
		note_failure(s, &r);
		if (r.status == VGL_DELIVER_FAIL) {
			sink_lost(s, r.loss, s->nbatch);
			break;
		}
		if (vgl_sink_aborting(s))
			return false;
		attempt++;
		s->st.retries++;
		if (s->conf.retry_max_attempts && attempt >= s->conf.retry_max_attempts) {
			sink_lost(s, VGL_LOSS_RETRIES, s->nbatch);
			break;
		}
		until = vgl_mono_now() + backoff(s, attempt, r.retry_after);
		while (!vgl_sink_aborting(s) && vgl_mono_now() < until)
			wait_until(s, until);
		if (vgl_sink_aborting(s))
			return false;
	}
	batch_done(s);
	return true;
}

void *vgl_sink_worker(void *arg)
{
	struct vgl_sink *s = arg;

	pthread_mutex_lock(&s->mu);
	while (next_batch(s)) {
		if (!deliver(s))
			break;
	}
	if (s->ops->flush) {
		pthread_mutex_unlock(&s->mu);
		s->ops->flush(s->priv);
		pthread_mutex_lock(&s->mu);
	}
	s->exited = true;
	pthread_cond_broadcast(&s->cv);
	pthread_mutex_unlock(&s->mu);
	return NULL;
}
