// SPDX-License-Identifier: Apache-2.0
#include <errno.h>
#include <unistd.h>

#include "util/io.h"

int vgl_write_all(int fd, const void *buf, size_t n, int64_t off)
{
	const unsigned char *p = buf;

	while (n) {
		ssize_t k = off < 0 ? write(fd, p, n) : pwrite(fd, p, n, (off_t)off);

		if (k < 0 && errno == EINTR)
			continue;
		if (k <= 0)
			return k < 0 ? -errno : -EIO;
		p += k;
		n -= (size_t)k;
		if (off >= 0)
			off += k;
	}
	return 0;
}
