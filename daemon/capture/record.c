// SPDX-License-Identifier: Apache-2.0
/*
 * Context record encoders (record.h). The payloads, little-endian:
 *
 *	str        u32 length, then the bytes (no NUL); length 0xffffffff: NULL
 *	PROC       u32 pid ppid vpid sid vpgid, str name exe exepath, str args
 *	           (NUL-separated), str cwd, str env (NUL-separated), i64 tty
 *	           start_ts, u8 flags (1 caps_known, 2 exe_upper_layer, 4
 *	           exe_from_memfd), u64 cap_permitted cap_effective cap_inheritable
 *	PROC_GONE  u32 pid
 *	PROC_LAZY  u32 pid, str env (NULL: unknown), i8 upper
 *	CONTAINER  u64 cgroup_id, u32 pid, u8 known; when known: str id name type
 *	           image image_id image_repository image_tag image_digest, u8
 *	           flags (1 privileged_known, 2 privileged), i64 start_ts, u32
 *	           nmounts (0xffffffff: NULL) then per mount str source dest mode,
 *	           u8 rw, str propagation; str k8s_ns_name k8s_pod_name
 *	           k8s_pod_uid, u32 nlabels (0xffffffff: NULL) then str key value
 *	USER       u32 uid, u32 pid, str ctr_id name home shell
 *	GROUP      u32 gid, u32 pid, str ctr_id name
 *	FD         u32 pid, i64 fd, u8 typechar, str name l4proto, u8 connected
 *	FD_GONE    u32 pid, i64 fd
 *	LOSS       u64 events
 *
 * Strings other than args and env never contain a NUL.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "capture/record.h"
#include "capture/record_int.h"

void vgl_capbuf_reset(struct vgl_capbuf *b)
{
	b->len = 0;
	b->err = 0;
}

void vgl_capbuf_free(struct vgl_capbuf *b)
{
	free(b->data);
	memset(b, 0, sizeof(*b));
}

/* Room for @n more bytes; false (and b->err) when there is none. */
static bool reserve(struct vgl_capbuf *b, size_t n)
{
	size_t cap = b->cap ? b->cap : 256;
	unsigned char *d;

	if (b->err)
		return false;
	if (n > VGL_CAP_RECORD_MAX - b->len) {
		b->err = -E2BIG;
		return false;
	}
	if (b->len + n <= b->cap)
		return true;
	while (cap < b->len + n)
		cap *= 2;
	d = realloc(b->data, cap);
	if (!d) {
		b->err = -ENOMEM;
		return false;
	}
	b->data = d;
	b->cap = cap;
	return true;
}

void caprec_put_bytes(struct vgl_capbuf *b, const void *s, size_t n)
{
	if (n && reserve(b, n)) {
		memcpy(b->data + b->len, s, n);
		b->len += n;
	}
}

void caprec_put_u8(struct vgl_capbuf *b, uint8_t v)
{
	caprec_put_bytes(b, &v, 1);
}

void caprec_put_u32(struct vgl_capbuf *b, uint32_t v)
{
	unsigned char le[4] = { (unsigned char)v, (unsigned char)(v >> 8), (unsigned char)(v >> 16),
				(unsigned char)(v >> 24) };

	caprec_put_bytes(b, le, sizeof(le));
}

void caprec_put_u64(struct vgl_capbuf *b, uint64_t v)
{
	caprec_put_u32(b, (uint32_t)v);
	caprec_put_u32(b, (uint32_t)(v >> 32));
}

void caprec_put_blob(struct vgl_capbuf *b, const char *s, size_t n)
{
	if (!s) {
		caprec_put_u32(b, VGL_CAPREC_NULL);
		return;
	}
	if (n >= VGL_CAPREC_NULL) {
		b->err = b->err ?: -E2BIG;
		return;
	}
	caprec_put_u32(b, (uint32_t)n);
	caprec_put_bytes(b, s, n);
}

void caprec_put_str(struct vgl_capbuf *b, const char *s)
{
	caprec_put_blob(b, s, s ? strlen(s) : 0);
}

int vgl_caprec_proc(struct vgl_capbuf *b, const struct vgl_proc_view *v)
{
	vgl_capbuf_reset(b);
	caprec_put_u32(b, v->pid);
	caprec_put_u32(b, v->ppid);
	caprec_put_u32(b, v->vpid);
	caprec_put_u32(b, v->sid);
	caprec_put_u32(b, v->vpgid);
	caprec_put_str(b, v->name);
	caprec_put_str(b, v->exe);
	caprec_put_str(b, v->exepath);
	caprec_put_blob(b, v->args, v->args_len);
	caprec_put_str(b, v->cwd);
	caprec_put_blob(b, v->env, v->env_len);
	caprec_put_u64(b, (uint64_t)v->tty);
	caprec_put_u64(b, (uint64_t)v->start_ts);
	caprec_put_u8(b, (uint8_t)((v->caps_known ? 1 : 0) | (v->exe_upper_layer ? 2 : 0) |
				   (v->exe_from_memfd ? 4 : 0)));
	caprec_put_u64(b, v->cap_permitted);
	caprec_put_u64(b, v->cap_effective);
	caprec_put_u64(b, v->cap_inheritable);
	return b->err;
}

int vgl_caprec_proc_gone(struct vgl_capbuf *b, uint32_t pid)
{
	vgl_capbuf_reset(b);
	caprec_put_u32(b, pid);
	return b->err;
}

int vgl_caprec_proc_lazy(struct vgl_capbuf *b, uint32_t pid, const char *env, size_t env_len,
			 int upper)
{
	vgl_capbuf_reset(b);
	caprec_put_u32(b, pid);
	caprec_put_blob(b, env, env_len);
	caprec_put_u8(b, (uint8_t)(int8_t)(upper > 0 ? 1 : upper < 0 ? -1 : 0));
	return b->err;
}

static void put_mounts(struct vgl_capbuf *b, const struct vgl_container_view *v)
{
	size_t i;

	if (!v->mounts) {
		caprec_put_u32(b, VGL_CAPREC_NULL);
		return;
	}
	if (v->nmounts >= VGL_CAPREC_NULL) {
		b->err = b->err ?: -E2BIG;
		return;
	}
	caprec_put_u32(b, (uint32_t)v->nmounts);
	for (i = 0; i < v->nmounts; i++) {
		const struct vgl_mount_view *m = &v->mounts[i];

		caprec_put_str(b, m->source);
		caprec_put_str(b, m->dest);
		caprec_put_str(b, m->mode);
		caprec_put_u8(b, m->rw ? 1 : 0);
		caprec_put_str(b, m->propagation);
	}
}

static void put_labels(struct vgl_capbuf *b, const struct vgl_container_view *v)
{
	size_t i;

	if (!v->pod_labels) {
		caprec_put_u32(b, VGL_CAPREC_NULL);
		return;
	}
	if (v->npod_labels >= VGL_CAPREC_NULL) {
		b->err = b->err ?: -E2BIG;
		return;
	}
	caprec_put_u32(b, (uint32_t)v->npod_labels);
	for (i = 0; i < v->npod_labels; i++) {
		caprec_put_str(b, v->pod_labels[i].key);
		caprec_put_str(b, v->pod_labels[i].value);
	}
}

int vgl_caprec_container(struct vgl_capbuf *b, uint64_t cgroup_id, uint32_t pid,
			 const struct vgl_container_view *v)
{
	vgl_capbuf_reset(b);
	caprec_put_u64(b, cgroup_id);
	caprec_put_u32(b, pid);
	caprec_put_u8(b, v ? 1 : 0);
	if (!v)
		return b->err;
	caprec_put_str(b, v->id ? v->id : "");
	caprec_put_str(b, v->name);
	caprec_put_str(b, v->type);
	caprec_put_str(b, v->image);
	caprec_put_str(b, v->image_id);
	caprec_put_str(b, v->image_repository);
	caprec_put_str(b, v->image_tag);
	caprec_put_str(b, v->image_digest);
	caprec_put_u8(b, (uint8_t)((v->privileged_known ? 1 : 0) | (v->privileged ? 2 : 0)));
	caprec_put_u64(b, (uint64_t)v->start_ts);
	put_mounts(b, v);
	caprec_put_str(b, v->k8s_ns_name);
	caprec_put_str(b, v->k8s_pod_name);
	caprec_put_str(b, v->k8s_pod_uid);
	put_labels(b, v);
	return b->err;
}

int vgl_caprec_user(struct vgl_capbuf *b, uint32_t uid, uint32_t pid, const char *ctr_id,
		    const char *name, const char *home, const char *shell)
{
	vgl_capbuf_reset(b);
	caprec_put_u32(b, uid);
	caprec_put_u32(b, pid);
	caprec_put_str(b, ctr_id ? ctr_id : "host");
	caprec_put_str(b, name);
	caprec_put_str(b, home);
	caprec_put_str(b, shell);
	return b->err;
}

int vgl_caprec_group(struct vgl_capbuf *b, uint32_t gid, uint32_t pid, const char *ctr_id,
		     const char *name)
{
	vgl_capbuf_reset(b);
	caprec_put_u32(b, gid);
	caprec_put_u32(b, pid);
	caprec_put_str(b, ctr_id ? ctr_id : "host");
	caprec_put_str(b, name);
	return b->err;
}

int vgl_caprec_fd(struct vgl_capbuf *b, uint32_t pid, int64_t fd, const struct vgl_fd_view *v)
{
	vgl_capbuf_reset(b);
	caprec_put_u32(b, pid);
	caprec_put_u64(b, (uint64_t)fd);
	caprec_put_u8(b, (uint8_t)v->typechar);
	caprec_put_str(b, v->name);
	caprec_put_str(b, v->l4proto);
	caprec_put_u8(b, v->connected ? 1 : 0);
	return b->err;
}

int vgl_caprec_fd_gone(struct vgl_capbuf *b, uint32_t pid, int64_t fd)
{
	vgl_capbuf_reset(b);
	caprec_put_u32(b, pid);
	caprec_put_u64(b, (uint64_t)fd);
	return b->err;
}

int vgl_caprec_loss(struct vgl_capbuf *b, uint64_t events)
{
	vgl_capbuf_reset(b);
	caprec_put_u64(b, events);
	return b->err;
}
