// SPDX-License-Identifier: Apache-2.0
/* The config file: top-level keys, then each output. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "config/capture_conf.h"
#include "config/config.h"
#include "config/falco.h"
#include "metrics/listen.h"
#include "util/log.h"

static const char *const vigil_keys[] = {
	"rules",	"json_output", "first_match", "ringbuf_size", "wakeup_bytes",
	"syscall_hook", "log_level",   "host_root",   "outputs",      "drain_timeout",
	"rate_limit",	"metrics",     "capture",     NULL,
};
static const char *const rate_keys[] = { "rate", "burst", "summary_interval", NULL };
static const char *const metrics_keys[] = { "listen", NULL };
static const char *const hook_names[] = { "auto", "tracepoints", "raw", NULL };
static const char *const level_names[] = { "error", "warning", "info", "debug", NULL };

static void defaults(struct vgl_config *c)
{
	memset(c, 0, sizeof(*c));
	c->min_priority = -1;
	c->alerts.drain_timeout = 10;
	c->alerts.summary_interval = 60;
}

void vgl_config_free(struct vgl_config *c)
{
	if (!c)
		return;
	free(c->file);
	vgl_cfg_strlist_free(c->rules, c->nrules);
	free(c->host_root);
	for (size_t i = 0; i < c->noutputs; i++)
		vgl_sinkconf_free(&c->outputs[i]);
	free(c->outputs);
	free(c->metrics_listen);
	vgl_config_capture_free(&c->capture);
	memset(c, 0, sizeof(*c));
}

#define SET(r, field) ((r) > 0 ? (field##_set = true, 0) : (r) < 0)

static int parse_run_keys(struct vgl_cfg_ctx *x, const struct ynode *root, struct vgl_config *c)
{
	int err = 0, r;

	r = vgl_cfg_strlist(x, root, "rules", &c->rules, &c->nrules);
	if (r > 0 && c->nrules > VGL_CONFIG_RULES_MAX) {
		vgl_cfg_error(x, ynode_get(root, "rules"), "rules", "more than %d paths",
			      VGL_CONFIG_RULES_MAX);
		r = -EINVAL;
	}
	err |= r < 0;
	r = vgl_cfg_bool(x, root, "json_output", &c->json_output);
	err |= SET(r, c->json_output);
	r = vgl_cfg_bool(x, root, "first_match", &c->first_match);
	err |= SET(r, c->first_match);
	r = vgl_cfg_size(x, root, "ringbuf_size", 4096, 1u << 30, &c->ringbuf_size);
	if (r > 0 && (c->ringbuf_size & (c->ringbuf_size - 1))) {
		vgl_cfg_error(x, ynode_get(root, "ringbuf_size"), "ringbuf_size",
			      "not a power of two");
		r = -EINVAL;
	}
	err |= SET(r, c->ringbuf_size);
	r = vgl_cfg_size(x, root, "wakeup_bytes", 1, 1u << 30, &c->wakeup_bytes);
	err |= SET(r, c->wakeup_bytes);
	r = vgl_cfg_enum(x, root, "syscall_hook", hook_names, &c->syscall_hook);
	err |= SET(r, c->syscall_hook);
	r = vgl_cfg_enum(x, root, "log_level", level_names, &c->log_level);
	err |= SET(r, c->log_level);
	r = vgl_cfg_str(x, root, "host_root", &c->host_root);
	if (r > 0 && c->host_root[0] != '/') {
		vgl_cfg_error(x, ynode_get(root, "host_root"), "host_root",
			      "'%s' is not an absolute path", c->host_root);
		r = -EINVAL;
	}
	err |= r < 0;
	return err ? -EINVAL : 0;
}

static int parse_alert_keys(struct vgl_cfg_ctx *x, const struct ynode *root, struct vgl_config *c)
{
	const struct ynode *m = NULL;
	struct vgl_cfg_ctx sub;
	int err = 0;

	err |= vgl_cfg_duration(x, root, "drain_timeout", 0, 3600, &c->alerts.drain_timeout) < 0;
	if (vgl_cfg_map(x, root, "rate_limit", &m) > 0) {
		vgl_cfg_sub(x, "rate_limit", &sub);
		err |= vgl_cfg_check_keys(&sub, m, rate_keys, NULL) < 0;
		err |= vgl_cfg_number(&sub, m, "rate", 0, 1e6, &c->alerts.rate) < 0;
		err |= vgl_cfg_number(&sub, m, "burst", 0, 1e9, &c->alerts.burst) < 0;
		err |= vgl_cfg_duration(&sub, m, "summary_interval", 1, 86400,
					&c->alerts.summary_interval) < 0;
	} else if (ynode_get(root, "rate_limit") && !m) {
		err = 1; /* not a mapping: reported */
	}
	return err ? -EINVAL : 0;
}

/* metrics.listen, checked as the endpoint will read it: an address it can bind. */
static int parse_metrics(struct vgl_cfg_ctx *x, const struct ynode *root, struct vgl_config *c)
{
	const struct ynode *m = NULL;
	struct vgl_listen_addr addr;
	struct vgl_cfg_ctx sub;
	char why[256];
	int err = 0, r;

	r = vgl_cfg_map(x, root, "metrics", &m);
	if (r <= 0)
		return r;
	vgl_cfg_sub(x, "metrics", &sub);
	err |= vgl_cfg_check_keys(&sub, m, metrics_keys, NULL) < 0;
	r = vgl_cfg_str(&sub, m, "listen", &c->metrics_listen);
	if (r > 0 && vgl_listen_parse(c->metrics_listen, &addr, why, sizeof(why))) {
		vgl_cfg_error(&sub, ynode_get(m, "listen"), "listen", "'%s': %s", c->metrics_listen,
			      why);
		r = -EINVAL;
	}
	err |= r < 0;
	return err ? -EINVAL : 0;
}

/* Add a parsed output to @c. */
int vgl_config_add_output(struct vgl_config *c, struct vgl_sink_spec *spec)
{
	struct vgl_sink_spec *v;

	if (c->noutputs >= VGL_OUTPUTS_MAX)
		return -E2BIG;
	v = realloc(c->outputs, (c->noutputs + 1) * sizeof(*v));
	if (!v)
		return -ENOMEM;
	c->outputs = v;
	c->outputs[c->noutputs++] = *spec;
	memset(spec, 0, sizeof(*spec));
	return 0;
}

static int parse_outputs(struct vgl_cfg_ctx *x, const struct ynode *seq, struct vgl_config *c)
{
	struct vgl_sinkconf_defaults d = { c->json_output, c->min_priority };
	int err = 0;

	c->outputs_given = true;
	if (seq->nkids > VGL_OUTPUTS_MAX) {
		vgl_cfg_error(x, seq, "outputs", "more than %d outputs", VGL_OUTPUTS_MAX);
		return -EINVAL;
	}
	for (size_t i = 0; i < seq->nkids; i++) {
		struct vgl_sink_spec spec;
		struct vgl_cfg_ctx sub;
		int r;

		vgl_cfg_sub_index(x, "outputs", i, &sub);
		r = vgl_sinkconf_parse(&sub, seq->kids[i], i, &d, &spec);
		if (r == -ENOMEM)
			return r;
		if (r) {
			err = -EINVAL;
			continue;
		}
		r = vgl_config_add_output(c, &spec);
		if (r) {
			vgl_sinkconf_free(&spec);
			return r;
		}
	}
	return err;
}

static int parse_root(const struct ynode *root, struct vgl_config *c, struct vgl_diag *diag)
{
	struct vgl_cfg_ctx x = { .diag = diag };
	const struct ynode *outs;
	int err = 0;

	if (!root)
		return 0; /* an empty file: the defaults */
	if (root->type != YN_MAP) {
		vgl_cfg_error(&x, root, NULL, "the config file must be a mapping of keys");
		return -EINVAL;
	}
	err |= vgl_cfg_check_keys(&x, root, vigil_keys, vgl_config_falco_keys,
				  vgl_config_falco_unused_keys, NULL) < 0;
	err |= parse_run_keys(&x, root, c) < 0;
	err |= parse_alert_keys(&x, root, c) < 0;
	err |= parse_metrics(&x, root, c) < 0;
	err |= vgl_config_capture(&x, root, c) < 0;
	err |= vgl_config_falco(&x, root, c) < 0; /* before outputs: json_output, priority */
	outs = ynode_get(root, "outputs");
	if (outs && outs->type == YN_SEQ)
		err |= parse_outputs(&x, outs, c) < 0;
	else if (outs && outs->type == YN_MAP) /* Falco's rate limit */
		err |= vgl_config_falco_rate(&x, outs, c) < 0;
	else if (outs)
		err |= vgl_cfg_seq(&x, root, "outputs", &outs) < 0;
	return err || diag->nerrors ? -EINVAL : 0;
}

static int by_position(const void *a, const void *b)
{
	const struct vgl_diag_entry *x = a, *y = b;

	if (x->line != y->line)
		return x->line < y->line ? -1 : 1;
	if (x->col != y->col)
		return x->col < y->col ? -1 : 1;
	return 0;
}

int vgl_config_parse(const char *name, const char *text, size_t len, struct vgl_config *ret,
		     struct vgl_diag *diag)
{
	struct vgl_config c;
	struct ydoc doc;
	int err;

	defaults(&c);
	err = ydoc_parse(name, text, len, &doc, diag);
	if (err)
		return err;
	c.file = strdup(name);
	err = c.file ? parse_root(doc.root, &c, diag) : -ENOMEM;
	ydoc_free(&doc);
	/* one file's problems in the order they appear in it */
	if (diag->n)
		qsort(diag->v, diag->n, sizeof(*diag->v), by_position);
	if (err) {
		vgl_config_free(&c);
		return err;
	}
	*ret = c;
	return 0;
}

static int read_file(const char *path, char **ret, size_t *ret_len)
{
	FILE *f = fopen(path, "re");
	struct stat st;
	char *buf;
	size_t n;

	if (!f)
		return -errno;
	if (fstat(fileno(f), &st) || !S_ISREG(st.st_mode) || st.st_size > VGL_CONFIG_FILE_MAX) {
		int err = S_ISDIR(st.st_mode) ? -EISDIR : -EFBIG;

		fclose(f);
		return err;
	}
	buf = malloc((size_t)st.st_size + 1);
	n = buf ? fread(buf, 1, (size_t)st.st_size, f) : 0;
	fclose(f);
	if (!buf)
		return -ENOMEM;
	buf[n] = '\0';
	*ret = buf;
	*ret_len = n;
	return 0;
}

int vgl_config_load(const char *path, bool must_exist, struct vgl_config *ret,
		    struct vgl_diag *diag)
{
	char *text = NULL;
	size_t len = 0;
	int err = read_file(path, &text, &len);

	if (err == -ENOENT && !must_exist) {
		defaults(ret);
		return 0;
	}
	if (err) {
		struct vgl_pos pos = { .file = path };

		vgl_diag_error(diag, &pos, "cannot read the config file: %s",
			       err == -EFBIG ? "larger than 1 MiB or not a regular file"
					     : strerror(-err));
		return err;
	}
	err = vgl_config_parse(path, text, len, ret, diag);
	free(text);
	return err;
}
