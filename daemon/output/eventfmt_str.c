// SPDX-License-Identifier: Apache-2.0
/*
 * The text primitives of the event formatter: numbers without printf, and
 * strings escaped for JSON or for a terminal. Both escapers copy runs of
 * plain ASCII with one memcpy and always produce valid UTF-8.
 */
#include <errno.h>

#include "output/eventfmt_buf.h"
#include "output/names.h"

static const char hex_digits[] = "0123456789abcdef";

int vgl_wb_finish(struct vgl_wbuf *w)
{
	*w->p = '\0';
	if (w->full)
		return -ENOSPC;
	return (int)(w->p - w->start);
}

/* "00" "01" ... "99": two digits per division. */
static const char digit_pairs[] =
	"00010203040506070809101112131415161718192021222324252627282930313233"
	"34353637383940414243444546474849505152535455565758596061626364656667"
	"6869707172737475767778798081828384858687888990919293949596979899";

/* Write the digits of @v ending at @end; returns where they start. */
static char *put_digits_back(char *end, uint64_t v)
{
	while (v >= 100) {
		end -= 2;
		memcpy(end, digit_pairs + 2 * (v % 100), 2);
		v /= 100;
	}
	if (v >= 10) {
		end -= 2;
		memcpy(end, digit_pairs + 2 * v, 2);
	} else {
		*--end = (char)('0' + v);
	}
	return end;
}

void vgl_wb_u64(struct vgl_wbuf *w, uint64_t v)
{
	char tmp[20];
	char *p = put_digits_back(tmp + sizeof(tmp), v);

	vgl_wb_mem(w, p, (size_t)(tmp + sizeof(tmp) - p));
}

void vgl_wb_s64(struct vgl_wbuf *w, int64_t v)
{
	if (v < 0) {
		vgl_wb_char(w, '-');
		vgl_wb_u64(w, -(uint64_t)v);
		return;
	}
	vgl_wb_u64(w, (uint64_t)v);
}

void vgl_wb_id(struct vgl_wbuf *w, uint64_t v)
{
	if (v == UINT32_MAX || v == UINT64_MAX)
		vgl_wb_lit(w, "-1");
	else
		vgl_wb_u64(w, v);
}

void vgl_wb_octal(struct vgl_wbuf *w, uint64_t v)
{
	char tmp[23];
	char *p = tmp + sizeof(tmp);

	while (v) {
		*--p = (char)('0' + (v & 7));
		v >>= 3;
	}
	*--p = '0';
	vgl_wb_mem(w, p, (size_t)(tmp + sizeof(tmp) - p));
}

void vgl_wb_digits(struct vgl_wbuf *w, uint64_t v, unsigned int width)
{
	char tmp[20];

	if (width > sizeof(tmp))
		width = sizeof(tmp);
	memset(tmp, '0', sizeof(tmp));
	put_digits_back(tmp + sizeof(tmp), v); /* a wider @v keeps its low digits */
	vgl_wb_mem(w, tmp + sizeof(tmp) - width, width);
}

void vgl_wb_symbol(struct vgl_wbuf *w, enum vgl_ptype type, uint64_t v)
{
	size_t size = vgl_wb_room(w) + 1; /* the NUL may go on w->end */
	size_t n = vgl_fmt_symbol(type, v, w->p, size);

	if (n >= size)
		vgl_wb_overflow(w);
	else
		w->p += n;
}

/*
 * Length of the well-formed UTF-8 sequence at @p (RFC 3629: no overlong
 * forms, no surrogates, nothing above U+10FFFF), or 0.
 */
static size_t utf8_len(const uint8_t *p, size_t n)
{
	uint8_t lo = 0x80, hi = 0xbf;
	size_t len;

	if (p[0] >= 0xc2 && p[0] <= 0xdf) {
		len = 2;
	} else if (p[0] >= 0xe0 && p[0] <= 0xef) {
		len = 3;
		lo = p[0] == 0xe0 ? 0xa0 : lo;
		hi = p[0] == 0xed ? 0x9f : hi;
	} else if (p[0] >= 0xf0 && p[0] <= 0xf4) {
		len = 4;
		lo = p[0] == 0xf0 ? 0x90 : lo;
		hi = p[0] == 0xf4 ? 0x8f : hi;
	} else {
		return 0;
	}
	if (n < len || p[1] < lo || p[1] > hi)
		return 0;
	for (size_t i = 2; i < len; i++) {
		if ((p[i] & 0xc0) != 0x80)
			return 0;
	}
	return len;
}

/*
 * The three escapers: JSON strings, quoted C-style values (--events), and
 * alert text, which keeps '"' and '\\' as they are (it is not quoted) but
 * escapes every control character and invalid UTF-8 the way --events does.
 */
enum esc_mode { ESC_JSON, ESC_C, ESC_TEXT };

/* Bytes the escaper copies as they are. */
static inline bool plain(uint8_t c, enum esc_mode mode)
{
	if (c >= 0x20 && c < 0x7f && c != '"' && c != '\\')
		return true;
	return mode == ESC_TEXT && (c == '"' || c == '\\');
}

/* The escape of an ASCII byte that both syntaxes spell the same, or NULL. */
static const char *short_escape(uint8_t c)
{
	switch (c) {
	case '"':
		return "\\\"";
	case '\\':
		return "\\\\";
	case '\n':
		return "\\n";
	case '\r':
		return "\\r";
	case '\t':
		return "\\t";
	default:
		return NULL;
	}
}

static void put_json_u00(struct vgl_wbuf *w, uint8_t c)
{
	char esc[6] = { '\\', 'u', '0', '0', hex_digits[c >> 4], hex_digits[c & 15] };

	vgl_wb_mem(w, esc, sizeof(esc));
}

static void put_c_hex(struct vgl_wbuf *w, uint8_t c)
{
	char esc[4] = { '\\', 'x', hex_digits[c >> 4], hex_digits[c & 15] };

	vgl_wb_mem(w, esc, sizeof(esc));
}

/* One byte or sequence that is not plain; returns the bytes consumed. */
static size_t put_special(struct vgl_wbuf *w, const uint8_t *p, size_t n, enum esc_mode mode)
{
	bool json = mode == ESC_JSON;
	void (*put_code)(struct vgl_wbuf *, uint8_t) = json ? put_json_u00 : put_c_hex;
	const char *esc;
	size_t len;

	if (p[0] < 0x80) {
		esc = short_escape(p[0]);
		if (esc)
			vgl_wb_mem(w, esc, 2);
		else
			put_code(w, p[0]); /* control characters and DEL */
		return 1;
	}
	len = utf8_len(p, n);
	if (!len) {
		if (json)
			vgl_wb_lit(w, "\xef\xbf\xbd"); /* U+FFFD */
		else
			put_c_hex(w, p[0]);
		return 1;
	}
	if (p[0] == 0xc2 && p[1] < 0xa0) {
		/* C1 control characters (U+0080..U+009F): terminals act on them */
		if (!json)
			put_c_hex(w, p[0]);
		put_code(w, p[1]);
		return 2;
	}
	vgl_wb_mem(w, p, len);
	return len;
}

static void put_escaped(struct vgl_wbuf *w, const char *s, size_t n, enum esc_mode mode)
{
	const uint8_t *p = (const uint8_t *)s;
	const uint8_t *end = p + n;

	while (p < end) {
		const uint8_t *run = p;

		while (p < end && plain(*p, mode))
			p++;
		vgl_wb_mem(w, run, (size_t)(p - run));
		if (p == end || w->full)
			break;
		p += put_special(w, p, (size_t)(end - p), mode);
	}
}

void vgl_wb_json_esc(struct vgl_wbuf *w, const char *s, size_t n)
{
	put_escaped(w, s, n, ESC_JSON);
}

void vgl_wb_c_esc(struct vgl_wbuf *w, const char *s, size_t n)
{
	put_escaped(w, s, n, ESC_C);
}

void vgl_wb_text_esc(struct vgl_wbuf *w, const char *s, size_t n)
{
	put_escaped(w, s, n, ESC_TEXT);
}

void vgl_wb_quoted(struct vgl_wbuf *w, const char *s, size_t n, bool json)
{
	vgl_wb_char(w, '"');
	put_escaped(w, s, n, json ? ESC_JSON : ESC_C);
	vgl_wb_char(w, '"');
}
