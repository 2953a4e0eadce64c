// SPDX-License-Identifier: Apache-2.0
/*
 * The callbacks the rules read through while recording (recorder.h): the
 * live ones, and while an event is being written, the context functions
 * (recorder_ctx.c), which write whatever answer the file does not hold yet.
 * The tap's set leaves nothing for them to write but an open's descriptor
 * and ancestors beyond VGL_RECORDER_ANCESTORS; late_records counts the rest.
 */
#include <errno.h>

#include "capture/recorder_int.h"

#define LIVE(r) ((r)->o.ops)

static const struct vgl_proc_view *px_proc(void *state, uint32_t pid)
{
	struct vgl_recorder *r = state;

	if (r->active)
		return rec_proc(r, pid);
	return LIVE(r)->proc ? LIVE(r)->proc(r->o.state, pid) : NULL;
}

static const struct vgl_container_view *px_container(void *state, uint64_t cgroup_id, uint32_t pid)
{
	struct vgl_recorder *r = state;

	if (r->active)
		return rec_container(r, cgroup_id, pid);
	return LIVE(r)->container ? LIVE(r)->container(r->o.state, cgroup_id, pid) : NULL;
}

static const char *px_user_name(void *state, uint32_t uid, uint32_t pid)
{
	struct vgl_recorder *r = state;

	if (r->active)
		return rec_user(r, uid, pid, false).name;
	return LIVE(r)->user_name ? LIVE(r)->user_name(r->o.state, uid, pid) : NULL;
}

static const char *px_user_home(void *state, uint32_t uid, uint32_t pid)
{
	struct vgl_recorder *r = state;

	if (r->active)
		return rec_user(r, uid, pid, false).home;
	return LIVE(r)->user_home ? LIVE(r)->user_home(r->o.state, uid, pid) : NULL;
}

static const char *px_user_shell(void *state, uint32_t uid, uint32_t pid)
{
	struct vgl_recorder *r = state;

	if (r->active)
		return rec_user(r, uid, pid, false).shell;
	return LIVE(r)->user_shell ? LIVE(r)->user_shell(r->o.state, uid, pid) : NULL;
}

static const char *px_group_name(void *state, uint32_t gid, uint32_t pid)
{
	struct vgl_recorder *r = state;

	if (r->active)
		return rec_user(r, gid, pid, true).name;
	return LIVE(r)->group_name ? LIVE(r)->group_name(r->o.state, gid, pid) : NULL;
}

static const struct vgl_fd_view *px_fd(void *state, uint32_t pid, int64_t fd)
{
	struct vgl_recorder *r = state;

	if (r->active)
		return rec_fd(r, pid, fd);
	return LIVE(r)->fd ? LIVE(r)->fd(r->o.state, pid, fd) : NULL;
}

static const char *px_hostname(void *state)
{
	struct vgl_recorder *r = state;

	return LIVE(r)->hostname ? LIVE(r)->hostname(r->o.state) : NULL;
}

static const char *px_proc_env(void *state, uint32_t pid, size_t *ret_len)
{
	struct vgl_recorder *r = state;
	struct rec_lazy a;

	if (!r->active)
		return LIVE(r)->proc_env ? LIVE(r)->proc_env(r->o.state, pid, ret_len) : NULL;
	a = rec_lazy(r, pid);
	if (a.env)
		*ret_len = a.env_len;
	return a.env;
}

static int px_exe_upper_layer(void *state, uint32_t pid)
{
	struct vgl_recorder *r = state;

	if (r->active)
		return rec_lazy(r, pid).upper;
	return LIVE(r)->exe_upper_layer ? LIVE(r)->exe_upper_layer(r->o.state, pid) : -1;
}

static bool px_exe_stat(void *state, uint32_t pid, struct vgl_exe_stat *ret)
{
	struct vgl_recorder *r = state;

	if (r->active)
		return rec_exe(r, pid, ret);
	return LIVE(r)->exe_stat && LIVE(r)->exe_stat(r->o.state, pid, ret);
}

static const char *px_config_file(void *state, uint32_t pid, const char *path, size_t *ret_len,
				  int *ret_err)
{
	struct vgl_recorder *r = state;

	if (r->active)
		return rec_config(r, pid, path, ret_len, ret_err);
	*ret_err = -ENOSYS;
	return LIVE(r)->config_file ? LIVE(r)->config_file(r->o.state, pid, path, ret_len, ret_err)
				    : NULL;
}

static const char *px_users_of(void *state, uint32_t pid, uint64_t *ret_version)
{
	struct vgl_recorder *r = state;

	*ret_version = 0;
	return LIVE(r)->users_of ? LIVE(r)->users_of(r->o.state, pid, ret_version) : NULL;
}

static const struct vgl_field_state_ops ops = {
	.proc = px_proc,
	.container = px_container,
	.user_name = px_user_name,
	.group_name = px_group_name,
	.user_home = px_user_home,
	.user_shell = px_user_shell,
	.fd = px_fd,
	.hostname = px_hostname,
	.proc_env = px_proc_env,
	.exe_upper_layer = px_exe_upper_layer,
	.exe_stat = px_exe_stat,
	.config_file = px_config_file,
	.users_of = px_users_of,
};

const struct vgl_field_state_ops *vgl_recorder_ops(void)
{
	return &ops;
}
