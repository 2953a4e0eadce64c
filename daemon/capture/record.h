/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Context records: the state views the rule engine reads (rules/state.h)
 * turned into record payloads and back. Little-endian, every string with its
 * length, every length checked against the record on decode.
 *
 *	PROC       a struct vgl_proc_view (pid is the key)
 *	PROC_GONE  u32 pid
 *	PROC_LAZY  pid, proc.env (or unknown), proc.is_exe_upper_layer (1, 0, -1)
 *	CONTAINER  cgroup id + pid (pid 0: the container of the whole cgroup) +
 *	           a struct vgl_container_view, mounts and pod labels included
 *	USER       uid + container id ("host") -> name, home, shell (NULL: unknown)
 *	GROUP      gid + container id -> name
 *	FD         pid + fd + struct vgl_fd_view
 *	FD_GONE    pid + fd
 *	LOSS       u64 events not written
 */
#ifndef VIGIL_CAPTURE_RECORD_H
#define VIGIL_CAPTURE_RECORD_H

#include <stddef.h>
#include <stdint.h>

#include "capture/format.h"
#include "rules/state.h"

/* A growable payload buffer, bounded by VGL_CAP_RECORD_MAX. */
struct vgl_capbuf {
	unsigned char *data;
	size_t len, cap;
	int err; /* first error: -ENOMEM, or -E2BIG beyond VGL_CAP_RECORD_MAX */
};

void vgl_capbuf_reset(struct vgl_capbuf *b); /* len = 0, err = 0 */
void vgl_capbuf_free(struct vgl_capbuf *b);

/* Encoders: reset @b, then fill it with one payload. 0 or b->err. */
int vgl_caprec_proc(struct vgl_capbuf *b, const struct vgl_proc_view *v);
int vgl_caprec_proc_gone(struct vgl_capbuf *b, uint32_t pid);
int vgl_caprec_proc_lazy(struct vgl_capbuf *b, uint32_t pid, const char *env, size_t env_len,
			 int upper);
int vgl_caprec_container(struct vgl_capbuf *b, uint64_t cgroup_id, uint32_t pid,
			 const struct vgl_container_view *v);
int vgl_caprec_user(struct vgl_capbuf *b, uint32_t uid, const char *ctr_id, const char *name,
		    const char *home, const char *shell);
int vgl_caprec_group(struct vgl_capbuf *b, uint32_t gid, const char *ctr_id, const char *name);
int vgl_caprec_fd(struct vgl_capbuf *b, uint32_t pid, int64_t fd, const struct vgl_fd_view *v);
int vgl_caprec_fd_gone(struct vgl_capbuf *b, uint32_t pid, int64_t fd);
int vgl_caprec_loss(struct vgl_capbuf *b, uint64_t events);

#endif /* VIGIL_CAPTURE_RECORD_H */
