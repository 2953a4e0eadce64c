/* SPDX-License-Identifier: Apache-2.0 */
/* Shared by the condition parser (parser.c) and its lexical helpers (lexer.c). */
#ifndef VIGIL_RULES_PARSER_INT_H
#define VIGIL_RULES_PARSER_INT_H

#include "rules/parse/ast.h"

#define DEFAULT_MAX_DEPTH 64

struct parser {
	const char *s;
	size_t len;
	size_t i;
	size_t depth;
	const struct parse_opts *opts;
	struct vgl_diag *diag;
	int err; /* first error: -EINVAL (reported) or -ENOMEM */
};

void vgl_lex_pos_at(const struct parser *p, size_t off, struct vgl_pos *pos);
/* Record the first error (at byte @off) and return NULL. */
void *vgl_lex_fail_at(struct parser *p, size_t off, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
void *vgl_lex_nomem(struct parser *p);
bool vgl_lex_is_ident(char c, bool first);
void vgl_lex_skip_ws(struct parser *p);
/* Whether keyword @kw starts at the cursor and ends there; vgl_lex_eat_word() consumes it. */
bool vgl_lex_at_word(struct parser *p, const char *kw);
bool vgl_lex_eat_word(struct parser *p, const char *kw);
/* Quoted string at the cursor, unescaped, malloc'd. */
int vgl_lex_quoted(struct parser *p, char **ret, size_t *ret_len);
/* One Value, or a ListValue, appended to @a's values. */
int vgl_lex_value(struct parser *p, struct ast *a);
int vgl_lex_list_value(struct parser *p, struct ast *a);
/* The operator at the cursor, or -1 (reported). */
int vgl_lex_operator(struct parser *p, const char *field);

#endif /* VIGIL_RULES_PARSER_INT_H */
