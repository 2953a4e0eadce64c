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
#include <string.h>

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

/* Unaligned loads: a memcpy() of a constant size compiles to one load. */
static inline uint64_t hash_load64(const unsigned char *s)
{
	uint64_t w;

	memcpy(&w, s, 8);
	return w;
}

static inline uint64_t hash_load32(const unsigned char *s)
{
	uint32_t w;

	memcpy(&w, s, 4);
	return w;
}

/*
 * The last 1-7 bytes of a key as one word. Loads overlap instead of copying
 * a variable number of bytes, which compiles to a call and a byte loop;
 * keys of different lengths still differ because the length is hashed.
 */
static inline uint64_t hash_tail(const unsigned char *s, size_t len)
{
	if (len >= 4)
		return hash_load32(s) | hash_load32(s + len - 4) << 32;
	if (!len)
		return 0;
	return (uint64_t)s[0] | (uint64_t)s[len / 2] << 8 | (uint64_t)s[len - 1] << 16;
}

/*
 * A fast non-cryptographic hash over 8-byte words (wyhash-style mixing);
 * inline: the matcher hashes each event's string values once.
 */
static inline uint64_t vgl_hash(const void *p, size_t len)
{
	const unsigned char *s = p;
	uint64_t h = 0x9e3779b97f4a7c15ull ^ (len * 0xff51afd7ed558ccdull), w;
	size_t n = len;

	while (n > 8) {
		h = (h ^ hash_load64(s)) * 0xbf58476d1ce4e5b9ull;
		h ^= h >> 31;
		s += 8;
		n -= 8;
	}
	/* 1-8 bytes left: the key's last 8 bytes (overlapping) when it has them. */
	w = len >= 8 ? hash_load64(s + n - 8) : hash_tail(s, n);
	h = (h ^ w) * 0x94d049bb133111ebull;
	h ^= h >> 29;
	h *= 0xbf58476d1ce4e5b9ull;
	return h ^ (h >> 32);
}

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
