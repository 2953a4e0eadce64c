// SPDX-License-Identifier: Apache-2.0
/*
 * One flight capture: its file's name, its writer, and the events written
 * to it, each with its context records. A context record identical to one
 * written with the previous event of the file is not written again: the
 * reader still holds it. (Deduplicating against every earlier record of the
 * file would be wrong: fd 3 opened on /a, closed, opened on /a again gives
 * the same record twice with a FD_GONE between them.)
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "capture/flight_int.h"
#include "capture/format_int.h"

#define REC_HDR	     8		/* struct vgl_cap_rec, little-endian */
#define PREV_MAX     (4u << 20) /* context bytes remembered for deduplication */
#define NAME_TRY_MAX 100	/* "-2" ... "-99": files of the same name already there */

bool fl_key_match(const struct fl_key *k, const struct fl_view *v)
{
	size_t i;

	if (!k->host)
		return v->ctr_len == k->ctr_len && !memcmp(v->ctr, k->ctr, k->ctr_len);
	for (i = 0; i < v->nchain; i++) {
		if (v->chain[i] == k->pid)
			return true;
	}
	return false;
}

/* Lowercase letters and digits; any run of other bytes becomes one '-'. */
static size_t slug(const char *s, size_t max, char *out)
{
	size_t n = 0;
	bool dash = false;

	for (; *s && n < max; s++) {
		char ch = *s;

		if (ch >= 'A' && ch <= 'Z')
			ch = (char)(ch - 'A' + 'a');
		if (!((ch >= 'a' && ch <= 'z') || (ch >= '0' && ch <= '9'))) {
			dash = n > 0;
			continue;
		}
		if (dash && n + 1 < max)
			out[n++] = '-';
		dash = false;
		out[n++] = ch;
	}
	out[n] = '\0';
	return n;
}

void fl_cap_name(const char *rule, const struct fl_key *k, uint64_t now_ns, char *buf, size_t size)
{
	char rs[FL_SLUG_MAX + 1], who[32];
	time_t s = (time_t)(now_ns / 1000000000u);
	struct tm tm;

	if (!slug(rule, FL_SLUG_MAX, rs))
		strcpy(rs, "rule");
	if (!gmtime_r(&s, &tm))
		memset(&tm, 0, sizeof(tm));
	if (k->host)
		snprintf(who, sizeof(who), "host-%u", k->pid);
	else if (!slug(k->ctr, 12, who)) /* docker ps's short id */
		strcpy(who, "container");
	snprintf(buf, size, "%s-%04d%02d%02dT%02d%02d%02d.%03uZ-%s", rs, tm.tm_year + 1900,
		 tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec,
		 (unsigned int)(now_ns / 1000000u % 1000u), who);
}

/* A path not taken yet: the writer truncates, and two alerts may share a millisecond. */
static int free_path(const struct vgl_flight *f, const char *name, char *buf, size_t size)
{
	int i, n;

	for (i = 1; i < NAME_TRY_MAX; i++) {
		if (i == 1)
			n = snprintf(buf, size, "%s/%s.vgc", f->dir, name);
		else
			n = snprintf(buf, size, "%s/%s-%d.vgc", f->dir, name, i);
		if (n < 0 || (size_t)n >= size)
			return -ENAMETOOLONG;
		if (access(buf, F_OK) && errno == ENOENT)
			return 0;
	}
	return -EEXIST;
}

int fl_cap_begin(struct vgl_flight *f, struct fl_cap *c, const char *rule, uint64_t now_ns)
{
	struct vgl_capwriter_opts o = { .info = f->info };
	char name[FL_SLUG_MAX + 64], err[512];
	int ret;

	fl_cap_name(rule, &f->last, now_ns, name, sizeof(name));
	ret = free_path(f, name, c->path, sizeof(c->path));
	if (ret)
		return ret;
	o.path = c->path;
	o.info.flags |= VGL_CAP_F_FLIGHT;
	o.info.seq = 0;
	o.info.created_ns = (int64_t)now_ns;
	snprintf(o.info.rule, sizeof(o.info.rule), "%s", rule);
	/* the whole ring may be handed over at once: let the queue hold it */
	o.queue_bytes = VGL_CAP_QUEUE_BYTES_DEFAULT;
	if (o.queue_bytes < f->ring.cap + 2 * VGL_CAP_BLOCK_BYTES_DEFAULT)
		o.queue_bytes = f->ring.cap + 2 * VGL_CAP_BLOCK_BYTES_DEFAULT;
	ret = vgl_capwriter_open(&o, &c->w, err, sizeof(err));
	if (ret)
		return ret;
	snprintf(c->rule, sizeof(c->rule), "%s", rule);
	c->key = f->last;
	c->start_ns = now_ns;
	c->epoch = vgl_capwriter_epoch(c->w);
	c->lost_seen = 0;
	c->prev_len = 0;
	c->prev_ok = false;
	c->open = true;
	vgl_capwriter_tick(c->w, now_ns);
	return 0;
}

/* Was the framed record @rec (@n bytes) written with the previous event? */
static bool in_prev(const struct fl_cap *c, const uint8_t *rec, size_t n)
{
	size_t off = 0, rn;

	while (off + REC_HDR <= c->prev_len) {
		rn = REC_HDR + vgl_le32_get(c->prev + off + 4);
		if (rn == n && !memcmp(c->prev + off, rec, n))
			return true;
		off += rn;
	}
	return false;
}

/* Put @v's context records; returns the bytes of whole records (a damaged tail is dropped). */
static size_t put_ctx(struct fl_cap *c, const struct fl_view *v, bool dedup, bool *ret_gone)
{
	size_t off = 0;
	uint32_t type, len;

	while (off + REC_HDR <= v->ctx_len) {
		type = vgl_le32_get(v->ctx + off);
		len = vgl_le32_get(v->ctx + off + 4);
		if (len > v->ctx_len - off - REC_HDR)
			break;
		/* a *_GONE changes what a reader holds beyond its own key */
		if (type == VGL_CAP_REC_PROC_GONE || type == VGL_CAP_REC_FD_GONE)
			*ret_gone = true;
		if (!dedup || !in_prev(c, v->ctx + off, REC_HDR + len))
			vgl_capwriter_put(c->w, type, v->ctx + off + REC_HDR, len);
		off += REC_HDR + len;
	}
	return off;
}

static void remember_ctx(struct fl_cap *c, const uint8_t *ctx, size_t len, bool gone)
{
	uint8_t *p;

	c->prev_ok = false;
	if (len > PREV_MAX)
		return;
	if (len > c->prev_cap) {
		p = realloc(c->prev, len); /* grows to the largest context, then stays */
		if (!p)
			return;
		c->prev = p;
		c->prev_cap = len;
	}
	if (len)
		memcpy(c->prev, ctx, len);
	c->prev_len = len;
	c->prev_ok = !gone;
}

/* After a dropped block: say how many events are missing, forget what was written. */
static void note_loss(struct fl_cap *c)
{
	uint64_t e = vgl_capwriter_epoch(c->w);
	struct vgl_capwriter_stats s;
	uint8_t p[8];

	if (e == c->epoch)
		return;
	c->epoch = e;
	c->prev_ok = false;
	vgl_capwriter_stats(c->w, &s);
	if (s.events_lost <= c->lost_seen)
		return;
	vgl_le64_put(p, s.events_lost - c->lost_seen);
	if (!vgl_capwriter_put(c->w, VGL_CAP_REC_LOSS, p, sizeof(p)))
		c->lost_seen = s.events_lost;
}

void fl_cap_write(struct vgl_flight *f, struct fl_cap *c, const struct fl_view *v)
{
	bool gone = false;
	size_t ctx_len;

	note_loss(c);
	ctx_len = put_ctx(c, v, c->prev_ok, &gone);
	if (vgl_capwriter_epoch(c->w) != c->epoch) {
		/* part of this event's context went with a dropped block: all of it again */
		note_loss(c);
		put_ctx(c, v, false, &gone);
	}
	if (!vgl_capwriter_put(c->w, VGL_CAP_REC_EVENT, v->raw, v->raw_len))
		f->st.events_written++;
	if (vgl_capwriter_epoch(c->w) == c->epoch)
		remember_ctx(c, v->ctx, ctx_len, gone);
	else
		c->prev_ok = false;
}

void fl_cap_end(struct vgl_flight *f, struct fl_cap *c)
{
	if (!c->open)
		return;
	fl_reap(&f->reaper, c->w);
	c->w = NULL;
	c->open = false;
	f->nopen--;
}
