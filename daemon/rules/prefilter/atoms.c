// SPDX-License-Identifier: Apache-2.0
/*
 * One comparison of a condition, as the prefilter sees it on an open of a
 * given kind (clauses.h): the path atoms of fd.name (exact, prefix, suffix,
 * substring), fd.directory (a directory) and fd.filename (a suffix), the class bits of the open's
 * flags and result, evt.type, the process names of proc.name. Anything else is "true, not exact":
 * it may hold for any open.
 */
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "rules/prefilter/derive.h"

static bool is_true(const struct ast_val *v)
{
	return !strcasecmp(v->s, "true");
}

/* evt.type = / != / in: exactly true or false for @kind. */
struct pfr pf_evt_type(const struct ast *a, enum vgl_kind kind)
{
	const char *name = vgl_kind_info[kind].name;
	bool in = false;

	if (a->op != OP_EQ && a->op != OP_NE && a->op != OP_IN)
		return pfr_true(false);
	for (size_t i = 0; i < a->nvals; i++)
		in = in || !strcmp(a->vals[i].s, name);
	if (a->op == OP_NE)
		in = !in;
	return in ? pfr_true(true) : pfr_mask((struct vgl_pf_mask){ { 0, 0 } }, true);
}

/* A boolean class bit compared with = / != true / false. */
static struct pfr bool_bit(const struct ast *a, unsigned int bit)
{
	bool want;

	if ((a->op != OP_EQ && a->op != OP_NE) || a->nvals != 1 ||
	    (strcasecmp(a->vals[0].s, "true") && strcasecmp(a->vals[0].s, "false")))
		return pfr_true(false);
	want = is_true(&a->vals[0]) == (a->op == OP_EQ);
	return pfr_mask(pf_mask_bit(bit, want), true);
}

/*
 * fd.num (-1 on failure) or evt.rawres (-errno) against a constant: only
 * the forms that split successes from failures, `>= 0`, `> -1`, `< 0`.
 */
static struct pfr result_cmp(const struct ast *a)
{
	char *end;
	long long c;

	if (a->nvals != 1)
		return pfr_true(false);
	c = strtoll(a->vals[0].s, &end, 10);
	if (*end || end == a->vals[0].s)
		return pfr_true(false);
	if ((a->op == OP_GE && c == 0) || (a->op == OP_GT && c == -1))
		return pfr_mask(pf_mask_bit(VGL_PFB_OK, true), true);
	if (a->op == OP_LT && c == 0)
		return pfr_mask(pf_mask_bit(VGL_PFB_OK, false), true);
	return pfr_true(false);
}

/* The literal start of a glob, else its literal end, else nothing. */
static struct pfr glob_atom(const char *g)
{
	size_t len = strlen(g), pre = strcspn(g, "*?[\\"), post = len;
	struct pfr r = { .exact = false };

	while (post > 0 && !strchr("*?[]\\", g[post - 1]))
		post--;
	if (pre == len) /* no metacharacter: an exact name */
		pfr_add_atom(&r, VGL_PF_EXACT, g, len);
	else if (pre > 0)
		pfr_add_atom(&r, VGL_PF_PREFIX, g, pre);
	else if (post < len && post > 0)
		pfr_add_atom(&r, VGL_PF_SUFFIX, g + post, len - post);
	else
		return pfr_true(false);
	return r;
}

/* fd.name: exact names, prefixes, suffixes, substrings. */
static struct pfr name_atoms(const struct ast *a)
{
	struct pfr r = { .exact = a->op != OP_PMATCH };
	enum vgl_pf_atom t;

	switch (a->op) {
	case OP_EQ:
	case OP_IN:
		t = VGL_PF_EXACT;
		break;
	case OP_STARTSWITH:
	case OP_PMATCH: /* a directory or its own name: both start with it */
		t = VGL_PF_PREFIX;
		break;
	case OP_ENDSWITH:
		t = VGL_PF_SUFFIX;
		break;
	case OP_GLOB:
		return a->nvals == 1 ? glob_atom(a->vals[0].s) : pfr_true(false);
	case OP_CONTAINS: /* a longer substring holds its first VGL_PF_SUB_MAX bytes */
		if (a->nvals != 1 || a->vals[0].len < 2 ||
		    memchr(a->vals[0].s, '\0', a->vals[0].len))
			return pfr_true(false);
		r.exact = a->vals[0].len <= VGL_PF_SUB_MAX;
		pfr_add_atom(&r, VGL_PF_CONTAINS, a->vals[0].s,
			     r.exact ? a->vals[0].len : VGL_PF_SUB_MAX);
		return r;
	default:
		return pfr_true(false);
	}
	for (size_t i = 0; i < a->nvals; i++)
		pfr_add_atom(&r, t, a->vals[i].s, a->vals[i].len);
	return r;
}

/*
 * fd.directory = D: the path up to its last "/" is "D/" ("/" for the root;
 * a "/" ending D is dropped, as no directory of a path ends with it);
 * fd.filename = F: fd.name ends with "/F".
 */
static struct pfr dir_or_base_atoms(const struct ast *a, bool dir)
{
	struct pfr r = { .exact = false };
	char buf[VGL_PF_PATH + 2];

	if (a->op == OP_ENDSWITH && !dir)
		return name_atoms(a);
	if (a->op == OP_STARTSWITH && dir)
		return name_atoms(a);
	if (a->op != OP_EQ && a->op != OP_IN)
		return pfr_true(false);
	for (size_t i = 0; i < a->nvals; i++) {
		const struct ast_val *v = &a->vals[i];
		size_t n = v->len;

		if (dir) {
			while (n > 1 && v->s[n - 1] == '/')
				n--;
			snprintf(buf, sizeof(buf), "%.*s%s",
				 (int)(n < VGL_PF_PATH ? n : VGL_PF_PATH), v->s,
				 n == 1 && v->s[0] == '/' ? "" : "/");
		} else {
			snprintf(buf, sizeof(buf), "/%.*s",
				 (int)(n < VGL_PF_PATH ? n : VGL_PF_PATH), v->s);
		}
		/* a directory too long for a key is the prefix it starts */
		pfr_add_atom(&r,
			     !dir			 ? VGL_PF_SUFFIX
			     : strlen(buf) < VGL_PF_PATH ? VGL_PF_DIR
							 : VGL_PF_PREFIX,
			     buf, strlen(buf));
	}
	return r;
}

/* The requested name: exact names and prefixes; holding "../": the DOTDOT bit. */
static struct pfr nameraw(const struct ast *a)
{
	struct pfr r = { .exact = true };

	if (a->op == OP_EQ || a->op == OP_IN || a->op == OP_STARTSWITH) {
		for (size_t i = 0; i < a->nvals; i++)
			pfr_add_atom(
				&r, a->op == OP_STARTSWITH ? VGL_PF_NAME_PREFIX : VGL_PF_NAME_EXACT,
				a->vals[i].s, a->vals[i].len);
		return r;
	}
	if (a->nvals != 1 || !strstr(a->vals[0].s, "../"))
		return pfr_true(false);
	if (a->op == OP_CONTAINS)
		return pfr_mask(pf_mask_bit(VGL_PFB_DOTDOT, true), !strcmp(a->vals[0].s, "../"));
	if (a->op == OP_GLOB && !strpbrk(a->vals[0].s, "[\\")) /* a glob over "../" needs it */
		return pfr_mask(pf_mask_bit(VGL_PFB_DOTDOT, true), false);
	return pfr_true(false);
}

/* fd.typechar of an open: 'd' with O_DIRECTORY, else 'f'. */
static struct pfr typechar(const struct ast *a)
{
	struct vgl_pf_mask m = { { 0, 0 } };

	if (a->op != OP_EQ && a->op != OP_NE && a->op != OP_IN)
		return pfr_true(false);
	for (size_t i = 0; i < a->nvals; i++) {
		if (!strcmp(a->vals[i].s, "d"))
			m = pf_mask_or(m, pf_mask_bit(VGL_PFB_DIR, true));
		else if (!strcmp(a->vals[i].s, "f"))
			m = pf_mask_or(m, pf_mask_bit(VGL_PFB_DIR, false));
	}
	if (a->op == OP_NE)
		m = (struct vgl_pf_mask){ { ~m.w[0], ~m.w[1] } };
	return pfr_mask(m, true);
}

/* evt.arg.flags contains O_CREAT / O_DIRECTORY. */
static struct pfr open_flags(const struct ast *a)
{
	if (a->op != OP_CONTAINS || a->nvals != 1)
		return pfr_true(false);
	if (!strcmp(a->vals[0].s, "O_CREAT"))
		return pfr_mask(pf_mask_bit(VGL_PFB_CREATE, true), true);
	if (!strcmp(a->vals[0].s, "O_DIRECTORY"))
		return pfr_mask(pf_mask_bit(VGL_PFB_DIR, true), true);
	return pfr_true(false);
}

/*
 * proc.name = / in: the comm, which the kernel ends with a NUL within
 * VGL_COMM_LEN bytes; a longer name never equals it.
 */
struct pfr pf_proc_name(const struct ast *a)
{
	struct pfr r = { .exact = true };

	if (a->op != OP_EQ && a->op != OP_IN)
		return pfr_true(false);
	for (size_t i = 0; i < a->nvals; i++)
		if (a->vals[i].len < VGL_COMM_LEN && !memchr(a->vals[i].s, '\0', a->vals[i].len))
			pfr_add_comm(&r, a->vals[i].s, a->vals[i].len);
	return r;
}

struct pfr pf_cmp(const struct ast *a, enum vgl_kind kind)
{
	static const char *const bits[] = { "evt.is_open_read", "evt.is_open_write",
					    "evt.is_open_create", "evt.is_open_exec" };
	static const unsigned int bitno[] = { VGL_PFB_READ, VGL_PFB_WRITE, VGL_PFB_CREATE,
					      VGL_PFB_EXEC };
	const char *f = a->field;

	if (kind == VGL_EV_CONNECT || kind == VGL_EV_SOCKET)
		return pf_cmp_net(a, kind);
	if (!strcmp(f, "evt.type"))
		return pf_evt_type(a, kind);
	for (size_t i = 0; i < sizeof(bits) / sizeof(bits[0]); i++)
		if (!strcmp(f, bits[i]))
			return bool_bit(a, bitno[i]);
	if (!strcmp(f, "fd.name") && !a->arg)
		return name_atoms(a);
	if (!strcmp(f, "fd.directory") || !strcmp(f, "fd.filename"))
		return dir_or_base_atoms(a, f[3] == 'd');
	if (!strcmp(f, "fd.nameraw") || !strcmp(f, "evt.arg.name") ||
	    (!strcmp(f, "evt.arg") && a->arg && !strcmp(a->arg, "name")))
		return nameraw(a);
	if (!strcmp(f, "fd.typechar"))
		return typechar(a);
	if (!strcmp(f, "proc.name"))
		return pf_proc_name(a);
	if (!strcmp(f, "fd.num") || !strcmp(f, "evt.rawres"))
		return result_cmp(a);
	if (!strcmp(f, "evt.arg.flags") ||
	    (!strcmp(f, "evt.arg") && a->arg && !strcmp(a->arg, "flags")))
		return open_flags(a);
	return pfr_true(false);
}
