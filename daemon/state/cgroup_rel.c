// SPDX-License-Identifier: Apache-2.0
#define _GNU_SOURCE /* memmem */
/* Relative cgroup paths (a private cgroup namespace's view) made absolute: see cgroup_rel.h. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "state/cgroup.h"
#include "state/cgroup_rel.h"

#define CTRL_MAX 256 /* one line's controller field */
#define ROOT_MAX 512 /* a namespace root's absolute path, at most */

size_t vgl_cgroup_ups(const char *path, size_t len)
{
	size_t n = 0, i = 0;

	while (i + 3 <= len && !memcmp(path + i, "/..", 3) &&
	       (i + 3 == len || path[i + 3] == '/')) {
		n++;
		i += 3;
	}
	return n;
}

/* Append component @s (@n bytes) to the absolute path in @ret (*@used bytes). */
static int push(char *ret, size_t size, size_t *used, const char *s, size_t n)
{
	if (*used + 1 + n + 1 > size)
		return -ENAMETOOLONG;
	ret[(*used)++] = '/';
	memcpy(ret + *used, s, n);
	*used += n;
	ret[*used] = '\0';
	return 0;
}

/* Drop the last component of the absolute path in @ret; -ERANGE at the root. */
static int pop(char *ret, size_t *used)
{
	char *slash;

	if (!*used)
		return -ERANGE;
	ret[*used] = '\0';
	slash = strrchr(ret, '/');
	*used = (size_t)(slash - ret);
	ret[*used] = '\0';
	return 0;
}

/* Walk the components of @s (@len bytes) onto @ret. */
static int walk(char *ret, size_t size, size_t *used, const char *s, size_t len)
{
	size_t i = 0, start;
	int rc = 0;

	while (i < len && !rc) {
		while (i < len && s[i] == '/')
			i++;
		start = i;
		while (i < len && s[i] != '/')
			i++;
		if (i == start || (i - start == 1 && s[start] == '.'))
			continue;
		if (i - start == 2 && !memcmp(s + start, "..", 2))
			rc = pop(ret, used);
		else
			rc = push(ret, size, used, s + start, i - start);
	}
	return rc;
}

int vgl_cgroup_rebase(const char *root, const char *path, size_t len, char *ret, size_t size)
{
	size_t used = 0;
	int rc;

	if (!size)
		return -ENAMETOOLONG;
	ret[0] = '\0';
	if (root[0] != '/' || !len || path[0] != '/')
		return -EINVAL;
	rc = walk(ret, size, &used, root, strlen(root));
	if (!rc)
		rc = walk(ret, size, &used, path, len);
	if (rc) {
		ret[0] = '\0';
		return rc;
	}
	if (!used)
		snprintf(ret, size, "/");
	return 0;
}

/*
 * One line "ID:controllers:path" onto @out at *@used, rebased when relative:
 * the rebased path is at most ROOT_MAX bytes longer than the relative one.
 */
static void rebase_line(const char *s, size_t len, vgl_cgroup_root_fn root_of, void *ctx, char *out,
			size_t *used)
{
	const char *a = memchr(s, ':', len), *b = NULL, *root;
	char ctrl[CTRL_MAX], abs[VGL_CGROUP_PATH_MAX + 1];
	size_t plen;

	if (a)
		b = memchr(a + 1, ':', len - (size_t)(a + 1 - s));
	if (!b || (size_t)(b - a - 1) >= sizeof(ctrl))
		goto out_copy;
	plen = len - (size_t)(b + 1 - s);
	if (!vgl_cgroup_ups(b + 1, plen))
		goto out_copy;
	snprintf(ctrl, sizeof(ctrl), "%.*s", (int)(b - a - 1), a + 1);
	root = root_of(ctx, ctrl);
	if (!root || strlen(root) >= ROOT_MAX ||
	    vgl_cgroup_rebase(root, b + 1, plen, abs, sizeof(abs)))
		goto out_copy;
	*used += (size_t)sprintf(out + *used, "%.*s%s", (int)(b + 1 - s), s, abs);
	return;

out_copy:
	memcpy(out + *used, s, len);
	*used += len;
}

int vgl_cgroup_rebase_file(const char *text, size_t len, vgl_cgroup_root_fn root_of, void *ctx,
			   char **ret, size_t *ret_len)
{
	const char *end = text + len, *nl;
	size_t rel = 0, used = 0;
	char *out;

	for (nl = text; (nl = memmem(nl, (size_t)(end - nl), ":/..", 4)); nl++)
		rel++; /* every line that may be rebased has one */
	out = malloc(len + rel * ROOT_MAX + 1);
	if (!out)
		return -ENOMEM;
	for (; text < end; text = nl + 1) {
		nl = memchr(text, '\n', (size_t)(end - text));
		rebase_line(text, (size_t)((nl ? nl : end) - text), root_of, ctx, out, &used);
		if (!nl)
			break;
		out[used++] = '\n';
	}
	out[used] = '\0';
	*ret = out;
	*ret_len = used;
	return 0;
}
