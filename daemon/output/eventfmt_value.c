// SPDX-License-Identifier: Apache-2.0
/* Parameter values, in JSON or as text after "name=" (docs/events.md). */
#include <sys/socket.h>

#include "output/eventfmt_buf.h"

/* ["a", "b"]: the arguments are NUL-separated and str[len] is NUL. */
static void put_argv(struct vgl_wbuf *w, const struct vgl_param *prm, bool json)
{
	const char *s = prm->str;
	const char *end = prm->str + prm->len;

	vgl_wb_char(w, '[');
	/* len 0 is either [] or [""]: the decoder counts arguments in num.u */
	while ((prm->len || prm->num.u) && !w->full) {
		const char *e = memchr(s, '\0', (size_t)(end - s) + 1);

		vgl_wb_quoted(w, s, (size_t)(e - s), json);
		if (e == end)
			break;
		vgl_wb_lit(w, ", ");
		s = e + 1;
	}
	vgl_wb_char(w, ']');
}

static void put_ip4(struct vgl_wbuf *w, const uint8_t *a)
{
	for (int i = 0; i < 4; i++) {
		if (i)
			vgl_wb_char(w, '.');
		vgl_wb_u64(w, a[i]);
	}
}

static void put_hex16(struct vgl_wbuf *w, unsigned int v)
{
	static const char hex[] = "0123456789abcdef";
	char tmp[4];
	int n = 0;

	for (int shift = 12; shift >= 0; shift -= 4) {
		if (n || (v >> shift) & 15 || !shift)
			tmp[n++] = hex[(v >> shift) & 15];
	}
	vgl_wb_mem(w, tmp, (size_t)n);
}

/* The first longest run of two or more zero groups, as inet_ntop() picks it. */
static int zero_run(const unsigned int *g, int *ret_len)
{
	int best = -1, best_len = 1;

	for (int i = 0; i < 8; i++) {
		int j = i;

		while (j < 8 && !g[j])
			j++;
		if (j - i > best_len) {
			best = i;
			best_len = j - i;
		}
		i = j;
	}
	*ret_len = best_len;
	return best;
}

/* RFC 5952 text exactly as glibc's inet_ntop() writes it, without its printf. */
static void put_ip6(struct vgl_wbuf *w, const uint8_t *a)
{
	unsigned int g[8];
	int run, len;

	for (int i = 0; i < 8; i++)
		g[i] = (unsigned int)a[2 * i] << 8 | a[2 * i + 1];
	run = zero_run(g, &len);
	for (int i = 0; i < 8; i++) {
		if (run >= 0 && i >= run && i < run + len) {
			if (i == run)
				vgl_wb_char(w, ':');
			continue;
		}
		if (i)
			vgl_wb_char(w, ':');
		/* IPv4-compatible ::a.b.c.d and IPv4-mapped ::ffff:a.b.c.d */
		if (i == 6 && run == 0 && (len == 6 || (len == 5 && g[5] == 0xffff))) {
			put_ip4(w, a + 12);
			return;
		}
		put_hex16(w, g[i]);
	}
	if (run >= 0 && run + len == 8)
		vgl_wb_char(w, ':');
}

static void put_ip(struct vgl_wbuf *w, const struct vgl_sockaddr *sa)
{
	if (sa->family == AF_INET)
		put_ip4(w, sa->addr);
	else
		put_ip6(w, sa->addr);
}

/* Abstract names (leading NUL) print as "@name". */
static void put_unix_path(struct vgl_wbuf *w, const struct vgl_sockaddr *sa, bool json)
{
	const char *p = sa->path;
	size_t n = sa->path_len;

	if (n && p[0] == '\0') {
		vgl_wb_char(w, '@');
		p++;
		n--;
	}
	if (json)
		vgl_wb_json_esc(w, p, n);
	else
		vgl_wb_c_esc(w, p, n);
}

static void put_sockaddr_json(struct vgl_wbuf *w, const struct vgl_sockaddr *sa)
{
	vgl_wb_lit(w, "{\"family\": \"");
	vgl_wb_symbol(w, VGL_PT_FAMILY, sa->family);
	vgl_wb_char(w, '"');
	switch (sa->family) {
	case AF_INET:
	case AF_INET6:
		vgl_wb_lit(w, ", \"ip\": \"");
		put_ip(w, sa);
		vgl_wb_lit(w, "\", \"port\": ");
		vgl_wb_u64(w, sa->port);
		break;
	case AF_UNIX:
		vgl_wb_lit(w, ", \"path\": \"");
		put_unix_path(w, sa, true);
		vgl_wb_char(w, '"');
		break;
	}
	vgl_wb_char(w, '}');
}

/* 127.0.0.1:80, [::1]:80, unix:/path, or the family's name. */
static void put_sockaddr_human(struct vgl_wbuf *w, const struct vgl_sockaddr *sa)
{
	switch (sa->family) {
	case AF_INET:
		put_ip(w, sa);
		break;
	case AF_INET6:
		vgl_wb_char(w, '[');
		put_ip(w, sa);
		vgl_wb_char(w, ']');
		break;
	case AF_UNIX:
		vgl_wb_lit(w, "unix:");
		put_unix_path(w, sa, false);
		return;
	default:
		vgl_wb_symbol(w, VGL_PT_FAMILY, sa->family);
		return;
	}
	vgl_wb_char(w, ':');
	vgl_wb_u64(w, sa->port);
}

void vgl_wb_value(struct vgl_wbuf *w, const struct vgl_param *prm, bool json)
{
	if (prm->absent) {
		if (json)
			vgl_wb_lit(w, "null");
		else
			vgl_wb_lit(w, "<NA>");
		return;
	}
	switch (prm->info->type) {
	case VGL_PT_S64:
	case VGL_PT_FD:
	case VGL_PT_PID:
		vgl_wb_s64(w, prm->num.i);
		break;
	case VGL_PT_U64:
		vgl_wb_u64(w, prm->num.u);
		break;
	case VGL_PT_UID:
		vgl_wb_id(w, prm->num.u);
		break;
	case VGL_PT_MODE:
		if (json)
			vgl_wb_u64(w, prm->num.u);
		else
			vgl_wb_octal(w, prm->num.u);
		break;
	case VGL_PT_STR:
	case VGL_PT_PATH:
		vgl_wb_quoted(w, prm->str, prm->len, json);
		break;
	case VGL_PT_ARGV:
		put_argv(w, prm, json);
		break;
	case VGL_PT_SOCKADDR:
		if (json)
			put_sockaddr_json(w, &prm->sa);
		else
			put_sockaddr_human(w, &prm->sa);
		break;
	default: /* flag sets and enumerations: ASCII, never escaped */
		if (json)
			vgl_wb_char(w, '"');
		vgl_wb_symbol(w, prm->info->type, prm->num.u);
		if (json)
			vgl_wb_char(w, '"');
		break;
	}
}
