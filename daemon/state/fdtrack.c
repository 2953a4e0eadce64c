// SPDX-License-Identifier: Apache-2.0
/* The fd tracker's table (fdtrack.h): entries per process, bounded, LRU over processes. */
#include <stdlib.h>
#include <string.h>

#include "state/fdtrack_int.h"
#include "state/util.h"

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

void ft_proc_drop(struct vgl_fdtrack *t, struct tproc *p)
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
		ft_proc_drop(t, t->lru.next);
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

struct tproc *ft_proc_find(struct vgl_fdtrack *t, uint32_t pid, bool create)
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

struct tfd *ft_fd_find(struct tproc *p, int64_t fd)
{
	for (unsigned int i = 0; p && i < p->n; i++) {
		if (p->fds[i].fd == fd)
			return &p->fds[i];
	}
	return NULL;
}

void ft_fd_remove(struct vgl_fdtrack *t, struct tproc *p, struct tfd *e)
{
	*e = p->fds[--p->n];
	t->count--;
	if (!p->n)
		ft_proc_drop(t, p);
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
			ft_fd_remove(t, victim, &victim->fds[old]);
		} else {
			victim->fds[old] = victim->fds[--victim->n];
			t->count--;
		}
	}
}

/* The entry of (@pid, @fd), made empty (a new version) if it exists or created. */
struct tfd *ft_fd_put(struct vgl_fdtrack *t, uint32_t pid, int64_t fd)
{
	struct tproc *p;
	struct tfd *e;

	if (fd < 0 || fd > INT32_MAX || !(p = ft_proc_find(t, pid, true)))
		return NULL;
	e = ft_fd_find(p, fd);
	if (!e) {
		make_room(t, p);
		if (p->n == p->cap) {
			unsigned int cap = p->cap ? p->cap * 2 : 4;
			struct tfd *n = realloc(p->fds, cap * sizeof(*n));

			if (!n) {
				if (!p->n)
					ft_proc_drop(t, p);
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

void ft_fd_forget(struct vgl_fdtrack *t, uint32_t pid, int64_t fd)
{
	struct tproc *p = ft_proc_find(t, pid, false);
	struct tfd *e = ft_fd_find(p, fd);

	if (e)
		ft_fd_remove(t, p, e);
}

const struct vgl_fd_view *vgl_fdtrack_get(struct vgl_fdtrack *t, uint32_t pid, int64_t fd)
{
	struct tproc *p = ft_proc_find(t, pid, false);
	struct tfd *e = ft_fd_find(p, fd);

	if (!e)
		return NULL;
	e->view.name = e->name[0] ? e->name : NULL;
	return &e->view;
}

void vgl_fdtrack_counts(const struct vgl_fdtrack *t, size_t *ret_entries, uint64_t *ret_evictions)
{
	*ret_entries = t->count;
	*ret_evictions = t->evictions;
}
