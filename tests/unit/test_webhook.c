// SPDX-License-Identifier: Apache-2.0
/*
 * The webhook sink's pure parts: request bodies (one object, array, NDJSON),
 * Retry-After in both forms, the receiver's answer as a delivery result
 * with its message, and the output's keys with every error naming its key.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "output/sinkconf.h"
#include "output/webhook.h"

#define UNUSED __attribute__((unused))

static struct vgl_alert *alert(const char *json)
{
	struct vgl_alert_parts p = {
		.rule = "r",
		.source = "syscall",
		.hostname = "h",
		.msg = "m",
		.msg_len = 1,
		.json = json,
		.json_len = strlen(json),
	};
	struct vgl_alert *a = vgl_alert_new(&p);

	assert_non_null(a);
	return a;
}

static void test_bodies(void **state UNUSED)
{
	struct vgl_alert *a[3] = { alert("{\"a\":1}"), alert("{\"b\":2}"), alert("{}") };
	struct webhook_buf b = { 0 };
	const char *body;
	size_t len;

	/* one bare object, sent from the alert itself */
	assert_int_equal(vgl_webhook_body(&b, WEBHOOK_BODY_SINGLE, a, 1, &body, &len), 0);
	assert_ptr_equal(body, a[0]->json);
	assert_int_equal(len, 7);
	assert_int_equal(vgl_webhook_body(&b, WEBHOOK_BODY_ARRAY, a, 3, &body, &len), 0);
	assert_int_equal(len, strlen("[{\"a\":1},{\"b\":2},{}]"));
	assert_memory_equal(body, "[{\"a\":1},{\"b\":2},{}]", len);
	/* a batch of one keeps the batch's shape */
	assert_int_equal(vgl_webhook_body(&b, WEBHOOK_BODY_ARRAY, a, 1, &body, &len), 0);
	assert_memory_equal(body, "[{\"a\":1}]", len);
	assert_int_equal(vgl_webhook_body(&b, WEBHOOK_BODY_NDJSON, a, 3, &body, &len), 0);
	assert_int_equal(len, strlen("{\"a\":1}\n{\"b\":2}\n{}\n"));
	assert_memory_equal(body, "{\"a\":1}\n{\"b\":2}\n{}\n", len);
	vgl_webhook_buf_free(&b);
	for (int i = 0; i < 3; i++)
		vgl_alert_unref(a[i]);
}

static void test_retry_after(void **state UNUSED)
{
	/* Wed, 21 Oct 2015 07:28:00 GMT */
	const double date = 1445412480;

	assert_true(vgl_webhook_retry_after("1", 0) == 1);
	assert_true(vgl_webhook_retry_after(" 120 ", 0) == 120);
	assert_true(vgl_webhook_retry_after("99999999999999999999", 0) == WEBHOOK_RETRY_AFTER_MAX);
	assert_true(vgl_webhook_retry_after("0", 0) == 0);
	assert_true(vgl_webhook_retry_after(NULL, 0) == 0);
	assert_true(vgl_webhook_retry_after("", 0) == 0);
	assert_true(vgl_webhook_retry_after("1.5", 0) == 0);
	assert_true(vgl_webhook_retry_after("-1", 0) == 0);
	assert_true(vgl_webhook_retry_after("soon", 0) == 0);
	assert_true(vgl_webhook_retry_after("Wed, 21 Oct 2015 07:28:00 GMT", date - 10.5) == 10.5);
	assert_true(vgl_webhook_retry_after("Wed, 21 Oct 2015 07:28:00 GMT", date + 1) == 0);
	assert_true(vgl_webhook_retry_after("Wed, 21 Oct 2015 07:28:00 GMT", date - 86400) ==
		    WEBHOOK_RETRY_AFTER_MAX);
}

static void result(long code, const char *retry_after, const char *location, const char *body,
		   struct vgl_deliver_result *r)
{
	struct webhook_reply rp = { .code = code,
				    .retry_after = retry_after,
				    .location = location,
				    .body = body,
				    .body_len = strlen(body) };

	memset(r, 0, sizeof(*r));
	vgl_webhook_result("https://127.0.0.1:8443/", &rp, 0, r);
}

static void test_results(void **state UNUSED)
{
	struct vgl_deliver_result r;
	char url[300];

	result(200, NULL, NULL, "", &r);
	assert_int_equal(r.status, VGL_DELIVER_OK);
	result(204, NULL, NULL, "", &r);
	assert_int_equal(r.status, VGL_DELIVER_OK);
	result(503, NULL, NULL, "", &r);
	assert_int_equal(r.status, VGL_DELIVER_RETRY);
	assert_true(r.retry_after == 0);
	assert_string_equal(r.error, "https://127.0.0.1:8443/: HTTP 503");
	result(429, "7", NULL, "slow down\n", &r);
	assert_int_equal(r.status, VGL_DELIVER_RETRY);
	assert_true(r.retry_after == 7);
	assert_string_equal(r.error, "https://127.0.0.1:8443/: HTTP 429: slow down");
	result(408, NULL, NULL, "", &r);
	assert_int_equal(r.status, VGL_DELIVER_RETRY);
	/* the receiver's text is escaped: it cannot forge a log line */
	result(400, NULL, NULL, "bad\nvigil: fake\x1b[31m", &r);
	assert_int_equal(r.status, VGL_DELIVER_FAIL);
	assert_int_equal(r.loss, VGL_LOSS_REJECTED);
	assert_string_equal(r.error,
			    "https://127.0.0.1:8443/: HTTP 400: bad\\nvigil: fake\\x1b[31m");
	result(404, "5", NULL, "", &r);
	assert_int_equal(r.status, VGL_DELIVER_FAIL);
	assert_int_equal(r.loss, VGL_LOSS_REJECTED);
	result(413, NULL, NULL, "", &r);
	assert_int_equal(r.status, VGL_DELIVER_FAIL);
	assert_int_equal(r.loss, VGL_LOSS_TOO_LARGE);
	assert_string_equal(r.error, "https://127.0.0.1:8443/: HTTP 413");
	result(301, NULL, "https://elsewhere/", "", &r);
	assert_int_equal(r.status, VGL_DELIVER_FAIL);
	assert_int_equal(r.loss, VGL_LOSS_REJECTED);
	assert_string_equal(r.error, "https://127.0.0.1:8443/: HTTP 301 redirect to "
				     "'https://elsewhere/': redirects are not followed");
	/* a long URL is cut so that what happened still shows */
	memset(url, 'a', sizeof(url));
	memcpy(url, "https://", 8);
	url[sizeof(url) - 1] = '\0';
	vgl_webhook_error(&r, url, "HTTP %d", 500);
	assert_int_equal(strlen(r.error), 120 + strlen("...: HTTP 500"));
	assert_non_null(strstr(r.error, "aaa...: HTTP 500"));
}

/* Parse @yaml (one output mapping) into @w and @conf: the result and first error. */
static int parse(const char *yaml, struct webhook_conf *w, struct vgl_sink_conf *conf, char *err,
		 size_t errlen)
{
	struct vgl_diag diag;
	struct ydoc doc;
	struct vgl_cfg_ctx c;
	int ret;

	vgl_diag_init(&diag);
	assert_int_equal(ydoc_parse("t.yaml", yaml, strlen(yaml), &doc, &diag), 0);
	c = (struct vgl_cfg_ctx){ .diag = &diag, .path = "outputs[0]" };
	vgl_sink_conf_init(conf);
	memset(w, 0, sizeof(*w));
	ret = vgl_webhook_conf_parse(&c, doc.root, conf, w);
	err[0] = '\0';
	for (size_t i = 0; i < diag.n && !err[0]; i++) {
		if (!diag.v[i].warning)
			vgl_diag_format(&diag.v[i], err, errlen);
	}
	ydoc_free(&doc);
	vgl_diag_free(&diag);
	return ret;
}

static void test_conf(void **state UNUSED)
{
	struct vgl_sink_conf conf;
	struct webhook_conf w;
	struct curl_slist *h;
	char err[512];

	assert_int_equal(parse("url: http://127.0.0.1:2801/\n", &w, &conf, err, sizeof(err)), 0);
	assert_string_equal(w.display, "http://127.0.0.1:2801/");
	assert_true(w.verify && !w.https && w.connect_timeout == 5 && w.timeout == 10);
	assert_string_equal(w.user_agent, "vigil/" VIGIL_VERSION);
	assert_int_equal(w.body_format, WEBHOOK_BODY_SINGLE);
	assert_int_equal(conf.batch_max, 1);
	assert_int_equal(conf.format, VGL_ALERT_JSON);
	assert_string_equal(w.headers->data, "Content-Type: application/json");
	assert_string_equal(w.headers->next->data, "Expect:");
	assert_null(w.headers->next->next);
	vgl_webhook_conf_free(&w);

	assert_int_equal(parse("url: https://u:pw@h.example:8443/a?token=t#x\n"
			       "headers: {Authorization: Bearer x, content-type: text/x}\n"
			       "batch: {size: 50, format: ndjson}\ntimeout: 2s\n",
			       &w, &conf, err, sizeof(err)),
			 0);
	assert_string_equal(w.display, "https://h.example:8443/a");
	assert_true(w.https && w.timeout == 2);
	assert_int_equal(w.body_format, WEBHOOK_BODY_NDJSON);
	assert_int_equal(conf.batch_max, 50);
	assert_true(conf.batch_linger == 0.1);
	h = w.headers; /* the user's Content-Type replaces vigil's */
	assert_string_equal(h->data, "Expect:");
	assert_string_equal(h->next->data, "Authorization: Bearer x");
	assert_string_equal(h->next->next->data, "content-type: text/x");
	vgl_webhook_conf_free(&w);
}

#define assert_conf_error(yaml, want)                                                \
	do {                                                                         \
		assert_int_equal(parse(yaml, &w, &conf, err, sizeof(err)), -EINVAL); \
		assert_string_equal(err, want);                                      \
		vgl_webhook_conf_free(&w);                                           \
	} while (0)

#define BAD_URL "t.yaml:1:6: error: outputs[0].url: 'http://exa mple/' is not a valid URL: "

static void test_conf_errors(void **state UNUSED)
{
	struct vgl_sink_conf conf;
	struct webhook_conf w;
	char err[512];

	assert_conf_error("timeout: 1s\n",
			  "t.yaml:1:1: error: outputs[0].url: missing: the http:// or https:// URL "
			  "to post alerts to");
	assert_conf_error("url: htp://x\n",
			  "t.yaml:1:6: error: outputs[0].url: 'htp://x' is not an http:// or "
			  "https:// URL");
	/* libcurl's own words follow ("Bad hostname"; they change between versions) */
	assert_int_equal(parse("url: 'http://exa mple/'\n", &w, &conf, err, sizeof(err)), -EINVAL);
	assert_true(strlen(err) > strlen(BAD_URL) && !strncmp(err, BAD_URL, strlen(BAD_URL)));
	vgl_webhook_conf_free(&w);
	assert_conf_error("url: http://h/\nheaders: {X-A: \"a\\nB: c\"}\n",
			  "t.yaml:2:11: error: outputs[0].headers.X-A: the value holds a line "
			  "break or NUL: it would forge headers");
	assert_conf_error("url: http://h/\nheaders: {X-A: \"a\\0b\"}\n",
			  "t.yaml:2:11: error: outputs[0].headers.X-A: the value holds a line "
			  "break or NUL: it would forge headers");
	assert_conf_error("url: http://h/\nheaders: {\"X:A\": b}\n",
			  "t.yaml:2:11: error: outputs[0].headers.X:A: not a header name (letters, "
			  "digits and !#$%&'*+-.^_`|~)");
	assert_conf_error("url: http://h/\nheaders: {X-A: ''}\n",
			  "t.yaml:2:11: error: outputs[0].headers.X-A: empty value");
	assert_conf_error("url: http://h/\nheaders: {transfer-encoding: chunked}\n",
			  "t.yaml:2:11: error: outputs[0].headers.transfer-encoding: set by vigil "
			  "for each request");
	assert_conf_error("url: http://h/\nuser_agent: \"a\\r\\nX: y\"\n",
			  "t.yaml:2:13: error: outputs[0].user_agent: holds a line break");
	assert_conf_error(
		"url: https://h/\ntls: {cert: c.pem}\n",
		"t.yaml:2:13: error: outputs[0].tls.cert: 'c.pem' is not an absolute path");
	assert_conf_error("url: https://h/\ntls: {key: /k.pem}\n",
			  "t.yaml:2:12: error: outputs[0].tls.key: given without tls.cert");
	assert_conf_error(
		"url: https://h/\ntls: {verify: maybe}\n",
		"t.yaml:2:15: error: outputs[0].tls.verify: 'maybe' is not true or false");
	assert_conf_error(
		"url: https://h/\nbatch: {size: 10001}\n",
		"t.yaml:2:15: error: outputs[0].batch.size: '10001' is not a whole number "
		"from 1 to 10000");
	assert_conf_error("url: https://h/\nbatch: {linger: 2m}\n",
			  "t.yaml:2:17: error: outputs[0].batch.linger: '2m' is not a duration "
			  "from 0 to 60 s (a number of seconds, or with ms, s, m, h)");
	assert_conf_error("url: https://h/\nbatch: {count: 2}\n",
			  "t.yaml:2:9: error: outputs[0].batch.count: unknown key");
}

/* Too many headers is an error, not a silent cut. */
static void test_conf_header_limit(void **state UNUSED)
{
	struct vgl_sink_conf conf;
	struct webhook_conf w;
	char yaml[4096] = "url: http://h/\nheaders:\n", err[512];
	size_t len = strlen(yaml);

	for (int i = 0; i <= WEBHOOK_HEADERS_MAX; i++)
		len += (size_t)snprintf(yaml + len, sizeof(yaml) - len, "  X-%d: v\n", i);
	assert_int_equal(parse(yaml, &w, &conf, err, sizeof(err)), -EINVAL);
	assert_string_equal(err, "t.yaml:3:3: error: outputs[0].headers: more than 64 headers");
	vgl_webhook_conf_free(&w);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_bodies),	    cmocka_unit_test(test_retry_after),
		cmocka_unit_test(test_results),	    cmocka_unit_test(test_conf),
		cmocka_unit_test(test_conf_errors), cmocka_unit_test(test_conf_header_limit),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
