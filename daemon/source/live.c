// SPDX-License-Identifier: Apache-2.0
/*
 * The live source: reads the BPF ring buffer through its own mapping instead
 * of libbpf's ring_buffer, to publish the consumer position once per batch
 * rather than once per record. The producer (every CPU's BPF program) reads
 * that position on each reserve; a store per record bounces its cache line
 * between the reader's CPU and the traced CPUs at every event.
 *
 * Layout (kernel/bpf/ringbuf.c): page 0 holds consumer_pos (mapped writable),
 * page 1 producer_pos, then the data area mapped twice in a row so that a
 * record that wraps reads as one piece. Each record starts with an 8-byte
 * header: its length with a busy bit (still being written) and a discard
 * bit, then the data, padded to 8 bytes.
 */
#include <errno.h>
#include <linux/bpf.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/mman.h>
#include <unistd.h>

#include <bpf/bpf.h>

#include "source/source.h"

/* Publish the consumer position at least this often within one batch. */
#define VGL_LIVE_COMMIT_BYTES (256u << 10)

struct vgl_live {
	vgl_record_fn fn;
	void *ctx;
	int epfd;
	size_t page;
	uint64_t mask;			   /* data size - 1 (a power of two) */
	unsigned long *consumer_pos;	   /* page 0, writable */
	const unsigned long *producer_pos; /* page 1 */
	const uint8_t *data;		   /* 2 * data size, after page 1 */
};

static int live_map(struct vgl_live *live, int map_fd)
{
	struct bpf_map_info info;
	uint32_t len = sizeof(info);
	void *p;

	memset(&info, 0, sizeof(info));
	if (bpf_obj_get_info_by_fd(map_fd, &info, &len))
		return -errno;
	if (info.type != BPF_MAP_TYPE_RINGBUF || !info.max_entries ||
	    (info.max_entries & (info.max_entries - 1)))
		return -EINVAL;
	live->page = (size_t)sysconf(_SC_PAGESIZE);
	live->mask = info.max_entries - 1;
	p = mmap(NULL, live->page, PROT_READ | PROT_WRITE, MAP_SHARED, map_fd, 0);
	if (p == MAP_FAILED)
		return -errno;
	live->consumer_pos = p;
	p = mmap(NULL, live->page + 2 * (size_t)info.max_entries, PROT_READ, MAP_SHARED, map_fd,
		 (off_t)live->page);
	if (p == MAP_FAILED)
		return -errno;
	live->producer_pos = p;
	live->data = (const uint8_t *)p + live->page;
	return 0;
}

static int live_epoll(struct vgl_live *live, int map_fd)
{
	struct epoll_event ev = { .events = EPOLLIN };

	live->epfd = epoll_create1(EPOLL_CLOEXEC);
	if (live->epfd < 0)
		return -errno;
	if (epoll_ctl(live->epfd, EPOLL_CTL_ADD, map_fd, &ev))
		return -errno;
	return 0;
}

int vgl_live_open(int map_fd, vgl_record_fn fn, void *ctx, struct vgl_live **ret_live)
{
	struct vgl_live *live = calloc(1, sizeof(*live));
	int ret;

	if (!live)
		return -ENOMEM;
	live->fn = fn;
	live->ctx = ctx;
	live->epfd = -1;
	ret = live_map(live, map_fd);
	if (!ret)
		ret = live_epoll(live, map_fd);
	if (ret) {
		vgl_live_close(live);
		return ret;
	}
	*ret_live = live;
	return 0;
}

int vgl_live_fd(const struct vgl_live *live)
{
	return live->epfd;
}

/*
 * Deliver the records written before the call; returns how many. Records
 * that arrive meanwhile wait for the next call (the descriptor stays
 * readable), so one call is bounded by the ring's size.
 */
int vgl_live_consume(struct vgl_live *live)
{
	unsigned long cons = *live->consumer_pos;
	unsigned long prod = __atomic_load_n(live->producer_pos, __ATOMIC_ACQUIRE);
	unsigned long committed = cons;
	int n = 0, stop = 0;

	while (cons < prod && !stop) {
		const uint32_t *hdr = (const uint32_t *)(live->data + (cons & live->mask));
		uint32_t len = __atomic_load_n(hdr, __ATOMIC_ACQUIRE);
		uint32_t size = len & ~(BPF_RINGBUF_BUSY_BIT | BPF_RINGBUF_DISCARD_BIT);

		if (len & BPF_RINGBUF_BUSY_BIT)
			break; /* still being written: the next batch takes it */
		cons += (size + BPF_RINGBUF_HDR_SZ + 7) & ~7ul;
		if (!(len & BPF_RINGBUF_DISCARD_BIT)) {
			stop = live->fn(live->ctx, (const uint8_t *)hdr + BPF_RINGBUF_HDR_SZ, size);
			n++;
		}
		if (cons - committed >= VGL_LIVE_COMMIT_BYTES) {
			__atomic_store_n(live->consumer_pos, cons, __ATOMIC_RELEASE);
			committed = cons;
		}
	}
	if (cons != committed)
		__atomic_store_n(live->consumer_pos, cons, __ATOMIC_RELEASE);
	return n;
}

void vgl_live_close(struct vgl_live *live)
{
	if (!live)
		return;
	if (live->epfd >= 0)
		close(live->epfd);
	if (live->consumer_pos)
		munmap(live->consumer_pos, live->page);
	if (live->producer_pos)
		munmap((void *)live->producer_pos, live->page + 2 * (live->mask + 1));
	free(live);
}

/*
 * Deliver every record written before the call, waiting (up to a second)
 * for those still being written. Returns 0, -ETIMEDOUT or the callback's error.
 */
int vgl_live_drain(struct vgl_live *live)
{
	unsigned long prod = __atomic_load_n(live->producer_pos, __ATOMIC_ACQUIRE);

	for (int i = 0; i < 10000; i++) {
		int ret = vgl_live_consume(live);

		if (ret < 0)
			return ret;
		if (__atomic_load_n(live->consumer_pos, __ATOMIC_ACQUIRE) >= prod)
			return 0;
		usleep(100);
	}
	return -ETIMEDOUT;
}
