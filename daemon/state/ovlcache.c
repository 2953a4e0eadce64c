// SPDX-License-Identifier: Apache-2.0
/* Overlay mounts per container, for proc.is_exe_upper_layer (overlay.h). */
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "state/cgroup.h"
#include "state/overlay.h"
#include "state/util.h"

struct ovl_slot {
	char id[VGL_CTR_NAME_MAX + 1]; /* "" free */
	dev_t root_dev;		       /* the root directory its processes see */
	ino_t root_ino;
	uint64_t loaded, used;
	struct vgl_ovl_mounts mounts;
};

struct vgl_ovl_cache {
	char proc_root[PATH_MAX / 2];
	char host_root[PATH_MAX / 2];
	uint64_t ttl_ns, tick;
	struct ovl_slot slots[VGL_OVL_CACHE_SLOTS];
};

struct vgl_ovl_cache *vgl_ovl_cache_new(const char *proc_root, const char *host_root,
					uint64_t ttl_ns)
{
	struct vgl_ovl_cache *c = calloc(1, sizeof(*c));

	if (!c)
		return NULL;
	snprintf(c->proc_root, sizeof(c->proc_root), "%s", proc_root ?: "/proc");
	/* "/" adds nothing in front of an absolute upperdir */
	snprintf(c->host_root, sizeof(c->host_root), "%s",
		 host_root && strcmp(host_root, "/") ? host_root : "");
	c->ttl_ns = ttl_ns;
	return c;
}

void vgl_ovl_cache_free(struct vgl_ovl_cache *c)
{
	if (!c)
		return;
	for (size_t i = 0; i < VGL_OVL_CACHE_SLOTS; i++)
		vgl_ovl_mounts_clear(&c->slots[i].mounts);
	free(c);
}

static int load(struct vgl_ovl_cache *c, struct ovl_slot *s, const char *id, uint32_t pid,
		const struct stat *root, uint64_t now)
{
	char path[PATH_MAX], *buf;
	struct vgl_ovl_mounts m;
	size_t len;
	int rc;

	snprintf(path, sizeof(path), "%s/%u/mountinfo", c->proc_root, pid);
	rc = vgl_read_file(path, VGL_OVL_MOUNTINFO_MAX, &buf, &len);
	if (rc)
		return rc;
	rc = vgl_ovl_parse_mountinfo(buf, len, &m);
	free(buf);
	if (rc)
		return rc;
	vgl_ovl_mounts_clear(&s->mounts);
	s->mounts = m;
	snprintf(s->id, sizeof(s->id), "%s", id);
	s->root_dev = root->st_dev;
	s->root_ino = root->st_ino;
	s->loaded = now;
	return 0;
}

/*
 * The mounts @pid sees. A container's processes share them once it runs,
 * but not while the runtime sets it up (before pivot_root): a slot is for
 * one container *and* root directory. When @pid is gone, the container's
 * last read mounts answer for it (its short-lived processes).
 */
static struct ovl_slot *get(struct vgl_ovl_cache *c, const char *id, uint32_t pid, uint64_t now)
{
	struct ovl_slot *s = NULL, *last = NULL, *lru = &c->slots[0];
	char path[PATH_MAX];
	struct stat root;
	bool alive;

	snprintf(path, sizeof(path), "%s/%u/root/", c->proc_root, pid);
	alive = stat(path, &root) == 0;
	for (size_t i = 0; i < VGL_OVL_CACHE_SLOTS; i++) {
		struct ovl_slot *t = &c->slots[i];

		if (t->id[0] && !strcmp(t->id, id)) {
			if (alive && t->root_dev == root.st_dev && t->root_ino == root.st_ino)
				s = t;
			if (!last || t->loaded > last->loaded)
				last = t;
		}
		if (t->used < lru->used)
			lru = t;
	}
	if (!alive)
		s = last;
	else if (s && now - s->loaded >= c->ttl_ns)
		load(c, s, id, pid, &root, now); /* on failure the old answer stays */
	else if (!s && !load(c, lru, id, pid, &root, now))
		s = lru;
	if (s)
		s->used = ++c->tick;
	return s;
}

int vgl_ovl_cache_in_upper(struct vgl_ovl_cache *c, const char *id, uint32_t pid, const char *path,
			   uint64_t now_ns)
{
	struct ovl_slot *s = get(c, id, pid, now_ns);

	return s ? vgl_ovl_in_upper(&s->mounts, c->host_root, path) : -1;
}
