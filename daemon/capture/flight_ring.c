// SPDX-License-Identifier: Apache-2.0
/*
 * The flight recorder's ring: the latest events with their context, in one
 * buffer allocated once, bounded in bytes and in age. Pushing copies the
 * event in and evicts from the oldest end: O(1) amortised, no allocation.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "capture/flight_int.h"

struct fl_ent {
	uint64_t ts;
	uint32_t total; /* bytes of the entry, padded to 8 */
	uint32_t pid;
	uint32_t ctx_len;
	uint32_t raw_len;
	uint16_t nchain;
	uint16_t ctr_len;
	uint32_t pad;
};

_Static_assert(sizeof(struct fl_ent) == 32, "ring entry header");

#define ALIGN8(n) (((n) + 7) & ~(size_t)7)

size_t fl_ring_entry_bytes(size_t nchain, size_t ctr_len, size_t ctx_len, size_t raw_len)
{
	return ALIGN8(sizeof(struct fl_ent) + nchain * 4 + ctr_len + ctx_len + raw_len);
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
	return 0;
}

void fl_ring_fini(struct fl_ring *r)
{
	free(r->buf);
	r->buf = NULL;
}

static const struct fl_ent *ent_at(const struct fl_ring *r, size_t off)
{
	return (const struct fl_ent *)(const void *)(r->buf + off);
}

static void evict_one(struct fl_ring *r)
{
	r->head += ent_at(r, r->head)->total;
	r->count--;
	r->evicted++;
	if (r->wrapped && r->head == r->end) {
		r->head = 0;
		r->wrapped = false;
	}
	if (!r->count)
		r->head = r->tail = r->end = 0, r->wrapped = false;
}

void fl_ring_expire(struct fl_ring *r, uint64_t now_ns)
{
	/* kept while now - ts <= window; a clock that went back keeps everything */
	while (r->count && now_ns > ent_at(r, r->head)->ts &&
	       now_ns - ent_at(r, r->head)->ts > r->window_ns)
		evict_one(r);
}

/* Room for @n contiguous bytes at r->tail, evicting what is in the way. */
static void make_room(struct fl_ring *r, size_t n)
{
	for (;;) {
		if (!r->count)
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

void fl_ring_push(struct fl_ring *r, const struct fl_view *v)
{
	struct fl_ent *e;
	uint8_t *p;
	size_t n;

	/* (checked one by one first: their sum must not wrap; it must fit 32 bits) */
	if (v->ctx_len > r->cap || v->raw_len > r->cap || v->nchain > FL_CHAIN_MAX ||
	    v->ctr_len > FL_CTR_MAX)
		n = SIZE_MAX;
	else
		n = fl_ring_entry_bytes(v->nchain, v->ctr_len, v->ctx_len, v->raw_len);
	if (n > r->cap || n > UINT32_MAX) {
		r->evicted++; /* pushed out at once */
		return;
	}
	make_room(r, n);
	e = (struct fl_ent *)(void *)(r->buf + r->tail);
	*e = (struct fl_ent){
		.ts = v->ts,
		.total = (uint32_t)n,
		.pid = v->pid,
		.ctx_len = (uint32_t)v->ctx_len,
		.raw_len = (uint32_t)v->raw_len,
		.nchain = (uint16_t)v->nchain,
		.ctr_len = (uint16_t)v->ctr_len,
	};
	p = (uint8_t *)(e + 1);
	memcpy(p, v->chain, v->nchain * 4);
	p += v->nchain * 4;
	memcpy(p, v->ctr, v->ctr_len);
	p += v->ctr_len;
	if (v->ctx_len)
		memcpy(p, v->ctx, v->ctx_len);
	memcpy(p + v->ctx_len, v->raw, v->raw_len);
	r->tail += n;
	r->count++;
}

void fl_ring_begin(const struct fl_ring *r, struct fl_iter *it)
{
	it->off = r->head;
	it->left = r->count;
}

bool fl_ring_next(const struct fl_ring *r, struct fl_iter *it, struct fl_view *ret)
{
	const struct fl_ent *e;
	const uint8_t *p;

	if (!it->left)
		return false;
	if (r->wrapped && it->off == r->end)
		it->off = 0;
	e = ent_at(r, it->off);
	p = (const uint8_t *)(e + 1);
	ret->ts = e->ts;
	ret->pid = e->pid;
	ret->chain = (const uint32_t *)(const void *)p;
	ret->nchain = e->nchain;
	p += e->nchain * 4;
	ret->ctr = (const char *)p;
	ret->ctr_len = e->ctr_len;
	p += e->ctr_len;
	ret->ctx = p;
	ret->ctx_len = e->ctx_len;
	ret->raw = p + e->ctx_len;
	ret->raw_len = e->raw_len;
	it->off += e->total;
	it->left--;
	return true;
}
