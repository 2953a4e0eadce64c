// SPDX-License-Identifier: Apache-2.0
/*
 * The recorder feeding the real flight recorder (capture/flight.h): the file
 * a trigger writes, from the ring before the alert and the events after it,
 * replays each of its events as live answered and printed it, with the
 * context the recorder gave the ring (the container's metadata that arrived
 * between two of them included), and holds only the alerting container's.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#define TCAP_REAL_FLIGHT
#include "capture/flight.h"
#include "test_capfile_util.h"
#include "test_capture_harness.h"
#include "test_rules_util.h"

#define UNUSED __attribute__((unused))

static void test_flight_file(void **state UNUSED)
{
	struct vgl_flight_opts fo = { 0 };
	struct vgl_recorder_opts ro = { 0 };
	struct vgl_flight_stats fst;
	struct vgl_flight *f;
	struct play pl;
	char err[256], path[512];
	const char *p;

	memset(&T, 0, sizeof(T));
	memset(&F, 0, sizeof(F));
	tmkdir_cap(T.dir, sizeof(T.dir));
	fo.dir = T.dir;
	vgl_cap_info_host(&fo.info);
	snprintf(F.host, sizeof(F.host), "%s", fo.info.hostname);
	f = vgl_flight_new(&fo, err, sizeof(err));
	assert_non_null(f);
	ro.flight = f;
	ro.ops = &fake_ops;
	T.r = vgl_recorder_new(&ro);
	assert_non_null(T.r);
	T.rules = rules_from(rules_yaml);
	T.mctx = vgl_match_ctx_new(T.rules);
	T.depth = VGL_RECORDER_ANCESTORS;

	world();
	ev_open(20, 100, 1000, "/etc/passwd");	/* 0: the host */
	ev_open(40, 900, 0, "/www/index.html"); /* 1: the container, no metadata yet */
	resolve_container();
	ev_open(41, 900, 0, "/etc/passwd"); /* 2 */
	ev_setuid(41, 900, 0, 1000);	    /* 3: then a rule alerts */
	p = vgl_flight_trigger(f, "Shell in container", 0, TS0 + 3500);
	assert_non_null(p);
	snprintf(path, sizeof(path), "%s", p);
	ev_open(20, 100, 1000, "/etc/hosts"); /* 4: the host, not in the capture */
	ev_open(40, 900, 0, "/etc/shadow");   /* 5: after the alert */
	vgl_flight_stats(f, &fst);
	vgl_recorder_free(T.r);
	vgl_flight_free(f, NULL); /* finishes the capture */
	assert_int_equal(fst.captures, 1);

	play(path, &pl);
	assert_int_equal(pl.events, 4);
	assert_null(pl.snap[0]);
	assert_null(pl.snap[4]);
	for (int i = 1; i <= 5; i++) {
		if (i != 4)
			check_one(&pl, i);
	}
	assert_non_null(strstr(pl.out[2], " c900aaaaaaaa web nginx:1.25 1.25 "));
	assert_non_null(strstr(pl.out[1], " c900aaaaaaaa <NA> <NA> <NA> "));
	assert_int_equal(pl.st.malformed, 0);
	play_free(&pl);
	for (int i = 0; i < T.n; i++) {
		free(T.snap[i]);
		free(T.out[i]);
	}
	vgl_match_ctx_free(T.mctx);
	vgl_ruleset_free(T.rules);
	trm_cap(T.dir);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_flight_file),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
