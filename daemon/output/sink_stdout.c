// SPDX-License-Identifier: Apache-2.0
/*
 * type: stdout — one line per alert on standard output, text (Falco's line)
 * or JSON. Events printed by --events share the stream: both go through
 * stdio, which writes each line whole.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "output/sinks.h"

#define LINE_MAX_BYTES (VGL_ALERT_JSON_MAX + 64)

struct stdout_sink {
	FILE *f;
	char *line;
};

static int stdout_configure(struct vgl_cfg_ctx *c, const struct ynode *map,
			    struct vgl_sink_conf *conf, void **ret_priv)
{
	struct stdout_sink *o = calloc(1, sizeof(*o));

	if (!o || !(o->line = malloc(LINE_MAX_BYTES))) {
		free(o);
		return -ENOMEM;
	}
	o->f = stdout;
	*ret_priv = o;
	return 0;
}

static void stdout_deliver(void *priv, struct vgl_sink *s, struct vgl_alert *const *alerts,
			   size_t n, struct vgl_deliver_result *r)
{
	struct stdout_sink *o = priv;
	enum vgl_alert_format fmt = vgl_sink_conf(s)->format;

	for (size_t i = 0; i < n; i++) {
		size_t len = vgl_alert_line(alerts[i], fmt, o->line, LINE_MAX_BYTES);

		/* flushed at once: a write error is seen (and counted) here */
		if (fwrite(o->line, 1, len, o->f) != len || fflush(o->f)) {
			/* a closed or full stdout does not come back */
			r->status = VGL_DELIVER_FAIL;
			r->loss = VGL_LOSS_REJECTED;
			snprintf(r->error, sizeof(r->error), "writing to stdout: %s",
				 strerror(errno));
			clearerr(o->f);
			return;
		}
	}
	r->status = VGL_DELIVER_OK;
}

static void stdout_flush(void *priv)
{
	struct stdout_sink *o = priv;

	fflush(o->f);
}

static void stdout_close(void *priv)
{
	struct stdout_sink *o = priv;

	if (!o)
		return;
	fflush(o->f);
	free(o->line);
	free(o);
}

static const char *stdout_describe(void *priv)
{
	return "standard output";
}

static const char *const stdout_keys[] = { NULL };

const struct vgl_sink_ops vgl_sink_stdout_ops = {
	.type = "stdout",
	.keys = stdout_keys,
	.configure = stdout_configure,
	.deliver = stdout_deliver,
	.flush = stdout_flush,
	.close = stdout_close,
	.describe = stdout_describe,
};
