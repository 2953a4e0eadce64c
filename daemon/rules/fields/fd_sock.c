// SPDX-License-Identifier: Apache-2.0
/* Socket ends of network events: addresses, ports and names for fd.* fields. */
#include <string.h>
#include <sys/socket.h>

#include "rules/dns.h"
#include "rules/fields/fd_sock.h"

/* A socket event's two ends, or those of a tracked descriptor (copied into the bufs). */
struct ends {
	const struct vgl_sockaddr *local;
	const struct vgl_sockaddr *remote;
	bool local_is_server;
	struct vgl_sockaddr lbuf, rbuf;
};

bool is_sock_event(enum vgl_kind k)
{
	return k >= VGL_EV_CONNECT && k <= VGL_EV_RECVMSG && k != VGL_EV_SOCKET;
}

static const struct vgl_sockaddr *sa_param(struct vgl_xctx *x, enum xparam xp)
{
	const struct vgl_param *p = xctx_p(x, xp);

	return p ? &p->sa : NULL;
}

static const struct vgl_sockaddr *view_end(const struct vgl_fd_end *end, struct vgl_sockaddr *buf)
{
	if (end->fam != 4 && end->fam != 6)
		return NULL;
	buf->family = end->fam == 4 ? AF_INET : AF_INET6;
	buf->port = end->port;
	memcpy(buf->addr, end->ip, sizeof(buf->addr));
	return buf;
}

/* The ends the state tracker followed for the descriptor of a non-socket event (a dup). */
static void view_ends(struct vgl_xctx *x, struct ends *e)
{
	const struct vgl_fd_view *v = fd_event_view(x);

	if (!v)
		return;
	e->local = view_end(&v->local, &e->lbuf);
	e->remote = view_end(&v->remote, &e->rbuf);
	e->local_is_server = v->local_is_server;
}

static void get_ends(struct vgl_xctx *x, struct ends *e)
{
	enum vgl_kind k = x->ev->kind;

	memset(e, 0, sizeof(*e));
	if (!is_sock_event(k)) {
		view_ends(x, e);
		return;
	}
	if (k == VGL_EV_BIND) {
		e->local = sa_param(x, XP_ADDR);
		e->local_is_server = true;
		return;
	}
	e->local = sa_param(x, XP_LADDR);
	e->remote = sa_param(x, XP_ADDR);
	e->local_is_server = k == VGL_EV_ACCEPT || k == VGL_EV_ACCEPT4 || k == VGL_EV_LISTEN;
}

static const struct vgl_sockaddr *any_end(const struct ends *e)
{
	return e->remote ? e->remote : e->local;
}

static bool is_ip(const struct vgl_sockaddr *sa)
{
	return sa && (sa->family == AF_INET || sa->family == AF_INET6);
}

static int put_ip(const struct vgl_sockaddr *sa, struct vgl_fval *out)
{
	if (!is_ip(sa))
		return 0;
	out->fam = sa->family == AF_INET ? 4 : 6;
	memset(out->ip, 0, sizeof(out->ip));
	memcpy(out->ip, sa->addr, out->fam == 4 ? 4 : 16);
	return 1;
}

static int put_port(const struct vgl_sockaddr *sa, struct vgl_fval *out)
{
	return is_ip(sa) ? put_int(out, sa->port) : 0;
}

int sock_addr(struct vgl_xctx *x, int id, struct vgl_fval *out)
{
	struct ends e;
	const struct vgl_sockaddr *cli, *srv;
	int n = 0;

	get_ends(x, &e);
	cli = e.local_is_server ? e.remote : e.local;
	srv = e.local_is_server ? e.local : e.remote;
	switch (id) {
	case F_IP:
	case F_NET:
		n = put_ip(cli, out);
		return n + put_ip(srv, &out[n]);
	case F_PORT:
		n = put_port(cli, out);
		return n + put_port(srv, &out[n]);
	case F_CIP:
	case F_CNET:
		return put_ip(cli, out);
	case F_SIP:
	case F_SNET:
		return put_ip(srv, out);
	case F_LIP:
	case F_LNET:
		return put_ip(e.local, out);
	case F_RIP:
	case F_RNET:
		return put_ip(e.remote, out);
	case F_CPORT:
		return put_port(cli, out);
	case F_SPORT:
		return put_port(srv, out);
	case F_LPORT:
		return put_port(e.local, out);
	case F_RPORT:
		return put_port(e.remote, out);
	}
	return 0;
}

int sock_ip_name(struct vgl_xctx *x, int id, struct vgl_fval *out)
{
	char name[VGL_DNS_NAME_MAX + 1];
	struct vgl_fval ip;
	size_t len;
	char *s;

	if (!sock_addr(x, F_CIP + (id - F_CIP_NAME), &ip))
		return 0;
	len = vgl_dns_name_of(ip.fam, ip.ip, name, sizeof(name));
	if (!len) /* an address no watched name has: "" so that != holds, as in Falco */
		return put_strn(out, "", 0);
	s = xctx_alloc(x, len + 1);
	if (!s)
		return 0;
	memcpy(s, name, len + 1);
	return put_strn(out, s, len);
}

static void ip_text(const struct vgl_sockaddr *sa, char *buf, size_t size)
{
	struct vgl_fval v;

	if (!put_ip(sa, &v))
		buf[0] = '\0';
	else
		field_val_str(FT_IP, &v, buf, size);
}

/* Falco's socket names: "cip:cport->sip:sport", "ip:port" or the unix path. */
int sock_name(struct vgl_xctx *x, struct vgl_fval *out)
{
	const struct vgl_sockaddr *cli, *srv, *one;
	char cbuf[64], sbuf[64];
	struct ends e;

	get_ends(x, &e);
	one = any_end(&e);
	if (!one)
		return 0;
	if (one->family == AF_UNIX)
		return put_strn(out, one->path, one->path_len);
	cli = e.local_is_server ? e.remote : e.local;
	srv = e.local_is_server ? e.local : e.remote;
	if (!is_ip(cli) || !is_ip(srv)) {
		one = is_ip(srv) ? srv : cli;
		if (!is_ip(one))
			return 0;
		ip_text(one, sbuf, sizeof(sbuf));
		return xctx_printf(x, out, "%s:%u", sbuf, one->port);
	}
	ip_text(cli, cbuf, sizeof(cbuf));
	ip_text(srv, sbuf, sizeof(sbuf));
	return xctx_printf(x, out, "%s:%u->%s:%u", cbuf, cli->port, sbuf, srv->port);
}

char sock_typechar(struct vgl_xctx *x)
{
	struct ends e;
	const struct vgl_sockaddr *sa;

	get_ends(x, &e);
	sa = any_end(&e);
	if (!sa)
		return 0;
	switch (sa->family) {
	case AF_INET:
		return '4';
	case AF_INET6:
		return '6';
	case AF_UNIX:
		return 'u';
	default:
		return 's';
	}
}
