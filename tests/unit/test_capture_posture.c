// SPDX-License-Identifier: Apache-2.0
/*
 * The CTR_POSTURE context record (capture/record.h): a container view's
 * posture encodes and decodes back to what it was given, every malformed
 * payload is refused; replay sets it on the view the CONTAINER record before
 * it gave, and a capture written before it existed (CONTAINER records alone)
 * replays the posture fields as unknown.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "capture/format.h"
#include "capture/record.h"
#include "capture/replaystate.h"

#define UNUSED __attribute__((unused))

static const struct vgl_ctr_posture full = {
	.known = VGL_PST_ALL,
	.set = VGL_PST_RO_ROOTFS | VGL_PST_NNP | VGL_PST_HOST_NET,
	.cap_effective = 0xa80435fbull,
	.uid = 1000,
	.memory_limit = 64ll << 20,
	.cpu_limit = 500,
	.pids_limit = 100,
	.user = "1000:1000",
	.seccomp = "default",
	.apparmor = "",
	.selinux = NULL,
	.ip = "172.17.0.2,10.0.0.5",
};

static void same(const struct vgl_ctr_posture *a, const struct vgl_ctr_posture *b)
{
	assert_int_equal(a->known, b->known);
	assert_int_equal(a->set, b->set);
	assert_true(a->cap_effective == b->cap_effective);
	assert_true(a->uid == b->uid && a->memory_limit == b->memory_limit);
	assert_true(a->cpu_limit == b->cpu_limit && a->pids_limit == b->pids_limit);
	assert_string_equal(a->user ?: "(NULL)", b->user ?: "(NULL)");
	assert_string_equal(a->seccomp ?: "(NULL)", b->seccomp ?: "(NULL)");
	assert_string_equal(a->apparmor ?: "(NULL)", b->apparmor ?: "(NULL)");
	assert_string_equal(a->selinux ?: "(NULL)", b->selinux ?: "(NULL)");
	assert_string_equal(a->ip ?: "(NULL)", b->ip ?: "(NULL)");
}

static void test_round_trip(void **state UNUSED)
{
	struct vgl_ctr_posture got, none = { 0 };
	struct vgl_capbuf b = { 0 };
	uint64_t cg;
	uint32_t pid;
	void *mem;

	assert_int_equal(vgl_caprec_ctr_posture(&b, 900, 41, &full), 0);
	assert_int_equal(vgl_caprec_decode_ctr_posture(b.data, b.len, &cg, &pid, &got, &mem), 0);
	assert_true(cg == 900);
	assert_int_equal(pid, 41);
	same(&got, &full);
	free(mem);
	/* nothing known: no record */
	assert_int_equal(vgl_caprec_ctr_posture(&b, 900, 0, &none), -EINVAL);
	vgl_capbuf_free(&b);
}

static void test_malformed(void **state UNUSED)
{
	struct vgl_capbuf b = { 0 };
	struct vgl_ctr_posture got;
	uint64_t cg;
	uint32_t pid;
	void *mem;
	size_t len;

	assert_int_equal(vgl_caprec_ctr_posture(&b, 900, 0, &full), 0);
	len = b.len;
	assert_int_equal(vgl_caprec_decode_ctr_posture(b.data, len - 1, &cg, &pid, &got, &mem),
			 -EINVAL);
	assert_int_equal(vgl_caprec_decode_ctr_posture(b.data, 20, &cg, &pid, &got, &mem), -EINVAL);
	assert_int_equal(vgl_caprec_decode_ctr_posture(NULL, 0, &cg, &pid, &got, &mem), -EINVAL);
	b.data[14] = 0x08; /* known: a bit not listed (1 << 19) */
	assert_int_equal(vgl_caprec_decode_ctr_posture(b.data, len, &cg, &pid, &got, &mem),
			 -EINVAL);
	b.data[14] = 0;
	b.data[16] |= 0x01; /* set: capabilities is no boolean... */
	b.data[12] = 0x02;  /* ...and known lacks it */
	assert_int_equal(vgl_caprec_decode_ctr_posture(b.data, len, &cg, &pid, &got, &mem),
			 -EINVAL);
	assert_int_equal(vgl_caprec_ctr_posture(&b, 900, 0, &full), 0);
	b.data[60 + 4] = '\0'; /* a NUL inside user */
	assert_int_equal(vgl_caprec_decode_ctr_posture(b.data, len, &cg, &pid, &got, &mem),
			 -EINVAL);
	assert_int_equal(vgl_caprec_ctr_posture(&b, 900, 0, &full), 0);
	b.data[60] = 0xf0; /* user's length overruns the payload */
	assert_int_equal(vgl_caprec_decode_ctr_posture(b.data, len, &cg, &pid, &got, &mem),
			 -EINVAL);
	vgl_capbuf_free(&b);
}

static struct vgl_capbuf b;

static int apply(struct vgl_replaystate *rs, uint32_t type)
{
	assert_int_equal(b.err, 0);
	return vgl_replaystate_apply(rs, type, b.data, b.len);
}

static void put_ctr(struct vgl_replaystate *rs, uint64_t cg, uint32_t pid, const char *id)
{
	struct vgl_container_view v = { .id = id, .name = id };

	vgl_caprec_container(&b, cg, pid, &v);
	assert_int_equal(apply(rs, VGL_CAP_REC_CONTAINER), 0);
}

static const struct vgl_ctr_posture *posture(struct vgl_replaystate *rs, uint64_t cg, uint32_t pid)
{
	const struct vgl_container_view *c = vgl_replaystate_ops()->container(rs, cg, pid);

	assert_non_null(c);
	return &c->posture;
}

static void test_replay(void **state UNUSED)
{
	struct vgl_replaystate *rs = vgl_replaystate_new("h");
	struct vgl_replaystate_stats st;
	uint64_t version;

	/* a capture written before CTR_POSTURE: the container, its posture unknown */
	put_ctr(rs, 900, 0, "c900aaaaaaaa");
	assert_int_equal(posture(rs, 900, 41)->known, 0);
	assert_null(posture(rs, 900, 41)->seccomp);
	version = vgl_replaystate_ops()->container(rs, 900, 41)->version;
	vgl_caprec_ctr_posture(&b, 900, 0, &full);
	assert_int_equal(apply(rs, VGL_CAP_REC_CTR_POSTURE), 0);
	same(posture(rs, 900, 41), &full);
	assert_true(vgl_replaystate_ops()->container(rs, 900, 41)->version != version);
	/* a newer CONTAINER record alone: its view has no posture */
	put_ctr(rs, 900, 0, "c900aaaaaaaa");
	assert_int_equal(posture(rs, 900, 41)->known, 0);
	/* for a container no record gave (its CONTAINER record lost): ignored */
	vgl_caprec_ctr_posture(&b, 901, 0, &full);
	assert_int_equal(apply(rs, VGL_CAP_REC_CTR_POSTURE), 0);
	assert_null(vgl_replaystate_ops()->container(rs, 901, 0));
	/* malformed: refused, counted */
	vgl_caprec_ctr_posture(&b, 900, 0, &full);
	assert_int_equal(vgl_replaystate_apply(rs, VGL_CAP_REC_CTR_POSTURE, b.data, b.len - 1),
			 -EINVAL);
	vgl_replaystate_stats(rs, &st);
	assert_true(st.malformed == 1);
	assert_int_equal(posture(rs, 900, 41)->known, 0);
	vgl_replaystate_free(rs);
	vgl_capbuf_free(&b);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_round_trip),
		cmocka_unit_test(test_malformed),
		cmocka_unit_test(test_replay),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
