// SPDX-License-Identifier: Apache-2.0
/* Process table storage: hash by pid, LRU cap, exit grace queue, /proc repair. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "state/procfs.h"
#include "state/proctable_int.h"

struct vgl_proctable *vgl_proctable_new(const struct vgl_proctable_opts *opts)
{
	struct vgl_proctable *pt = calloc(1, sizeof(*pt));

	if (!pt)
		return NULL;
	snprintf(pt->proc_root, sizeof(pt->proc_root), "%s", opts->proc_root ?: "/proc");
	pt->max = opts->max_procs ? opts->max_procs : VGL_PROCS_DEFAULT;
	if (pt->max < VGL_PROCS_MIN)
		pt->max = VGL_PROCS_MIN;
	pt->args_max = opts->args_max ? opts->args_max : VGL_PROC_ARGS_DEFAULT;
	pt->grace_ns = opts->grace_ns ? opts->grace_ns : VGL_PROC_GRACE_NS_DEFAULT;
	pt->nbuckets = vgl_pow2_ceil(pt->max);
	pt->buckets = calloc(pt->nbuckets, sizeof(*pt->buckets));
	if (!pt->buckets) {
		free(pt);
		return NULL;
	}
	pt->lru.prev = pt->lru.next = &pt->lru;
	pt->exits.xprev = pt->exits.xnext = &pt->exits;
	pt->gen = 1;
	return pt;
}

void vgl_proctable_free(struct vgl_proctable *pt)
{
	size_t i;

	if (!pt)
		return;
	while (pt->lru.next != &pt->lru)
		vgl_pt_remove(pt, pt->lru.next);
	for (i = 0; i < VGL_INTERN_SLOTS; i++)
		vgl_rstr_put(pt->intern[i]);
	free(pt->buckets);
	free(pt);
}

static struct proc_entry **bucket(struct vgl_proctable *pt, uint32_t pid)
{
	return &pt->buckets[vgl_hash64(pid) & (pt->nbuckets - 1)];
}

static void lru_unlink(struct proc_entry *e)
{
	e->prev->next = e->next;
	e->next->prev = e->prev;
}

static void lru_push(struct vgl_proctable *pt, struct proc_entry *e)
{
	e->next = pt->lru.next;
	e->prev = &pt->lru;
	pt->lru.next->prev = e;
	pt->lru.next = e;
}

struct proc_entry *vgl_pt_find(struct vgl_proctable *pt, uint32_t pid)
{
	struct proc_entry *e;

	for (e = *bucket(pt, pid); e; e = e->hnext) {
		if (e->view.pid == pid) {
			lru_unlink(e);
			lru_push(pt, e);
			e->gen = pt->gen;
			return e;
		}
	}
	return NULL;
}

void vgl_pt_set_str(struct vgl_rstr **slot, struct vgl_rstr *val)
{
	vgl_rstr_put(*slot);
	*slot = val;
}

void vgl_pt_remove(struct vgl_proctable *pt, struct proc_entry *e)
{
	struct proc_entry **pp = bucket(pt, e->view.pid);

	while (*pp != e)
		pp = &(*pp)->hnext;
	*pp = e->hnext;
	lru_unlink(e);
	if (e->xnext) {
		e->xprev->xnext = e->xnext;
		e->xnext->xprev = e->xprev;
	}
	vgl_rstr_put(e->exe);
	vgl_rstr_put(e->exepath);
	vgl_rstr_put(e->args);
	vgl_rstr_put(e->cwd);
	vgl_rstr_put(e->env);
	free(e);
	pt->count--;
	vgl_state_changed();
}

struct proc_entry *vgl_pt_insert(struct vgl_proctable *pt, uint32_t pid)
{
	struct proc_entry *e, *old, **b;

	for (old = *bucket(pt, pid); old && old->view.pid != pid; old = old->hnext)
		;
	if (old)
		vgl_pt_remove(pt, old);
	/* evict the least recently used, but never one this event already returned */
	while (pt->count >= pt->max && pt->lru.prev != &pt->lru && pt->lru.prev->gen != pt->gen) {
		vgl_pt_remove(pt, pt->lru.prev);
		pt->stats.evictions++;
	}
	e = calloc(1, sizeof(*e));
	if (!e)
		return NULL;
	e->view.pid = pid;
	e->view.tty = -1;
	e->upper = -2;
	e->gen = pt->gen;
	b = bucket(pt, pid);
	e->hnext = *b;
	*b = e;
	lru_push(pt, e);
	pt->count++;
	vgl_pt_sync_view(e);
	return e;
}

void vgl_pt_sync_view(struct proc_entry *e)
{
	struct vgl_proc_view *v = &e->view;

	/* every caller changed the entry (new, forked, exec'd, read from /proc) */
	v->version = vgl_state_version_next();
	v->lazy_version = vgl_state_version_next();

	v->name = e->comm;
	v->exe = vgl_rstr_str(e->exe);
	v->exepath = vgl_rstr_str(e->exepath);
	v->args = vgl_rstr_str(e->args);
	v->args_len = e->args ? e->args->len : 0;
	v->cwd = vgl_rstr_str(e->cwd);
	if (e->exe_flags_known)
		v->exe_from_memfd = e->exe_flags & VGL_EXE_FROM_MEMFD;
	else /* /proc/PID/exe of a process older than vigil */
		v->exe_from_memfd = v->exepath && !strncmp(v->exepath, "/memfd:", 7);
}

void vgl_pt_set_argv(struct vgl_proctable *pt, struct proc_entry *e, const char *argv, size_t len)
{
	size_t n = strnlen(argv, len), rest;

	vgl_pt_set_str(&e->exe, vgl_pt_intern(pt, argv, n));
	rest = n < len ? len - n - 1 : 0;
	if (rest > pt->args_max)
		rest = pt->args_max;
	vgl_pt_set_str(&e->args, n < len ? vgl_pt_intern(pt, argv + n + 1, rest) : NULL);
}

void vgl_pt_mark_exited(struct vgl_proctable *pt, struct proc_entry *e, uint64_t ts)
{
	if (e->xnext)
		return;
	e->exit_ts = ts;
	vgl_state_changed(); /* its proc_env is no longer read */
	e->xnext = &pt->exits;
	e->xprev = pt->exits.xprev;
	pt->exits.xprev->xnext = e;
	pt->exits.xprev = e;
}

struct vgl_rstr *vgl_pt_intern(struct vgl_proctable *pt, const char *s, size_t len)
{
	uint64_t h = 0xcbf29ce484222325ull; /* FNV-1a */
	struct vgl_rstr **slot, *r;
	size_t i;

	for (i = 0; i < len; i++)
		h = (h ^ (unsigned char)s[i]) * 0x100000001b3ull;
	slot = &pt->intern[vgl_hash64(h) % VGL_INTERN_SLOTS];
	if (*slot && (*slot)->len == len && !memcmp((*slot)->s, s, len))
		return vgl_rstr_get(*slot);
	r = vgl_rstr_new(s, len);
	if (r) {
		vgl_rstr_put(*slot);
		*slot = vgl_rstr_get(r);
	}
	return r;
}

/* @s, shared with the parent's copy when equal, else interned. */
static struct vgl_rstr *share(struct vgl_proctable *pt, struct vgl_rstr *parent, const char *s,
			      size_t len)
{
	if (!s)
		return NULL;
	if (parent && parent->len == len && !memcmp(parent->s, s, len))
		return vgl_rstr_get(parent);
	return vgl_pt_intern(pt, s, len);
}

static void fill_from_procfs(struct vgl_proctable *pt, struct proc_entry *e,
			     const struct vgl_procfs_info *in)
{
	struct proc_entry *p = in->ppid ? vgl_pt_find(pt, in->ppid) : NULL;
	struct vgl_proc_view *v = &e->view;
	size_t n;

	v->ppid = in->ppid;
	v->vpid = in->vpid;
	v->sid = in->sid;
	v->vpgid = in->vpgid;
	v->tty = in->tty;
	v->start_ts = (int64_t)in->start_ts;
	v->caps_known = in->caps_known;
	v->cap_inheritable = in->cap_inheritable;
	v->cap_permitted = in->cap_permitted;
	v->cap_effective = in->cap_effective;
	memcpy(e->comm, in->comm, VGL_COMM_LEN);
	e->exepath = share(pt, p ? p->exepath : NULL, in->exepath,
			   in->exepath ? strlen(in->exepath) : 0);
	e->cwd = share(pt, p ? p->cwd : NULL, in->cwd, in->cwd ? strlen(in->cwd) : 0);
	if (in->cmdline) {
		n = strnlen(in->cmdline, in->cmdline_len);
		e->exe = share(pt, p ? p->exe : NULL, in->cmdline, n);
		if (n < in->cmdline_len)
			e->args = share(pt, p ? p->args : NULL, in->cmdline + n + 1,
					in->cmdline_len - n - 1);
	}
	vgl_pt_sync_view(e);
}

struct proc_entry *vgl_pt_from_procfs(struct vgl_proctable *pt, uint32_t pid)
{
	struct vgl_procfs_info info;
	struct proc_entry *e = NULL;

	if (vgl_procfs_read(pt->proc_root, pid, pt->args_max, &info))
		return NULL;
	if (!info.kthread && (e = vgl_pt_insert(pt, pid)))
		fill_from_procfs(pt, e, &info);
	vgl_procfs_info_clear(&info);
	return e;
}

static int scan_one(uint32_t pid, void *data)
{
	struct vgl_proctable *pt = data;

	if (vgl_pt_from_procfs(pt, pid))
		pt->stats.scanned++;
	return pt->count >= pt->max; /* full: stop */
}

int vgl_proctable_scan(struct vgl_proctable *pt)
{
	uint64_t before = pt->stats.scanned;
	int rc = vgl_procfs_scan(pt->proc_root, pt->max, scan_one, pt);

	return rc < 0 ? rc : (int)(pt->stats.scanned - before);
}

const struct vgl_proc_view *vgl_proctable_get(struct vgl_proctable *pt, uint32_t pid, bool repair)
{
	struct proc_entry *e = vgl_pt_find(pt, pid);
	size_t slot = vgl_hash64(pid) % VGL_REPAIR_NEG_SLOTS;

	if (e || !repair || !pid)
		return e ? &e->view : NULL;
	if (pt->neg[slot].pid == pid && pt->neg[slot].until > pt->now)
		return NULL; /* /proc did not have it a moment ago */
	e = vgl_pt_from_procfs(pt, pid);
	if (!e) {
		pt->stats.repair_failures++;
		pt->neg[slot].pid = pid;
		pt->neg[slot].until = pt->now + pt->grace_ns;
		return NULL;
	}
	pt->stats.repairs++;
	return &e->view;
}

void vgl_proctable_begin(struct vgl_proctable *pt, uint64_t now_ns)
{
	struct proc_entry *e;

	pt->gen++;
	if (now_ns > pt->now)
		pt->now = now_ns;
	while ((e = pt->exits.xnext) != &pt->exits && e->exit_ts + pt->grace_ns <= pt->now) {
		vgl_pt_remove(pt, e);
		pt->stats.reaped++;
	}
}

/* Read environ, cut at VGL_PROC_ENV_MAX after the last whole variable. */
static struct vgl_rstr *read_env(const char *proc_root, uint32_t pid)
{
	char path[PATH_MAX], buf[VGL_PROC_ENV_MAX + 1];
	size_t len = 0;
	ssize_t n = 0;
	int fd;

	snprintf(path, sizeof(path), "%s/%u/environ", proc_root, pid);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return NULL;
	while (len < sizeof(buf) && (n = read(fd, buf + len, sizeof(buf) - len)) > 0)
		len += (size_t)n;
	close(fd);
	if (n < 0)
		return NULL;
	if (len > VGL_PROC_ENV_MAX) { /* more than we keep: back to a variable's end */
		len = VGL_PROC_ENV_MAX;
		while (len > 0 && buf[len - 1] != '\0')
			len--;
	}
	if (len > 0 && buf[len - 1] == '\0')
		len--; /* the last NUL is a terminator, not a separator */
	return vgl_rstr_new(buf, len);
}

const char *vgl_proctable_env(struct vgl_proctable *pt, uint32_t pid, size_t *ret_len)
{
	struct proc_entry *e = vgl_pt_find(pt, pid);

	if (!e)
		return NULL;
	if (!e->env_tried && !e->xnext) {
		e->env_tried = true;
		e->env = read_env(pt->proc_root, pid);
		if (e->env)
			e->view.lazy_version = vgl_state_version_next();
	}
	*ret_len = e->env ? e->env->len : 0;
	return vgl_rstr_str(e->env);
}

bool vgl_proctable_exe_stat(struct vgl_proctable *pt, uint32_t pid, struct vgl_exe_stat *ret)
{
	struct proc_entry *e = vgl_pt_find(pt, pid);

	if (!e || !e->exe_stat_known)
		return false;
	*ret = e->exe_stat;
	return true;
}

int vgl_proctable_upper(struct vgl_proctable *pt, uint32_t pid)
{
	struct proc_entry *e = vgl_pt_find(pt, pid);

	return e ? e->upper : -1;
}

void vgl_proctable_set_upper(struct vgl_proctable *pt, uint32_t pid, int upper)
{
	struct proc_entry *e = vgl_pt_find(pt, pid);

	if (e && e->upper != (int8_t)upper) {
		e->upper = (int8_t)upper;
		e->view.lazy_version = vgl_state_version_next();
	}
}

void vgl_proctable_stats(const struct vgl_proctable *pt, struct vgl_proctable_stats *ret)
{
	*ret = pt->stats;
	ret->entries = pt->count;
}
