// SPDX-License-Identifier: Apache-2.0
/*
 * The user and group names of one event's context (recorder_ctx.c has the
 * whole set): which database @pid's names come from, and the USER / GROUP
 * records of the ids the event's fields show, written once per database
 * version.
 */
#include <stdio.h>
#include <string.h>

#include "capture/recorder_int.h"
#include "state/util.h"

#define OPS(r) ((r)->o.ops)
#define ST(r)  ((r)->o.state)

/* The user database @pid's names come from, once per event and pid. */
void rec_users_db(struct vgl_recorder *r, uint32_t pid)
{
	const char *id = "host";
	uint64_t version = 0;
	size_t len;

	if (r->db.valid && r->db.pid == pid)
		return;
	if (OPS(r)->users_of)
		id = OPS(r)->users_of(ST(r), pid, &version);
	else if (r->ev && pid == r->ev->hdr.pid)
		id = r->ctr_id; /* a state without it: the event's container, as vigil's */
	len = strnlen(id ? id : "host", sizeof(r->db.id) - 1);
	memcpy(r->db.id, id ? id : "host", len);
	r->db.id[len] = '\0';
	r->db.valid = true;
	r->db.pid = pid;
	r->db.version = version;
	r->db.hash = rec_str_hash(r->db.id);
}

static uint64_t names_hash(const struct rec_names *n)
{
	const char *s[3] = { n->name, n->home, n->shell };
	uint64_t h = 0;
	int i;

	for (i = 0; i < 3; i++)
		h = vgl_hash64(h ^ (s[i] ? rec_str_hash(s[i]) : 0));
	return h;
}

/*
 * The names of @uid (a gid with @group) as @pid sees them. Nothing is asked
 * when the table says this database version is written; a record carries
 * @pid, so replay learns which container's names @pid sees (the binding).
 */
struct rec_names rec_user(struct vgl_recorder *r, uint32_t uid, uint32_t pid, bool group)
{
	const struct vgl_field_state_ops *o = OPS(r);
	uint64_t k1 = uid | (group ? 1ull << 32 : 0), h = 0;
	struct rm_slot *ps = NULL, *us = NULL;
	struct rec_names n = { NULL, NULL, NULL };
	bool bound = false, fresh = false, write = false;
	int rc;

	rec_users_db(r, pid);
	if (r->to_writer) {
		ps = rm_get(&r->procs, pid, 0);
		us = rm_get(&r->users, k1, r->db.hash);
		bound = ps && ps->v[2] == r->db.hash;
		fresh = bound && us && r->db.version && us->v[0] == r->db.version;
	}
	if (fresh && !r->to_flight && !r->late)
		return n;
	if (group) {
		n.name = o->group_name ? o->group_name(ST(r), uid, pid) : NULL;
	} else {
		n.name = o->user_name ? o->user_name(ST(r), uid, pid) : NULL;
		n.home = o->user_home ? o->user_home(ST(r), uid, pid) : NULL;
		n.shell = o->user_shell ? o->user_shell(ST(r), uid, pid) : NULL;
	}
	h = names_hash(&n);
	write = r->to_writer && !fresh && !(bound && us && us->v[1] == h);
	r->wants += write;
	if (us && !write && r->to_writer)
		us->v[0] = r->db.version; /* same names: this version is written too */
	if (!write && !r->to_flight)
		return n;
	rc = group ? vgl_caprec_group(&r->rec, uid, pid, r->db.id, n.name)
		   : vgl_caprec_user(&r->rec, uid, pid, r->db.id, n.name, n.home, n.shell);
	if (!rc && rec_emit(r, group ? VGL_CAP_REC_GROUP : VGL_CAP_REC_USER, r->to_flight, write)) {
		us = rm_put(&r->users, k1, r->db.hash);
		us->v[0] = r->db.version;
		us->v[1] = h;
		rm_put(&r->procs, pid, 0)->v[2] = r->db.hash;
		rec_note_late(r, group ? RK_GROUP : RK_USER, pid, uid);
	}
	return n;
}

/*
 * The ids whose names the event's fields show. When the same ids of the
 * same database were all found written for this process (and the users
 * table was not forgotten since: its tag), nothing is asked at all.
 */
void rec_event_users(struct vgl_recorder *r, const struct vgl_event *ev)
{
	const struct vgl_hdr *h = &ev->hdr;
	struct rec_keys k;
	const uint32_t *seen = k.ids;
	uint32_t uid;
	size_t n, i, j;
	uint64_t key;
	struct rm_slot *s;

	rec_keys_of(r, ev, &k);
	n = k.nids;
	rec_users_db(r, h->pid);
	key = vgl_hash64(r->db.version ^ vgl_hash64(r->users.tag ^ (uint64_t)h->egid << 32));
	for (i = 0; i < n; i++)
		key = vgl_hash64(key ^ seen[i]);
	s = r->to_writer && !r->to_flight && r->db.version ? rm_get(&r->procs, h->pid, 0) : NULL;
	if (s && s->v[2] == r->db.hash && s->v[3] == key)
		return;
	for (i = 0; i < n; i++) {
		uid = seen[i];
		for (j = 0; j < i && seen[j] != uid; j++)
			;
		if (j == i)
			rec_user(r, uid, h->pid, false);
	}
	rec_user(r, h->egid, h->pid, true);
	if (r->to_writer && !r->dropped)
		rm_put(&r->procs, h->pid, 0)->v[3] = key;
}
