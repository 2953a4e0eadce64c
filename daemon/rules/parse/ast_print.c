// SPDX-License-Identifier: Apache-2.0
/* Canonical text of a condition tree, for tests and `vigil rules` debugging. */
#include <stdio.h>
#include <string.h>

#include "rules/parse/ast.h"

struct out {
	char *buf;
	size_t size;
	size_t len;
};

static void put(struct out *o, const char *s, size_t n)
{
	if (o->len < o->size) {
		size_t room = o->size - o->len - 1, k = n < room ? n : room;

		memcpy(o->buf + o->len, s, k);
		o->buf[o->len + k] = '\0';
	}
	o->len += n;
}

static void puts_(struct out *o, const char *s)
{
	put(o, s, strlen(s));
}

static void print(const struct ast *a, struct out *o)
{
	static const char *const names[] = { "and", "or", "not" };
	size_t i;

	switch (a->type) {
	case AST_REF:
		puts_(o, a->name);
		return;
	case AST_CMP:
		puts_(o, a->field);
		if (a->arg) {
			puts_(o, "[");
			puts_(o, a->arg);
			puts_(o, "]");
		}
		puts_(o, " ");
		puts_(o, vgl_op_names[a->op]);
		if (a->op == OP_EXISTS)
			return;
		puts_(o, a->list ? " (" : " ");
		for (i = 0; i < a->nvals; i++) {
			puts_(o, i ? ", " : "");
			puts_(o, a->vals[i].bare ? "" : "\"");
			put(o, a->vals[i].s, a->vals[i].len);
			puts_(o, a->vals[i].bare ? "" : "\"");
		}
		puts_(o, a->list ? ")" : "");
		return;
	default:
		puts_(o, "(");
		puts_(o, names[a->type]);
		for (i = 0; i < a->nkids; i++) {
			puts_(o, " ");
			print(a->kids[i], o);
		}
		puts_(o, ")");
	}
}

size_t ast_format(const struct ast *a, char *buf, size_t size)
{
	struct out o = { buf, size, 0 };

	if (size)
		buf[0] = '\0';
	print(a, &o);
	return o.len;
}
