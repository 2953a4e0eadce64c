// SPDX-License-Identifier: Apache-2.0
/* vgl_decode(): every parameter type decodes, every malformed record is refused. */
#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>

#include <cmocka.h>

#include "decode/event.h"
#include "test_record.h"

#define UNUSED __attribute__((unused))

static const char *const ls_argv[] = { "ls", "-l", NULL };

/* Decode r's record; assert success. */
static void decode_ok(struct trec *r, struct vgl_event *ev)
{
	enum vgl_decode_err err = VGL_DECODE_SIZE;
	size_t size = trec_finish(r);

	assert_int_equal(vgl_decode(r->rec, size, ev, &err), 0);
	assert_int_equal(err, VGL_DECODE_OK);
}

/* Decode @size bytes of r's finished record; assert refusal with @want. */
static void decode_bad(struct trec *r, size_t size, enum vgl_decode_err want)
{
	struct vgl_event ev, before;
	enum vgl_decode_err err = VGL_DECODE_OK;

	memset(&ev, 0xa5, sizeof(ev));
	before = ev;
	assert_int_equal(vgl_decode(r->rec, size, &ev, &err), -EINVAL);
	assert_int_equal(err, want);
	assert_memory_equal(&ev, &before, sizeof(ev)); /* untouched on failure */
	assert_int_equal(vgl_decode(r->rec, size, &ev, NULL), -EINVAL);
	free(r);
}

static struct trec *openat_rec(void)
{
	struct trec *r = trec_new(VGL_EV_OPENAT);

	r->hdr.res = 3;
	trec_s64(r, AT_FDCWD);
	trec_str(r, "passwd");
	trec_str(r, "/etc/passwd");
	trec_u64(r, O_RDONLY | O_CLOEXEC);
	trec_u64(r, 0644);
	return r;
}

static void test_header_and_numbers(void **state UNUSED)
{
	struct trec *r = openat_rec();
	struct vgl_event ev;

	decode_ok(r, &ev);
	assert_int_equal(ev.kind, VGL_EV_OPENAT);
	assert_ptr_equal(ev.info, &vgl_kind_info[VGL_EV_OPENAT]);
	assert_string_equal(ev.info->name, "openat");
	assert_int_equal(ev.nparams, 5);
	assert_int_equal(ev.hdr.size, r->size);
	assert_int_equal(ev.hdr.ts, TREC_TS);
	assert_int_equal(ev.hdr.res, 3);
	assert_int_equal(ev.hdr.pid, TREC_PID);
	assert_int_equal(ev.hdr.ppid, TREC_PPID);
	assert_int_equal(ev.hdr.loginuid, UINT32_MAX);
	assert_int_equal(ev.hdr.cgroup_id, 4242);
	assert_string_equal(ev.hdr.comm, "cat");
	assert_int_equal(ev.params[0].num.i, AT_FDCWD);
	assert_false(ev.params[0].absent);
	assert_string_equal(ev.params[0].info->name, "dirfd");
	assert_int_equal(ev.params[3].num.u, O_RDONLY | O_CLOEXEC);
	assert_int_equal(ev.params[4].num.u, 0644);
	assert_int_equal(ev.params[4].info->type, VGL_PT_MODE);
	free(r);
}

static void test_strings_point_into_record(void **state UNUSED)
{
	struct trec *r = openat_rec();
	struct vgl_event ev;

	decode_ok(r, &ev);
	assert_string_equal(ev.params[1].str, "passwd");
	assert_int_equal(ev.params[1].len, 6);
	assert_string_equal(ev.params[2].str, "/etc/passwd");
	assert_int_equal(ev.params[2].len, 11);
	assert_true((const uint8_t *)ev.params[2].str > r->rec);
	assert_true((const uint8_t *)ev.params[2].str < r->rec + r->size);
	assert_ptr_equal(vgl_event_param(&ev, "path"), &ev.params[2]);
	assert_null(vgl_event_param(&ev, "nope"));
	free(r);
}

static void test_negative_numbers(void **state UNUSED)
{
	struct trec *r = trec_new(VGL_EV_PROCEXIT);
	struct vgl_event ev;

	trec_s64(r, -1);
	trec_s64(r, INT64_MIN);
	trec_u64(r, 9);
	trec_u64(r, UINT64_MAX);
	decode_ok(r, &ev);
	assert_int_equal(ev.params[0].num.i, -1);
	assert_true(ev.params[1].num.i == INT64_MIN);
	assert_int_equal(ev.params[2].num.i, 9);
	assert_true(ev.params[3].num.u == UINT64_MAX);
	free(r);
}

/* Wire version 3: each number in the fewest of 1, 2, 4, 8 bytes, sign-extended. */
static void test_short_numbers(void **state UNUSED)
{
	static const struct {
		int64_t v;
		size_t len;
	} nums[] = {
		{ 0x7f, 1 },	  { -128, 1 },	       { -2, 1 },
		{ 0x1234, 2 },	  { -30000, 2 },       { 0x12345678, 4 },
		{ INT32_MIN, 4 }, { 0xffffffffLL, 8 }, { INT64_MIN, 8 },
	};

	for (size_t i = 0; i < sizeof(nums) / sizeof(nums[0]); i++) {
		struct trec *r = trec_new(VGL_EV_SETGID);
		struct vgl_event ev;
		int64_t v = nums[i].v;

		trec_bytes(r, &v, nums[i].len); /* the low-order bytes: little-endian */
		trec_bytes(r, &v, 1);
		trec_u64(r, 1000);
		decode_ok(r, &ev);
		assert_true(ev.params[0].num.i == v);
		assert_int_equal(ev.params[1].num.i, (int8_t)v);
		assert_int_equal(ev.params[2].num.u, 1000);
		free(r);
	}
}

/* Wire version 3: a path of length 0 is the record's previous path again. */
static void test_path_repeat(void **state UNUSED)
{
	struct trec *r = trec_new(VGL_EV_OPENAT);
	struct vgl_event ev;

	trec_s64(r, AT_FDCWD);
	trec_str(r, "/etc/passwd");
	trec_bytes(r, "", 0);
	trec_u64(r, O_RDONLY);
	trec_u64(r, 0);
	decode_ok(r, &ev);
	assert_false(ev.params[2].absent);
	assert_string_equal(ev.params[2].str, "/etc/passwd");
	assert_int_equal(ev.params[2].len, 11);
	free(r);

	r = trec_new(VGL_EV_EXECVE); /* exe repeats filename, past the argv */
	trec_str(r, "/usr/bin/ls");
	trec_argv(r, ls_argv);
	trec_bytes(r, "", 0);
	trec_str(r, "/root");
	decode_ok(r, &ev);
	assert_string_equal(ev.params[2].str, "/usr/bin/ls");
	assert_int_equal(ev.params[2].len, 11);
	assert_string_equal(ev.params[3].str, "/root");
	free(r);

	r = trec_new(VGL_EV_OPENAT); /* nothing to repeat: the name is absent */
	trec_s64(r, AT_FDCWD);
	trec_absent(r);
	trec_bytes(r, "", 0);
	trec_u64(r, O_RDONLY);
	trec_u64(r, 0);
	decode_bad(r, trec_finish(r), VGL_DECODE_PARAM_FORMAT);
}

static struct trec *execve_rec(const char *const *argv)
{
	struct trec *r = trec_new(VGL_EV_EXECVE);

	trec_str(r, "/bin/ls");
	trec_argv(r, argv);
	trec_str(r, "/usr/bin/ls");
	trec_str(r, "/root");
	return r;
}

static void test_argv(void **state UNUSED)
{
	struct trec *r = execve_rec(ls_argv);
	struct vgl_event ev;

	decode_ok(r, &ev);
	assert_int_equal(ev.params[1].num.u, 2); /* argument count */
	assert_int_equal(ev.params[1].len, 5);	 /* "ls\0-l" */
	assert_memory_equal(ev.params[1].str, "ls\0-l", 6);
	assert_string_equal(ev.params[2].str, "/usr/bin/ls");
	free(r);
}

static void test_argv_empty_and_empty_arg(void **state UNUSED)
{
	static const char *const none[] = { NULL };
	static const char *const one_empty[] = { "", NULL };
	static const char *const gaps[] = { "a", "", "b", NULL };
	struct trec *r = execve_rec(none);
	struct vgl_event ev;

	decode_ok(r, &ev); /* execve(path, NULL, ...): no bytes */
	assert_int_equal(ev.params[1].num.u, 0);
	assert_int_equal(ev.params[1].len, 0);
	assert_non_null(ev.params[1].str);
	free(r);

	r = execve_rec(one_empty);
	decode_ok(r, &ev);
	assert_int_equal(ev.params[1].num.u, 1);
	assert_int_equal(ev.params[1].len, 0);
	free(r);

	r = execve_rec(gaps);
	decode_ok(r, &ev);
	assert_int_equal(ev.params[1].num.u, 3);
	assert_int_equal(ev.params[1].len, 4);
	free(r);
}

static struct trec *connect_rec(void)
{
	struct trec *r = trec_new(VGL_EV_CONNECT);

	trec_s64(r, 3);
	return r;
}

static void test_sockaddr_inet(void **state UNUSED)
{
	static const uint8_t v6[16] = { 0x20, 0x01, 0x0d, 0xb8, [15] = 1 };
	struct trec *r = connect_rec();
	struct vgl_event ev;

	trec_sa4(r, "127.0.0.1", 80);
	trec_sa6(r, "2001:db8::1", 443);
	decode_ok(r, &ev);
	assert_int_equal(ev.params[1].sa.family, AF_INET);
	assert_int_equal(ev.params[1].sa.port, 80);
	assert_memory_equal(ev.params[1].sa.addr, "\x7f\0\0\x01", 4);
	assert_null(ev.params[1].sa.path);
	assert_int_equal(ev.params[2].sa.family, AF_INET6);
	assert_int_equal(ev.params[2].sa.port, 443);
	assert_memory_equal(ev.params[2].sa.addr, v6, 16);
	free(r);
}

static void test_sockaddr_unix(void **state UNUSED)
{
	struct trec *r = connect_rec();
	struct vgl_event ev;

	trec_unix(r, "/run/x.sock", 11);
	trec_unix(r, "\0abstract", 9);
	decode_ok(r, &ev);
	assert_int_equal(ev.params[1].sa.family, AF_UNIX);
	assert_int_equal(ev.params[1].sa.path_len, 11);
	assert_memory_equal(ev.params[1].sa.path, "/run/x.sock", 11);
	assert_int_equal(ev.params[2].sa.path_len, 9);
	assert_memory_equal(ev.params[2].sa.path, "\0abstract", 9);
	free(r);
}

static void test_sockaddr_unix_edge(void **state UNUSED)
{
	char full[108];
	struct trec *r = connect_rec();
	struct vgl_event ev;

	memset(full, 'p', sizeof(full));
	trec_unix(r, "/tmp/s\0\0\0", 9); /* a path name ends at its first NUL */
	trec_unix(r, full, sizeof(full));
	decode_ok(r, &ev);
	assert_int_equal(ev.params[1].sa.path_len, 6);
	assert_int_equal(ev.params[2].sa.path_len, 108);
	free(r);

	r = connect_rec();
	trec_unix(r, "", 0); /* unnamed socket */
	trec_sa(r, AF_NETLINK, 0, NULL, 0);
	decode_ok(r, &ev);
	assert_int_equal(ev.params[1].sa.path_len, 0);
	assert_int_equal(ev.params[2].sa.family, AF_NETLINK);
	free(r);
}

static void test_absent(void **state UNUSED)
{
	struct trec *r = connect_rec();
	struct vgl_event ev;

	trec_absent(r);
	trec_sa4(r, "10.0.0.1", 5000);
	decode_ok(r, &ev);
	assert_true(ev.params[1].absent);
	assert_null(ev.params[1].str);
	assert_false(ev.params[2].absent);
	assert_int_equal(ev.params[2].sa.port, 5000);
	free(r);

	r = openat_rec();
	r->lens[1] = VGL_PARAM_ABSENT; /* drop "passwd" from the lengths and data */
	memmove(r->data + 8, r->data + 15, r->dlen - 15);
	r->dlen -= 7;
	decode_ok(r, &ev);
	assert_true(ev.params[1].absent);
	assert_string_equal(ev.params[2].str, "/etc/passwd");
	free(r);
}

/* Every alignment of the record decodes the same. */
static void test_unaligned(void **state UNUSED)
{
	struct trec *r = openat_rec();
	size_t size = trec_finish(r);
	uint8_t *buf = malloc(size + 8);
	struct vgl_event ev;

	for (int off = 0; off < 8; off++) {
		memcpy(buf + off, r->rec, size);
		assert_int_equal(vgl_decode(buf + off, size, &ev, NULL), 0);
		assert_int_equal(ev.params[3].num.u, O_RDONLY | O_CLOEXEC);
		assert_string_equal(ev.params[2].str, "/etc/passwd");
	}
	free(buf);
	free(r);
}

static void test_max_size(void **state UNUSED)
{
	struct trec *r = trec_new(VGL_EV_INIT_MODULE);
	size_t room = VGL_EVENT_MAX - sizeof(struct vgl_hdr) - 2 * 2 - 8;
	char *s = malloc(room);
	struct vgl_event ev;

	memset(s, 'x', room - 1);
	s[room - 1] = '\0';
	trec_u64(r, 1);
	trec_str(r, s);
	decode_ok(r, &ev); /* exactly VGL_EVENT_MAX */
	assert_int_equal(r->size, VGL_EVENT_MAX);
	assert_int_equal(ev.params[1].len, room - 1);
	free(r);

	r = trec_new(VGL_EV_INIT_MODULE);
	s[room - 1] = 'y';
	trec_u64(r, 1);
	trec_raw(r, s, room, (uint16_t)(room + 1));
	r->data[r->dlen++] = '\0';
	decode_bad(r, trec_finish(r), VGL_DECODE_SIZE);
	free(s);
}

static void test_reject_short_header(void **state UNUSED)
{
	static const size_t sizes[] = { 0, 1, 2, 8, sizeof(struct vgl_hdr) - 1 };

	for (size_t i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
		struct trec *r = openat_rec();

		trec_finish(r);
		decode_bad(r, sizes[i], VGL_DECODE_SHORT);
	}
	assert_int_equal(vgl_decode(NULL, 0, NULL, NULL), -EINVAL);
}

static void test_reject_short_len_table(void **state UNUSED)
{
	struct trec *r = openat_rec();
	size_t size = sizeof(struct vgl_hdr) + 2 * 2; /* 2 of 5 lengths */

	trec_finish(r);
	TREC_PATCH(r, size, (uint32_t)size);
	decode_bad(r, size, VGL_DECODE_SHORT);

	r = openat_rec();
	trec_finish(r);
	TREC_PATCH(r, size, (uint32_t)sizeof(struct vgl_hdr));
	decode_bad(r, sizeof(struct vgl_hdr), VGL_DECODE_SHORT);
}

static void test_reject_size_mismatch(void **state UNUSED)
{
	struct trec *r = openat_rec();
	size_t size = trec_finish(r);

	TREC_PATCH(r, size, (uint32_t)size + 1);
	decode_bad(r, size, VGL_DECODE_SIZE);

	r = openat_rec();
	size = trec_finish(r);
	TREC_PATCH(r, size, (uint32_t)size - 1);
	decode_bad(r, size, VGL_DECODE_SIZE);

	r = openat_rec();
	size = trec_finish(r);
	decode_bad(r, size - 1, VGL_DECODE_SIZE); /* buffer cut short */

	r = openat_rec();
	size = trec_finish(r);
	TREC_PATCH(r, size, UINT32_MAX);
	decode_bad(r, size, VGL_DECODE_SIZE);
}

static void test_reject_too_big(void **state UNUSED)
{
	struct trec *r = trec_new(VGL_EV_INIT_MODULE);
	uint8_t *pad = calloc(1, VGL_EVENT_MAX);

	/* consistent in itself, but over the limit */
	trec_u64(r, 1);
	trec_bytes(r, pad, VGL_EVENT_MAX);
	decode_bad(r, trec_finish(r), VGL_DECODE_SIZE);
	free(pad);
}

static void test_reject_kind(void **state UNUSED)
{
	static const uint16_t kinds[] = { VGL_EV_UNKNOWN, VGL_EV_MAX, VGL_EV_MAX + 1, 0xffff };

	for (size_t i = 0; i < sizeof(kinds) / sizeof(kinds[0]); i++) {
		struct trec *r = openat_rec();
		size_t size = trec_finish(r);

		TREC_PATCH(r, kind, kinds[i]);
		decode_bad(r, size, VGL_DECODE_KIND);
	}
}

static void test_reject_nparams(void **state UNUSED)
{
	static const uint16_t counts[] = { 0, 4, 6, VGL_MAX_PARAMS + 1, 0xffff };

	for (size_t i = 0; i < sizeof(counts) / sizeof(counts[0]); i++) {
		struct trec *r = openat_rec();

		r->keep_nparams = true;
		r->hdr.nparams = counts[i];
		decode_bad(r, trec_finish(r), VGL_DECODE_NPARAMS);
	}
}

static void test_reject_param_lengths(void **state UNUSED)
{
	struct trec *r = openat_rec();

	r->lens[2] += 1; /* overruns the record by one byte */
	decode_bad(r, trec_finish(r), VGL_DECODE_PARAM_LEN);

	r = openat_rec();
	r->lens[2] -= 1; /* leaves a byte after the last parameter */
	decode_bad(r, trec_finish(r), VGL_DECODE_PARAM_LEN);

	r = openat_rec();
	r->lens[0] = 0xfffe;
	decode_bad(r, trec_finish(r), VGL_DECODE_PARAM_LEN);

	r = openat_rec();
	r->data[r->dlen++] = 0; /* trailing garbage */
	decode_bad(r, trec_finish(r), VGL_DECODE_PARAM_LEN);

	r = openat_rec();
	r->lens[4] = VGL_PARAM_ABSENT; /* absent but its 8 bytes still there */
	decode_bad(r, trec_finish(r), VGL_DECODE_PARAM_LEN);
}

static void test_reject_strings(void **state UNUSED)
{
	struct trec *r = trec_new(VGL_EV_UNLINK);

	trec_bytes(r, "/tmp/x", 6); /* no NUL */
	decode_bad(r, trec_finish(r), VGL_DECODE_PARAM_FORMAT);

	r = trec_new(VGL_EV_UNLINK);
	trec_bytes(r, "", 0); /* a string has at least its NUL */
	decode_bad(r, trec_finish(r), VGL_DECODE_PARAM_FORMAT);

	r = trec_new(VGL_EV_UNLINK);
	trec_bytes(r, "/tmp\0/x", 8); /* NUL inside */
	decode_bad(r, trec_finish(r), VGL_DECODE_PARAM_FORMAT);

	r = execve_rec(ls_argv);
	r->data[r->lens[0] + r->lens[1] - 1] = 'x'; /* argv without final NUL */
	decode_bad(r, trec_finish(r), VGL_DECODE_PARAM_FORMAT);
}

static void test_reject_numbers(void **state UNUSED)
{
	static const size_t lens[] = { 0, 3, 5, 7, 9, 16 };
	uint8_t bytes[16] = { 0 };

	for (size_t i = 0; i < sizeof(lens) / sizeof(lens[0]); i++) {
		struct trec *r = trec_new(VGL_EV_SETUID);

		trec_bytes(r, bytes, lens[i]);
		trec_u64(r, 0);
		trec_u64(r, 0);
		decode_bad(r, trec_finish(r), VGL_DECODE_PARAM_FORMAT);
	}
}

static void sockaddr_bad(uint16_t family, size_t addr_len)
{
	uint8_t addr[128] = { 0 };
	struct trec *r = connect_rec();

	memset(addr, 'a', sizeof(addr));
	trec_sa(r, family, 1, addr, addr_len);
	trec_absent(r);
	decode_bad(r, trec_finish(r), VGL_DECODE_PARAM_FORMAT);
}

static void test_reject_sockaddr(void **state UNUSED)
{
	struct trec *r = connect_rec();

	trec_bytes(r, "\x02\x00\x50", 3); /* shorter than its header */
	trec_absent(r);
	decode_bad(r, trec_finish(r), VGL_DECODE_PARAM_FORMAT);

	sockaddr_bad(AF_INET, 0);
	sockaddr_bad(AF_INET, 3);
	sockaddr_bad(AF_INET, 5);
	sockaddr_bad(AF_INET, 16);
	sockaddr_bad(AF_INET6, 4);
	sockaddr_bad(AF_INET6, 15);
	sockaddr_bad(AF_INET6, 17);
	sockaddr_bad(AF_UNIX, 109);
}

static void test_strerror(void **state UNUSED)
{
	for (int e = VGL_DECODE_OK; e <= VGL_DECODE_PARAM_FORMAT; e++) {
		const char *s = vgl_decode_strerror((enum vgl_decode_err)e);

		assert_non_null(s);
		for (int f = VGL_DECODE_OK; f < e; f++)
			assert_string_not_equal(s, vgl_decode_strerror((enum vgl_decode_err)f));
	}
	assert_non_null(vgl_decode_strerror((enum vgl_decode_err)99));
}

static void test_schema(void **state UNUSED)
{
	assert_null(vgl_kind_info[VGL_EV_UNKNOWN].name);
	for (int k = VGL_EV_UNKNOWN + 1; k < VGL_EV_MAX; k++) {
		const struct vgl_kind_info *info = &vgl_kind_info[k];

		assert_non_null(info->name);
		assert_int_equal(vgl_kind_by_name(info->name), k);
		assert_in_range(info->nparams, 1, VGL_MAX_PARAMS);
		for (unsigned int i = 0; i < info->nparams; i++) {
			assert_in_range(info->params[i].type, VGL_PT_NONE + 1, VGL_PT_MAX - 1);
			/* names are unique within a kind */
			assert_int_equal(vgl_param_index(k, info->params[i].name), i);
		}
	}
	assert_int_equal(vgl_kind_by_name("openat"), VGL_EV_OPENAT);
	assert_int_equal(vgl_kind_by_name("umount2"), VGL_EV_UMOUNT2);
	assert_int_equal(vgl_kind_by_name("nope"), VGL_EV_UNKNOWN);
	assert_int_equal(vgl_kind_by_name(""), VGL_EV_UNKNOWN);
	assert_int_equal(vgl_kind_by_name(NULL), VGL_EV_UNKNOWN);
	assert_int_equal(vgl_param_index(VGL_EV_OPENAT, "flags"), 3);
	assert_int_equal(vgl_param_index(VGL_EV_OPENAT, "nope"), -1);
	assert_int_equal(vgl_param_index(VGL_EV_UNKNOWN, "flags"), -1);
	assert_int_equal(vgl_param_index(VGL_EV_MAX, "flags"), -1);
	assert_int_equal(vgl_kind_info[VGL_EV_CONNECT].params[1].type, VGL_PT_SOCKADDR);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_header_and_numbers),
		cmocka_unit_test(test_strings_point_into_record),
		cmocka_unit_test(test_negative_numbers),
		cmocka_unit_test(test_short_numbers),
		cmocka_unit_test(test_path_repeat),
		cmocka_unit_test(test_argv),
		cmocka_unit_test(test_argv_empty_and_empty_arg),
		cmocka_unit_test(test_sockaddr_inet),
		cmocka_unit_test(test_sockaddr_unix),
		cmocka_unit_test(test_sockaddr_unix_edge),
		cmocka_unit_test(test_absent),
		cmocka_unit_test(test_unaligned),
		cmocka_unit_test(test_max_size),
		cmocka_unit_test(test_reject_short_header),
		cmocka_unit_test(test_reject_short_len_table),
		cmocka_unit_test(test_reject_size_mismatch),
		cmocka_unit_test(test_reject_too_big),
		cmocka_unit_test(test_reject_kind),
		cmocka_unit_test(test_reject_nparams),
		cmocka_unit_test(test_reject_param_lengths),
		cmocka_unit_test(test_reject_strings),
		cmocka_unit_test(test_reject_numbers),
		cmocka_unit_test(test_reject_sockaddr),
		cmocka_unit_test(test_strerror),
		cmocka_unit_test(test_schema),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
