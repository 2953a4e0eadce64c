// SPDX-License-Identifier: Apache-2.0
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "run/pipeline.h"

int vgl_pipeline_init(struct vgl_pipeline *p, const struct vgl_kindset *print,
		      enum vgl_fmt_style style, FILE *out)
{
	memset(p, 0, sizeof(*p));
	p->buf = malloc(VGL_FMT_BUF_MAX);
	if (!p->buf)
		return -ENOMEM;
	p->print = *print;
	p->style = style;
	p->out = out;
	p->fmt.boot_to_realtime_ns = vgl_boot_to_realtime_ns();
	return 0;
}

void vgl_pipeline_fini(struct vgl_pipeline *p)
{
	free(p->buf);
	p->buf = NULL;
}

int vgl_pipeline_record(void *ctx, const void *data, size_t size)
{
	struct vgl_pipeline *p = ctx;
	struct vgl_event ev;
	int len;

	p->stats.received++;
	if (vgl_decode(data, size, &ev, NULL)) {
		p->stats.decode_errors++;
		return 0;
	}
	p->stats.by_kind[ev.kind]++;
	if (!p->print.has[ev.kind])
		return 0;
	len = vgl_fmt_event(&ev, p->style, &p->fmt, p->buf, VGL_FMT_BUF_MAX - 1);
	if (len >= 0)
		p->buf[len++] = '\n';
	if (len < 0 || fwrite(p->buf, 1, len, p->out) != (size_t)len) {
		p->stats.output_errors++;
		return 0;
	}
	p->stats.printed++;
	return 0;
}
