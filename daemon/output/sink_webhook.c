// SPDX-License-Identifier: Apache-2.0
/*
 * type: webhook — each alert (or batch) POSTed as Falco's JSON alert to an
 * http:// or https:// URL with libcurl, the way Falcosidekick takes it.
 * One curl handle per sink, kept between requests (keep-alive); proxies
 * come from the environment (http_proxy, https_proxy, no_proxy) as libcurl
 * reads them. SIGUSR1 drops the connection, so that the next request reads
 * rotated certificates again.
 */
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "output/sinks.h"
#include "output/webhook.h"

#define BODY_KEEP (1u << 20) /* a larger batch buffer is freed after use */

struct webhook {
	struct webhook_conf conf;
	CURL *curl; /* NULL: made by the next delivery */
	char errbuf[CURL_ERROR_SIZE];
	struct webhook_buf body;
	const struct vgl_sink *sink; /* during a delivery: whether to abort */
	size_t reply_len;	     /* response body bytes seen */
	bool reply_cut;		     /* stopped reading at WEBHOOK_REPLY_MAX */
	char reply[WEBHOOK_REPLY_KEEP];
};

static pthread_once_t curl_once = PTHREAD_ONCE_INIT;
static CURLcode curl_init_rc = CURLE_FAILED_INIT;

static void curl_init(void)
{
	curl_init_rc = curl_global_init(CURL_GLOBAL_DEFAULT);
}

static void webhook_close(void *priv)
{
	struct webhook *w = priv;

	if (!w)
		return;
	curl_easy_cleanup(w->curl);
	vgl_webhook_conf_free(&w->conf);
	vgl_webhook_buf_free(&w->body);
	free(w);
}

static int webhook_configure(struct vgl_cfg_ctx *c, const struct ynode *map,
			     struct vgl_sink_conf *conf, void **ret_priv)
{
	struct webhook *w = calloc(1, sizeof(*w));
	int err;

	if (!w)
		return -ENOMEM;
	err = vgl_webhook_conf_parse(c, map, conf, &w->conf);
	if (err) {
		webhook_close(w);
		return err;
	}
	*ret_priv = w;
	return 0;
}

static int webhook_check(void *priv, char *err, size_t errlen)
{
	struct webhook *w = priv;

	return vgl_webhook_check_tls(&w->conf, err, errlen);
}

/* The response body: the start kept for messages, the rest dropped, all bounded. */
static size_t on_reply(char *data, size_t size, size_t n, void *arg)
{
	struct webhook *w = arg;
	size_t len = size * n;

	if (w->reply_len < sizeof(w->reply)) {
		size_t k = sizeof(w->reply) - w->reply_len;

		memcpy(w->reply + w->reply_len, data, len < k ? len : k);
	}
	w->reply_len += len;
	if (w->reply_len > WEBHOOK_REPLY_MAX) {
		w->reply_cut = true;
		return 0; /* ends the transfer; the status is already known */
	}
	return len;
}

/* Called about once a second even while nothing moves: stop when told to. */
static int on_progress(void *arg, curl_off_t dltotal, curl_off_t dlnow, curl_off_t ultotal,
		       curl_off_t ulnow)
{
	struct webhook *w = arg;

	return w->sink && vgl_sink_aborting(w->sink);
}

static long ms(double s)
{
	return s < 0.001 ? 1 : (long)(s * 1000);
}

/* Everything but the body, once per handle. Proxy options are left alone: env. */
static int set_options(struct webhook *w)
{
	const struct webhook_conf *c = &w->conf;
	CURL *h = w->curl;
	int bad = 0;

	bad |= curl_easy_setopt(h, CURLOPT_URL, c->url) != CURLE_OK;
	bad |= curl_easy_setopt(h, CURLOPT_PROTOCOLS_STR, "http,https") != CURLE_OK;
	bad |= curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L) != CURLE_OK;
	bad |= curl_easy_setopt(h, CURLOPT_POST, 1L) != CURLE_OK;
	bad |= curl_easy_setopt(h, CURLOPT_FOLLOWLOCATION, 0L) != CURLE_OK;
	bad |= curl_easy_setopt(h, CURLOPT_HTTPHEADER, c->headers) != CURLE_OK;
	bad |= curl_easy_setopt(h, CURLOPT_USERAGENT, c->user_agent) != CURLE_OK;
	bad |= curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT_MS, ms(c->connect_timeout)) != CURLE_OK;
	bad |= curl_easy_setopt(h, CURLOPT_TIMEOUT_MS, ms(c->timeout)) != CURLE_OK;
	bad |= curl_easy_setopt(h, CURLOPT_TCP_KEEPALIVE, 1L) != CURLE_OK;
	bad |= curl_easy_setopt(h, CURLOPT_ERRORBUFFER, w->errbuf) != CURLE_OK;
	bad |= curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, on_reply) != CURLE_OK;
	bad |= curl_easy_setopt(h, CURLOPT_WRITEDATA, w) != CURLE_OK;
	bad |= curl_easy_setopt(h, CURLOPT_NOPROGRESS, 0L) != CURLE_OK;
	bad |= curl_easy_setopt(h, CURLOPT_XFERINFOFUNCTION, on_progress) != CURLE_OK;
	bad |= curl_easy_setopt(h, CURLOPT_XFERINFODATA, w) != CURLE_OK;
	bad |= curl_easy_setopt(h, CURLOPT_SSL_VERIFYPEER, c->verify ? 1L : 0L) != CURLE_OK;
	bad |= curl_easy_setopt(h, CURLOPT_SSL_VERIFYHOST, c->verify ? 2L : 0L) != CURLE_OK;
	if (c->ca_file)
		bad |= curl_easy_setopt(h, CURLOPT_CAINFO, c->ca_file) != CURLE_OK;
	if (c->ca_dir)
		bad |= curl_easy_setopt(h, CURLOPT_CAPATH, c->ca_dir) != CURLE_OK;
	if (c->cert)
		bad |= curl_easy_setopt(h, CURLOPT_SSLCERT, c->cert) != CURLE_OK;
	if (c->key)
		bad |= curl_easy_setopt(h, CURLOPT_SSLKEY, c->key) != CURLE_OK;
	return bad ? -EINVAL : 0;
}

static int open_handle(struct webhook *w)
{
	pthread_once(&curl_once, curl_init);
	if (curl_init_rc != CURLE_OK)
		return -ENOMEM;
	w->curl = curl_easy_init();
	if (!w->curl)
		return -ENOMEM;
	if (set_options(w)) {
		curl_easy_cleanup(w->curl);
		w->curl = NULL;
		return -EINVAL;
	}
	return 0;
}

/* A transfer that got no HTTP answer: retried. */
static void transfer_error(struct webhook *w, CURLcode rc, struct vgl_deliver_result *r)
{
	const char *url = w->conf.display;
	long os_errno = 0;

	r->status = VGL_DELIVER_RETRY;
	curl_easy_getinfo(w->curl, CURLINFO_OS_ERRNO, &os_errno);
	if (rc == CURLE_ABORTED_BY_CALLBACK)
		vgl_webhook_error(r, url, "aborted: the drain time ran out");
	else if (rc == CURLE_COULDNT_CONNECT && os_errno)
		vgl_webhook_error(r, url, "connect: %s", strerror((int)os_errno));
	else
		vgl_webhook_error(r, url, "%s", w->errbuf[0] ? w->errbuf : curl_easy_strerror(rc));
}

/* The HTTP answer of the last request as a delivery result. */
static void http_result(struct webhook *w, struct vgl_deliver_result *r)
{
	struct webhook_reply rp = { .body = w->reply };
	struct curl_header *ra = NULL;
	struct timespec now;
	char *loc = NULL;

	curl_easy_getinfo(w->curl, CURLINFO_RESPONSE_CODE, &rp.code);
	if (curl_easy_header(w->curl, "Retry-After", 0, CURLH_HEADER, -1, &ra) == CURLHE_OK)
		rp.retry_after = ra->value;
	if (curl_easy_getinfo(w->curl, CURLINFO_REDIRECT_URL, &loc) == CURLE_OK)
		rp.location = loc;
	rp.body_len = w->reply_len;
	clock_gettime(CLOCK_REALTIME, &now);
	vgl_webhook_result(w->conf.display, &rp, (double)now.tv_sec + now.tv_nsec / 1e9, r);
}

static void webhook_deliver(void *priv, struct vgl_sink *s, struct vgl_alert *const *alerts,
			    size_t n, struct vgl_deliver_result *r)
{
	struct webhook *w = priv;
	const char *body;
	size_t len;
	long code = 0;
	CURLcode rc;

	r->status = VGL_DELIVER_RETRY;
	if (!w->curl && open_handle(w)) {
		vgl_webhook_error(r, w->conf.display, "cannot set up libcurl");
		return;
	}
	if (vgl_webhook_body(&w->body, w->conf.body_format, alerts, n, &body, &len)) {
		vgl_webhook_error(r, w->conf.display, "out of memory for the body");
		return;
	}
	curl_easy_setopt(w->curl, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)len);
	curl_easy_setopt(w->curl, CURLOPT_POSTFIELDS, body);
	w->sink = s;
	w->errbuf[0] = '\0';
	w->reply_len = 0;
	w->reply_cut = false;
	rc = curl_easy_perform(w->curl);
	w->sink = NULL;
	curl_easy_getinfo(w->curl, CURLINFO_RESPONSE_CODE, &code);
	if (rc == CURLE_OK || (rc == CURLE_WRITE_ERROR && w->reply_cut && code))
		http_result(w, r);
	else
		transfer_error(w, rc, r);
	curl_easy_setopt(w->curl, CURLOPT_POSTFIELDS, NULL);
	if (w->body.cap > BODY_KEEP)
		vgl_webhook_buf_free(&w->body);
}

/* SIGUSR1: a new connection, with the TLS files read again. */
static void webhook_reopen(void *priv)
{
	struct webhook *w = priv;

	curl_easy_cleanup(w->curl);
	w->curl = NULL;
}

static const char *webhook_describe(void *priv)
{
	return ((struct webhook *)priv)->conf.display;
}

const struct vgl_sink_ops vgl_sink_webhook_ops = {
	.type = "webhook",
	.keys = vgl_webhook_keys,
	.configure = webhook_configure,
	.check = webhook_check,
	.deliver = webhook_deliver,
	.reopen = webhook_reopen,
	.close = webhook_close,
	.describe = webhook_describe,
};
