// SPDX-License-Identifier: Apache-2.0
#include <errno.h>
#include <stdlib.h>

#include <bpf/libbpf.h>

#include "source/source.h"

struct vgl_live {
	struct ring_buffer *rb;
	vgl_record_fn fn;
	void *ctx;
};

static int on_record(void *ctx, void *data, size_t size)
{
	struct vgl_live *live = ctx;

	return live->fn(live->ctx, data, size);
}

int vgl_live_open(int map_fd, vgl_record_fn fn, void *ctx, struct vgl_live **ret_live)
{
	struct vgl_live *live = calloc(1, sizeof(*live));

	if (!live)
		return -ENOMEM;
	live->fn = fn;
	live->ctx = ctx;
	live->rb = ring_buffer__new(map_fd, on_record, live, NULL);
	if (!live->rb) {
		int err = -errno;

		free(live);
		return err ? err : -EINVAL;
	}
	*ret_live = live;
	return 0;
}

int vgl_live_fd(const struct vgl_live *live)
{
	return ring_buffer__epoll_fd(live->rb);
}

int vgl_live_consume(struct vgl_live *live)
{
	return ring_buffer__consume(live->rb);
}

void vgl_live_close(struct vgl_live *live)
{
	if (!live)
		return;
	ring_buffer__free(live->rb);
	free(live);
}
