// SPDX-License-Identifier: Apache-2.0
/* (pid, fd) -> descriptor view, from /proc on demand, cached and revalidated. */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "state/fdtable.h"
#include "state/fdtrack.h"
#include "state/util.h"

struct fd_entry {
	uint64_t key; /* pid << 32 | fd */
	struct fd_entry *hnext, *prev, *next;
	char *link; /* what /proc/PID/fd/N said when the view was made */
	char *name; /* the view's name */
	bool retry; /* a socket not in the tables yet (unbound): classify again */
	struct vgl_fd_view view;
};

struct vgl_fdtable {
	char proc_root[PATH_MAX / 2];
	size_t max, count, nbuckets;
	struct fd_entry **buckets;
	struct fd_entry lru;
	struct vgl_fdtable_stats stats;
	struct vgl_fdtrack *track; /* IP sockets followed from events */
};

struct vgl_fdtable *vgl_fdtable_new(const char *proc_root, size_t max_entries)
{
	struct vgl_fdtable *t = calloc(1, sizeof(*t));

	if (!t)
		return NULL;
	snprintf(t->proc_root, sizeof(t->proc_root), "%s", proc_root ?: "/proc");
	t->max = max_entries ? max_entries : VGL_FDS_DEFAULT;
	t->nbuckets = vgl_pow2_ceil(t->max);
	t->buckets = calloc(t->nbuckets, sizeof(*t->buckets));
	t->track = vgl_fdtrack_new(0);
	if (!t->buckets || !t->track) {
		free(t->buckets);
		vgl_fdtrack_free(t->track);
		free(t);
		return NULL;
	}
	t->lru.prev = t->lru.next = &t->lru;
	return t;
}

static struct fd_entry **bucket(struct vgl_fdtable *t, uint64_t key)
{
	return &t->buckets[vgl_hash64(key) & (t->nbuckets - 1)];
}

static void remove_entry(struct vgl_fdtable *t, struct fd_entry *e)
{
	struct fd_entry **pp = bucket(t, e->key);

	while (*pp != e)
		pp = &(*pp)->hnext;
	*pp = e->hnext;
	e->prev->next = e->next;
	e->next->prev = e->prev;
	free(e->link);
	free(e->name);
	free(e);
	t->count--;
}

void vgl_fdtable_free(struct vgl_fdtable *t)
{
	if (!t)
		return;
	while (t->lru.next != &t->lru)
		remove_entry(t, t->lru.next);
	vgl_fdtrack_free(t->track);
	free(t->buckets);
	free(t);
}

static struct fd_entry *find(struct vgl_fdtable *t, uint64_t key)
{
	struct fd_entry *e;

	for (e = *bucket(t, key); e && e->key != key; e = e->hnext)
		;
	if (e) {
		e->prev->next = e->next;
		e->next->prev = e->prev;
		e->next = t->lru.next;
		e->prev = &t->lru;
		t->lru.next->prev = e;
		t->lru.next = e;
	}
	return e;
}

/* Look @ino up in the process's socket tables. */
static bool find_socket(struct vgl_fdtable *t, uint32_t pid, uint64_t ino,
			struct vgl_sock_info *ret)
{
	static const char *const tables[] = { "tcp", "tcp6", "udp", "udp6", "unix", "raw", "raw6" };
	char path[PATH_MAX], *text;
	size_t i, len;
	bool found = false;

	t->stats.net_scans++;
	for (i = 0; i < sizeof(tables) / sizeof(tables[0]) && !found; i++) {
		snprintf(path, sizeof(path), "%s/%u/net/%s", t->proc_root, pid, tables[i]);
		if (vgl_read_file(path, VGL_NET_FILE_MAX, &text, &len))
			continue;
		found = vgl_net_find(tables[i], text, ino, ret);
		free(text);
	}
	return found;
}

/* Fill @e's view from its link. */
static void classify(struct vgl_fdtable *t, struct fd_entry *e, uint32_t pid, const char *fdpath)
{
	struct vgl_fd_view *v = &e->view;
	struct vgl_sock_info si;
	uint64_t ino = 0;
	struct stat st;

	memset(v, 0, sizeof(*v));
	v->version = vgl_state_fd_version_next();
	v->typechar = vgl_fd_link_type(e->link, &ino);
	if (v->typechar == 'f' && !stat(fdpath, &st) && S_ISDIR(st.st_mode))
		v->typechar = 'd';
	if (v->typechar) {
		e->name = strdup(e->link);
		v->name = e->name;
	} else if (ino && find_socket(t, pid, ino, &si)) {
		e->name = strdup(si.name);
		v->typechar = si.typechar;
		v->l4proto = si.l4proto;
		v->connected = si.connected;
		v->name = e->name;
	} else {
		e->retry = ino != 0;
	}
}

/* The view of @link (what /proc/PID/fd/N says now), cached while the link stays. */
static const struct vgl_fd_view *proc_view(struct vgl_fdtable *t, uint32_t pid, uint64_t key,
					   const char *path, const char *link)
{
	struct fd_entry *e = find(t, key);

	if (e && !strcmp(e->link, link) && !e->retry)
		return &e->view;
	if (e)
		remove_entry(t, e);
	while (t->count >= t->max && t->lru.prev != &t->lru) {
		remove_entry(t, t->lru.prev);
		t->stats.evictions++;
	}
	e = calloc(1, sizeof(*e));
	if (!e || !(e->link = strdup(link))) {
		free(e);
		return NULL;
	}
	e->key = key;
	e->hnext = *bucket(t, key);
	*bucket(t, key) = e;
	e->next = t->lru.next;
	e->prev = &t->lru;
	t->lru.next->prev = e;
	t->lru.next = e;
	t->count++;
	classify(t, e, pid, path);
	return &e->view;
}

/*
 * The tracked entry when the process or the number is gone from /proc (a
 * short-lived process), or when /proc still shows a socket there (the
 * tracked one knows both ends); /proc when it shows something else there
 * (the number was reused by a call vigil does not capture, close + pipe).
 */
const struct vgl_fd_view *vgl_fdtable_get(struct vgl_fdtable *t, uint32_t pid, int64_t fd)
{
	uint64_t key = (uint64_t)pid << 32 | (uint32_t)fd;
	char path[PATH_MAX], link[PATH_MAX];
	const struct vgl_fd_view *tracked;
	struct fd_entry *e;
	ssize_t n;

	if (fd < 0 || fd > INT32_MAX || !pid)
		return NULL;
	t->stats.lookups++;
	tracked = vgl_fdtrack_get(t->track, pid, fd);
	snprintf(path, sizeof(path), "%s/%u/fd/%lld", t->proc_root, pid, (long long)fd);
	n = readlink(path, link, sizeof(link) - 1);
	if (n <= 0) { /* closed or gone: what we had from /proc is stale */
		if ((e = find(t, key)))
			remove_entry(t, e);
		return tracked;
	}
	link[n] = '\0';
	if (tracked && !strncmp(link, "socket:[", 8))
		return tracked;
	return proc_view(t, pid, key, path, link);
}

void vgl_fdtable_update(struct vgl_fdtable *t, const struct vgl_event *ev)
{
	const struct vgl_param *p;
	struct fd_entry *e;

	vgl_fdtrack_update(t->track, ev);
	if (ev->kind != VGL_EV_CONNECT || (ev->hdr.res != 0 && ev->hdr.res != -EINPROGRESS))
		return;
	p = vgl_event_param(ev, "fd");
	if (!p || p->absent || p->num.i < 0 || p->num.i > INT32_MAX)
		return;
	e = find(t, (uint64_t)ev->hdr.pid << 32 | (uint32_t)p->num.i);
	if (e && e->view.typechar && strchr("46u", e->view.typechar) && !e->view.connected) {
		e->view.connected = true;
		e->view.version = vgl_state_fd_version_next();
	}
}

void vgl_fdtable_stats(const struct vgl_fdtable *t, struct vgl_fdtable_stats *ret)
{
	uint64_t tracked_evictions;

	*ret = t->stats;
	ret->entries = t->count;
	vgl_fdtrack_counts(t->track, &ret->tracked, &tracked_evictions);
	ret->tracked_evictions = tracked_evictions;
	ret->evictions += tracked_evictions;
}
