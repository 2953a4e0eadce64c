// SPDX-License-Identifier: Apache-2.0
/* Config files of processes, read once per process (cfgfile.h). */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <linux/openat2.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "rules/state.h"
#include "state/cfgfile.h"

struct cfg_slot {
	bool used;
	uint32_t pid;
	int64_t start_ts;
	char path[PATH_MAX];
	int err;
	char *data;
	size_t len;
};

struct vgl_cfgfile_cache {
	char proc_root[PATH_MAX / 2];
	char host_root[PATH_MAX / 2];
	struct cfg_slot slots[VGL_CFGFILE_SLOTS];
	size_t next;
};

struct vgl_cfgfile_cache *vgl_cfgfile_cache_new(const char *proc_root, const char *host_root)
{
	struct vgl_cfgfile_cache *c = calloc(1, sizeof(*c));

	if (!c)
		return NULL;
	snprintf(c->proc_root, sizeof(c->proc_root), "%s", proc_root ?: "/proc");
	snprintf(c->host_root, sizeof(c->host_root), "%s",
		 host_root && strcmp(host_root, "/") ? host_root : "");
	return c;
}

void vgl_cfgfile_cache_free(struct vgl_cfgfile_cache *c)
{
	if (!c)
		return;
	for (size_t i = 0; i < VGL_CFGFILE_SLOTS; i++)
		free(c->slots[i].data);
	free(c);
}

/* @path inside the root @dirfd: symlinks resolved in that root where the kernel can. */
static int open_in(int dirfd, const char *path)
{
	struct open_how how = {
		.flags = O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK,
		.resolve = RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS,
	};
	long fd = syscall(SYS_openat2, dirfd, path + 1, &how, sizeof(how));

	if (fd < 0 && errno == ENOSYS) /* before 5.6 */
		fd = openat(dirfd, path + 1, (int)how.flags);
	return fd < 0 ? -errno : (int)fd;
}

static int open_for(const struct vgl_cfgfile_cache *c, uint32_t pid, const char *path)
{
	char root[PATH_MAX];
	int dirfd, fd;

	snprintf(root, sizeof(root), "%s/%u/root", c->proc_root, pid);
	dirfd = open(root, O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (dirfd < 0) { /* the process is gone: the host's file */
		snprintf(root, sizeof(root), "%s/", c->host_root);
		dirfd = open(root, O_PATH | O_DIRECTORY | O_CLOEXEC);
		if (dirfd < 0)
			return -errno;
	}
	fd = open_in(dirfd, path);
	close(dirfd);
	return fd;
}

static int read_all(int fd, char **ret, size_t *ret_len)
{
	struct stat sb;
	char *buf;
	ssize_t n;
	size_t len = 0;

	if (fstat(fd, &sb))
		return -errno;
	if (!S_ISREG(sb.st_mode))
		return -EINVAL;
	if (sb.st_size > VGL_STATE_CONFIG_FILE_MAX)
		return -EFBIG;
	buf = malloc(VGL_STATE_CONFIG_FILE_MAX + 1);
	if (!buf)
		return -ENOMEM;
	while ((n = read(fd, buf + len, VGL_STATE_CONFIG_FILE_MAX + 1 - len)) > 0 &&
	       len + (size_t)n <= VGL_STATE_CONFIG_FILE_MAX)
		len += (size_t)n;
	if (n != 0) { /* an error, or grew past the limit while read */
		free(buf);
		return n < 0 ? -errno : -EFBIG;
	}
	*ret = buf;
	*ret_len = len;
	return 0;
}

static void load(const struct vgl_cfgfile_cache *c, struct cfg_slot *s)
{
	int fd = open_for(c, s->pid, s->path);

	free(s->data);
	s->data = NULL;
	s->len = 0;
	s->err = fd < 0 ? fd : read_all(fd, &s->data, &s->len);
	if (fd >= 0)
		close(fd);
}

const char *vgl_cfgfile_get(struct vgl_cfgfile_cache *c, uint32_t pid, int64_t start_ts,
			    const char *path, size_t *ret_len, int *ret_err)
{
	struct cfg_slot *s = NULL;
	size_t i;

	*ret_len = 0;
	*ret_err = -EINVAL;
	if (!path || path[0] != '/' || strlen(path) >= PATH_MAX)
		return NULL;
	for (i = 0; i < VGL_CFGFILE_SLOTS && !s; i++) {
		struct cfg_slot *t = &c->slots[i];

		if (t->used && t->pid == pid && t->start_ts == start_ts && !strcmp(t->path, path))
			s = t;
	}
	if (!s) {
		s = &c->slots[c->next];
		c->next = (c->next + 1) % VGL_CFGFILE_SLOTS;
		s->used = true;
		s->pid = pid;
		s->start_ts = start_ts;
		snprintf(s->path, sizeof(s->path), "%s", path);
		load(c, s);
	}
	*ret_err = s->err;
	*ret_len = s->len;
	return s->err ? NULL : s->data;
}
