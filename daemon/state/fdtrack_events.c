// SPDX-License-Identifier: Apache-2.0
/* What each event does to the fd tracker's entries (fdtrack.h). */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>

#include "state/fdtrack_int.h"
#include "state/util.h"

#define CLONE_THREAD_FLAG 0x00010000 /* CLONE_THREAD: same process, same table */

static const struct vgl_param *param(const struct vgl_event *ev, const char *name)
{
	const struct vgl_param *p = vgl_event_param(ev, name);

	return p && !p->absent ? p : NULL;
}

static bool sa_end(const struct vgl_param *p, struct vgl_fd_end *ret)
{
	if (!p || (p->sa.family != AF_INET && p->sa.family != AF_INET6))
		return false;
	ret->fam = p->sa.family == AF_INET ? 4 : 6;
	ret->port = p->sa.port;
	memcpy(ret->ip, p->sa.addr, sizeof(ret->ip));
	return true;
}

static void end_text(const struct vgl_fd_end *e, char *buf, size_t size)
{
	char ip[INET6_ADDRSTRLEN];

	if (!inet_ntop(e->fam == 4 ? AF_INET : AF_INET6, e->ip, ip, sizeof(ip)))
		ip[0] = '\0';
	snprintf(buf, size, "%s:%u", ip, e->port);
}

/* Falco's socket name, as socket events give it (fd_sock.c): client end first. */
static void make_name(struct tfd *e)
{
	const struct vgl_fd_view *v = &e->view;
	const struct vgl_fd_end *cli = v->local_is_server ? &v->remote : &v->local;
	const struct vgl_fd_end *srv = v->local_is_server ? &v->local : &v->remote;
	char a[60], b[60];

	if (cli->fam && srv->fam) {
		end_text(cli, a, sizeof(a));
		end_text(srv, b, sizeof(b));
		snprintf(e->name, sizeof(e->name), "%s->%s", a, b);
	} else if (srv->fam || cli->fam) {
		end_text(srv->fam ? srv : cli, e->name, sizeof(e->name));
	}
}

/* The entry @fd becomes what a socket call made: created or updated with its ends. */
static void on_addr(struct vgl_fdtrack *t, const struct vgl_event *ev, int64_t fd, bool fresh)
{
	struct vgl_fd_end local = { 0 }, remote = { 0 };
	bool has_l, has_r, server = ev->kind != VGL_EV_CONNECT;
	struct tfd *e, keep = { 0 };

	if (ev->kind == VGL_EV_BIND) {
		has_l = sa_end(param(ev, "addr"), &local);
		has_r = false;
	} else {
		has_l = sa_end(param(ev, "laddr"), &local);
		has_r = sa_end(param(ev, "addr"), &remote);
	}
	if (!has_l && !has_r) { /* a unix socket, or no address read: not ours */
		ft_fd_forget(t, ev->hdr.pid, fd);
		return;
	}
	e = fresh ? NULL : ft_fd_find(ft_proc_find(t, ev->hdr.pid, false), fd);
	if (e) /* what socket() said: the protocol, close-on-exec */
		keep = *e;
	if (!(e = ft_fd_put(t, ev->hdr.pid, fd)))
		return;
	e->cloexec = keep.cloexec;
	e->view.typechar = (has_l ? local.fam : remote.fam) == 4 ? '4' : '6';
	/* accept() works on stream sockets only */
	e->view.l4proto = keep.view.l4proto ? keep.view.l4proto : fresh ? "tcp" : NULL;
	e->view.local = has_l ? local : keep.view.local;
	e->view.remote = remote;
	e->view.local_is_server = server;
	e->view.connected = ev->kind != VGL_EV_BIND && has_r; /* connect(AF_UNSPEC) disconnects */
	make_name(e);
}

/* fd.l4proto from a socket type (the flags above its low 4 bits ignored). */
static const char *l4proto_of(int64_t type)
{
	switch (type & 0xf) {
	case SOCK_STREAM:
		return "tcp";
	case SOCK_DGRAM:
		return "udp";
	case SOCK_RAW:
		return "raw";
	default:
		return NULL;
	}
}

static void on_socket(struct vgl_fdtrack *t, const struct vgl_event *ev)
{
	const struct vgl_param *dom = param(ev, "domain"), *type = param(ev, "type");
	struct tfd *e;

	if (!dom || (dom->num.i != AF_INET && dom->num.i != AF_INET6)) {
		ft_fd_forget(t, ev->hdr.pid, ev->hdr.res);
		return;
	}
	if (!(e = ft_fd_put(t, ev->hdr.pid, ev->hdr.res)))
		return;
	e->view.typechar = dom->num.i == AF_INET ? '4' : '6';
	e->view.l4proto = type ? l4proto_of(type->num.i) : NULL;
	e->cloexec = type && (type->num.i & SOCK_CLOEXEC);
}

/* Does the dup family call or fcntl(F_DUPFD*) @ev give a close-on-exec copy? */
static bool dup_cloexec(const struct vgl_event *ev)
{
	const struct vgl_param *fl = param(ev, "flags"), *cmd = param(ev, "cmd");

	if (ev->kind == VGL_EV_FCNTL)
		return cmd && cmd->num.i == F_DUPFD_CLOEXEC;
	return ev->kind == VGL_EV_DUP3 && fl && (fl->num.i & O_CLOEXEC);
}

/* An end the kernel read; an unbound or unconnected one (all zero) is none. */
static bool kernel_end(const struct vgl_param *p, struct vgl_fd_end *ret)
{
	static const uint8_t zero[sizeof(ret->ip)];

	if (sa_end(p, ret) && (ret->port || memcmp(ret->ip, zero, sizeof(zero))))
		return true;
	*ret = (struct vgl_fd_end){ 0 };
	return false;
}

/*
 * A dup whose record describes the new descriptor's socket (wire version 4:
 * VGL_DUP_SOCK_P): the entry comes from the kernel's view, whether or not
 * the socket's own calls were followed; an absent one is not an IP socket.
 * Which end is the server's comes from the tracked oldfd when it has the
 * same local end (it saw the connect or accept), else the lower port is
 * the server's (a listener's port against an ephemeral one). False for an
 * older record: on_dup copies the tracked entry instead.
 */
static bool dup_from_kernel(struct vgl_fdtrack *t, const struct vgl_event *ev,
			    const struct tfd *src)
{
	const struct vgl_param *type = vgl_event_param(ev, "type");
	struct vgl_fd_end local = { 0 }, remote = { 0 };
	bool has_l, has_r;
	struct tfd *e, keep = { 0 };

	if (!type || ev->nparams < vgl_kind_info[ev->kind].nparams)
		return false;
	has_l = kernel_end(param(ev, "laddr"), &local);
	has_r = kernel_end(param(ev, "addr"), &remote);
	if (type->absent || (!has_l && !has_r)) {
		ft_fd_forget(t, ev->hdr.pid, ev->hdr.res);
		return true;
	}
	if (src)
		keep = *src; /* ft_fd_put may move the array */
	if (!(e = ft_fd_put(t, ev->hdr.pid, ev->hdr.res)))
		return true;
	e->view.typechar = (has_l ? local.fam : remote.fam) == 4 ? '4' : '6';
	e->view.l4proto = l4proto_of(type->num.i);
	e->view.local = local;
	e->view.remote = remote;
	e->view.connected = has_r;
	if (src && keep.view.local.fam == local.fam && keep.view.local.port == local.port &&
	    !memcmp(keep.view.local.ip, local.ip, sizeof(local.ip)))
		e->view.local_is_server = keep.view.local_is_server;
	else
		e->view.local_is_server = !has_r || local.port < remote.port;
	e->cloexec = dup_cloexec(ev);
	make_name(e);
	return true;
}

static void on_dup(struct vgl_fdtrack *t, const struct vgl_event *ev)
{
	const struct vgl_param *old = param(ev, ev->kind == VGL_EV_FCNTL ? "fd" : "oldfd");
	uint32_t pid = ev->hdr.pid;
	struct tfd *src, *e, copy;

	if (!old || old->num.i == ev->hdr.res)
		return; /* dup2(fd, fd) changes nothing */
	src = ft_fd_find(ft_proc_find(t, pid, false), old->num.i);
	if (ev->kind != VGL_EV_FCNTL && dup_from_kernel(t, ev, src))
		return;
	if (!src) {
		ft_fd_forget(t, pid, ev->hdr.res);
		return;
	}
	copy = *src; /* ft_fd_put may move the array */
	if (!(e = ft_fd_put(t, pid, ev->hdr.res)))
		return;
	e->view = copy.view;
	e->view.version = vgl_state_fd_version_next();
	memcpy(e->name, copy.name, sizeof(e->name));
	e->cloexec = dup_cloexec(ev);
}

/* fcntl duplicates with F_DUPFD and F_DUPFD_CLOEXEC only (the BPF side emits no other). */
static bool fcntl_dups(const struct vgl_event *ev)
{
	const struct vgl_param *cmd = param(ev, "cmd");

	return cmd && (cmd->num.i == F_DUPFD || cmd->num.i == F_DUPFD_CLOEXEC);
}

/* pipe, pipe2, socketpair: two new numbers, neither an IP socket. */
static void on_pair(struct vgl_fdtrack *t, const struct vgl_event *ev)
{
	const struct vgl_param *fd1 = param(ev, "fd1"), *fd2 = param(ev, "fd2");

	if (fd1)
		ft_fd_forget(t, ev->hdr.pid, fd1->num.i);
	if (fd2)
		ft_fd_forget(t, ev->hdr.pid, fd2->num.i);
}

/*
 * close: the entry goes when the next event is applied, so that the close
 * itself is evaluated with it, as libsinsp removes a closed fd after its
 * event. Every close but of a bad descriptor releases the number.
 */
static void on_close(struct vgl_fdtrack *t, const struct vgl_event *ev)
{
	const struct vgl_param *fd = param(ev, "fd");

	if (!fd || ev->hdr.res == -EBADF || fd->num.i < 0 || fd->num.i > INT32_MAX)
		return;
	t->closing.pid = ev->hdr.pid;
	t->closing.fd = (int32_t)fd->num.i;
	t->closing.set = true;
}

/* A new process (not a thread) starts with a copy of its parent's descriptors. */
static void on_fork(struct vgl_fdtrack *t, const struct vgl_event *ev)
{
	const struct vgl_param *cp = param(ev, "child_pid"), *fl = param(ev, "flags");
	struct tproc *p;
	struct tfd copy;
	unsigned int i;

	if (ev->hdr.res <= 0 || !cp || cp->num.i <= 0 || (uint64_t)cp->num.i == ev->hdr.pid ||
	    (fl && (fl->num.i & CLONE_THREAD_FLAG)))
		return;
	for (i = 0; (p = ft_proc_find(t, ev->hdr.pid, false)) && i < p->n; i++) {
		struct tfd *e;

		copy = p->fds[i]; /* ft_fd_put may evict from the parent */
		if (!(e = ft_fd_put(t, (uint32_t)cp->num.i, copy.fd)))
			return;
		e->view = copy.view;
		e->view.version = vgl_state_fd_version_next();
		memcpy(e->name, copy.name, sizeof(e->name));
		e->cloexec = copy.cloexec;
	}
}

static void on_exec(struct vgl_fdtrack *t, uint32_t pid)
{
	struct tproc *p = ft_proc_find(t, pid, false);
	unsigned int i = 0;

	while (p && i < p->n) {
		if (!p->fds[i].cloexec) {
			i++;
			continue;
		}
		if (p->n == 1) {
			ft_fd_remove(t, p, &p->fds[i]);
			return;
		}
		ft_fd_remove(t, p, &p->fds[i]);
	}
}

static void on_sock_call(struct vgl_fdtrack *t, const struct vgl_event *ev)
{
	const struct vgl_param *fd = param(ev, "fd");
	int64_t res = ev->hdr.res;

	switch (ev->kind) {
	case VGL_EV_CONNECT:
		if (fd && (res == 0 || res == -EINPROGRESS))
			on_addr(t, ev, fd->num.i, false);
		return;
	case VGL_EV_BIND:
		if (fd && res == 0)
			on_addr(t, ev, fd->num.i, false);
		return;
	default: /* accept, accept4 */
		if (res >= 0)
			on_addr(t, ev, res, true);
		return;
	}
}

void vgl_fdtrack_update(struct vgl_fdtrack *t, const struct vgl_event *ev)
{
	struct tproc *p;

	if (t->closing.set) {
		t->closing.set = false;
		ft_fd_forget(t, t->closing.pid, t->closing.fd);
	}
	switch (ev->kind) {
	case VGL_EV_SOCKET:
		if (ev->hdr.res >= 0)
			on_socket(t, ev);
		return;
	case VGL_EV_CONNECT:
	case VGL_EV_BIND:
	case VGL_EV_ACCEPT:
	case VGL_EV_ACCEPT4:
		on_sock_call(t, ev);
		return;
	case VGL_EV_DUP:
	case VGL_EV_DUP2:
	case VGL_EV_DUP3:
		if (ev->hdr.res >= 0)
			on_dup(t, ev);
		return;
	case VGL_EV_FCNTL:
		if (ev->hdr.res >= 0 && fcntl_dups(ev))
			on_dup(t, ev);
		return;
	case VGL_EV_PIPE:
	case VGL_EV_PIPE2:
	case VGL_EV_SOCKETPAIR:
		if (ev->hdr.res == 0)
			on_pair(t, ev);
		return;
	case VGL_EV_CLOSE:
		on_close(t, ev);
		return;
	case VGL_EV_OPEN:
	case VGL_EV_OPENAT:
	case VGL_EV_OPENAT2:
	case VGL_EV_CREAT:
	case VGL_EV_MEMFD_CREATE:
	case VGL_EV_USERFAULTFD:
		if (ev->hdr.res >= 0)
			ft_fd_forget(t, ev->hdr.pid, ev->hdr.res);
		return;
	case VGL_EV_CLONE:
	case VGL_EV_CLONE3:
	case VGL_EV_FORK:
	case VGL_EV_VFORK:
		on_fork(t, ev);
		return;
	case VGL_EV_EXECVE:
	case VGL_EV_EXECVEAT:
		if (ev->hdr.res == 0)
			on_exec(t, ev->hdr.pid);
		return;
	case VGL_EV_PROCEXIT:
		if ((p = ft_proc_find(t, ev->hdr.pid, false)))
			ft_proc_drop(t, p);
		return;
	default:
		return;
	}
}
