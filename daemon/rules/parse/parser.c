// SPDX-License-Identifier: Apache-2.0
/*
 * Condition parser: text -> struct ast. Recursive descent, one token of
 * lookahead, a depth limit against hostile input.
 *
 * Grammar (Falco's, as implemented by libsinsp):
 *
 *   Expr      ::= AndExpr ( 'or' AndExpr )*
 *   AndExpr   ::= NotExpr ( 'and' NotExpr )*
 *   NotExpr   ::= 'not' NotExpr | Check
 *   Check     ::= '(' Expr ')' | Field Cmp | MacroName
 *   Cmp       ::= 'exists'
 *               | CmpOp Value
 *               | ListOp ( '(' [ Value ( ',' Value )* ] ')' | ListName )
 *   CmpOp     ::= '=' | '==' | '!=' | '<' | '<=' | '>' | '>=' | 'contains'
 *               | 'icontains' | 'bcontains' | 'startswith' | 'bstartswith'
 *               | 'endswith' | 'glob' | 'iglob' | 'regex'
 *   ListOp    ::= 'in' | 'intersects' | 'pmatch'
 *   Field     ::= FieldName [ '[' FieldArg ']' ]
 *   FieldName ::= Ident ( '.' [a-zA-Z0-9_]+ )+
 *   MacroName ::= Ident            (not a keyword)
 *   Ident     ::= [a-zA-Z_][a-zA-Z0-9_]*
 *   FieldArg  ::= QuotedStr | [^\]]+
 *   Value     ::= QuotedStr | BareStr
 *   QuotedStr ::= '"' ( [^"\\] | '\' any )* '"' | "'" ( [^'\\] | '\' any )* "'"
 *   BareStr   ::= [^ \t\r\n(),="']+
 *
 * Keywords and word operators end where an identifier byte cannot follow.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "rules/parse/parser_int.h"

/* Field name and optional [argument] at the cursor into @a. */
static int field(struct parser *p, struct ast *a, size_t start)
{
	size_t astart;
	char *s;
	size_t n;

	a->field = strndup(p->s + start, p->i - start);
	if (!a->field)
		return vgl_lex_nomem(p), -ENOMEM;
	if (p->i >= p->len || p->s[p->i] != '[')
		return 0;
	astart = ++p->i;
	vgl_lex_pos_at(p, astart, &a->arg_pos);
	if (p->i < p->len && (p->s[p->i] == '"' || p->s[p->i] == '\'')) {
		if (vgl_lex_quoted(p, &s, &n))
			return p->err;
		a->arg = s;
	} else {
		while (p->i < p->len && p->s[p->i] != ']' && p->s[p->i])
			p->i++;
		a->arg = strndup(p->s + astart, p->i - astart);
		if (!a->arg)
			return vgl_lex_nomem(p), -ENOMEM;
	}
	if (p->i >= p->len || p->s[p->i] != ']') {
		vgl_lex_fail_at(p, astart - 1, "missing ']' after the argument of '%s'", a->field);
		return -EINVAL;
	}
	p->i++;
	return 0;
}

/* Field Cmp, the field name being [start, p->i). */
static struct ast *comparison(struct parser *p, size_t start)
{
	struct vgl_pos pos;
	struct ast *a;
	int op, err;

	vgl_lex_pos_at(p, start, &pos);
	a = ast_new(AST_CMP, &pos);
	if (!a)
		return vgl_lex_nomem(p);
	if (field(p, a, start))
		goto out_free;
	vgl_lex_skip_ws(p);
	vgl_lex_pos_at(p, p->i, &a->op_pos);
	op = vgl_lex_operator(p, a->field);
	if (op < 0)
		goto out_free;
	a->op = op;
	if (op == OP_EXISTS)
		return a;
	err = op_takes_list(op) ? vgl_lex_list_value(p, a) : vgl_lex_value(p, a);
	if (err)
		goto out_free;
	return a;
out_free:
	ast_free(a);
	return NULL;
}

static struct ast *expr(struct parser *p);

static struct ast *check(struct parser *p)
{
	size_t start = p->i;
	bool dotted = false;
	struct vgl_pos pos;
	struct ast *a;

	if (p->i < p->len && p->s[p->i] == '(') {
		p->i++;
		vgl_lex_skip_ws(p);
		a = expr(p);
		if (!a)
			return NULL;
		if (p->i >= p->len || p->s[p->i] != ')') {
			ast_free(a);
			return vgl_lex_fail_at(p, start,
					       "unbalanced parentheses: '(' is never closed");
		}
		p->i++;
		vgl_lex_skip_ws(p);
		return a;
	}
	if (p->i >= p->len)
		return vgl_lex_fail_at(p, p->i, "unexpected end of condition");
	if (!vgl_lex_is_ident(p->s[p->i], true))
		return vgl_lex_fail_at(p, p->i, "unexpected '%c'", p->s[p->i]);
	while (p->i < p->len && (vgl_lex_is_ident(p->s[p->i], false) || p->s[p->i] == '.')) {
		dotted = dotted || p->s[p->i] == '.';
		p->i++;
	}
	if (dotted)
		return comparison(p, start);
	vgl_lex_pos_at(p, start, &pos);
	a = ast_new(AST_REF, &pos);
	if (!a || !(a->name = strndup(p->s + start, p->i - start))) {
		ast_free(a);
		return vgl_lex_nomem(p);
	}
	if (!strcmp(a->name, "and") || !strcmp(a->name, "or")) {
		ast_free(a);
		return vgl_lex_fail_at(p, start, "unexpected '%.*s'", (int)(p->i - start),
				       p->s + start);
	}
	vgl_lex_skip_ws(p);
	return a;
}

static struct ast *not_expr(struct parser *p)
{
	size_t max = p->opts->max_depth ? p->opts->max_depth : DEFAULT_MAX_DEPTH;
	size_t start = p->i;
	struct ast *a;

	if (++p->depth > max)
		return vgl_lex_fail_at(p, start, "condition nested deeper than %zu levels", max);
	if (vgl_lex_at_word(p, "not") || (p->len - p->i > 3 && !memcmp(p->s + p->i, "not(", 4))) {
		p->i += 3;
		vgl_lex_skip_ws(p);
		a = not_expr(p);
		a = a ? ast_join(AST_NOT, a, NULL) : NULL;
		if (a)
			vgl_lex_pos_at(p, start, &a->pos);
		else if (!p->err)
			vgl_lex_nomem(p);
	} else {
		a = check(p);
	}
	p->depth--;
	return a;
}

/* A run of @kw-separated operands as one n-ary node. */
static struct ast *chain(struct parser *p, const char *kw, enum ast_type type,
			 struct ast *(*operand)(struct parser *))
{
	struct ast *a = operand(p), *n = NULL, *r;

	while (a && vgl_lex_eat_word(p, kw)) {
		r = operand(p);
		if (!r)
			break;
		if (!n) {
			n = ast_join(type, a, r);
			if (!n)
				return vgl_lex_nomem(p);
			continue;
		}
		if (ast_add_kid(n, r)) {
			ast_free(r);
			break;
		}
	}
	if (p->err) {
		ast_free(n ? n : a);
		return p->err == -ENOMEM ? vgl_lex_nomem(p) : NULL;
	}
	return n ? n : a;
}

static struct ast *and_expr(struct parser *p)
{
	return chain(p, "and", AST_AND, not_expr);
}

static struct ast *expr(struct parser *p)
{
	return chain(p, "or", AST_OR, and_expr);
}

int cond_parse(const char *text, size_t len, const struct parse_opts *opts, struct ast **ret,
	       struct vgl_diag *diag)
{
	struct parser p = { .s = text, .len = len, .opts = opts, .diag = diag };
	struct ast *a;

	if (memchr(text, '\0', len)) {
		vgl_lex_fail_at(&p, (size_t)((const char *)memchr(text, '\0', len) - text),
				"NUL byte in condition");
		return p.err;
	}
	vgl_lex_skip_ws(&p);
	if (p.i == len) {
		vgl_lex_fail_at(&p, 0, "empty condition");
		return p.err;
	}
	a = expr(&p);
	if (a && p.i < len) {
		if (p.s[p.i] == ')')
			vgl_lex_fail_at(&p, p.i, "unbalanced parentheses: unexpected ')'");
		else
			vgl_lex_fail_at(&p, p.i,
					"expected 'and', 'or' or the end of the condition");
		ast_free(a);
		a = NULL;
	}
	if (!a)
		return p.err ? p.err : -ENOMEM;
	*ret = a;
	return 0;
}
