/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Constant sets the compiled matcher looks values up in:
 *	strset  hash set of byte strings (`in`, merged `=` alternatives)
 *	trie    byte trie for prefix lists, suffix lists (reversed) and pmatch
 */
#ifndef VIGIL_RULES_SETS_H
#define VIGIL_RULES_SETS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct strset_entry {
	uint64_t hash;
	size_t len;
	char *s; /* NULL: empty slot */
};

struct strset {
	struct strset_entry *tab;
	size_t cap; /* power of two */
	size_t n;
};

uint64_t vgl_hash(const void *p, size_t len);

int strset_add(struct strset *s, const void *key, size_t len);
bool strset_has(const struct strset *s, const void *key, size_t len);
/* The same with the key's vgl_hash() already known. */
bool strset_has_h(const struct strset *s, const void *key, size_t len, uint64_t hash);
void strset_free(struct strset *s);

struct tnode {
	uint32_t child; /* first child, 0 none */
	uint32_t next;	/* next sibling, 0 none */
	uint8_t ch;
	bool term;
};

struct trie {
	struct tnode *nodes; /* nodes[0] is the root */
	size_t n;
	size_t cap;
};

enum trie_mode {
	TRIE_PREFIX, /* a key is a prefix of the value */
	TRIE_SUFFIX, /* a key is a suffix of the value (keys stored reversed) */
	TRIE_PATH,   /* pmatch: a key is the value or one of its parent dirs */
};

int trie_add(struct trie *t, const char *key, size_t len, enum trie_mode mode);
bool trie_match(const struct trie *t, const char *v, size_t len, enum trie_mode mode);
void trie_free(struct trie *t);

#endif /* VIGIL_RULES_SETS_H */
