// SPDX-License-Identifier: Apache-2.0
/*
 * proc.exe_ino, proc.exe_ino.ctime, .mtime and .ctime_duration_proc_start
 * while recording: the state reads them from /proc/PID/exe when a rule asks
 * (rules/state.h exe_stat), which is too dear for every event, so they are
 * not in the tap's set. A rule's answer is written as an EXE record, before
 * the event, whenever it differs from the last one written for that pid in
 * the current file: replay (replaystate.c) keeps the last one per pid and
 * answers exactly what live answered.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "capture/recorder_int.h"

#define EXE_KEY 1 /* the procs table's second key for EXE answers */

static bool same(const struct rm_slot *s, bool known, const struct vgl_exe_stat *st)
{
	if (!s || !s->v[3]) /* nothing written: replay answers unknown */
		return !known;
	return known && s->v[0] == st->ino && s->v[1] == (uint64_t)st->ctime_ns &&
	       s->v[2] == (uint64_t)st->mtime_ns;
}

bool rec_exe(struct vgl_recorder *r, uint32_t pid, struct vgl_exe_stat *ret)
{
	const struct vgl_field_state_ops *ops = r->o.ops;
	bool known = ops->exe_stat && ops->exe_stat(r->o.state, pid, ret);
	struct rm_slot *s;

	if (!r->to_writer || same(rm_get(&r->procs, pid, EXE_KEY), known, ret))
		return known;
	if (vgl_caprec_exe(&r->rec, pid, known ? ret : NULL))
		return known;
	if (rec_emit(r, VGL_CAP_REC_EXE, false, true)) {
		s = rm_put(&r->procs, pid, EXE_KEY);
		s->v[0] = known ? ret->ino : 0;
		s->v[1] = known ? (uint64_t)ret->ctime_ns : 0;
		s->v[2] = known ? (uint64_t)ret->mtime_ns : 0;
		s->v[3] = known;
		rec_note_late(r, RK_EXE, pid, 0);
	}
	return known;
}

/*
 * docker.daemon.*: a config file a rule read through the state, written as
 * a CONFIG record whenever the answer for that pid differs from the last
 * one written in the current file (compared by a hash of path and bytes).
 */
#define CFG_KEY 2 /* the procs table's third key: v0 hash of the last CONFIG answer */

static uint64_t fnv(uint64_t h, const void *p, size_t n)
{
	const unsigned char *c = p;

	for (size_t i = 0; i < n; i++)
		h = (h ^ c[i]) * 0x100000001b3ull;
	return h;
}

const char *rec_config(struct vgl_recorder *r, uint32_t pid, const char *path, size_t *ret_len,
		       int *ret_err)
{
	const struct vgl_field_state_ops *ops = r->o.ops;
	const char *data = NULL;
	struct rm_slot *s;
	uint64_t h;

	*ret_len = 0;
	*ret_err = -ENOSYS;
	if (ops->config_file)
		data = ops->config_file(r->o.state, pid, path, ret_len, ret_err);
	if (!r->to_writer || !path)
		return data;
	h = fnv(0xcbf29ce484222325ull, path, strlen(path) + 1);
	h = fnv(h, ret_err, sizeof(*ret_err));
	h = fnv(h, data ? data : "", data ? *ret_len : 0) | 1; /* 0: nothing written */
	s = rm_get(&r->procs, pid, CFG_KEY);
	if ((s && s->v[0] == h) || vgl_caprec_config(&r->rec, pid, path, data, *ret_len, *ret_err))
		return data;
	if (rec_emit(r, VGL_CAP_REC_CONFIG, false, true)) {
		rm_put(&r->procs, pid, CFG_KEY)->v[0] = h;
		if (path != r->cfg_path)
			snprintf(r->cfg_path, sizeof(r->cfg_path), "%s", path);
		rec_note_late(r, RK_CONFIG, pid, 0);
	}
	return data;
}
