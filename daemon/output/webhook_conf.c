// SPDX-License-Identifier: Apache-2.0
/*
 * The `webhook` output's keys: url, headers, tls, batch, connect_timeout,
 * timeout, user_agent. Read once at start-up; nothing is connected here.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "output/webhook.h"

#define VALUE_MAX 4096

const char *const vgl_webhook_keys[] = {
	"url", "headers", "tls", "batch", "connect_timeout", "timeout", "user_agent", NULL,
};
static const char *const tls_keys[] = { "ca_file", "ca_dir", "cert", "key", "verify", NULL };
static const char *const batch_keys[] = { "size", "format", "linger", NULL };
static const char *const batch_formats[] = { "array", "ndjson", NULL };

/* The URL without what should not reach a log: user, password, query, fragment. */
static int display_url(CURLU *u, char **ret)
{
	static const CURLUPart drop[] = { CURLUPART_USER, CURLUPART_PASSWORD, CURLUPART_OPTIONS,
					  CURLUPART_QUERY, CURLUPART_FRAGMENT };
	char *s = NULL;

	for (size_t i = 0; i < sizeof(drop) / sizeof(drop[0]); i++)
		curl_url_set(u, drop[i], NULL, 0);
	if (curl_url_get(u, CURLUPART_URL, &s, 0) != CURLUE_OK)
		return -ENOMEM;
	*ret = strdup(s);
	curl_free(s);
	return *ret ? 0 : -ENOMEM;
}

static int parse_url(struct vgl_cfg_ctx *c, const struct ynode *map, struct webhook_conf *w)
{
	const struct ynode *n = ynode_get(map, "url");
	CURLUcode uc;
	CURLU *u;
	int r = vgl_cfg_str(c, map, "url", &w->url);

	if (r == 0)
		vgl_cfg_error(c, map, "url",
			      "missing: the http:// or https:// URL to post alerts to");
	if (r <= 0)
		return -EINVAL;
	w->https = !strncasecmp(w->url, "https://", 8);
	if (!w->https && strncasecmp(w->url, "http://", 7)) {
		vgl_cfg_error(c, n, "url", "'%s' is not an http:// or https:// URL", w->url);
		return -EINVAL;
	}
	u = curl_url();
	if (!u)
		return -ENOMEM;
	uc = curl_url_set(u, CURLUPART_URL, w->url, 0);
	if (uc == CURLUE_OK)
		r = display_url(u, &w->display);
	else if (uc == CURLUE_OUT_OF_MEMORY)
		r = -ENOMEM;
	else {
		vgl_cfg_error(c, n, "url", "'%s' is not a valid URL: %s", w->url,
			      curl_url_strerror(uc));
		r = -EINVAL;
	}
	curl_url_cleanup(u);
	return r;
}

/* RFC 9110 token characters: what a header name may hold. */
static bool is_token(const char *s)
{
	static const char extra[] = "!#$%&'*+-.^_`|~";

	for (; *s; s++) {
		if (!((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') ||
		      (*s >= '0' && *s <= '9') || strchr(extra, *s)))
			return false;
	}
	return true;
}

/* Why @k: @v cannot be sent as a header, or NULL when it can. */
static const char *header_problem(const struct ynode *k, const struct ynode *v)
{
	if (k->type != YN_SCALAR || !k->len || k->len > WEBHOOK_HEADER_NAME_MAX ||
	    !is_token(k->str))
		return "not a header name (letters, digits and !#$%&'*+-.^_`|~)";
	if (!strcasecmp(k->str, "Content-Length") || !strcasecmp(k->str, "Transfer-Encoding"))
		return "set by vigil for each request";
	if (v->type != YN_SCALAR)
		return "the value must be a string";
	if (!v->len)
		return "empty value";
	if (v->len > VALUE_MAX)
		return "value longer than 4096 bytes";
	if (strlen(v->str) != v->len || strpbrk(v->str, "\r\n"))
		return "the value holds a line break or NUL: it would forge headers";
	return NULL;
}

/* Append @line to *@list (kept whole when out of memory). */
static int append(struct curl_slist **list, const char *line)
{
	struct curl_slist *l = curl_slist_append(*list, line);

	if (!l)
		return -ENOMEM;
	*list = l;
	return 0;
}

static int add_header(struct curl_slist **list, const char *name, const char *value)
{
	size_t n = strlen(name) + strlen(value) + 3;
	char *line = malloc(n);
	int ret;

	if (!line)
		return -ENOMEM;
	snprintf(line, n, "%s: %s", name, value);
	ret = append(list, line);
	free(line);
	return ret;
}

/* Content-Type (unless the user sets one), no Expect: 100-continue, the user's headers. */
static int parse_headers(struct vgl_cfg_ctx *c, const struct ynode *map, struct webhook_conf *w)
{
	const char *ctype =
		w->body_format == WEBHOOK_BODY_NDJSON ? "application/x-ndjson" : "application/json";
	const struct ynode *h = NULL;
	struct vgl_cfg_ctx hc;
	int err = 0;

	if (vgl_cfg_map(c, map, "headers", &h) < 0)
		return -EINVAL;
	vgl_cfg_sub(c, "headers", &hc);
	if (h && h->nkids / 2 > WEBHOOK_HEADERS_MAX) {
		vgl_cfg_error(c, h, "headers", "more than %d headers", WEBHOOK_HEADERS_MAX);
		return -EINVAL;
	}
	for (size_t i = 0; h && i + 1 < h->nkids; i += 2) {
		const struct ynode *k = h->kids[i], *v = h->kids[i + 1];
		const char *why = header_problem(k, v);

		if (why) {
			vgl_cfg_error(&hc, k, k->type == YN_SCALAR ? k->str : NULL, "%s", why);
			err = -EINVAL;
		} else if (!strcasecmp(k->str, "Content-Type")) {
			ctype = NULL; /* the user's, added below */
		}
	}
	if (err)
		return err;
	/* "Expect:" with no value: no 100-continue round trip before large bodies */
	if ((ctype && add_header(&w->headers, "Content-Type", ctype)) ||
	    append(&w->headers, "Expect:"))
		return -ENOMEM;
	for (size_t i = 0; h && i + 1 < h->nkids; i += 2) {
		if (add_header(&w->headers, h->kids[i]->str, h->kids[i + 1]->str))
			return -ENOMEM;
	}
	return 0;
}

static int tls_path(struct vgl_cfg_ctx *c, const struct ynode *m, const char *key, char **ret)
{
	int r = vgl_cfg_str(c, m, key, ret);

	if (r > 0 && (*ret)[0] != '/') {
		vgl_cfg_error(c, ynode_get(m, key), key, "'%s' is not an absolute path", *ret);
		return -EINVAL;
	}
	return r < 0 ? r : 0;
}

static int parse_tls(struct vgl_cfg_ctx *c, const struct ynode *map, struct webhook_conf *w)
{
	const struct ynode *m = NULL;
	struct vgl_cfg_ctx tc;
	int err = 0, r;

	r = vgl_cfg_map(c, map, "tls", &m);
	if (r <= 0)
		return r;
	vgl_cfg_sub(c, "tls", &tc);
	err |= vgl_cfg_check_keys(&tc, m, tls_keys, NULL);
	err |= tls_path(&tc, m, "ca_file", &w->ca_file);
	err |= tls_path(&tc, m, "ca_dir", &w->ca_dir);
	err |= tls_path(&tc, m, "cert", &w->cert);
	err |= tls_path(&tc, m, "key", &w->key);
	err |= vgl_cfg_bool(&tc, m, "verify", &w->verify) < 0;
	if (w->key && !w->cert) {
		vgl_cfg_error(&tc, ynode_get(m, "key"), "key", "given without tls.cert");
		err = 1;
	}
	if (!err && w->display && !w->https && m->nkids)
		vgl_cfg_warn(c, m, "tls", "not used: '%s' is not an https:// URL", w->display);
	else if (!err && !w->verify)
		vgl_cfg_warn(&tc, ynode_get(m, "verify"), "verify",
			     "off: the receiver's certificate is not checked");
	return err ? -EINVAL : 0;
}

static int parse_batch(struct vgl_cfg_ctx *c, const struct ynode *map, struct vgl_sink_conf *conf,
		       struct webhook_conf *w)
{
	const struct ynode *m = NULL;
	struct vgl_cfg_ctx bc;
	uint64_t size = 1;
	int err = 0, r, f = 0;

	r = vgl_cfg_map(c, map, "batch", &m);
	if (r <= 0)
		return r;
	vgl_cfg_sub(c, "batch", &bc);
	conf->batch_linger = 0.1;
	err |= vgl_cfg_check_keys(&bc, m, batch_keys, NULL);
	err |= vgl_cfg_uint(&bc, m, "size", 1, WEBHOOK_BATCH_MAX, &size) < 0;
	err |= vgl_cfg_enum(&bc, m, "format", batch_formats, &f) < 0;
	err |= vgl_cfg_duration(&bc, m, "linger", 0, 60, &conf->batch_linger) < 0;
	conf->batch_max = (size_t)size;
	w->body_format = f ? WEBHOOK_BODY_NDJSON : WEBHOOK_BODY_ARRAY;
	return err ? -EINVAL : 0;
}

static int parse_misc(struct vgl_cfg_ctx *c, const struct ynode *map, struct vgl_sink_conf *conf,
		      struct webhook_conf *w)
{
	int err = 0;

	if (conf->format_set && conf->format != VGL_ALERT_JSON) {
		vgl_cfg_error(c, ynode_get(map, "format"), "format",
			      "a webhook posts Falco's JSON alert: only 'json'");
		err = 1;
	}
	conf->format = VGL_ALERT_JSON;
	conf->format_set = true;
	err |= vgl_cfg_duration(c, map, "connect_timeout", 0.001, 600, &w->connect_timeout) < 0;
	err |= vgl_cfg_duration(c, map, "timeout", 0.001, 3600, &w->timeout) < 0;
	err |= vgl_cfg_str(c, map, "user_agent", &w->user_agent) < 0;
	if (w->user_agent && strpbrk(w->user_agent, "\r\n")) {
		vgl_cfg_error(c, ynode_get(map, "user_agent"), "user_agent", "holds a line break");
		err = 1;
	}
	if (!err && !w->user_agent)
		w->user_agent = strdup("vigil/" VIGIL_VERSION);
	return err ? -EINVAL : w->user_agent ? 0 : -ENOMEM;
}

int vgl_webhook_conf_parse(struct vgl_cfg_ctx *c, const struct ynode *map,
			   struct vgl_sink_conf *conf, struct webhook_conf *w)
{
	int err = 0, r;

	w->verify = true;
	w->connect_timeout = 5;
	w->timeout = 10;
	w->body_format = WEBHOOK_BODY_SINGLE;
	r = parse_url(c, map, w);
	if (r == -ENOMEM)
		return r;
	err |= r;
	err |= parse_batch(c, map, conf, w);
	err |= parse_tls(c, map, w);
	r = parse_misc(c, map, conf, w);
	if (r == -ENOMEM)
		return r;
	err |= r;
	r = parse_headers(c, map, w);
	if (r == -ENOMEM)
		return r;
	return err || r ? -EINVAL : 0;
}

void vgl_webhook_conf_free(struct webhook_conf *w)
{
	free(w->url);
	free(w->display);
	free(w->ca_file);
	free(w->ca_dir);
	free(w->cert);
	free(w->key);
	free(w->user_agent);
	curl_slist_free_all(w->headers);
	memset(w, 0, sizeof(*w));
}
