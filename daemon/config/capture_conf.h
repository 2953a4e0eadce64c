/* SPDX-License-Identifier: Apache-2.0 */
/* Internal to the config reader: the `capture:` section (config/capture_conf.c). */
#ifndef VIGIL_CONFIG_CAPTURE_CONF_H
#define VIGIL_CONFIG_CAPTURE_CONF_H

#include "config/cfg.h"
#include "config/cfg_impl.h"
#include "config/config.h"

/* Read `capture:` of @root into c->capture: 0 or -EINVAL (errors in @x). */
int vgl_config_capture(struct vgl_cfg_ctx *x, const struct ynode *root, struct vgl_config *c);
void vgl_config_capture_free(struct vgl_capture_conf *c);

#endif /* VIGIL_CONFIG_CAPTURE_CONF_H */
