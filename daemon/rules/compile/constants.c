// SPDX-License-Identifier: Apache-2.0
/* Typed constants and constant sets of comparisons. */
#define PCRE2_CODE_UNIT_WIDTH 8
#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <pcre2.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "rules/compile/constants.h"

static int hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	c = (char)tolower((unsigned char)c);
	return c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
}

/* bcontains / bstartswith take the bytes in hex: "cafebabe". */
static int hex_decode(struct cval *out, const char *s, size_t len)
{
	size_t i;

	if (len % 2)
		return -EINVAL;
	for (i = 0; i < len; i += 2) {
		int hi = hexval(s[i]), lo = hexval(s[i + 1]);

		if (hi < 0 || lo < 0)
			return -EINVAL;
		out->s[i / 2] = (char)(hi << 4 | lo);
	}
	out->len = len / 2;
	return 0;
}

static int parse_int(const char *s, int64_t *ret)
{
	char *end;
	long long v;

	if (!*s)
		return -EINVAL;
	errno = 0;
	if ((s[0] == '0' && (s[1] == 'x' || s[1] == 'X')))
		v = (long long)strtoull(s, &end, 16);
	else
		v = strtoll(s, &end, 10);
	if (errno || *end)
		return -EINVAL;
	*ret = v;
	return 0;
}

static int parse_ip(const char *s, struct cval *out)
{
	memset(out->ip, 0, sizeof(out->ip));
	if (inet_pton(AF_INET, s, out->ip) == 1) {
		out->fam = 4;
		out->prefix = 32;
		return 0;
	}
	if (inet_pton(AF_INET6, s, out->ip) == 1) {
		out->fam = 6;
		out->prefix = 128;
		return 0;
	}
	return -EINVAL;
}

static int parse_net(const char *s, struct cval *out)
{
	char buf[64], *slash;
	long bits;

	if (strlen(s) >= sizeof(buf))
		return -EINVAL;
	strcpy(buf, s);
	slash = strchr(buf, '/');
	if (slash)
		*slash = '\0';
	if (parse_ip(buf, out))
		return -EINVAL;
	if (!slash)
		return 0;
	bits = strtol(slash + 1, &slash, 10);
	if (*slash || bits < 0 || bits > out->prefix)
		return -EINVAL;
	out->prefix = (uint8_t)bits;
	return 0;
}

static const char *type_name(enum vgl_ftype t)
{
	static const char *const names[] = { "string", "number", "boolean", "IP address",
					     "IP network" };

	return names[t];
}

int cval_parse(enum vgl_ftype type, enum vgl_op op, const struct ast_val *v, struct cval *out,
	       char *err, size_t errlen)
{
	size_t i;
	int ret = 0;

	memset(out, 0, sizeof(*out));
	out->s = malloc(v->len + 1);
	if (!out->s)
		return -ENOMEM;
	memcpy(out->s, v->s, v->len + 1);
	out->len = v->len;
	switch (type) {
	case FT_STR:
		if (op == OP_ICONTAINS || op == OP_IGLOB) {
			for (i = 0; i < v->len; i++)
				out->s[i] = (char)tolower((unsigned char)out->s[i]);
		}
		if ((op == OP_BCONTAINS || op == OP_BSTARTSWITH) && hex_decode(out, v->s, v->len)) {
			snprintf(err, errlen, "'%s' is not a hex byte string", v->s);
			ret = -EINVAL;
		}
		break;
	case FT_INT:
		ret = parse_int(v->s, &out->i);
		break;
	case FT_BOOL:
		if (!strcasecmp(v->s, "true"))
			out->i = 1;
		else if (strcasecmp(v->s, "false"))
			ret = -EINVAL;
		break;
	case FT_IP:
		ret = parse_ip(v->s, out);
		break;
	case FT_NET:
		ret = parse_net(v->s, out);
		break;
	}
	if (ret && !err[0])
		snprintf(err, errlen, "'%s' is not a valid %s", v->s, type_name(type));
	return ret;
}

void cval_clear(struct cval *v)
{
	free(v->s);
	v->s = NULL;
}

/* The bytes a set stores for a value of @type. */
size_t cval_key(enum vgl_ftype type, const char *s, size_t len, int64_t i, const uint8_t *ip,
		uint8_t fam, char key[17], const char **ret)
{
	switch (type) {
	case FT_INT:
	case FT_BOOL:
		memcpy(key, &i, 8);
		*ret = key;
		return 8;
	case FT_IP:
	case FT_NET:
		key[0] = (char)fam;
		memcpy(key + 1, ip, 16);
		*ret = key;
		return 17;
	default:
		*ret = s;
		return len;
	}
}

int cset_add(struct strset *set, enum vgl_ftype type, const struct cval *v)
{
	char key[17];
	const char *k;
	size_t n = cval_key(type, v->s, v->len, v->i, v->ip, v->fam, key, &k);

	return strset_add(set, k, n);
}

void *regex_compile(const char *pattern, char *err, size_t errlen)
{
	PCRE2_UCHAR msg[128];
	PCRE2_SIZE off;
	int code;
	pcre2_code *re =
		pcre2_compile((PCRE2_SPTR)pattern, PCRE2_ZERO_TERMINATED, 0, &code, &off, NULL);

	if (!re) {
		pcre2_get_error_message(code, msg, sizeof(msg));
		snprintf(err, errlen, "invalid regular expression at offset %zu: %s", (size_t)off,
			 (char *)msg);
	}
	return re;
}

void regex_free(void *re)
{
	pcre2_code_free(re);
}
