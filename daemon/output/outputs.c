// SPDX-License-Identifier: Apache-2.0
/* The fan-out to the sinks, the rate limit and its summary alerts. */
#include <errno.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "output/outputs.h"
#include "output/ratelimit.h"
#include "rules/rules.h"

#define SUMMARY_RULES_MAX 10

struct vgl_outputs {
	struct vgl_outputs_conf conf;
	char *hostname;
	struct vgl_sink *sinks[VGL_OUTPUTS_MAX];
	size_t nsinks;
	struct vgl_ratelimit *rl; /* NULL: no rate limit */
	double next_summary;	  /* monotonic */
	uint64_t submitted, rate_limited;
};

int vgl_outputs_new(const struct vgl_outputs_conf *c, struct vgl_outputs **ret)
{
	struct vgl_outputs *o = calloc(1, sizeof(*o));

	if (!o)
		return -ENOMEM;
	o->conf = *c;
	if (o->conf.drain_timeout <= 0)
		o->conf.drain_timeout = 10;
	if (o->conf.summary_interval <= 0)
		o->conf.summary_interval = 60;
	o->hostname = strdup(c->hostname ? c->hostname : "");
	if (o->hostname && c->rate > 0)
		o->rl = vgl_ratelimit_new(c->rate, c->burst > 0 ? c->burst : c->rate);
	if (!o->hostname || (c->rate > 0 && !o->rl)) {
		vgl_outputs_free(o);
		return -ENOMEM;
	}
	o->conf.hostname = o->hostname;
	o->next_summary = vgl_mono_now() + o->conf.summary_interval;
	*ret = o;
	return 0;
}

int vgl_outputs_add(struct vgl_outputs *o, struct vgl_sink *s)
{
	if (o->nsinks >= VGL_OUTPUTS_MAX) {
		vgl_sink_free(s);
		return -E2BIG;
	}
	o->sinks[o->nsinks++] = s;
	return 0;
}

int vgl_outputs_start(struct vgl_outputs *o, char *err, size_t errlen)
{
	char why[512];

	for (size_t i = 0; i < o->nsinks; i++) {
		int ret = vgl_sink_start(o->sinks[i], why, sizeof(why));

		if (ret) {
			snprintf(err, errlen, "output %s: %s", vgl_sink_name(o->sinks[i]), why);
			return ret;
		}
	}
	return 0;
}

bool vgl_outputs_need_json(const struct vgl_outputs *o)
{
	for (size_t i = 0; i < o->nsinks; i++) {
		if (vgl_sink_conf(o->sinks[i])->format == VGL_ALERT_JSON)
			return true;
	}
	return false;
}

static void fan_out(struct vgl_outputs *o, struct vgl_alert *a)
{
	for (size_t i = 0; i < o->nsinks; i++)
		vgl_sink_submit(o->sinks[i], a);
}

void vgl_outputs_submit(struct vgl_outputs *o, struct vgl_alert *a)
{
	o->submitted++;
	if (o->rl && !vgl_ratelimit_allow(o->rl, a->rule, vgl_mono_now())) {
		o->rate_limited++;
		return;
	}
	fan_out(o, a);
}

/* The summary's text and fields for @n rules, @total alerts. */
static void summary_text(const struct vgl_outputs *o, const struct vgl_ratelimit_entry *e, size_t n,
			 uint64_t total, char *buf, size_t size, json_t *by_rule)
{
	size_t len;

	len = (size_t)snprintf(buf, size,
			       "vigil internal: alerts rate-limited. %llu alerts suppressed in "
			       "the last %.0f s (limit %g/s, burst %g per rule):",
			       (unsigned long long)total, o->conf.summary_interval, o->conf.rate,
			       o->conf.burst > 0 ? o->conf.burst : o->conf.rate);
	for (size_t i = 0; i < n && len < size; i++) {
		len += (size_t)snprintf(buf + len, size - len, "%s %s=%llu", i ? "," : "",
					e[i].rule, (unsigned long long)e[i].suppressed);
		json_object_set_new(by_rule, e[i].rule, json_integer((json_int_t)e[i].suppressed));
	}
}

/* An alert of vigil's own (source "internal"), in Falco's JSON shape. */
static struct vgl_alert *internal_alert(const struct vgl_outputs *o, int64_t wall_ns,
					const char *msg, json_t *fields)
{
	struct vgl_alert_parts p = {
		.time_ns = wall_ns,
		.priority = VGL_PRI_WARNING,
		.rule = VGL_RATELIMIT_RULE,
		.source = "internal",
		.hostname = o->hostname,
		.msg = msg,
		.msg_len = strlen(msg),
	};
	struct vgl_alert *a = NULL;
	size_t size = strlen(msg) + VGL_ALERT_PREFIX_MAX, n;
	char iso[40], *out = malloc(size), *json;
	json_t *j;

	if (!out)
		return NULL;
	vgl_alert_rfc3339(wall_ns, iso, sizeof(iso));
	/* Falco's JSON "output": the text line, "HH:MM:SS.nnnnnnnnn: Priority ..." */
	n = vgl_alert_prefix(wall_ns, (enum vgl_priority)p.priority, out, size);
	memcpy(out + n, msg, strlen(msg) + 1);
	j = json_pack("{s:s, s:s, s:O, s:s, s:s, s:s, s:[], s:s}", "hostname", o->hostname,
		      "output", out, "output_fields", fields, "priority",
		      vgl_priority_name(p.priority), "rule", p.rule, "source", p.source, "tags",
		      "time", iso);
	json = j ? json_dumps(j, JSON_COMPACT | JSON_ENSURE_ASCII) : NULL;
	if (json) {
		p.json = json;
		p.json_len = strlen(json);
		a = vgl_alert_new(&p);
	}
	free(json);
	json_decref(j);
	free(out);
	return a;
}

static void emit_summary(struct vgl_outputs *o, int64_t wall_ns)
{
	struct vgl_ratelimit_entry e[SUMMARY_RULES_MAX];
	uint64_t total;
	size_t n = vgl_ratelimit_take_report(o->rl, e, SUMMARY_RULES_MAX, &total);
	json_t *fields, *by_rule;
	struct vgl_alert *a;
	char msg[2048];

	if (!total)
		return;
	by_rule = json_object();
	fields = json_pack("{s:I, s:I, s:f, s:o}", "evt.time", (json_int_t)wall_ns,
			   "vigil.suppressed", (json_int_t)total, "vigil.interval",
			   o->conf.summary_interval, "vigil.suppressed_by_rule", by_rule);
	if (!fields)
		return;
	summary_text(o, e, n, total, msg, sizeof(msg), by_rule);
	a = internal_alert(o, wall_ns, msg, fields);
	json_decref(fields);
	if (a)
		fan_out(o, a);
	vgl_alert_unref(a);
}

void vgl_outputs_tick(struct vgl_outputs *o, int64_t wall_ns)
{
	double now = vgl_mono_now();

	if (!o->rl || now < o->next_summary)
		return;
	o->next_summary = now + o->conf.summary_interval;
	emit_summary(o, wall_ns);
}

void vgl_outputs_reopen(struct vgl_outputs *o)
{
	for (size_t i = 0; i < o->nsinks; i++)
		vgl_sink_reopen(o->sinks[i]);
}

void vgl_outputs_stop(struct vgl_outputs *o)
{
	double deadline;
	struct timespec ts;

	if (o->rl) {
		clock_gettime(CLOCK_REALTIME, &ts);
		emit_summary(o, (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec);
	}
	deadline = vgl_mono_now() + o->conf.drain_timeout;
	/* every sink drains at once: the deadline is shared, not per sink */
	for (size_t i = 0; i < o->nsinks; i++)
		vgl_sink_stop_request(o->sinks[i]);
	for (size_t i = 0; i < o->nsinks; i++)
		vgl_sink_stop(o->sinks[i], deadline);
}

void vgl_outputs_free(struct vgl_outputs *o)
{
	if (!o)
		return;
	for (size_t i = 0; i < o->nsinks; i++)
		vgl_sink_free(o->sinks[i]);
	vgl_ratelimit_free(o->rl);
	free(o->hostname);
	free(o);
}

size_t vgl_outputs_count(const struct vgl_outputs *o)
{
	return o->nsinks;
}

struct vgl_sink *vgl_outputs_sink(const struct vgl_outputs *o, size_t i)
{
	return i < o->nsinks ? o->sinks[i] : NULL;
}

void vgl_outputs_get_stats(struct vgl_outputs *o, struct vgl_outputs_stats *ret)
{
	struct vgl_sink_stats st;

	*ret = (struct vgl_outputs_stats){ .submitted = o->submitted,
					   .rate_limited = o->rate_limited };
	for (size_t i = 0; i < o->nsinks; i++) {
		vgl_sink_get_stats(o->sinks[i], &st);
		for (int r = 0; r < VGL_LOSS_MAX; r++)
			ret->lost += st.lost[r];
	}
}
