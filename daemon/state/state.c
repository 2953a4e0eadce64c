// SPDX-License-Identifier: Apache-2.0
/* The state tracker's entry points and the rule engine's callbacks. */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "state/cfgfile.h"
#include "state/fdtable.h"
#include "state/overlay.h"
#include "state/state.h"
#include "state/users.h"
#include "state/util.h"

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

void vgl_state_opts_default(struct vgl_state_opts *ret)
{
	memset(ret, 0, sizeof(*ret));
	ret->proc_root = "/proc";
	ret->passwd_path = "/etc/passwd";
	ret->group_path = "/etc/group";
	ret->roots = vgl_runtime_default_roots;
	ret->scan_proc = true;
	ret->container_users = true;
}

/*
 * @path under @host_root, copied into @buf (a DaemonSet mounts the host's
 * paths under /host): the state keeps no pointer into its options.
 */
static const char *under(const char *host_root, const char *path, char buf[ROOT_MAX])
{
	if (!path)
		return NULL;
	if (!host_root || !strcmp(host_root, "/"))
		host_root = "";
	snprintf(buf, ROOT_MAX, "%s%s", host_root, path);
	return buf;
}

static void apply_host_root(struct vgl_state *st, const struct vgl_state_opts *o,
			    struct vgl_runtime_roots *roots, char pw[ROOT_MAX], char gr[ROOT_MAX])
{
	const char *h = o->host_root;

	roots->docker = under(h, o->roots.docker, st->roots[0]);
	roots->containerd = under(h, o->roots.containerd, st->roots[1]);
	roots->crio = under(h, o->roots.crio, st->roots[2]);
	roots->podman = under(h, o->roots.podman, st->roots[3]);
	under(h, o->passwd_path ?: "/etc/passwd", pw);
	under(h, o->group_path ?: "/etc/group", gr);
}

struct vgl_state *vgl_state_new(const struct vgl_state_opts *o)
{
	struct vgl_proctable_opts po = { o->proc_root, o->max_procs, o->args_max,
					 o->exit_grace_ns };
	struct vgl_ctr_cache_opts co = {
		.proc_root = o->proc_root,
		.max_entries = o->max_containers,
		.retry_ns = o->container_retry_ns,
		.async = o->async_meta,
	};
	struct vgl_state *st = calloc(1, sizeof(*st));
	char pw[ROOT_MAX], gr[ROOT_MAX];
	int rc = -ENOMEM;

	if (!st)
		return NULL;
	apply_host_root(st, o, &co.roots, pw, gr);
	snprintf(st->proc_root, sizeof(st->proc_root), "%s", o->proc_root ?: "/proc");
	if (o->hostname)
		snprintf(st->hostname, sizeof(st->hostname), "%s", o->hostname);
	else if (gethostname(st->hostname, sizeof(st->hostname) - 1))
		st->hostname[0] = '\0';
	st->container_users = o->container_users;
	st->procs = vgl_proctable_new(&po);
	st->ctrs = vgl_ctr_cache_new(&co);
	st->fds = vgl_fdtable_new(o->proc_root, o->max_fds);
	st->host_users = vgl_userdb_new(pw, gr, 0);
	st->ovl = vgl_ovl_cache_new(o->proc_root, o->host_root, OVL_TTL_NS);
	st->cfgs = vgl_cfgfile_cache_new(o->proc_root, o->host_root);
	if (!st->procs || !st->ctrs || !st->fds || !st->host_users || !st->ovl || !st->cfgs)
		goto out_free;
	if (o->scan_proc && (rc = vgl_proctable_scan(st->procs)) < 0)
		goto out_free;
	return st;

out_free:
	vgl_state_free(st);
	errno = -rc;
	return NULL;
}

void vgl_state_free(struct vgl_state *st)
{
	size_t i;

	if (!st)
		return;
	vgl_proctable_free(st->procs);
	vgl_ctr_cache_free(st->ctrs);
	vgl_fdtable_free(st->fds);
	vgl_userdb_free(st->host_users);
	vgl_ovl_cache_free(st->ovl);
	vgl_cfgfile_cache_free(st->cfgs);
	for (i = 0; i < VGL_STATE_USERDB_SLOTS; i++)
		vgl_userdb_free(st->cusers[i].db);
	free(st);
}

void vgl_state_update(struct vgl_state *st, const struct vgl_event *ev)
{
	const struct vgl_container_view *c;

	if (ev->hdr.ts > st->now)
		st->now = ev->hdr.ts;
	st->tick++;
	st->cur_pid = ev->hdr.pid;
	st->cur_cgroup = ev->hdr.cgroup_id;
	vgl_proctable_begin(st->procs, st->now);
	vgl_userdb_refresh(st->host_users, st->now);
	vgl_proctable_update(st->procs, ev);
	vgl_fdtable_update(st->fds, ev);
	/* resolve a new container now, while its state files exist */
	c = vgl_ctr_cache_lookup(st->ctrs, ev->hdr.cgroup_id, ev->hdr.pid, st->now);
	/* an exec may end the runtime's setup: the kernel's posture view is final */
	if ((ev->kind == VGL_EV_EXECVE || ev->kind == VGL_EV_EXECVEAT) && ev->hdr.res == 0)
		vgl_ctr_cache_exec(st->ctrs, c, ev->hdr.pid, st->now);
}

bool vgl_state_container_news(struct vgl_state *st, const struct vgl_event *ev,
			      struct vgl_ctr_news *ret)
{
	return vgl_ctrnews_exec(st->ctrs, ev, st->now, ret);
}

size_t vgl_state_scan_containers(struct vgl_state *st, uint64_t now_ns, vgl_ctrnews_fn fn,
				 void *ctx)
{
	if (now_ns > st->now)
		st->now = now_ns;
	return vgl_ctrnews_scan(st->ctrs, st->proc_root, st->now, fn, ctx);
}

uint64_t vgl_state_wait_key(struct vgl_state *st, const struct vgl_event *ev)
{
	uint64_t now = ev->hdr.ts > st->now ? ev->hdr.ts : st->now;
	uint32_t pid = ev->hdr.pid;
	uint64_t key = vgl_ctr_cache_wait_key(st->ctrs, ev->hdr.cgroup_id, pid, now);

	if (!key)
		return 0;
	/*
	 * The process may be gone by the time the event goes on: read it now.
	 * Not its container's passwd or mounts: the first process of a
	 * container may not have entered the container's root yet.
	 */
	vgl_proctable_get(st->procs, pid, true);
	return key;
}

bool vgl_state_key_pending(struct vgl_state *st, uint64_t key)
{
	return vgl_ctr_cache_key_pending(st->ctrs, key);
}

void vgl_state_stop_waiting(struct vgl_state *st, uint64_t key)
{
	vgl_ctr_cache_stop_waiting(st->ctrs, key);
}

size_t vgl_state_collect(struct vgl_state *st)
{
	return vgl_ctr_cache_collect(st->ctrs);
}

int vgl_state_fd(const struct vgl_state *st)
{
	return vgl_ctr_cache_fd(st->ctrs);
}

bool vgl_state_wait(struct vgl_state *st, int timeout_ms)
{
	return vgl_ctr_cache_wait(st->ctrs, timeout_ms);
}

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

void vgl_state_stats(const struct vgl_state *st, struct vgl_state_stats *ret)
{
	size_t i;

	memset(ret, 0, sizeof(*ret));
	vgl_proctable_stats(st->procs, &ret->procs);
	vgl_ctr_cache_stats(st->ctrs, &ret->containers);
	vgl_fdtable_stats(st->fds, &ret->fds);
	ret->user_loads = vgl_userdb_loads(st->host_users);
	for (i = 0; i < VGL_STATE_USERDB_SLOTS; i++)
		ret->user_loads += st->cusers[i].db ? vgl_userdb_loads(st->cusers[i].db) : 0;
}

const char *vgl_state_last_error(const struct vgl_state *st)
{
	return vgl_ctr_cache_last_error(st->ctrs);
}
