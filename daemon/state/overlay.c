// SPDX-License-Identifier: Apache-2.0
/*
 * mountinfo lines ("36 35 98:0 /root /mnt opts [tags] - fstype source
 * superopts") -> mount points and overlay upperdirs; upper layer lookups.
 */
#include <errno.h>
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>

#include "state/overlay.h"

/* Copy @n bytes of a mountinfo field, undoing its octal escapes (\040 for ' '). */
static char *unescape(const char *s, size_t n)
{
	char *d = malloc(n + 1), *o = d;
	size_t i;

	if (!d)
		return NULL;
	for (i = 0; i < n; i++) {
		if (s[i] == '\\' && i + 3 < n && s[i + 1] >= '0' && s[i + 1] <= '3' &&
		    s[i + 2] >= '0' && s[i + 2] <= '7' && s[i + 3] >= '0' && s[i + 3] <= '7') {
			*o++ = (char)((s[i + 1] - '0') << 6 | (s[i + 2] - '0') << 3 |
				      (s[i + 3] - '0'));
			i += 3;
		} else {
			*o++ = s[i];
		}
	}
	*o = '\0';
	return d;
}

/* Field @idx (0-based, space-separated) of [@s, @end); false when absent. */
static bool field(const char *s, const char *end, int idx, const char **ret, size_t *ret_len)
{
	const char *p = s, *q;

	for (int i = 0; p < end; i++) {
		q = memchr(p, ' ', (size_t)(end - p));
		q = q ? q : end;
		if (i == idx) {
			*ret = p;
			*ret_len = (size_t)(q - p);
			return q > p;
		}
		p = q + 1;
	}
	return false;
}

/* The mount point and, for an overlay, its upperdir, of one line. */
static int parse_line(const char *s, const char *end, struct vgl_ovl_mount *ret)
{
	const char *mnt, *sep = NULL, *fs, *opts, *up;
	size_t mlen, flen, olen;

	for (const char *p = s; p + 3 <= end && !sep; p++)
		if (!memcmp(p, " - ", 3))
			sep = p;
	if (!sep || !field(s, sep, 4, &mnt, &mlen) || mnt[0] != '/' ||
	    !field(sep + 3, end, 0, &fs, &flen) || !field(sep + 3, end, 2, &opts, &olen))
		return -EINVAL;
	memset(ret, 0, sizeof(*ret));
	ret->mnt = unescape(mnt, mlen);
	if (!ret->mnt)
		return -ENOMEM;
	if (flen != 7 || memcmp(fs, "overlay", 7))
		return 0;
	for (up = opts; up && up < opts + olen; up = memchr(up, ',', (size_t)(opts + olen - up))) {
		if (*up == ',')
			up++;
		if ((size_t)(opts + olen - up) > 9 && !memcmp(up, "upperdir=", 9)) {
			const char *v = up + 9, *ve = memchr(v, ',', (size_t)(opts + olen - v));

			ret->upper = unescape(v, (size_t)((ve ? ve : opts + olen) - v));
			return ret->upper ? 0 : -ENOMEM;
		}
	}
	return 0; /* an overlay without an upper layer (read-only): nothing is "upper" */
}

void vgl_ovl_mounts_clear(struct vgl_ovl_mounts *m)
{
	for (size_t i = 0; m && i < m->n; i++) {
		free(m->m[i].mnt);
		free(m->m[i].upper);
	}
	if (m) {
		free(m->m);
		memset(m, 0, sizeof(*m));
	}
}

int vgl_ovl_parse_mountinfo(const char *text, size_t len, struct vgl_ovl_mounts *ret)
{
	struct vgl_ovl_mounts m = { calloc(VGL_OVL_MOUNTS_MAX, sizeof(*m.m)), 0 };
	const char *p = text, *end = text + len, *nl;
	int rc = 0, lines = 0;

	if (!m.m)
		return -ENOMEM;
	for (; p < end && m.n < VGL_OVL_MOUNTS_MAX && lines++ < VGL_OVL_MOUNTINFO_LINES;
	     p = nl + 1) {
		nl = memchr(p, '\n', (size_t)(end - p));
		nl = nl ? nl : end;
		rc = parse_line(p, nl, &m.m[m.n]);
		if (rc == -ENOMEM)
			break;
		if (rc == 0)
			m.n++;
		rc = 0;
	}
	if (!rc && !m.n)
		rc = -EINVAL;
	if (rc) {
		vgl_ovl_mounts_clear(&m);
		return rc;
	}
	*ret = m;
	return 0;
}

/* Does mount point @mnt hold @path (a prefix ending at a component boundary)? */
static size_t holds(const char *mnt, const char *path)
{
	size_t n = strlen(mnt);

	if (n == 1 && mnt[0] == '/')
		return 1;
	return !strncmp(mnt, path, n) && (path[n] == '/' || path[n] == '\0') ? n : 0;
}

int vgl_ovl_in_upper(const struct vgl_ovl_mounts *m, const char *host_root, const char *path)
{
	const struct vgl_ovl_mount *best = NULL;
	size_t best_len = 0, n;
	char full[PATH_MAX];
	struct stat st;

	if (!path || path[0] != '/')
		return -1;
	for (size_t i = 0; i < m->n; i++) { /* the last of the longest: mounted on top */
		n = holds(m->m[i].mnt, path);
		if (n && n >= best_len) {
			best = &m->m[i];
			best_len = n;
		}
	}
	if (!best)
		return -1;
	if (!best->upper)
		return 0;
	if (snprintf(full, sizeof(full), "%s%s%s", host_root ?: "", best->upper,
		     path + (best_len > 1 ? best_len : 0)) >= (int)sizeof(full))
		return -1;
	if (lstat(full, &st))
		return errno == ENOENT || errno == ENOTDIR ? 0 : -1;
	/* a whiteout (0:0 character device) hides the lower file: not there */
	return S_ISCHR(st.st_mode) && st.st_rdev == makedev(0, 0) ? 0 : 1;
}
