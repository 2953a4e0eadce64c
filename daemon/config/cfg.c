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
#include "config/cfg_impl.h"

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
const struct ynode *vgl_cfg_get(const struct ynode *map, const char *key)
{
	const struct ynode *n = ynode_get(map, key);

	if (n && n->type == YN_SCALAR && n->style == YS_PLAIN &&
	    (!n->str[0] || !strcmp(n->str, "~") || !strcasecmp(n->str, "null")))
		return NULL;
	return n;
}

int vgl_cfg_want(struct vgl_cfg_ctx *c, const struct ynode *n, const char *key,
		 enum ynode_type type, const char *what)
{
	if (n->type == type)
		return 0;
	vgl_cfg_error(c, n, key, "expected %s, got %s", what, type_name(n));
	return -EINVAL;
}

int vgl_cfg_map(struct vgl_cfg_ctx *c, const struct ynode *map, const char *key,
		const struct ynode **ret)
{
	const struct ynode *n = vgl_cfg_get(map, key);

	if (!n)
		return 0;
	if (vgl_cfg_want(c, n, key, YN_MAP, "a mapping"))
		return -EINVAL;
	*ret = n;
	return 1;
}

int vgl_cfg_seq(struct vgl_cfg_ctx *c, const struct ynode *map, const char *key,
		const struct ynode **ret)
{
	const struct ynode *n = vgl_cfg_get(map, key);

	if (!n)
		return 0;
	if (vgl_cfg_want(c, n, key, YN_SEQ, "a list"))
		return -EINVAL;
	*ret = n;
	return 1;
}

/* The scalar of @key: 1 and *@ret, 0 absent, -EINVAL. */
int vgl_cfg_scalar(struct vgl_cfg_ctx *c, const struct ynode *map, const char *key,
		   const struct ynode **ret)
{
	const struct ynode *n = vgl_cfg_get(map, key);

	if (!n)
		return 0;
	if (vgl_cfg_want(c, n, key, YN_SCALAR, "a value"))
		return -EINVAL;
	if (n->len > VGL_CFG_STR_MAX || strlen(n->str) != n->len) {
		vgl_cfg_error(c, n, key, "value longer than %d bytes or holding a NUL",
			      VGL_CFG_STR_MAX);
		return -EINVAL;
	}
	*ret = n;
	return 1;
}

int vgl_cfg_str(struct vgl_cfg_ctx *c, const struct ynode *map, const char *key, char **ret)
{
	const struct ynode *n;
	int r = vgl_cfg_scalar(c, map, key, &n);
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
	int r = vgl_cfg_scalar(c, map, key, &n), b;

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
