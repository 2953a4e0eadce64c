// SPDX-License-Identifier: Apache-2.0
/*
 * Falco's falco.yaml keys: read with Falco's names and meanings, then made
 * into vigil outputs (built as if written under `outputs:`), so that a
 * user's output section can move over unchanged. docs/config.md has the
 * table. Falco keys with no meaning for vigil are errors that say so.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "config/falco.h"
#include "rules/rules.h"

const char *const vgl_config_falco_keys[] = {
	"rules_file",	  "rules_files", "priority",
	"stdout_output",  "file_output", "syslog_output",
	"program_output", "http_output", NULL,
};

/* Falco keys that vigil has no use for: named in the error. */
const char *const vgl_config_falco_unused_keys[] = {
	"plugins",
	"load_plugins",
	"engine",
	"watch_config_files",
	"time_format_iso_8601",
	"buffered_outputs",
	"outputs_queue",
	"webserver",
	"grpc",
	"grpc_output",
	"log_stderr",
	"log_syslog",
	"libs_logger",
	"output_timeout",
	"syscall_event_timeouts",
	"syscall_event_drops",
	"base_syscalls",
	"falco_libs",
	"container_engines",
	"json_include_output_property",
	"json_include_tags_property",
	"json_include_message_property",
	"json_include_output_fields_property",
	"rule_matching",
	"config_files",
	"append_output",
	"static_fields",
	NULL,
};

static const char *const stdout_keys[] = { "enabled", NULL };
static const char *const file_keys[] = { "enabled", "filename", "keep_alive", NULL };
static const char *const syslog_keys[] = { "enabled", NULL };
static const char *const program_keys[] = { "enabled", "program", "keep_alive", NULL };
static const char *const http_keys[] = {
	"enabled", "url",  "user_agent",  "insecure",	"ca_cert",    "ca_bundle",
	"ca_path", "mtls", "client_cert", "client_key", "keep_alive", NULL,
};

/* The Falco keys of @root that vigil does not use: errors naming them. */
static int check_unused(struct vgl_cfg_ctx *x, const struct ynode *root)
{
	int err = 0;

	for (size_t i = 0; i + 1 < root->nkids; i += 2) {
		const struct ynode *k = root->kids[i];

		for (size_t j = 0; k->type == YN_SCALAR && vgl_config_falco_unused_keys[j]; j++) {
			if (!strcmp(k->str, vgl_config_falco_unused_keys[j])) {
				vgl_cfg_error(
					x, k, k->str,
					"a falco.yaml key with no meaning for vigil: remove it "
					"(see docs/config.md)");
				err = -EINVAL;
			}
		}
	}
	return err;
}

/* @key's mapping if it says `enabled: true`; 1 enabled, 0 not, -EINVAL. */
static int enabled_map(struct vgl_cfg_ctx *x, const struct ynode *root, const char *key,
		       const char *const *keys, const struct ynode **ret, struct vgl_cfg_ctx *sub)
{
	const struct ynode *m = NULL;
	bool on = false;
	int r = vgl_cfg_map(x, root, key, &m);

	if (r <= 0)
		return r;
	vgl_cfg_sub(x, key, sub);
	if (vgl_cfg_check_keys(sub, m, keys, NULL) || vgl_cfg_bool(sub, m, "enabled", &on) < 0)
		return -EINVAL;
	*ret = m;
	return on;
}

/* Parse @out (built from Falco's keys at @at) as an output and add it. */
static int add_output(struct vgl_cfg_ctx *sub, struct ynode *out, struct vgl_config *c)
{
	struct vgl_sinkconf_defaults d = { c->json_output, c->min_priority };
	struct vgl_sink_spec spec;
	int err;

	if (!out)
		return -ENOMEM;
	err = vgl_sinkconf_parse(sub, out, c->noutputs, &d, &spec);
	vgl_cfg_synth_free(out);
	if (!err) {
		err = vgl_config_add_output(c, &spec);
		if (err)
			vgl_sinkconf_free(&spec);
	}
	c->outputs_given = true;
	return err;
}

/* A string value of @key, "" when absent; NULL after an error. */
static char *str_or_empty(struct vgl_cfg_ctx *x, const struct ynode *m, const char *key)
{
	char *s = NULL;
	int r = vgl_cfg_str(x, m, key, &s);

	if (r < 0)
		return NULL;
	return r ? s : strdup("");
}

static int simple_outputs(struct vgl_cfg_ctx *x, const struct ynode *root, struct vgl_config *c)
{
	static const char *const std[][2] = { { "type", "stdout" } };
	static const char *const sys[][2] = { { "type", "syslog" }, { "protocol", "rfc3164" } };
	const struct ynode *m;
	struct vgl_cfg_ctx sub;
	int err = 0, r;

	r = enabled_map(x, root, "stdout_output", stdout_keys, &m, &sub);
	err |= r < 0 || (r > 0 && add_output(&sub, vgl_cfg_synth_map(std, 1, &m->pos), c));
	r = enabled_map(x, root, "syslog_output", syslog_keys, &m, &sub);
	err |= r < 0 || (r > 0 && add_output(&sub, vgl_cfg_synth_map(sys, 2, &m->pos), c));
	if (ynode_get(root, "stdout_output") || ynode_get(root, "syslog_output"))
		c->outputs_given = true;
	return err ? -EINVAL : 0;
}

/* file_output and program_output: one string key each. */
static int one_key_output(struct vgl_cfg_ctx *x, const struct ynode *root, struct vgl_config *c,
			  const char *key, const char *const *keys, const char *type,
			  const char *falco_name, const char *vigil_name)
{
	const struct ynode *m;
	struct vgl_cfg_ctx sub;
	char *v;
	int r = enabled_map(x, root, key, keys, &m, &sub), err;

	if (ynode_get(root, key))
		c->outputs_given = true;
	if (r <= 0)
		return r;
	v = str_or_empty(&sub, m, falco_name);
	if (!v)
		return -EINVAL;
	if (!v[0]) {
		vgl_cfg_error(&sub, m, falco_name, "missing (the output is enabled)");
		free(v);
		return -EINVAL;
	}
	err = add_output(
		&sub,
		vgl_cfg_synth_map((const char *const[][2]){ { "type", type }, { vigil_name, v } },
				  2, &m->pos),
		c);
	free(v);
	return err;
}

int vgl_config_falco(struct vgl_cfg_ctx *x, const struct ynode *root, struct vgl_config *c)
{
	int err = 0, prio = 0, r;
	static const char *const prio_names[] = {
		"emergency", "alert",	      "critical", "error", "warning",
		"notice",    "informational", "debug",	  NULL,
	};

	err |= check_unused(x, root) < 0;
	if (!c->nrules) {
		r = vgl_cfg_strlist(x, root, "rules_files", &c->rules, &c->nrules);
		if (r == 0)
			r = vgl_cfg_strlist(x, root, "rules_file", &c->rules, &c->nrules);
		err |= r < 0;
	}
	r = vgl_cfg_enum(x, root, "priority", prio_names, &prio);
	if (r > 0)
		c->min_priority = prio;
	err |= r < 0;
	err |= simple_outputs(x, root, c) < 0;
	err |= one_key_output(x, root, c, "file_output", file_keys, "file", "filename", "path") < 0;
	err |= one_key_output(x, root, c, "program_output", program_keys, "program", "program",
			      "command") < 0;
	err |= vgl_config_falco_http(x, root, c, http_keys) < 0;
	return err ? -EINVAL : 0;
}
