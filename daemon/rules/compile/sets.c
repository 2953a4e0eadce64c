// SPDX-License-Identifier: Apache-2.0
/* Hash set of strings and byte trie for the compiled matcher. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "rules/compile/sets.h"

static struct strset_entry *slot(const struct strset *s, uint64_t h, const void *key, size_t len)
{
	size_t mask = s->cap - 1, i = h & mask;

	for (;;) {
		struct strset_entry *e = &s->tab[i];

		if (!e->s || (e->hash == h && e->len == len && !memcmp(e->s, key, len)))
			return e;
		i = (i + 1) & mask;
	}
}

static int grow(struct strset *s)
{
	struct strset old = *s;
	size_t i;

	s->cap = old.cap ? old.cap * 2 : 16;
	s->tab = calloc(s->cap, sizeof(*s->tab));
	if (!s->tab) {
		*s = old;
		return -ENOMEM;
	}
	for (i = 0; i < old.cap; i++) {
		if (old.tab[i].s)
			*slot(s, old.tab[i].hash, old.tab[i].s, old.tab[i].len) = old.tab[i];
	}
	free(old.tab);
	return 0;
}

int strset_add(struct strset *s, const void *key, size_t len)
{
	struct strset_entry *e;
	uint64_t h = vgl_hash(key, len);

	if ((s->n + 1) * 2 > s->cap && grow(s))
		return -ENOMEM;
	e = slot(s, h, key, len);
	if (e->s)
		return 0;
	e->s = malloc(len + 1);
	if (!e->s)
		return -ENOMEM;
	memcpy(e->s, key, len);
	e->s[len] = '\0';
	e->len = len;
	e->hash = h;
	s->n++;
	return 0;
}

bool strset_has(const struct strset *s, const void *key, size_t len)
{
	if (!s->n)
		return false;
	return slot(s, vgl_hash(key, len), key, len)->s != NULL;
}

bool strset_has_h(const struct strset *s, const void *key, size_t len, uint64_t hash)
{
	if (!s->n)
		return false;
	return slot(s, hash, key, len)->s != NULL;
}

void strset_free(struct strset *s)
{
	size_t i;

	for (i = 0; i < s->cap; i++)
		free(s->tab[i].s);
	free(s->tab);
	memset(s, 0, sizeof(*s));
}

static int node_new(struct trie *t, uint8_t ch, uint32_t *ret)
{
	if (t->n == t->cap) {
		size_t cap = t->cap ? t->cap * 2 : 64;
		struct tnode *v = realloc(t->nodes, cap * sizeof(*v));

		if (!v)
			return -ENOMEM;
		t->nodes = v;
		t->cap = cap;
	}
	memset(&t->nodes[t->n], 0, sizeof(t->nodes[0]));
	t->nodes[t->n].ch = ch;
	*ret = (uint32_t)t->n++;
	return 0;
}

static uint32_t child(const struct trie *t, uint32_t n, uint8_t ch)
{
	uint32_t c;

	for (c = t->nodes[n].child; c; c = t->nodes[c].next) {
		if (t->nodes[c].ch == ch)
			return c;
	}
	return 0;
}

int trie_add(struct trie *t, const char *key, size_t len, enum trie_mode mode)
{
	uint32_t n = 0, c;
	size_t i;

	if (!t->n && node_new(t, 0, &n))
		return -ENOMEM;
	/* pmatch: "/a/b/" is "/a/b"; "/" is the root of everything. */
	while (mode == TRIE_PATH && len > 0 && key[len - 1] == '/')
		len--;
	for (i = 0; i < len; i++) {
		uint8_t ch = (uint8_t)(mode == TRIE_SUFFIX ? key[len - 1 - i] : key[i]);

		c = child(t, n, ch);
		if (!c) {
			if (node_new(t, ch, &c))
				return -ENOMEM;
			t->nodes[c].next = t->nodes[n].child;
			t->nodes[n].child = c;
		}
		n = c;
	}
	t->nodes[n].term = true;
	return 0;
}

bool trie_match(const struct trie *t, const char *v, size_t len, enum trie_mode mode)
{
	uint32_t n = 0;
	size_t i;

	if (!t->n)
		return false;
	for (i = 0;; i++) {
		if (t->nodes[n].term) {
			if (mode != TRIE_PATH || i == len || v[i] == '/')
				return true;
		}
		if (i == len)
			return false;
		n = child(t, n, (uint8_t)(mode == TRIE_SUFFIX ? v[len - 1 - i] : v[i]));
		if (!n)
			return false;
	}
}

void trie_free(struct trie *t)
{
	free(t->nodes);
	memset(t, 0, sizeof(*t));
}
