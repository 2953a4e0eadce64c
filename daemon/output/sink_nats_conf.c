// SPDX-License-Identifier: Apache-2.0
/*
 * The nats output's keys: servers, subject, JetStream mode, credentials,
 * TLS and timeouts. URLs and the subject are checked here, so that a typo
 * is a config error naming the key rather than a connection that never
 * works; the files (creds, CA, certificate, key) are read at startup
 * (sink_nats_opts.c).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "output/sink_nats.h"

#define SUBJECT_MAX	  255
#define PORT_DIGITS_MAX	  5
#define DESC_MAX	  512
#define TIMEOUT_MAX_S	  300.0
#define TIMEOUT_DEFAULT_S 5.0
#define TIMEOUT_MIN_S	  0.01

const char *const vgl_nats_keys[] = {
	"url", "subject", "jetstream",	     "user", "password", "token", "creds",
	"tls", "timeout", "connect_timeout", NULL,
};
static const char *const tls_keys[] = { "ca_file", "cert", "key", "verify", NULL };
static const char *const js_names[] = { "auto", "true", "false", NULL };

/* What is wrong with @u as a server URL, or NULL; *@ret_tls for tls://. */
static const char *url_problem(const char *u, bool *ret_tls)
{
	const char *host, *end, *at;
	size_t digits;

	*ret_tls = !strncmp(u, "tls://", 6);
	if (strncmp(u, "nats://", 7) && !*ret_tls)
		return "is not a NATS server URL (nats://HOST[:PORT] or tls://HOST[:PORT])";
	host = strchr(u, '/') + 2;
	if (host[strcspn(host, " \t\r\n")])
		return "contains a space";
	at = strrchr(host, '@'); /* user:password@ */
	if (at)
		host = at + 1;
	if (*host == '[') {
		end = strchr(host, ']');
		if (!end || end == host + 1)
			return "has a bad IPv6 address (nats://[ADDR]:PORT)";
		end++;
	} else {
		end = host + strcspn(host, ":/?#");
	}
	if (end == host || (*host != '[' && memchr(host, '[', (size_t)(end - host))))
		return "has no host";
	if (*end == ':') {
		digits = strspn(end + 1, "0123456789");
		if (!digits || digits > PORT_DIGITS_MAX || atoi(end + 1) < 1 ||
		    atoi(end + 1) > 65535)
			return "has a bad port (1-65535)";
		end += 1 + digits;
	}
	if (*end && strcmp(end, "/"))
		return "has a path, query or fragment: a NATS URL is a server address";
	return NULL;
}

/* @s without leading and trailing blanks (cut in place). */
static char *trim(char *s)
{
	size_t len;

	s += strspn(s, " \t");
	len = strlen(s);
	while (len && (s[len - 1] == ' ' || s[len - 1] == '\t'))
		s[--len] = '\0';
	return s;
}

/* One URL string of the list: may hold several, comma-separated. */
static int add_urls(struct vgl_cfg_ctx *c, const struct ynode *node, struct nats_sink *n,
		    const char *item)
{
	char *copy = strdup(item), *save = NULL, *tok;
	const char *why;
	bool tls;
	int err = copy ? 0 : -ENOMEM;

	for (tok = copy ? strtok_r(copy, ",", &save) : NULL; !err && tok;
	     tok = strtok_r(NULL, ",", &save)) {
		tok = trim(tok);
		why = url_problem(tok, &tls);
		if (why) {
			vgl_cfg_error(c, node, "url", "'%s' %s", tok, why);
			err = -EINVAL;
		} else if (n->nurls >= NATS_URLS_MAX) {
			vgl_cfg_error(c, node, "url", "more than %d servers", NATS_URLS_MAX);
			err = -EINVAL;
		} else if (!(n->urls[n->nurls] = strdup(tok))) {
			err = -ENOMEM;
		} else {
			n->nurls++;
			n->tls |= tls;
		}
	}
	free(copy);
	return err;
}

static int read_urls(struct vgl_cfg_ctx *c, const struct ynode *map, struct nats_sink *n)
{
	char **list = NULL;
	size_t nlist = 0;
	int r = vgl_cfg_strlist(c, map, "url", &list, &nlist), err = 0;

	if (r == 0)
		vgl_cfg_error(c, map, "url", "missing: the NATS server(s), nats://HOST:PORT");
	if (r <= 0)
		return -EINVAL;
	n->urls = calloc(NATS_URLS_MAX, sizeof(*n->urls));
	err = n->urls ? 0 : -ENOMEM;
	for (size_t i = 0; !err && i < nlist; i++)
		err = add_urls(c, ynode_get(map, "url"), n, list[i]);
	if (!err && !n->nurls) {
		vgl_cfg_error(c, ynode_get(map, "url"), "url", "no server given");
		err = -EINVAL;
	}
	vgl_cfg_strlist_free(list, nlist);
	return err;
}

/* What is wrong with @s as a subject to publish to, or NULL. */
static const char *subject_problem(const char *s)
{
	size_t len = strlen(s);

	if (!len || len > SUBJECT_MAX)
		return "is empty or longer than 255 bytes";
	if (s[0] == '.' || s[len - 1] == '.' || strstr(s, ".."))
		return "has an empty token (a leading, trailing or double '.')";
	for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
		if (*p <= ' ' || *p == 0x7f)
			return "contains a space or a control character";
		if (*p == '*' || *p == '>')
			return "contains a wildcard ('*' or '>'): alerts go to one subject";
	}
	return NULL;
}

/* A path key that must be absolute (the daemon's working directory is /). */
static int read_path(struct vgl_cfg_ctx *c, const struct ynode *map, const char *key, char **ret)
{
	int r = vgl_cfg_str(c, map, key, ret);

	if (r > 0 && (*ret)[0] != '/') {
		vgl_cfg_error(c, ynode_get(map, key), key, "'%s' is not an absolute path", *ret);
		return -EINVAL;
	}
	return r < 0 ? -EINVAL : 0;
}

/* user + password, token, or creds: one way to authenticate. */
static int read_auth(struct vgl_cfg_ctx *c, const struct ynode *map, struct nats_sink *n)
{
	int err = 0;

	err |= vgl_cfg_str(c, map, "user", &n->user) < 0;
	err |= vgl_cfg_str(c, map, "password", &n->password) < 0;
	err |= vgl_cfg_str(c, map, "token", &n->token) < 0;
	err |= read_path(c, map, "creds", &n->creds) < 0;
	if (err)
		return -EINVAL;
	if (!n->user != !n->password) {
		vgl_cfg_error(c, map, n->user ? "password" : "user",
			      "missing: user and password "
			      "go together");
		return -EINVAL;
	}
	if (!!n->user + !!n->token + !!n->creds > 1) {
		vgl_cfg_error(c, map, n->creds ? "creds" : "token",
			      "user/password, token and creds are alternatives: give one");
		return -EINVAL;
	}
	return 0;
}

static int read_tls(struct vgl_cfg_ctx *c, const struct ynode *map, struct nats_sink *n)
{
	const struct ynode *t = NULL;
	struct vgl_cfg_ctx tc;
	int err = 0, r = vgl_cfg_map(c, map, "tls", &t);

	if (r <= 0)
		return r;
	n->tls = true;
	vgl_cfg_sub(c, "tls", &tc);
	err |= vgl_cfg_check_keys(&tc, t, tls_keys, NULL) < 0;
	err |= read_path(&tc, t, "ca_file", &n->ca_file) < 0;
	err |= read_path(&tc, t, "cert", &n->cert) < 0;
	err |= read_path(&tc, t, "key", &n->key) < 0;
	err |= vgl_cfg_bool(&tc, t, "verify", &n->verify) < 0;
	if (!err && !n->cert != !n->key) {
		vgl_cfg_error(&tc, t, n->cert ? "key" : "cert",
			      "missing: a client certificate and its key go together");
		err = 1;
	}
	return err ? -EINVAL : 0;
}

/* "nats://a:4222,nats://b:4222" (without user:password@) and the subject, for messages. */
static int make_desc(struct nats_sink *n)
{
	size_t len = 0;

	n->servers = malloc(DESC_MAX);
	n->desc = malloc(DESC_MAX);
	if (!n->servers || !n->desc)
		return -ENOMEM;
	n->servers[0] = '\0';
	for (size_t i = 0; i < n->nurls && len < DESC_MAX; i++) {
		const char *u = n->urls[i], *rest = strstr(u, "://") + 3, *at = strrchr(rest, '@');

		len += (size_t)snprintf(n->servers + len, DESC_MAX - len, "%s%.*s%s", i ? "," : "",
					(int)(rest - u), u, at ? at + 1 : rest);
	}
	snprintf(n->desc, DESC_MAX, "%s subject %s", n->servers, n->subject);
	return 0;
}

/* Keep the worst of the errors so far and @r: -ENOMEM, then -EINVAL. */
static void merge_err(int *err, int r)
{
	if (*err != -ENOMEM && r < 0)
		*err = r == -ENOMEM ? r : -EINVAL;
}

int vgl_nats_configure(struct vgl_cfg_ctx *c, const struct ynode *map, struct vgl_sink_conf *conf,
		       void **ret_priv)
{
	struct nats_sink *n = calloc(1, sizeof(*n));
	const char *why;
	int err = 0, mode = NATS_JS_AUTO;

	if (!n)
		return -ENOMEM;
	n->verify = true;
	n->connect_timeout = n->timeout = TIMEOUT_DEFAULT_S;
	merge_err(&err, read_urls(c, map, n));
	if (vgl_cfg_str(c, map, "subject", &n->subject) == 0)
		n->subject = strdup("vigil.alerts");
	if (n->subject && (why = subject_problem(n->subject))) {
		vgl_cfg_error(c, ynode_get(map, "subject"), "subject", "'%s' %s", n->subject, why);
		merge_err(&err, -EINVAL);
	}
	merge_err(&err, vgl_cfg_enum(c, map, "jetstream", js_names, &mode));
	n->jetstream = (enum nats_js_mode)mode;
	merge_err(&err, read_auth(c, map, n));
	merge_err(&err, read_tls(c, map, n));
	merge_err(&err, vgl_cfg_duration(c, map, "connect_timeout", TIMEOUT_MIN_S, TIMEOUT_MAX_S,
					 &n->connect_timeout));
	merge_err(&err,
		  vgl_cfg_duration(c, map, "timeout", TIMEOUT_MIN_S, TIMEOUT_MAX_S, &n->timeout));
	if (conf->format_set && conf->format != VGL_ALERT_JSON) {
		vgl_cfg_error(c, ynode_get(map, "format"), "format",
			      "a NATS message is the alert's JSON: only format json");
		merge_err(&err, -EINVAL);
	}
	/* what it sends, whatever --json says: the pipeline builds the JSON for it */
	conf->format = VGL_ALERT_JSON;
	conf->format_set = true;
	/* one alert per attempt: each is acknowledged, and a retry repeats only that one */
	conf->batch_max = 1;
	if (!n->subject || (!err && make_desc(n)))
		merge_err(&err, -ENOMEM);
	if (err) {
		vgl_nats_free(n);
		return err;
	}
	*ret_priv = n;
	return 0;
}

void vgl_nats_free(struct nats_sink *n)
{
	if (!n)
		return;
	vgl_nats_opts_free(n);
	for (size_t i = 0; i < n->nurls; i++)
		free(n->urls[i]);
	free(n->urls);
	free(n->subject);
	free(n->user);
	free(n->password);
	free(n->token);
	free(n->creds);
	free(n->ca_file);
	free(n->cert);
	free(n->key);
	free(n->servers);
	free(n->desc);
	free(n);
}
