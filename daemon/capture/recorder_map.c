// SPDX-License-Identifier: Apache-2.0
/* Open-addressing tables with O(1) reset (recorder_map.h). */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "capture/recorder_map.h"
#include "state/util.h"

int rm_init(struct rm_map *m, size_t slots)
{
	memset(m, 0, sizeof(*m));
	m->slots = calloc(slots, sizeof(*m->slots));
	if (!m->slots)
		return -ENOMEM;
	m->mask = slots - 1;
	m->limit = slots / 4 * 3;
	m->tag = 1;
	return 0;
}

void rm_free(struct rm_map *m)
{
	free(m->slots);
	m->slots = NULL;
}

void rm_reset(struct rm_map *m)
{
	m->count = 0;
	if (++m->tag == 0) { /* after 2^32 resets: old tags could come back */
		memset(m->slots, 0, (m->mask + 1) * sizeof(*m->slots));
		m->tag = 1;
	}
}

static size_t home(const struct rm_map *m, uint64_t k1, uint64_t k2)
{
	return (size_t)vgl_hash64(k1 ^ vgl_hash64(k2)) & m->mask;
}

struct rm_slot *rm_get(struct rm_map *m, uint64_t k1, uint64_t k2)
{
	size_t i = home(m, k1, k2);
	struct rm_slot *s;

	for (;; i = (i + 1) & m->mask) {
		s = &m->slots[i];
		if (s->tag != m->tag)
			return NULL;
		if (s->k1 == k1 && s->k2 == k2)
			return s;
	}
}

struct rm_slot *rm_put(struct rm_map *m, uint64_t k1, uint64_t k2)
{
	struct rm_slot *s = rm_get(m, k1, k2);
	size_t i;

	if (s)
		return s;
	if (m->count >= m->limit) {
		rm_reset(m);
		m->resets++;
	}
	for (i = home(m, k1, k2); m->slots[i].tag == m->tag; i = (i + 1) & m->mask)
		;
	s = &m->slots[i];
	*s = (struct rm_slot){ k1, k2, { 0, 0, 0, 0, 0 }, m->tag };
	m->count++;
	return s;
}
