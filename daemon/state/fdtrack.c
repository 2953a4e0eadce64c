// SPDX-License-Identifier: Apache-2.0
/* IP sockets followed from events (fdtrack.h): per process, bounded, LRU. */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "state/fdtrack.h"
#include "state/util.h"

#define CLONE_THREAD_FLAG 0x00010000 /* CLONE_THREAD: same process, same table */

struct tfd {
	int32_t fd;
	bool cloexec;
	uint64_t changed; /* tick of the last change: the per-process eviction order */
	char name[VGL_FDTRACK_NAME_MAX];
	struct vgl_fd_view view; /* view.name is set by get(): the array may move */
};

struct tproc {
	uint32_t pid;
	struct tproc *hnext, *prev, *next; /* hash chain; LRU list, most recent first */
	unsigned int n, cap;
	struct tfd *fds;
};

struct vgl_fdtrack {
	size_t max, count, nbuckets;
	uint64_t tick, evictions;
	struct tproc **buckets;
	struct tproc lru;
};

struct vgl_fdtrack *vgl_fdtrack_new(size_t max_entries)
{
	struct vgl_fdtrack *t = calloc(1, sizeof(*t));

	if (!t)
		return NULL;
	t->max = max_entries ? max_entries : VGL_FDTRACK_DEFAULT;
	t->nbuckets = vgl_pow2_ceil(t->max);
	t->buckets = calloc(t->nbuckets, sizeof(*t->buckets));
	if (!t->buckets) {
		free(t);
		return NULL;
	}
	t->lru.prev = t->lru.next = &t->lru;
	return t;
}

static struct tproc **bucket(struct vgl_fdtrack *t, uint32_t pid)
{
	return &t->buckets[vgl_hash64(pid) & (t->nbuckets - 1)];
}

static void proc_drop(struct vgl_fdtrack *t, struct tproc *p)
{
	struct tproc **pp = bucket(t, p->pid);

	while (*pp != p)
		pp = &(*pp)->hnext;
	*pp = p->hnext;
	p->prev->next = p->next;
	p->next->prev = p->prev;
	t->count -= p->n;
	free(p->fds);
	free(p);
}

void vgl_fdtrack_free(struct vgl_fdtrack *t)
{
	if (!t)
		return;
	while (t->lru.next != &t->lru)
		proc_drop(t, t->lru.next);
	free(t->buckets);
	free(t);
}

static void lru_front(struct vgl_fdtrack *t, struct tproc *p)
{
	p->prev->next = p->next;
	p->next->prev = p->prev;
	p->next = t->lru.next;
	p->prev = &t->lru;
	t->lru.next->prev = p;
	t->lru.next = p;
}

static struct tproc *proc_find(struct vgl_fdtrack *t, uint32_t pid, bool create)
{
	struct tproc *p;

	for (p = *bucket(t, pid); p && p->pid != pid; p = p->hnext)
		;
	if (p) {
		lru_front(t, p);
		return p;
	}
	if (!create || !(p = calloc(1, sizeof(*p))))
		return NULL;
	p->pid = pid;
	p->hnext = *bucket(t, pid);
	*bucket(t, pid) = p;
	p->prev = p->next = p;
	lru_front(t, p);
	return p;
}

static struct tfd *fd_find(struct tproc *p, int64_t fd)
{
	for (unsigned int i = 0; p && i < p->n; i++) {
		if (p->fds[i].fd == fd)
			return &p->fds[i];
	}
	return NULL;
}

static void fd_remove(struct vgl_fdtrack *t, struct tproc *p, struct tfd *e)
{
	*e = p->fds[--p->n];
	t->count--;
	if (!p->n)
		proc_drop(t, p);
}

/* Make room for one entry: the oldest of @p if it is full, of the LRU process if all are. */
static void make_room(struct vgl_fdtrack *t, struct tproc *p)
{
	struct tproc *victim;
	unsigned int i, old;

	for (;;) {
		victim = p->n >= VGL_FDTRACK_PER_PROC ? p : t->count >= t->max ? t->lru.prev : NULL;
		if (!victim)
			return;
		if (victim == p && p->n == 0)
			return; /* max below one entry: nothing to evict */
		for (old = 0, i = 1; i < victim->n; i++) {
			if (victim->fds[i].changed < victim->fds[old].changed)
				old = i;
		}
		t->evictions++;
		if (victim != p || victim->n > 1) {
			fd_remove(t, victim, &victim->fds[old]);
		} else {
			victim->fds[old] = victim->fds[--victim->n];
			t->count--;
		}
	}
}

/* The entry of (@pid, @fd), made empty (a new version) if it exists or created. */
static struct tfd *fd_put(struct vgl_fdtrack *t, uint32_t pid, int64_t fd)
{
	struct tproc *p;
	struct tfd *e;

	if (fd < 0 || fd > INT32_MAX || !(p = proc_find(t, pid, true)))
		return NULL;
	e = fd_find(p, fd);
	if (!e) {
		make_room(t, p);
		if (p->n == p->cap) {
			unsigned int cap = p->cap ? p->cap * 2 : 4;
			struct tfd *n = realloc(p->fds, cap * sizeof(*n));

			if (!n) {
				if (!p->n)
					proc_drop(t, p);
				return NULL;
			}
			p->fds = n;
			p->cap = cap;
		}
		e = &p->fds[p->n++];
		t->count++;
	}
	memset(e, 0, sizeof(*e));
	e->fd = (int32_t)fd;
	e->changed = ++t->tick;
	e->view.version = vgl_state_fd_version_next();
	return e;
}

static void fd_forget(struct vgl_fdtrack *t, uint32_t pid, int64_t fd)
{
	struct tproc *p = proc_find(t, pid, false);
	struct tfd *e = fd_find(p, fd);

	if (e)
		fd_remove(t, p, e);
}

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
		fd_forget(t, ev->hdr.pid, fd);
		return;
	}
	e = fresh ? NULL : fd_find(proc_find(t, ev->hdr.pid, false), fd);
	if (e) /* what socket() said: the protocol, close-on-exec */
		keep = *e;
	if (!(e = fd_put(t, ev->hdr.pid, fd)))
		return;
	e->cloexec = keep.cloexec;
	e->view.typechar = (has_l ? local.fam : remote.fam) == 4 ? '4' : '6';
	/* accept() works on stream sockets only */
	e->view.l4proto = keep.view.l4proto ? keep.view.l4proto : fresh ? "tcp" : NULL;
	e->view.local = has_l ? local : keep.view.local;
	e->view.remote = remote;
	e->view.local_is_server = server;
	e->view.connected = ev->kind != VGL_EV_BIND;
	make_name(e);
}

static void on_socket(struct vgl_fdtrack *t, const struct vgl_event *ev)
{
	const struct vgl_param *dom = param(ev, "domain"), *type = param(ev, "type");
	struct tfd *e;

	if (!dom || (dom->num.i != AF_INET && dom->num.i != AF_INET6)) {
		fd_forget(t, ev->hdr.pid, ev->hdr.res);
		return;
	}
	if (!(e = fd_put(t, ev->hdr.pid, ev->hdr.res)))
		return;
	e->view.typechar = dom->num.i == AF_INET ? '4' : '6';
	switch (type ? type->num.i & 0xf : -1) {
	case SOCK_STREAM:
		e->view.l4proto = "tcp";
		break;
	case SOCK_DGRAM:
		e->view.l4proto = "udp";
		break;
	case SOCK_RAW:
		e->view.l4proto = "raw";
		break;
	}
	e->cloexec = type && (type->num.i & SOCK_CLOEXEC);
}

static void on_dup(struct vgl_fdtrack *t, const struct vgl_event *ev)
{
	const struct vgl_param *old = param(ev, "oldfd"), *fl = param(ev, "flags");
	uint32_t pid = ev->hdr.pid;
	struct tfd *src, *e, copy;

	if (!old || old->num.i == ev->hdr.res)
		return; /* dup2(fd, fd) changes nothing */
	src = fd_find(proc_find(t, pid, false), old->num.i);
	if (!src) {
		fd_forget(t, pid, ev->hdr.res);
		return;
	}
	copy = *src; /* fd_put may move the array */
	if (!(e = fd_put(t, pid, ev->hdr.res)))
		return;
	e->view = copy.view;
	e->view.version = vgl_state_fd_version_next();
	memcpy(e->name, copy.name, sizeof(e->name));
	e->cloexec = ev->kind == VGL_EV_DUP3 && fl && (fl->num.i & O_CLOEXEC);
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
	for (i = 0; (p = proc_find(t, ev->hdr.pid, false)) && i < p->n; i++) {
		struct tfd *e;

		copy = p->fds[i]; /* fd_put may evict from the parent */
		if (!(e = fd_put(t, (uint32_t)cp->num.i, copy.fd)))
			return;
		e->view = copy.view;
		e->view.version = vgl_state_fd_version_next();
		memcpy(e->name, copy.name, sizeof(e->name));
		e->cloexec = copy.cloexec;
	}
}

static void on_exec(struct vgl_fdtrack *t, uint32_t pid)
{
	struct tproc *p = proc_find(t, pid, false);
	unsigned int i = 0;

	while (p && i < p->n) {
		if (!p->fds[i].cloexec) {
			i++;
			continue;
		}
		if (p->n == 1) {
			fd_remove(t, p, &p->fds[i]);
			return;
		}
		fd_remove(t, p, &p->fds[i]);
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
	case VGL_EV_OPEN:
	case VGL_EV_OPENAT:
	case VGL_EV_OPENAT2:
	case VGL_EV_CREAT:
	case VGL_EV_MEMFD_CREATE:
	case VGL_EV_USERFAULTFD:
		if (ev->hdr.res >= 0)
			fd_forget(t, ev->hdr.pid, ev->hdr.res);
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
		if ((p = proc_find(t, ev->hdr.pid, false)))
			proc_drop(t, p);
		return;
	default:
		return;
	}
}

const struct vgl_fd_view *vgl_fdtrack_get(struct vgl_fdtrack *t, uint32_t pid, int64_t fd)
{
	struct tproc *p = proc_find(t, pid, false);
	struct tfd *e = fd_find(p, fd);

	if (!e)
		return NULL;
	e->view.name = e->name[0] ? e->name : NULL;
	return &e->view;
}

void vgl_fdtrack_kinds(bool kinds[VGL_EV_MAX])
{
	static const enum vgl_kind sock[] = { VGL_EV_SOCKET, VGL_EV_CONNECT, VGL_EV_ACCEPT,
					      VGL_EV_ACCEPT4, VGL_EV_BIND };

	if (!kinds[VGL_EV_DUP] && !kinds[VGL_EV_DUP2] && !kinds[VGL_EV_DUP3])
		return;
	for (size_t i = 0; i < sizeof(sock) / sizeof(sock[0]); i++)
		kinds[sock[i]] = true;
}

void vgl_fdtrack_counts(const struct vgl_fdtrack *t, size_t *ret_entries, uint64_t *ret_evictions)
{
	*ret_entries = t->count;
	*ret_evictions = t->evictions;
}
