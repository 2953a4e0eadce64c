// SPDX-License-Identifier: Apache-2.0
/* Config values with units and lists: numbers, sizes, durations, enums, strings. */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "config/cfg.h"
#include "config/cfg_impl.h"

#define LIST_MAX 1024

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
	int r = vgl_cfg_scalar(c, map, key, &n);
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
	int r = vgl_cfg_scalar(c, map, key, &n);
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
	int r = vgl_cfg_scalar(c, map, key, &n);
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
	int r = vgl_cfg_scalar(c, map, key, &n);
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
	int r = vgl_cfg_scalar(c, map, key, &n);
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
	const struct ynode *n = vgl_cfg_get(map, key);
	const struct ynode *const *items;
	size_t count;
	char **v;

	if (!n)
		return 0;
	if (n->type == YN_MAP)
		return vgl_cfg_want(c, n, key, YN_SEQ, "a list of strings");
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
		if (items[i]->type != YN_SCALAR || items[i]->len > VGL_CFG_STR_MAX) {
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
