/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Config files of processes (rules/state.h config_file, for the
 * docker.daemon.* fields): read once per process and path through the
 * process's own root (/proc/PID/root, so a daemon in another mount namespace
 * is read as it reads), or under the host root when the process is gone.
 * A few slots, the oldest reused first.
 */
#ifndef VIGIL_STATE_CFGFILE_H
#define VIGIL_STATE_CFGFILE_H

#include <stddef.h>
#include <stdint.h>

#define VGL_CFGFILE_SLOTS 8

struct vgl_cfgfile_cache;

/* @proc_root: /proc; @host_root: the host's / ("" or NULL: /). NULL on ENOMEM. */
struct vgl_cfgfile_cache *vgl_cfgfile_cache_new(const char *proc_root, const char *host_root);
void vgl_cfgfile_cache_free(struct vgl_cfgfile_cache *c);

/*
 * @path (absolute) as process @pid (started at @start_ts) sees it: its bytes,
 * *@ret_len of them, valid until the next call; NULL with *@ret_err -errno
 * (-ENOENT missing, -EFBIG larger than VGL_STATE_CONFIG_FILE_MAX, -EINVAL not a
 * regular file or not an absolute path).
 */
const char *vgl_cfgfile_get(struct vgl_cfgfile_cache *c, uint32_t pid, int64_t start_ts,
			    const char *path, size_t *ret_len, int *ret_err);

#endif /* VIGIL_STATE_CFGFILE_H */
