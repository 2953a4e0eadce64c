/* SPDX-License-Identifier: Apache-2.0 */
/* Internal to cfg*.c. */
#ifndef VIGIL_CONFIG_CFG_IMPL_H
#define VIGIL_CONFIG_CFG_IMPL_H

#include "config/cfg.h"

#define VGL_CFG_STR_MAX 4096

/* The value of @key, NULL when absent or null ("key:" or "key: ~"). */
const struct ynode *vgl_cfg_get(const struct ynode *map, const char *key);
/* The scalar of @key (at most VGL_CFG_STR_MAX bytes): 1, 0 absent, -EINVAL. */
int vgl_cfg_scalar(struct vgl_cfg_ctx *c, const struct ynode *map, const char *key,
		   const struct ynode **ret);

/* 0 if @n is of @type, else an error "expected @what, got ..." and -EINVAL. */
int vgl_cfg_want(struct vgl_cfg_ctx *c, const struct ynode *n, const char *key,
		 enum ynode_type type, const char *what);

#endif /* VIGIL_CONFIG_CFG_IMPL_H */
