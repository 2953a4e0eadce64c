// SPDX-License-Identifier: Apache-2.0
/*
 * The flight recorder's ring (capture/flight_int.h) on its own: an event
 * whose context is its process's last one refers to it rather than storing
 * it again, so the ring holds several times more events of a busy process;
 * a changed context is stored and read back with its events in order; a
 * blob is stored again once old, so that its events do not outlive it by
 * much; events whose blob was evicted are counted evicted and never read
 * without their context.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "capture/flight_int.h"

#define S   1000000000ull
#define CTX 1500 /* a process's context on a busy host */
#define RAW 100

static uint8_t ctx_a[CTX], ctx_b[CTX], raw[RAW];
static uint32_t chain[3] = { 7, 1, 0 };

static void push(struct fl_ring *r, uint32_t pid, uint32_t seq, const uint8_t *ctx, uint64_t ts)
{
	struct fl_view v = { .ts = ts,
			     .pid = pid,
			     .chain = chain,
			     .nchain = 2,
			     .ctr = "host",
			     .ctr_len = 4,
			     .ctx = ctx,
			     .ctx_len = ctx ? CTX : 0,
			     .raw = raw,
			     .raw_len = RAW };

	chain[0] = pid;
	memcpy(raw, &seq, sizeof(seq)); /* which event it is */
	fl_ring_push(r, &v);
}

static uint32_t seq_of(const struct fl_view *v)
{
	uint32_t seq;

	assert_int_equal(v->raw_len, RAW);
	memcpy(&seq, v->raw, sizeof(seq));
	return seq;
}

/* Every event read back, in order, each with the context it was pushed with. */
static uint64_t check_all(const struct fl_ring *r, uint32_t first, const uint8_t *const *ctx_of)
{
	struct fl_iter it;
	struct fl_view v;
	uint64_t n = 0;

	fl_ring_begin(r, &it);
	while (fl_ring_next(r, &it, &v)) {
		assert_int_equal(seq_of(&v), first + n);
		assert_int_equal(v.ctx_len, CTX);
		assert_memory_equal(v.ctx, ctx_of[first + n], CTX);
		n++;
	}
	assert_int_equal(n, r->count);
	return n;
}

static void setup_ctx(void)
{
	for (int i = 0; i < CTX; i++) {
		ctx_a[i] = (uint8_t)i;
		ctx_b[i] = (uint8_t)(i * 7 + 1);
	}
}

/* One busy process: its context once per refresh, not per event. */
static void test_shared(void **state)
{
	static const uint8_t *ctx_of[2000];
	struct fl_ring r;
	uint64_t held, one = fl_ring_event_bytes(2, 4, RAW) + fl_ring_blob_bytes(CTX);

	(void)state;
	setup_ctx();
	assert_int_equal(fl_ring_init(&r, 64 << 10, 3600 * S), 0);
	for (uint32_t i = 0; i < 2000; i++) {
		ctx_of[i] = ctx_a;
		push(&r, 7, i, ctx_a, S + i);
	}
	held = check_all(&r, 2000 - (uint32_t)r.count, ctx_of);
	/* storing the context with each event would hold 64 KiB / one of them */
	assert_true(held > 5 * ((64 << 10) / one));
	assert_int_equal(held + r.evicted, 2000);
	/* a blob again once 1/8 of the ring's bytes went in after it */
	assert_int_equal(r.blobs, 2000 / (((64 << 10) / 8 - fl_ring_blob_bytes(CTX)) /
						  fl_ring_event_bytes(2, 4, RAW) +
					  1) +
					  1);
	fl_ring_fini(&r);
}

/* A changed context is stored; an event never reads another's. */
static void test_changes(void **state)
{
	static const uint8_t *ctx_of[600];
	struct fl_ring r;

	(void)state;
	setup_ctx();
	assert_int_equal(fl_ring_init(&r, 1 << 20, 3600 * S), 0);
	for (uint32_t i = 0; i < 600; i++) {
		/* two processes, and one of them changes (an exec) now and then */
		uint32_t pid = i % 2 ? 8 : 7;
		const uint8_t *c = pid == 8 || (i / 50) % 2 ? ctx_b : ctx_a;

		ctx_of[i] = c;
		push(&r, pid, i, c, S + i);
	}
	assert_int_equal(check_all(&r, 0, ctx_of), 600);
	assert_int_equal(r.evicted, 0);
	/* pid 7 changed 11 times; pid 8 never: a blob each, but at the changes */
	assert_int_equal(r.blobs, 12 + 1);
	fl_ring_fini(&r);
}

/* The window: a blob older than 1/8 of it is stored again. */
static void test_age(void **state)
{
	static const uint8_t *ctx_of[100];
	struct fl_ring r;

	(void)state;
	setup_ctx();
	assert_int_equal(fl_ring_init(&r, 1 << 20, 80 * S), 0);
	for (uint32_t i = 0; i < 100; i++) {
		ctx_of[i] = ctx_a;
		push(&r, 7, i, ctx_a, S + i * S); /* one a second */
		fl_ring_expire(&r, S + i * S);
	}
	/* a blob every 10 s: at 0, 11, 22 ... 99 s */
	assert_int_equal(r.blobs, 10);
	/* the window keeps 80 s: from 19 s; the events of the blob at 11 s went with it */
	assert_int_equal(check_all(&r, 22, ctx_of), 78);
	assert_int_equal(r.evicted, 22);
	fl_ring_fini(&r);
}

/* A ring too small for a blob and its event: counted, never read without context. */
static void test_tiny(void **state)
{
	static const uint8_t *ctx_of[10];
	struct fl_ring r;
	size_t cap = fl_ring_blob_bytes(CTX) + fl_ring_event_bytes(2, 4, RAW) - 8;

	(void)state;
	setup_ctx();
	assert_int_equal(fl_ring_init(&r, cap, 3600 * S), 0);
	for (uint32_t i = 0; i < 10; i++) {
		ctx_of[i] = ctx_a;
		push(&r, 7, i, ctx_a, S + i);
	}
	assert_int_equal(check_all(&r, 0, ctx_of), 0);
	assert_int_equal(r.count, 0);
	assert_int_equal(r.evicted, 10);
	push(&r, 7, 10, NULL, S + 10); /* no context: it fits */
	assert_int_equal(r.count, 1);
	fl_ring_fini(&r);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_shared),
		cmocka_unit_test(test_changes),
		cmocka_unit_test(test_age),
		cmocka_unit_test(test_tiny),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
