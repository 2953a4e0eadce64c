// SPDX-License-Identifier: Apache-2.0
/*
 * vigil in its own cgroup namespace: where that namespace's root is in each
 * cgroup hierarchy, so that the relative paths /proc/PID/cgroup then shows
 * ("/../<id>") can be made absolute (cgroup_rel.h).
 *
 * Nothing in the namespace tells its root's absolute path (hiding it is the
 * namespace's point), but a mount of the hierarchy's root does: the host's
 * cgroup fs mounted into vigil's container (the DaemonSet's /host/sys/fs/cgroup,
 * or /sys/fs/cgroup itself when vigil only unshared the namespace). Its root
 * reads "/.." k times in mountinfo, k the depth of vigil's namespace root;
 * the directory k levels down whose cgroup.procs lists vigil is that root.
 * Found once per hierarchy, at the first relative path, by a bounded walk.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "state/cgroup_rel.h"
#include "state/containers_int.h"

#define WALK_MAX  20000 /* directories visited to find one namespace root, at most */
#define LINE_MAX_ 4096	/* one mountinfo line */

/* Undo mountinfo's octal escapes ("\040" for a space) in place. */
static void unescape(char *s)
{
	char *o = s;

	for (; *s; s++) {
		if (s[0] == '\\' && s[1] >= '0' && s[1] <= '3' && s[2] >= '0' && s[2] <= '7' &&
		    s[3] >= '0' && s[3] <= '7') {
			*o++ = (char)((s[1] - '0') * 64 + (s[2] - '0') * 8 + (s[3] - '0'));
			s += 3;
		} else {
			*o++ = *s;
		}
	}
	*o = '\0';
}

/* Does the comma list @opts hold every item of the comma list @want? */
static bool has_all(const char *opts, const char *want)
{
	char w[256], *item, *save;
	char o[1024 + 3]; /* ",OPTS," of mountinfo's options (< 1024) */

	snprintf(o, sizeof(o), ",%s,", opts);
	snprintf(w, sizeof(w), "%s", want);
	for (item = strtok_r(w, ",", &save); item; item = strtok_r(NULL, ",", &save)) {
		char needle[260];

		snprintf(needle, sizeof(needle), ",%s,", item);
		if (!strstr(o, needle))
			return false;
	}
	return true;
}

/*
 * The mount of hierarchy @ctrl ("" the v2 one) whose root is highest: its
 * mount point into @mnt and how many levels above vigil's namespace root its
 * root is into *@ret_ups. -ENOENT when there is none.
 */
int ctr_cgroup_mount(struct vgl_ctr_cache *c, const char *ctrl, char *mnt, size_t size,
		     size_t *ret_ups)
{
	char path[PATH_MAX], line[LINE_MAX_], root[LINE_MAX_], point[LINE_MAX_], fs[64], opts[1024];
	long best = -1;
	FILE *f;

	snprintf(path, sizeof(path), "%s/self/mountinfo", c->proc_root);
	f = fopen(path, "re");
	if (!f)
		return -errno;
	while (fgets(line, sizeof(line), f)) {
		const char *sep = strstr(line, " - ");
		size_t ups;

		if (!sep || sscanf(sep, " - %63s %*s %1023s", fs, opts) != 2 ||
		    strcmp(fs, ctrl[0] ? "cgroup" : "cgroup2") ||
		    (ctrl[0] && !has_all(opts, ctrl)) ||
		    sscanf(line, "%*s %*s %*s %4095s %4095s", root, point) != 2)
			continue;
		unescape(root);
		ups = vgl_cgroup_ups(root, strlen(root));
		/* only a mount of an ancestor of (or of) vigil's namespace root will do */
		if (strlen(root) != ups * 3 && strcmp(root, "/"))
			continue;
		if ((long)ups > best) {
			best = (long)ups;
			unescape(point);
			snprintf(mnt, size, "%s", point);
		}
	}
	fclose(f);
	if (best < 0)
		return -ENOENT;
	*ret_ups = (size_t)best;
	return 0;
}

/* Does the cgroup.procs file at @path list @pid? */
static bool lists_pid(const char *path, pid_t pid)
{
	char *buf, *p, *end;
	bool found = false;
	size_t len;

	if (vgl_read_file(path, 1 << 20, &buf, &len))
		return false;
	for (p = buf; *p && !found; p = end) {
		long v = strtol(p, &end, 10);

		if (end == p)
			break;
		found = v == pid;
	}
	free(buf);
	return found;
}

struct walk {
	const char *mnt;  /* the hierarchy root's mount point */
	const char *self; /* vigil's cgroup below its namespace root ("/" there) */
	size_t depth;	  /* of the namespace root */
	size_t visits;
	char rel[PATH_MAX]; /* the directory visited, below mnt */
};

/* Is w->rel, at w->depth, vigil's namespace root? Else look below it. */
static bool walk_find(struct walk *w, size_t depth)
{
	char path[PATH_MAX * 2];
	size_t len = strlen(w->rel);
	struct dirent *d;
	bool found = false;
	DIR *dir;

	if (depth == w->depth) {
		snprintf(path, sizeof(path), "%s%s%s/cgroup.procs", w->mnt, w->rel,
			 strcmp(w->self, "/") ? w->self : "");
		return lists_pid(path, getpid());
	}
	snprintf(path, sizeof(path), "%s%s", w->mnt, w->rel);
	dir = opendir(path);
	if (!dir)
		return false;
	while (!found && (d = readdir(dir)) && ++w->visits < WALK_MAX) {
		if (d->d_type != DT_DIR || d->d_name[0] == '.' ||
		    len + 1 + strlen(d->d_name) >= sizeof(w->rel))
			continue;
		snprintf(w->rel + len, sizeof(w->rel) - len, "/%s", d->d_name);
		found = walk_find(w, depth + 1);
		if (!found)
			w->rel[len] = '\0';
	}
	closedir(dir);
	return found;
}

/* vigil's own path in hierarchy @ctrl, as /proc/self/cgroup shows it ("/" at its ns root). */
static int self_path(struct vgl_ctr_cache *c, const char *ctrl, char *ret, size_t size)
{
	char path[PATH_MAX], *buf, *line, *save;
	size_t len, n = strlen(ctrl);
	int rc = -ENOENT;

	snprintf(path, sizeof(path), "%s/self/cgroup", c->proc_root);
	if (vgl_read_file(path, VGL_CGROUP_FILE_MAX, &buf, &len))
		return -ENOENT;
	for (line = strtok_r(buf, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		char *a = strchr(line, ':');

		if (a && !strncmp(a + 1, ctrl, n) && a[1 + n] == ':' && a[2 + n] == '/') {
			snprintf(ret, size, "%s", a + 2 + n);
			rc = 0;
			break;
		}
	}
	free(buf);
	return rc;
}

/* Find the namespace root of hierarchy @ctrl into @h; false when it cannot be. */
static bool find_root(struct vgl_ctr_cache *c, const char *ctrl, struct ctr_cgns_root *h)
{
	char mnt[PATH_MAX], self[512];
	struct walk w = { 0 };
	size_t ups;

	if (self_path(c, ctrl, self, sizeof(self)) || vgl_cgroup_ups(self, strlen(self)) ||
	    ctr_cgroup_mount(c, ctrl, mnt, sizeof(mnt), &ups) || !ups)
		return false;
	w.mnt = mnt;
	w.self = self;
	w.depth = ups;
	if (!walk_find(&w, 0) || strlen(w.rel) >= sizeof(h->root))
		return false;
	memcpy(h->root, w.rel, strlen(w.rel) + 1);
	return true;
}

const char *ctr_cgns_known(const struct vgl_ctr_cache *c, const char *ctrl)
{
	for (size_t i = 0; i < c->cgns.n; i++) {
		if (!strcmp(c->cgns.h[i].ctrl, ctrl))
			return c->cgns.h[i].known ? c->cgns.h[i].root : NULL;
	}
	return NULL;
}

const char *ctr_cgns_root(void *ctx, const char *ctrl)
{
	struct vgl_ctr_cache *c = ctx;
	struct ctr_cgns *ns = &c->cgns;
	struct ctr_cgns_root *h;
	size_t i;

	for (i = 0; i < ns->n; i++) {
		if (!strcmp(ns->h[i].ctrl, ctrl))
			return ns->h[i].known ? ns->h[i].root : NULL;
	}
	if (ns->n == CTR_CGNS_MAX || strlen(ctrl) >= sizeof(h->ctrl))
		return NULL;
	h = &ns->h[ns->n++];
	snprintf(h->ctrl, sizeof(h->ctrl), "%s", ctrl);
	h->known = find_root(c, ctrl, h);
	if (!h->known)
		c->stats.cgns_unknown++;
	return h->known ? h->root : NULL;
}

const char *ctr_cgroup2_mount(struct vgl_ctr_cache *c)
{
	size_t ups;

	if (c->cg2_probed)
		return c->cg2_mount;
	c->cg2_probed = true;
	if (ctr_cgroup_mount(c, "", c->cg2_mount, sizeof(c->cg2_mount), &ups))
		c->cg2_mount[0] = '\0';
	return c->cg2_mount;
}
