// SPDX-License-Identifier: Apache-2.0
/*
 * The state tracker's `changes` callback (rules/state.h), which a capture's
 * fast path trusts to skip looking an event's context up: it moves with
 * every change of what proc, container, proc_env or users_of answer (a
 * process read from /proc, its exit reaped), and stays put while events
 * change nothing and when descriptors are looked up. The real /proc: this
 * process and its parent.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "state/state.h"
#include "test_capture_util.h"

#define UNUSED __attribute__((unused))
#define TS0    1000000000ull

static void event(struct vgl_state *st, enum vgl_kind kind, uint32_t pid, uint64_t ts)
{
	struct tspec s = { kind,       pid,	 (uint32_t)getppid(),
			   getuid(),   getuid(), getgid(),
			   UINT32_MAX, 1,	 ts,
			   3,	       "test" };
	struct trec *t = tstart(&s);
	struct vgl_event ev;

	if (kind == VGL_EV_OPENAT) {
		trec_s64(t, -100);
		trec_str(t, "/etc/hosts");
		trec_str(t, "/etc/hosts");
		trec_u64(t, 0);
		trec_u64(t, 0);
	} else { /* VGL_EV_PROCEXIT */
		trec_s64(t, 0);
		trec_s64(t, 0);
		trec_u64(t, 0);
		trec_u64(t, 0);
	}
	tbuild(t, &ev);
	vgl_state_update(st, &ev);
	free(t);
}

static void test_changes(void **state UNUSED)
{
	const struct vgl_field_state_ops *ops = vgl_state_ops();
	uint32_t self = (uint32_t)getpid();
	struct vgl_state_opts o;
	struct vgl_state *st;
	uint64_t c;

	vgl_state_opts_default(&o);
	o.scan_proc = false;
	st = vgl_state_new(&o);
	assert_non_null(st);
	assert_non_null(ops->changes);
	c = ops->changes(st);
	assert_int_not_equal(c, 0);
	event(st, VGL_EV_OPENAT, self, TS0); /* read from /proc: a new answer */
	assert_int_not_equal(ops->changes(st), c);
	assert_non_null(ops->proc(st, self));
	assert_non_null(ops->container(st, 1, self));
	c = ops->changes(st);
	for (int i = 1; i < 10; i++) {
		event(st, VGL_EV_OPENAT, self, TS0 + (uint64_t)i);
		assert_non_null(ops->proc(st, self));
		ops->fd(st, self, 0); /* descriptors are not counted */
		ops->fd(st, self, 1);
	}
	assert_int_equal(ops->changes(st), c);
	event(st, VGL_EV_PROCEXIT, self, TS0 + 10); /* proc_env is no longer read */
	assert_int_not_equal(ops->changes(st), c);
	c = ops->changes(st);
	assert_non_null(ops->proc(st, self)); /* still there, for its grace */
	assert_int_equal(ops->changes(st), c);
	event(st, VGL_EV_PROCEXIT, self, TS0 + 20 + VGL_PROC_GRACE_NS_DEFAULT); /* reaped */
	assert_int_not_equal(ops->changes(st), c);
	vgl_state_free(st);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_changes),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
