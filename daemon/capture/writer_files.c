// SPDX-License-Identifier: Apache-2.0
/*
 * The capture writer's files: names in a rotated series ("cap.vgc" ->
 * "cap.000000.vgc"), creation with the header, and retention. A writer
 * started where a series already exists continues after its highest number,
 * so a restart never overwrites an earlier capture, and counts those files
 * against max_files / max_total_bytes, so restarts do not grow the disk use.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "capture/format_int.h"
#include "capture/writer_int.h"

#define SEQ_DIGITS_MAX 10 /* a u32 */

/* Where the extension of @path begins (its end if none): "a/cap.vgc" -> ".vgc". */
static const char *ext_of(const char *path)
{
	const char *base = strrchr(path, '/');
	const char *dot;

	base = base ? base + 1 : path;
	dot = strrchr(base, '.');
	return dot && dot != base ? dot : path + strlen(path);
}

int capw_name(const struct vgl_capwriter *w, uint32_t seq, char *buf, size_t len)
{
	const char *ext = ext_of(w->path);
	int n;

	if (!w->rotate)
		n = snprintf(buf, len, "%s", w->path);
	else
		n = snprintf(buf, len, "%.*s.%06u%s", (int)(ext - w->path), w->path, seq, ext);
	return n < 0 || (size_t)n >= len ? -ENAMETOOLONG : 0;
}

static int files_add(struct vgl_capwriter *w, uint32_t seq, uint64_t bytes)
{
	if (w->nfiles == w->files_cap && w->files_first) {
		memmove(w->files, w->files + w->files_first,
			(w->nfiles - w->files_first) * sizeof(*w->files));
		w->nfiles -= w->files_first;
		w->files_first = 0;
	}
	if (w->nfiles == w->files_cap) {
		size_t cap = w->files_cap ? 2 * w->files_cap : 16;
		struct capw_file *f = realloc(w->files, cap * sizeof(*f));

		if (!f)
			return -ENOMEM;
		w->files = f;
		w->files_cap = cap;
	}
	w->files[w->nfiles++] = (struct capw_file){ .seq = seq, .bytes = bytes };
	w->total_bytes += bytes;
	return 0;
}

void capw_files_free(struct vgl_capwriter *w)
{
	free(w->files);
	w->files = NULL;
	w->files_first = w->nfiles = w->files_cap = 0;
}

/* The sequence number in @name if it is a file of the series ("stem.NNNNNN.ext"). */
static bool series_seq(const char *name, const char *stem, size_t stem_len, const char *ext,
		       uint32_t *ret)
{
	size_t digits = 0;
	unsigned long long seq = 0;
	const char *p;

	if (strncmp(name, stem, stem_len) || name[stem_len] != '.')
		return false;
	for (p = name + stem_len + 1; *p >= '0' && *p <= '9'; p++, digits++)
		if (digits < SEQ_DIGITS_MAX)
			seq = seq * 10 + (unsigned long long)(*p - '0');
	if (digits < 6 || digits > SEQ_DIGITS_MAX || seq >= UINT32_MAX || strcmp(p, ext))
		return false;
	*ret = (uint32_t)seq;
	return true;
}

static int cmp_seq(const void *a, const void *b)
{
	const struct capw_file *x = a, *y = b;

	return x->seq < y->seq ? -1 : x->seq > y->seq;
}

int capw_scan(struct vgl_capwriter *w, uint32_t *ret_next, char *err, size_t errlen)
{
	const char *slash = strrchr(w->path, '/');
	const char *stem = slash ? slash + 1 : w->path, *ext = ext_of(w->path);
	char dir[PATH_MAX];
	struct dirent *d;
	uint32_t next = 0;
	DIR *dp;

	snprintf(dir, sizeof(dir), "%.*s", slash ? (int)(slash - w->path) + 1 : 1,
		 slash ? w->path : ".");
	dp = opendir(dir);
	if (!dp) {
		*ret_next = 0; /* creating the file will say what is wrong */
		return 0;
	}
	while ((d = readdir(dp))) {
		struct stat st;
		uint32_t seq;

		if (!series_seq(d->d_name, stem, (size_t)(ext - stem), ext, &seq) ||
		    fstatat(dirfd(dp), d->d_name, &st, AT_SYMLINK_NOFOLLOW) || !S_ISREG(st.st_mode))
			continue;
		if (files_add(w, seq, (uint64_t)st.st_size)) {
			closedir(dp);
			snprintf(err, errlen, "capture %s: out of memory", w->path);
			return -ENOMEM;
		}
		if (seq + 1 > next)
			next = seq + 1;
	}
	closedir(dp);
	if (w->nfiles)
		qsort(w->files, w->nfiles, sizeof(*w->files), cmp_seq);
	*ret_next = next;
	return 0;
}

/* Remove the oldest files beyond the limits; never the one being written. */
static void retention(struct vgl_capwriter *w)
{
	char path[PATH_MAX];

	while (w->nfiles - w->files_first > 1 &&
	       ((w->max_files && w->nfiles - w->files_first > w->max_files) ||
		(w->max_total_bytes && w->total_bytes > w->max_total_bytes))) {
		struct capw_file *f = &w->files[w->files_first++];

		w->total_bytes -= f->bytes;
		if (!capw_name(w, f->seq, path, sizeof(path)) && (!unlink(path) || errno == ENOENT))
			capw_add(&w->st.files_removed, 1);
	}
}

void capw_file_grew(struct vgl_capwriter *w, uint64_t n)
{
	w->fbytes += n;
	atomic_store(&w->pub_bytes, w->fbytes);
	capw_add(&w->st.file_bytes, n);
	if (!w->rotate || w->nfiles == w->files_first || w->files[w->nfiles - 1].seq != w->fseq)
		return; /* the file escaped retention (out of memory) */
	w->files[w->nfiles - 1].bytes += n;
	w->total_bytes += n;
	retention(w);
}

/* Create @w->fpath and write its header; -errno with @err set, fd -1. */
static int create(struct vgl_capwriter *w, uint32_t seq, int64_t created_ns, char *err,
		  size_t errlen)
{
	struct vgl_cap_info info = w->info;
	uint8_t hdr[2048];
	size_t n;
	int fd, ret;

	info.format_version = VGL_CAP_VERSION;
	info.seq = seq;
	info.created_ns = created_ns;
	n = vgl_cap_hdr_encode(&info, hdr, sizeof(hdr));
	fd = open(w->fpath, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	if (fd < 0) {
		ret = -errno;
		snprintf(err, errlen, "capture %s: cannot create: %s", w->fpath, strerror(errno));
		return ret;
	}
	/* an existing file keeps its mode on O_TRUNC: a capture is for root's eyes */
	(void)!fchmod(fd, 0600);
	while ((ret = (int)pwrite(fd, hdr, n, 0)) < 0 && errno == EINTR)
		;
	if (ret != (int)n) {
		ret = ret < 0 ? -errno : -EIO;
		snprintf(err, errlen, "capture %s: cannot write: %s", w->fpath, strerror(-ret));
		close(fd);
		return ret;
	}
	w->fd = fd;
	w->fbytes = 0;
	capw_add(&w->st.files, 1);
	atomic_store(&w->pub_bytes, 0);
	atomic_store(&w->pub_seq, seq);
	return (int)n;
}

int capw_file_open(struct vgl_capwriter *w, uint32_t seq, int64_t created_ns, char *err,
		   size_t errlen)
{
	char dummy[1];
	int n;

	if (!err) {
		err = dummy;
		errlen = sizeof(dummy);
	}
	w->fd = -1;
	w->fseq = seq;
	w->fcreated_ns = created_ns;
	if (capw_name(w, seq, w->fpath, sizeof(w->fpath))) {
		snprintf(err, errlen, "capture %s: file name too long", w->path);
		return -ENAMETOOLONG;
	}
	n = create(w, seq, created_ns, err, errlen);
	if (n < 0)
		return n;
	if (w->rotate && (w->nfiles == w->files_first || w->files[w->nfiles - 1].seq != seq))
		files_add(w, seq, 0);
	capw_file_grew(w, (uint64_t)n);
	return 0;
}

void capw_file_close(struct vgl_capwriter *w)
{
	if (w->fd < 0)
		return;
	/* a rotated file is complete: make it durable before it counts as such */
	(void)!fdatasync(w->fd);
	close(w->fd);
	w->fd = -1;
}
