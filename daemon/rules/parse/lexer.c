// SPDX-License-Identifier: Apache-2.0
/* Lexical pieces of the condition grammar (see parser.c): words, values, operators. */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "rules/parse/parser_int.h"

void vgl_lex_pos_at(const struct parser *p, size_t off, struct vgl_pos *pos)
{
	if (p->opts->pos_fn) {
		p->opts->pos_fn(p->opts->pos_data, off, pos);
		return;
	}
	pos->file = NULL;
	pos->line = 1;
	pos->col = (unsigned int)off + 1;
}

void *vgl_lex_fail_at(struct parser *p, size_t off, const char *fmt, ...)
{
	struct vgl_pos pos;
	char buf[256];
	va_list ap;

	if (!p->err) {
		va_start(ap, fmt);
		vsnprintf(buf, sizeof(buf), fmt, ap);
		va_end(ap);
		vgl_lex_pos_at(p, off, &pos);
		vgl_diag_error(p->diag, &pos, "%s", buf);
		p->err = -EINVAL;
	}
	return NULL;
}

void *vgl_lex_nomem(struct parser *p)
{
	if (!p->err)
		p->err = -ENOMEM;
	return NULL;
}

bool vgl_lex_is_ident(char c, bool first)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' ||
	       (!first && c >= '0' && c <= '9');
}

void vgl_lex_skip_ws(struct parser *p)
{
	while (p->i < p->len && strchr(" \t\r\n", p->s[p->i]) && p->s[p->i])
		p->i++;
}

/* Whether the keyword @kw starts at the cursor (and ends there). */
bool vgl_lex_at_word(struct parser *p, const char *kw)
{
	size_t n = strlen(kw);

	if (p->len - p->i < n || memcmp(p->s + p->i, kw, n))
		return false;
	return p->i + n == p->len || !vgl_lex_is_ident(p->s[p->i + n], false);
}

bool vgl_lex_eat_word(struct parser *p, const char *kw)
{
	if (!vgl_lex_at_word(p, kw))
		return false;
	p->i += strlen(kw);
	vgl_lex_skip_ws(p);
	return true;
}

/* Quoted string at the cursor into @a as a value. */
int vgl_lex_quoted(struct parser *p, char **ret, size_t *ret_len)
{
	char q = p->s[p->i], *out, c;
	size_t start = p->i++, n = 0;

	out = malloc(p->len - p->i + 1);
	if (!out)
		return vgl_lex_nomem(p), -ENOMEM;
	while (p->i < p->len && p->s[p->i] != q) {
		c = p->s[p->i++];
		if (c == '\\' && p->i < p->len) {
			c = p->s[p->i++];
			switch (c) {
			case 'n':
				c = '\n';
				break;
			case 't':
				c = '\t';
				break;
			case 'r':
				c = '\r';
				break;
			case '\\':
			case '"':
			case '\'':
			case '/':
				break;
			default:
				out[n++] = '\\';
			}
		}
		out[n++] = c;
	}
	if (p->i >= p->len) {
		free(out);
		vgl_lex_fail_at(p, start, "unterminated string");
		return -EINVAL;
	}
	p->i++;
	out[n] = '\0';
	*ret = out;
	*ret_len = n;
	return 0;
}

static bool is_bare(char c)
{
	return c && !strchr(" \t\r\n(),=\"'", c);
}

/* One Value into @a's values. */
int vgl_lex_value(struct parser *p, struct ast *a)
{
	struct vgl_pos pos;
	size_t start = p->i, n;
	char *s;
	int err;

	vgl_lex_pos_at(p, start, &pos);
	if (p->i < p->len && (p->s[p->i] == '"' || p->s[p->i] == '\'')) {
		err = vgl_lex_quoted(p, &s, &n);
		if (err)
			return err;
		err = ast_add_val(a, s, n, false, &pos);
		free(s);
	} else {
		while (p->i < p->len && is_bare(p->s[p->i]))
			p->i++;
		if (p->i == start) {
			vgl_lex_fail_at(p, start, "expected a value after '%s'",
					vgl_op_names[a->op]);
			return -EINVAL;
		}
		err = ast_add_val(a, p->s + start, p->i - start, true, &pos);
	}
	if (err)
		return vgl_lex_nomem(p), err;
	vgl_lex_skip_ws(p);
	return 0;
}

int vgl_lex_list_value(struct parser *p, struct ast *a)
{
	size_t max = p->opts->max_list_items ? p->opts->max_list_items : 16384;
	size_t open = p->i;
	int err;

	a->list = true;
	if (p->i >= p->len || p->s[p->i] != '(')
		return vgl_lex_value(p, a); /* a list name */
	p->i++;
	vgl_lex_skip_ws(p);
	if (p->i < p->len && p->s[p->i] == ')') {
		p->i++;
		vgl_lex_skip_ws(p);
		return 0;
	}
	for (;;) {
		err = vgl_lex_value(p, a);
		if (err)
			return err;
		if (a->nvals > max) {
			vgl_lex_fail_at(p, open, "list has more than %zu items", max);
			return -EINVAL;
		}
		if (p->i < p->len && p->s[p->i] == ',') {
			p->i++;
			vgl_lex_skip_ws(p);
			continue;
		}
		if (p->i < p->len && p->s[p->i] == ')') {
			p->i++;
			vgl_lex_skip_ws(p);
			return 0;
		}
		if (p->i >= p->len)
			vgl_lex_fail_at(p, open,
					"unbalanced parentheses: list '(' is never closed");
		else
			vgl_lex_fail_at(p, p->i, "expected ',' or ')' in list");
		return -EINVAL;
	}
}

static const struct {
	const char *text;
	enum vgl_op op;
} sym_ops[] = {
	{ "==", OP_EQ }, { "!=", OP_NE }, { "<=", OP_LE }, { ">=", OP_GE },
	{ "=", OP_EQ },	 { "<", OP_LT },  { ">", OP_GT },
};

/* The operator at the cursor, or -1 (reported). */
int vgl_lex_operator(struct parser *p, const char *field)
{
	size_t k, start = p->i;
	int op;

	for (k = 0; k < sizeof(sym_ops) / sizeof(sym_ops[0]); k++) {
		size_t n = strlen(sym_ops[k].text);

		if (p->len - p->i >= n && !memcmp(p->s + p->i, sym_ops[k].text, n)) {
			p->i += n;
			vgl_lex_skip_ws(p);
			return sym_ops[k].op;
		}
	}
	for (op = OP_CONTAINS; op < OP_MAX; op++) {
		if (vgl_lex_eat_word(p, vgl_op_names[op]))
			return op;
	}
	if (p->i < p->len && vgl_lex_is_ident(p->s[p->i], true)) {
		while (p->i < p->len && vgl_lex_is_ident(p->s[p->i], false))
			p->i++;
		vgl_lex_fail_at(p, start, "unknown operator '%.*s'", (int)(p->i - start),
				p->s + start);
		return -1;
	}
	vgl_lex_fail_at(p, start, "expected an operator after field '%s'", field);
	return -1;
}
