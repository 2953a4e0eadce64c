// SPDX-License-Identifier: Apache-2.0
#define _GNU_SOURCE /* open_by_handle_at, memmem */
/* Container cache: cgroup id / pid -> container view, bounded LRU. */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "state/cgroup_rel.h"
#include "state/containers_int.h"
#include "vigil/events.h"

static const struct vgl_container_view host_view = { .id = "host",
						     .name = "host",
						     .version = VGL_STATE_VERSION_HOST };

struct vgl_ctr_cache *vgl_ctr_cache_new(const struct vgl_ctr_cache_opts *opts)
{
	struct vgl_ctr_cache *c = calloc(1, sizeof(*c));

	if (!c)
		return NULL;
	snprintf(c->proc_root, sizeof(c->proc_root), "%s", opts->proc_root ?: "/proc");
	c->roots = opts->roots;
	c->max = opts->max_entries ? opts->max_entries : VGL_CTR_CACHE_DEFAULT;
	c->retry_ns = opts->retry_ns ? opts->retry_ns : VGL_CTR_RETRY_NS_DEFAULT;
	c->nbuckets = vgl_pow2_ceil(c->max);
	c->buckets = calloc(c->nbuckets, sizeof(*c->buckets));
	if (!c->buckets) {
		free(c);
		return NULL;
	}
	c->lru.prev = c->lru.next = &c->lru;
	if (opts->async && !(c->resolver = vgl_resolver_new(&c->roots, opts->max_jobs))) {
		vgl_ctr_cache_free(c);
		return NULL;
	}
	return c;
}

static struct ctr_entry **bucket(struct vgl_ctr_cache *c, uint64_t key)
{
	return &c->buckets[vgl_hash64(key) & (c->nbuckets - 1)];
}

static void lru_unlink(struct ctr_entry *e)
{
	e->prev->next = e->next;
	e->next->prev = e->prev;
}

static void lru_push(struct vgl_ctr_cache *c, struct ctr_entry *e)
{
	e->next = c->lru.next;
	e->prev = &c->lru;
	c->lru.next->prev = e;
	c->lru.next = e;
}

static void entry_remove(struct vgl_ctr_cache *c, struct ctr_entry *e)
{
	struct ctr_entry **pp = bucket(c, e->key);

	while (*pp != e)
		pp = &(*pp)->hnext;
	*pp = e->hnext;
	lru_unlink(e);
	vgl_ctr_meta_clear(&e->meta);
	free(e);
	c->count--;
	vgl_state_changed();
}

void vgl_ctr_cache_free(struct vgl_ctr_cache *c)
{
	if (!c)
		return;
	vgl_resolver_free(c->resolver); /* first: it reads c->roots */
	free(c->seen.slots);
	while (c->lru.next != &c->lru)
		entry_remove(c, c->lru.next);
	free(c->buckets);
	free(c);
}

static struct ctr_entry *find(struct vgl_ctr_cache *c, uint64_t key, uint64_t now)
{
	struct ctr_entry *e;

	for (e = *bucket(c, key); e; e = e->hnext) {
		if (e->key != key)
			continue;
		if (e->expires && now >= e->expires) {
			entry_remove(c, e);
			return NULL;
		}
		lru_unlink(e);
		lru_push(c, e);
		return e;
	}
	return NULL;
}

struct ctr_entry *ctr_find_key(struct vgl_ctr_cache *c, uint64_t key)
{
	struct ctr_entry *e;

	for (e = *bucket(c, key); e && e->key != key; e = e->hnext)
		;
	return e;
}

/* The view of a container entry, from its cgroup info and metadata. */
void ctr_fill_view(struct ctr_entry *e, const struct vgl_cgroup_info *ci, enum vgl_ctr_runtime rt)
{
	struct vgl_container_view *v = &e->view;
	const struct vgl_ctr_meta *m = &e->meta;
	bool hex = rt != VGL_RT_NSPAWN && rt != VGL_RT_LXC;

	snprintf(e->id, sizeof(e->id), "%.*s", hex ? SHORT_ID_LEN : VGL_CTR_NAME_MAX, ci->id);
	v->id = e->id;
	v->name = m->name;
	v->type = vgl_ctr_runtime_name(rt);
	v->image = m->image;
	v->image_id = m->image_id;
	v->image_repository = m->image_repository;
	v->image_tag = m->image_tag;
	v->image_digest = m->image_digest;
	v->privileged_known = m->privileged_known;
	v->privileged = m->privileged;
	v->start_ts = m->start_ts;
	v->mounts = m->mounts;
	v->nmounts = m->nmounts;
	v->k8s_ns_name = m->k8s_ns_name;
	v->k8s_pod_name = m->k8s_pod_name;
	v->k8s_pod_uid = m->k8s_pod_uid;
	v->pod_labels = m->pod_labels;
	v->npod_labels = m->npod_labels;
	vgl_posture_merge(&m->posture, &e->kpost, &v->posture);
	v->version = vgl_state_version_next(); /* new entry, or its metadata arrived */
}

/* Read and classify /proc/PID/cgroup; < 0 when the process is gone. */
int ctr_read_cgroup(struct vgl_ctr_cache *c, uint32_t pid, struct vgl_cgroup_info *ci,
		    struct vgl_cgroup_source *src)
{
	char path[PATH_MAX], *buf;
	size_t len;
	int rc;

	snprintf(path, sizeof(path), "%s/%u/cgroup", c->proc_root, pid);
	rc = vgl_read_file(path, VGL_CGROUP_FILE_MAX, &buf, &len);
	if (rc)
		return rc;
	/* vigil in its own cgroup namespace reads "/../<id>": make it absolute */
	if (memmem(buf, len, ":/..", 4)) {
		char *abs;

		rc = vgl_cgroup_rebase_file(buf, len, ctr_cgns_root, c, &abs, &len);
		free(buf);
		if (rc)
			return rc;
		buf = abs;
	}
	rc = vgl_cgroup_parse_file(buf, len, ci, src);
	free(buf);
	return rc;
}

void ctr_apply_meta(struct vgl_ctr_cache *c, struct ctr_entry *e, int rc, enum vgl_ctr_runtime rt,
		    uint64_t now)
{
	if (rc) {
		vgl_ctr_meta_clear(&e->meta);
		rt = e->ci.runtime;
		e->expires = now + c->retry_ns; /* maybe not written yet: retry soon */
		c->stats.meta_errors++;
	}
	/* the cgroup path knows the pod uid even when the bundle does not say */
	if (!e->meta.k8s_pod_uid && e->ci.pod_uid[0])
		e->meta.k8s_pod_uid = strdup(e->ci.pod_uid);
	ctr_fill_view(e, &e->ci, rt);
}

void ctr_load_meta(struct vgl_ctr_cache *c, struct ctr_entry *e, const struct vgl_cgroup_info *ci,
		   uint64_t now)
{
	enum vgl_ctr_runtime rt = ci->runtime;
	int rc;

	e->ci = *ci;
	e->gen = ++c->gen;
	if (c->resolver) {
		/* id, type and the pod uid (from the cgroup path) now; the rest when read */
		ctr_apply_meta(c, e, 0, rt, now);
		rc = vgl_resolver_submit(c->resolver, e->key, e->gen, ci);
		if (!rc) {
			e->pending = true;
			c->stats.async_reads++;
			return;
		}
		/* the worker is far behind: no metadata for now, retry later */
		c->stats.queue_full++;
		e->expires = now + c->retry_ns;
		return;
	}
	rc = vgl_runtime_load(&c->roots, ci, &e->meta, &rt, c->last_error);
	ctr_apply_meta(c, e, rc, rt, now);
}

static void insert(struct vgl_ctr_cache *c, struct ctr_entry *e)
{
	struct ctr_entry **b = bucket(c, e->key);

	while (c->count >= c->max && c->lru.prev != &c->lru) {
		entry_remove(c, c->lru.prev);
		c->stats.evictions++;
	}
	e->hnext = *b;
	*b = e;
	lru_push(c, e);
	c->count++;
	vgl_state_changed(); /* a host entry gets no version of its own */
}

/* Is @cgroup_id the id (inode) of the cgroup v2 directory @v2_path? */
static bool v2_id_matches(struct vgl_ctr_cache *c, const char *v2_path, uint64_t cgroup_id)
{
	const char *mnt = ctr_cgroup2_mount(c);
	char path[PATH_MAX];
	struct stat st;

	if (!mnt[0] || !v2_path[0])
		return false;
	snprintf(path, sizeof(path), "%s%s", mnt, v2_path);
	return stat(path, &st) == 0 && (uint64_t)st.st_ino == cgroup_id;
}

/*
 * The cgroup v2 path of @cgroup_id, from the id itself: it is the kernfs
 * file handle of the cgroup directory. Needs CAP_DAC_READ_SEARCH.
 */
static int v2_path_of_id(struct vgl_ctr_cache *c, uint64_t cgroup_id, char *buf, size_t size)
{
	const char *mnt = ctr_cgroup2_mount(c);
	char hbuf[sizeof(struct file_handle) + sizeof(uint64_t)], link[64], full[PATH_MAX];
	struct file_handle *fh = (struct file_handle *)hbuf;
	size_t mlen = strlen(mnt);
	int mfd, fd;
	ssize_t n;

	if (!mlen)
		return -ENOENT;
	fh->handle_bytes = sizeof(uint64_t);
	fh->handle_type = 0xfe; /* FILEID_KERNFS */
	memcpy(fh->f_handle, &cgroup_id, sizeof(cgroup_id));
	mfd = open(mnt, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (mfd < 0)
		return -errno;
	fd = open_by_handle_at(mfd, fh, O_RDONLY | O_CLOEXEC);
	close(mfd);
	if (fd < 0)
		return -errno;
	snprintf(link, sizeof(link), "/proc/self/fd/%d", fd);
	n = readlink(link, full, sizeof(full) - 1);
	close(fd);
	if (n < (ssize_t)mlen || strncmp(full, mnt, mlen))
		return -ENOENT;
	full[n] = '\0';
	snprintf(buf, size, "%s", full[mlen] ? full + mlen : "/");
	return 0;
}

/*
 * A process that is already gone (a short-lived container's) left only
 * its event's cgroup id: classify the cgroup that id names.
 */
static int classify_id(struct vgl_ctr_cache *c, uint64_t cgroup_id, struct vgl_cgroup_info *ci,
		       struct vgl_cgroup_source *src)
{
	char path[512];

	/*
	 * The v2 root says nothing: on a cgroup v1 host every process is there,
	 * containers too. Unknown, so that the caller asks the parent instead.
	 */
	if (!cgroup_id || v2_path_of_id(c, cgroup_id, path, sizeof(path)) || !strcmp(path, "/"))
		return -ENOENT;
	memset(src, 0, sizeof(*src));
	src->has_v2 = true;
	snprintf(src->v2_path, sizeof(src->v2_path), "%s", path);
	src->from_v2 = vgl_cgroup_parse_path(path, strlen(path), ci);
	if (!src->from_v2)
		memset(ci, 0, sizeof(*ci));
	return src->from_v2;
}

static struct ctr_entry *resolve(struct vgl_ctr_cache *c, uint64_t cgroup_id, uint32_t pid,
				 uint64_t now)
{
	struct vgl_cgroup_source src;
	struct vgl_cgroup_info ci;
	struct ctr_entry *e;
	int rc = ctr_read_cgroup(c, pid, &ci, &src);

	if (rc < 0)
		rc = classify_id(c, cgroup_id, &ci, &src);
	if (rc < 0)
		return NULL;
	c->stats.resolved++;
	e = calloc(1, sizeof(*e));
	if (!e)
		return NULL;
	/*
	 * Key by the event's cgroup id only when it is the cgroup /proc shows
	 * now: a process can move (runc's init does) between the event and
	 * the read, and a wrong key would give a whole cgroup the wrong identity.
	 */
	e->cgid = cgroup_id;
	if (cgroup_id && src.has_v2 && !src.v2_root && (rc == 0 || src.from_v2) &&
	    v2_id_matches(c, src.v2_path, cgroup_id)) {
		e->key = cgroup_id;
	} else {
		e->key = PID_KEY | pid;
		e->expires = now + c->retry_ns;
	}
	e->host = rc == 0;
	insert(c, e); /* first: the resolver's job names the entry by its key */
	if (rc > 0) {
		c->stats.containers++;
		ctr_load_meta(c, e, &ci, now);
	}
	return e;
}

const struct vgl_container_view *vgl_ctr_cache_lookup(struct vgl_ctr_cache *c, uint64_t cgroup_id,
						      uint32_t pid, uint64_t now_ns)
{
	struct ctr_entry *e = NULL;

	if (now_ns > c->now)
		c->now = now_ns;
	if (cgroup_id)
		e = find(c, cgroup_id, now_ns);
	if (!e && pid) {
		e = find(c, PID_KEY | pid, now_ns);
		if (e && cgroup_id && e->cgid != cgroup_id) {
			entry_remove(c, e); /* the process moved to another cgroup */
			e = NULL;
		}
	}
	if (!e && pid)
		e = resolve(c, cgroup_id, pid, now_ns);
	if (!e)
		return NULL;
	if (!e->host && pid)
		ctr_posture_try(c, e, pid, now_ns);
	return e->host ? &host_view : &e->view;
}

const struct vgl_ctr_meta *vgl_ctr_cache_meta(const struct vgl_container_view *view)
{
	const struct ctr_entry *e;

	if (!view || view == &host_view)
		return NULL;
	e = (const struct ctr_entry *)((const char *)view - offsetof(struct ctr_entry, view));
	return &e->meta;
}

void vgl_ctr_cache_stats(const struct vgl_ctr_cache *c, struct vgl_ctr_stats *ret)
{
	*ret = c->stats;
	ret->entries = c->count;
}

const char *vgl_ctr_cache_last_error(const struct vgl_ctr_cache *c)
{
	return c->last_error;
}

void vgl_ctr_early_kinds(bool *kinds)
{
	kinds[VGL_EV_PIPE] = kinds[VGL_EV_PIPE2] = kinds[VGL_EV_SOCKETPAIR] = true;
}
