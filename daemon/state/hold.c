// SPDX-License-Identifier: Apache-2.0
/* Held records: a small table of keys, each a FIFO of record copies. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "state/hold.h"

struct held {
	struct held *next;
	size_t size;
	unsigned char data[];
};

struct hold_key {
	uint64_t key; /* 0: free slot */
	uint64_t deadline;
	struct held *head, *tail;
};

struct vgl_hold {
	struct vgl_hold_opts o;
	size_t records, bytes;
	struct hold_key keys[];
};

struct vgl_hold *vgl_hold_new(const struct vgl_hold_opts *opts)
{
	struct vgl_hold_opts o = *opts;
	struct vgl_hold *h;

	o.max_keys = o.max_keys ?: VGL_HOLD_KEYS_DEFAULT;
	o.max_records = o.max_records ?: VGL_HOLD_RECORDS_DEFAULT;
	o.max_bytes = o.max_bytes ?: VGL_HOLD_BYTES_DEFAULT;
	o.wait_ns = o.wait_ns ?: VGL_HOLD_WAIT_NS_DEFAULT;
	h = calloc(1, sizeof(*h) + o.max_keys * sizeof(h->keys[0]));
	if (h)
		h->o = o;
	return h;
}

static void drop_key(struct vgl_hold *h, struct hold_key *k)
{
	struct held *r, *next;

	for (r = k->head; r; r = next) {
		next = r->next;
		h->records--;
		h->bytes -= r->size;
		free(r);
	}
	memset(k, 0, sizeof(*k));
}

void vgl_hold_free(struct vgl_hold *h)
{
	if (!h)
		return;
	for (size_t i = 0; i < h->o.max_keys; i++)
		drop_key(h, &h->keys[i]);
	free(h);
}

size_t vgl_hold_count(const struct vgl_hold *h)
{
	return h->records;
}

static struct hold_key *slot(struct vgl_hold *h, uint64_t key, bool make)
{
	struct hold_key *free_slot = NULL;

	for (size_t i = 0; i < h->o.max_keys; i++) {
		if (h->keys[i].key == key)
			return &h->keys[i];
		if (!h->keys[i].key && !free_slot)
			free_slot = &h->keys[i];
	}
	return make ? free_slot : NULL;
}

int vgl_hold_add(struct vgl_hold *h, uint64_t key, const void *data, size_t size, uint64_t now_ns)
{
	struct hold_key *k;
	struct held *r;

	if (!key || h->records >= h->o.max_records || size > h->o.max_bytes - h->bytes)
		return -ENOSPC;
	k = slot(h, key, true);
	if (!k)
		return -ENOSPC;
	r = malloc(sizeof(*r) + size);
	if (!r)
		return -ENOMEM;
	r->next = NULL;
	r->size = size;
	memcpy(r->data, data, size);
	if (!k->key) {
		k->key = key;
		k->deadline = now_ns + h->o.wait_ns;
	}
	if (k->tail)
		k->tail->next = r;
	else
		k->head = r;
	k->tail = r;
	h->records++;
	h->bytes += size;
	return 0;
}

bool vgl_hold_next(const struct vgl_hold *h, size_t *iter, uint64_t *ret_key,
		   uint64_t *ret_deadline)
{
	for (; *iter < h->o.max_keys; (*iter)++) {
		const struct hold_key *k = &h->keys[*iter];

		if (k->key) {
			*ret_key = k->key;
			*ret_deadline = k->deadline;
			(*iter)++;
			return true;
		}
	}
	return false;
}

uint64_t vgl_hold_first_deadline(const struct vgl_hold *h)
{
	uint64_t first = UINT64_MAX;

	for (size_t i = 0; h->records && i < h->o.max_keys; i++) {
		if (h->keys[i].key && h->keys[i].deadline < first)
			first = h->keys[i].deadline;
	}
	return first;
}

size_t vgl_hold_release(struct vgl_hold *h, uint64_t key,
			void (*fn)(void *ctx, const void *data, size_t size), void *ctx)
{
	struct hold_key *k = key ? slot(h, key, false) : NULL;
	size_t n = 0;

	if (!k)
		return 0;
	for (struct held *r = k->head; r; r = r->next, n++)
		fn(ctx, r->data, r->size);
	drop_key(h, k);
	return n;
}
