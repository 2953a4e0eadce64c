// SPDX-License-Identifier: Apache-2.0
/* The rule engine's callbacks into the state tracker (rules/state.h). */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "state/state_int.h"
#include "state/util.h"

static const struct vgl_proc_view *cb_proc(void *state, uint32_t pid)
{
	struct vgl_state *st = state;

	return vgl_proctable_get(st->procs, pid, true);
}

/*
 * A process that exited before its cgroup could be read got that cgroup
 * from its parent at fork: ask the parent (a few levels) before giving up.
 */
static const struct vgl_container_view *cb_container(void *state, uint64_t cgroup_id, uint32_t pid)
{
	struct vgl_state *st = state;
	const struct vgl_container_view *c =
		vgl_ctr_cache_lookup(st->ctrs, cgroup_id, pid, st->now);

	for (int i = 0; !c && pid && i < 4; i++) {
		const struct vgl_proc_view *p = vgl_proctable_get(st->procs, pid, false);

		if (!p || !p->ppid || p->ppid == pid)
			break;
		pid = p->ppid;
		c = vgl_ctr_cache_lookup(st->ctrs, cgroup_id, pid, st->now);
	}
	return c;
}

/* The passwd / group of @pid's container, through /proc/PID/root. */
static struct ctr_users *container_users(struct vgl_state *st, const char *id, uint32_t pid)
{
	char pw[PATH_MAX], gr[PATH_MAX];
	struct ctr_users *slot = &st->cusers[0];
	size_t i;

	for (i = 0; i < VGL_STATE_USERDB_SLOTS; i++) {
		if (st->cusers[i].db && !strcmp(st->cusers[i].id, id)) {
			st->cusers[i].used = st->tick;
			vgl_userdb_refresh(st->cusers[i].db, st->now);
			return &st->cusers[i];
		}
		if (st->cusers[i].used < slot->used)
			slot = &st->cusers[i];
	}
	snprintf(pw, sizeof(pw), "%s/%u/root/etc/passwd", st->proc_root, pid);
	snprintf(gr, sizeof(gr), "%s/%u/root/etc/group", st->proc_root, pid);
	vgl_userdb_free(slot->db);
	slot->db = vgl_userdb_new(pw, gr, 0);
	snprintf(slot->id, sizeof(slot->id), "%s", id);
	slot->used = st->tick;
	return slot;
}

/*
 * The user database @pid sees: its container's when readable, else the
 * host's; *@ret_id names it (a container id, or "host").
 */
static struct vgl_userdb *users_db(struct vgl_state *st, uint32_t pid, const char **ret_id)
{
	const struct vgl_container_view *c;
	struct ctr_users *slot;

	*ret_id = "host";
	if (!st->container_users || pid != st->cur_pid)
		return st->host_users;
	c = vgl_ctr_cache_lookup(st->ctrs, st->cur_cgroup, pid, st->now);
	if (!c || !strcmp(c->id, "host"))
		return st->host_users;
	slot = container_users(st, c->id, pid);
	if (!slot->db || !vgl_userdb_loads(slot->db))
		return st->host_users;
	*ret_id = slot->id; /* stable while the slot is, unlike the view */
	return slot->db;
}

static struct vgl_userdb *users_of(struct vgl_state *st, uint32_t pid)
{
	const char *id;

	return users_db(st, pid, &id);
}

static const char *cb_users_of(void *state, uint32_t pid, uint64_t *ret_version)
{
	const char *id;

	*ret_version = vgl_userdb_version(users_db(state, pid, &id));
	return id;
}

static const char *cb_user_name(void *state, uint32_t uid, uint32_t pid)
{
	const struct vgl_user *u = vgl_userdb_user(users_of(state, pid), uid);

	return u ? u->name : NULL;
}

static const char *cb_user_home(void *state, uint32_t uid, uint32_t pid)
{
	const struct vgl_user *u = vgl_userdb_user(users_of(state, pid), uid);

	return u ? u->home : NULL;
}

static const char *cb_user_shell(void *state, uint32_t uid, uint32_t pid)
{
	const struct vgl_user *u = vgl_userdb_user(users_of(state, pid), uid);

	return u ? u->shell : NULL;
}

static const char *cb_group_name(void *state, uint32_t gid, uint32_t pid)
{
	const struct vgl_user *g = vgl_userdb_group(users_of(state, pid), gid);

	return g ? g->name : NULL;
}

static const struct vgl_fd_view *cb_fd(void *state, uint32_t pid, int64_t fd)
{
	struct vgl_state *st = state;

	return vgl_fdtable_get(st->fds, pid, fd);
}

static const char *cb_hostname(void *state)
{
	struct vgl_state *st = state;

	return st->hostname;
}

static const char *cb_proc_env(void *state, uint32_t pid, size_t *ret_len)
{
	struct vgl_state *st = state;

	return vgl_proctable_env(st->procs, pid, ret_len);
}

/* From the executable's path and its container's mounts; once per exec. */
static int64_t ts_ns(const struct timespec *t)
{
	return (int64_t)t->tv_sec * 1000000000 + t->tv_nsec;
}

/*
 * What the exec event said; else, for a process older than vigil, through
 * the process's own mount namespace: /proc/PID/exe.
 */
static bool cb_exe_stat(void *state, uint32_t pid, struct vgl_exe_stat *ret)
{
	struct vgl_state *st = state;
	char path[PATH_MAX];
	struct stat sb;

	if (vgl_proctable_exe_stat(st->procs, pid, ret))
		return true;
	snprintf(path, sizeof(path), "%s/%u/exe", st->proc_root, pid);
	if (stat(path, &sb))
		return false;
	ret->ino = (uint64_t)sb.st_ino;
	ret->ctime_ns = ts_ns(&sb.st_ctim);
	ret->mtime_ns = ts_ns(&sb.st_mtim);
	return true;
}

static int cb_exe_upper_layer(void *state, uint32_t pid)
{
	struct vgl_state *st = state;
	const struct vgl_proc_view *v = vgl_proctable_get(st->procs, pid, false);
	const struct vgl_container_view *c;
	int upper = vgl_proctable_upper(st->procs, pid);

	if (!v || upper != -2)
		return v ? upper : -1;
	c = cb_container(st, pid == st->cur_pid ? st->cur_cgroup : 0, pid);
	upper = c && v->exepath ? vgl_ovl_cache_in_upper(st->ovl, c->id, pid, v->exepath, st->now)
				: -1;
	if (upper >= 0) /* unknown (process gone, ...) may be known for another event */
		vgl_proctable_set_upper(st->procs, pid, upper);
	return upper;
}

/* Read once per process (its start time tells a reused pid apart) and path. */
static const char *cb_config_file(void *state, uint32_t pid, const char *path, size_t *ret_len,
				  int *ret_err)
{
	struct vgl_state *st = state;
	const struct vgl_proc_view *v = vgl_proctable_get(st->procs, pid, false);

	return vgl_cfgfile_get(st->cfgs, pid, v ? v->start_ts : 0, path, ret_len, ret_err);
}

static uint64_t cb_changes(void *state)
{
	(void)state;
	return vgl_state_changes();
}

static const struct vgl_field_state_ops ops = {
	.proc = cb_proc,
	.container = cb_container,
	.user_name = cb_user_name,
	.group_name = cb_group_name,
	.user_home = cb_user_home,
	.user_shell = cb_user_shell,
	.fd = cb_fd,
	.hostname = cb_hostname,
	.proc_env = cb_proc_env,
	.exe_upper_layer = cb_exe_upper_layer,
	.exe_stat = cb_exe_stat,
	.config_file = cb_config_file,
	.users_of = cb_users_of,
	.changes = cb_changes,
};

const struct vgl_field_state_ops *vgl_state_ops(void)
{
	return &ops;
}
