// SPDX-License-Identifier: Apache-2.0
/* The container event: which containers are new, and its record (ctrnews.h). */
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "state/containers_int.h"
#include "state/ctrnews.h"

#define SEEN_SLOTS (VGL_CTR_SEEN_MAX * 2) /* a power of 2: at most half full */

static uint64_t id_hash(const char *id)
{
	uint64_t h = 1469598103934665603ull; /* FNV-1a */

	for (; *id; id++)
		h = (h ^ (unsigned char)*id) * 1099511628211ull;
	return h ? h : 1; /* 0 marks an empty slot */
}

/* Add @id to the announced set: true when it was not there. */
static bool seen_add(struct vgl_ctr_cache *c, const char *id)
{
	struct ctr_seen *s = &c->seen;
	uint64_t h = id_hash(id);
	size_t i;

	if (!s->slots && !(s->slots = calloc(SEEN_SLOTS, sizeof(*s->slots))))
		return true; /* no memory to remember: announce rather than never */
	if (s->count >= VGL_CTR_SEEN_MAX) {
		memset(s->slots, 0, SEEN_SLOTS * sizeof(*s->slots));
		s->count = 0;
		c->stats.seen_resets++;
	}
	for (i = h & (SEEN_SLOTS - 1); s->slots[i]; i = (i + 1) & (SEEN_SLOTS - 1)) {
		if (s->slots[i] == h)
			return false;
	}
	s->slots[i] = h;
	s->count++;
	return true;
}

static const struct ctr_entry *entry_of(const struct vgl_container_view *v)
{
	return (const struct ctr_entry *)((const char *)v - offsetof(struct ctr_entry, view));
}

/* @v's container, if it is one not announced yet (then marked). */
static bool announce(struct vgl_ctr_cache *c, const struct vgl_container_view *v,
		     struct vgl_ctr_news *ret)
{
	if (!v || !vgl_ctr_cache_meta(v)) /* unknown, or the host */
		return false;
	if (!seen_add(c, entry_of(v)->ci.id))
		return false;
	c->stats.announced++;
	snprintf(ret->id, sizeof(ret->id), "%s", v->id);
	snprintf(ret->type, sizeof(ret->type), "%s", v->type ? v->type : "");
	ret->hdr.kind = VGL_EV_CONTAINER;
	ret->hdr.flags = 0;
	ret->hdr.res = 0;
	ret->hdr.nparams = 2;
	return true;
}

static uint64_t ino_of(const char *path)
{
	struct stat st;

	return stat(path, &st) ? 0 : (uint64_t)st.st_ino;
}

/* Is @id in the announced set? */
static bool seen_has(const struct vgl_ctr_cache *c, const char *id)
{
	const struct ctr_seen *s = &c->seen;
	uint64_t h = id_hash(id);

	for (size_t i = h & (SEEN_SLOTS - 1); s->slots && s->slots[i];
	     i = (i + 1) & (SEEN_SLOTS - 1))
		if (s->slots[i] == h)
			return true;
	return false;
}

/*
 * Has @ev's process left its parent's mount namespace? runc's init execs
 * itself in the container's cgroup, in the mount namespace of runc (its
 * parent), before it makes the container's and applies its capabilities,
 * seccomp filter and no_new_privs; the entrypoint's exec comes after, in
 * the container's mount namespace, its parent the shim. A parent gone
 * (unknown) counts as left.
 */
static bool left_parent_mntns(const struct vgl_ctr_cache *c, const struct vgl_hdr *h)
{
	char path[PATH_MAX];

	snprintf(path, sizeof(path), "%s/%u/ns/mnt", c->proc_root, h->ppid);
	return !h->ppid || ino_of(path) != h->mntns;
}

bool vgl_ctrnews_exec(struct vgl_ctr_cache *c, const struct vgl_event *ev, uint64_t now,
		      struct vgl_ctr_news *ret)
{
	const struct vgl_container_view *v;

	if ((ev->kind != VGL_EV_EXECVE && ev->kind != VGL_EV_EXECVEAT) || ev->hdr.res != 0)
		return false;
	v = vgl_ctr_cache_lookup(c, ev->hdr.cgroup_id, ev->hdr.pid, now);
	if (!v || !vgl_ctr_cache_meta(v) || seen_has(c, entry_of(v)->ci.id))
		return false;
	if (!left_parent_mntns(c, &ev->hdr))
		return false; /* the runtime's init: not yet */
	ret->hdr = ev->hdr;
	return announce(c, v, ret);
}

/* The ids /proc shows of @pid: 0 or -errno (the process is gone). */
static int read_ids(const char *proc_root, uint32_t pid, struct vgl_hdr *h)
{
	char path[PATH_MAX], line[256];
	unsigned int u[4];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%u/status", proc_root, pid);
	if (!(f = fopen(path, "re")))
		return -errno;
	while (fgets(line, sizeof(line), f)) {
		if (sscanf(line, "PPid: %u", &u[0]) == 1)
			h->ppid = u[0];
		else if (sscanf(line, "Uid: %u %u", &u[0], &u[1]) == 2)
			h->uid = u[0], h->euid = u[1];
		else if (sscanf(line, "Gid: %u %u", &u[0], &u[1]) == 2)
			h->gid = u[0], h->egid = u[1];
	}
	fclose(f);
	snprintf(path, sizeof(path), "%s/%u/comm", proc_root, pid);
	if ((f = fopen(path, "re"))) {
		if (fgets(h->comm, sizeof(h->comm), f))
			h->comm[strcspn(h->comm, "\n")] = 0;
		fclose(f);
	}
	h->loginuid = (uint32_t)-1;
	snprintf(path, sizeof(path), "%s/%u/loginuid", proc_root, pid);
	if ((f = fopen(path, "re"))) {
		if (fscanf(f, "%u", &u[0]) == 1)
			h->loginuid = u[0];
		fclose(f);
	}
	snprintf(path, sizeof(path), "%s/%u/ns/mnt", proc_root, pid);
	h->mntns = (uint32_t)ino_of(path);
	snprintf(path, sizeof(path), "%s/%u/ns/pid", proc_root, pid);
	h->pidns = (uint32_t)ino_of(path);
	h->pid = h->tid = pid;
	return 0;
}

static uint64_t cgroup_id_of(struct vgl_ctr_cache *c, const struct vgl_cgroup_source *src)
{
	const char *mnt = ctr_cgroup2_mount(c);
	char path[PATH_MAX];

	if (!src->from_v2 || !mnt[0] || !src->v2_path[0])
		return 0;
	snprintf(path, sizeof(path), "%s%s", mnt, src->v2_path);
	return ino_of(path);
}

/* Announce @pid's container if it is a new one. */
static bool scan_pid(struct vgl_ctr_cache *c, const char *proc_root, uint32_t pid, uint64_t now,
		     struct vgl_ctr_news *n)
{
	struct vgl_cgroup_source src;
	struct vgl_cgroup_info ci;
	uint64_t cgid;

	if (ctr_read_cgroup(c, pid, &ci, &src) <= 0) /* gone, or the host */
		return false;
	memset(n, 0, sizeof(*n));
	if (read_ids(proc_root, pid, &n->hdr))
		return false;
	cgid = cgroup_id_of(c, &src);
	if (!announce(c, vgl_ctr_cache_lookup(c, cgid, pid, now), n))
		return false;
	n->hdr.ts = now;
	n->hdr.cgroup_id = cgid;
	return true;
}

size_t vgl_ctrnews_scan(struct vgl_ctr_cache *c, const char *proc_root, uint64_t now_ns,
			vgl_ctrnews_fn fn, void *ctx)
{
	DIR *d = opendir(proc_root);
	struct vgl_ctr_news n;
	struct dirent *de;
	size_t count = 0;

	if (!d)
		return 0;
	/* /proc lists pids in increasing order: a container's first is its lowest */
	while ((de = readdir(d))) {
		char *end;
		unsigned long pid = strtoul(de->d_name, &end, 10);

		if (!isdigit((unsigned char)de->d_name[0]) || *end || !pid || pid > UINT32_MAX)
			continue;
		if (scan_pid(c, proc_root, (uint32_t)pid, now_ns, &n)) {
			fn(ctx, &n);
			count++;
		}
	}
	closedir(d);
	return count;
}

size_t vgl_ctrnews_record(const struct vgl_ctr_news *n, void *buf, size_t size)
{
	size_t id_len = strlen(n->id) + 1, type_len = strlen(n->type) + 1;
	size_t total = sizeof(n->hdr) + 2 * sizeof(uint16_t) + id_len + type_len;
	uint16_t lens[2] = { (uint16_t)id_len, (uint16_t)type_len };
	struct vgl_hdr h = n->hdr;
	char *p = buf;

	if (total > size || total > VGL_EVENT_MAX)
		return 0;
	h.size = (uint32_t)total;
	h.nparams = 2;
	memcpy(p, &h, sizeof(h));
	memcpy(p + sizeof(h), lens, sizeof(lens));
	memcpy(p + sizeof(h) + sizeof(lens), n->id, id_len);
	memcpy(p + sizeof(h) + sizeof(lens) + id_len, n->type, type_len);
	return total;
}
