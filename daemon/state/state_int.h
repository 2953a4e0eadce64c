/* SPDX-License-Identifier: Apache-2.0 */
/* The state tracker's insides, shared by state.c (entry points) and state_ops.c (callbacks). */
#ifndef VIGIL_STATE_STATE_INT_H
#define VIGIL_STATE_STATE_INT_H

#include <limits.h>

#include "state/cfgfile.h"
#include "state/fdtable.h"
#include "state/overlay.h"
#include "state/state.h"
#include "state/users.h"

#define OVL_TTL_NS (10 * 1000000000ull) /* mounts re-read after this long */
#define ROOT_MAX   (PATH_MAX / 2)

struct ctr_users {
	char id[VGL_CTR_NAME_MAX + 1];
	struct vgl_userdb *db;
	uint64_t used;
};

struct vgl_state {
	struct vgl_proctable *procs;
	struct vgl_ctr_cache *ctrs;
	struct vgl_fdtable *fds;
	struct vgl_userdb *host_users;
	struct vgl_ovl_cache *ovl;
	struct vgl_cfgfile_cache *cfgs;
	char roots[4][ROOT_MAX]; /* runtime roots under --host-root */
	struct ctr_users cusers[VGL_STATE_USERDB_SLOTS];
	bool container_users;
	char proc_root[PATH_MAX / 2];
	char hostname[256];
	uint64_t now, tick;
	uint32_t cur_pid; /* the event being evaluated */
	uint64_t cur_cgroup;
};

#endif /* VIGIL_STATE_STATE_INT_H */
