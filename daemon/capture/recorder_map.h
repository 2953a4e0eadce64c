/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The recorder's memory of what the current capture file already holds:
 * fixed-size open-addressing tables of key -> versions written. Forgetting
 * everything is O(1) (a new tag; slots of older tags are empty), which the
 * recorder does at every writer epoch and when a table fills up: it then
 * writes the context again as it meets it, which is always correct.
 */
#ifndef VIGIL_CAPTURE_RECORDER_MAP_H
#define VIGIL_CAPTURE_RECORDER_MAP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct rm_slot {
	uint64_t k1, k2;
	uint64_t v[5]; /* the table's own meaning; 0 when the slot is new */
	uint32_t tag;  /* valid when the table's */
};

struct rm_map {
	struct rm_slot *slots;
	size_t mask, count, limit;
	uint32_t tag;
	uint64_t resets; /* because full */
};

/* @slots a power of two; the table forgets everything at 3/4 of it. 0 or -ENOMEM. */
int rm_init(struct rm_map *m, size_t slots);
void rm_free(struct rm_map *m);
void rm_reset(struct rm_map *m);
/* The slot of the keys, NULL when absent. */
struct rm_slot *rm_get(struct rm_map *m, uint64_t k1, uint64_t k2);
/* The slot of the keys, made (v[] zero) when absent; may forget everything first. */
struct rm_slot *rm_put(struct rm_map *m, uint64_t k1, uint64_t k2);

#endif /* VIGIL_CAPTURE_RECORDER_MAP_H */
