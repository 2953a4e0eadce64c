/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Sources of raw records. A source hands each record to a callback and
 * knows nothing of what consumes it; main connects a source to the
 * pipeline. The live source reads the kernel ring buffer; a capture-file
 * source will share this shape.
 */
#ifndef VIGIL_SOURCE_SOURCE_H
#define VIGIL_SOURCE_SOURCE_H

#include <stddef.h>

/* Called for every record; a non-zero return stops the current batch. */
typedef int (*vgl_record_fn)(void *ctx, const void *data, size_t size);

struct vgl_live;

/* Consume the BPF ring buffer map @map_fd. */
int vgl_live_open(int map_fd, vgl_record_fn fn, void *ctx, struct vgl_live **ret_live);

/* A file descriptor that polls readable when records wait. */
int vgl_live_fd(const struct vgl_live *live);

/* Deliver every waiting record; returns how many or -errno. */
int vgl_live_consume(struct vgl_live *live);

void vgl_live_close(struct vgl_live *live);

#endif /* VIGIL_SOURCE_SOURCE_H */
