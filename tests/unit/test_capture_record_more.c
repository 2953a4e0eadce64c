// SPDX-License-Identifier: Apache-2.0
/*
 * The context records added after the first ones (capture/record.h): EXE
 * (proc.exe_ino*) and FD_ADDR (a followed socket's ends) encode and decode
 * back to what they were given; every malformed payload is refused.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdbool.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "capture/record.h"

static void test_exe(void **state)
{
	struct vgl_exe_stat st = { 123456789, 1700000000123456789ll, -5 }, got;
	struct vgl_capbuf b = { 0 };
	uint32_t pid;
	bool known;

	(void)state;
	assert_int_equal(vgl_caprec_exe(&b, 42, &st), 0);
	assert_int_equal(b.len, 29);
	assert_int_equal(vgl_caprec_decode_exe(b.data, b.len, &pid, &known, &got), 0);
	assert_int_equal(pid, 42);
	assert_true(known);
	assert_memory_equal(&got, &st, sizeof(st));
	assert_int_equal(vgl_caprec_decode_exe(b.data, b.len - 1, &pid, &known, &got), -EINVAL);
	b.data[4] = 2; /* known is 0 or 1 */
	assert_int_equal(vgl_caprec_decode_exe(b.data, b.len, &pid, &known, &got), -EINVAL);
	b.data[4] = 0; /* unknown, with numbers */
	assert_int_equal(vgl_caprec_decode_exe(b.data, b.len, &pid, &known, &got), -EINVAL);
	assert_int_equal(vgl_caprec_exe(&b, 43, NULL), 0);
	assert_int_equal(vgl_caprec_decode_exe(b.data, b.len, &pid, &known, &got), 0);
	assert_int_equal(pid, 43);
	assert_false(known);
	vgl_capbuf_free(&b);
}

static void test_config(void **state)
{
	static const char json[] = "{\"icc\": false}";
	struct vgl_capbuf b = { 0 };
	struct vgl_caprec_config d;

	(void)state;
	assert_int_equal(vgl_caprec_config(&b, 42, "/etc/docker/daemon.json", json, 14, 0), 0);
	assert_int_equal(vgl_caprec_decode_config(b.data, b.len, &d), 0);
	assert_int_equal(d.pid, 42);
	assert_int_equal(d.err, 0);
	assert_int_equal(d.path_len, 23);
	assert_memory_equal(d.path, "/etc/docker/daemon.json", 23);
	assert_int_equal(d.len, 14);
	assert_memory_equal(d.data, json, 14);
	assert_int_equal(vgl_caprec_decode_config(b.data, b.len - 1, &d), -EINVAL);
	assert_int_equal(vgl_caprec_decode_config(b.data, 11, &d), -EINVAL);
	b.data[12] = 'x'; /* the path is absolute */
	assert_int_equal(vgl_caprec_decode_config(b.data, b.len, &d), -EINVAL);
	/* unknown: no bytes */
	assert_int_equal(vgl_caprec_config(&b, 7, "/d.json", NULL, 0, -EACCES), 0);
	assert_int_equal(vgl_caprec_decode_config(b.data, b.len, &d), 0);
	assert_int_equal(d.err, -EACCES);
	assert_null(d.data);
	assert_int_equal(vgl_caprec_config(&b, 7, "/d.json", json, 14, -EACCES), -EINVAL);
	assert_int_equal(vgl_caprec_config(&b, 7, "/d.json", NULL, 0, 0), -EINVAL);
	vgl_capbuf_free(&b);
}

/* Field by field: the struct has a padding byte. */
static void same_end(const struct vgl_fd_end *a, const struct vgl_fd_end *b)
{
	assert_int_equal(a->fam, b->fam);
	assert_int_equal(a->port, b->port);
	assert_memory_equal(a->ip, b->ip, sizeof(a->ip));
}

static void test_fd_addr(void **state)
{
	struct vgl_fd_view v = { .typechar = '6', .local_is_server = true };
	struct vgl_fd_view got = { 0 }, none = { .typechar = 'f' };
	struct vgl_capbuf b = { 0 };
	uint32_t pid;
	int64_t fd;

	(void)state;
	v.local = (struct vgl_fd_end){ .fam = 6, .port = 443, .ip = { 0x20, 0x01, [15] = 1 } };
	v.remote = (struct vgl_fd_end){ .fam = 6, .port = 51000, .ip = { 0xfe, 0x80, [15] = 9 } };
	assert_int_equal(vgl_caprec_fd_addr(&b, 7, 1 << 20, &v), 0);
	assert_int_equal(b.len, 51);
	assert_int_equal(vgl_caprec_decode_fd_addr(b.data, b.len, &pid, &fd, &got), 0);
	assert_int_equal(pid, 7);
	assert_int_equal(fd, 1 << 20);
	assert_true(got.local_is_server);
	same_end(&got.local, &v.local);
	same_end(&got.remote, &v.remote);
	assert_int_equal(vgl_caprec_decode_fd_addr(b.data, b.len - 1, &pid, &fd, &got), -EINVAL);
	b.data[12] = 2; /* local_is_server is 0 or 1 */
	assert_int_equal(vgl_caprec_decode_fd_addr(b.data, b.len, &pid, &fd, &got), -EINVAL);
	b.data[12] = 0;
	b.data[13] = 5; /* a family other than 0, 4, 6 */
	assert_int_equal(vgl_caprec_decode_fd_addr(b.data, b.len, &pid, &fd, &got), -EINVAL);
	b.data[13] = 4;
	b.data[13 + 19] = 7;
	assert_int_equal(vgl_caprec_decode_fd_addr(b.data, b.len, &pid, &fd, &got), -EINVAL);
	/* a view without ends has no FD_ADDR */
	assert_int_equal(vgl_caprec_fd_addr(&b, 7, 3, &none), -EINVAL);
	vgl_capbuf_free(&b);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_exe),
		cmocka_unit_test(test_config),
		cmocka_unit_test(test_fd_addr),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
