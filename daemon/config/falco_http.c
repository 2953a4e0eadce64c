// SPDX-License-Identifier: Apache-2.0
/* Falco's http_output and its old `outputs: {rate, max_burst}` rate limiter. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "config/falco.h"

#define KV_MAX 8

struct kv {
	const char *v[KV_MAX][2];
	char *owned[KV_MAX];
	size_t n;
};

/* Take Falco's @from as vigil's @to when present; -EINVAL after an error. */
static int take(struct vgl_cfg_ctx *x, const struct ynode *m, const char *from, const char *to,
		struct kv *kv)
{
	char *s = NULL;
	int r = vgl_cfg_str(x, m, from, &s);

	if (r <= 0)
		return r;
	if (!s[0]) { /* Falco's defaults are empty strings: not set */
		free(s);
		return 0;
	}
	kv->v[kv->n][0] = to;
	kv->v[kv->n][1] = s;
	kv->owned[kv->n++] = s;
	return 1;
}

static void kv_free(struct kv *kv)
{
	for (size_t i = 0; i < kv->n; i++)
		free(kv->owned[i]);
}

/* The tls: mapping of the webhook from insecure, ca_*, mtls and client_*. */
static int http_tls(struct vgl_cfg_ctx *x, const struct ynode *m, struct ynode **ret)
{
	bool insecure = false, mtls = false;
	struct kv kv = { .n = 0 };
	int err = 0;

	err |= vgl_cfg_bool(x, m, "insecure", &insecure) < 0;
	err |= vgl_cfg_bool(x, m, "mtls", &mtls) < 0;
	if (take(x, m, "ca_cert", "ca_file", &kv) == 0)
		err |= take(x, m, "ca_bundle", "ca_file", &kv) < 0;
	err |= take(x, m, "ca_path", "ca_dir", &kv) < 0;
	if (mtls) {
		err |= take(x, m, "client_cert", "cert", &kv) < 0;
		err |= take(x, m, "client_key", "key", &kv) < 0;
	}
	if (insecure) {
		kv.v[kv.n][0] = "verify";
		kv.v[kv.n++][1] = "false";
	}
	*ret = err ? NULL : vgl_cfg_synth_map((const char *const(*)[2])kv.v, kv.n, &m->pos);
	kv_free(&kv);
	return err ? -EINVAL : *ret ? 0 : -ENOMEM;
}

int vgl_config_falco_http(struct vgl_cfg_ctx *x, const struct ynode *root, struct vgl_config *c,
			  const char *const *keys)
{
	struct vgl_sinkconf_defaults d = { c->json_output, c->min_priority };
	const struct ynode *m = NULL;
	struct kv kv = { .v = { { "type", "webhook" } }, .n = 1 };
	struct vgl_sink_spec spec;
	struct vgl_cfg_ctx sub;
	struct ynode *out = NULL, *tls = NULL;
	bool on = false;
	int err = vgl_cfg_map(x, root, "http_output", &m);

	if (err <= 0)
		return err;
	c->outputs_given = true;
	vgl_cfg_sub(x, "http_output", &sub);
	if (vgl_cfg_check_keys(&sub, m, keys, NULL) || vgl_cfg_bool(&sub, m, "enabled", &on) < 0)
		return -EINVAL;
	if (!on)
		return 0;
	err = take(&sub, m, "url", "url", &kv) < 0;
	err |= take(&sub, m, "user_agent", "user_agent", &kv) < 0;
	if (!err && kv.n == 1)
		vgl_cfg_error(&sub, m, "url", "missing (the output is enabled)");
	if (!err && kv.n > 1 && !http_tls(&sub, m, &tls)) {
		out = vgl_cfg_synth_map((const char *const(*)[2])kv.v, kv.n, &m->pos);
		/* Falco's defaults set ca_path whatever the URL: TLS keys for https only */
		if (out && strncasecmp(kv.v[1][1], "https://", 8)) {
			vgl_cfg_synth_free(tls);
			tls = NULL;
		}
		if (out && (!tls || !vgl_cfg_synth_put_map(out, "tls", tls)))
			err = vgl_sinkconf_parse(&sub, out, c->noutputs, &d, &spec);
		else
			err = -ENOMEM;
		if (!err && (err = vgl_config_add_output(c, &spec)))
			vgl_sinkconf_free(&spec);
		vgl_cfg_synth_free(out);
	} else {
		err = -EINVAL;
	}
	kv_free(&kv);
	return err ? -EINVAL : 0;
}

int vgl_config_falco_rate(struct vgl_cfg_ctx *x, const struct ynode *map, struct vgl_config *c)
{
	static const char *const keys[] = { "rate", "max_burst", NULL };
	struct vgl_cfg_ctx sub;
	int err = 0;

	vgl_cfg_sub(x, "outputs", &sub);
	err |= vgl_cfg_check_keys(&sub, map, keys, NULL) < 0;
	err |= vgl_cfg_number(&sub, map, "rate", 0, 1e6, &c->alerts.rate) < 0;
	err |= vgl_cfg_number(&sub, map, "max_burst", 0, 1e9, &c->alerts.burst) < 0;
	return err ? -EINVAL : 0;
}
