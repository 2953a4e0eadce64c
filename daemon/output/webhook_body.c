// SPDX-License-Identifier: Apache-2.0
/*
 * The webhook's pure parts: the request body for a batch of alerts, and the
 * receiver's answer (status, Retry-After, Location) as a delivery result.
 */
#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "output/webhook.h"

static int buf_reserve(struct webhook_buf *b, size_t need)
{
	size_t cap = b->cap ? b->cap : 4096;
	char *p;

	if (need <= b->cap)
		return 0;
	while (cap < need)
		cap *= 2;
	p = realloc(b->p, cap);
	if (!p)
		return -ENOMEM;
	b->p = p;
	b->cap = cap;
	return 0;
}

void vgl_webhook_buf_free(struct webhook_buf *b)
{
	free(b->p);
	memset(b, 0, sizeof(*b));
}

int vgl_webhook_body(struct webhook_buf *b, enum webhook_body_format f,
		     struct vgl_alert *const *alerts, size_t n, const char **ret, size_t *ret_len)
{
	size_t need = 2; /* [ ] */

	if (f == WEBHOOK_BODY_SINGLE && n == 1) {
		*ret = alerts[0]->json;
		*ret_len = alerts[0]->json_len;
		return 0;
	}
	/* at most batch.size alerts of VGL_ALERT_JSON_MAX each: no overflow */
	for (size_t i = 0; i < n; i++)
		need += alerts[i]->json_len + 1;
	if (buf_reserve(b, need))
		return -ENOMEM;
	b->len = 0;
	if (f != WEBHOOK_BODY_NDJSON)
		b->p[b->len++] = '[';
	for (size_t i = 0; i < n; i++) {
		if (i && f != WEBHOOK_BODY_NDJSON)
			b->p[b->len++] = ',';
		memcpy(b->p + b->len, alerts[i]->json, alerts[i]->json_len);
		b->len += alerts[i]->json_len;
		if (f == WEBHOOK_BODY_NDJSON)
			b->p[b->len++] = '\n';
	}
	if (f != WEBHOOK_BODY_NDJSON)
		b->p[b->len++] = ']';
	*ret = b->p;
	*ret_len = b->len;
	return 0;
}

static double cap_wait(double s)
{
	return s <= 0 ? 0 : s < WEBHOOK_RETRY_AFTER_MAX ? s : WEBHOOK_RETRY_AFTER_MAX;
}

double vgl_webhook_retry_after(const char *v, double now)
{
	unsigned long long secs = 0;
	time_t t;

	if (!v)
		return 0;
	while (*v == ' ' || *v == '\t')
		v++;
	if (!isdigit((unsigned char)*v)) {
		/* an HTTP-date: "Wed, 21 Oct 2015 07:28:00 GMT" */
		t = curl_getdate(v, NULL);
		return t < 0 ? 0 : cap_wait((double)t - now);
	}
	for (; isdigit((unsigned char)*v); v++) {
		if (secs < 1000000)
			secs = secs * 10 + (unsigned long long)(*v - '0');
	}
	while (*v == ' ' || *v == '\t')
		v++;
	return *v ? 0 : cap_wait((double)secs);
}

#define URL_SHOWN 120

void vgl_webhook_error(struct vgl_deliver_result *r, const char *url, const char *fmt, ...)
{
	size_t n = strlen(url) > URL_SHOWN ? URL_SHOWN : strlen(url);
	int k = snprintf(r->error, sizeof(r->error), "%.*s%s: ", (int)n, url, url[n] ? "..." : "");
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(r->error + k, sizeof(r->error) - (size_t)k, fmt, ap);
	va_end(ap);
}

/* " (the receiver said: ...)" from the start of the response body, escaped. */
static void reply_note(const struct webhook_reply *rp, char *buf, size_t size)
{
	char text[WEBHOOK_REPLY_KEEP * 4 + 8];
	size_t n = rp->body_len < WEBHOOK_REPLY_KEEP ? rp->body_len : WEBHOOK_REPLY_KEEP;

	while (n && isspace((unsigned char)rp->body[n - 1]))
		n--;
	buf[0] = '\0';
	if (!n)
		return;
	vgl_alert_escape(rp->body, n, text, sizeof(text));
	snprintf(buf, size, ": %s%s", text, rp->body_len > WEBHOOK_REPLY_KEEP ? "..." : "");
}

void vgl_webhook_result(const char *url, const struct webhook_reply *rp, double now,
			struct vgl_deliver_result *r)
{
	char note[WEBHOOK_REPLY_KEEP * 4 + 16], loc[512];
	long c = rp->code;

	if (c >= 200 && c < 300) {
		r->status = VGL_DELIVER_OK;
		return;
	}
	if (c >= 300 && c < 400) {
		vgl_alert_escape(rp->location ? rp->location : "",
				 rp->location ? strlen(rp->location) : 0, loc, sizeof(loc));
		r->status = VGL_DELIVER_FAIL;
		r->loss = VGL_LOSS_REJECTED;
		vgl_webhook_error(r, url, "HTTP %ld redirect to '%s': redirects are not followed",
				  c, loc);
		return;
	}
	reply_note(rp, note, sizeof(note));
	if (c == 408 || c == 429 || c >= 500 || c < 200) {
		r->status = VGL_DELIVER_RETRY;
		r->retry_after = vgl_webhook_retry_after(rp->retry_after, now);
	} else {
		r->status = VGL_DELIVER_FAIL;
		r->loss = c == 413 ? VGL_LOSS_TOO_LARGE : VGL_LOSS_REJECTED;
	}
	vgl_webhook_error(r, url, "HTTP %ld%s", c, note);
}
