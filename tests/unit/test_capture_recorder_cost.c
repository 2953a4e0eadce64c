// SPDX-License-Identifier: Apache-2.0
/*
 * What recording costs per event on the live open workload's shape: one
 * process opening files over and over, vigil's state tracker over a fixture
 * /proc (test_capture_procfix.h: a process under a login shell, sshd and
 * init; the real /proc's ancestors of a test can change while it runs),
 * the real capture writer.
 * Prints the time per event of the state update alone, then with the tap
 * and the event written, with the flight recorder's full context too, and
 * of rules read through the tap's callbacks against the live ones. What it
 * asserts: in the steady state nothing but the events is written.
 */
#include <errno.h>
#include <limits.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include "capture/recorder.h"
#include "state/state.h"
#include "test_capfile_util.h"
#include "test_capture_util.h"
#include "test_rules_util.h"
/* after test_rules_util.h: its globals would shadow locals there */
#include "test_capture_procfix.h"

#define UNUSED __attribute__((unused))
#define N      100000

struct vgl_flight {
	int unused;
};
static struct vgl_flight flight;
static uint64_t flight_bytes;

void vgl_flight_event(struct vgl_flight *f, const struct vgl_event *ev, const void *raw,
		      size_t size, const void *ctx, size_t ctx_len, const char *ctr_id,
		      const uint32_t *chain, size_t nchain, uint64_t now_ns)
{
	(void)f, (void)ev, (void)raw, (void)size, (void)ctx, (void)ctr_id, (void)chain;
	(void)nchain, (void)now_ns;
	flight_bytes += ctx_len;
}

static const char rules_yaml[] =
	"- rule: shell reads\n"
	"  desc: d\n"
	"  condition: evt.type = openat and proc.name = bash and container.id != host\n"
	"  output: \"%proc.cmdline %proc.pname %user.name %container.id %fd.name\"\n"
	"  priority: NOTICE\n"
	"- rule: sensitive\n"
	"  desc: d\n"
	"  condition: evt.type = openat and fd.name startswith /etc/shadow and"
	" proc.aname[2] != sshd and user.name != root\n"
	"  output: \"%proc.cmdline %proc.pname %user.name %container.id %fd.name\"\n"
	"  priority: NOTICE\n";

static uint64_t now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts); /* this thread's: the machine may be busy */
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

static int count_match(void *data, const struct vgl_ruleset *rs, size_t rule,
		       struct vgl_match_ctx *ctx)
{
	(void)rs, (void)rule, (void)ctx;
	++*(int *)data;
	return 0;
}

enum mode { STATE, TAP, TAP_SLOW, TAP_FLIGHT, RULES_LIVE, RULES_TAP };

/* ns per event of @mode over N opens of /etc/shadow by the fixture's sleep. */
static double run(enum mode mode, struct vgl_recorder_stats *ret)
{
	struct tspec s = { VGL_EV_OPENAT, 303, 302, 1000, 1000, 1000, 1000, 7104, 0, 3, "sleep" };
	struct vgl_capwriter_opts wo = { 0 };
	struct vgl_recorder_opts ro = { 0 };
	struct vgl_state_opts so;
	struct vgl_ruleset *rs = rules_from(rules_yaml);
	struct vgl_match_ctx *mctx = vgl_match_ctx_new(rs);
	struct vgl_recorder *r;
	struct vgl_state *st;
	struct vgl_event ev;
	char dir[64], path[128], err[256], pw[PATH_MAX], gr[PATH_MAX];
	struct trec *t = tstart(&s);
	uint64_t t0 = 0;
	int hits = 0;

	trec_s64(t, -100);
	trec_str(t, "/etc/shadow");
	trec_str(t, "/etc/shadow");
	trec_u64(t, 0);
	trec_u64(t, 0);
	tbuild(t, &ev);
	vgl_state_opts_default(&so);
	procfix_state_opts(&so, pw, gr);
	st = vgl_state_new(&so);
	assert_non_null(st);
	tmkdir_cap(dir, sizeof(dir));
	snprintf(path, sizeof(path), "%s/cap.vgc", dir);
	wo.path = path;
	vgl_cap_info_host(&wo.info);
	assert_int_equal(vgl_capwriter_open(&wo, &ro.writer, err, sizeof(err)), 0);
	ro.ops = vgl_state_ops();
	ro.state = st;
	ro.flight = mode == TAP_FLIGHT ? &flight : NULL;
	ro.no_fast_path = mode == TAP_SLOW;
	r = vgl_recorder_new(&ro);
	for (int i = -1000; i < N; i++) {
		if (i == 0) {
			vgl_recorder_stats(r, ret); /* warm: all written once */
			t0 = now();
		}
		ev.hdr.ts = 1000000000ull + (uint64_t)(i + 1000) * 1000;
		vgl_state_update(st, &ev);
		if (mode == RULES_LIVE)
			vgl_ruleset_eval(rs, mctx, &ev, vgl_state_ops(), st, count_match, &hits);
		if (mode == STATE || mode == RULES_LIVE)
			continue;
		vgl_recorder_event(r, &ev, t->rec, t->size, ev.hdr.ts);
		if (mode == RULES_TAP)
			vgl_ruleset_eval(rs, mctx, &ev, vgl_recorder_ops(), r, count_match, &hits);
		vgl_recorder_event_end(r);
	}
	t0 = now() - t0;
	{
		struct vgl_recorder_stats warm = *ret;

		vgl_recorder_stats(r, ret);
		ret->ctx_records -= warm.ctx_records;
		ret->written -= warm.written;
		ret->fast -= warm.fast;
	}
	vgl_recorder_free(r);
	assert_int_equal(vgl_capwriter_close(ro.writer, NULL), 0);
	trm_cap(dir);
	vgl_state_free(st);
	vgl_match_ctx_free(mctx);
	vgl_ruleset_free(rs);
	free(t);
	return (double)t0 / N;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

/* The median of rounds of @mode, alternating with @other's (the machine may be busy). */
static double median(enum mode mode, enum mode other, double *ret_other,
		     struct vgl_recorder_stats *ret)
{
	double a[5], b[5];

	for (int i = 0; i < 5; i++) {
		a[i] = run(mode, ret);
		b[i] = run(other, ret);
	}
	qsort(a, 5, sizeof(*a), cmp_double);
	qsort(b, 5, sizeof(*b), cmp_double);
	*ret_other = b[2];
	return a[2];
}

/* The fast path (nothing looked up again) against every event looked up, in one run. */
static void test_fast_path(void **state UNUSED)
{
	struct vgl_recorder_stats st;
	double base, slow, fast;

	run(TAP_SLOW, &st);
	assert_int_equal(st.fast, 0);
	assert_int_equal(st.ctx_records, 0);
	run(TAP, &st);
	assert_int_equal(st.fast, N); /* nothing changes: no event looked up again */
	assert_int_equal(st.ctx_records, 0);
	slow = median(TAP_SLOW, STATE, &base, &st);
	fast = median(TAP, STATE, &base, &st);
	printf("per event, medians of 5: state update %.0f ns; tap and event written:"
	       " every context looked up %.0f ns (%.0f ns), fast path %.0f ns (%.0f ns)\n",
	       base, slow, slow - base, fast, fast - base);
}

static void test_cost(void **state UNUSED)
{
	struct vgl_recorder_stats st;
	double base = run(STATE, &st), tap, tapf, rl, rt;

	tap = run(TAP, &st);
	assert_int_equal(st.written, N);
	assert_int_equal(st.ctx_records, 0); /* nothing changed: nothing written again */
	assert_int_equal(st.late_records, 0);
	tapf = run(TAP_FLIGHT, &st);
	assert_true(flight_bytes > (uint64_t)N * 100); /* the whole context, every time */
	rl = run(RULES_LIVE, &st);
	rt = run(RULES_TAP, &st);
	assert_int_equal(st.late_records, 0);
	printf("per event: state update %.0f ns; + tap and event written %.0f ns (%.0f ns);"
	       " + flight context %.0f ns (%.0f ns, %llu bytes);"
	       " rules through the tap %.0f ns more than live (%.0f vs %.0f ns)\n",
	       base, tap, tap - base, tapf, tapf - base,
	       (unsigned long long)(flight_bytes / (N + 1000)), rt - rl - (tap - base), rt, rl);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_cost),
		cmocka_unit_test(test_fast_path),
	};

	return cmocka_run_group_tests(tests, procfix_setup, procfix_teardown);
}
