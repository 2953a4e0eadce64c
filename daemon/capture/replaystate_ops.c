// SPDX-License-Identifier: Apache-2.0
/* The rule engine's callbacks (rules/state.h) on a recorded state (replaystate.h). */
#include <string.h>

#include "capture/replaystate_int.h"

static struct rs_proc *proc_entry(struct vgl_replaystate *rs, uint32_t pid)
{
	return (struct rs_proc *)rs_find(&rs->procs, pid, 0, NULL);
}

static const struct vgl_proc_view *cb_proc(void *state, uint32_t pid)
{
	struct rs_proc *p = proc_entry(state, pid);

	return p ? &p->view : NULL;
}

/* The newer of the process's own answer and its cgroup's (recorder_ctx.c). */
static const struct vgl_container_view *cb_container(void *state, uint64_t cgroup_id, uint32_t pid)
{
	struct vgl_replaystate *rs = state;
	struct rs_ctr *c = pid ? (struct rs_ctr *)rs_find(&rs->ctrs, cgroup_id, pid, NULL) : NULL;
	struct rs_ctr *g = (struct rs_ctr *)rs_find(&rs->ctrs, cgroup_id, 0, NULL);

	/* versions grow with every record applied: the newer was written later */
	if (!c || (g && g->c.view.version > c->c.view.version))
		c = g;
	return c && c->c.known ? &c->c.view : NULL;
}

/* The names @pid saw: those of the container its USER / GROUP records named. */
static const struct vgl_caprec_user *names(struct vgl_replaystate *rs, uint64_t key, uint32_t pid)
{
	struct rs_bind *b = (struct rs_bind *)rs_find(&rs->binds, pid, 0, NULL);
	struct rs_user *u = (struct rs_user *)rs_find(&rs->users, key, 0, b ? b->ctr_id : "host");

	return u ? &u->u : NULL;
}

static const char *cb_user_name(void *state, uint32_t uid, uint32_t pid)
{
	const struct vgl_caprec_user *u = names(state, uid, pid);

	return u ? u->name : NULL;
}

static const char *cb_user_home(void *state, uint32_t uid, uint32_t pid)
{
	const struct vgl_caprec_user *u = names(state, uid, pid);

	return u ? u->home : NULL;
}

static const char *cb_user_shell(void *state, uint32_t uid, uint32_t pid)
{
	const struct vgl_caprec_user *u = names(state, uid, pid);

	return u ? u->shell : NULL;
}

static const char *cb_group_name(void *state, uint32_t gid, uint32_t pid)
{
	const struct vgl_caprec_user *g = names(state, gid | RS_GROUP_KEY, pid);

	return g ? g->name : NULL;
}

static const struct vgl_fd_view *cb_fd(void *state, uint32_t pid, int64_t fd)
{
	struct vgl_replaystate *rs = state;
	struct rs_fd *f = (struct rs_fd *)rs_find(&rs->fds, pid, (uint64_t)fd, NULL);

	return f ? &f->f.view : NULL;
}

static const char *cb_hostname(void *state)
{
	return ((struct vgl_replaystate *)state)->hostname;
}

static const char *cb_proc_env(void *state, uint32_t pid, size_t *ret_len)
{
	struct rs_proc *p = proc_entry(state, pid);

	if (!p || !p->lazy_known || !p->lazy.env)
		return NULL;
	*ret_len = p->lazy.env_len;
	return p->lazy.env;
}

static int cb_exe_upper_layer(void *state, uint32_t pid)
{
	struct rs_proc *p = proc_entry(state, pid);

	return p && p->lazy_known ? p->lazy.upper : -1;
}

/* proc.exe_ino*: the answer live gave when a rule last asked while recording. */
static bool cb_exe_stat(void *state, uint32_t pid, struct vgl_exe_stat *ret)
{
	struct vgl_replaystate *rs = state;
	struct rs_exe *e = (struct rs_exe *)rs_find(&rs->exes, pid, 0, NULL);

	if (!e || !e->known)
		return false;
	*ret = e->st;
	return true;
}

/* Where the names of @pid come from, for a capture made of a replay. */
static const char *cb_users_of(void *state, uint32_t pid, uint64_t *ret_version)
{
	struct vgl_replaystate *rs = state;
	struct rs_bind *b = (struct rs_bind *)rs_find(&rs->binds, pid, 0, NULL);

	*ret_version = 0; /* not tracked: compared by content */
	return b ? b->ctr_id : "host";
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
	.config_file = rs_config_file,
	.users_of = cb_users_of,
};

const struct vgl_field_state_ops *vgl_replaystate_ops(void)
{
	return &ops;
}
