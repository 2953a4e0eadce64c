// SPDX-License-Identifier: Apache-2.0
/*
 * A sink's queue, spool and worker. The pipeline's vgl_sink_submit() takes
 * the sink's mutex only to put a pointer in the queue (or, when it is full,
 * to append to the spool file); the worker takes batches out and delivers
 * them through the driver, retrying with backoff and jitter.
 */
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "output/sink_impl.h"
#include "rules/rules.h"

static const char *const loss_names[VGL_LOSS_MAX] = {
	[VGL_LOSS_QUEUE_FULL] = "queue_full",	[VGL_LOSS_SPOOL_FULL] = "spool_full",
	[VGL_LOSS_SPOOL_ERROR] = "spool_error", [VGL_LOSS_SHUTDOWN] = "shutdown",
	[VGL_LOSS_REJECTED] = "rejected",	[VGL_LOSS_RETRIES] = "retries_exhausted",
	[VGL_LOSS_TOO_LARGE] = "too_large",
};

const char *vgl_sink_loss_name(enum vgl_sink_loss r)
{
	return (unsigned int)r < VGL_LOSS_MAX ? loss_names[r] : "unknown";
}

double vgl_mono_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

void vgl_sink_conf_init(struct vgl_sink_conf *c)
{
	*c = (struct vgl_sink_conf){
		.format = VGL_ALERT_TEXT,
		.min_priority = VGL_PRI_DEBUG,
		.queue_size = 10000,
		.spool_max = 256ull << 20,
		.retry_initial = 0.5,
		.retry_max = 30,
		.batch_max = 1,
		.unhealthy_after = 30,
	};
}

void vgl_sink_conf_free(struct vgl_sink_conf *c)
{
	free(c->name);
	free(c->spool);
	vgl_cfg_strlist_free(c->rules, c->nrules);
	vgl_cfg_strlist_free(c->rules_exclude, c->nrules_exclude);
	vgl_cfg_strlist_free(c->tags, c->ntags);
	vgl_cfg_strlist_free(c->tags_exclude, c->ntags_exclude);
	memset(c, 0, sizeof(*c));
}

static bool in_list(char *const *v, size_t n, const char *s)
{
	for (size_t i = 0; i < n; i++) {
		if (!strcmp(v[i], s))
			return true;
	}
	return false;
}

static bool any_tag(const struct vgl_alert *a, char *const *v, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		if (vgl_alert_has_tag(a, v[i]))
			return true;
	}
	return false;
}

/* Whether @a is for this sink: priority, then rule and tag lists. */
static bool wanted(const struct vgl_sink_conf *c, const struct vgl_alert *a)
{
	if (a->priority > c->min_priority)
		return false;
	if (c->nrules && !in_list(c->rules, c->nrules, a->rule))
		return false;
	if (in_list(c->rules_exclude, c->nrules_exclude, a->rule))
		return false;
	if (c->ntags && !any_tag(a, c->tags, c->ntags))
		return false;
	return !any_tag(a, c->tags_exclude, c->ntags_exclude);
}

int vgl_sink_new(const struct vgl_sink_ops *ops, struct vgl_sink_conf *conf, void *priv,
		 struct vgl_sink **ret, char *err, size_t errlen)
{
	struct vgl_sink *s = calloc(1, sizeof(*s));

	if (s)
		s->q = calloc(conf->queue_size ? conf->queue_size : 1, sizeof(*s->q));
	if (s && conf->batch_max)
		s->batch = calloc(conf->batch_max, sizeof(*s->batch));
	if (!s || !s->q || !s->batch) {
		if (s) {
			free(s->q);
			free(s->batch);
		}
		free(s);
		snprintf(err, errlen, "out of memory for the sink's queue");
		return -ENOMEM;
	}
	s->ops = ops;
	s->conf = *conf;
	memset(conf, 0, sizeof(*conf)); /* taken over */
	s->priv = priv;
	s->qcap = s->conf.queue_size ? s->conf.queue_size : 1;
	pthread_mutex_init(&s->mu, NULL);
	pthread_condattr_t ca;
	pthread_condattr_init(&ca);
	pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
	pthread_cond_init(&s->cv, &ca);
	pthread_condattr_destroy(&ca);
	s->seed = (unsigned int)time(NULL) ^ (unsigned int)(uintptr_t)s;
	*ret = s;
	return 0;
}

int vgl_sink_start(struct vgl_sink *s, char *err, size_t errlen)
{
	int ret;

	if (s->conf.spool) {
		ret = vgl_spool_open(s->conf.spool, s->conf.spool_max, &s->spool, err, errlen);
		if (ret)
			return ret;
		s->spooling = vgl_spool_count(s->spool) > 0; /* left by an earlier run: first */
	}
	ret = pthread_create(&s->thread, NULL, vgl_sink_worker, s);
	if (ret) {
		snprintf(err, errlen, "cannot start the worker thread: %s", strerror(ret));
		return -ret;
	}
	s->started = true;
	return 0;
}

/* Under s->mu: count @n alerts lost for @why. */
void sink_lost(struct vgl_sink *s, enum vgl_sink_loss why, uint64_t n)
{
	s->st.lost[why] += n;
	s->last_loss = vgl_mono_now();
	s->last_loss_why = why;
}

static enum vgl_sink_loss spool_loss(int err)
{
	return err == -ENOSPC  ? VGL_LOSS_SPOOL_FULL
	       : err == -E2BIG ? VGL_LOSS_TOO_LARGE
			       : VGL_LOSS_SPOOL_ERROR;
}

void vgl_sink_submit(struct vgl_sink *s, struct vgl_alert *a)
{
	int err;

	pthread_mutex_lock(&s->mu);
	if (!wanted(&s->conf, a)) {
		s->st.filtered++;
		goto out;
	}
	s->st.submitted++;
	if (s->stopped) {
		sink_lost(s, VGL_LOSS_SHUTDOWN, 1);
	} else if (!s->spooling && s->qlen < s->qcap) {
		s->q[(s->qhead + s->qlen++) % s->qcap] = vgl_alert_ref(a);
		pthread_cond_broadcast(&s->cv);
	} else if (s->spool) {
		err = vgl_spool_append(s->spool, a);
		if (err) {
			sink_lost(s, spool_loss(err), 1);
		} else {
			s->st.spooled++;
			s->spooling = true;
			pthread_cond_broadcast(&s->cv);
		}
	} else {
		sink_lost(s, VGL_LOSS_QUEUE_FULL, 1);
	}
out:
	pthread_mutex_unlock(&s->mu);
}

void vgl_sink_reopen(struct vgl_sink *s)
{
	pthread_mutex_lock(&s->mu);
	s->reopen = true;
	pthread_cond_broadcast(&s->cv);
	pthread_mutex_unlock(&s->mu);
}

bool vgl_sink_aborting(const struct vgl_sink *s)
{
	return __atomic_load_n(&s->abort, __ATOMIC_RELAXED);
}

const struct vgl_sink_conf *vgl_sink_conf(const struct vgl_sink *s)
{
	return &s->conf;
}

const char *vgl_sink_name(const struct vgl_sink *s)
{
	return s->conf.name ? s->conf.name : s->ops->type;
}

const char *vgl_sink_type(const struct vgl_sink *s)
{
	return s->ops->type;
}

const char *vgl_sink_describe(const struct vgl_sink *s)
{
	const char *d = s->ops->describe ? s->ops->describe(s->priv) : NULL;

	return d ? d : "";
}

void vgl_sink_get_stats(struct vgl_sink *s, struct vgl_sink_stats *ret)
{
	pthread_mutex_lock(&s->mu);
	*ret = s->st;
	ret->queue_depth = s->qlen + (s->batch_from_queue ? s->nbatch : 0);
	ret->queue_size = s->qcap;
	ret->failing = s->fail_since > 0;
	ret->failing_for = s->fail_since > 0 ? vgl_mono_now() - s->fail_since : 0;
	pthread_mutex_unlock(&s->mu);
	if (s->spool) {
		ret->spool_depth = vgl_spool_count(s->spool);
		ret->spool_bytes = vgl_spool_bytes(s->spool);
	}
}

bool vgl_sink_healthy(struct vgl_sink *s, char *why, size_t whylen)
{
	double now = vgl_mono_now(), after;
	bool ok = true;

	pthread_mutex_lock(&s->mu);
	after = s->conf.unhealthy_after;
	if (s->fail_since > 0 && now - s->fail_since >= after) {
		snprintf(why, whylen, "failing for %.0f s: %s", now - s->fail_since,
			 s->st.last_error);
		ok = false;
	} else if (s->last_loss > 0 && now - s->last_loss < after) {
		snprintf(why, whylen, "lost alerts (%s) in the last %.0f s",
			 vgl_sink_loss_name(s->last_loss_why), after);
		ok = false;
	}
	pthread_mutex_unlock(&s->mu);
	return ok;
}

/* What the worker left undelivered at shutdown: spool it (in order) or count it. */
static void spool_leftovers(struct vgl_sink *s)
{
	size_t n = s->batch_from_queue ? s->nbatch : 0, done = 0;
	struct vgl_alert **left = malloc((n + s->qlen + 1) * sizeof(*left));

	if (!left) {
		sink_lost(s, VGL_LOSS_SHUTDOWN, n + s->qlen);
		n = 0; /* still release the references below */
	} else {
		memcpy(left, s->batch, n * sizeof(*left));
	}
	for (size_t i = 0; i < s->qlen; i++) {
		struct vgl_alert *a = s->q[(s->qhead + i) % s->qcap];

		if (left)
			left[n++] = a;
		else
			vgl_alert_unref(a);
	}
	s->qlen = 0;
	if (!s->batch_from_queue) { /* a batch from the spool is still in it */
		for (size_t i = 0; i < s->nbatch; i++)
			vgl_alert_unref(s->batch[i]);
		s->nbatch = 0;
	}
	if (s->spool && n)
		done = vgl_spool_prepend(s->spool, left, n);
	s->st.spooled += done;
	if (n > done)
		sink_lost(s, s->spool ? VGL_LOSS_SPOOL_FULL : VGL_LOSS_SHUTDOWN, n - done);
	for (size_t i = 0; i < n; i++)
		vgl_alert_unref(left[i]);
	free(left);
	s->nbatch = 0;
}

void vgl_sink_stop_request(struct vgl_sink *s)
{
	pthread_mutex_lock(&s->mu);
	s->stopping = true;
	pthread_cond_broadcast(&s->cv);
	pthread_mutex_unlock(&s->mu);
}

void vgl_sink_stop(struct vgl_sink *s, double deadline)
{
	struct timespec ts = { .tv_sec = (time_t)deadline,
			       .tv_nsec = (long)((deadline - (double)(time_t)deadline) * 1e9) };

	pthread_mutex_lock(&s->mu);
	s->stopping = true;
	pthread_cond_broadcast(&s->cv);
	while (s->started && !s->exited && vgl_mono_now() < deadline)
		pthread_cond_timedwait(&s->cv, &s->mu, &ts);
	__atomic_store_n(&s->abort, true, __ATOMIC_RELAXED);
	pthread_cond_broadcast(&s->cv);
	pthread_mutex_unlock(&s->mu);
	if (s->started)
		pthread_join(s->thread, NULL);
	s->started = false;
	pthread_mutex_lock(&s->mu);
	if (!s->stopped)
		spool_leftovers(s);
	s->stopped = true;
	pthread_mutex_unlock(&s->mu);
}

void vgl_sink_free(struct vgl_sink *s)
{
	if (!s)
		return;
	if (!s->stopped)
		vgl_sink_stop(s, 0);
	if (s->ops->close)
		s->ops->close(s->priv);
	vgl_spool_close(s->spool);
	pthread_cond_destroy(&s->cv);
	pthread_mutex_destroy(&s->mu);
	vgl_sink_conf_free(&s->conf);
	free(s->q);
	free(s->batch);
	free(s);
}
