/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Internal to the webhook sink: its settings (webhook_conf.c reads them,
 * webhook_tls.c checks the TLS files at start-up) and the pure parts of a
 * delivery (webhook_body.c: the request body, the receiver's answer as a
 * delivery result). sink_webhook.c does the HTTP with libcurl.
 */
#ifndef VIGIL_OUTPUT_WEBHOOK_H
#define VIGIL_OUTPUT_WEBHOOK_H

#include <curl/curl.h>
#include <stdbool.h>
#include <stddef.h>

#include "config/cfg.h"
#include "output/sink.h"

#define WEBHOOK_BATCH_MAX	10000 /* batch.size */
#define WEBHOOK_HEADERS_MAX	64    /* custom headers */
#define WEBHOOK_HEADER_NAME_MAX 256
#define WEBHOOK_RETRY_AFTER_MAX 300.0	    /* seconds: a longer Retry-After is cut */
#define WEBHOOK_REPLY_MAX	(64u << 10) /* response body bytes read (and dropped) */
#define WEBHOOK_REPLY_KEEP	96	    /* of which the start is kept for messages */

enum webhook_body_format {
	WEBHOOK_BODY_SINGLE, /* no `batch`: one bare JSON object per request */
	WEBHOOK_BODY_ARRAY,  /* [{...},{...}] */
	WEBHOOK_BODY_NDJSON, /* {...}\n{...}\n */
};

struct webhook_conf {
	char *url;
	char *display; /* the URL for messages: no user, password, query or fragment */
	bool https;
	char *ca_file, *ca_dir, *cert, *key; /* NULL: not set */
	bool verify;
	struct curl_slist *headers; /* Content-Type, Expect: off, then the user's */
	char *user_agent;
	double connect_timeout, timeout; /* seconds */
	enum webhook_body_format body_format;
};

/* A growing buffer for batch bodies. */
struct webhook_buf {
	char *p;
	size_t len, cap;
};

/* What the receiver answered to one request. */
struct webhook_reply {
	long code;		 /* HTTP status */
	const char *retry_after; /* the Retry-After header, NULL: none */
	const char *location;	 /* where a redirect points, NULL: none */
	const char *body;	 /* the start of the response body (raw), "" */
	size_t body_len;
};

extern const char *const vgl_webhook_keys[];

/* The `webhook` output's own keys of @map into @w (see vgl_sink_ops.configure). */
int vgl_webhook_conf_parse(struct vgl_cfg_ctx *c, const struct ynode *map,
			   struct vgl_sink_conf *conf, struct webhook_conf *w);
void vgl_webhook_conf_free(struct webhook_conf *w);

/* The TLS files can be read and hold what they should: 0 or -errno, @err set. */
int vgl_webhook_check_tls(const struct webhook_conf *w, char *err, size_t errlen);

/*
 * The body for @n alerts in format @f: in @b (grown as needed), or the
 * alert's own JSON for WEBHOOK_BODY_SINGLE. 0, or -ENOMEM.
 */
int vgl_webhook_body(struct webhook_buf *b, enum webhook_body_format f,
		     struct vgl_alert *const *alerts, size_t n, const char **ret, size_t *ret_len);
void vgl_webhook_buf_free(struct webhook_buf *b);

/*
 * Seconds a Retry-After value asks for (delay-seconds or an HTTP-date, at
 * @now seconds since the epoch), at most WEBHOOK_RETRY_AFTER_MAX; 0 when
 * @v is NULL, malformed or in the past.
 */
double vgl_webhook_retry_after(const char *v, double now);

/*
 * @rp as the result of a delivery to @url: 2xx OK; 408, 429 and 5xx retried
 * (after Retry-After); 413 too large; other answers rejected. @now as above.
 */
void vgl_webhook_result(const char *url, const struct webhook_reply *rp, double now,
			struct vgl_deliver_result *r);

/* r->error = "@url: " and the message; a long URL is cut so that the message shows. */
void vgl_webhook_error(struct vgl_deliver_result *r, const char *url, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

#endif /* VIGIL_OUTPUT_WEBHOOK_H */
