// SPDX-License-Identifier: Apache-2.0
/*
 * The capture tap (recorder.h). Per event: the capture filter, the context
 * (recorder_ctx.c) written where it changed since the current file has it,
 * the flight recorder's copy of the full context; then the rules read
 * through vgl_recorder_ops(), whatever they obtain outside the context is
 * written as it is read, and vgl_recorder_event_end() writes the event
 * itself: every context record the event needs comes before it in the file.
 *
 * A new file or a dropped block (the writer's epoch) loses what the file
 * held: the tables are forgotten and the context written again, and a LOSS
 * record says how many events went missing.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "capture/recorder_int.h"
#include "capture/replaystate.h"

/* Table sizes: what they hold (3/4) stays within what replay keeps. */
#define MAP_PROCS (1u << 16)
#define MAP_CTRS  (1u << 12)
#define MAP_USERS (1u << 14)
#define MAP_FDS	  (1u << 15)
#define CTX_MAX	  (16u << 20) /* flight context of one event */

_Static_assert(MAP_PROCS / 4 * 3 <= VGL_REPLAY_PROCS_MAX, "replay forgets processes");
_Static_assert(MAP_CTRS / 4 * 3 <= VGL_REPLAY_CONTAINERS_MAX, "replay forgets containers");
_Static_assert(MAP_USERS / 4 * 3 <= VGL_REPLAY_USERS_MAX, "replay forgets users");
_Static_assert(MAP_FDS / 4 * 3 <= VGL_REPLAY_FDS_MAX, "replay forgets descriptors");

/* Where the context functions find the "fd" and uid parameters of each kind. */
static void index_params(struct vgl_recorder *r)
{
	unsigned int k, i;

	for (k = 0; k < VGL_EV_MAX; k++) {
		const struct vgl_kind_info *ki = &vgl_kind_info[k];

		r->fd_param[k] = (int8_t)(k ? vgl_param_index((enum vgl_kind)k, "fd") : -1);
		for (i = 0; ki->params && i < ki->nparams && i < 64; i++) {
			if (ki->params[i].type == VGL_PT_UID)
				r->uid_params[k] |= 1ull << i;
		}
	}
}

struct vgl_recorder *vgl_recorder_new(const struct vgl_recorder_opts *opts)
{
	struct vgl_recorder *r;

	if (!opts->ops) {
		errno = EINVAL;
		return NULL;
	}
	r = calloc(1, sizeof(*r));
	if (!r)
		return NULL;
	r->o = *opts;
	index_params(r);
	if ((opts->filter && !(r->fctx = vgl_match_ctx_new(opts->filter))) ||
	    (opts->writer && (rm_init(&r->procs, MAP_PROCS) || rm_init(&r->ctrs, MAP_CTRS) ||
			      rm_init(&r->users, MAP_USERS) || rm_init(&r->fds, MAP_FDS)))) {
		vgl_recorder_free(r);
		errno = ENOMEM;
		return NULL;
	}
	if (opts->writer)
		r->epoch = vgl_capwriter_epoch(opts->writer);
	return r;
}

static void finish(struct vgl_recorder *r, bool ev_valid);

void vgl_recorder_free(struct vgl_recorder *r)
{
	if (!r)
		return;
	finish(r, false);
	vgl_match_ctx_free(r->fctx);
	rm_free(&r->procs);
	rm_free(&r->ctrs);
	rm_free(&r->users);
	rm_free(&r->fds);
	vgl_capbuf_free(&r->rec);
	free(r->ctx.data);
	free(r->raw);
	free(r);
}

/* One framed record (struct vgl_cap_rec, little-endian) onto the flight context. */
static void ctx_append(struct rec_ctx *c, uint32_t type, const void *data, size_t len)
{
	size_t need = c->len + 8 + len, cap = c->cap ? c->cap : 4096;
	unsigned char *d = c->data, *p;

	if (need > CTX_MAX) {
		c->err = true;
		return;
	}
	if (need > c->cap) {
		while (cap < need)
			cap *= 2;
		if (!(d = realloc(c->data, cap))) {
			c->err = true;
			return;
		}
		c->data = d;
		c->cap = cap;
	}
	p = c->data + c->len;
	for (int i = 0; i < 4; i++) {
		p[i] = (unsigned char)(type >> (8 * i));
		p[4 + i] = (unsigned char)(len >> (8 * i));
	}
	if (len)
		memcpy(p + 8, data, len);
	c->len = need;
}

bool rec_emit(struct vgl_recorder *r, uint32_t type, bool flight, bool writer)
{
	int rc;

	if (flight)
		ctx_append(&r->ctx, type, r->rec.data, r->rec.len);
	if (!writer)
		return false;
	rc = vgl_capwriter_put(r->o.writer, type, r->rec.data, r->rec.len);
	if (rc == -ENOBUFS)
		r->dropped = true; /* so was what came before it in its block */
	if (rc)
		return false;
	r->stats.ctx_records++;
	return true;
}

/* The file no longer holds what the tables say: forget. */
static void forget(struct vgl_recorder *r)
{
	rm_reset(&r->procs);
	rm_reset(&r->ctrs);
	rm_reset(&r->users);
	rm_reset(&r->fds);
	r->epoch = vgl_capwriter_epoch(r->o.writer);
	r->loss_due = true;
	r->fast.valid = false;
}

/*
 * After a new epoch's first event: a LOSS record with the events the writer
 * lost since the last one, but the one written again (@retried: the writer
 * counts an event lost whenever its put fails).
 */
static void write_loss(struct vgl_recorder *r, bool retried)
{
	struct vgl_capwriter_stats ws;
	uint64_t lost;

	vgl_capwriter_stats(r->o.writer, &ws);
	lost = ws.events_lost - r->writer_lost;
	if (retried && lost)
		lost--;
	r->writer_lost = ws.events_lost;
	r->loss_due = false;
	if (lost && !vgl_caprec_loss(&r->rec, lost))
		vgl_capwriter_put(r->o.writer, VGL_CAP_REC_LOSS, r->rec.data, r->rec.len);
}

static bool epoch_changed(const struct vgl_recorder *r)
{
	return r->dropped || vgl_capwriter_epoch(r->o.writer) != r->epoch;
}

/* A key a rule read, again. */
static void redo_late(struct vgl_recorder *r, const struct rec_late *l)
{
	switch (l->kind) {
	case RK_PROC:
		rec_proc(r, l->pid);
		break;
	case RK_LAZY:
		rec_lazy(r, l->pid);
		break;
	case RK_CTR:
		rec_container(r, l->arg, l->pid);
		break;
	case RK_USER:
	case RK_GROUP:
		rec_user(r, (uint32_t)l->arg, l->pid, l->kind == RK_GROUP);
		break;
	case RK_FD:
		rec_fd(r, l->pid, (int64_t)l->arg);
		break;
	case RK_EXE: {
		struct vgl_exe_stat st;

		rec_exe(r, l->pid, &st);
		break;
	}
	case RK_CONFIG: {
		size_t len;
		int err;

		rec_config(r, l->pid, r->cfg_path, &len, &err);
		break;
	}
	}
}

/* The event's context went with a dropped block (or a new file began): again. */
static void rewrite(struct vgl_recorder *r)
{
	bool flight = r->to_flight, late = r->late;
	size_t i;

	r->to_flight = r->late = false; /* the flight has it; late ones are counted */
	for (int tries = 0; tries < 2 && epoch_changed(r); tries++) {
		forget(r);
		r->dropped = false;
		rec_context(r, r->ev);
		for (i = 0; i < r->nlate; i++)
			redo_late(r, &r->lates[i]);
	}
	r->to_flight = flight;
	r->late = late;
}

/* Write the event (its context and late records are in). */
static void finish(struct vgl_recorder *r, bool ev_valid)
{
	bool retried = false;
	int rc;

	if (!r->active)
		return;
	if (ev_valid && epoch_changed(r))
		rewrite(r);
	rc = vgl_capwriter_put(r->o.writer, VGL_CAP_REC_EVENT, r->raw, r->raw_len);
	if (rc == -ENOBUFS && ev_valid) {
		r->dropped = retried = true;
		rewrite(r);
		rc = vgl_capwriter_put(r->o.writer, VGL_CAP_REC_EVENT, r->raw, r->raw_len);
	}
	if (rc)
		r->stats.lost++;
	else
		r->stats.written++;
	if (r->loss_due)
		write_loss(r, retried && !rc);
	r->active = r->to_writer = r->late = false;
	r->ev = NULL;
}

static int on_filter_match(void *data, const struct vgl_ruleset *rs, size_t rule,
			   struct vgl_match_ctx *ctx)
{
	(void)rs;
	(void)rule;
	(void)ctx;
	*(bool *)data = true;
	return 1;
}

static bool filter_matches(struct vgl_recorder *r, const struct vgl_event *ev)
{
	bool match = false;

	if (!r->o.filter)
		return true;
	vgl_ruleset_eval(r->o.filter, r->fctx, ev, r->o.ops, r->o.state, on_filter_match, &match);
	return match;
}

/* Keep the record until vgl_recorder_event_end(). false when out of memory. */
static bool keep_raw(struct vgl_recorder *r, const void *raw, size_t size)
{
	unsigned char *d;

	if (size > r->raw_cap) {
		if (!(d = realloc(r->raw, size)))
			return false;
		r->raw = d;
		r->raw_cap = size;
	}
	if (size)
		memcpy(r->raw, raw, size);
	r->raw_len = size;
	return true;
}

void vgl_recorder_event(struct vgl_recorder *r, const struct vgl_event *ev, const void *raw,
			size_t size, uint64_t now_ns)
{
	struct vgl_capwriter *w = r->o.writer;
	bool to_writer;

	finish(r, false); /* vgl_recorder_event_end() was not called */
	r->stats.events++;
	r->ev = ev;
	r->db.valid = false;
	r->late = r->dropped = false;
	r->nlate = 0;
	r->ctx.len = 0;
	r->ctx.err = false;
	if (w)
		vgl_capwriter_tick(w, now_ns);
	/* locals: reading two bool members just stored as one word stalls */
	to_writer = w && filter_matches(r, ev);
	r->to_writer = to_writer;
	r->to_flight = r->o.flight != NULL;
	if (w && !to_writer)
		r->stats.filtered++;
	if (to_writer && vgl_capwriter_epoch(w) != r->epoch)
		forget(r);
	if (to_writer || r->o.flight)
		rec_context(r, ev);
	if (r->to_writer && epoch_changed(r))
		rewrite(r);
	if (r->o.flight)
		vgl_flight_event(r->o.flight, ev, raw, size, r->ctx.data, r->ctx.len, r->ctr_id,
				 r->chain, r->nchain, now_ns);
	r->to_flight = false;
	if (r->to_writer && !keep_raw(r, raw, size)) {
		r->stats.lost++;
		r->to_writer = false;
	}
	r->active = r->to_writer;
	r->late = true; /* from now on the rules read */
}

void vgl_recorder_event_end(struct vgl_recorder *r)
{
	finish(r, true);
	r->late = false;
}

void vgl_recorder_stats(const struct vgl_recorder *r, struct vgl_recorder_stats *ret)
{
	*ret = r->stats;
}
