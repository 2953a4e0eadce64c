// SPDX-License-Identifier: Apache-2.0
/*
 * The recorder when the writer drops a block (its queue was full) or begins
 * a new file, at every point of a recording in turn: a capture writer that
 * does so on cue stands in for the real one (which drops only when its
 * thread falls behind). Whatever was lost, every event that is in the file
 * replays as it was live, each file alone, and LOSS records count exactly
 * the events that are missing.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "capture/writer.h"
#include "test_capture_harness.h"
#include "test_rules_util.h"

#define UNUSED	   __attribute__((unused))
#define BLOCK_RECS 5 /* records per block */
#define RECS_MAX   4096

enum drop_mode {
	DROP_NONE,
	DROP_BEFORE, /* the put finds the block full and cannot hand it over */
	DROP_WITH,   /* the put fills the block, which cannot be handed over */
};

/* What the writer holds, with a file number per record. */
static struct {
	struct {
		uint32_t type;
		unsigned char *data;
		size_t len;
		int file;
	} recs[RECS_MAX];
	size_t n, block; /* records; first record of the current block */
	uint64_t epoch, events_lost;
	int puts, drop_at, file, ticks, rotate_at;
	enum drop_mode mode;
} W;

static void drop_block(void)
{
	for (size_t i = W.block; i < W.n; i++) {
		W.events_lost += W.recs[i].type == VGL_CAP_REC_EVENT;
		free(W.recs[i].data);
	}
	W.n = W.block;
	W.epoch++;
}

int vgl_capwriter_put(struct vgl_capwriter *w, uint32_t type, const void *data, size_t len)
{
	(void)w;
	assert_true(W.n < RECS_MAX);
	if (++W.puts == W.drop_at && W.mode == DROP_BEFORE) {
		drop_block();
		W.events_lost += type == VGL_CAP_REC_EVENT; /* as the writer counts it */
		return -ENOBUFS;
	}
	W.recs[W.n].type = type;
	W.recs[W.n].data = malloc(len + 1);
	memcpy(W.recs[W.n].data, data, len);
	W.recs[W.n].len = len;
	W.recs[W.n].file = W.file;
	W.n++;
	if (W.puts == W.drop_at && W.mode == DROP_WITH) {
		drop_block();
		return -ENOBUFS;
	}
	if (W.n - W.block >= BLOCK_RECS)
		W.block = W.n; /* handed over */
	return 0;
}

uint64_t vgl_capwriter_epoch(const struct vgl_capwriter *w)
{
	(void)w;
	return W.epoch;
}

void vgl_capwriter_tick(struct vgl_capwriter *w, uint64_t now_ns)
{
	(void)w;
	(void)now_ns;
	if (++W.ticks == W.rotate_at) {
		W.block = W.n;
		W.file++;
		W.epoch++;
	}
}

void vgl_capwriter_stats(const struct vgl_capwriter *w, struct vgl_capwriter_stats *ret)
{
	(void)w;
	memset(ret, 0, sizeof(*ret));
	ret->events_lost = W.events_lost;
}

static void start(int drop_at, enum drop_mode mode, int rotate_at)
{
	struct vgl_recorder_opts ro = { 0 };

	for (size_t i = 0; i < W.n; i++)
		free(W.recs[i].data);
	memset(&W, 0, sizeof(W));
	memset(&T, 0, sizeof(T));
	memset(&F, 0, sizeof(F));
	memset(&FL, 0, sizeof(FL));
	W.epoch = 1;
	W.drop_at = drop_at;
	W.mode = mode;
	W.rotate_at = rotate_at;
	snprintf(F.host, sizeof(F.host), "node");
	T.w = (struct vgl_capwriter *)&W; /* never looked into */
	ro.writer = T.w;
	ro.ops = &fake_ops;
	T.r = vgl_recorder_new(&ro);
	T.rules = rules_from(rules_yaml);
	T.mctx = vgl_match_ctx_new(T.rules);
	T.depth = VGL_RECORDER_ANCESTORS;
	assert_non_null(T.r);
	assert_non_null(T.rules);
}

static void stop(void)
{
	vgl_recorder_free(T.r);
	vgl_match_ctx_free(T.mctx);
	vgl_ruleset_free(T.rules);
	for (int i = 0; i < T.n; i++) {
		free(T.snap[i]);
		free(T.out[i]);
	}
}

/* A recording with changes between events; every kind of record is written. */
static void scenario(void)
{
	world();
	ev_open(20, 100, 1000, "/a");
	ev_open(40, 900, 0, "/b");
	resolve_container();
	ev_open(41, 900, 0, "/c");
	ev_sock(VGL_EV_CONNECT, 20, 100, 1000, 3);
	snprintf(F.p[30].name, sizeof(F.p[30].name), "cat");
	fp_sync(&F.p[30]);
	fp_lazy(30, "B=2", 3, 0);
	ev_exec(30, 100, 1000, "/usr/bin/cat");
	ev_setuid(41, 900, 0, 1000);
	F.fd[0].used = false;
	ev_sock(VGL_EV_SENDTO, 20, 100, 1000, 3);
	F.p[30].used = false;
	ev_open(31, 100, 1000, "/d");
	ev_open(20, 100, 1000, "/e");
	ev_open(40, 900, 0, "/f");
	ev_dup(20, 100, 1000, 3, 5);
	ev_open(41, 900, 0, "/g");
}

/* Each file alone: the events in it as live; returns events seen, adds up the losses. */
static int check_files(uint64_t *ret_loss)
{
	int seen = 0;

	*ret_loss = 0;
	for (int file = 0; file <= W.file; file++) {
		struct play pl;

		play_begin(&pl, "node");
		for (size_t i = 0; i < W.n; i++) {
			if (W.recs[i].file == file)
				play_one(&pl, W.recs[i].type, W.recs[i].data, W.recs[i].len);
		}
		play_end(&pl);
		for (int i = 0; i < NEV; i++) {
			if (!pl.snap[i])
				continue;
			if (strcmp(T.snap[i], pl.snap[i]))
				fail_msg("put %d: event %d: live answered\n%s\nreplay\n%s",
					 W.drop_at, i, T.snap[i], pl.snap[i]);
			assert_string_equal(T.out[i], pl.out[i]);
		}
		assert_int_equal(pl.st.malformed, 0);
		seen += pl.events;
		*ret_loss += pl.loss;
		play_free(&pl);
	}
	return seen;
}

static void test_drop_anywhere(void **state UNUSED)
{
	struct vgl_recorder_stats rst;
	uint64_t loss;
	int puts, drops = 0;

	start(0, DROP_NONE, 0);
	scenario();
	puts = W.puts;
	assert_int_equal(check_files(&loss), T.n);
	assert_int_equal(loss, 0);
	stop();
	for (enum drop_mode m = DROP_BEFORE; m <= DROP_WITH; m++) {
		for (int at = 1; at <= puts; at++) {
			start(at, m, 0);
			scenario();
			vgl_recorder_stats(T.r, &rst);
			drops += W.epoch > 1;
			assert_int_equal(check_files(&loss) + (int)loss, T.n);
			assert_int_equal(rst.written, T.n); /* the writer lost them, not the tap */
			assert_int_equal(rst.lost, 0);
			stop();
		}
	}
	assert_int_equal(drops, 2 * puts);
}

static void test_new_file_anywhere(void **state UNUSED)
{
	uint64_t loss;
	int events;

	start(0, DROP_NONE, 0);
	scenario();
	events = T.n;
	stop();
	for (int at = 2; at <= events; at++) {
		start(0, DROP_NONE, at);
		scenario();
		assert_int_equal(W.file, 1);
		assert_int_equal(check_files(&loss), T.n);
		assert_int_equal(loss, 0);
		stop();
	}
}

static int teardown(void **state UNUSED)
{
	for (size_t i = 0; i < W.n; i++)
		free(W.recs[i].data);
	W.n = 0;
	return 0;
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_drop_anywhere),
		cmocka_unit_test(test_new_file_anywhere),
	};

	return cmocka_run_group_tests(tests, NULL, teardown);
}
