/* SPDX-License-Identifier: Apache-2.0 */
/*
 * One item of the config file's `outputs:` list: the keys every sink has
 * (type, name, format, min_priority, rules, rules_exclude, tags,
 * tags_exclude, queue, retry, unhealthy_after) and then the driver's own.
 */
#ifndef VIGIL_OUTPUT_SINKCONF_H
#define VIGIL_OUTPUT_SINKCONF_H

#include "config/cfg.h"
#include "output/sink.h"

/* A parsed output: what vgl_sink_new() takes. */
struct vgl_sink_spec {
	const struct vgl_sink_ops *ops;
	struct vgl_sink_conf conf;
	void *priv;
};

/* Defaults from the top level of the file. */
struct vgl_sinkconf_defaults {
	bool json;	  /* json_output: format json unless the output says */
	int min_priority; /* Falco's `priority`; -1: none (every alert) */
};

/*
 * Parse output @map (item @idx of `outputs`). Returns 0, or -EINVAL with
 * the errors in @c, or -ENOMEM.
 */
int vgl_sinkconf_parse(struct vgl_cfg_ctx *c, const struct ynode *map, size_t idx,
		       const struct vgl_sinkconf_defaults *d, struct vgl_sink_spec *ret);
/* Free a spec that was not handed to vgl_sink_new(). */
void vgl_sinkconf_free(struct vgl_sink_spec *spec);

#endif /* VIGIL_OUTPUT_SINKCONF_H */
