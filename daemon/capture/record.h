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
 *	USER       uid + container id ("host") -> name, home, shell (NULL: unknown),
 *	           + pid: the process whose names come from that container's passwd
 *	GROUP      gid + pid + container id -> name
 *	FD         pid + fd + struct vgl_fd_view
 *	FD_GONE    pid + fd
 *	LOSS       u64 events not written
 *	EXE        pid + the executable's inode, ctime and mtime (or unknown)
 *	FD_ADDR    pid + fd + the local and remote ends of an IP socket
 */
#ifndef VIGIL_CAPTURE_RECORD_H
#define VIGIL_CAPTURE_RECORD_H

#include <stdbool.h>
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
int vgl_caprec_user(struct vgl_capbuf *b, uint32_t uid, uint32_t pid, const char *ctr_id,
		    const char *name, const char *home, const char *shell);
int vgl_caprec_group(struct vgl_capbuf *b, uint32_t gid, uint32_t pid, const char *ctr_id,
		     const char *name);
int vgl_caprec_fd(struct vgl_capbuf *b, uint32_t pid, int64_t fd, const struct vgl_fd_view *v);
int vgl_caprec_fd_gone(struct vgl_capbuf *b, uint32_t pid, int64_t fd);
int vgl_caprec_loss(struct vgl_capbuf *b, uint64_t events);
/* The ends of @v (after its FD record); -EINVAL when it has none. */
/* -EINVAL when nothing of @p is known: no record to write. */
int vgl_caprec_ctr_posture(struct vgl_capbuf *b, uint64_t cgroup_id, uint32_t pid,
			   const struct vgl_ctr_posture *p);
int vgl_caprec_fd_addr(struct vgl_capbuf *b, uint32_t pid, int64_t fd, const struct vgl_fd_view *v);
/* @st NULL: unknown (the process or its executable is gone). */
int vgl_caprec_exe(struct vgl_capbuf *b, uint32_t pid, const struct vgl_exe_stat *st);
/* config_file()'s answer: @data (@len bytes) when @err is 0, else NULL. */
int vgl_caprec_config(struct vgl_capbuf *b, uint32_t pid, const char *path, const char *data,
		      size_t len, int err);

/*
 * Decoders: 0, or -EINVAL when @len bytes at @data are not a whole, valid
 * payload of that type (short, too long, a string with a NUL inside, a
 * count beyond what is left...), -ENOMEM. The views own their strings and
 * arrays, all in one allocation at @mem: free(mem) when done. Versions are 0.
 */
struct vgl_caprec_proc {
	struct vgl_proc_view view;
	void *mem;
};

struct vgl_caprec_lazy {
	uint32_t pid;
	const char *env; /* NULL: unknown */
	size_t env_len;
	int upper; /* 1, 0, -1 */
	void *mem;
};

struct vgl_caprec_container {
	uint64_t cgroup_id;
	uint32_t pid;
	bool known; /* false: the state tracker had no container for it */
	struct vgl_container_view view;
	void *mem;
	void *posture_mem; /* view.posture's strings (CTR_POSTURE), NULL none */
};

struct vgl_caprec_user {
	uint32_t id; /* uid, or gid for GROUP */
	uint32_t pid;
	const char *ctr_id;
	const char *name, *home, *shell; /* GROUP: home and shell NULL */
	void *mem;
};

struct vgl_caprec_fd {
	uint32_t pid;
	int64_t fd;
	struct vgl_fd_view view;
	void *mem;
};

int vgl_caprec_decode_proc(const void *data, size_t len, struct vgl_caprec_proc *ret);
int vgl_caprec_decode_proc_gone(const void *data, size_t len, uint32_t *ret_pid);
int vgl_caprec_decode_proc_lazy(const void *data, size_t len, struct vgl_caprec_lazy *ret);
int vgl_caprec_decode_container(const void *data, size_t len, struct vgl_caprec_container *ret);
int vgl_caprec_decode_user(const void *data, size_t len, struct vgl_caprec_user *ret);
int vgl_caprec_decode_group(const void *data, size_t len, struct vgl_caprec_user *ret);
int vgl_caprec_decode_fd(const void *data, size_t len, struct vgl_caprec_fd *ret);
int vgl_caprec_decode_fd_gone(const void *data, size_t len, uint32_t *ret_pid, int64_t *ret_fd);
int vgl_caprec_decode_loss(const void *data, size_t len, uint64_t *ret_events);
/* Into @ret: local, remote and local_is_server only. */
int vgl_caprec_decode_fd_addr(const void *data, size_t len, uint32_t *ret_pid, int64_t *ret_fd,
			      struct vgl_fd_view *ret);
/* Strings of @ret in *@ret_mem (free()). */
int vgl_caprec_decode_ctr_posture(const void *data, size_t len, uint64_t *ret_cg, uint32_t *ret_pid,
				  struct vgl_ctr_posture *ret, void **ret_mem);
/* *@ret_known false: unknown (@ret zeroed). */
int vgl_caprec_decode_exe(const void *data, size_t len, uint32_t *ret_pid, bool *ret_known,
			  struct vgl_exe_stat *ret);
/* A CONFIG record; path (not NUL-terminated) and data point into the payload. */
struct vgl_caprec_config {
	uint32_t pid;
	int err;
	const char *path;
	size_t path_len;
	const char *data; /* NULL when err != 0 */
	size_t len;
};
int vgl_caprec_decode_config(const void *data, size_t len, struct vgl_caprec_config *ret);

#endif /* VIGIL_CAPTURE_RECORD_H */
