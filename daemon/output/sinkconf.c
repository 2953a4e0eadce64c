// SPDX-License-Identifier: Apache-2.0
/* The keys every output has; the driver reads the rest. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "output/sinkconf.h"
#include "rules/rules.h"

#define QUEUE_MAX (1u << 22)

static const char *const common_keys[] = {
	"type", "name",		"format", "min_priority", "rules",	     "rules_exclude",
	"tags", "tags_exclude", "queue",  "retry",	  "unhealthy_after", NULL,
};
static const char *const queue_keys[] = { "size", "spool", "spool_max", NULL };
static const char *const retry_keys[] = { "initial", "max", "max_attempts", NULL };
static const char *const format_names[] = { "text", "json", NULL };
static const char *const priority_names[] = {
	"emergency", "alert",	      "critical", "error", "warning",
	"notice",    "informational", "debug",	  NULL,
};

static int parse_queue(struct vgl_cfg_ctx *c, const struct ynode *map, struct vgl_sink_conf *conf)
{
	const struct ynode *q = NULL;
	struct vgl_cfg_ctx qc;
	uint64_t v;
	int err = 0, r;

	r = vgl_cfg_map(c, map, "queue", &q);
	if (r <= 0)
		return r;
	vgl_cfg_sub(c, "queue", &qc);
	err |= vgl_cfg_check_keys(&qc, q, queue_keys, NULL);
	r = vgl_cfg_uint(&qc, q, "size", 1, QUEUE_MAX, &v);
	if (r > 0)
		conf->queue_size = (size_t)v;
	err |= r < 0 ? r : 0;
	err |= vgl_cfg_str(&qc, q, "spool", &conf->spool) < 0 ? -EINVAL : 0;
	if (conf->spool && conf->spool[0] != '/') {
		vgl_cfg_error(&qc, ynode_get(q, "spool"), "spool", "'%s' is not an absolute path",
			      conf->spool);
		err = -EINVAL;
	}
	err |= vgl_cfg_size(&qc, q, "spool_max", 64 << 10, 1ull << 40, &conf->spool_max) < 0
		       ? -EINVAL
		       : 0;
	return err ? -EINVAL : 0;
}

static int parse_retry(struct vgl_cfg_ctx *c, const struct ynode *map, struct vgl_sink_conf *conf)
{
	const struct ynode *m = NULL;
	struct vgl_cfg_ctx rc;
	int err = 0, r;

	r = vgl_cfg_map(c, map, "retry", &m);
	if (r <= 0)
		return r;
	vgl_cfg_sub(c, "retry", &rc);
	err |= vgl_cfg_check_keys(&rc, m, retry_keys, NULL);
	err |= vgl_cfg_duration(&rc, m, "initial", 0.001, 3600, &conf->retry_initial) < 0;
	err |= vgl_cfg_duration(&rc, m, "max", 0.001, 86400, &conf->retry_max) < 0;
	err |= vgl_cfg_uint(&rc, m, "max_attempts", 0, 1000000, &conf->retry_max_attempts) < 0;
	if (!err && conf->retry_max < conf->retry_initial) {
		vgl_cfg_error(&rc, m, "max", "less than retry.initial");
		err = 1;
	}
	return err ? -EINVAL : 0;
}

static int parse_lists(struct vgl_cfg_ctx *c, const struct ynode *map, struct vgl_sink_conf *conf)
{
	int err = 0;

	err |= vgl_cfg_strlist(c, map, "rules", &conf->rules, &conf->nrules) < 0;
	err |= vgl_cfg_strlist(c, map, "rules_exclude", &conf->rules_exclude,
			       &conf->nrules_exclude) < 0;
	err |= vgl_cfg_strlist(c, map, "tags", &conf->tags, &conf->ntags) < 0;
	err |= vgl_cfg_strlist(c, map, "tags_exclude", &conf->tags_exclude, &conf->ntags_exclude) <
	       0;
	return err ? -EINVAL : 0;
}

/* The keys every output has. */
static int parse_common(struct vgl_cfg_ctx *c, const struct ynode *map, struct vgl_sink_conf *conf)
{
	int err = 0, v = 0, r;

	err |= vgl_cfg_str(c, map, "name", &conf->name) < 0;
	r = vgl_cfg_enum(c, map, "format", format_names, &v);
	if (r > 0) {
		conf->format = v ? VGL_ALERT_JSON : VGL_ALERT_TEXT;
		conf->format_set = true;
	}
	err |= r < 0;
	r = vgl_cfg_enum(c, map, "min_priority", priority_names, &v);
	if (r > 0)
		conf->min_priority = v;
	err |= r < 0;
	err |= parse_lists(c, map, conf) < 0;
	err |= parse_queue(c, map, conf) < 0;
	err |= parse_retry(c, map, conf) < 0;
	err |= vgl_cfg_duration(c, map, "unhealthy_after", 0.001, 86400, &conf->unhealthy_after) <
	       0;
	return err ? -EINVAL : 0;
}

static int parse_type(struct vgl_cfg_ctx *c, const struct ynode *map,
		      const struct vgl_sink_ops **ret)
{
	char *type = NULL;
	int r = vgl_cfg_str(c, map, "type", &type);

	if (r == 0)
		vgl_cfg_error(c, map, "type", "missing (one of %s)", vgl_sink_types());
	if (r <= 0)
		return -EINVAL;
	*ret = vgl_sink_ops_find(type);
	if (!*ret)
		vgl_cfg_error(c, ynode_get(map, "type"), "type",
			      "unknown output type '%s': not one of %s", type, vgl_sink_types());
	free(type);
	return *ret ? 0 : -EINVAL;
}

int vgl_sinkconf_parse(struct vgl_cfg_ctx *c, const struct ynode *map, size_t idx,
		       const struct vgl_sinkconf_defaults *d, struct vgl_sink_spec *ret)
{
	struct vgl_sink_spec spec = { 0 };
	char name[64];
	int err;

	if (!map || map->type != YN_MAP) {
		vgl_cfg_error(c, map, NULL, "an output is a mapping with a type");
		return -EINVAL;
	}
	vgl_sink_conf_init(&spec.conf);
	spec.conf.format = d->json ? VGL_ALERT_JSON : VGL_ALERT_TEXT;
	if (d->min_priority >= 0)
		spec.conf.min_priority = d->min_priority;
	if (parse_type(c, map, &spec.ops))
		return -EINVAL;
	err = parse_common(c, map, &spec.conf);
	err |= vgl_cfg_check_keys(c, map, common_keys, spec.ops->keys, NULL);
	if (!err)
		err = spec.ops->configure(c, map, &spec.conf, &spec.priv);
	if (!err && !spec.conf.name) {
		snprintf(name, sizeof(name), "%s-%zu", spec.ops->type, idx);
		spec.conf.name = strdup(name);
		err = spec.conf.name ? 0 : -ENOMEM;
	}
	if (err) {
		vgl_sinkconf_free(&spec);
		return err == -ENOMEM ? err : -EINVAL;
	}
	*ret = spec;
	return 0;
}

void vgl_sinkconf_free(struct vgl_sink_spec *spec)
{
	if (spec->ops && spec->priv && spec->ops->close)
		spec->ops->close(spec->priv);
	vgl_sink_conf_free(&spec->conf);
	memset(spec, 0, sizeof(*spec));
}
