// SPDX-License-Identifier: Apache-2.0
/*
 * The HTTP side of the endpoint: libmicrohttpd with one internal polling
 * thread (every request is handled on it, one at a time, so the request
 * scratch space below needs no lock), a bounded number of connections and
 * an idle timeout. GET and HEAD of /metrics, /healthz and /livez; 404 for
 * other paths, 405 for other methods.
 */
#include <errno.h>
#include <microhttpd.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "metrics/listen.h"
#include "metrics/rulecount.h"
#include "metrics/view.h"

#define CT_METRICS "text/plain; version=0.0.4; charset=utf-8"
#define CT_TEXT	   "text/plain; charset=utf-8"

struct vgl_metrics {
	struct MHD_Daemon *d;
	struct vgl_outputs *outputs; /* the sink list does not change once started */
	double start_time;
	char mhd_err[256]; /* libmicrohttpd's last message, for a failed start */
	pthread_mutex_t mu;
	/* under mu */
	bool published;
	struct vgl_metrics_snapshot snap;
	struct vgl_rule_counts rules;
	/* the HTTP thread's copies for the request being answered */
	struct vgl_metrics_snapshot req_snap;
	struct vgl_rule_count *req_rules;
	struct vgl_metrics_sink req_sinks[VGL_OUTPUTS_MAX];
};

static double clock_s(clockid_t id)
{
	struct timespec ts;

	clock_gettime(id, &ts);
	return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

/* Copy what the request answers from: the published state, the sinks, the process. */
static void gather(struct vgl_metrics *m, struct vgl_metrics_view *v)
{
	size_t n = m->outputs ? vgl_outputs_count(m->outputs) : 0;

	memset(v, 0, sizeof(*v));
	pthread_mutex_lock(&m->mu);
	m->req_snap = m->snap;
	v->published = m->published;
	memcpy(m->req_rules, m->rules.v, m->rules.n * sizeof(*m->req_rules));
	v->nrules = m->rules.n;
	v->rules_overflow = m->rules.overflow;
	pthread_mutex_unlock(&m->mu);
	v->s = &m->req_snap;
	v->rules = m->req_rules;
	for (size_t i = 0; i < n && i < VGL_OUTPUTS_MAX; i++) {
		struct vgl_metrics_sink *k = &m->req_sinks[i];
		struct vgl_sink *s = vgl_outputs_sink(m->outputs, i);

		k->name = vgl_sink_name(s);
		k->type = vgl_sink_type(s);
		vgl_sink_get_stats(s, &k->st);
		k->why[0] = '\0';
		k->healthy = vgl_sink_healthy(s, k->why, sizeof(k->why));
		v->nsinks++;
	}
	v->sinks = m->req_sinks;
	vgl_process_stats(&v->proc);
	v->proc.start_time = m->start_time;
	v->now_mono = clock_s(CLOCK_MONOTONIC);
	v->now_wall = clock_s(CLOCK_REALTIME);
}

/* Queue @status with @body (taken over; NULL: @fallback, copied). */
static enum MHD_Result reply(struct MHD_Connection *c, unsigned int status, const char *type,
			     struct vgl_text *body, const char *fallback)
{
	struct MHD_Response *r;
	enum MHD_Result ret;

	if (body && !body->failed && body->buf) {
		r = MHD_create_response_from_buffer(body->len, body->buf, MHD_RESPMEM_MUST_FREE);
		if (r)
			body->buf = NULL; /* the response's now */
	} else {
		if (body && body->failed) {
			status = MHD_HTTP_INTERNAL_SERVER_ERROR;
			fallback = "cannot build the answer: out of memory or too large\n";
		}
		r = MHD_create_response_from_buffer(strlen(fallback), (void *)fallback,
						    MHD_RESPMEM_PERSISTENT);
	}
	if (body)
		vgl_text_free(body);
	if (!r)
		return MHD_NO;
	MHD_add_response_header(r, MHD_HTTP_HEADER_CONTENT_TYPE, type);
	MHD_add_response_header(r, MHD_HTTP_HEADER_CACHE_CONTROL, "no-store");
	if (status == MHD_HTTP_METHOD_NOT_ALLOWED)
		MHD_add_response_header(r, MHD_HTTP_HEADER_ALLOW, "GET, HEAD");
	ret = MHD_queue_response(c, status, r);
	MHD_destroy_response(r);
	return ret;
}

static enum MHD_Result handle(void *cls, struct MHD_Connection *c, const char *url,
			      const char *method, const char *version, const char *upload_data,
			      size_t *upload_data_size, void **req_cls)
{
	struct vgl_metrics *m = cls;
	struct vgl_metrics_view v;
	struct vgl_text body;
	bool metrics = !strcmp(url, "/metrics"), health = !strcmp(url, "/healthz");
	bool live = !strcmp(url, "/livez");
	size_t problems;

	(void)version;
	(void)upload_data;
	(void)upload_data_size;
	(void)req_cls;
	if (!metrics && !health && !live)
		return reply(c, MHD_HTTP_NOT_FOUND, CT_TEXT, NULL,
			     "not found: vigil serves /metrics, /healthz and /livez\n");
	if (strcmp(method, MHD_HTTP_METHOD_GET) && strcmp(method, MHD_HTTP_METHOD_HEAD))
		return reply(c, MHD_HTTP_METHOD_NOT_ALLOWED, CT_TEXT, NULL,
			     "method not allowed: GET or HEAD\n");
	gather(m, &v);
	if (metrics) {
		vgl_text_init(&body, VGL_METRICS_TEXT_MAX);
		vgl_metrics_render(&v, &body);
		return reply(c, MHD_HTTP_OK, CT_METRICS, &body, "");
	}
	vgl_text_init(&body, 1u << 20);
	problems = live ? vgl_metrics_live(&v, &body) : vgl_metrics_health(&v, &body);
	if (!problems)
		vgl_text_printf(&body, "ok\n");
	return reply(c, problems ? MHD_HTTP_SERVICE_UNAVAILABLE : MHD_HTTP_OK, CT_TEXT, &body, "");
}

/* libmicrohttpd's messages: kept to explain a failed start, never printed. */
static void mhd_log(void *cls, const char *fmt, va_list ap) __attribute__((format(printf, 2, 0)));
static void mhd_log(void *cls, const char *fmt, va_list ap)
{
	struct vgl_metrics *m = cls;
	size_t n;

	vsnprintf(m->mhd_err, sizeof(m->mhd_err), fmt, ap);
	n = strlen(m->mhd_err);
	while (n && (m->mhd_err[n - 1] == '\n' || m->mhd_err[n - 1] == '.'))
		m->mhd_err[--n] = '\0';
}

static int serve(struct vgl_metrics *m, int fd)
{
	m->d = MHD_start_daemon(
		MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_AUTO | MHD_USE_ERROR_LOG, 0, NULL, NULL,
		handle, m, MHD_OPTION_EXTERNAL_LOGGER, mhd_log, m, MHD_OPTION_LISTEN_SOCKET, fd,
		MHD_OPTION_CONNECTION_LIMIT, (unsigned int)VGL_METRICS_CONNS_MAX,
		MHD_OPTION_CONNECTION_TIMEOUT, (unsigned int)VGL_METRICS_TIMEOUT_S,
		MHD_OPTION_CONNECTION_MEMORY_LIMIT, (size_t)(64u << 10), MHD_OPTION_END);
	/* on failure, libmicrohttpd 0.9.75 leaves @fd open and later versions close
	 * it: it is not ours to close either way (vigil exits) */
	return m->d ? 0 : -EIO;
}

int vgl_metrics_start(const char *listen, struct vgl_outputs *outputs, struct vgl_metrics **ret,
		      char *err, size_t errlen)
{
	struct vgl_listen_addr addr;
	struct vgl_metrics *m;
	char why[256];
	int fd, r;

	if (vgl_listen_parse(listen, &addr, why, sizeof(why))) {
		snprintf(err, errlen, "metrics.listen: '%s': %s", listen, why);
		return -EINVAL;
	}
	m = calloc(1, sizeof(*m));
	if (!m)
		return -ENOMEM;
	pthread_mutex_init(&m->mu, NULL);
	m->outputs = outputs;
	m->start_time = vgl_process_start_time();
	m->req_rules = calloc(VGL_METRICS_RULES_MAX, sizeof(*m->req_rules));
	r = m->req_rules ? vgl_rule_counts_init(&m->rules) : -ENOMEM;
	if (r) {
		snprintf(err, errlen, "metrics: %s", strerror(-r));
		goto out_free;
	}
	fd = vgl_listen_bind(&addr);
	if (fd < 0) {
		r = fd;
		snprintf(err, errlen, "metrics.listen %s: cannot listen there: %s", listen,
			 strerror(-r));
		goto out_free;
	}
	r = serve(m, fd);
	if (r) {
		snprintf(err, errlen, "metrics.listen %s: cannot start the HTTP server: %s", listen,
			 m->mhd_err[0] ? m->mhd_err : "libmicrohttpd failed");
		goto out_free;
	}
	*ret = m;
	return 0;

out_free:
	vgl_rule_counts_fini(&m->rules);
	free(m->req_rules);
	pthread_mutex_destroy(&m->mu);
	free(m);
	return r;
}

void vgl_metrics_alert(struct vgl_metrics *m, const char *rule, int priority)
{
	if (!m)
		return;
	pthread_mutex_lock(&m->mu);
	vgl_rule_counts_add(&m->rules, rule, priority);
	pthread_mutex_unlock(&m->mu);
}

void vgl_metrics_publish(struct vgl_metrics *m, const struct vgl_metrics_snapshot *s)
{
	if (!m)
		return;
	pthread_mutex_lock(&m->mu);
	m->snap = *s;
	m->published = true;
	pthread_mutex_unlock(&m->mu);
}

void vgl_metrics_stop(struct vgl_metrics *m)
{
	if (!m)
		return;
	MHD_stop_daemon(m->d); /* joins its thread, closes the socket */
	vgl_rule_counts_fini(&m->rules);
	free(m->req_rules);
	pthread_mutex_destroy(&m->mu);
	free(m);
}
