// SPDX-License-Identifier: Apache-2.0
/*
 * fd.* fields: the descriptor an event acts on. Opens and socket events
 * describe it in their own parameters; other events need the state tracker.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE /* memrchr */
#endif
#include <fcntl.h>
#include <string.h>
#include <sys/socket.h>

#include "rules/fields/fields.h"

#include "rules/fields/fd_sock.h"

static const struct vgl_fd_view *fd_view(struct vgl_xctx *x, int64_t fd)
{
	if (!x->fd_done) {
		x->fd = x->ops && x->ops->fd && fd >= 0 ? x->ops->fd(x->state, x->ev->hdr.pid, fd)
							: NULL;
		x->fd_done = true;
	}
	return x->fd;
}

/* The descriptor number the event acts on; false if it has none. */
static bool fd_num(struct vgl_xctx *x, int64_t *ret)
{
	enum vgl_kind k = x->ev->kind;
	const struct vgl_param *p;

	if (ev_is_open(x->ev) || k == VGL_EV_ACCEPT || k == VGL_EV_ACCEPT4 || k == VGL_EV_DUP ||
	    k == VGL_EV_DUP2 || k == VGL_EV_DUP3 || k == VGL_EV_SOCKET) {
		*ret = x->ev->hdr.res >= 0 ? x->ev->hdr.res : -1;
		return true;
	}
	p = xctx_p(x, XP_FD);
	if (!p)
		return false;
	*ret = p->num.i;
	return true;
}

const struct vgl_fd_view *fd_event_view(struct vgl_xctx *x)
{
	int64_t fd;

	return !ev_is_open(x->ev) && fd_num(x, &fd) ? fd_view(x, fd) : NULL;
}

static char typechar(struct vgl_xctx *x)
{
	const struct vgl_param *p;
	const struct vgl_fd_view *v;
	int64_t fd;

	if (ev_is_open(x->ev)) {
		p = xctx_p(x, XP_FLAGS);
		return p && (p->num.i & O_DIRECTORY) ? 'd' : 'f';
	}
	if (is_sock_event(x->ev->kind) && sock_typechar(x))
		return sock_typechar(x);
	v = fd_num(x, &fd) ? fd_view(x, fd) : NULL;
	return v ? v->typechar : 0;
}

static const char *type_name(char c)
{
	switch (c) {
	case 'f':
		return "file";
	case 'd':
		return "directory";
	case '4':
		return "ipv4";
	case '6':
		return "ipv6";
	case 'u':
		return "unix";
	case 'p':
		return "pipe";
	case 'e':
		return "event";
	case 's':
		return "signalfd";
	case 'l':
		return "eventpoll";
	case 'i':
		return "inotify";
	case 'b':
		return "bpf";
	case 'r':
		return "userfaultfd";
	case 'm':
		return "memfd";
	default:
		return NULL;
	}
}

/* The path an open event opened (the resolved one when the probe has it). */
static int open_name(struct vgl_xctx *x, struct vgl_fval *out)
{
	const struct vgl_param *p = xctx_p(x, XP_PATH);

	if (!p)
		p = xctx_p(x, XP_NAME);
	return p ? put_strn(out, p->str, p->len) : 0;
}

static int file_name(struct vgl_xctx *x, struct vgl_fval *out)
{
	const struct vgl_fd_view *v;
	int64_t fd;

	if (ev_is_open(x->ev))
		return open_name(x, out);
	if (is_sock_event(x->ev->kind) && sock_name(x, out))
		return 1;
	v = fd_num(x, &fd) ? fd_view(x, fd) : NULL;
	return v ? put_str(out, v->name) : 0;
}

/* fd.directory / fd.filename of a file descriptor's name. */
static int dir_or_base(struct vgl_xctx *x, int id, struct vgl_fval *out)
{
	struct vgl_fval n;
	const char *slash;
	char c;

	if (ev_is_open(x->ev)) {
		/* An open's descriptor is a file or a directory (typechar()). */
		if (!open_name(x, &n))
			return 0;
	} else {
		c = typechar(x);
		if ((c != 'f' && c != 'd') || !file_name(x, &n))
			return 0;
	}
	slash = memrchr(n.s, '/', n.len);
	if (!slash)
		return id == F_FILENAME ? put_strn(out, n.s, n.len) : 0;
	if (id == F_FILENAME)
		return put_strn(out, slash + 1, n.len - (size_t)(slash + 1 - n.s));
	return put_strn(out, n.s, slash == n.s ? 1 : (size_t)(slash - n.s));
}

static int fd_misc(struct vgl_xctx *x, int id, struct vgl_fval *out)
{
	const struct vgl_param *p;
	const struct vgl_fd_view *v;
	int64_t fd;
	char c;

	switch (id) {
	case F_NAMERAW:
		p = ev_is_open(x->ev) ? xctx_p(x, XP_NAME) : NULL;
		return p ? put_strn(out, p->str, p->len) : file_name(x, out);
	case F_SOCKFAMILY:
		c = typechar(x);
		return c == '4' || c == '6' ? put_str(out, "ip")
		       : c == 'u'	    ? put_str(out, "unix")
					    : 0;
	case F_NAME_CHANGED:
		return put_int(out, 0);
	case F_CONNECTED:
		if (x->ev->kind == VGL_EV_CONNECT)
			return put_int(out, x->ev->hdr.res == 0);
		v = fd_num(x, &fd) ? fd_view(x, fd) : NULL;
		return v ? put_int(out, v->connected) : 0;
	case F_L4PROTO:
		v = fd_num(x, &fd) ? fd_view(x, fd) : NULL;
		return v ? put_str(out, v->l4proto) : 0;
	}
	return 0;
}

/* A one-character string without formatting (constant storage). */
static int put_typechar(struct vgl_fval *out, char c)
{
	static const char chars[] = "fd46upeslibrm";
	const char *p = strchr(chars, c);

	return p ? put_strn(out, p, 1) : 0;
}

static int ex_fd(struct vgl_xctx *x, const struct field_ref *ref, struct vgl_fval *out, int max)
{
	int id = ref->def->id;
	int64_t fd;
	char c;

	(void)max;
	switch (id) {
	case F_NUM:
		return fd_num(x, &fd) ? put_int(out, fd) : 0;
	case F_NAME:
		return file_name(x, out);
	case F_DIRECTORY:
	case F_FILENAME:
		return dir_or_base(x, id, out);
	case F_TYPECHAR:
		c = typechar(x);
		return c ? put_typechar(out, c) : 0;
	case F_TYPE:
		return put_str(out, type_name(typechar(x)));
	case F_UNKNOWN:
		return 0;
	}
	if (id >= F_IP && id <= F_RNET)
		return sock_addr(x, id, out);
	if (id >= F_CIP_NAME && id <= F_RIP_NAME)
		return sock_ip_name(x, id, out);
	return fd_misc(x, id, out);
}

#define FD(n, t, f, id)            \
	{                          \
		n, t, f, ex_fd, id \
	}

const struct field_def vgl_fields_fd[] = {
	FD("fd.num", FT_INT, 0, F_NUM),
	FD("fd.name", FT_STR, 0, F_NAME),
	FD("fd.nameraw", FT_STR, 0, F_NAMERAW),
	FD("fd.directory", FT_STR, 0, F_DIRECTORY),
	FD("fd.filename", FT_STR, 0, F_FILENAME),
	FD("fd.typechar", FT_STR, 0, F_TYPECHAR),
	FD("fd.type", FT_STR, 0, F_TYPE),
	FD("fd.l4proto", FT_STR, FF_STATE, F_L4PROTO),
	FD("fd.sockfamily", FT_STR, 0, F_SOCKFAMILY),
	FD("fd.connected", FT_BOOL, 0, F_CONNECTED),
	FD("fd.name_changed", FT_BOOL, 0, F_NAME_CHANGED),
	FD("fd.ip", FT_IP, FF_MULTI, F_IP),
	FD("fd.cip", FT_IP, 0, F_CIP),
	FD("fd.sip", FT_IP, 0, F_SIP),
	FD("fd.lip", FT_IP, 0, F_LIP),
	FD("fd.rip", FT_IP, 0, F_RIP),
	FD("fd.port", FT_INT, FF_MULTI, F_PORT),
	FD("fd.cport", FT_INT, 0, F_CPORT),
	FD("fd.sport", FT_INT, 0, F_SPORT),
	FD("fd.lport", FT_INT, 0, F_LPORT),
	FD("fd.rport", FT_INT, 0, F_RPORT),
	FD("fd.net", FT_NET, FF_MULTI, F_NET),
	FD("fd.cnet", FT_NET, 0, F_CNET),
	FD("fd.snet", FT_NET, 0, F_SNET),
	FD("fd.lnet", FT_NET, 0, F_LNET),
	FD("fd.rnet", FT_NET, 0, F_RNET),
	FD("fd.cip.name", FT_STR, FF_DNS, F_CIP_NAME),
	FD("fd.sip.name", FT_STR, FF_DNS, F_SIP_NAME),
	FD("fd.lip.name", FT_STR, FF_DNS, F_LIP_NAME),
	FD("fd.rip.name", FT_STR, FF_DNS, F_RIP_NAME),
	FD("fd.types", FT_STR, FF_STATE | FF_ARG_OPT | FF_ARG_NUM, F_UNKNOWN),
	FD("fd.dev", FT_INT, FF_STATE, F_UNKNOWN),
	FD("fd.ino", FT_INT, FF_STATE, F_UNKNOWN),
	FD("fd.uid", FT_STR, FF_STATE, F_UNKNOWN),
	{ NULL, 0, 0, NULL, 0 },
};
