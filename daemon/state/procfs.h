/* SPDX-License-Identifier: Apache-2.0 */
/* Readers of /proc/PID/{stat,status,cmdline,exe,cwd,loginuid} (root configurable). */
#ifndef VIGIL_STATE_PROCFS_H
#define VIGIL_STATE_PROCFS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "vigil/events.h"

struct vgl_procfs_info {
	uint32_t pid, ppid, pgid, sid;
	uint32_t vpid, vpgid; /* innermost pid namespace; 0 unknown */
	uint32_t uid, gid, loginuid;
	char comm[VGL_COMM_LEN];
	int64_t tty;
	uint64_t start_ts; /* CLOCK_BOOTTIME ns (as event timestamps) */
	bool kthread;
	bool caps_known;
	uint64_t cap_inheritable, cap_permitted, cap_effective;
	char *exepath; /* owned; NULL unknown */
	char *cwd;
	char *cmdline; /* NUL-separated argv, cmdline_len bytes without the last NUL */
	size_t cmdline_len;
};

/*
 * Read process @pid under @proc_root; argv is cut at @args_max bytes. Returns 0,
 * or -errno (-ENOENT: no such process; -EINVAL: stat did not parse). Only stat
 * is required: unreadable exe / cwd / cmdline (kernel threads, permissions)
 * leave those members NULL.
 */
int vgl_procfs_read(const char *proc_root, uint32_t pid, size_t args_max,
		    struct vgl_procfs_info *ret);
void vgl_procfs_info_clear(struct vgl_procfs_info *info);

/* Call @cb for each process directory of @proc_root, at most @max; stops early when @cb
 * returns non-zero. Returns the number visited or -errno. */
int vgl_procfs_scan(const char *proc_root, size_t max, int (*cb)(uint32_t pid, void *data),
		    void *data);

/* Parse the text of /proc/PID/stat into @ret (pid, comm, ppid, pgid, sid, tty, start,
 * kthread). Exposed for tests. 0 or -EINVAL. */
int vgl_procfs_parse_stat(const char *text, struct vgl_procfs_info *ret);

#endif /* VIGIL_STATE_PROCFS_H */
