// SPDX-License-Identifier: Apache-2.0
/* Rule files -> collection: file reading, top-level items, engine version. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "rules/collection.h"

#define DEFAULT_MAX_FILE_SIZE (16u << 20)
#define DEFAULT_MAX_ITEMS     20000

void cond_free(struct cond_src *c)
{
	free(c->text);
	free(c->segs);
	memset(c, 0, sizeof(*c));
}

/* Append @node's text to @c, separated by a space as Falco does. */
int cond_append(struct cond_src *c, const struct ydoc *doc, const struct ynode *node)
{
	size_t sep = c->len ? 1 : 0, n = c->len + sep + node->len;
	struct cond_seg *segs;
	char *text;

	text = realloc(c->text, n + 1);
	if (!text)
		return -ENOMEM;
	c->text = text;
	segs = realloc(c->segs, (c->nsegs + 1) * sizeof(*segs));
	if (!segs)
		return -ENOMEM;
	c->segs = segs;
	if (sep)
		text[c->len] = ' ';
	memcpy(text + c->len + sep, node->str, node->len);
	text[n] = '\0';
	segs[c->nsegs].off = c->len + sep;
	segs[c->nsegs].doc = doc;
	segs[c->nsegs].node = node;
	c->nsegs++;
	c->len = n;
	return 0;
}

void cond_pos(const struct cond_src *c, size_t off, struct vgl_pos *ret)
{
	size_t i = c->nsegs;

	memset(ret, 0, sizeof(*ret));
	while (i > 0 && c->segs[i - 1].off > off)
		i--;
	if (i == 0)
		return;
	ydoc_pos(c->segs[i - 1].doc, c->segs[i - 1].node, off - c->segs[i - 1].off, ret);
}

/* Compare dotted versions; returns <0, 0, >0 like strcmp. */
static int version_cmp(const char *a, const char *b)
{
	while (*a || *b) {
		unsigned long x = strtoul(a, (char **)&a, 10);
		unsigned long y = strtoul(b, (char **)&b, 10);

		if (x != y)
			return x < y ? -1 : 1;
		if (*a == '.')
			a++;
		if (*b == '.')
			b++;
		if ((*a && (*a < '0' || *a > '9')) || (*b && (*b < '0' || *b > '9')))
			break;
	}
	return 0;
}

static int check_engine_version(struct collection *c, const struct ynode *v)
{
	char buf[64];

	if (!v || v->type != YN_SCALAR) {
		vgl_diag_error(c->diag, v ? &v->pos : NULL,
			       "required_engine_version must be a version string");
		return -EINVAL;
	}
	/* Old files give a bare engine number N, meaning 0.N.0. */
	if (!strchr(v->str, '.'))
		snprintf(buf, sizeof(buf), "0.%s.0", v->str);
	else
		snprintf(buf, sizeof(buf), "%s", v->str);
	if (version_cmp(buf, VGL_ENGINE_VERSION) > 0) {
		vgl_diag_error(c->diag, &v->pos,
			       "rules require engine version %s, vigil implements %s", v->str,
			       VGL_ENGINE_VERSION);
		return -EINVAL;
	}
	return 0;
}

static int check_plugins(struct collection *c, const struct ynode *v)
{
	size_t i;

	if (!v || v->type != YN_SEQ) {
		vgl_diag_error(c->diag, v ? &v->pos : NULL,
			       "required_plugin_versions must be a list");
		return -EINVAL;
	}
	for (i = 0; i < v->nkids; i++) {
		const struct ynode *name = ynode_get(v->kids[i], "name");

		if (!name || name->type != YN_SCALAR) {
			vgl_diag_error(c->diag, &v->kids[i]->pos,
				       "required_plugin_versions entry without a name");
			return -EINVAL;
		}
		/* vigil provides the container plugin's fields natively. */
		if (strcmp(name->str, "container"))
			vgl_diag_warn(c->diag, &name->pos,
				      "plugin '%s' is not available in vigil; rules of its "
				      "source are skipped",
				      name->str);
	}
	return 0;
}

static int load_item(struct collection *c, const struct ydoc *doc, const struct ynode *item)
{
	const struct ynode *v;

	if (item->type != YN_MAP || item->nkids < 2) {
		vgl_diag_error(c->diag, &item->pos, "rule file items must be mappings");
		return -EINVAL;
	}
	if (++c->nitems > c->opts->max_items) {
		vgl_diag_error(c->diag, &item->pos, "more than %zu items", c->opts->max_items);
		return -E2BIG;
	}
	if (ynode_get(item, "rule"))
		return coll_add_rule(c, doc, item);
	if (ynode_get(item, "macro"))
		return coll_add_macro(c, doc, item);
	if (ynode_get(item, "list"))
		return coll_add_list(c, doc, item);
	if ((v = ynode_get(item, "required_engine_version")))
		return check_engine_version(c, v);
	if ((v = ynode_get(item, "required_plugin_versions")))
		return check_plugins(c, v);
	vgl_diag_error(c->diag, &item->kids[0]->pos, "unknown item '%s'", item->kids[0]->str);
	return -EINVAL;
}

static int load_doc(struct collection *c, const struct ydoc *doc)
{
	const struct ynode *root = doc->root;
	size_t i;
	int ret = 0, err;

	if (!root || (root->type == YN_SCALAR && root->len == 0))
		return 0;
	if (root->type != YN_SEQ) {
		vgl_diag_error(c->diag, &root->pos, "a rule file must be a list of items");
		return -EINVAL;
	}
	for (i = 0; i < root->nkids; i++) {
		err = load_item(c, doc, root->kids[i]);
		if (err == -ENOMEM || err == -E2BIG)
			return err;
		if (err)
			ret = err;
	}
	return ret;
}

/*
 * YAML limits from the load options, checked as the file is read: no list
 * of a rule file can usefully hold more entries than the larger of the item
 * limits, nor a value more bytes than a condition.
 */
static int parse_doc(struct collection *c, const char *name, const char *text, size_t len,
		     struct ydoc *ret_doc)
{
	const struct vgl_rules_opts *o = c->opts;
	struct ydoc_limits lim = {
		.max_entries = o->max_items > o->max_list_items ? o->max_items : o->max_list_items,
		.max_scalar = o->max_cond_len,
	};

	return ydoc_parse_limited(name, text, len, &lim, ret_doc, c->diag);
}

int coll_load_text(struct collection *c, const char *name, const char *text, size_t len)
{
	int err;

	if (c->docs)
		return -EBUSY;
	c->docs = calloc(1, sizeof(*c->docs));
	if (!c->docs)
		return -ENOMEM;
	err = parse_doc(c, name, text, len, &c->docs[0]);
	if (err)
		return err;
	c->ndocs = 1;
	err = load_doc(c, &c->docs[0]);
	return err == -ENOMEM || err == -E2BIG ? err : err ? -EINVAL : 0;
}

static int read_file(struct collection *c, const char *path, char **ret_buf, size_t *ret_len)
{
	struct vgl_pos pos = { .file = path };
	size_t cap = 0, len = 0, n;
	char *buf = NULL, *nb;
	FILE *f = fopen(path, "rb");
	int err;

	if (!f) {
		err = -errno;
		vgl_diag_error(c->diag, &pos, "cannot read rule file: %s", strerror(-err));
		return err;
	}
	do {
		if (len == cap) {
			cap = cap ? cap * 2 : 65536;
			nb = realloc(buf, cap);
			if (!nb) {
				free(buf);
				fclose(f);
				return -ENOMEM;
			}
			buf = nb;
		}
		n = fread(buf + len, 1, cap - len, f);
		len += n;
		if (len > c->opts->max_file_size) {
			free(buf);
			fclose(f);
			vgl_diag_error(c->diag, &pos, "rule file larger than %zu bytes",
				       c->opts->max_file_size);
			return -EFBIG;
		}
	} while (n > 0);
	if (ferror(f)) {
		free(buf);
		fclose(f);
		vgl_diag_error(c->diag, &pos, "cannot read rule file: %s", strerror(EIO));
		return -EIO;
	}
	fclose(f);
	*ret_buf = buf;
	*ret_len = len;
	return 0;
}

int coll_load_files(struct collection *c, const char *const *files, size_t nfiles)
{
	size_t i;
	int ret = 0, err;

	/* Reserve all docs up front so that they never move. */
	c->docs = calloc(nfiles ? nfiles : 1, sizeof(*c->docs));
	if (!c->docs)
		return -ENOMEM;
	for (i = 0; i < nfiles; i++) {
		char *buf = NULL;
		size_t len = 0;

		err = read_file(c, files[i], &buf, &len);
		if (!err) {
			err = parse_doc(c, files[i], buf ? buf : "", len, &c->docs[c->ndocs]);
			free(buf);
		}
		if (!err)
			err = load_doc(c, &c->docs[c->ndocs++]);
		if (err == -ENOMEM || err == -E2BIG)
			return err;
		if (err)
			ret = -EINVAL;
	}
	return ret;
}
