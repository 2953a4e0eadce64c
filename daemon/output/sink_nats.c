// SPDX-License-Identifier: Apache-2.0
/*
 * type: nats — one message per alert, its Falco JSON, published to one
 * subject on a NATS server (or any server of a cluster), and acknowledged
 * before it counts as sent:
 *
 *	core NATS   publish, then a flush: the server's PONG says it has the message
 *	JetStream   publish with a message id: the stream's ack says it is stored,
 *	            and a retry of a stored message is dropped as a duplicate
 *
 * With jetstream: auto, connecting asks the server whether a stream captures
 * the subject ($JS.API.STREAM.NAMES) and uses JetStream when one does.
 * libnats does not reconnect by itself here: a lost connection is a retry,
 * and the next attempt (after the retry backoff) connects again.
 */
#include <errno.h>
#include <openssl/evp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "output/sink_nats.h"

#define ID_BYTES 16 /* of the alert's SHA-256: the JetStream message id */
#define URL_MAX	 1024

static const char *const js_mode_names[] = {
	[NATS_JS_AUTO] = "auto",
	[NATS_JS_ON] = "true",
	[NATS_JS_OFF] = "false",
};

static int64_t to_ms(double secs)
{
	return (int64_t)(secs * 1000 + 0.5);
}

static void disconnect(struct nats_sink *n)
{
	jsCtx_Destroy(n->js);
	n->js = NULL;
	if (n->nc) {
		natsConnection_Close(n->nc);
		natsConnection_Destroy(n->nc);
		n->nc = NULL;
	}
	free(n->url);
	n->url = NULL;
}

/* The server's URL without a user:password@ part, for messages; NULL without memory. */
static char *connected_url(natsConnection *nc)
{
	char buf[URL_MAX] = "", *at, *host;

	if (natsConnection_GetConnectedUrl(nc, buf, sizeof(buf)) != NATS_OK || !buf[0])
		snprintf(buf, sizeof(buf), "the server");
	host = strstr(buf, "://");
	at = strrchr(buf, '@');
	if (host && at && at > host)
		memmove(host + 3, at + 1, strlen(at + 1) + 1);
	return strdup(buf);
}

/*
 * JetStream when asked (jetstream: true), or with auto when a stream
 * captures the subject; core NATS when the server has no such stream, or
 * no JetStream for this account or at all. Returns false with @r->error set
 * when the server did not answer.
 */
static bool choose_jetstream(struct nats_sink *n, struct vgl_deliver_result *r)
{
	jsStreamNamesList *list = NULL;
	jsOptions jo, lookup;
	jsErrCode code = 0;
	natsStatus s;

	if (n->jetstream == NATS_JS_OFF)
		return true;
	jsOptions_Init(&jo);
	jo.Wait = to_ms(n->timeout);
	s = natsConnection_JetStream(&n->js, n->nc, &jo);
	if (s == NATS_OK && n->jetstream == NATS_JS_AUTO) {
		lookup = jo;
		lookup.Stream.Info.SubjectsFilter = n->subject;
		s = js_StreamNames(&list, n->js, &lookup, &code);
		jsStreamNamesList_Destroy(list);
		if (s == NATS_NOT_FOUND || s == NATS_NO_RESPONDERS ||
		    code == JSNotEnabledForAccountErr || code == JSNotEnabledErr) {
			jsCtx_Destroy(n->js);
			n->js = NULL;
			s = NATS_OK;
		}
	}
	if (s != NATS_OK)
		snprintf(r->error, sizeof(r->error),
			 "asking %s which JetStream stream captures subject %s: %s", n->url,
			 n->subject, vgl_nats_error(s));
	return s == NATS_OK;
}

static bool connect_server(struct nats_sink *n, struct vgl_deliver_result *r)
{
	sigset_t old;
	natsStatus s;

	if (!n->opts && vgl_nats_check(n, r->error, sizeof(r->error)))
		return false;
	/* the connection's reader and flusher threads take no signals */
	vgl_nats_block_signals(&old);
	s = natsConnection_Connect(&n->nc, n->opts);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	if (s != NATS_OK) {
		n->nc = NULL;
		snprintf(r->error, sizeof(r->error), "cannot connect to %s: %s", n->servers,
			 vgl_nats_error(s));
		return false;
	}
	n->url = connected_url(n->nc);
	if (!n->url) {
		snprintf(r->error, sizeof(r->error), "connected to %s: out of memory", n->servers);
		disconnect(n);
		return false;
	}
	if (!choose_jetstream(n, r)) {
		disconnect(n);
		return false;
	}
	return true;
}

/* The JetStream message id of @a: a digest of its JSON, the same on every retry. */
static void message_id(const struct vgl_alert *a, char *buf)
{
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned int len = 0;

	if (!EVP_Digest(a->json, a->json_len, md, &len, EVP_sha256(), NULL) || len < ID_BYTES) {
		buf[0] = '\0'; /* no id: the server cannot drop a duplicate, nothing else */
		return;
	}
	for (int i = 0; i < ID_BYTES; i++)
		snprintf(buf + 2 * i, 3, "%02x", md[i]);
}

static void publish_js(struct nats_sink *n, const struct vgl_alert *a, struct vgl_deliver_result *r)
{
	char id[2 * ID_BYTES + 1];
	jsErrCode code = 0;
	jsPubOptions po;
	natsStatus s;

	message_id(a, id);
	jsPubOptions_Init(&po);
	po.MaxWait = to_ms(n->timeout);
	po.MsgId = id[0] ? id : NULL;
	s = js_Publish(NULL, n->js, n->subject, a->json, (int)a->json_len, &po, &code);
	if (s == NATS_OK) {
		r->status = VGL_DELIVER_OK;
	} else if (code == JSStreamMessageExceedsMaximumErr) {
		r->status = VGL_DELIVER_FAIL;
		r->loss = VGL_LOSS_TOO_LARGE;
		snprintf(r->error, sizeof(r->error),
			 "the stream on %s refused an alert of %zu bytes: over its max_msg_size",
			 n->url, a->json_len);
	} else if (s == NATS_NO_RESPONDERS) {
		snprintf(r->error, sizeof(r->error),
			 "no JetStream stream captures subject %s on %s (jetstream: %s)",
			 n->subject, n->url, js_mode_names[n->jetstream]);
	} else if (s == NATS_TIMEOUT) {
		snprintf(r->error, sizeof(r->error),
			 "no acknowledgement from JetStream on %s within %g s", n->url, n->timeout);
	} else {
		snprintf(r->error, sizeof(r->error), "publishing to JetStream on %s: %s", n->url,
			 vgl_nats_error(s));
	}
}

static void publish_core(struct nats_sink *n, const struct vgl_alert *a,
			 struct vgl_deliver_result *r)
{
	natsStatus s = natsConnection_Publish(n->nc, n->subject, a->json, (int)a->json_len);

	/* the PONG to the flush's PING: the server has read everything before it */
	if (s == NATS_OK)
		s = natsConnection_FlushTimeout(n->nc, to_ms(n->timeout));
	if (s == NATS_OK)
		r->status = VGL_DELIVER_OK;
	else if (s == NATS_TIMEOUT)
		snprintf(r->error, sizeof(r->error), "no acknowledgement from %s within %g s",
			 n->url, n->timeout);
	else
		snprintf(r->error, sizeof(r->error), "publishing to %s: %s", n->url,
			 vgl_nats_error(s));
}

static void publish(struct nats_sink *n, const struct vgl_alert *a, struct vgl_deliver_result *r)
{
	int64_t max = natsConnection_GetMaxPayload(n->nc);

	if (max > 0 && (int64_t)a->json_len > max) {
		r->status = VGL_DELIVER_FAIL;
		r->loss = VGL_LOSS_TOO_LARGE;
		snprintf(r->error, sizeof(r->error),
			 "an alert of %zu bytes is over the max_payload of %s (%lld bytes)",
			 a->json_len, n->url, (long long)max);
		return;
	}
	r->status = VGL_DELIVER_RETRY;
	if (n->js)
		publish_js(n, a, r);
	else
		publish_core(n, a, r);
	/* whatever went wrong, the next attempt starts on a new connection */
	if (r->status == VGL_DELIVER_RETRY)
		disconnect(n);
}

static void nats_deliver(void *priv, struct vgl_sink *s, struct vgl_alert *const *alerts, size_t n,
			 struct vgl_deliver_result *r)
{
	struct nats_sink *ns = priv;

	r->status = VGL_DELIVER_RETRY;
	if (!ns->nc && !connect_server(ns, r))
		return;
	for (size_t i = 0; i < n; i++) {
		if (vgl_sink_aborting(s)) {
			r->status = VGL_DELIVER_RETRY;
			snprintf(r->error, sizeof(r->error), "%s: shutting down", ns->url);
			return;
		}
		publish(ns, alerts[i], r);
		if (r->status != VGL_DELIVER_OK)
			return;
	}
}

static void nats_close(void *priv)
{
	struct nats_sink *n = priv;

	if (!n)
		return;
	disconnect(n);
	vgl_nats_free(n);
}

static const char *nats_describe(void *priv)
{
	return ((struct nats_sink *)priv)->desc;
}

const struct vgl_sink_ops vgl_sink_nats_ops = {
	.type = "nats",
	.keys = vgl_nats_keys,
	.configure = vgl_nats_configure,
	.check = vgl_nats_check,
	.deliver = nats_deliver,
	.close = nats_close,
	.describe = nats_describe,
};
