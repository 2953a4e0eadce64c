// SPDX-License-Identifier: Apache-2.0
/*
 * The recorder on vigil's own state tracker (daemon/state) over a temporary
 * /proc: a login shell's tree on the host and a process in a Kubernetes
 * pod's Docker container (the fixtures of tests/data/state), with an exec,
 * a descriptor dup'ed then closed, a setuid, a process that exits and is
 * reaped, a renamed one. Read back through the real writer and reader, the
 * recorded state answers every question of every event as the state
 * tracker did, field by field, and the rules print the same alerts.
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

#include <cmocka.h>

#include "capture/writer.h"
#include "state/state.h"
#include "test_capfile_util.h"
#include "test_capture_harness.h"
#include "test_rules_util.h"
/* after test_rules_util.h: its globals would shadow locals there */
#include "test_capture_procfix.h"

#define UNUSED __attribute__((unused))

static struct vgl_state *st;

static struct trec *lmk(enum vgl_kind kind, uint32_t pid, uint32_t ppid, uint64_t cg, uint32_t euid,
			int64_t res, const char *comm)
{
	struct tspec s = { kind,
			   pid,
			   ppid,
			   euid,
			   euid,
			   euid,
			   euid ? euid : UINT32_MAX,
			   cg,
			   TS0 + (uint64_t)T.n,
			   res,
			   comm };

	return tstart(&s);
}

/* The pipeline's order: state, tap, rules through the recorder, end. */
static void lrecord(struct trec *t)
{
	struct vgl_event ev;
	int i = T.n++;

	tbuild(t, &ev);
	vgl_state_update(st, &ev);
	vgl_recorder_event(T.r, &ev, t->rec, t->size, TS0 + (uint64_t)i);
	T.snap[i] = tsnap(vgl_state_ops(), st, &ev, false, T.depth);
	T.out[i] = touts(T.rules, T.mctx, &ev, vgl_recorder_ops(), T.r);
	vgl_recorder_event_end(T.r);
	free(t);
}

static void lopen(uint32_t pid, uint32_t ppid, uint64_t cg, uint32_t euid, const char *comm,
		  const char *path)
{
	struct trec *t = lmk(VGL_EV_OPENAT, pid, ppid, cg, euid, 3, comm);

	trec_s64(t, -100);
	trec_str(t, path);
	trec_str(t, path);
	trec_u64(t, 0);
	trec_u64(t, 0);
	lrecord(t);
}

static void test_live_state(void **state UNUSED)
{
	const char *argv[] = { "cat", "/etc/motd", NULL };
	struct vgl_capwriter_opts wo = { 0 };
	struct vgl_recorder_opts ro = { 0 };
	struct vgl_state_opts so;
	struct vgl_recorder_stats rst;
	struct play pl;
	char path[PATH_MAX], pw[PATH_MAX], gr[PATH_MAX], err[256];
	struct trec *t;

	memset(&T, 0, sizeof(T));
	vgl_cap_info_host(&T.info);
	vgl_state_opts_default(&so);
	procfix_state_opts(&so, pw, gr);
	so.exit_grace_ns = 1;
	so.hostname = T.info.hostname;
	st = vgl_state_new(&so);
	assert_non_null(st);
	snprintf(path, sizeof(path), "%s/cap.vgc", tmp);
	wo.path = path;
	wo.info = T.info;
	assert_int_equal(vgl_capwriter_open(&wo, &T.w, err, sizeof(err)), 0);
	ro.writer = T.w;
	ro.ops = vgl_state_ops();
	ro.state = st;
	T.r = vgl_recorder_new(&ro);
	T.rules = rules_from(rules_yaml);
	T.mctx = vgl_match_ctx_new(T.rules);
	T.depth = VGL_RECORDER_ANCESTORS;

	lopen(302, 301, 7104, 1000, "bash", "/etc/hosts"); /* 0 */
	lopen(302, 301, 7104, 1000, "bash", "/etc/hosts"); /* 1 */
	t = lmk(VGL_EV_EXECVE, 303, 302, 7104, 1000, 0, "cat");
	trec_str(t, "/bin/cat");
	trec_argv(t, argv);
	trec_str(t, "/bin/cat");
	trec_str(t, "/home");
	lrecord(t); /* 2 */
	t = lmk(VGL_EV_DUP, 302, 301, 7104, 1000, 4, "bash");
	trec_s64(t, 3);
	lrecord(t); /* 3 */
	sh("rm %s/302/fd/4", proc);
	t = lmk(VGL_EV_DUP, 302, 301, 7104, 1000, 4, "bash");
	trec_s64(t, 3);
	lrecord(t);					      /* 4: closed since */
	lopen(308, 300, 7108, 0, "nginx", "/www/index.html"); /* 5: a pod's container */
	t = lmk(VGL_EV_SETUID, 308, 300, 7108, 0, 0, "nginx");
	trec_u64(t, 1000);
	trec_u64(t, 0);
	trec_u64(t, 0);
	lrecord(t); /* 6: names from the container's passwd */
	t = lmk(VGL_EV_PROCEXIT, 303, 302, 7104, 1000, 0, "cat");
	trec_s64(t, 0);
	trec_s64(t, 0);
	trec_u64(t, 0);
	trec_u64(t, 0);
	lrecord(t); /* 7 */
	sh("rm -rf %s/303", proc);
	lopen(304, 303, 7104, 1000, "child", "/x"); /* 8: its parent reaped */
	lopen(302, 301, 7104, 1000, "bash2", "/y"); /* 9: renamed */

	vgl_recorder_stats(T.r, &rst);
	vgl_recorder_free(T.r);
	assert_int_equal(vgl_capwriter_close(T.w, NULL), 0);
	assert_int_equal(rst.written, T.n);
	assert_int_equal(rst.late_records, 0);
	play(path, &pl);
	assert_int_equal(pl.events, T.n);
	for (int i = 0; i < T.n; i++) {
		if (strcmp(T.snap[i], pl.snap[i]))
			fail_msg("event %d: live answered\n%s\nreplay\n%s", i, T.snap[i],
				 pl.snap[i]);
		assert_string_equal(T.out[i], pl.out[i]);
	}
	assert_string_equal(pl.log[1], "");
	assert_non_null(strstr(pl.log[2], "P303 L303 "));
	assert_string_equal(pl.log[4], "F-302/4 ");
	assert_non_null(strstr(pl.log[8], "P-303 "));
	assert_string_equal(pl.log[9], "P302 ");
	/* what a user sees: the pod's identity and names from the container */
	assert_non_null(strstr(pl.out[6], " uid=app old_uid=root"));
	assert_non_null(strstr(pl.out[5], " 8b8b8b8b8b8b k8s_cart_shop-7c9f_store_"));
	assert_non_null(strstr(pl.out[5], " store shop-7c9f app:shop, "));
	assert_non_null(strstr(pl.out[5], " root /root /bin/ash <NA> root "));
	assert_non_null(strstr(pl.out[0], " alice /home/alice /bin/zsh alice alice /etc/hosts f "));
	assert_non_null(
		strstr(pl.out[8], "all: child /bin/child /bin/child child -x /tmp <NA> <NA>"));
	play_free(&pl);
	for (int i = 0; i < T.n; i++) {
		free(T.snap[i]);
		free(T.out[i]);
	}
	vgl_match_ctx_free(T.mctx);
	vgl_ruleset_free(T.rules);
	vgl_state_free(st);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_live_state),
	};

	return cmocka_run_group_tests(tests, procfix_setup, procfix_teardown);
}
