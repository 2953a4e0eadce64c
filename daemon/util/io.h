/* SPDX-License-Identifier: Apache-2.0 */
/* Whole writes: the spool and the capture writer must not lose half a record. */
#ifndef VIGIL_UTIL_IO_H
#define VIGIL_UTIL_IO_H

#include <stddef.h>
#include <stdint.h>

/*
 * Write all @n bytes of @buf to @fd at @off (pwrite), or at the file
 * position when @off < 0; retried on EINTR and short writes. 0 or -errno
 * (-EIO when the kernel wrote nothing and said no more).
 */
int vgl_write_all(int fd, const void *buf, size_t n, int64_t off);

#endif /* VIGIL_UTIL_IO_H */
