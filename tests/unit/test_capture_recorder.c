// SPDX-License-Identifier: Apache-2.0
/*
 * The recorder (capture/recorder.h) with a live state changed by hand
 * between events (test_capture_fake.h), the real capture writer and reader:
 * replaying the file answers every state question of every event as the
 * live state answered it when it was recorded, and the rules print the same
 * alerts; context is written once until it changes; a new file (rotation)
 * holds its own; the capture filter keeps other events and their context
 * out; the flight recorder gets each event's whole context; a rule's lookup
 * outside the recorded set (a deep ancestor, an open's descriptor) is
 * written before its event.
 */
#include <errno.h>
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
#include "capture/writer.h"
#include "test_capfile_util.h"
#include "test_capture_harness.h"
#include "test_rules_util.h"

#define UNUSED __attribute__((unused))

static void start(const char *yaml, const struct vgl_ruleset *filter, uint64_t rotate_ns,
		  bool flight)
{
	struct vgl_capwriter_opts wo = { 0 };
	struct vgl_recorder_opts ro = { 0 };
	char path[128], err[256];

	memset(&T, 0, sizeof(T));
	memset(&F, 0, sizeof(F));
	memset(&FL, 0, sizeof(FL));
	tmkdir_cap(T.dir, sizeof(T.dir));
	snprintf(path, sizeof(path), "%s/cap.vgc", T.dir);
	vgl_cap_info_host(&T.info);
	snprintf(F.host, sizeof(F.host), "%s", T.info.hostname);
	wo.path = path;
	wo.info = T.info;
	wo.rotate_ns = rotate_ns;
	assert_int_equal(vgl_capwriter_open(&wo, &T.w, err, sizeof(err)), 0);
	ro.writer = T.w;
	ro.flight = flight ? &fake_flight : NULL;
	ro.filter = filter;
	ro.ops = &fake_ops;
	T.r = vgl_recorder_new(&ro);
	assert_non_null(T.r);
	T.rules = rules_from(yaml);
	assert_non_null(T.rules);
	T.mctx = vgl_match_ctx_new(T.rules);
	vgl_match_ctx_set_clock(T.mctx, TCAP_CLOCK);
	T.frs = vgl_replaystate_new(F.host);
	T.open_fd = yaml == late_yaml;
	T.depth = T.open_fd ? 20 : VGL_RECORDER_ANCESTORS;
}

static void stop(void)
{
	vgl_recorder_free(T.r);
	if (T.w)
		assert_int_equal(vgl_capwriter_close(T.w, NULL), 0);
	vgl_match_ctx_free(T.mctx);
	vgl_ruleset_free(T.rules);
	vgl_replaystate_free(T.frs);
	for (int i = 0; i < T.n; i++) {
		free(T.snap[i]);
		free(T.out[i]);
		free(T.fsnap[i]);
	}
	trm_cap(T.dir);
	free(FL.ctx);
	FL.ctx = NULL;
}

static void test_replay_as_live(void **state UNUSED)
{
	struct vgl_recorder_stats rst;
	struct play pl;
	char path[128];

	start(rules_yaml, NULL, 0, true);
	world();
	ev_open(20, 100, 1000, "/etc/passwd"); /* 0 */
	/* the flight recorder: the process, its ancestors, its container */
	assert_int_equal(FL.nchain, 3);
	assert_int_equal(FL.chain[0], 20);
	assert_int_equal(FL.chain[1], 10);
	assert_int_equal(FL.chain[2], 1);
	assert_string_equal(FL.ctr, "host");
	ev_open(20, 100, 1000, "/etc/hosts"); /* 1: nothing changed */
	snprintf(F.p[30].name, sizeof(F.p[30].name), "cat");
	snprintf(F.p[30].exepath, sizeof(F.p[30].exepath), "/usr/bin/cat");
	fp_sync(&F.p[30]);
	fp_lazy(30, "A=1", 3, 0);
	ev_exec(30, 100, 1000, "/usr/bin/cat");	   /* 2: the exec */
	ev_sock(VGL_EV_CONNECT, 20, 100, 1000, 3); /* 3 */
	F.fd[0].v.connected = true;
	F.fd[0].v.version = fver();
	ev_sock(VGL_EV_SENDTO, 20, 100, 1000, 3); /* 4: connected now */
	F.fd[0].used = false;
	ev_sock(VGL_EV_SENDTO, 20, 100, 1000, 3); /* 5: closed */
	ev_open(40, 900, 0, "/www/index.html");	  /* 6: no metadata yet */
	assert_int_equal(FL.nchain, 2);
	assert_int_equal(FL.chain[0], 40);
	assert_int_equal(FL.chain[1], 1);
	assert_string_equal(FL.ctr, "c900aaaaaaaa");
	resolve_container();
	ev_open(41, 900, 0, "/etc/passwd"); /* 7: another process of the cgroup */
	ev_setuid(41, 900, 0, 1000);	    /* 8: names from the container's passwd */
	F.u[3].shell = "/bin/sh";	    /* the container's passwd changed */
	F.dbver[1] = fver();
	ev_open(40, 900, 0, "/etc/shadow"); /* 9 */
	F.p[30].used = false;		    /* reaped */
	ev_open(31, 100, 1000, "/x");	    /* 10: its parent is gone */
	snprintf(F.p[20].name, sizeof(F.p[20].name), "bash2");
	fp_sync(&F.p[20]);
	ev_open(20, 100, 1000, "/y"); /* 11: renamed */
	ev_dup(20, 100, 1000, 3, 5);  /* 12: no such descriptor */
	ffd_set(1, 20, 5, 'f', "/y", NULL);
	ev_dup(20, 100, 1000, 3, 5); /* 13: now there is */
	/* one cgroup, two answers (cgroup v1): each process its own */
	F.c[2] = (struct fctr){ true, 555, 0, { .id = "host", .name = "host", .version = 1 } };
	F.c[3] = (struct fctr){ true, 555, 51, { .id = "c51", .name = "other" } };
	F.c[3].v.version = fver();
	fp_set(50, 1, "hostd", NULL);
	fp_set(51, 1, "ctrd", NULL);
	ev_open(50, 555, 0, "/a"); /* 14 */
	ev_open(51, 555, 0, "/b"); /* 15 */
	ev_open(50, 555, 0, "/c"); /* 16 */
	ev_open(51, 555, 0, "/d"); /* 17 */
	/* a socket followed from its connect, dup'ed: fd.* from its ends */
	ffd_set(0, 20, 3, '4', "10.0.0.1:4000->10.0.0.2:80", "tcp")->v.connected = true;
	F.fd[0].v.local = (struct vgl_fd_end){ 4, 4000, { 10, 0, 0, 1 } };
	F.fd[0].v.remote = (struct vgl_fd_end){ 4, 80, { 10, 0, 0, 2 } };
	ev_dup(20, 100, 1000, 9, 3); /* 18 */
	vgl_recorder_stats(T.r, &rst);
	assert_int_equal(vgl_capwriter_close(T.w, NULL), 0);
	T.w = NULL;

	snprintf(path, sizeof(path), "%s/cap.vgc", T.dir);
	play(path, &pl);
	assert_int_equal(pl.events, T.n);
	check_same(&pl, 0, T.n);
	check_flight(0, T.n);
	/* what was written, and only when it changed */
	assert_non_null(strstr(pl.log[0], "P20 L20 "));
	assert_non_null(strstr(pl.log[0], "P10 P1 "));
	assert_non_null(strstr(pl.log[0], "C100/0 "));
	assert_non_null(strstr(pl.log[0], "U1000@20 G1000@20"));
	assert_string_equal(pl.log[1], "");
	assert_string_equal(pl.log[2], "P30 L30 U1000@30 "); /* which names pid 30 sees */
	assert_string_equal(pl.log[3], "F20/3 ");
	assert_string_equal(pl.log[4], "F20/3 ");
	assert_string_equal(pl.log[5], "F-20/3 ");
	/* the container's metadata arrived: its posture right after it */
	assert_string_equal(pl.log[7], "C900/0 S900/0 P41 L41 U0@41 ");
	/* the posture fields, replayed as live printed them */
	assert_non_null(strstr(pl.out[7], " app:web CAP_NET_ADMIN  nginx 101 true 67108864 default "
					  "true false 172.17.0.9 "));
	assert_string_equal(pl.log[8], "U1000@41 ");
	assert_string_equal(pl.log[9], "U0@40 ");
	assert_string_equal(pl.log[10], "P31 L31 P-30 U1000@31 ");
	assert_string_equal(pl.log[11], "P20 ");
	assert_string_equal(pl.log[12], "F-20/5 ");
	assert_string_equal(pl.log[13], "F20/5 ");
	assert_string_equal(pl.log[15], "C555/51 P51 L51 U0@51 ");
	assert_string_equal(pl.log[16], "");
	assert_string_equal(pl.log[17], "");
	assert_string_equal(pl.log[18], "F20/3 A20/3 ");
	assert_non_null(strstr(pl.out[18], "tcp true 10.0.0.2 80 10.0.0.1 4000 80"));
	assert_int_equal(rst.events, T.n);
	assert_int_equal(rst.written, T.n);
	assert_int_equal(rst.filtered, 0);
	assert_int_equal(rst.lost, 0);
	assert_int_equal(rst.late_records, 0);
	assert_int_equal(rst.ctx_records, pl.st.applied);
	/* the flight recorder: the whole chain and the container */
	assert_int_equal(FL.calls, T.n);
	play_free(&pl);
	stop();
}

/* Each file of a rotated series holds the context of its own events. */
static void test_rotation(void **state UNUSED)
{
	struct play pl;
	char path[128];
	int files = 0, seen = 0;

	start(rules_yaml, NULL, 2500, false); /* a new file every third event */
	world();
	for (int i = 0; i < 9; i++) {
		if (i % 3 == 1)
			ev_open(40, 900, 0, "/w");
		else
			ev_open(20, 100, 1000, "/x");
	}
	assert_int_equal(vgl_capwriter_close(T.w, NULL), 0);
	T.w = NULL;
	for (;; files++) {
		snprintf(path, sizeof(path), "%s/cap.%06d.vgc", T.dir, files);
		if (access(path, F_OK))
			break;
		play(path, &pl); /* alone, as if the others were gone */
		assert_int_equal(pl.events, 3);
		for (int i = 0; i < NEV; i++) {
			if (pl.snap[i]) {
				check_one(&pl, i);
				seen++;
			}
		}
		/* its first event brings the whole context again */
		assert_non_null(strstr(pl.log[files * 3], "P20 L20 "));
		assert_non_null(strstr(pl.log[files * 3], "C100/0 "));
		assert_non_null(strstr(pl.log[files * 3 + 1], "P40 L40 "));
		assert_string_equal(pl.log[files * 3 + 2], "");
		play_free(&pl);
	}
	assert_int_equal(files, 3);
	assert_int_equal(seen, 9);
	stop();
}

/* Events the capture filter does not keep leave no trace, context included. */
static void test_filter(void **state UNUSED)
{
	struct vgl_ruleset *filter = rules_from("- rule: f\n  desc: d\n"
						"  condition: container.id = host\n"
						"  output: x\n  priority: NOTICE\n");
	struct vgl_recorder_stats rst;
	struct play pl;
	char path[128];

	start(rules_yaml, filter, 0, true);
	world();
	ev_open(20, 100, 1000, "/a");
	ev_open(40, 900, 0, "/b");
	ev_setuid(41, 900, 0, 1000);
	ev_open(20, 100, 1000, "/c");
	vgl_recorder_stats(T.r, &rst);
	assert_int_equal(rst.events, 4);
	assert_int_equal(rst.filtered, 2);
	assert_int_equal(rst.written, 2);
	assert_int_equal(FL.calls, 4); /* the flight recorder sees everything */
	check_flight(0, 4);
	assert_int_equal(vgl_capwriter_close(T.w, NULL), 0);
	T.w = NULL;
	snprintf(path, sizeof(path), "%s/cap.vgc", T.dir);
	play(path, &pl);
	assert_int_equal(pl.events, 2);
	check_one(&pl, 0);
	check_one(&pl, 3);
	for (int i = 0; i < 4; i++) {
		const char *log = pl.log[i] ? pl.log[i] : "";

		assert_null(strstr(log, "P40"));
		assert_null(strstr(log, "P41"));
		assert_null(strstr(log, "C900"));
		assert_null(strstr(log, "@41"));
	}
	assert_null(pl.snap[1]);
	assert_null(pl.snap[2]);
	play_free(&pl);
	stop();
	vgl_ruleset_free(filter);
}

/* What a rule reads outside the recorded set is in the file before its event. */
static void test_late(void **state UNUSED)
{
	struct vgl_recorder_stats rst;
	struct play pl;
	char path[128];

	start(late_yaml, NULL, 0, false);
	world();
	for (uint32_t p = 100; p <= 125; p++)
		fp_set(p, p == 100 ? 1 : p - 1, "n", NULL);
	ffd_set(2, 125, 3, 'f', "/etc/hosts", NULL);
	ev_open(125, 100, 0, "/etc/hosts");
	ev_open(125, 100, 0, "/etc/hosts");
	vgl_recorder_stats(T.r, &rst);
	assert_int_equal(rst.late_records, 5); /* ancestors 17 to 20, the descriptor */
	assert_int_equal(vgl_capwriter_close(T.w, NULL), 0);
	T.w = NULL;
	snprintf(path, sizeof(path), "%s/cap.vgc", T.dir);
	play(path, &pl);
	check_same(&pl, 0, 2);
	assert_non_null(strstr(pl.out[0], "n 105 l4=<NA> c=false"));
	/* after the set (the 16th ancestor is 109), before the event */
	assert_non_null(strstr(pl.log[0], "P110 P109 U0@125 "));
	assert_non_null(strstr(pl.log[0], " P108 P107 P106 P105 F125/3 "));
	assert_string_equal(strstr(pl.log[0], " P108 "), " P108 P107 P106 P105 F125/3 ");
	assert_string_equal(pl.log[1], "");
	play_free(&pl);
	stop();
}

/* proc.exe_ino*: replay answers what live answered, written only when it changed. */
static void test_exe(void **state UNUSED)
{
	struct vgl_recorder_stats rst;
	struct play pl;
	char path[128];

	start(exe_yaml, NULL, 0, false);
	world();
	F.p[20].exe_known = true;
	F.p[20].exe_st = (struct vgl_exe_stat){ 77, 2000000000, 1000000000 };
	ev_open(20, 100, 1000, "/a"); /* 0 */
	ev_open(20, 100, 1000, "/b"); /* 1: the same answer */
	F.p[20].exe_st.ino = 78;
	ev_open(20, 100, 1000, "/c"); /* 2: another binary */
	F.p[20].exe_known = false;
	ev_open(20, 100, 1000, "/d"); /* 3: gone */
	ev_open(20, 100, 1000, "/e"); /* 4 */
	vgl_recorder_stats(T.r, &rst);
	assert_int_equal(rst.late_records, 3);
	assert_int_equal(vgl_capwriter_close(T.w, NULL), 0);
	T.w = NULL;
	snprintf(path, sizeof(path), "%s/cap.vgc", T.dir);
	play(path, &pl);
	check_same(&pl, 0, T.n);
	assert_non_null(strstr(T.out[0], "77 2000000000 1000000000 "));
	assert_non_null(strstr(T.out[2], "78 2000000000 "));
	assert_non_null(strstr(T.out[3], "<NA> <NA> <NA> <NA>"));
	assert_non_null(strstr(pl.log[0], "X20 "));
	assert_null(strstr(pl.log[1], "X20"));
	assert_non_null(strstr(pl.log[2], "X20 "));
	assert_non_null(strstr(pl.log[3], "X-20 "));
	assert_null(strstr(pl.log[4], "X"));
	play_free(&pl);
	stop();
}

/* docker.daemon.*: replay reads the config file's bytes live read, written when they change. */
static void test_config(void **state UNUSED)
{
	struct play pl;
	char path[128];

	start(cfg_yaml, NULL, 0, false);
	world();
	fp_set(50, 1, "dockerd", NULL);
	F.p[50].cfg = "{\"icc\": false}";
	ev_open(50, 100, 0, "/a"); /* 0 */
	ev_open(50, 100, 0, "/b"); /* 1: the same answer */
	F.p[50].cfg = "{\"live-restore\": true}";
	ev_open(50, 100, 0, "/c"); /* 2: another file */
	F.p[50].cfg = NULL;
	F.p[50].cfg_err = -EACCES;
	ev_open(50, 100, 0, "/d"); /* 3: unreadable */
	ev_open(20, 100, 0, "/e"); /* 4: not a daemon */
	assert_int_equal(vgl_capwriter_close(T.w, NULL), 0);
	T.w = NULL;
	snprintf(path, sizeof(path), "%s/cap.vgc", T.dir);
	play(path, &pl);
	check_same(&pl, 0, T.n);
	assert_non_null(strstr(T.out[0], "false false []"));
	assert_non_null(strstr(T.out[2], "true true []"));
	assert_non_null(strstr(T.out[3], "<NA> <NA> [Permission denied]"));
	assert_non_null(strstr(T.out[4], "<NA> <NA> [<NA>]"));
	assert_non_null(strstr(pl.log[0], "K50 "));
	assert_null(strstr(pl.log[1], "K50"));
	assert_non_null(strstr(pl.log[2], "K50 "));
	assert_non_null(strstr(pl.log[3], "K-50 "));
	assert_null(strstr(pl.log[4], "K"));
	play_free(&pl);
	stop();
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_replay_as_live),
		cmocka_unit_test(test_rotation),
		cmocka_unit_test(test_filter),
		cmocka_unit_test(test_late),
		cmocka_unit_test(test_exe),
		cmocka_unit_test(test_config),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
