// SPDX-License-Identifier: Apache-2.0
/* Rule-file diagnostics. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "rules/diag.h"

void vgl_diag_init(struct vgl_diag *d)
{
	memset(d, 0, sizeof(*d));
}

void vgl_diag_free(struct vgl_diag *d)
{
	size_t i;

	if (!d)
		return;
	for (i = 0; i < d->n; i++) {
		free(d->v[i].file);
		free(d->v[i].msg);
	}
	free(d->v);
	memset(d, 0, sizeof(*d));
}

static void diag_add(struct vgl_diag *d, bool warning, const struct vgl_pos *pos, const char *fmt,
		     va_list ap) __attribute__((format(printf, 4, 0)));

static void diag_add(struct vgl_diag *d, bool warning, const struct vgl_pos *pos, const char *fmt,
		     va_list ap)
{
	struct vgl_diag_entry *e;
	char buf[1024];

	if (!d)
		return;
	if (warning)
		d->nwarnings++;
	else
		d->nerrors++;
	if (d->n >= VGL_DIAG_MAX) {
		d->dropped++;
		return;
	}
	if (d->n == d->cap) {
		size_t cap = d->cap ? d->cap * 2 : 16;
		struct vgl_diag_entry *v = realloc(d->v, cap * sizeof(*v));

		if (!v) {
			d->dropped++;
			return;
		}
		d->v = v;
		d->cap = cap;
	}
	vsnprintf(buf, sizeof(buf), fmt, ap);
	e = &d->v[d->n];
	memset(e, 0, sizeof(*e));
	e->warning = warning;
	e->msg = strdup(buf);
	if (pos && pos->file)
		e->file = strdup(pos->file);
	if (pos) {
		e->line = pos->line;
		e->col = pos->col;
	}
	if (!e->msg) {
		free(e->file);
		d->dropped++;
		return;
	}
	d->n++;
}

void vgl_diag_error(struct vgl_diag *d, const struct vgl_pos *pos, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	diag_add(d, false, pos, fmt, ap);
	va_end(ap);
}

void vgl_diag_warn(struct vgl_diag *d, const struct vgl_pos *pos, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	diag_add(d, true, pos, fmt, ap);
	va_end(ap);
}

int vgl_diag_format(const struct vgl_diag_entry *e, char *buf, size_t size)
{
	const char *kind = e->warning ? "warning" : "error";

	if (!e->file)
		return snprintf(buf, size, "%s: %s", kind, e->msg);
	if (!e->line)
		return snprintf(buf, size, "%s: %s: %s", e->file, kind, e->msg);
	return snprintf(buf, size, "%s:%u:%u: %s: %s", e->file, e->line, e->col, kind, e->msg);
}
