// SPDX-License-Identifier: Apache-2.0
/*
 * Output templates: "text %proc.name text %(fd.name) %proc.aname[2]" split
 * into literal runs and field references resolved at load time (an unknown
 * field is a load error, as in Falco).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "rules/output/template.h"

void ofmt_free(struct ofmt *f)
{
	size_t i;

	if (!f)
		return;
	for (i = 0; i < f->nsegs; i++)
		free(f->segs[i].name);
	free(f->segs);
	free(f->text);
	free(f);
}

static bool field_char(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
	       c == '_' || c == '.';
}

/* Field token at @s (after '%'): its length, name and argument bounds. */
static size_t scan_field(const char *s, size_t *name_len, const char **arg, size_t *arg_len)
{
	size_t i = 0, n;
	bool paren = s[0] == '(';

	if (paren)
		i++;
	while (field_char(s[i]))
		i++;
	n = i;
	while (n > (size_t)paren && s[n - 1] == '.')
		n--;
	*arg = NULL;
	*arg_len = 0;
	if (n == i && s[i] == '[' && strchr(s + i, ']')) {
		*arg = s + i + 1;
		*arg_len = (size_t)(strchr(s + i, ']') - *arg);
		i += *arg_len + 2;
		n = i;
	}
	*name_len = n - paren;
	if (paren) {
		if (s[n] != ')')
			return 0;
		n++;
	}
	return n;
}

static void out_pos(const struct rule_def *r, size_t off, struct vgl_pos *pos)
{
	if (r->output_node && r->output_node->len == strlen(r->output))
		ydoc_pos(r->output_doc, r->output_node, off, pos);
	else if (r->output_node)
		*pos = r->output_node->pos;
	else
		*pos = r->pos;
}

static int add_seg(struct ofmt *f, const char *lit, size_t litlen, struct oseg **ret)
{
	struct oseg *v = realloc(f->segs, (f->nsegs + 1) * sizeof(*v));

	if (!v)
		return -ENOMEM;
	f->segs = v;
	*ret = &v[f->nsegs++];
	memset(*ret, 0, sizeof(**ret));
	(*ret)->lit = lit;
	(*ret)->litlen = litlen;
	return 0;
}

/* One %field at @p (p[0] == '%'); returns its length or 0 for a literal '%'. */
static int one_field(struct collection *c, struct vgl_ruleset *rs, const struct rule_def *r,
		     struct oseg *seg, const char *p, size_t off, size_t *ret_len)
{
	const char *arg, *name = p + 1 + (p[1] == '(');
	size_t nl, al, len = scan_field(p + 1, &nl, &arg, &al);
	char fname[256], farg[256], err[256];
	struct vgl_pos pos;
	int e;

	*ret_len = 0;
	if (!len || !nl || nl >= sizeof(fname) || al >= sizeof(farg))
		return 0;
	memcpy(fname, name, nl);
	fname[nl] = '\0';
	if (arg) {
		memcpy(farg, arg, al);
		farg[al] = '\0';
		fname[nl - al - 2] = '\0';
	}
	e = rs_field(rs, fname, arg ? farg : NULL, &seg->ref, err, sizeof(err));
	if (e == -EINVAL && arg && p[1] != '(' &&
	    !rs_field(rs, fname, NULL, &seg->ref, err, sizeof(err))) {
		/* "%proc.name[%proc.pid]": the bracket is text, not an argument. */
		nl -= al + 2;
		len -= al + 2;
		e = 0;
	}
	if (e == -ENOMEM)
		return e;
	if (e) {
		out_pos(r, off, &pos);
		vgl_diag_error(c->diag, &pos, "rule '%s' output: %s", r->name, err);
		return -EINVAL;
	}
	seg->name = strndup(name, nl);
	*ret_len = len + 1;
	return seg->name ? 0 : -ENOMEM;
}

int ofmt_compile(struct collection *c, struct vgl_ruleset *rs, const struct rule_def *r,
		 struct ofmt **ret)
{
	struct ofmt *f = calloc(1, sizeof(*f));
	const char *p, *lit;
	struct oseg *seg;
	size_t flen;
	int err = 0;

	if (!f || !(f->text = strdup(r->output ? r->output : ""))) {
		free(f);
		return -ENOMEM;
	}
	/* YAML block scalars (output: >) end with a newline; Falco drops it */
	for (flen = strlen(f->text); flen > 0 && strchr(" \t\r\n", f->text[flen - 1]); flen--)
		f->text[flen - 1] = '\0';
	for (p = lit = f->text; !err && *p; p++) {
		if (*p != '%' || !(field_char(p[1]) || p[1] == '('))
			continue;
		err = add_seg(f, lit, (size_t)(p - lit), &seg);
		if (!err)
			err = one_field(c, rs, r, seg, p, (size_t)(p - f->text), &flen);
		if (!err && flen) {
			lit = p + flen;
			p = lit - 1;
		} else if (!err) {
			seg->litlen++; /* not a field: keep the '%' */
			lit = p + 1;
		}
	}
	if (!err && *lit)
		err = add_seg(f, lit, strlen(lit), &seg);
	if (err) {
		ofmt_free(f);
		return err;
	}
	*ret = f;
	return 0;
}
