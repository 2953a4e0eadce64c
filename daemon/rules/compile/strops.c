// SPDX-License-Identifier: Apache-2.0
/*
 * String operators of comparisons (compiled matcher and naive evaluator):
 * equality, affixes, substring search, fnmatch-style globs.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE /* memmem */
#endif
#include <ctype.h>
#include <string.h>

#include "rules/compile/compile.h"

static bool bracket(const char **pp, const char *pe, unsigned char c, bool fold, bool *ok)
{
	const char *p = *pp;
	bool neg = false, hit = false;

	if (p < pe && (*p == '!' || *p == '^')) {
		neg = true;
		p++;
	}
	if (fold)
		c = (unsigned char)tolower(c);
	for (bool first = true; p < pe && (first || *p != ']'); first = false) {
		unsigned char lo = (unsigned char)*p++, hi = lo;

		if (p + 1 < pe && *p == '-' && p[1] != ']') {
			hi = (unsigned char)p[1];
			p += 2;
		}
		if (fold) {
			lo = (unsigned char)tolower(lo);
			hi = (unsigned char)tolower(hi);
		}
		hit = hit || (c >= lo && c <= hi);
	}
	*ok = p < pe;
	*pp = p + 1;
	return hit != neg;
}

/* fnmatch(3) without flags: '*' also matches '/'. Iterative, no recursion. */
static bool glob_match(const char *p, size_t pl, const char *s, size_t sl, bool fold)
{
	const char *pe = p + pl, *se = s + sl, *star_p = NULL, *star_s = NULL;

	while (s < se) {
		if (p < pe && *p == '*') {
			while (p < pe && *p == '*')
				p++;
			star_p = p;
			star_s = s;
			continue;
		}
		if (p < pe) {
			const char *q = p;
			bool ok = true, m;

			if (*q == '?') {
				m = true;
				q++;
			} else if (*q == '[') {
				q++;
				m = bracket(&q, pe, (unsigned char)*s, fold, &ok);
				if (!ok) {
					q = p + 1;
					m = *s == '[';
				}
			} else {
				if (*q == '\\' && q + 1 < pe)
					q++;
				m = fold ? tolower((unsigned char)*q) == tolower((unsigned char)*s)
					 : *q == *s;
				q++;
			}
			if (m) {
				p = q;
				s++;
				continue;
			}
		}
		if (!star_p)
			return false;
		p = star_p;
		s = ++star_s;
	}
	while (p < pe && *p == '*')
		p++;
	return p == pe;
}

/*
 * Substring search tuned for short needles and haystacks (paths, command
 * lines): memchr() for the needle's first byte that is not a '/' (a path
 * has many), then compare the whole needle there.
 */
static bool contains(const char *s, size_t len, const char *n, size_t nl)
{
	const char *p, *q, *end = s + len;
	unsigned int tries = 0;
	size_t k = 0;

	if (nl == 0)
		return true;
	if (nl > len)
		return false;
	while (k + 1 < nl && n[k] == '/')
		k++;
	for (p = s + k; (size_t)(end - p) >= nl - k; p++) {
		p = memchr(p, n[k], (size_t)(end - p) - (nl - k) + 1);
		if (!p)
			return false;
		q = p - k;
		if (q[nl - 1] == n[nl - 1] && !memcmp(q, n, nl))
			return true;
		/* Many near misses: linear-time search for the rest. */
		if (++tries > 8 && nl > 16)
			return memmem(q + 1, (size_t)(end - q - 1), n, nl) != NULL;
	}
	return false;
}

static bool icontains(const char *s, size_t len, const char *n, size_t nl)
{
	size_t i, j;

	if (nl > len)
		return false;
	for (i = 0; i + nl <= len; i++) {
		for (j = 0; j < nl && tolower((unsigned char)s[i + j]) == n[j]; j++)
			;
		if (j == nl)
			return true;
	}
	return false;
}

bool cmp_str(enum vgl_op op, const char *s, size_t len, const struct cval *c)
{
	switch (op) {
	case OP_EQ:
		return len == c->len && !memcmp(s, c->s, len);
	case OP_NE:
		return len != c->len || memcmp(s, c->s, len);
	case OP_CONTAINS:
	case OP_BCONTAINS:
		return contains(s, len, c->s, c->len);
	case OP_ICONTAINS:
		return icontains(s, len, c->s, c->len);
	case OP_STARTSWITH:
	case OP_BSTARTSWITH:
		return len >= c->len && !memcmp(s, c->s, c->len);
	case OP_ENDSWITH:
		return len >= c->len && !memcmp(s + len - c->len, c->s, c->len);
	case OP_GLOB:
		return glob_match(c->s, c->len, s, len, false);
	case OP_IGLOB:
		return glob_match(c->s, c->len, s, len, true);
	default:
		return false;
	}
}
