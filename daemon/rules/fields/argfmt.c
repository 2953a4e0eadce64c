// SPDX-License-Identifier: Apache-2.0
/*
 * Event parameters rendered as Falco's evt.arg.X / evt.args show them:
 * numbers in decimal, flag sets and enumerations by name, file modes as
 * S_I* names, user ids as user names when the state tracker knows them,
 * addresses as ip:port.
 */
#include <arpa/inet.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "output/names.h"
#include "rules/fields/fields.h"

static const struct {
	uint64_t bit;
	const char *name;
} mode_names[] = {
	{ 04000, "S_ISUID" }, { 02000, "S_ISGID" }, { 01000, "S_ISVTX" }, { 0400, "S_IRUSR" },
	{ 0200, "S_IWUSR" },  { 0100, "S_IXUSR" },  { 040, "S_IRGRP" },	  { 020, "S_IWGRP" },
	{ 010, "S_IXGRP" },   { 04, "S_IROTH" },    { 02, "S_IWOTH" },	  { 01, "S_IXOTH" },
};

static size_t fmt_mode(uint64_t mode, char *buf, size_t size)
{
	size_t i, n = 0;

	if (size)
		buf[0] = '\0';
	for (i = 0; i < sizeof(mode_names) / sizeof(mode_names[0]); i++) {
		if (!(mode & mode_names[i].bit))
			continue;
		n += (size_t)snprintf(buf + (n < size ? n : size), n < size ? size - n : 0, "%s%s",
				      n ? "|" : "", mode_names[i].name);
	}
	if (!n)
		n = (size_t)snprintf(buf, size, "0");
	return n;
}

static size_t fmt_sockaddr(const struct vgl_sockaddr *sa, char *buf, size_t size)
{
	char ip[INET6_ADDRSTRLEN];

	switch (sa->family) {
	case AF_INET:
		inet_ntop(AF_INET, sa->addr, ip, sizeof(ip));
		return (size_t)snprintf(buf, size, "%s:%u", ip, sa->port);
	case AF_INET6:
		inet_ntop(AF_INET6, sa->addr, ip, sizeof(ip));
		return (size_t)snprintf(buf, size, "%s:%u", ip, sa->port);
	case AF_UNIX:
		return (size_t)snprintf(buf, size, "%.*s", (int)sa->path_len,
					sa->path ? sa->path : "");
	default:
		return (size_t)snprintf(buf, size, "family %u", sa->family);
	}
}

/* A numeric parameter into scratch as text. */
static int render_num(struct vgl_xctx *x, const struct vgl_param *p, struct vgl_fval *out)
{
	char tmp[VGL_SYMBOL_MAX], *d;
	const char *name;
	size_t n;

	switch (p->info->type) {
	case VGL_PT_MODE:
		n = fmt_mode(p->num.u, tmp, sizeof(tmp));
		break;
	case VGL_PT_UID:
		name = x->ops && x->ops->user_name && p->num.u != (uint32_t)-1
			       ? x->ops->user_name(x->state, (uint32_t)p->num.u, x->ev->hdr.pid)
			       : NULL;
		if (name)
			return put_str(out, name);
		n = (size_t)snprintf(tmp, sizeof(tmp), "%" PRId64,
				     p->num.u == (uint32_t)-1 ? (int64_t)-1 : p->num.i);
		break;
	case VGL_PT_U64:
		n = (size_t)snprintf(tmp, sizeof(tmp), "%" PRIu64, p->num.u);
		break;
	default:
		if (vgl_ptype_is_symbolic(p->info->type))
			n = vgl_fmt_symbol(p->info->type, p->num.u, tmp, sizeof(tmp));
		else
			n = (size_t)snprintf(tmp, sizeof(tmp), "%" PRId64, p->num.i);
	}
	if (n >= sizeof(tmp))
		n = sizeof(tmp) - 1;
	d = xctx_alloc(x, n + 1);
	if (!d)
		return 0;
	memcpy(d, tmp, n + 1);
	return put_strn(out, d, n);
}

int param_render(struct vgl_xctx *x, const struct vgl_param *p, struct vgl_fval *out)
{
	char tmp[INET6_ADDRSTRLEN + 16], *d;
	size_t n;

	if (!p || p->absent)
		return 0;
	switch (p->info->type) {
	case VGL_PT_STR:
	case VGL_PT_PATH:
		return put_strn(out, p->str, p->len);
	case VGL_PT_ARGV:
		out->s = xctx_join(x, p->str, p->len, ' ', &out->len);
		return out->s ? 1 : 0;
	case VGL_PT_SOCKADDR:
		if (p->sa.family == AF_UNIX) {
			/* Abstract names start with a NUL: shown as '@', as ss(8) does. */
			n = p->sa.path_len;
			d = xctx_alloc(x, n + 1);
			if (!d)
				return 0;
			if (n)
				memcpy(d, p->sa.path, n);
			if (n && d[0] == '\0')
				d[0] = '@';
			d[n] = '\0';
			return put_strn(out, d, n);
		}
		n = fmt_sockaddr(&p->sa, tmp, sizeof(tmp));
		d = xctx_alloc(x, n + 1);
		if (!d)
			return 0;
		memcpy(d, tmp, n + 1);
		return put_strn(out, d, n);
	default:
		return render_num(x, p, out);
	}
}
