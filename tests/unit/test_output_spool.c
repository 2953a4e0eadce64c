// SPDX-License-Identifier: Apache-2.0
/*
 * The spool: order across segments and restarts, what shutdown puts in
 * front, the byte limit, and damaged records that cost only their segment.
 */
#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <unistd.h>

#include <cmocka.h>

#include "output/spool.h"
#include "test_output_util.h"

#define UNUSED __attribute__((unused))

static struct vgl_spool *sp_open(const char *dir, uint64_t max)
{
	struct vgl_spool *sp = NULL;
	char err[256] = "";

	assert_int_equal(vgl_spool_open(dir, max, &sp, err, sizeof(err)), 0);
	return sp;
}

static void append_n(struct vgl_spool *sp, int from, int n, const char *msg)
{
	for (int i = from; i < from + n; i++) {
		struct vgl_alert *a = talert("r", msg, i);

		assert_int_equal(vgl_spool_append(sp, a), 0);
		vgl_alert_unref(a);
	}
}

/* Read everything left in batches of @batch; check the times run @from, @from+1, ... */
static int drain(struct vgl_spool *sp, int from, size_t batch, uint64_t *corrupt)
{
	struct vgl_alert *out[64];
	size_t n;
	int next = from;

	for (;;) {
		assert_int_equal(vgl_spool_peek(sp, out, batch, &n, corrupt), 0);
		if (!n)
			break;
		for (size_t i = 0; i < n; i++) {
			assert_int_equal(out[i]->time_ns, next++);
			vgl_alert_unref(out[i]);
		}
		vgl_spool_commit(sp);
	}
	return next - from;
}

static int count_files(const char *dir)
{
	char cmd[512], buf[32] = "";
	FILE *f;

	snprintf(cmd, sizeof(cmd), "ls '%s' | grep -c spool", dir);
	f = popen(cmd, "r");
	assert_non_null(fgets(buf, sizeof(buf), f));
	pclose(f);
	return atoi(buf);
}

static void test_fifo(void **state UNUSED)
{
	char dir[64];
	struct vgl_spool *sp;
	struct vgl_alert *out[8], *again[8];
	uint64_t corrupt = 0;
	size_t n, m;

	tmkdir(dir, sizeof(dir));
	sp = sp_open(dir, 1 << 20);
	append_n(sp, 0, 100, "m");
	assert_int_equal(vgl_spool_count(sp), 100);
	/* a peek that is not committed is read again */
	assert_int_equal(vgl_spool_peek(sp, out, 8, &n, &corrupt), 0);
	assert_int_equal(vgl_spool_peek(sp, again, 8, &m, &corrupt), 0);
	assert_int_equal(n, 8);
	assert_int_equal(m, 8);
	assert_int_equal(again[7]->time_ns, out[7]->time_ns);
	for (size_t i = 0; i < 8; i++) {
		vgl_alert_unref(out[i]);
		vgl_alert_unref(again[i]);
	}
	assert_int_equal(drain(sp, 0, 7, &corrupt), 100);
	assert_int_equal(vgl_spool_count(sp), 0);
	assert_int_equal(corrupt, 0);
	/* appends after the spool ran empty come out too */
	append_n(sp, 100, 3, "m");
	assert_int_equal(drain(sp, 100, 7, &corrupt), 3);
	vgl_spool_close(sp);
	trm(dir);
}

/* Alerts of 100 KiB: several 4 MiB segments, read in order, removed when read. */
static void test_segments(void **state UNUSED)
{
	char dir[64], *big = malloc(100 << 10);
	struct vgl_spool *sp;
	uint64_t corrupt = 0;

	memset(big, 'b', (100 << 10) - 1);
	big[(100 << 10) - 1] = '\0';
	tmkdir(dir, sizeof(dir));
	sp = sp_open(dir, 64 << 20);
	append_n(sp, 0, 100, big);
	assert_true(count_files(dir) >= 3);
	assert_true(vgl_spool_bytes(sp) > 100ull * (100 << 10));
	assert_int_equal(drain(sp, 0, 5, &corrupt), 100);
	assert_true(count_files(dir) <= 1); /* the one being written may stay */
	vgl_spool_close(sp);
	trm(dir);
	free(big);
}

/* What was delivered before a restart is not delivered again. */
static void test_restart(void **state UNUSED)
{
	char dir[64];
	struct vgl_spool *sp;
	struct vgl_alert *out[3];
	uint64_t corrupt = 0;
	size_t n;

	tmkdir(dir, sizeof(dir));
	sp = sp_open(dir, 1 << 20);
	append_n(sp, 0, 10, "m");
	assert_int_equal(vgl_spool_peek(sp, out, 3, &n, &corrupt), 0);
	for (size_t i = 0; i < n; i++)
		vgl_alert_unref(out[i]);
	vgl_spool_commit(sp);
	vgl_spool_close(sp);
	sp = sp_open(dir, 1 << 20);
	assert_int_equal(vgl_spool_count(sp), 7);
	append_n(sp, 10, 2, "m"); /* behind what the last run left */
	assert_int_equal(drain(sp, 3, 4, &corrupt), 9);
	vgl_spool_close(sp);
	trm(dir);
}

/* Shutdown puts what was still queued (older) in front of the spool. */
static void test_prepend(void **state UNUSED)
{
	char dir[64];
	struct vgl_spool *sp;
	struct vgl_alert *front[5];
	uint64_t corrupt = 0;

	tmkdir(dir, sizeof(dir));
	sp = sp_open(dir, 1 << 20);
	append_n(sp, 5, 5, "m");
	for (int i = 0; i < 5; i++)
		front[i] = talert("r", "m", i);
	assert_int_equal(vgl_spool_prepend(sp, front, 5), 5);
	for (int i = 0; i < 5; i++)
		vgl_alert_unref(front[i]);
	vgl_spool_close(sp); /* and it survives a restart */
	sp = sp_open(dir, 1 << 20);
	assert_int_equal(vgl_spool_count(sp), 10);
	assert_int_equal(drain(sp, 0, 3, &corrupt), 10);
	vgl_spool_close(sp);
	trm(dir);
}

static void test_full(void **state UNUSED)
{
	char dir[64];
	struct vgl_spool *sp;
	uint64_t corrupt = 0, max = 64 << 10;
	int ok = 0, err;

	tmkdir(dir, sizeof(dir));
	sp = sp_open(dir, max);
	for (;;) {
		struct vgl_alert *a = talert("r", "m", ok);

		err = vgl_spool_append(sp, a);
		vgl_alert_unref(a);
		if (err)
			break;
		ok++;
	}
	assert_int_equal(err, -ENOSPC);
	assert_true(ok > 100);
	assert_int_equal(vgl_spool_count(sp), ok);
	assert_true(vgl_spool_bytes(sp) <= max);
	assert_int_equal(drain(sp, 0, 64, &corrupt), ok);
	vgl_spool_close(sp);
	trm(dir);
}

/* A damaged record costs the rest of its segment, reported; the spool goes on. */
static void test_corrupt(void **state UNUSED)
{
	char dir[64], path[128];
	struct vgl_spool *sp;
	uint64_t corrupt = 0;
	int fd;

	tmkdir(dir, sizeof(dir));
	sp = sp_open(dir, 1 << 20);
	append_n(sp, 0, 10, "0123456789");
	vgl_spool_close(sp);
	snprintf(path, sizeof(path), "%s/8000000000000000.spool", dir);
	fd = open(path, O_WRONLY);
	assert_true(fd >= 0);
	/* a byte in the 5th record's payload: each record is the same size */
	{
		off_t size = lseek(fd, 0, SEEK_END), rec = size / 10;

		assert_int_equal(pwrite(fd, "X", 1, 4 * rec + rec - 2), 1);
	}
	close(fd);
	sp = sp_open(dir, 1 << 20);
	assert_int_equal(vgl_spool_count(sp), 4);
	append_n(sp, 4, 3, "0123456789"); /* a new segment: readable */
	assert_int_equal(drain(sp, 0, 8, &corrupt), 7);
	assert_int_equal(corrupt, 1);
	vgl_spool_close(sp);
	trm(dir);
}

static void test_bad_dir(void **state UNUSED)
{
	struct vgl_spool *sp = NULL;
	char err[256] = "";

	assert_int_equal(vgl_spool_open("/proc/nonexistent/spool", 1 << 20, &sp, err, sizeof(err)),
			 -ENOENT);
	assert_string_equal(err, "spool /proc/nonexistent/spool: cannot create: No such file or "
				 "directory");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_fifo),	cmocka_unit_test(test_segments),
		cmocka_unit_test(test_restart), cmocka_unit_test(test_prepend),
		cmocka_unit_test(test_full),	cmocka_unit_test(test_corrupt),
		cmocka_unit_test(test_bad_dir),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
