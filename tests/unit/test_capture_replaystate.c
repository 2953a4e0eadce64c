// SPDX-License-Identifier: Apache-2.0
/*
 * The recorded state (capture/replaystate.h): what the rule engine's
 * callbacks answer after context records are applied in order; processes and
 * descriptors that are gone; a container answer for one process against its
 * cgroup's; the names a process sees through its container; malformed
 * records refused without a change; the bounds.
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

#include "capture/record.h"
#include "capture/replaystate.h"

#define UNUSED __attribute__((unused))

static struct vgl_capbuf b;

static int apply(struct vgl_replaystate *rs, uint32_t type)
{
	assert_int_equal(b.err, 0);
	return vgl_replaystate_apply(rs, type, b.data, b.len);
}

static void put_proc(struct vgl_replaystate *rs, uint32_t pid, uint32_t ppid, const char *name)
{
	struct vgl_proc_view v = { .pid = pid, .ppid = ppid, .name = name, .tty = -1 };

	vgl_caprec_proc(&b, &v);
	assert_int_equal(apply(rs, VGL_CAP_REC_PROC), 0);
}

static void put_ctr(struct vgl_replaystate *rs, uint64_t cg, uint32_t pid, const char *id)
{
	struct vgl_container_view v = { .id = id, .name = id };

	vgl_caprec_container(&b, cg, pid, id ? &v : NULL);
	assert_int_equal(apply(rs, VGL_CAP_REC_CONTAINER), 0);
}

static const char *ctr_id(struct vgl_replaystate *rs, uint64_t cg, uint32_t pid)
{
	const struct vgl_container_view *c = vgl_replaystate_ops()->container(rs, cg, pid);

	return c ? c->id : "(none)";
}

static void test_processes(void **state UNUSED)
{
	struct vgl_replaystate *rs = vgl_replaystate_new("node-1");
	const struct vgl_field_state_ops *o = vgl_replaystate_ops();
	const struct vgl_proc_view *v;
	struct vgl_replaystate_stats st;
	size_t len = 0;

	assert_non_null(rs);
	assert_string_equal(o->hostname(rs), "node-1");
	assert_null(o->proc(rs, 10));
	put_proc(rs, 10, 1, "sh");
	v = o->proc(rs, 10);
	assert_non_null(v);
	assert_string_equal(v->name, "sh");
	assert_int_equal(v->ppid, 1);
	assert_int_equal(v->tty, -1);
	/* proc.env and the upper layer: unknown until their record */
	assert_null(o->proc_env(rs, 10, &len));
	assert_int_equal(o->exe_upper_layer(rs, 10), -1);
	vgl_caprec_proc_lazy(&b, 10, "A=1\0B=2", 7, 1);
	assert_int_equal(apply(rs, VGL_CAP_REC_PROC_LAZY), 0);
	assert_memory_equal(o->proc_env(rs, 10, &len), "A=1\0B=2", 8);
	assert_int_equal(len, 7);
	assert_int_equal(o->exe_upper_layer(rs, 10), 1);
	/* an exec: the new view, the lazy answers kept until their own record */
	put_proc(rs, 10, 1, "cat");
	assert_string_equal(o->proc(rs, 10)->name, "cat");
	assert_int_equal(o->exe_upper_layer(rs, 10), 1);
	/* gone: nothing left, lazy answers included */
	vgl_caprec_proc_gone(&b, 10);
	assert_int_equal(apply(rs, VGL_CAP_REC_PROC_GONE), 0);
	assert_null(o->proc(rs, 10));
	assert_null(o->proc_env(rs, 10, &len));
	assert_int_equal(o->exe_upper_layer(rs, 10), -1);
	/* the pid again: a new process knows nothing of the old one's env */
	put_proc(rs, 10, 2, "new");
	assert_null(o->proc_env(rs, 10, &len));
	/* lazy answers of an unknown process are not kept */
	vgl_caprec_proc_lazy(&b, 11, "X=1", 3, 0);
	assert_int_equal(apply(rs, VGL_CAP_REC_PROC_LAZY), 0);
	assert_null(o->proc_env(rs, 11, &len));
	vgl_replaystate_stats(rs, &st);
	assert_int_equal(st.applied, 6);
	assert_int_equal(st.malformed, 0);
	assert_int_equal(vgl_replaystate_set_hostname(rs, "node-2"), 0);
	assert_string_equal(o->hostname(rs), "node-2");
	vgl_replaystate_free(rs);
}

/* The newer of a process's own answer and its cgroup's is the answer. */
static void test_containers(void **state UNUSED)
{
	struct vgl_replaystate *rs = vgl_replaystate_new("h");

	assert_string_equal(ctr_id(rs, 500, 7), "(none)");
	put_ctr(rs, 500, 0, "aaaa");
	assert_string_equal(ctr_id(rs, 500, 7), "aaaa");
	assert_string_equal(ctr_id(rs, 500, 8), "aaaa");
	assert_string_equal(ctr_id(rs, 500, 0), "aaaa");
	put_ctr(rs, 500, 7, "bbbb"); /* pid 7 alone (cgroup v1, or it moved) */
	assert_string_equal(ctr_id(rs, 500, 7), "bbbb");
	assert_string_equal(ctr_id(rs, 500, 8), "aaaa");
	put_ctr(rs, 500, 0, "cccc"); /* the cgroup's answer, newer than pid 7's */
	assert_string_equal(ctr_id(rs, 500, 7), "cccc");
	put_ctr(rs, 500, 7, NULL); /* unknown for pid 7 */
	assert_string_equal(ctr_id(rs, 500, 7), "(none)");
	assert_string_equal(ctr_id(rs, 500, 8), "cccc");
	assert_string_equal(ctr_id(rs, 501, 8), "(none)");
	vgl_replaystate_free(rs);
}

/* Names come from the container a USER record bound the process to. */
static void test_users(void **state UNUSED)
{
	struct vgl_replaystate *rs = vgl_replaystate_new("h");
	const struct vgl_field_state_ops *o = vgl_replaystate_ops();

	vgl_caprec_user(&b, 0, 10, "host", "root", "/root", "/bin/bash");
	assert_int_equal(apply(rs, VGL_CAP_REC_USER), 0);
	vgl_caprec_user(&b, 0, 20, "0123456789ab", "root", "/root", "/bin/ash");
	assert_int_equal(apply(rs, VGL_CAP_REC_USER), 0);
	vgl_caprec_user(&b, 1000, 20, "0123456789ab", "app", NULL, NULL);
	assert_int_equal(apply(rs, VGL_CAP_REC_USER), 0);
	vgl_caprec_group(&b, 0, 20, "0123456789ab", "wheel");
	assert_int_equal(apply(rs, VGL_CAP_REC_GROUP), 0);
	assert_string_equal(o->user_shell(rs, 0, 10), "/bin/bash");
	assert_string_equal(o->user_shell(rs, 0, 20), "/bin/ash");
	assert_string_equal(o->user_name(rs, 1000, 20), "app");
	assert_null(o->user_home(rs, 1000, 20));
	assert_string_equal(o->group_name(rs, 0, 20), "wheel");
	assert_null(o->group_name(rs, 0, 10)); /* the host's group 0 was not written */
	assert_null(o->user_name(rs, 1000, 10));
	assert_string_equal(o->user_name(rs, 0, 99), "root"); /* unbound: the host's */
	assert_string_equal(o->user_shell(rs, 0, 99), "/bin/bash");
	/* pid 20 now sees the host's names (a reused pid, a process that moved) */
	vgl_caprec_user(&b, 1000, 20, "host", NULL, NULL, NULL);
	assert_int_equal(apply(rs, VGL_CAP_REC_USER), 0);
	assert_null(o->user_name(rs, 1000, 20));
	assert_string_equal(o->user_shell(rs, 0, 20), "/bin/bash");
	vgl_replaystate_free(rs);
}

static void test_fds(void **state UNUSED)
{
	struct vgl_replaystate *rs = vgl_replaystate_new("h");
	const struct vgl_field_state_ops *o = vgl_replaystate_ops();
	struct vgl_fd_view f = { .typechar = '4',
				 .name = "1.2.3.4:5->6.7.8.9:80",
				 .l4proto = "tcp" };
	const struct vgl_fd_view *v;

	vgl_caprec_fd(&b, 10, 3, &f);
	assert_int_equal(apply(rs, VGL_CAP_REC_FD), 0);
	f.connected = true;
	vgl_caprec_fd(&b, 10, 3, &f);
	assert_int_equal(apply(rs, VGL_CAP_REC_FD), 0);
	v = o->fd(rs, 10, 3);
	assert_non_null(v);
	assert_int_equal(v->typechar, '4');
	assert_string_equal(v->name, "1.2.3.4:5->6.7.8.9:80");
	assert_string_equal(v->l4proto, "tcp");
	assert_true(v->connected);
	assert_null(o->fd(rs, 10, 4));
	assert_null(o->fd(rs, 11, 3));
	vgl_caprec_fd_gone(&b, 10, 3);
	assert_int_equal(apply(rs, VGL_CAP_REC_FD_GONE), 0);
	assert_null(o->fd(rs, 10, 3));
	vgl_replaystate_free(rs);
}

/* Bad records change nothing and are counted; others are not context. */
static void test_malformed(void **state UNUSED)
{
	struct vgl_replaystate *rs = vgl_replaystate_new(NULL);
	const struct vgl_field_state_ops *o = vgl_replaystate_ops();
	struct vgl_replaystate_stats st;
	static const unsigned char junk[] = { 1, 2, 3 };

	assert_string_equal(o->hostname(rs), "");
	put_proc(rs, 10, 1, "sh");
	vgl_caprec_proc(&b, &(struct vgl_proc_view){ .pid = 10, .name = "evil" });
	for (uint32_t t = VGL_CAP_REC_PROC; t < VGL_CAP_REC_LOSS; t++) {
		assert_int_equal(vgl_replaystate_apply(rs, t, junk, sizeof(junk)), -EINVAL);
		assert_int_equal(vgl_replaystate_apply(rs, t, b.data, b.len - 1), -EINVAL);
	}
	assert_int_equal(vgl_replaystate_apply(rs, VGL_CAP_REC_PROC, NULL, 0), -EINVAL);
	assert_string_equal(o->proc(rs, 10)->name, "sh");
	assert_int_equal(vgl_replaystate_apply(rs, VGL_CAP_REC_EVENT, junk, 3), -EINVAL);
	assert_int_equal(vgl_replaystate_apply(rs, VGL_CAP_REC_LOSS, junk, 3), 0);
	assert_int_equal(vgl_replaystate_apply(rs, 77, junk, 3), 0); /* a later version's */
	vgl_replaystate_stats(rs, &st);
	assert_int_equal(st.applied, 1);
	assert_int_equal(st.malformed, 17);
	vgl_replaystate_free(rs);
}

/* At the bound the least recently updated entry goes; reads do not count. */
static void test_bounds(void **state UNUSED)
{
	struct vgl_replaystate *rs = vgl_replaystate_new("h");
	struct vgl_replaystate_stats st;
	char id[16];
	uint32_t i, n = VGL_REPLAY_CONTAINERS_MAX;

	for (i = 0; i < n; i++) {
		snprintf(id, sizeof(id), "c%u", i);
		put_ctr(rs, 1000 + i, 0, id);
	}
	put_ctr(rs, 1000, 0, "c0-again"); /* updated: last in line now */
	for (i = 0; i < 100; i++)
		assert_string_equal(ctr_id(rs, 1001, 0), "c1"); /* read: still first in line */
	put_ctr(rs, 100000, 0, "new1");
	put_ctr(rs, 100001, 0, "new2");
	assert_string_equal(ctr_id(rs, 1000, 0), "c0-again");
	assert_string_equal(ctr_id(rs, 1001, 0), "(none)");
	assert_string_equal(ctr_id(rs, 1002, 0), "(none)");
	assert_string_equal(ctr_id(rs, 1003, 0), "c3");
	assert_string_equal(ctr_id(rs, 100001, 0), "new2");
	vgl_replaystate_stats(rs, &st);
	assert_int_equal(st.forgotten, 2);
	vgl_replaystate_free(rs);
}

static int teardown(void **state UNUSED)
{
	vgl_capbuf_free(&b);
	return 0;
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_processes), cmocka_unit_test(test_containers),
		cmocka_unit_test(test_users),	  cmocka_unit_test(test_fds),
		cmocka_unit_test(test_malformed), cmocka_unit_test(test_bounds),
	};

	return cmocka_run_group_tests(tests, NULL, teardown);
}
