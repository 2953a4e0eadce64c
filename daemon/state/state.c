// SPDX-License-Identifier: Apache-2.0
/* The state tracker's entry points and the rule engine's callbacks. */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "state/state_int.h"
#include "state/util.h"

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
