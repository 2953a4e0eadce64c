// SPDX-License-Identifier: Apache-2.0
/* The command line, the config file and the defaults, merged; the outputs built. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "output/sinks.h"
#include "run/capsetup.h"
#include "run/reload.h"
#include "run/setup.h"
#include "util/log.h"

static void merge(const struct vgl_config *c, struct vgl_run_opts *o)
{
	static const enum vgl_log_level levels[] = { VGL_LOG_ERROR, VGL_LOG_WARN, VGL_LOG_INFO,
						     VGL_LOG_DEBUG };
	enum vgl_log_level level = VGL_LOG_WARN;

	if (!o->nrule_args && c->nrules) {
		o->rule_args = (const char *const *)c->rules;
		o->nrule_args = c->nrules;
	}
	if (!(o->set & VGL_OPT_JSON) && c->json_output_set)
		o->json = c->json_output;
	if (!(o->set & VGL_OPT_FIRST_MATCH) && c->first_match_set)
		o->first_match = c->first_match;
	if (!(o->set & VGL_OPT_RINGBUF) && c->ringbuf_size_set)
		o->ringbuf_size = (uint32_t)c->ringbuf_size;
	if (!(o->set & VGL_OPT_WAKEUP) && c->wakeup_bytes_set)
		o->wakeup_bytes = c->wakeup_bytes;
	if (!(o->set & VGL_OPT_HOOK) && c->syscall_hook_set)
		o->syscall_hook = (enum vgl_syscall_hook)c->syscall_hook;
	if (!(o->set & VGL_OPT_HOST_ROOT) && c->host_root)
		o->host_root = c->host_root;
	if (o->set & VGL_OPT_VERBOSE)
		level = o->verbose >= 2 ? VGL_LOG_DEBUG : VGL_LOG_INFO;
	else if (c->log_level_set)
		level = levels[c->log_level];
	vgl_log_set_level(level);
}

int vgl_setup_load(const struct vgl_run_opts *cli, struct vgl_config *ret_cfg,
		   struct vgl_run_opts *ret_eff)
{
	const char *path = cli->config ? cli->config : VGL_CONFIG_DEFAULT;
	struct vgl_diag diag;
	int err;

	*ret_eff = *cli;
	vgl_diag_init(&diag);
	if (!cli->config && cli->no_default_config) /* the defaults, as from an empty file */
		err = vgl_config_parse("(defaults)", "", 0, ret_cfg, &diag);
	else
		err = vgl_config_load(path, cli->config != NULL, ret_cfg, &diag);
	vgl_rules_print_diag(&diag);
	vgl_diag_free(&diag);
	if (err) {
		if (err != -EINVAL)
			return 1; /* cannot read it: said above */
		vgl_err("%s: invalid config file", path);
		return 1;
	}
	merge(ret_cfg, ret_eff);
	return 0;
}

/* The outputs of @cfg, or one stdout output when it names none. */
static int default_outputs(struct vgl_config *cfg)
{
	static const char *const kv[][2] = { { "type", "stdout" } };
	struct vgl_sinkconf_defaults d = { cfg->json_output, cfg->min_priority };
	struct vgl_cfg_ctx x;
	struct vgl_sink_spec spec;
	struct vgl_diag diag;
	struct ynode *map;
	int err;

	if (cfg->outputs_given)
		return 0;
	map = vgl_cfg_synth_map(kv, 1, NULL);
	if (!map)
		return -ENOMEM;
	vgl_diag_init(&diag);
	x = (struct vgl_cfg_ctx){ .diag = &diag };
	err = vgl_sinkconf_parse(&x, map, 0, &d, &spec);
	vgl_cfg_synth_free(map);
	vgl_diag_free(&diag);
	if (!err) {
		err = vgl_config_add_output(cfg, &spec);
		if (err)
			vgl_sinkconf_free(&spec);
	}
	return err;
}

/* Two outputs may not share a spool directory. */
static int check_spools(const struct vgl_config *cfg)
{
	for (size_t i = 0; i < cfg->noutputs; i++) {
		for (size_t j = 0; j < i && cfg->outputs[i].conf.spool; j++) {
			if (cfg->outputs[j].conf.spool &&
			    !strcmp(cfg->outputs[i].conf.spool, cfg->outputs[j].conf.spool)) {
				vgl_err("outputs %s and %s: both spool to %s",
					cfg->outputs[j].conf.name, cfg->outputs[i].conf.name,
					cfg->outputs[i].conf.spool);
				return -EINVAL;
			}
		}
	}
	return 0;
}

static int add_sink(struct vgl_outputs *o, struct vgl_sink_spec *spec, bool json)
{
	struct vgl_sink *s;
	char err[512] = "";
	int ret;

	if (!spec->conf.format_set)
		spec->conf.format = json ? VGL_ALERT_JSON : VGL_ALERT_TEXT;
	if (spec->ops->check) {
		ret = spec->ops->check(spec->priv, err, sizeof(err));
		if (ret) {
			vgl_err("output %s: %s", spec->conf.name, err);
			return ret;
		}
	}
	ret = vgl_sink_new(spec->ops, &spec->conf, spec->priv, &s, err, sizeof(err));
	if (ret) {
		vgl_err("output %s: %s", spec->conf.name, err);
		return ret;
	}
	spec->priv = NULL; /* the sink's now */
	return vgl_outputs_add(o, s);
}

int vgl_setup_outputs(struct vgl_config *cfg, bool json, const char *hostname,
		      struct vgl_outputs **ret)
{
	struct vgl_outputs_conf oc = cfg->alerts;
	struct vgl_outputs *o = NULL;
	int err;

	oc.hostname = hostname;
	err = default_outputs(cfg);
	if (!err)
		err = check_spools(cfg);
	if (!err)
		err = vgl_outputs_new(&oc, &o);
	for (size_t i = 0; !err && i < cfg->noutputs; i++)
		err = add_sink(o, &cfg->outputs[i], json);
	if (err) {
		if (err == -ENOMEM)
			vgl_err("cannot set up the outputs: %s", strerror(-err));
		vgl_outputs_free(o);
		return 1;
	}
	*ret = o;
	return 0;
}

int vgl_run_check_config(const struct vgl_run_opts *opts)
{
	struct vgl_outputs *o = NULL;
	struct vgl_run_capture cap;
	struct vgl_run_opts eff;
	struct vgl_config cfg;
	const char *path = opts->config ? opts->config : VGL_CONFIG_DEFAULT;
	int ret;

	if (!opts->config && access(path, F_OK)) {
		printf("vigil: no config file at %s: the defaults apply\n", path);
		return 0;
	}
	if (vgl_setup_load(opts, &cfg, &eff))
		return 1;
	ret = vgl_capsetup_prepare(&eff, &cfg, &cap); /* the capture filter compiles */
	vgl_capsetup_close(&cap);
	if (!ret)
		ret = vgl_setup_outputs(&cfg, eff.json, "", &o);
	if (!ret) {
		printf("vigil: %s: ok, %zu output%s:", path, vgl_outputs_count(o),
		       vgl_outputs_count(o) == 1 ? "" : "s");
		for (size_t i = 0; i < vgl_outputs_count(o); i++) {
			struct vgl_sink *s = vgl_outputs_sink(o, i);

			printf("%s %s (%s %s)", i ? "," : "", vgl_sink_name(s), vgl_sink_type(s),
			       vgl_sink_describe(s));
		}
		putchar('\n');
	}
	vgl_outputs_free(o);
	vgl_config_free(&cfg);
	return ret;
}
