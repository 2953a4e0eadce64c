/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Falco's falco.yaml keys that vigil accepts with the same meaning, a
 * migration aid (the mapping is documented in docs/config.md).
 */
#ifndef VIGIL_CONFIG_FALCO_H
#define VIGIL_CONFIG_FALCO_H

#include "config/cfg.h"
#include "config/config.h"

/* The top-level Falco keys understood, NULL-terminated. */
extern const char *const vgl_config_falco_keys[];
/* Falco keys vigil has no use for (an error says so, not "unknown key"). */
extern const char *const vgl_config_falco_unused_keys[];

/* Read the Falco keys of @root into @c (outputs added to c->outputs). */
int vgl_config_falco(struct vgl_cfg_ctx *x, const struct ynode *root, struct vgl_config *c);

/* Internal to falco*.c: http_output (@keys: the ones it knows). */
int vgl_config_falco_http(struct vgl_cfg_ctx *x, const struct ynode *root, struct vgl_config *c,
			  const char *const *keys);
/* Falco's `outputs: {rate, max_burst}` mapping: the rate limit. */
int vgl_config_falco_rate(struct vgl_cfg_ctx *x, const struct ynode *map, struct vgl_config *c);

#endif /* VIGIL_CONFIG_FALCO_H */
