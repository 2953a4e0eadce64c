// SPDX-License-Identifier: Apache-2.0
/*
 * type: file — alerts appended to a file, one line each (text or JSON).
 * SIGUSR1 reopens it (after logrotate moved it away); with max_size set,
 * vigil rotates it itself: PATH -> PATH.1 -> ... -> PATH.<keep>.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "output/sinks.h"

#define BUF_SIZE (VGL_ALERT_JSON_MAX + 64)
#define KEEP_MAX 1000

struct file_sink {
	char *path;
	uint64_t max_size; /* 0: never rotate */
	uint64_t keep;
	int fd; /* -1: open on the next write */
	uint64_t size;
	char *buf;
	size_t len;
};

static const char *const file_keys[] = { "path", "max_size", "keep", NULL };

static void file_close(void *priv)
{
	struct file_sink *f = priv;

	if (!f)
		return;
	if (f->fd >= 0)
		close(f->fd);
	free(f->path);
	free(f->buf);
	free(f);
}

static int file_configure(struct vgl_cfg_ctx *c, const struct ynode *map,
			  struct vgl_sink_conf *conf, void **ret_priv)
{
	struct file_sink *f = calloc(1, sizeof(*f));
	int err = 0;

	if (!f || !(f->buf = malloc(BUF_SIZE))) {
		free(f);
		return -ENOMEM;
	}
	f->fd = -1;
	f->keep = 5;
	if (vgl_cfg_str(c, map, "path", &f->path) == 0)
		vgl_cfg_error(c, map, "path", "missing: the file to write alerts to");
	if (f->path && f->path[0] != '/') {
		vgl_cfg_error(c, ynode_get(map, "path"), "path", "'%s' is not an absolute path",
			      f->path);
		err = -EINVAL;
	}
	err |= vgl_cfg_size(c, map, "max_size", 4096, 1ull << 50, &f->max_size) < 0;
	err |= vgl_cfg_uint(c, map, "keep", 1, KEEP_MAX, &f->keep) < 0;
	if (err || !f->path) {
		file_close(f);
		return -EINVAL;
	}
	*ret_priv = f;
	return 0;
}

static int file_open(struct file_sink *f)
{
	struct stat st;

	f->fd = open(f->path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0640);
	if (f->fd < 0)
		return -errno;
	f->size = fstat(f->fd, &st) ? 0 : (uint64_t)st.st_size;
	return 0;
}

static int file_check(void *priv, char *err, size_t errlen)
{
	struct file_sink *f = priv;
	int ret = file_open(f);

	if (ret)
		snprintf(err, errlen, "cannot open %s: %s", f->path, strerror(-ret));
	return ret;
}

/* PATH.<keep-1> -> PATH.<keep>, ..., PATH -> PATH.1, then a new PATH. */
static int rotate(struct file_sink *f)
{
	size_t n = strlen(f->path) + 24;
	char *from = malloc(n), *to = malloc(n);
	int ret = -ENOMEM;

	if (from && to) {
		for (uint64_t i = f->keep; i > 1; i--) {
			snprintf(from, n, "%s.%llu", f->path, (unsigned long long)(i - 1));
			snprintf(to, n, "%s.%llu", f->path, (unsigned long long)i);
			rename(from, to); /* missing ones are fine */
		}
		snprintf(to, n, "%s.1", f->path);
		close(f->fd);
		f->fd = -1;
		ret = rename(f->path, to) && errno != ENOENT ? -errno : 0;
		if (!ret)
			ret = file_open(f);
	}
	free(from);
	free(to);
	return ret;
}

static int write_buf(struct file_sink *f)
{
	size_t off = 0;

	while (off < f->len) {
		ssize_t k = write(f->fd, f->buf + off, f->len - off);

		if (k < 0 && errno == EINTR)
			continue;
		if (k <= 0) {
			int err = k < 0 ? -errno : -EIO;

			/* keep every line whole: cut what part of this one went out */
			if (off && ftruncate(f->fd, (off_t)f->size))
				err = -EIO;
			return err;
		}
		off += (size_t)k;
	}
	f->size += f->len;
	f->len = 0;
	return 0;
}

static int write_one(struct file_sink *f, const struct vgl_alert *a, enum vgl_alert_format fmt)
{
	int err;

	f->len = vgl_alert_line(a, fmt, f->buf, BUF_SIZE);
	if (f->max_size && f->size && f->size + f->len > f->max_size) {
		err = rotate(f);
		if (err)
			return err;
	}
	return write_buf(f);
}

static void file_deliver(void *priv, struct vgl_sink *s, struct vgl_alert *const *alerts, size_t n,
			 struct vgl_deliver_result *r)
{
	struct file_sink *f = priv;
	enum vgl_alert_format fmt = vgl_sink_conf(s)->format;
	int err = f->fd < 0 ? file_open(f) : 0;

	for (size_t i = 0; !err && i < n; i++)
		err = write_one(f, alerts[i], fmt);
	if (!err) {
		r->status = VGL_DELIVER_OK;
		return;
	}
	/* a full disk or a removed directory may come back: retry */
	r->status = VGL_DELIVER_RETRY;
	snprintf(r->error, sizeof(r->error), "writing %s: %s", f->path, strerror(-err));
	if (f->fd >= 0)
		close(f->fd);
	f->fd = -1;
}

static void file_reopen(void *priv)
{
	struct file_sink *f = priv;

	if (f->fd >= 0)
		close(f->fd);
	f->fd = -1;
	/* at once, as logrotate's postrotate expects; if it fails, the next write retries */
	file_open(f);
}

static const char *file_describe(void *priv)
{
	return ((struct file_sink *)priv)->path;
}

const struct vgl_sink_ops vgl_sink_file_ops = {
	.type = "file",
	.keys = file_keys,
	.configure = file_configure,
	.check = file_check,
	.deliver = file_deliver,
	.reopen = file_reopen,
	.close = file_close,
	.describe = file_describe,
};
