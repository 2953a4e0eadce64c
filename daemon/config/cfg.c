// SPDX-License-Identifier: Apache-2.0
/* Typed reads of config values, each error with its position and key name. */
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "config/cfg.h"

#define STR_MAX	 4096
#define LIST_MAX 1024

/* "@path.@key" (or either alone); a name too long for @buf is cut. */
static void full_key(const struct vgl_cfg_ctx *c, const char *key, char *buf, size_t size)
{
	const char *sep = c->path[0] && key && key[0] ? "." : "";
	int n;

	if ((!key || !key[0]) && !c->path[0])
		key = "(top level)";
	n = snprintf(buf, size, "%s%s%s", c->path, sep, key ? key : "");
	if (n < 0 || (size_t)n >= size)
		buf[size - 1] = '\0';
}

static void report(struct vgl_cfg_ctx *c, bool warn, const struct ynode *n, const char *key,
		   const char *fmt, va_list ap) __attribute__((format(printf, 5, 0)));

static void report(struct vgl_cfg_ctx *c, bool warn, const struct ynode *n, const char *key,
		   const char *fmt, va_list ap)
{
	char name[VGL_CFG_PATH_MAX + 128], msg[768];

	full_key(c, key, name, sizeof(name));
	vsnprintf(msg, sizeof(msg), fmt, ap);
	if (warn)
		vgl_diag_warn(c->diag, n ? &n->pos : NULL, "%s: %s", name, msg);
	else
		vgl_diag_error(c->diag, n ? &n->pos : NULL, "%s: %s", name, msg);
}

void vgl_cfg_error(struct vgl_cfg_ctx *c, const struct ynode *n, const char *key, const char *fmt,
		   ...)
{
	va_list ap;

	va_start(ap, fmt);
	report(c, false, n, key, fmt, ap);
	va_end(ap);
}

void vgl_cfg_warn(struct vgl_cfg_ctx *c, const struct ynode *n, const char *key, const char *fmt,
		  ...)
{
	va_list ap;

	va_start(ap, fmt);
	report(c, true, n, key, fmt, ap);
	va_end(ap);
}

static bool known(const char *k, va_list ap)
{
	const char *const *list;

	while ((list = va_arg(ap, const char *const *))) {
		for (; *list; list++) {
			if (!strcmp(*list, k))
				return true;
		}
	}
	return false;
}

int vgl_cfg_check_keys(struct vgl_cfg_ctx *c, const struct ynode *map, ...)
{
	int ret = 0;
	va_list ap;

	for (size_t i = 0; map && i + 1 < map->nkids; i += 2) {
		const struct ynode *k = map->kids[i];

		if (k->type != YN_SCALAR) {
			vgl_cfg_error(c, k, NULL, "a key must be a plain string");
			ret = -EINVAL;
			continue;
		}
		va_start(ap, map);
		if (!known(k->str, ap)) {
			vgl_cfg_error(c, k, k->str, "unknown key");
			ret = -EINVAL;
		}
		va_end(ap);
		for (size_t j = 0; j < i; j += 2) {
			if (map->kids[j]->type == YN_SCALAR && !strcmp(map->kids[j]->str, k->str)) {
				vgl_cfg_error(c, k, k->str, "key given twice");
				ret = -EINVAL;
			}
		}
	}
	return ret;
}

void vgl_cfg_sub(const struct vgl_cfg_ctx *c, const char *key, struct vgl_cfg_ctx *ret)
{
	ret->diag = c->diag;
	full_key(c, key, ret->path, sizeof(ret->path));
}

void vgl_cfg_sub_index(const struct vgl_cfg_ctx *c, const char *key, size_t idx,
		       struct vgl_cfg_ctx *ret)
{
	char base[VGL_CFG_PATH_MAX];

	full_key(c, key, base, sizeof(base));
	ret->diag = c->diag;
	if (snprintf(ret->path, sizeof(ret->path), "%.100s[%zu]", base, idx) < 0)
		ret->path[0] = '\0';
}

static const char *type_name(const struct ynode *n)
{
	return n->type == YN_MAP ? "a mapping" : n->type == YN_SEQ ? "a list" : "a scalar";
}

/* The value of @key, NULL when absent or null ("key:" or "key: ~"). */
static const struct ynode *get(const struct ynode *map, const char *key)
{
	const struct ynode *n = ynode_get(map, key);

	if (n && n->type == YN_SCALAR && n->style == YS_PLAIN &&
	    (!n->str[0] || !strcmp(n->str, "~") || !strcasecmp(n->str, "null")))
		return NULL;
	return n;
}

static int want(struct vgl_cfg_ctx *c, const struct ynode *n, const char *key, enum ynode_type type,
		const char *what)
{
	if (n->type == type)
		return 0;
	vgl_cfg_error(c, n, key, "expected %s, got %s", what, type_name(n));
	return -EINVAL;
}

int vgl_cfg_map(struct vgl_cfg_ctx *c, const struct ynode *map, const char *key,
		const struct ynode **ret)
{
	const struct ynode *n = get(map, key);

	if (!n)
		return 0;
	if (want(c, n, key, YN_MAP, "a mapping"))
		return -EINVAL;
	*ret = n;
	return 1;
}

int vgl_cfg_seq(struct vgl_cfg_ctx *c, const struct ynode *map, const char *key,
		const struct ynode **ret)
{
	const struct ynode *n = get(map, key);

	if (!n)
		return 0;
	if (want(c, n, key, YN_SEQ, "a list"))
		return -EINVAL;
	*ret = n;
	return 1;
}

/* The scalar of @key: 1 and *@ret, 0 absent, -EINVAL. */
static int scalar(struct vgl_cfg_ctx *c, const struct ynode *map, const char *key,
		  const struct ynode **ret)
{
	const struct ynode *n = get(map, key);

	if (!n)
		return 0;
	if (want(c, n, key, YN_SCALAR, "a value"))
		return -EINVAL;
	if (n->len > STR_MAX || strlen(n->str) != n->len) {
		vgl_cfg_error(c, n, key, "value longer than %d bytes or holding a NUL", STR_MAX);
		return -EINVAL;
	}
	*ret = n;
	return 1;
}

int vgl_cfg_str(struct vgl_cfg_ctx *c, const struct ynode *map, const char *key, char **ret)
{
	const struct ynode *n;
	int r = scalar(c, map, key, &n);
	char *s;

	if (r <= 0)
		return r;
	s = strdup(n->str);
	if (!s)
		return -ENOMEM;
	*ret = s;
	return 1;
}

int vgl_cfg_bool(struct vgl_cfg_ctx *c, const struct ynode *map, const char *key, bool *ret)
{
	const struct ynode *n;
	int r = scalar(c, map, key, &n), b;

	if (r <= 0)
		return r;
	b = ynode_bool(n);
	if (b < 0) {
		vgl_cfg_error(c, n, key, "'%s' is not true or false", n->str);
		return -EINVAL;
	}
	*ret = b;
	return 1;
}

/* A number with an optional unit from @units (factor per suffix). */
struct unit {
	const char *suffix;
	double factor;
};

static int number(const char *s, const struct unit *units, double *ret)
{
	char *end;
	double v;

	errno = 0;
	v = strtod(s, &end);
	if (errno || end == s || !isfinite(v) || v < 0 || s[0] == '-' || s[0] == '+')
		return -EINVAL;
	while (*end == ' ')
		end++;
	if (!*end) {
		*ret = v;
		return 0;
	}
	for (; units && units->suffix; units++) {
		if (!strcasecmp(end, units->suffix)) {
			*ret = v * units->factor;
			return 0;
		}
	}
	return -EINVAL;
}

int vgl_cfg_uint(struct vgl_cfg_ctx *c, const struct ynode *map, const char *key, uint64_t min,
		 uint64_t max, uint64_t *ret)
{
	const struct ynode *n;
	int r = scalar(c, map, key, &n);
	unsigned long long v;
	char *end;

	if (r <= 0)
		return r;
	errno = 0;
	v = strtoull(n->str, &end, 10);
	if (errno || end == n->str || *end || n->str[0] == '-' || v < min || v > max) {
		vgl_cfg_error(c, n, key, "'%s' is not a whole number from %llu to %llu", n->str,
			      (unsigned long long)min, (unsigned long long)max);
		return -EINVAL;
	}
	*ret = v;
	return 1;
}

int vgl_cfg_number(struct vgl_cfg_ctx *c, const struct ynode *map, const char *key, double min,
		   double max, double *ret)
{
	const struct ynode *n;
	int r = scalar(c, map, key, &n);
	double v;

	if (r <= 0)
		return r;
	if (number(n->str, NULL, &v) || v < min || v > max) {
		vgl_cfg_error(c, n, key, "'%s' is not a number from %g to %g", n->str, min, max);
		return -EINVAL;
	}
	*ret = v;
	return 1;
}

int vgl_cfg_size(struct vgl_cfg_ctx *c, const struct ynode *map, const char *key, uint64_t min,
		 uint64_t max, uint64_t *ret)
{
	static const struct unit units[] = {
		{ "B", 1 },	   { "K", 1024 },      { "KB", 1024 },	   { "KiB", 1024 },
		{ "M", 1 << 20 },  { "MB", 1 << 20 },  { "MiB", 1 << 20 }, { "G", 1 << 30 },
		{ "GB", 1 << 30 }, { "GiB", 1 << 30 }, { NULL, 0 },
	};
	const struct ynode *n;
	int r = scalar(c, map, key, &n);
	double v;

	if (r <= 0)
		return r;
	if (number(n->str, units, &v) || v < (double)min || v > (double)max || v != floor(v)) {
		vgl_cfg_error(c, n, key,
			      "'%s' is not a size from %llu to %llu bytes (suffixes K, M, G)",
			      n->str, (unsigned long long)min, (unsigned long long)max);
		return -EINVAL;
	}
	*ret = (uint64_t)v;
	return 1;
}

int vgl_cfg_duration(struct vgl_cfg_ctx *c, const struct ynode *map, const char *key, double min,
		     double max, double *ret)
{
	static const struct unit units[] = {
		{ "ms", 1e-3 }, { "s", 1 }, { "m", 60 }, { "min", 60 }, { "h", 3600 }, { NULL, 0 },
	};
	const struct ynode *n;
	int r = scalar(c, map, key, &n);
	double v;

	if (r <= 0)
		return r;
	if (number(n->str, units, &v) || v < min || v > max) {
		vgl_cfg_error(c, n, key,
			      "'%s' is not a duration from %g to %g s (a number of seconds, "
			      "or with ms, s, m, h)",
			      n->str, min, max);
		return -EINVAL;
	}
	*ret = v;
	return 1;
}

int vgl_cfg_enum(struct vgl_cfg_ctx *c, const struct ynode *map, const char *key,
		 const char *const *names, int *ret)
{
	const struct ynode *n;
	int r = scalar(c, map, key, &n);
	char all[512] = "";
	size_t len = 0;

	if (r <= 0)
		return r;
	for (int i = 0; names[i]; i++) {
		if (!strcasecmp(n->str, names[i])) {
			*ret = i;
			return 1;
		}
		len += (size_t)snprintf(all + len, sizeof(all) - len, "%s%s", i ? ", " : "",
					names[i]);
		if (len >= sizeof(all))
			len = sizeof(all) - 1;
	}
	vgl_cfg_error(c, n, key, "'%s' is not one of %s", n->str, all);
	return -EINVAL;
}

void vgl_cfg_strlist_free(char **v, size_t n)
{
	for (size_t i = 0; v && i < n; i++)
		free(v[i]);
	free(v);
}

int vgl_cfg_strlist(struct vgl_cfg_ctx *c, const struct ynode *map, const char *key, char ***ret,
		    size_t *ret_n)
{
	const struct ynode *n = get(map, key);
	const struct ynode *const *items;
	size_t count;
	char **v;

	if (!n)
		return 0;
	if (n->type == YN_MAP)
		return want(c, n, key, YN_SEQ, "a list of strings");
	items = n->type == YN_SEQ ? (const struct ynode *const *)n->kids : &n;
	count = n->type == YN_SEQ ? n->nkids : 1;
	if (count > LIST_MAX) {
		vgl_cfg_error(c, n, key, "more than %d items", LIST_MAX);
		return -EINVAL;
	}
	v = calloc(count + 1, sizeof(*v));
	if (!v)
		return -ENOMEM;
	for (size_t i = 0; i < count; i++) {
		if (items[i]->type != YN_SCALAR || items[i]->len > STR_MAX) {
			vgl_cfg_error(c, items[i], key, "expected a list of strings");
			vgl_cfg_strlist_free(v, i);
			return -EINVAL;
		}
		v[i] = strdup(items[i]->str);
		if (!v[i]) {
			vgl_cfg_strlist_free(v, i);
			return -ENOMEM;
		}
	}
	*ret = v;
	*ret_n = count;
	return 1;
}

static struct ynode *synth_scalar(const char *s, const struct vgl_pos *pos)
{
	struct ynode *n = calloc(1, sizeof(*n));

	if (!n)
		return NULL;
	n->type = YN_SCALAR;
	n->style = YS_QUOTED; /* "" stays a value, not null */
	n->str = strdup(s);
	n->len = n->str ? strlen(n->str) : 0;
	if (pos)
		n->pos = *pos;
	if (!n->str) {
		free(n);
		return NULL;
	}
	return n;
}

void vgl_cfg_synth_free(struct ynode *map)
{
	if (!map)
		return;
	for (size_t i = 0; i < map->nkids; i++) {
		struct ynode *k = map->kids[i];

		if (k && k->type == YN_MAP) {
			vgl_cfg_synth_free(k);
		} else if (k) {
			free(k->str);
			free(k);
		}
	}
	free(map->kids);
	free(map);
}

int vgl_cfg_synth_put_map(struct ynode *map, const char *key, struct ynode *sub)
{
	struct ynode **kids = realloc(map->kids, (map->nkids + 2) * sizeof(*kids));
	struct ynode *k = synth_scalar(key, &map->pos);

	if (kids)
		map->kids = kids;
	if (!kids || !k) {
		free(k ? k->str : NULL);
		free(k);
		vgl_cfg_synth_free(sub);
		return -ENOMEM;
	}
	map->kids[map->nkids++] = k;
	map->kids[map->nkids++] = sub;
	return 0;
}

struct ynode *vgl_cfg_synth_map(const char *const (*kv)[2], size_t n, const struct vgl_pos *pos)
{
	struct ynode *map = calloc(1, sizeof(*map));

	if (!map)
		return NULL;
	map->type = YN_MAP;
	if (pos)
		map->pos = *pos;
	map->kids = calloc(2 * n + 1, sizeof(*map->kids));
	if (!map->kids) {
		free(map);
		return NULL;
	}
	for (size_t i = 0; i < n; i++) {
		map->kids[map->nkids++] = synth_scalar(kv[i][0], pos);
		map->kids[map->nkids++] = synth_scalar(kv[i][1], pos);
		if (!map->kids[map->nkids - 2] || !map->kids[map->nkids - 1]) {
			vgl_cfg_synth_free(map);
			return NULL;
		}
	}
	return map;
}
