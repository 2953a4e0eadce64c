// SPDX-License-Identifier: Apache-2.0
/* The text buffer /metrics and /healthz are written into, and label escaping. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "metrics/view.h"

void vgl_text_init(struct vgl_text *t, size_t max)
{
	memset(t, 0, sizeof(*t));
	t->max = max;
}

void vgl_text_free(struct vgl_text *t)
{
	free(t->buf);
	memset(t, 0, sizeof(*t));
}

/* Room for @n more bytes and a NUL. */
static bool reserve(struct vgl_text *t, size_t n)
{
	size_t cap = t->cap ? t->cap : 4096;
	char *p;

	if (t->failed)
		return false;
	if (n >= t->max - t->len) {
		t->failed = true;
		return false;
	}
	while (cap - t->len <= n)
		cap *= 2;
	if (cap == t->cap)
		return true;
	p = realloc(t->buf, cap);
	if (!p) {
		t->failed = true;
		return false;
	}
	t->buf = p;
	t->cap = cap;
	return true;
}

void vgl_text_printf(struct vgl_text *t, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	if (n < 0 || !reserve(t, (size_t)n))
		return;
	va_start(ap, fmt);
	vsnprintf(t->buf + t->len, t->cap - t->len, fmt, ap);
	va_end(ap);
	t->len += (size_t)n;
}

/* The length of the well-formed UTF-8 sequence at @s, or 0. */
static size_t utf8_len(const unsigned char *s)
{
	size_t n;
	uint32_t c;

	if (s[0] < 0x80)
		return 1;
	if (s[0] >= 0xc2 && s[0] <= 0xdf)
		n = 2, c = s[0] & 0x1f;
	else if (s[0] >= 0xe0 && s[0] <= 0xef)
		n = 3, c = s[0] & 0x0f;
	else if (s[0] >= 0xf0 && s[0] <= 0xf4)
		n = 4, c = s[0] & 0x07;
	else
		return 0;
	for (size_t i = 1; i < n; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		c = (c << 6) | (s[i] & 0x3f);
	}
	/* overlong forms, surrogates, beyond U+10FFFF */
	if ((n == 3 && c < 0x800) || (n == 4 && (c < 0x10000 || c > 0x10ffff)) ||
	    (c >= 0xd800 && c <= 0xdfff))
		return 0;
	return n;
}

void vgl_text_label(struct vgl_text *t, const char *s)
{
	const unsigned char *p = (const unsigned char *)s;

	while (*p) {
		size_t n = utf8_len(p);

		if (!reserve(t, 4))
			return;
		if (*p == '\\' || *p == '"' || *p == '\n') {
			t->buf[t->len++] = '\\';
			t->buf[t->len++] = *p == '\n' ? 'n' : (char)*p;
		} else if (!n) {
			memcpy(t->buf + t->len, "\xef\xbf\xbd", 3);
			t->len += 3;
			n = 1;
		} else {
			memcpy(t->buf + t->len, p, n);
			t->len += n;
		}
		p += n;
	}
	t->buf[t->len] = '\0';
}
