// SPDX-License-Identifier: Apache-2.0
/*
 * Context record decoders (record.h; the layouts are in record.c). Each
 * payload is parsed twice: once to check it and measure what its strings and
 * arrays need, then into one allocation of exactly that size, so a decoded
 * view owns its storage and a hostile length never allocates more than the
 * payload justifies.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "capture/record.h"
#include "capture/record_int.h"

struct rd {
	const unsigned char *p, *end;
	char *arena; /* NULL: the measuring pass */
	size_t used; /* bytes of the arena used (or needed) */
	bool bad;
};

static struct rd rd_init(const void *data, size_t len, char *arena)
{
	const unsigned char *p = data;

	return (struct rd){ p, p ? p + len : p, arena, 0, !p && len };
}

static size_t left(const struct rd *r)
{
	return (size_t)(r->end - r->p);
}

static const unsigned char *take(struct rd *r, size_t n)
{
	const unsigned char *p = r->p;

	if (r->bad || n > left(r)) {
		r->bad = true;
		return NULL;
	}
	r->p += n;
	return p;
}

static uint8_t rd_u8(struct rd *r)
{
	const unsigned char *p = take(r, 1);

	return p ? p[0] : 0;
}

static uint32_t rd_u32(struct rd *r)
{
	const unsigned char *p = take(r, 4);

	return p ? (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 |
			       (uint32_t)p[3] << 24
		 : 0;
}

static uint64_t rd_u64(struct rd *r)
{
	uint64_t lo = rd_u32(r);

	return lo | (uint64_t)rd_u32(r) << 32;
}

static bool rd_bool(struct rd *r)
{
	uint8_t v = rd_u8(r);

	if (v > 1)
		r->bad = true;
	return v == 1;
}

/* @n bytes of the arena, 8-aligned; NULL while measuring. */
static void *rd_alloc(struct rd *r, size_t n)
{
	char *p;

	r->used = (r->used + 7) & ~(size_t)7;
	p = r->arena ? r->arena + r->used : NULL;
	r->used += n;
	return p;
}

/*
 * A string (NUL-separated when !@cstr) copied into the arena with a NUL
 * after it; NULL for a NULL string. While measuring, "" stands for any
 * string that is there.
 */
static const char *rd_blob(struct rd *r, size_t *ret_len, bool cstr)
{
	uint32_t n = rd_u32(r);
	const unsigned char *s;
	char *d;

	if (ret_len)
		*ret_len = 0;
	if (r->bad || n == VGL_CAPREC_NULL)
		return NULL;
	s = take(r, n);
	if (!s || (cstr && memchr(s, '\0', n))) {
		r->bad = true;
		return NULL;
	}
	if (ret_len)
		*ret_len = n;
	d = rd_alloc(r, (size_t)n + 1);
	if (!d)
		return "";
	memcpy(d, s, n);
	d[n] = '\0';
	return d;
}

static const char *rd_str(struct rd *r)
{
	return rd_blob(r, NULL, true);
}

typedef void (*parse_fn)(struct rd *r, void *out);

/* Check and measure, then parse into the allocation at *@ret_mem. */
static int decode(const void *data, size_t len, parse_fn fn, void *out, void **ret_mem)
{
	struct rd r = rd_init(data, len, NULL);
	char *mem;

	fn(&r, out);
	if (r.bad || r.p != r.end)
		return -EINVAL;
	mem = malloc(r.used ? r.used : 1);
	if (!mem)
		return -ENOMEM;
	r = rd_init(data, len, mem);
	fn(&r, out);
	*ret_mem = mem;
	return 0;
}

static void parse_proc(struct rd *r, void *out)
{
	struct vgl_proc_view *v = &((struct vgl_caprec_proc *)out)->view;
	uint8_t flags;

	memset(v, 0, sizeof(*v));
	v->pid = rd_u32(r);
	v->ppid = rd_u32(r);
	v->vpid = rd_u32(r);
	v->sid = rd_u32(r);
	v->vpgid = rd_u32(r);
	v->name = rd_str(r);
	v->exe = rd_str(r);
	v->exepath = rd_str(r);
	v->args = rd_blob(r, &v->args_len, false);
	v->cwd = rd_str(r);
	v->env = rd_blob(r, &v->env_len, false);
	v->tty = (int64_t)rd_u64(r);
	v->start_ts = (int64_t)rd_u64(r);
	flags = rd_u8(r);
	if (flags & ~7u)
		r->bad = true;
	v->caps_known = flags & 1;
	v->exe_upper_layer = flags & 2;
	v->exe_from_memfd = flags & 4;
	v->cap_permitted = rd_u64(r);
	v->cap_effective = rd_u64(r);
	v->cap_inheritable = rd_u64(r);
}

int vgl_caprec_decode_proc(const void *data, size_t len, struct vgl_caprec_proc *ret)
{
	struct vgl_caprec_proc t;
	int rc = decode(data, len, parse_proc, &t, &t.mem);

	if (!rc)
		*ret = t;
	return rc;
}

static void parse_lazy(struct rd *r, void *out)
{
	struct vgl_caprec_lazy *l = out;
	int8_t upper;

	l->pid = rd_u32(r);
	l->env = rd_blob(r, &l->env_len, false);
	upper = (int8_t)rd_u8(r);
	if (upper < -1 || upper > 1)
		r->bad = true;
	l->upper = upper;
}

int vgl_caprec_decode_proc_lazy(const void *data, size_t len, struct vgl_caprec_lazy *ret)
{
	struct vgl_caprec_lazy t;
	int rc = decode(data, len, parse_lazy, &t, &t.mem);

	if (!rc)
		*ret = t;
	return rc;
}

/* Entries of @min bytes each: can @n of them be in what is left? */
static bool count_fits(struct rd *r, uint32_t n, size_t min)
{
	if (n != VGL_CAPREC_NULL && n > left(r) / min)
		r->bad = true;
	return !r->bad;
}

static const struct vgl_mount_view no_mount;
static const struct vgl_label no_label;

static void parse_mounts(struct rd *r, struct vgl_container_view *v)
{
	uint32_t n = rd_u32(r), i;
	struct vgl_mount_view *m;

	if (!count_fits(r, n, 17) || n == VGL_CAPREC_NULL)
		return;
	m = rd_alloc(r, (size_t)n * sizeof(*m));
	v->mounts = m ? m : &no_mount; /* measuring: any non-NULL pointer */
	v->nmounts = n;
	for (i = 0; i < n && !r->bad; i++) {
		struct vgl_mount_view t;

		t.source = rd_str(r);
		t.dest = rd_str(r);
		t.mode = rd_str(r);
		t.rw = rd_bool(r);
		t.propagation = rd_str(r);
		if (m)
			m[i] = t;
	}
}

static void parse_labels(struct rd *r, struct vgl_container_view *v)
{
	uint32_t n = rd_u32(r), i;
	struct vgl_label *l;

	if (!count_fits(r, n, 8) || n == VGL_CAPREC_NULL)
		return;
	l = rd_alloc(r, (size_t)n * sizeof(*l));
	v->pod_labels = l ? l : &no_label;
	v->npod_labels = n;
	for (i = 0; i < n && !r->bad; i++) {
		/* the view's labels are not const; the arena is ours */
		char *key = (char *)rd_str(r), *value = (char *)rd_str(r);

		if (l)
			l[i] = (struct vgl_label){ key, value };
	}
}

static void parse_container(struct rd *r, void *out)
{
	struct vgl_caprec_container *c = out;
	struct vgl_container_view *v = &c->view;
	uint8_t flags;

	memset(v, 0, sizeof(*v));
	c->posture_mem = NULL; /* a CTR_POSTURE record that follows sets it */
	c->cgroup_id = rd_u64(r);
	c->pid = rd_u32(r);
	c->known = rd_bool(r);
	if (!c->known)
		return;
	v->id = rd_str(r);
	if (!v->id)
		r->bad = true;
	v->name = rd_str(r);
	v->type = rd_str(r);
	v->image = rd_str(r);
	v->image_id = rd_str(r);
	v->image_repository = rd_str(r);
	v->image_tag = rd_str(r);
	v->image_digest = rd_str(r);
	flags = rd_u8(r);
	if (flags & ~3u)
		r->bad = true;
	v->privileged_known = flags & 1;
	v->privileged = flags & 2;
	v->start_ts = (int64_t)rd_u64(r);
	parse_mounts(r, v);
	v->k8s_ns_name = rd_str(r);
	v->k8s_pod_name = rd_str(r);
	v->k8s_pod_uid = rd_str(r);
	parse_labels(r, v);
}

int vgl_caprec_decode_container(const void *data, size_t len, struct vgl_caprec_container *ret)
{
	struct vgl_caprec_container t;
	int rc = decode(data, len, parse_container, &t, &t.mem);

	if (!rc)
		*ret = t;
	return rc;
}

static void parse_names(struct rd *r, struct vgl_caprec_user *u, bool user)
{
	u->id = rd_u32(r);
	u->pid = rd_u32(r);
	u->ctr_id = rd_str(r);
	if (!u->ctr_id)
		r->bad = true;
	u->name = rd_str(r);
	u->home = user ? rd_str(r) : NULL;
	u->shell = user ? rd_str(r) : NULL;
}

static void parse_user(struct rd *r, void *out)
{
	parse_names(r, out, true);
}

static void parse_group(struct rd *r, void *out)
{
	parse_names(r, out, false);
}

int vgl_caprec_decode_user(const void *data, size_t len, struct vgl_caprec_user *ret)
{
	struct vgl_caprec_user t;
	int rc = decode(data, len, parse_user, &t, &t.mem);

	if (!rc)
		*ret = t;
	return rc;
}

int vgl_caprec_decode_group(const void *data, size_t len, struct vgl_caprec_user *ret)
{
	struct vgl_caprec_user t;
	int rc = decode(data, len, parse_group, &t, &t.mem);

	if (!rc)
		*ret = t;
	return rc;
}

static void parse_fd(struct rd *r, void *out)
{
	struct vgl_caprec_fd *f = out;

	memset(&f->view, 0, sizeof(f->view));
	f->pid = rd_u32(r);
	f->fd = (int64_t)rd_u64(r);
	f->view.typechar = (char)rd_u8(r);
	f->view.name = rd_str(r);
	f->view.l4proto = rd_str(r);
	f->view.connected = rd_bool(r);
}

int vgl_caprec_decode_fd(const void *data, size_t len, struct vgl_caprec_fd *ret)
{
	struct vgl_caprec_fd t;
	int rc = decode(data, len, parse_fd, &t, &t.mem);

	if (!rc)
		*ret = t;
	return rc;
}

/* The fixed-size payloads: no strings, nothing to own. */
int vgl_caprec_decode_proc_gone(const void *data, size_t len, uint32_t *ret_pid)
{
	struct rd r = rd_init(data, len, NULL);
	uint32_t pid = rd_u32(&r);

	if (r.bad || r.p != r.end)
		return -EINVAL;
	*ret_pid = pid;
	return 0;
}

int vgl_caprec_decode_fd_gone(const void *data, size_t len, uint32_t *ret_pid, int64_t *ret_fd)
{
	struct rd r = rd_init(data, len, NULL);
	uint32_t pid = rd_u32(&r);
	int64_t fd = (int64_t)rd_u64(&r);

	if (r.bad || r.p != r.end)
		return -EINVAL;
	*ret_pid = pid;
	*ret_fd = fd;
	return 0;
}

int vgl_caprec_decode_loss(const void *data, size_t len, uint64_t *ret_events)
{
	struct rd r = rd_init(data, len, NULL);
	uint64_t n = rd_u64(&r);

	if (r.bad || r.p != r.end)
		return -EINVAL;
	*ret_events = n;
	return 0;
}
