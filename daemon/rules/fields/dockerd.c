// SPDX-License-Identifier: Apache-2.0
/*
 * dockerd's command line and daemon.json, read for the docker.daemon.*
 * fields (dockerd.h). Only the settings the fields report are looked at;
 * everything else is skipped.
 */
#define _GNU_SOURCE /* memmem */
#include <errno.h>
#include <jansson.h>
#include <stdio.h>
#include <string.h>

#include "rules/fields/dockerd.h"

/* Go's strconv.ParseBool of @n bytes at @s; -1 when none of its spellings. */
static int parse_bool(const char *s, size_t n)
{
	static const char *const yes[] = { "1", "t", "T", "TRUE", "true", "True" };
	static const char *const no[] = { "0", "f", "F", "FALSE", "false", "False" };

	for (size_t i = 0; i < sizeof(yes) / sizeof(yes[0]); i++) {
		if (strlen(yes[i]) == n && !memcmp(s, yes[i], n))
			return 1;
		if (strlen(no[i]) == n && !memcmp(s, no[i], n))
			return 0;
	}
	return -1;
}

bool vgl_dockerd_host_is_tcp(const char *host, size_t len)
{
	const char *sep = memmem(host, len, "://", 3);

	if (!sep) /* dockerd reads an address without a scheme as tcp:// */
		return len > 0;
	return sep - host == 3 && !memcmp(host, "tcp", 3);
}

static void add_host(struct vgl_dockerd_says *r, const char *s, size_t len)
{
	r->hosts_said = true;
	if (r->nhosts < VGL_DOCKERD_HOSTS_MAX)
		r->hosts[r->nhosts++] = (struct vgl_dockerd_str){ s, len };
}

enum aflag { A_NONE, A_HOST, A_USERNS, A_CONFIG, A_ICC, A_LIVE, A_TLS, A_TLSVERIFY };

static const struct {
	const char *name;
	enum aflag what;
} long_flags[] = {
	{ "host", A_HOST },	      { "userns-remap", A_USERNS },
	{ "config-file", A_CONFIG },  { "icc", A_ICC },
	{ "live-restore", A_LIVE },   { "tls", A_TLS },
	{ "tlsverify", A_TLSVERIFY },
};

/*
 * The flag of the argument @tok (@n bytes, without its NUL), A_NONE when not
 * one we read; its "=value" (or -Hvalue) in *@ret_value, s NULL when none.
 */
static enum aflag flag_of(const char *tok, size_t n, struct vgl_dockerd_str *ret_value)
{
	const char *eq;
	size_t k;

	*ret_value = (struct vgl_dockerd_str){ NULL, 0 };
	if (n >= 2 && tok[0] == '-' && tok[1] == 'H') { /* -H value, -Hvalue, -H=value */
		if (n > 2)
			*ret_value = tok[2] == '=' ? (struct vgl_dockerd_str){ tok + 3, n - 3 }
						   : (struct vgl_dockerd_str){ tok + 2, n - 2 };
		return A_HOST;
	}
	if (n < 3 || tok[0] != '-' || tok[1] != '-')
		return A_NONE;
	tok += 2;
	n -= 2;
	eq = memchr(tok, '=', n);
	k = eq ? (size_t)(eq - tok) : n;
	if (eq)
		*ret_value = (struct vgl_dockerd_str){ eq + 1, n - k - 1 };
	for (size_t i = 0; i < sizeof(long_flags) / sizeof(long_flags[0]); i++) {
		if (strlen(long_flags[i].name) == k && !memcmp(tok, long_flags[i].name, k))
			return long_flags[i].what;
	}
	return A_NONE;
}

/* A bool flag: alone it is true; =value as Go reads it (else ignored, as dockerd fails). */
static void set_bool(int8_t *dst, const struct vgl_dockerd_str *v)
{
	int b = v->s ? parse_bool(v->s, v->len) : 1;

	if (b >= 0)
		*dst = (int8_t)b;
}

static void set_str(struct vgl_dockerd_says *r, enum aflag what, struct vgl_dockerd_str v)
{
	if (what == A_HOST)
		add_host(r, v.s, v.len);
	else if (what == A_USERNS)
		r->userns_remap = v;
	else
		r->config_file = v;
}

static void says_init(struct vgl_dockerd_says *r)
{
	memset(r, 0, sizeof(*r));
	r->icc = r->live_restore = r->tls = r->tlsverify = VGL_DOCKERD_NOT_SAID;
}

/* The argument at @p (before @end; the last one may lack its NUL), and the next in *@ret_next. */
static size_t arg_at(const char *p, const char *end, const char **ret_next)
{
	size_t n = strnlen(p, (size_t)(end - p));

	*ret_next = p + n < end ? p + n + 1 : end;
	return n;
}

void vgl_dockerd_parse_args(const char *args, size_t len, struct vgl_dockerd_says *ret)
{
	const char *p = args, *end = args + len, *next;
	struct vgl_dockerd_str v;
	enum aflag what;
	size_t n;

	says_init(ret);
	while (p && p < end) {
		n = arg_at(p, end, &next);
		if (n == 2 && !memcmp(p, "--", 2))
			break;
		what = flag_of(p, n, &v);
		if (what == A_HOST || what == A_USERNS || what == A_CONFIG) {
			if (!v.s && next < end) { /* --flag value */
				v.s = next;
				v.len = arg_at(next, end, &next);
			}
			if (v.s)
				set_str(ret, what, v);
		} else if (what == A_ICC) {
			set_bool(&ret->icc, &v);
		} else if (what == A_LIVE) {
			set_bool(&ret->live_restore, &v);
		} else if (what == A_TLS) {
			set_bool(&ret->tls, &v);
		} else if (what == A_TLSVERIFY) {
			set_bool(&ret->tlsverify, &v);
		}
		p = next;
	}
}

/* Bump allocator for the strings of the file. */
struct sbuf {
	char *p;
	size_t size, used;
};

static int copy_str(struct sbuf *b, json_t *v, struct vgl_dockerd_str *ret)
{
	size_t n = json_string_length(v);

	if (n >= VGL_DOCKERD_STR_MAX || n + 1 > b->size - b->used)
		return -ENOSPC;
	memcpy(b->p + b->used, json_string_value(v), n);
	b->p[b->used + n] = '\0';
	*ret = (struct vgl_dockerd_str){ b->p + b->used, n };
	b->used += n + 1;
	return 0;
}

static int json_bool_key(json_t *root, const char *key, int8_t *dst, char *err, size_t errlen)
{
	json_t *v = json_object_get(root, key);

	if (!v)
		return 0;
	if (!json_is_boolean(v)) {
		snprintf(err, errlen, "\"%s\" is not a boolean", key);
		return -EINVAL;
	}
	*dst = json_is_true(v) ? 1 : 0;
	return 0;
}

static int json_hosts(json_t *root, struct vgl_dockerd_says *r, struct sbuf *b, char *err,
		      size_t errlen)
{
	json_t *hosts = json_object_get(root, "hosts"), *v;
	struct vgl_dockerd_str s;
	size_t i;

	if (!hosts)
		return 0;
	if (!json_is_array(hosts))
		goto bad;
	r->hosts_said = true;
	json_array_foreach(hosts, i, v)
	{
		if (!json_is_string(v))
			goto bad;
		if (copy_str(b, v, &s)) {
			snprintf(err, errlen, "\"hosts\" entry %zu is too long", i);
			return -EINVAL;
		}
		add_host(r, s.s, s.len);
	}
	return 0;
bad:
	snprintf(err, errlen, "\"hosts\" is not an array of strings");
	return -EINVAL;
}

static int json_settings(json_t *root, struct vgl_dockerd_says *r, struct sbuf *b, char *err,
			 size_t errlen)
{
	json_t *u = json_object_get(root, "userns-remap");

	if (json_bool_key(root, "icc", &r->icc, err, errlen) ||
	    json_bool_key(root, "live-restore", &r->live_restore, err, errlen) ||
	    json_bool_key(root, "tls", &r->tls, err, errlen) ||
	    json_bool_key(root, "tlsverify", &r->tlsverify, err, errlen))
		return -EINVAL;
	if (u && !json_is_string(u)) {
		snprintf(err, errlen, "\"userns-remap\" is not a string");
		return -EINVAL;
	}
	if (u && copy_str(b, u, &r->userns_remap)) {
		snprintf(err, errlen, "\"userns-remap\" is too long");
		return -EINVAL;
	}
	return json_hosts(root, r, b, err, errlen);
}

int vgl_dockerd_parse_json(const char *data, size_t len, struct vgl_dockerd_says *ret, char *buf,
			   size_t bufsz, char *err, size_t errlen)
{
	struct sbuf b = { buf, bufsz, 0 };
	json_error_t je;
	json_t *root;
	int rc;

	says_init(ret);
	if (len > VGL_DOCKERD_CONFIG_MAX) {
		snprintf(err, errlen, "larger than %d bytes", VGL_DOCKERD_CONFIG_MAX);
		return -EINVAL;
	}
	if (!len) /* dockerd reads an empty file as no settings */
		return 0;
	root = json_loadb(data, len, JSON_REJECT_DUPLICATES, &je);
	if (!root) {
		snprintf(err, errlen, "line %d column %d: %s", je.line, je.column, je.text);
		return -EINVAL;
	}
	rc = 0;
	if (!json_is_object(root)) {
		snprintf(err, errlen, "not a JSON object");
		rc = -EINVAL;
	} else {
		rc = json_settings(root, ret, &b, err, errlen);
	}
	json_decref(root);
	if (rc)
		says_init(ret);
	return rc;
}
