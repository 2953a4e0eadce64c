// SPDX-License-Identifier: Apache-2.0
/*
 * The recorder's fast path (recorder_int.h struct rec_fast). A lookup of an
 * event's set (recorder_ctx.c) that wrote nothing, found every answer
 * known and versioned, and left the tables as they were, would write
 * nothing again and change no table while the keys it was asked by, the
 * state (its `changes` callback), the writer's epoch and the tables are
 * the same: then the next event with those keys skips it. What the lookups
 * cannot vouch for rules it out: an unknown container (asking again may
 * find its metadata), a user database without a version; an unknown
 * process or upper layer is asked again once REC_RETRY_NS passed. The user database is asked
 * every time (the state refreshes a container's passwd when asked), and the
 * event's descriptor is always looked up.
 */
#include <string.h>

#include "capture/recorder_int.h"

#define OPS(r) ((r)->o.ops)
#define ST(r)  ((r)->o.state)

void rec_keys_of(const struct vgl_recorder *r, const struct vgl_event *ev, struct rec_keys *ret)
{
	const struct vgl_hdr *h = &ev->hdr;
	size_t i;

	memset(ret, 0, sizeof(*ret)); /* compared with memcmp() */
	ret->cgroup_id = h->cgroup_id;
	ret->pid = h->pid;
	ret->ppid = h->ppid;
	ret->egid = h->egid;
	ret->ids[ret->nids++] = h->euid;
	if (h->loginuid != (uint32_t)-1)
		ret->ids[ret->nids++] = h->loginuid;
	for (i = 0; i < ev->nparams && i < 64 && ret->nids < REC_IDS_MAX; i++) {
		const struct vgl_param *p = &ev->params[i];

		/* as render_num() (argfmt.c): -1 of 64 bits is asked as 0xffffffff */
		if ((r->uid_params[ev->kind] >> i & 1) && !p->absent && p->num.u != (uint32_t)-1)
			ret->ids[ret->nids++] = (uint32_t)p->num.u;
	}
}

static void tags_of(const struct vgl_recorder *r, uint32_t ret[3])
{
	ret[0] = r->procs.tag;
	ret[1] = r->ctrs.tag;
	ret[2] = r->users.tag;
}

bool rec_fast(struct vgl_recorder *r, const struct vgl_event *ev)
{
	const struct rec_fast *f = &r->fast;
	struct rec_keys k;
	uint32_t tags[3];

	if (!f->valid || !r->to_writer || r->to_flight || r->late || r->dropped ||
	    r->epoch != f->epoch || ev->hdr.ts >= f->until)
		return false;
	rec_keys_of(r, ev, &k);
	tags_of(r, tags);
	if (memcmp(&k, &f->keys, sizeof(k)) || memcmp(tags, f->tags, sizeof(tags)))
		return false;
	rec_users_db(r, ev->hdr.pid); /* asked as the lookups would: it may refresh */
	if (r->db.hash != f->db_hash || r->db.version != f->db_version ||
	    OPS(r)->changes(ST(r)) != f->changes)
		return false;
	r->stats.fast++;
	return true;
}

void rec_fast_begin(struct vgl_recorder *r, struct rec_fast_mark *ret)
{
	ret->changes = OPS(r)->changes ? OPS(r)->changes(ST(r)) : 0;
	ret->wants = r->wants;
	tags_of(r, ret->tags);
	r->unsure = r->unknown_proc = false;
}

void rec_fast_end(struct vgl_recorder *r, const struct vgl_event *ev, const struct rec_fast_mark *m)
{
	struct rec_fast *f = &r->fast;
	struct rm_slot *s;

	f->valid = false;
	if (r->o.no_fast_path || !m->changes || !r->to_writer || r->to_flight || r->late ||
	    r->dropped || r->unsure || r->wants != m->wants || !r->db.valid ||
	    r->db.pid != ev->hdr.pid || !r->db.version)
		return;
	tags_of(r, f->tags);
	if (memcmp(f->tags, m->tags, sizeof(f->tags)) || OPS(r)->changes(ST(r)) != m->changes)
		return;
	rec_keys_of(r, ev, &f->keys);
	f->changes = m->changes;
	f->epoch = r->epoch;
	f->db_hash = r->db.hash;
	f->db_version = r->db.version;
	f->until = UINT64_MAX;
	s = ev->hdr.pid ? rm_get(&r->procs, ev->hdr.pid, 0) : NULL;
	if (s && (s->v[1] & LAZY_UNKNOWN_UPPER))
		f->until = s->v[4]; /* rec_lazy() asks again from then on */
	if (r->unknown_proc && ev->hdr.ts + REC_RETRY_NS < f->until)
		f->until = ev->hdr.ts + REC_RETRY_NS;
	f->valid = true;
}
