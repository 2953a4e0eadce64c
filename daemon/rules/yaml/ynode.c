// SPDX-License-Identifier: Apache-2.0
/* YAML text -> node tree with positions (libyaml event API). */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <yaml.h>

#include "rules/yaml/ynode.h"

struct builder {
	struct ydoc *doc;
	/* byte_offset()'s cursor: marks arrive in order, so each call walks only
	 * from the last one (line, column reached, byte offset) */
	size_t cur_line;
	size_t cur_col;
	size_t cur_off;
	struct vgl_diag *diag;
	struct ydoc_limits lim;
	struct ynode *stack[YDOC_MAX_DEPTH + 1];
	size_t depth;
	size_t nnodes;
	bool pending_key; /* mapping on top expects a key next */
	size_t ndocs;
};

static void ynode_free(struct ynode *n)
{
	size_t i;

	if (!n)
		return;
	for (i = 0; i < n->nkids; i++)
		ynode_free(n->kids[i]);
	free(n->kids);
	free(n->str);
	free(n);
}

void ydoc_free(struct ydoc *doc)
{
	if (!doc)
		return;
	ynode_free(doc->root);
	free(doc->raw);
	free(doc->file);
	memset(doc, 0, sizeof(*doc));
}

/*
 * Byte offset of character @col (0-based) on line @line (0-based). It walks
 * on from the previous call's position when that is not past the wanted one,
 * so a document's marks cost time linear in its size, however long its lines
 * (a rule file of one 2 MB line took minutes when each walked from its line's
 * start).
 */
static size_t byte_offset(struct builder *b, size_t line, size_t col)
{
	const struct ydoc *doc = b->doc;
	size_t off = 0, l = 0, c = 0;

	if (line > b->cur_line || (line == b->cur_line && col >= b->cur_col)) {
		l = b->cur_line;
		c = b->cur_col;
		off = b->cur_off;
	}
	while (l < line && off < doc->raw_len) {
		if (doc->raw[off++] == '\n') {
			l++;
			c = 0;
		}
	}
	while (c < col && off < doc->raw_len && doc->raw[off] != '\n') {
		off++;
		while (off < doc->raw_len && ((unsigned char)doc->raw[off] & 0xc0) == 0x80)
			off++;
		c++;
	}
	b->cur_line = l;
	b->cur_col = c;
	b->cur_off = off;
	return off;
}

static void mark_pos(struct builder *b, const yaml_mark_t *m, struct vgl_pos *pos)
{
	pos->file = b->doc->file;
	pos->line = (unsigned int)m->line + 1;
	pos->col = (unsigned int)m->column + 1;
}

/* Append @n to the collection being read (or make it the root). */
static int add_node(struct builder *b, struct ynode *n)
{
	struct ynode *top, **kids;

	if (b->depth == 0) {
		if (b->doc->root) {
			vgl_diag_error(b->diag, &n->pos,
				       "only one YAML document per file is supported");
			return -EINVAL;
		}
		b->doc->root = n;
		return 0;
	}
	top = b->stack[b->depth - 1];
	if (top->type == YN_MAP && b->pending_key && n->type != YN_SCALAR) {
		vgl_diag_error(b->diag, &n->pos, "mapping keys must be scalars");
		return -EINVAL;
	}
	if (top->nkids >= b->lim.max_entries * (top->type == YN_MAP ? 2 : 1)) {
		vgl_diag_error(b->diag, &top->pos, "%s has more than %zu entries",
			       top->type == YN_MAP ? "mapping" : "list", b->lim.max_entries);
		return -EINVAL;
	}
	if (top->nkids == top->kids_cap) {
		size_t cap = top->kids_cap ? top->kids_cap * 2 : 4;

		kids = realloc(top->kids, cap * sizeof(*kids));
		if (!kids)
			return -ENOMEM;
		top->kids = kids;
		top->kids_cap = cap;
	}
	top->kids[top->nkids++] = n;
	if (top->type == YN_MAP)
		b->pending_key = !b->pending_key;
	return 0;
}

/* A node at @start, or NULL with *@ret_err set (the limit reported). */
static struct ynode *new_node(struct builder *b, enum ynode_type type, const yaml_mark_t *start,
			      int *ret_err)
{
	struct ynode *n;
	struct vgl_pos pos;

	if (++b->nnodes > b->lim.max_nodes) {
		mark_pos(b, start, &pos);
		vgl_diag_error(b->diag, &pos, "more than %zu YAML nodes", b->lim.max_nodes);
		*ret_err = -EINVAL;
		return NULL;
	}
	n = calloc(1, sizeof(*n));
	if (!n) {
		*ret_err = -ENOMEM;
		return NULL;
	}
	n->type = type;
	mark_pos(b, start, &n->pos);
	return n;
}

static int on_scalar(struct builder *b, const yaml_event_t *ev)
{
	struct ynode *n;
	struct vgl_pos pos;
	int err = 0;

	if (ev->data.scalar.length > b->lim.max_scalar) {
		mark_pos(b, &ev->start_mark, &pos);
		vgl_diag_error(b->diag, &pos,
			       "value longer than %zu bytes, the longest a condition may be",
			       b->lim.max_scalar);
		return -EINVAL;
	}
	n = new_node(b, YN_SCALAR, &ev->start_mark, &err);
	if (!n)
		return err;
	n->len = ev->data.scalar.length;
	n->str = malloc(n->len + 1);
	if (!n->str) {
		ynode_free(n);
		return -ENOMEM;
	}
	memcpy(n->str, ev->data.scalar.value, n->len);
	n->str[n->len] = '\0';
	switch (ev->data.scalar.style) {
	case YAML_SINGLE_QUOTED_SCALAR_STYLE:
	case YAML_DOUBLE_QUOTED_SCALAR_STYLE:
		n->style = YS_QUOTED;
		break;
	case YAML_LITERAL_SCALAR_STYLE:
	case YAML_FOLDED_SCALAR_STYLE:
		n->style = YS_BLOCK;
		break;
	default:
		n->style = YS_PLAIN;
	}
	n->raw_start = byte_offset(b, ev->start_mark.line, ev->start_mark.column);
	n->raw_end = byte_offset(b, ev->end_mark.line, ev->end_mark.column);
	err = add_node(b, n);
	if (err)
		ynode_free(n);
	return err;
}

static int on_start(struct builder *b, const yaml_event_t *ev, enum ynode_type type)
{
	struct ynode *n;
	int err = 0;

	n = new_node(b, type, &ev->start_mark, &err);
	if (!n)
		return err;
	if (b->depth >= YDOC_MAX_DEPTH) {
		vgl_diag_error(b->diag, &n->pos, "YAML nesting deeper than %d levels",
			       YDOC_MAX_DEPTH);
		ynode_free(n);
		return -EINVAL;
	}
	err = add_node(b, n);
	if (err) {
		ynode_free(n);
		return err;
	}
	b->stack[b->depth++] = n;
	b->pending_key = type == YN_MAP;
	return 0;
}

static void on_end(struct builder *b)
{
	struct ynode *top;

	if (b->depth)
		b->depth--;
	top = b->depth ? b->stack[b->depth - 1] : NULL;
	b->pending_key = top && top->type == YN_MAP && top->nkids % 2 == 0;
}

/* Handle one event; 1 at the end of the stream. */
static int on_event(struct builder *b, const yaml_event_t *ev)
{
	struct vgl_pos pos;

	switch (ev->type) {
	case YAML_SCALAR_EVENT:
		return on_scalar(b, ev);
	case YAML_SEQUENCE_START_EVENT:
		return on_start(b, ev, YN_SEQ);
	case YAML_MAPPING_START_EVENT:
		return on_start(b, ev, YN_MAP);
	case YAML_SEQUENCE_END_EVENT:
	case YAML_MAPPING_END_EVENT:
		on_end(b);
		return 0;
	case YAML_ALIAS_EVENT:
		mark_pos(b, &ev->start_mark, &pos);
		vgl_diag_error(b->diag, &pos, "YAML aliases are not supported");
		return -EINVAL;
	case YAML_STREAM_END_EVENT:
		return 1;
	default:
		return 0;
	}
}

static void syntax_error(struct builder *b, const yaml_parser_t *p)
{
	struct vgl_pos pos;

	mark_pos(b, &p->problem_mark, &pos);
	if (p->error == YAML_MEMORY_ERROR)
		vgl_diag_error(b->diag, &pos, "out of memory while parsing YAML");
	else if (p->context)
		vgl_diag_error(b->diag, &pos, "YAML syntax error: %s %s",
			       p->problem ? p->problem : "invalid text", p->context);
	else
		vgl_diag_error(b->diag, &pos, "YAML syntax error: %s",
			       p->problem ? p->problem : "invalid text");
}

static int parse_events(struct builder *b, yaml_parser_t *p)
{
	yaml_event_t ev;
	int err = 0;

	while (!err) {
		if (!yaml_parser_parse(p, &ev)) {
			syntax_error(b, p);
			return -EINVAL;
		}
		err = on_event(b, &ev);
		yaml_event_delete(&ev);
	}
	return err < 0 ? err : 0;
}

int ydoc_parse(const char *file, const char *buf, size_t size, struct ydoc *ret_doc,
	       struct vgl_diag *diag)
{
	return ydoc_parse_limited(file, buf, size, NULL, ret_doc, diag);
}

int ydoc_parse_limited(const char *file, const char *buf, size_t size,
		       const struct ydoc_limits *lim, struct ydoc *ret_doc, struct vgl_diag *diag)
{
	struct builder b = { 0 };
	struct ydoc doc = { 0 };
	yaml_parser_t p;
	int err;

	doc.file = strdup(file);
	doc.raw = malloc(size + 1);
	if (!doc.file || !doc.raw) {
		ydoc_free(&doc);
		return -ENOMEM;
	}
	memcpy(doc.raw, buf, size);
	doc.raw[size] = '\0';
	doc.raw_len = size;
	b.doc = &doc;
	b.diag = diag;
	if (lim)
		b.lim = *lim;
	b.lim.max_nodes = b.lim.max_nodes ? b.lim.max_nodes : YDOC_MAX_NODES;
	b.lim.max_entries = b.lim.max_entries ? b.lim.max_entries : SIZE_MAX / 2;
	b.lim.max_scalar = b.lim.max_scalar ? b.lim.max_scalar : SIZE_MAX;
	if (!yaml_parser_initialize(&p)) {
		ydoc_free(&doc);
		return -ENOMEM;
	}
	yaml_parser_set_input_string(&p, (const unsigned char *)doc.raw, size);
	err = parse_events(&b, &p);
	yaml_parser_delete(&p);
	if (err) {
		ydoc_free(&doc);
		return err;
	}
	*ret_doc = doc;
	return 0;
}

const struct ynode *ynode_get(const struct ynode *map, const char *key)
{
	size_t i;

	if (!map || map->type != YN_MAP)
		return NULL;
	for (i = 0; i + 1 < map->nkids; i += 2) {
		if (map->kids[i]->type == YN_SCALAR && !strcmp(map->kids[i]->str, key))
			return map->kids[i + 1];
	}
	return NULL;
}

int ynode_bool(const struct ynode *n)
{
	static const char *const yes[] = { "true", "yes", "on", "y" };
	static const char *const no[] = { "false", "no", "off", "n" };
	size_t i;

	if (!n || n->type != YN_SCALAR)
		return -1;
	for (i = 0; i < 4; i++) {
		if (!strcasecmp(n->str, yes[i]))
			return 1;
		if (!strcasecmp(n->str, no[i]))
			return 0;
	}
	return -1;
}

static bool is_space(char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

void ydoc_pos(const struct ydoc *doc, const struct ynode *n, size_t off, struct vgl_pos *ret)
{
	size_t r = n->raw_start, end = n->raw_end, i, line = n->pos.line, col = n->pos.col;
	size_t ls;

	if (end > doc->raw_len)
		end = doc->raw_len;
	if (n->style == YS_QUOTED && r < end)
		r++;
	if (n->style == YS_BLOCK) {
		while (r < end && doc->raw[r] != '\n')
			r++;
	}
	/* Walk the value and the raw text together, matching non-blank bytes. */
	for (i = 0; i <= off && i < n->len; i++) {
		if (is_space(n->str[i]))
			continue;
		while (r < end && doc->raw[r] != n->str[i])
			r++;
		if (i < off && r < end)
			r++;
	}
	if (r > end)
		r = end;
	/* Line and byte column of raw offset r, counted from the node start. */
	ls = n->raw_start - (col - 1);
	for (i = n->raw_start; i < r; i++) {
		if (doc->raw[i] == '\n') {
			line++;
			ls = i + 1;
		}
	}
	ret->file = doc->file;
	ret->line = (unsigned int)line;
	ret->col = (unsigned int)(r - ls + 1);
}
