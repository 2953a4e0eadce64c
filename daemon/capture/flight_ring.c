// SPDX-License-Identifier: Apache-2.0
/*
 * The flight recorder's ring: the latest events with their context, in one
 * buffer allocated once, bounded in bytes and in age (flight_int.h has the
 * layout). Pushing copies the event in, and its context only when its
 * process's last blob differs or is old, evicting from the oldest end:
 * O(1) amortised, no allocation.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "capture/flight_int.h"
#include "state/util.h"

enum { K_EVENT = 1, K_BLOB, K_DEAD /* an event whose blob went at once */ };

struct fl_ent {
	uint64_t ts;
	uint64_t seq;	   /* the entry's position in the stream */
	uint64_t blob;	   /* EVENT: its blob's seq (0: no context); BLOB: events using it */
	uint32_t total;	   /* bytes of the entry, padded to 8 */
	uint32_t pid;	   /* EVENT */
	uint32_t len;	   /* EVENT: the record's bytes; BLOB: the context's */
	uint32_t blob_off; /* EVENT: where its blob is */
	uint16_t nchain;
	uint16_t ctr_len;
	uint8_t kind;
	uint8_t pad[3];
};

_Static_assert(sizeof(struct fl_ent) == 48, "ring entry header");

#define ALIGN8(n) (((n) + 7) & ~(size_t)7)

size_t fl_ring_event_bytes(size_t nchain, size_t ctr_len, size_t raw_len)
{
	return ALIGN8(sizeof(struct fl_ent) + nchain * 4 + ctr_len + raw_len);
}

size_t fl_ring_blob_bytes(size_t ctx_len)
{
	return ALIGN8(sizeof(struct fl_ent) + ctx_len);
}

int fl_ring_init(struct fl_ring *r, size_t cap, uint64_t window_ns)
{
	memset(r, 0, sizeof(*r));
	r->cap = cap & ~(size_t)7;
	if (r->cap < sizeof(struct fl_ent))
		return -EINVAL;
	r->buf = malloc(r->cap);
	if (!r->buf)
		return -ENOMEM;
	r->window_ns = window_ns;
	r->seq = 1;
	return 0;
}

void fl_ring_fini(struct fl_ring *r)
{
	free(r->buf);
	r->buf = NULL;
}

static struct fl_ent *ent_at(const struct fl_ring *r, size_t off)
{
	return (struct fl_ent *)(void *)(r->buf + off);
}

/* Entries older than this are gone. */
static uint64_t head_seq(const struct fl_ring *r)
{
	return r->entries ? ent_at(r, r->head)->seq : r->seq;
}

static void evict_one(struct fl_ring *r)
{
	struct fl_ent *e = ent_at(r, r->head);

	if (e->kind == K_BLOB) { /* its events cannot be read any more */
		r->count -= e->blob;
		r->evicted += e->blob;
	} else if (e->kind == K_EVENT && !e->blob) {
		r->count--;
		r->evicted++;
	}
	r->head += e->total;
	r->entries--;
	if (r->wrapped && r->head == r->end) {
		r->head = 0;
		r->wrapped = false;
	}
	if (!r->entries)
		r->head = r->tail = r->end = 0, r->wrapped = false;
}

void fl_ring_expire(struct fl_ring *r, uint64_t now_ns)
{
	/* kept while now - ts <= window; a clock that went back keeps everything */
	while (r->entries && now_ns > ent_at(r, r->head)->ts &&
	       now_ns - ent_at(r, r->head)->ts > r->window_ns)
		evict_one(r);
}

/* Room for @n contiguous bytes at r->tail, evicting what is in the way. */
static void make_room(struct fl_ring *r, size_t n)
{
	for (;;) {
		if (!r->entries)
			r->head = r->tail = r->end = 0, r->wrapped = false;
		if (!r->wrapped) {
			if (r->cap - r->tail >= n)
				return;
			/* the rest of the buffer is too short: go on at its start */
			r->end = r->tail;
			r->tail = 0;
			r->wrapped = true;
		}
		if (r->head - r->tail >= n)
			return;
		evict_one(r);
	}
}

/* A new entry of @n bytes (n <= cap) at the tail. */
static struct fl_ent *append(struct fl_ring *r, size_t n, uint64_t ts, uint8_t kind)
{
	struct fl_ent *e;

	make_room(r, n);
	e = ent_at(r, r->tail);
	*e = (struct fl_ent){ .ts = ts, .seq = r->seq, .total = (uint32_t)n, .kind = kind };
	r->tail += n;
	r->seq += n;
	r->entries++;
	return e;
}

static struct fl_blobref *cache_slot(struct fl_ring *r, uint32_t pid)
{
	return &r->cache[vgl_hash64(pid) & (FL_CACHE_SLOTS - 1)];
}

/* The blob @v's process stored last, if it is still there, young, and the same. */
static struct fl_ent *reusable(struct fl_ring *r, const struct fl_view *v, struct fl_blobref *c)
{
	struct fl_ent *b;

	if (c->pid != v->pid || !c->seq || c->seq < head_seq(r) ||
	    r->seq - c->seq > r->cap / FL_REFRESH)
		return NULL;
	b = ent_at(r, c->off);
	if (b->seq != c->seq || b->len != v->ctx_len || v->ts < b->ts ||
	    v->ts - b->ts > r->window_ns / FL_REFRESH || memcmp(b + 1, v->ctx, v->ctx_len))
		return NULL;
	return b;
}

/* The blob holding @v's context, stored now if need be; NULL when it is too big. */
static struct fl_ent *blob_for(struct fl_ring *r, const struct fl_view *v)
{
	struct fl_blobref *c = cache_slot(r, v->pid);
	struct fl_ent *b = reusable(r, v, c);
	size_t n = fl_ring_blob_bytes(v->ctx_len);

	if (b)
		return b;
	if (v->ctx_len > r->cap || n > r->cap || n > UINT32_MAX)
		return NULL;
	b = append(r, n, v->ts, K_BLOB);
	b->len = (uint32_t)v->ctx_len;
	memcpy(b + 1, v->ctx, v->ctx_len);
	*c = (struct fl_blobref){ v->pid, (uint32_t)((uint8_t *)b - r->buf), b->seq };
	r->blobs++;
	r->blob_bytes += n;
	return b;
}

void fl_ring_push(struct fl_ring *r, const struct fl_view *v)
{
	struct fl_ent *e, *b = NULL;
	uint64_t bseq = 0;
	uint32_t boff = 0;
	uint8_t *p;
	size_t n;

	/* (checked one by one first: their sum must not wrap; it must fit 32 bits) */
	if (v->raw_len > r->cap || v->nchain > FL_CHAIN_MAX || v->ctr_len > FL_CTR_MAX)
		n = SIZE_MAX;
	else
		n = fl_ring_event_bytes(v->nchain, v->ctr_len, v->raw_len);
	if (n > r->cap || n > UINT32_MAX || (v->ctx_len && !(b = blob_for(r, v)))) {
		r->evicted++; /* pushed out at once */
		return;
	}
	if (b) {
		bseq = b->seq;
		boff = (uint32_t)((uint8_t *)b - r->buf);
	}
	e = append(r, n, v->ts, K_EVENT);
	e->blob = bseq;
	e->blob_off = boff;
	e->pid = v->pid;
	e->len = (uint32_t)v->raw_len;
	e->nchain = (uint16_t)v->nchain;
	e->ctr_len = (uint16_t)v->ctr_len;
	p = (uint8_t *)(e + 1);
	memcpy(p, v->chain, v->nchain * 4);
	p += v->nchain * 4;
	memcpy(p, v->ctr, v->ctr_len);
	memcpy(p + v->ctr_len, v->raw, v->raw_len);
	if (bseq && bseq < head_seq(r)) { /* its own room took its blob (a tiny ring) */
		e->kind = K_DEAD;
		r->evicted++;
		return;
	}
	if (bseq)
		ent_at(r, boff)->blob++;
	r->count++;
}

void fl_ring_begin(const struct fl_ring *r, struct fl_iter *it)
{
	it->off = r->head;
	it->left = r->entries;
}

bool fl_ring_next(const struct fl_ring *r, struct fl_iter *it, struct fl_view *ret)
{
	uint64_t gone_below = head_seq(r);
	const struct fl_ent *e;
	const uint8_t *p;

	for (; it->left; it->left--) {
		if (r->wrapped && it->off == r->end)
			it->off = 0;
		e = ent_at(r, it->off);
		it->off += e->total;
		if (e->kind != K_EVENT || (e->blob && e->blob < gone_below))
			continue;
		p = (const uint8_t *)(e + 1);
		ret->ts = e->ts;
		ret->pid = e->pid;
		ret->chain = (const uint32_t *)(const void *)p;
		ret->nchain = e->nchain;
		p += e->nchain * 4;
		ret->ctr = (const char *)p;
		ret->ctr_len = e->ctr_len;
		ret->raw = p + e->ctr_len;
		ret->raw_len = e->len;
		ret->ctx = e->blob ? (const uint8_t *)(ent_at(r, e->blob_off) + 1) : NULL;
		ret->ctx_len = e->blob ? ent_at(r, e->blob_off)->len : 0;
		it->left--;
		return true;
	}
	return false;
}
