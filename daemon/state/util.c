// SPDX-License-Identifier: Apache-2.0
/* Bounded file reads and reference counted strings for the state tracker. */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "state/util.h"

/* Read at most @max bytes from @fd; one byte more means the file is too big. */
static int read_all(int fd, size_t max, char **ret_buf, size_t *ret_len)
{
	size_t cap = max < 4096 ? max + 1 : 4096, len = 0;
	char *buf = malloc(cap + 1), *nbuf;
	ssize_t n;

	if (!buf)
		return -ENOMEM;
	for (;;) {
		if (len == cap) {
			if (cap > max)
				break;
			cap = cap * 2 > max + 1 ? max + 1 : cap * 2;
			nbuf = realloc(buf, cap + 1);
			if (!nbuf) {
				free(buf);
				return -ENOMEM;
			}
			buf = nbuf;
		}
		n = read(fd, buf + len, cap - len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			n = -errno;
			free(buf);
			return (int)n;
		}
		if (n == 0)
			break;
		len += (size_t)n;
	}
	if (len > max) {
		free(buf);
		return -EFBIG;
	}
	buf[len] = '\0';
	*ret_buf = buf;
	*ret_len = len;
	return 0;
}

int vgl_read_fileat(int dirfd, const char *path, size_t max, char **ret_buf, size_t *ret_len)
{
	int fd = openat(dirfd, path, O_RDONLY | O_CLOEXEC | O_NOCTTY), err;

	if (fd < 0)
		return -errno;
	err = read_all(fd, max, ret_buf, ret_len);
	close(fd);
	return err;
}

int vgl_read_file(const char *path, size_t max, char **ret_buf, size_t *ret_len)
{
	return vgl_read_fileat(AT_FDCWD, path, max, ret_buf, ret_len);
}

struct vgl_rstr *vgl_rstr_new(const char *s, size_t len)
{
	struct vgl_rstr *r;

	if (len > UINT32_MAX - 1)
		return NULL;
	r = malloc(sizeof(*r) + len + 1);
	if (!r)
		return NULL;
	r->ref = 1;
	r->len = (uint32_t)len;
	memcpy(r->s, s, len);
	r->s[len] = '\0';
	return r;
}

struct vgl_rstr *vgl_rstr_get(struct vgl_rstr *r)
{
	if (r)
		r->ref++;
	return r;
}

void vgl_rstr_put(struct vgl_rstr *r)
{
	if (r && --r->ref == 0)
		free(r);
}

size_t vgl_pow2_ceil(size_t n)
{
	size_t p = 1;

	while (p < n)
		p <<= 1;
	return p;
}

/* atomic: tests and tools may run state trackers on several threads */
static uint64_t last_version = VGL_STATE_VERSION_HOST, changes = 1;

uint64_t vgl_state_fd_version_next(void)
{
	return __atomic_add_fetch(&last_version, 1, __ATOMIC_RELAXED);
}

uint64_t vgl_state_version_next(void)
{
	vgl_state_changed();
	return vgl_state_fd_version_next();
}

void vgl_state_changed(void)
{
	__atomic_add_fetch(&changes, 1, __ATOMIC_RELAXED);
}

uint64_t vgl_state_changes(void)
{
	return __atomic_load_n(&changes, __ATOMIC_RELAXED);
}
