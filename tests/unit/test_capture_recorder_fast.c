// SPDX-License-Identifier: Apache-2.0
/*
 * The recorder's fast path writes exactly what looking every event's
 * context up writes: the same recording (runs of events of one process,
 * with an exec, a setuid, a descriptor closed and opened again, a
 * container's metadata arriving, a passwd reloaded, an ancestor gone, an
 * unknown upper layer asked again a second later, rules reading through the
 * recorder) is made with the fast path and with it forced off, and the
 * records handed to the writer compared byte for byte; then again with a
 * block dropped at every put, and with a new file begun before every event.
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
#define BLOCK_RECS 4 /* records per block */
#define RECS_MAX   8192

/* One recording as the writer got it: every put, in order, with its file. */
struct recording {
	struct {
		uint32_t type;
		unsigned char *data;
		size_t len;
		int file;
	} recs[RECS_MAX];
	size_t n, block;
	uint64_t epoch, events_lost;
	int puts, drop_at, file, ticks, rotate_at;
	bool drop_with; /* the put that fills the block is dropped with it */
	struct vgl_recorder_stats st;
};

static struct recording *W, runs[2];

static void drop_block(void)
{
	for (size_t i = W->block; i < W->n; i++) {
		W->events_lost += W->recs[i].type == VGL_CAP_REC_EVENT;
		free(W->recs[i].data);
	}
	W->n = W->block;
	W->epoch++;
}

int vgl_capwriter_put(struct vgl_capwriter *w, uint32_t type, const void *data, size_t len)
{
	(void)w;
	assert_true(W->n < RECS_MAX);
	if (++W->puts == W->drop_at && !W->drop_with) {
		drop_block();
		W->events_lost += type == VGL_CAP_REC_EVENT;
		return -ENOBUFS;
	}
	W->recs[W->n].type = type;
	W->recs[W->n].data = malloc(len + 1);
	memcpy(W->recs[W->n].data, data, len);
	W->recs[W->n].len = len;
	W->recs[W->n].file = W->file;
	W->n++;
	if (W->puts == W->drop_at && W->drop_with) {
		drop_block();
		return -ENOBUFS;
	}
	if (W->n - W->block >= BLOCK_RECS)
		W->block = W->n;
	return 0;
}

uint64_t vgl_capwriter_epoch(const struct vgl_capwriter *w)
{
	(void)w;
	return W->epoch;
}

void vgl_capwriter_tick(struct vgl_capwriter *w, uint64_t now_ns)
{
	(void)w;
	(void)now_ns;
	if (++W->ticks == W->rotate_at) {
		W->block = W->n;
		W->file++;
		W->epoch++;
	}
}

void vgl_capwriter_stats(const struct vgl_capwriter *w, struct vgl_capwriter_stats *ret)
{
	(void)w;
	memset(ret, 0, sizeof(*ret));
	ret->events_lost = W->events_lost;
}

static void clear(struct recording *rc)
{
	for (size_t i = 0; i < rc->n; i++)
		free(rc->recs[i].data);
	memset(rc, 0, sizeof(*rc));
}

/*
 * pid 31's upper layer, unknown until @upper_found, then found when asked
 * (as the state finds it in /proc): outside F, so its changes callback
 * cannot tell before anyone asks.
 */
static bool upper_found;
static struct vgl_field_state_ops ops;

static int t_upper(void *st, uint32_t pid)
{
	if (!upper_found || pid != 31)
		return f_upper(st, pid);
	if (F.p[31].upper != 1) {
		F.p[31].upper = 1;
		F.p[31].v.lazy_version = fver();
	}
	return 1;
}

/* An open at @ts (ns after TS0): an unknown upper layer is asked again after a second. */
static void ev_open_at(uint32_t pid, uint64_t cg, uint32_t euid, uint64_t ts)
{
	struct trec *t = mk(VGL_EV_OPENAT, pid, cg, euid, 3);

	t->hdr.ts = TS0 + ts;
	trec_s64(t, -100);
	trec_str(t, "/x");
	trec_str(t, "/x");
	trec_u64(t, 0);
	trec_u64(t, 0);
	record(t);
}

static void opens(int n, uint32_t pid, uint64_t cg, uint32_t euid)
{
	while (n--)
		ev_open(pid, cg, euid, "/etc/hosts");
}

static void sends(int n, uint32_t pid)
{
	while (n--)
		ev_sock(VGL_EV_SENDTO, pid, 100, 1000, 3);
}

/* Runs of one process's events, and every kind of change within a run. */
static void scenario(void)
{
	world();
	opens(4, 20, 100, 1000);
	snprintf(F.p[20].name, sizeof(F.p[20].name), "zsh"); /* PR_SET_NAME */
	fp_sync(&F.p[20]);
	opens(2, 20, 100, 1000);
	fp_lazy(20, "A=1", 3, 0); /* proc.env read */
	opens(2, 20, 100, 1000);
	opens(3, 40, 900, 0);
	resolve_container();
	opens(3, 40, 900, 0);
	opens(3, 30, 100, 1000);
	snprintf(F.p[30].name, sizeof(F.p[30].name), "cat"); /* an exec */
	fp_sync(&F.p[30]);
	fp_lazy(30, "B=2", 3, 0);
	ev_exec(30, 100, 1000, "/usr/bin/cat");
	opens(3, 30, 100, 1000);
	opens(2, 31, 100, 1000);
	F.p[20].v.sid = 1; /* an ancestor changed */
	fp_sync(&F.p[20]);
	opens(2, 31, 100, 1000);
	opens(2, 41, 900, 0);
	ev_setuid(41, 900, 0, 1000);
	opens(3, 41, 900, 1000); /* the new euid */
	sends(3, 20);
	F.fd[0].used = false; /* closed */
	sends(2, 20);
	ffd_set(0, 20, 3, 'f', "/var/log/x", NULL); /* and opened again */
	sends(2, 20);
	F.u[1].name = "u2"; /* the host's passwd reloaded */
	F.dbver[0] = fver();
	opens(3, 20, 100, 1000);
	F.c[1].v.name = "web"; /* the container renamed, without a new version */
	opens(2, 40, 900, 0);
	F.c[1].v.version = fver();
	opens(2, 40, 900, 0);
	ev_dup(20, 100, 1000, 3, 5);
	opens(2, 20, 100, 1000);
	/* an unknown upper layer is asked again a second after it was last */
	ev_open_at(31, 100, 1000, 1000000);
	ev_open_at(31, 100, 1000, 1000001);
	ev_open_at(31, 100, 1000, 1000002);
	ev_open_at(31, 100, 1000, 3000000000ull); /* asked: still unknown */
	ev_open_at(31, 100, 1000, 3000000001ull);
	upper_found = true;
	ev_open_at(31, 100, 1000, 3500000000ull); /* not asked yet */
	ev_open_at(31, 100, 1000, 4000000001ull); /* asked: found */
	ev_open_at(31, 100, 1000, 4000000002ull);
	F.p[10].used = false; /* an ancestor gone: asked again a second later */
	for (uint64_t i = 0; i < 3; i++)
		ev_open_at(20, 100, 1000, 5000000000ull + i);
	ev_open_at(20, 100, 1000, 6000000001ull); /* asked: still gone */
	ev_open_at(20, 100, 1000, 6000000002ull);
	F.p[10].used = true; /* back (its own events would say so): a change */
	ev_open_at(20, 100, 1000, 6000000003ull);
	ev_open_at(20, 100, 1000, 6000000004ull);
}

/* A process whose parent is gone: its events go fast, and ask again a second later. */
static void orphan(void)
{
	world();
	F.p[10].used = false;
	for (uint64_t i = 0; i < 5; i++)
		ev_open_at(20, 100, 1000, 5000000000ull + i);
	ev_open_at(20, 100, 1000, 6000000001ull);
	ev_open_at(20, 100, 1000, 6000000002ull);
}

static void (*scenario_fn)(void) = scenario;

/* Record the scenario into @rc; @fast: with the fast path. */
static void record_into(struct recording *rc, bool fast, int drop_at, bool drop_with, int rotate_at,
			const char *rules)
{
	struct vgl_recorder_opts ro = { 0 };

	clear(rc);
	W = rc;
	W->epoch = 1;
	W->drop_at = drop_at;
	W->drop_with = drop_with;
	W->rotate_at = rotate_at;
	for (int i = 0; i < T.n; i++) {
		free(T.snap[i]);
		free(T.out[i]);
	}
	memset(&T, 0, sizeof(T));
	memset(&F, 0, sizeof(F));
	snprintf(F.host, sizeof(F.host), "node");
	T.w = (struct vgl_capwriter *)rc; /* never looked into */
	ro.writer = T.w;
	ops = fake_ops;
	ops.exe_upper_layer = t_upper;
	upper_found = false;
	ro.ops = &ops;
	ro.no_fast_path = !fast;
	T.r = vgl_recorder_new(&ro);
	T.rules = rules_from(rules);
	T.mctx = vgl_match_ctx_new(T.rules);
	T.depth = VGL_RECORDER_ANCESTORS;
	assert_non_null(T.r);
	scenario_fn();
	vgl_recorder_stats(T.r, &rc->st);
	vgl_recorder_free(T.r);
	vgl_match_ctx_free(T.mctx);
	vgl_ruleset_free(T.rules);
}

/* The same records, bytes, files and counts. */
static void assert_same(const struct recording *a, const struct recording *b, const char *what)
{
	for (size_t i = 0; i < a->n && i < b->n; i++) {
		if (a->recs[i].type != b->recs[i].type || a->recs[i].len != b->recs[i].len ||
		    a->recs[i].file != b->recs[i].file ||
		    memcmp(a->recs[i].data, b->recs[i].data, a->recs[i].len))
			fail_msg("%s: record %zu differs: type %u len %zu file %d with the fast "
				 "path,"
				 " type %u len %zu file %d without",
				 what, i, a->recs[i].type, a->recs[i].len, a->recs[i].file,
				 b->recs[i].type, b->recs[i].len, b->recs[i].file);
	}
	assert_int_equal(a->n, b->n);
	assert_int_equal(a->puts, b->puts);
	assert_int_equal(a->st.written, b->st.written);
	assert_int_equal(a->st.lost, b->st.lost);
	assert_int_equal(a->st.ctx_records, b->st.ctx_records);
	assert_int_equal(a->st.late_records, b->st.late_records);
	assert_int_equal(b->st.fast, 0);
}

static void compare(int drop_at, bool drop_with, int rotate_at, const char *rules)
{
	char what[96];

	record_into(&runs[0], true, drop_at, drop_with, rotate_at, rules);
	record_into(&runs[1], false, drop_at, drop_with, rotate_at, rules);
	snprintf(what, sizeof(what), "drop at put %d%s, new file at event %d", drop_at,
		 drop_with ? " (with it)" : "", rotate_at);
	assert_same(&runs[0], &runs[1], what);
}

static void test_same_records(void **state UNUSED)
{
	const char *rules[] = { rules_yaml, late_yaml };

	for (int i = 0; i < 2; i++) {
		compare(0, false, 0, rules[i]);
		/* the fast path was taken, and not always */
		assert_true(runs[0].st.fast > 10);
		assert_true(runs[0].st.fast < runs[0].st.written / 2 + 10);
		assert_true(runs[0].st.ctx_records > 20);
	}
}

static void test_unknown_ancestor(void **state UNUSED)
{
	scenario_fn = orphan;
	compare(0, false, 0, rules_yaml);
	scenario_fn = scenario;
	/* looked up: the first (it writes), the second (it vouches), the one a second later */
	assert_int_equal(runs[0].st.written, 7);
	assert_int_equal(runs[0].st.fast, 4);
}

static void test_same_records_dropped(void **state UNUSED)
{
	int puts;

	compare(0, false, 0, rules_yaml);
	puts = runs[0].puts;
	for (int at = 1; at <= puts; at++) {
		compare(at, false, 0, rules_yaml);
		compare(at, true, 0, rules_yaml);
	}
}

static void test_same_records_new_file(void **state UNUSED)
{
	int events;

	compare(0, false, 0, rules_yaml);
	events = T.n;
	for (int at = 2; at <= events; at++) {
		compare(0, false, at, rules_yaml);
		assert_int_equal(runs[0].file, 1);
	}
}

static int teardown(void **state UNUSED)
{
	clear(&runs[0]);
	clear(&runs[1]);
	for (int i = 0; i < T.n; i++) {
		free(T.snap[i]);
		free(T.out[i]);
	}
	memset(&T, 0, sizeof(T));
	return 0;
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_teardown(test_same_records, teardown),
		cmocka_unit_test_teardown(test_unknown_ancestor, teardown),
		cmocka_unit_test_teardown(test_same_records_dropped, teardown),
		cmocka_unit_test_teardown(test_same_records_new_file, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
