/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Internal to eventfmt*.c: a bounded output cursor. A write that does not
 * fit writes what fits and marks the buffer full; nothing more is written and
 * the formatter reports -ENOSPC (alert lines cut the text there instead). One
 * byte is always kept for the terminating NUL.
 */
#ifndef VIGIL_OUTPUT_EVENTFMT_BUF_H
#define VIGIL_OUTPUT_EVENTFMT_BUF_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "decode/event.h"

struct vgl_wbuf {
	char *start;
	char *p;   /* next byte to write */
	char *end; /* where the NUL goes when the text fills the buffer */
	bool full;
};

/* @size must be at least 1. */
static inline void vgl_wb_init(struct vgl_wbuf *w, char *buf, size_t size)
{
	w->start = buf;
	w->p = buf;
	w->end = buf + size - 1;
	w->full = false;
}

static inline size_t vgl_wb_room(const struct vgl_wbuf *w)
{
	return (size_t)(w->end - w->p);
}

/* Once a write has not fit, nothing else is written. */
static inline void vgl_wb_overflow(struct vgl_wbuf *w)
{
	w->full = true;
	w->p = w->end;
}

static inline void vgl_wb_mem(struct vgl_wbuf *w, const void *s, size_t n)
{
	if (n > vgl_wb_room(w)) {
		/* what fits is written: the buffer holds text up to its end */
		memcpy(w->p, s, vgl_wb_room(w));
		vgl_wb_overflow(w);
		return;
	}
	memcpy(w->p, s, n);
	w->p += n;
}

static inline void vgl_wb_char(struct vgl_wbuf *w, char c)
{
	if (w->p == w->end) {
		vgl_wb_overflow(w);
		return;
	}
	*w->p++ = c;
}

static inline void vgl_wb_str(struct vgl_wbuf *w, const char *s)
{
	vgl_wb_mem(w, s, strlen(s));
}

/* A string literal, its length known at compile time. */
#define vgl_wb_lit(w, s) vgl_wb_mem(w, "" s, sizeof(s) - 1)

/* NUL-terminate; the text length, or -ENOSPC if something did not fit. */
int vgl_wb_finish(struct vgl_wbuf *w);

void vgl_wb_u64(struct vgl_wbuf *w, uint64_t v);
void vgl_wb_s64(struct vgl_wbuf *w, int64_t v);
/* A user or group id: (uid_t)-1 prints as -1. */
void vgl_wb_id(struct vgl_wbuf *w, uint64_t v);
/* "0" for 0, else octal with a leading 0. */
void vgl_wb_octal(struct vgl_wbuf *w, uint64_t v);
/* @v zero-padded to @width decimal digits (at most 20). */
void vgl_wb_digits(struct vgl_wbuf *w, uint64_t v, unsigned int width);
/* vgl_fmt_symbol() of names.h, written in place. */
void vgl_wb_symbol(struct vgl_wbuf *w, enum vgl_ptype type, uint64_t v);

/* JSON string body (no quotes): escapes, invalid UTF-8 as U+FFFD. */
void vgl_wb_json_esc(struct vgl_wbuf *w, const char *s, size_t n);
/* C-escaped text (no quotes) for human lines: \" \\ \n \r \t \xHH. */
void vgl_wb_c_esc(struct vgl_wbuf *w, const char *s, size_t n);
/* Alert text: like vgl_wb_c_esc() but '"' and '\\' stay as they are. */
void vgl_wb_text_esc(struct vgl_wbuf *w, const char *s, size_t n);
/* @s in double quotes, escaped for JSON (@json) or for humans. */
void vgl_wb_quoted(struct vgl_wbuf *w, const char *s, size_t n, bool json);

/* A parameter's value: a JSON value (@json), or the text after "name=". */
void vgl_wb_value(struct vgl_wbuf *w, const struct vgl_param *prm, bool json);

struct vgl_fmt_opts;
/*
 * The context keys of @ev (docs/events.md), each after a separator: JSON
 * members (@json) to go before the line's closing brace, or " key=value"
 * pairs to end a human line. @opts->sops must be set.
 */
void vgl_wb_context(struct vgl_wbuf *w, const struct vgl_event *ev, const struct vgl_fmt_opts *opts,
		    bool json);

#endif /* VIGIL_OUTPUT_EVENTFMT_BUF_H */
