// SPDX-License-Identifier: Apache-2.0
/*
 * Alerts: a matching rule's output with its fields substituted, as text and
 * as Falco-compatible JSON (time, rule, priority, source, hostname, output,
 * tags, output_fields), plus "capture_file" (no Falco equivalent) when the
 * flight recorder saved the alert's activity (docs/flight-recorder.md).
 */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "rules/output/template.h"

struct sbuf {
	char *buf;
	size_t size;
	size_t len; /* full length, even past size */
};

static void sb_add(struct sbuf *b, const char *s, size_t n)
{
	if (b->len < b->size) {
		size_t room = b->size - b->len - 1, k = n < room ? n : room;

		memcpy(b->buf + b->len, s, k);
		b->buf[b->len + k] = '\0';
	}
	b->len += n;
}

/* Text of a field's values ("<NA>" when unknown, several joined by ','). */
static void field_text(struct vgl_match_ctx *ctx, const struct field_ref *ref, struct sbuf *b)
{
	const struct vgl_fval *v;
	char tmp[512];
	int n = ctx_values(ctx, ref, &v), i;

	if (n == 0) {
		sb_add(b, "<NA>", 4);
		return;
	}
	for (i = 0; i < n; i++) {
		if (i)
			sb_add(b, ",", 1);
		if (ref->def->type == FT_STR) {
			sb_add(b, v[i].s, v[i].len);
			continue;
		}
		field_val_str(ref->def->type, &v[i], tmp, sizeof(tmp));
		sb_add(b, tmp, strlen(tmp));
	}
}

size_t vgl_alert_format(struct vgl_match_ctx *ctx, size_t rule, char *buf, size_t size)
{
	const struct crule *r;
	struct sbuf b = { buf, size, 0 };
	size_t i;

	if (size)
		buf[0] = '\0';
	if (rule >= ctx->rs->nrules || !ctx->x.ev)
		return 0;
	r = &ctx->rs->rules[rule];
	for (i = 0; r->output && i < r->output->nsegs; i++) {
		const struct oseg *s = &r->output->segs[i];

		sb_add(&b, s->lit, s->litlen);
		if (s->ref)
			field_text(ctx, s->ref, &b);
	}
	return b.len;
}

/* A JSON string; invalid UTF-8 bytes become '?'. */
static json_t *jstr(const char *s, size_t n)
{
	json_t *j = json_stringn(s, n);
	char *c;
	size_t i;

	if (j)
		return j;
	c = malloc(n + 1);
	if (!c)
		return NULL;
	for (i = 0; i < n; i++)
		c[i] = (unsigned char)s[i] < 0x80 && s[i] ? s[i] : '?';
	c[n] = '\0';
	j = json_stringn(c, n);
	free(c);
	return j;
}

static json_t *field_json(struct vgl_match_ctx *ctx, const struct field_ref *ref)
{
	const struct vgl_fval *v;
	char tmp[4096];
	struct sbuf b = { tmp, sizeof(tmp), 0 };
	int n = ctx_values(ctx, ref, &v);

	if (n == 0)
		return json_null();
	if (n == 1 && ref->def->type == FT_INT)
		return json_integer(v->i);
	if (n == 1 && ref->def->type == FT_BOOL)
		return json_boolean(v->i);
	field_text(ctx, ref, &b);
	return jstr(tmp, b.len < sizeof(tmp) ? b.len : sizeof(tmp) - 1);
}

/* @ns as seconds and nanoseconds (floor, for times before 1970 too) in UTC. */
static void split_time(int64_t ns, struct tm *tm, long *frac)
{
	time_t s = (time_t)(ns / 1000000000);

	*frac = (long)(ns % 1000000000);
	if (*frac < 0) {
		*frac += 1000000000;
		s--;
	}
	if (!gmtime_r(&s, tm))
		memset(tm, 0, sizeof(*tm));
}

size_t vgl_alert_prefix(int64_t time_ns, enum vgl_priority p, char *buf, size_t size)
{
	struct tm tm;
	long frac;
	int n;

	split_time(time_ns, &tm, &frac);
	n = snprintf(buf, size, "%02d:%02d:%02d.%09ld: %s ", tm.tm_hour, tm.tm_min, tm.tm_sec, frac,
		     vgl_priority_name(p));
	return n < 0 ? 0 : (size_t)n < size ? (size_t)n : size - 1;
}

void vgl_alert_rfc3339(int64_t ns, char *iso, size_t isz)
{
	struct tm tm;
	long frac;

	split_time(ns, &tm, &frac);
	snprintf(iso, isz, "%04d-%02d-%02dT%02d:%02d:%02d.%09ldZ", tm.tm_year + 1900, tm.tm_mon + 1,
		 tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, frac);
}

static json_t *output_fields(struct vgl_match_ctx *ctx, const struct crule *r, int64_t ns)
{
	json_t *o = json_object();
	size_t i;

	if (!o)
		return NULL;
	json_object_set_new(o, "evt.time", json_integer(ns));
	for (i = 0; r->output && i < r->output->nsegs; i++) {
		const struct oseg *s = &r->output->segs[i];

		if (s->ref)
			json_object_set_new(o, s->name, field_json(ctx, s->ref));
	}
	return o;
}

static const char *hostname_of(struct vgl_match_ctx *ctx, const struct vgl_alert_meta *meta)
{
	const char *h = meta ? meta->hostname : NULL;

	if (!h && ctx->x.ops && ctx->x.ops->hostname)
		h = ctx->x.ops->hostname(ctx->x.state);
	return h ? h : "";
}

char *vgl_alert_json(struct vgl_match_ctx *ctx, size_t rule, const struct vgl_alert_meta *meta)
{
	const struct crule *r;
	char iso[64], *text, *out = NULL;
	int64_t ns;
	size_t len, i;
	json_t *o, *tags;

	if (rule >= ctx->rs->nrules || !ctx->x.ev)
		return NULL;
	r = &ctx->rs->rules[rule];
	ns = meta && meta->time_ns ? meta->time_ns
				   : (int64_t)ctx->x.ev->hdr.ts + ctx->x.boot_to_wall_ns;
	vgl_alert_rfc3339(ns, iso, sizeof(iso));
	len = vgl_alert_format(ctx, rule, NULL, 0);
	text = malloc(len + VGL_ALERT_PREFIX_MAX);
	if (!text)
		return NULL;
	i = vgl_alert_prefix(ns, r->info.priority, text, VGL_ALERT_PREFIX_MAX);
	vgl_alert_format(ctx, rule, text + i, len + 1);
	o = json_object();
	tags = json_array();
	for (i = 0; tags && i < r->info.ntags; i++)
		json_array_append_new(tags, json_string(r->info.tags[i]));
	if (o && tags) {
		if (meta && meta->capture_file)
			json_object_set_new(o, "capture_file",
					    jstr(meta->capture_file, strlen(meta->capture_file)));
		json_object_set_new(o, "hostname", json_string(hostname_of(ctx, meta)));
		json_object_set_new(o, "output", jstr(text, strlen(text)));
		json_object_set_new(o, "output_fields", output_fields(ctx, r, ns));
		json_object_set_new(o, "priority",
				    json_string(vgl_priority_name(r->info.priority)));
		json_object_set_new(o, "rule", json_string(r->info.name));
		json_object_set_new(o, "source", json_string("syscall"));
		json_object_set_new(o, "tags", tags);
		json_object_set_new(o, "time", json_string(iso));
		out = json_dumps(o, JSON_COMPACT | JSON_ENSURE_ASCII);
	} else {
		json_decref(tags);
	}
	json_decref(o);
	free(text);
	return out;
}
