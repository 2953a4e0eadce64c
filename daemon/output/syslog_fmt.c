// SPDX-License-Identifier: Apache-2.0
/* Syslog messages (RFC 5424, RFC 3164) of alerts, and their stream framing. */
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "output/syslog_fmt.h"
#include "rules/rules.h"

/* Input bytes escaped at a time (each may become 8 output bytes). */
#define ESC_CHUNK 512

const char *const vgl_syslog_facility_names[] = {
	"kern",	  "user",   "mail",   "daemon",	  "auth",   "syslog", "lpr",
	"news",	  "uucp",   "cron",   "authpriv", "ftp",    "local0", "local1",
	"local2", "local3", "local4", "local5",	  "local6", "local7", NULL,
};
const int vgl_syslog_facility_codes[] = {
	0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 16, 17, 18, 19, 20, 21, 22, 23,
};

static const char month_names[12][4] = {
	"Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
};

/* A bounded cursor: a write that does not fit sets @full and writes nothing more. */
struct out {
	char *p, *end;
	bool full;
};

static size_t room(const struct out *o)
{
	return (size_t)(o->end - o->p);
}

static void put_mem(struct out *o, const char *s, size_t n)
{
	if (o->full || n > room(o)) {
		o->full = true;
		return;
	}
	memcpy(o->p, s, n);
	o->p += n;
}

static void put_str(struct out *o, const char *s)
{
	put_mem(o, s, strlen(s));
}

/* As much of @s (valid UTF-8) as fits, cut on a character boundary. */
static void put_cut(struct out *o, const char *s, size_t n)
{
	size_t k = room(o);

	if (o->full)
		return;
	if (n <= k) {
		put_mem(o, s, n);
		return;
	}
	while (k > 0 && ((unsigned char)s[k] & 0xc0) == 0x80)
		k--;
	memcpy(o->p, s, k);
	o->p += k;
	o->full = true;
}

/* As much of @s as fits, with '"', '\\' and ']' escaped (RFC 5424 6.3.3). */
static void put_sd_escaped(struct out *o, const char *s, size_t n)
{
	for (size_t i = 0; i < n && !o->full; i++) {
		unsigned char c = (unsigned char)s[i];
		size_t len = 1;

		if (c == '"' || c == '\\' || c == ']') {
			char pair[2] = { '\\', (char)c };

			put_mem(o, pair, 2); /* whole or not at all */
			continue;
		}
		while (c >= 0xc0 && i + len < n && ((unsigned char)s[i + len] & 0xc0) == 0x80)
			len++; /* a character whole or not at all */
		put_mem(o, s + i, len);
		i += len - 1;
	}
}

/* Bytes of @s to escape next: at most ESC_CHUNK, not splitting a UTF-8 sequence. */
static size_t chunk_len(const char *s, size_t n)
{
	size_t k = n < ESC_CHUNK ? n : ESC_CHUNK;

	for (int i = 0; i < 3 && k < n && k > 1 && ((unsigned char)s[k] & 0xc0) == 0x80; i++)
		k--;
	return k;
}

/*
 * Untrusted text, escaped by vgl_alert_escape() (no control characters, no
 * invalid UTF-8), then, for an SD parameter value (@sd), escaped again.
 */
static void put_text(struct out *o, const char *s, size_t n, bool sd)
{
	char tmp[ESC_CHUNK * 8 + 1];

	while (n && !o->full) {
		size_t k = chunk_len(s, n);
		size_t len = vgl_alert_escape(s, k, tmp, sizeof(tmp));

		if (sd)
			put_sd_escaped(o, tmp, len);
		else
			put_cut(o, tmp, len);
		s += k;
		n -= k;
	}
}

/* The JSON alert as printable ASCII: jansson (ENSURE_ASCII) leaves DEL as it is. */
static void put_json(struct out *o, const char *s, size_t n)
{
	static const char hex[] = "0123456789abcdef";

	while (n && !o->full) {
		size_t k = 0;

		while (k < n && (unsigned char)s[k] >= 0x20 && (unsigned char)s[k] < 0x7f)
			k++;
		put_cut(o, s, k);
		if (k < n) {
			unsigned char c = (unsigned char)s[k];
			char esc[6] = { '\\', 'u', '0', '0', hex[c >> 4], hex[c & 15] };

			put_mem(o, esc, sizeof(esc));
			k++;
		}
		s += k;
		n -= k;
	}
}

bool vgl_syslog_name_ok(const char *s, size_t max)
{
	size_t n = strlen(s);

	if (n == 0 || n > max)
		return false;
	for (size_t i = 0; i < n; i++) {
		if ((unsigned char)s[i] < 33 || (unsigned char)s[i] > 126)
			return false;
	}
	return true;
}

/* HOSTNAME: the configured one, or the alert's made printable US-ASCII. */
static void put_hostname(struct out *o, const struct vgl_syslog_fmt *f, const char *host)
{
	size_t n = strlen(host);

	if (f->hostname) {
		put_str(o, f->hostname);
		return;
	}
	if (n == 0) {
		put_str(o, VGL_SYSLOG_NIL);
		return;
	}
	for (size_t i = 0; i < n && i < VGL_SYSLOG_HOSTNAME_MAX; i++) {
		char c = host[i] >= 33 && host[i] <= 126 ? host[i] : '_';

		put_mem(o, &c, 1);
	}
}

static void split_time(int64_t ns, time_t *ret_s, long *ret_us)
{
	int64_t s = ns / 1000000000, frac = ns % 1000000000;

	if (frac < 0) {
		frac += 1000000000;
		s--;
	}
	*ret_s = (time_t)s;
	*ret_us = (long)(frac / 1000);
}

/* "<PRI>1 2026-11-22T08:10:00.123456Z HOST APP PROCID MSGID" (UTC, microseconds). */
static void put_header_5424(struct out *o, const struct vgl_syslog_fmt *f,
			    const struct vgl_alert *a, int pri)
{
	char tmp[96];
	struct tm tm;
	time_t s;
	long us;

	split_time(a->time_ns, &s, &us);
	if (!gmtime_r(&s, &tm))
		memset(&tm, 0, sizeof(tm));
	snprintf(tmp, sizeof(tmp), "<%d>1 %04d-%02d-%02dT%02d:%02d:%02d.%06ldZ ", pri,
		 tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec,
		 us);
	put_str(o, tmp);
	put_hostname(o, f, a->hostname);
	put_str(o, " ");
	put_str(o, f->app_name);
	if (f->procid > 0)
		snprintf(tmp, sizeof(tmp), " %d ", f->procid);
	else
		snprintf(tmp, sizeof(tmp), " %s ", VGL_SYSLOG_NIL);
	put_str(o, tmp);
	put_str(o, VGL_SYSLOG_MSGID);
}

/* A cursor for the next @max bytes of @o at most (a value with its own limit). */
static struct out limited(const struct out *o, size_t max)
{
	struct out v = { .p = o->p,
			 .end = o->p + (room(o) < max ? room(o) : max),
			 .full = o->full };

	return v;
}

static void put_sd_param(struct out *o, const char *name, const char *s, size_t max)
{
	struct out v;

	put_str(o, " ");
	put_str(o, name);
	put_str(o, "=\"");
	v = limited(o, max);
	put_text(&v, s, strlen(s), true);
	o->p = v.p; /* a value cut short is still a value */
	put_str(o, "\"");
}

/* [vigil@32473 rule="..." priority="Warning" source="syscall" tags="a,b"] */
static void put_sd(struct out *o, const struct vgl_alert *a)
{
	struct out v;

	put_str(o, " [" VGL_SYSLOG_SD_ID);
	put_sd_param(o, "rule", a->rule, VGL_SYSLOG_SD_RULE_MAX);
	put_sd_param(o, "priority", vgl_priority_name(a->priority), VGL_SYSLOG_SD_SOURCE_MAX);
	put_sd_param(o, "source", a->source, VGL_SYSLOG_SD_SOURCE_MAX);
	put_str(o, " tags=\"");
	v = limited(o, VGL_SYSLOG_SD_TAGS_MAX);
	for (size_t i = 0; i < a->ntags && !v.full; i++) {
		if (i)
			put_mem(&v, ",", 1);
		put_text(&v, a->tags[i], strlen(a->tags[i]), true);
	}
	o->p = v.p;
	put_str(o, "\"]");
}

/*
 * "<PRI>Nov 22 08:10:00 HOST APP[PROCID]:" in local time, as syslog(3)
 * writes it; without HOST in the local form.
 */
static void put_header_3164(struct out *o, const struct vgl_syslog_fmt *f,
			    const struct vgl_alert *a, int pri)
{
	char tmp[64];
	struct tm tm;
	time_t s;
	long us;

	split_time(a->time_ns, &s, &us);
	if (!localtime_r(&s, &tm))
		memset(&tm, 0, sizeof(tm));
	snprintf(tmp, sizeof(tmp), "<%d>%s %2d %02d:%02d:%02d ", pri, month_names[tm.tm_mon % 12],
		 tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec);
	put_str(o, tmp);
	if (!f->local) {
		put_hostname(o, f, a->hostname);
		put_str(o, " ");
	}
	put_str(o, f->app_name);
	if (f->procid > 0) {
		snprintf(tmp, sizeof(tmp), "[%d]", f->procid);
		put_str(o, tmp);
	}
	put_str(o, ":");
}

size_t vgl_syslog_format(const struct vgl_syslog_fmt *f, const struct vgl_alert *a, char *buf,
			 size_t size)
{
	size_t max = size - 1 < f->max_message ? size - 1 : f->max_message;
	struct out o = { .p = buf, .end = buf + max };
	int sev = a->priority >= 0 && a->priority <= 7 ? a->priority : VGL_PRI_DEBUG;
	int pri = f->facility * 8 + sev;

	if (f->protocol == VGL_SYSLOG_RFC3164) {
		put_header_3164(&o, f, a, pri);
	} else {
		put_header_5424(&o, f, a, pri);
		put_sd(&o, a);
	}
	if (f->msg == VGL_ALERT_JSON ? a->json_len : a->msg_len) {
		put_str(&o, " ");
		if (f->msg == VGL_ALERT_JSON)
			put_json(&o, a->json, a->json_len);
		else
			put_text(&o, a->msg, a->msg_len, false);
	}
	*o.p = '\0';
	return (size_t)(o.p - buf);
}

size_t vgl_syslog_frame_prefix(size_t len, char *buf, size_t size)
{
	int n = snprintf(buf, size, "%zu ", len);

	return n > 0 && (size_t)n < size ? (size_t)n : 0;
}
