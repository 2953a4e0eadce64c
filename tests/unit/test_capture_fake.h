/* SPDX-License-Identifier: Apache-2.0 */
/*
 * A live state for recorder tests: processes, containers (for a cgroup, or
 * for one process of it), users per container, descriptors, all changed by
 * hand between events with their versions bumped as vigil's state does
 * (rules/state.h). One instance, F.
 */
#ifndef VIGIL_TESTS_TEST_CAPTURE_FAKE_H
#define VIGIL_TESTS_TEST_CAPTURE_FAKE_H

#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "rules/state.h"

#define FPIDS 160

struct fproc {
	bool used;
	struct vgl_proc_view v;
	char name[16], exe[64], exepath[64], cwd[64], args[64];
	char env[128];
	size_t env_len;
	bool env_known;
	int upper;
	const char *db; /* whose passwd it reads: a container id, NULL the host */
	bool exe_known; /* proc.exe_ino*, read live from /proc */
	struct vgl_exe_stat exe_st;
	const char *cfg; /* docker.daemon.*: its config file's bytes, NULL: cfg_err */
	int cfg_err;
};

struct fctr {
	bool used;
	uint64_t cg;
	uint32_t pid; /* 0: the whole cgroup */
	struct vgl_container_view v;
};

struct fuser {
	const char *db;
	uint32_t id;
	bool group;
	const char *name, *home, *shell;
};

struct ffd {
	bool used;
	uint32_t pid;
	int64_t fd;
	struct vgl_fd_view v;
	char name[64];
};

struct fake {
	struct fproc p[FPIDS];
	struct fctr c[8];
	struct fuser u[16];
	size_t nu;
	uint64_t dbver[2]; /* the host's passwd, the containers' */
	struct ffd fd[8];
	uint64_t ver;
	char host[256];
	unsigned long calls;
};

static struct fake F;

static inline uint64_t fver(void)
{
	return ++F.ver + 100; /* never 0 or the host view's 1 */
}

static inline const struct vgl_proc_view *f_proc(void *st, uint32_t pid)
{
	(void)st;
	F.calls++;
	return pid < FPIDS && F.p[pid].used ? &F.p[pid].v : NULL;
}

static inline const struct vgl_container_view *f_ctr(void *st, uint64_t cg, uint32_t pid)
{
	(void)st;
	F.calls++;
	for (int pass = 0; pass < 2; pass++) {
		for (size_t i = 0; i < 8; i++) {
			if (F.c[i].used && F.c[i].cg == cg && F.c[i].pid == (pass ? 0 : pid))
				return &F.c[i].v;
		}
	}
	return NULL;
}

static inline const char *f_db(uint32_t pid)
{
	return pid < FPIDS && F.p[pid].db ? F.p[pid].db : "host";
}

static inline const struct fuser *f_find(uint32_t id, uint32_t pid, bool group)
{
	F.calls++;
	for (size_t i = 0; i < F.nu; i++) {
		if (F.u[i].id == id && F.u[i].group == group && !strcmp(F.u[i].db, f_db(pid)))
			return &F.u[i];
	}
	return NULL;
}

static inline const char *f_uname(void *st, uint32_t uid, uint32_t pid)
{
	const struct fuser *u = f_find(uid, pid, false);

	(void)st;
	return u ? u->name : NULL;
}

static inline const char *f_uhome(void *st, uint32_t uid, uint32_t pid)
{
	const struct fuser *u = f_find(uid, pid, false);

	(void)st;
	return u ? u->home : NULL;
}

static inline const char *f_ushell(void *st, uint32_t uid, uint32_t pid)
{
	const struct fuser *u = f_find(uid, pid, false);

	(void)st;
	return u ? u->shell : NULL;
}

static inline const char *f_gname(void *st, uint32_t gid, uint32_t pid)
{
	const struct fuser *u = f_find(gid, pid, true);

	(void)st;
	return u ? u->name : NULL;
}

static inline const char *f_users_of(void *st, uint32_t pid, uint64_t *ret_version)
{
	(void)st;
	*ret_version = F.dbver[strcmp(f_db(pid), "host") != 0];
	return f_db(pid);
}

static inline const struct vgl_fd_view *f_fd(void *st, uint32_t pid, int64_t fd)
{
	(void)st;
	F.calls++;
	for (size_t i = 0; i < 8; i++) {
		if (F.fd[i].used && F.fd[i].pid == pid && F.fd[i].fd == fd)
			return &F.fd[i].v;
	}
	return NULL;
}

static inline const char *f_host(void *st)
{
	(void)st;
	return F.host;
}

static inline const char *f_env(void *st, uint32_t pid, size_t *ret_len)
{
	(void)st;
	F.calls++;
	if (pid >= FPIDS || !F.p[pid].used || !F.p[pid].env_known)
		return NULL;
	*ret_len = F.p[pid].env_len;
	return F.p[pid].env;
}

static inline int f_upper(void *st, uint32_t pid)
{
	(void)st;
	F.calls++;
	return pid < FPIDS && F.p[pid].used ? F.p[pid].upper : -1;
}

static inline bool f_exe(void *st, uint32_t pid, struct vgl_exe_stat *ret)
{
	(void)st;
	F.calls++;
	if (pid >= FPIDS || !F.p[pid].used || !F.p[pid].exe_known)
		return false;
	*ret = F.p[pid].exe_st;
	return true;
}

static inline const char *f_cfg(void *st, uint32_t pid, const char *path, size_t *ret_len,
				int *ret_err)
{
	(void)st;
	(void)path;
	F.calls++;
	*ret_len = 0;
	*ret_err = -ENOENT;
	if (pid >= FPIDS || !F.p[pid].used)
		return NULL;
	*ret_err = F.p[pid].cfg ? 0 : F.p[pid].cfg_err;
	*ret_len = F.p[pid].cfg ? strlen(F.p[pid].cfg) : 0;
	return F.p[pid].cfg;
}

/*
 * The changes callback: a hash of everything the answers come from, so
 * that a test may change F by hand in any way (but the call count).
 */
static inline uint64_t f_changes(void *st)
{
	unsigned long calls = F.calls;
	const unsigned char *p = (const unsigned char *)&F;
	uint64_t h = 0xcbf29ce484222325ull, w;

	(void)st;
	F.calls = 0;
	for (size_t i = 0; i + 8 <= sizeof(F); i += 8) {
		memcpy(&w, p + i, 8);
		h = (h ^ w) * 0x100000001b3ull;
		h ^= h >> 29;
	}
	F.calls = calls;
	return h | 1;
}

static const struct vgl_field_state_ops fake_ops = {
	.proc = f_proc,
	.container = f_ctr,
	.user_name = f_uname,
	.group_name = f_gname,
	.user_home = f_uhome,
	.user_shell = f_ushell,
	.fd = f_fd,
	.hostname = f_host,
	.proc_env = f_env,
	.exe_upper_layer = f_upper,
	.exe_stat = f_exe,
	.config_file = f_cfg,
	.users_of = f_users_of,
	.changes = f_changes,
};

/* Point the view at the entry's strings, with a new version. */
static inline void fp_sync(struct fproc *p)
{
	p->v.name = p->name;
	p->v.exe = p->exe;
	p->v.exepath = p->exepath;
	p->v.cwd = p->cwd;
	p->v.args = p->args;
	p->v.args_len = strlen(p->args);
	p->v.version = fver();
}

/* A process (as if forked then exec'd): session and group its own. */
static inline struct fproc *fp_set(uint32_t pid, uint32_t ppid, const char *name, const char *db)
{
	struct fproc *p = &F.p[pid];

	memset(p, 0, sizeof(*p));
	p->used = true;
	p->v = (struct vgl_proc_view){ .pid = pid,
				       .ppid = ppid,
				       .vpid = pid,
				       .sid = pid,
				       .vpgid = pid,
				       .tty = 0,
				       .start_ts = 1000 + pid };
	snprintf(p->name, sizeof(p->name), "%s", name);
	snprintf(p->exe, sizeof(p->exe), "%s", name);
	snprintf(p->exepath, sizeof(p->exepath), "/usr/bin/%s", name);
	snprintf(p->cwd, sizeof(p->cwd), "/");
	p->upper = db ? 0 : -1;
	p->db = db;
	p->v.lazy_version = fver();
	fp_sync(p);
	return p;
}

/* proc.env / the upper layer changed (read lazily, or a new image). */
static inline void fp_lazy(uint32_t pid, const char *env, size_t len, int upper)
{
	struct fproc *p = &F.p[pid];

	memcpy(p->env, env, len);
	p->env_len = len;
	p->env_known = env != NULL;
	p->upper = upper;
	p->v.lazy_version = fver();
}

static inline struct ffd *ffd_set(size_t slot, uint32_t pid, int64_t fd, char type,
				  const char *name, const char *l4)
{
	struct ffd *d = &F.fd[slot];

	*d = (struct ffd){ .used = true, .pid = pid, .fd = fd };
	snprintf(d->name, sizeof(d->name), "%s", name);
	d->v = (struct vgl_fd_view){
		.typechar = type, .name = d->name, .l4proto = l4, .version = fver()
	};
	return d;
}

static inline void fuser_add(const char *db, uint32_t id, bool group, const char *name,
			     const char *home, const char *shell)
{
	F.u[F.nu++] = (struct fuser){ db, id, group, name, home, shell };
}

#endif /* VIGIL_TESTS_TEST_CAPTURE_FAKE_H */
