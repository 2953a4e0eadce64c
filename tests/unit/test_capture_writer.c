// SPDX-License-Identifier: Apache-2.0
/*
 * The capture writer as its files show it: every record read back in
 * order, the header a reader sees, rotation by size and time into numbered
 * files that each read alone, retention, the epoch, and every event the
 * writer could not write (full queue, failed write) counted lost.
 */
#include <errno.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/resource.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include "test_capfile_util.h"

#define UNUSED __attribute__((unused))
#define T0     1700000000000000000ull	  /* a wall clock for ticks */
#define T1     (T0 + 1000000000000000ull) /* later than any tick of put_batches() */

static struct vgl_capwriter *wopen(struct vgl_capwriter_opts *o)
{
	struct vgl_capwriter *w = NULL;
	char err[256] = "";

	if (!o->info.wire_version)
		vgl_cap_info_host(&o->info);
	assert_int_equal(vgl_capwriter_open(o, &w, err, sizeof(err)), 0);
	return w;
}

static void put_ev(struct vgl_capwriter *w, uint32_t i, size_t size)
{
	uint8_t *buf = malloc(size);

	tev_make(buf, i, size);
	assert_int_equal(vgl_capwriter_put(w, VGL_CAP_REC_EVENT, buf, size), 0);
	free(buf);
}

/*
 * Flush the partial block (a tick past flush_ns after @now) and wait until
 * the thread has written or lost all @events put: the counters then are final.
 */
static struct vgl_capwriter_stats wsettle(struct vgl_capwriter *w, uint64_t now, uint64_t events)
{
	struct vgl_capwriter_stats st;

	vgl_capwriter_tick(w, now);
	vgl_capwriter_tick(w, now + VGL_CAP_FLUSH_NS_DEFAULT);
	for (int i = 0; i < 5000; i++) {
		vgl_capwriter_stats(w, &st);
		if (st.events + st.events_lost >= events)
			break;
		usleep(1000);
	}
	assert_int_equal(st.events + st.events_lost, events);
	return st;
}

static off_t fsize(const char *path)
{
	struct stat st;

	return stat(path, &st) ? -1 : st.st_size;
}

static void series_name(char *buf, size_t len, const char *dir, unsigned seq)
{
	snprintf(buf, len, "%s/cap.%06u.vgc", dir, seq);
}

/* Many records, small and up to the limit, read back in order with the header. */
static void test_round_trip(void **state UNUSED)
{
	char dir[64], path[128];
	struct vgl_capwriter_opts o = { .path = path };
	struct vgl_capwriter *w;
	struct vgl_capwriter_stats st;
	struct tread t;
	uint32_t n = 20000, big = 0;

	tmkdir_cap(dir, sizeof(dir));
	snprintf(path, sizeof(path), "%s/rt.vgc", dir);
	vgl_cap_info_host(&o.info);
	o.info.flags = VGL_CAP_F_FLIGHT;
	snprintf(o.info.rule, sizeof(o.info.rule), "Terminal shell in container");
	w = wopen(&o);
	assert_string_equal(vgl_capwriter_path(w), path);
	assert_int_equal(vgl_capwriter_epoch(w), 1);
	for (uint32_t i = 0; i < n; i++) {
		size_t size = 64 + (i * 37) % 400;

		if (i % 2000 == 1999)
			size = i == 19999 ? VGL_CAP_RECORD_MAX : 100000 + i, big++;
		put_ev(w, i, size);
		if (i % 100 == 0) /* a context record between events */
			assert_int_equal(vgl_capwriter_put(w, VGL_CAP_REC_PROC, "ctx", 3), 0);
	}
	st = wsettle(w, T0, n);
	assert_int_equal(vgl_capwriter_close(w, NULL), 0);
	assert_int_equal(st.events, n);
	assert_int_equal(st.records, n + n / 100);
	assert_int_equal(st.events_lost, 0);
	assert_int_equal(st.files, 1);
	assert_int_equal(st.file_bytes, fsize(path));

	tread_file(&t, path);
	assert_int_equal(t.ret, 0);
	assert_int_equal(t.nwarn, 0);
	assert_int_equal(t.nseen, n);
	assert_true(tread_run(&t, 0, 0, n));
	assert_int_equal(t.other, n / 100);
	assert_int_equal(t.st.events, n);
	assert_int_equal(t.st.blocks, st.blocks);
	assert_false(t.st.truncated);
	/* the header as written */
	assert_int_equal(t.info.format_version, VGL_CAP_VERSION);
	assert_int_equal(t.info.wire_version, VGL_WIRE_VERSION);
	assert_int_equal(t.info.flags, VGL_CAP_F_FLIGHT);
	assert_string_equal(t.info.rule, "Terminal shell in container");
	assert_string_equal(t.info.vigil_version, VIGIL_VERSION);
	assert_string_equal(t.info.hostname, o.info.hostname);
	assert_string_equal(t.info.kernel_release, o.info.kernel_release);
	assert_string_equal(t.info.arch, o.info.arch);
	assert_true(t.info.hostname[0] && t.info.arch[0] && t.info.kernel_release[0]);
	assert_int_equal(t.info.boot_time_ns, o.info.boot_time_ns);
	assert_true(t.info.boot_time_ns > 1000000000ll * 1000000000ll); /* after 2001 */
	assert_int_equal(t.info.boot_to_realtime_ns, o.info.boot_to_realtime_ns);
	assert_int_equal(t.info.created_ns, o.info.created_ns);
	assert_int_equal(t.info.seq, 0);
	tread_free(&t);
	trm_cap(dir);
}

/* A capture is for root's eyes only; records over the limit are refused and counted. */
static void test_mode_and_limits(void **state UNUSED)
{
	char dir[64], path[128];
	struct vgl_capwriter_opts o = { .path = path };
	struct vgl_capwriter *w;
	struct vgl_capwriter_stats st;
	static uint8_t huge[VGL_CAP_RECORD_MAX + 1];
	mode_t old = umask(0);

	tmkdir_cap(dir, sizeof(dir));
	snprintf(path, sizeof(path), "%s/m.vgc", dir);
	w = wopen(&o);
	umask(old);
	assert_int_equal(fsize(path) > 0, 1);
	assert_int_equal(vgl_capwriter_put(w, VGL_CAP_REC_EVENT, huge, sizeof(huge)), -E2BIG);
	assert_int_equal(vgl_capwriter_put(w, VGL_CAP_REC_PROC, huge, sizeof(huge)), -E2BIG);
	put_ev(w, 0, 100);
	st = wsettle(w, T0, 2);
	assert_int_equal(st.events, 1);
	assert_int_equal(st.events_lost, 1); /* the event, not the context record */
	assert_int_equal(vgl_capwriter_close(w, NULL), 0);
	{
		struct stat sb;

		assert_int_equal(stat(path, &sb), 0);
		assert_int_equal(sb.st_mode & 0777, 0600);
	}
	trm_cap(dir);
}

/*
 * Records in batches of 50, each flushed and written before the next, so
 * that the size the producer sees at each tick is up to date: rotation by
 * size happens at the same records whatever the machine's speed.
 */
static void put_batches(struct vgl_capwriter *w, uint32_t from, uint32_t n)
{
	for (uint32_t i = from; i < from + n; i++) {
		put_ev(w, i, 200);
		if (i % 50 == 49 || i + 1 == from + n)
			wsettle(w, T0 + 2 * VGL_CAP_FLUSH_NS_DEFAULT * (i / 50), i + 1);
	}
}

/* Files of the series below @upto on disk: how many, the first, their bytes. */
static unsigned count_series(const char *dir, unsigned upto, unsigned *first, uint64_t *bytes)
{
	char name[160];
	unsigned cnt = 0;

	*first = upto;
	*bytes = 0;
	for (unsigned k = 0; k < upto; k++) {
		series_name(name, sizeof(name), dir, k);
		if (fsize(name) < 0)
			continue;
		if (!cnt++)
			*first = k;
		*bytes += (uint64_t)fsize(name);
	}
	return cnt;
}

static void test_rotate_size(void **state UNUSED)
{
	char dir[64], path[128], name[160];
	struct vgl_capwriter_opts o = { .path = path, .rotate_bytes = 20000, .block_bytes = 4096 };
	struct vgl_capwriter *w;
	struct vgl_capwriter_stats st;
	uint32_t n = 6000, at = 0;
	unsigned nfiles, first;
	uint64_t epoch, bytes;

	tmkdir_cap(dir, sizeof(dir));
	snprintf(path, sizeof(path), "%s/cap.vgc", dir);
	w = wopen(&o);
	series_name(name, sizeof(name), dir, 0);
	assert_string_equal(vgl_capwriter_path(w), name);
	put_batches(w, 0, n);
	st = wsettle(w, T1, n);
	assert_int_equal(st.blocks_dropped, 0);
	epoch = vgl_capwriter_epoch(w);
	assert_int_equal(vgl_capwriter_close(w, NULL), 0);
	assert_int_equal(fsize(path), -1); /* with rotation, PATH itself is not written */
	nfiles = count_series(dir, 1000, &first, &bytes);
	assert_int_equal(first, 0);
	assert_true(nfiles >= 3);
	assert_int_equal(epoch, nfiles); /* one epoch per file begun */
	/* each file reads alone; together they hold every record once, in order */
	for (unsigned k = 0; k < nfiles; k++) {
		struct tread t;

		series_name(name, sizeof(name), dir, k);
		tread_file(&t, name);
		assert_int_equal(t.ret, 0);
		assert_int_equal(t.nwarn, 0);
		assert_int_equal(t.info.seq, k);
		/* the last may be empty: wsettle's ticks can rotate after the last record */
		assert_true(t.nseen > 0 || k + 1 == nfiles);
		assert_true(tread_run(&t, 0, at, at + (uint32_t)t.nseen));
		at += (uint32_t)t.nseen;
		if (k + 1 < nfiles)
			assert_true(fsize(name) >= 20000);
		tread_free(&t);
	}
	assert_int_equal(at, n);
	trm_cap(dir);
}

/* The oldest files go beyond max_files, then beyond max_total_bytes. */
static void test_retention(void **state UNUSED)
{
	char dir[64], path[128];
	struct vgl_capwriter_opts o = {
		.path = path, .rotate_bytes = 10000, .block_bytes = 2048, .max_files = 3
	};
	struct vgl_capwriter *w;
	struct vgl_capwriter_stats st;
	unsigned first, cnt;
	uint64_t bytes;
	char name[160];

	tmkdir_cap(dir, sizeof(dir));
	snprintf(path, sizeof(path), "%s/cap.vgc", dir);
	w = wopen(&o);
	put_batches(w, 0, 4000);
	st = wsettle(w, T1, 4000);
	assert_int_equal(vgl_capwriter_close(w, NULL), 0);
	assert_true(st.files_removed > 0);
	/* the newest three stay */
	assert_int_equal(count_series(dir, 1000, &first, &bytes), 3);
	assert_true(first >= 3);
	series_name(name, sizeof(name), dir, first + 3);
	assert_int_equal(fsize(name), -1);
	series_name(name, sizeof(name), dir, first + 2);
	assert_true(fsize(name) > 0);
	trm_cap(dir);

	tmkdir_cap(dir, sizeof(dir));
	snprintf(path, sizeof(path), "%s/cap.vgc", dir);
	o.max_files = 0;
	o.max_total_bytes = 45000;
	w = wopen(&o);
	put_batches(w, 0, 4000);
	st = wsettle(w, T1, 4000);
	assert_int_equal(vgl_capwriter_close(w, NULL), 0);
	assert_true(st.files_removed > 0);
	cnt = count_series(dir, 1000, &first, &bytes);
	assert_true(first > 0 && cnt >= 2);
	series_name(name, sizeof(name), dir, first + cnt);
	assert_int_equal(fsize(name), -1); /* the files left are the newest */
	assert_true(bytes <= 45000);
	assert_true(bytes > 45000 - 20000); /* no more removed than needed (files < 20 KB) */
	trm_cap(dir);
}

/* A new file every rotate_ns of the tick clock, but not an empty one; a partial block is flushed.
 */
static void test_rotate_time_and_flush(void **state UNUSED)
{
	char dir[64], path[128], name[160];
	struct vgl_capwriter_opts o = { .path = path, .rotate_ns = 1000000000, .flush_ns = 100 };
	struct vgl_capwriter *w;
	struct vgl_capwriter_stats st;
	struct tread t;

	tmkdir_cap(dir, sizeof(dir));
	snprintf(path, sizeof(path), "%s/cap.vgc", dir);
	w = wopen(&o);
	vgl_capwriter_tick(w, T0);
	for (uint32_t i = 0; i < 10; i++)
		put_ev(w, i, 200);
	vgl_capwriter_tick(w, T0 + 99);
	vgl_capwriter_stats(w, &st);
	assert_int_equal(st.blocks, 0);
	/* flushed: readable while the writer goes on */
	vgl_capwriter_tick(w, T0 + 100);
	for (int i = 0; i < 5000 && (vgl_capwriter_stats(w, &st), !st.blocks); i++)
		usleep(1000);
	series_name(name, sizeof(name), dir, 0);
	tread_file(&t, name);
	assert_int_equal(t.nseen, 10);
	tread_free(&t);

	vgl_capwriter_tick(w, T0 + 999999999);
	assert_int_equal(vgl_capwriter_epoch(w), 1);
	vgl_capwriter_tick(w, T0 + 1000000000);
	assert_int_equal(vgl_capwriter_epoch(w), 2);
	series_name(name, sizeof(name), dir, 1);
	assert_string_equal(vgl_capwriter_path(w), name);
	for (uint32_t i = 10; i < 30; i++)
		put_ev(w, i, 200);
	vgl_capwriter_tick(w, T0 + 2000000000);
	assert_int_equal(vgl_capwriter_epoch(w), 3);
	vgl_capwriter_tick(w, T0 + 3000000000); /* nothing put since: no new file */
	assert_int_equal(vgl_capwriter_epoch(w), 3);
	assert_int_equal(vgl_capwriter_close(w, NULL), 0);

	tread_file(&t, name);
	assert_int_equal(t.info.seq, 1);
	assert_int_equal(t.info.created_ns, (int64_t)(T0 + 1000000000));
	assert_int_equal(t.nseen, 20);
	assert_true(tread_run(&t, 0, 10, 30));
	tread_free(&t);
	series_name(name, sizeof(name), dir, 2);
	tread_file(&t, name);
	assert_int_equal(t.ret, 0);
	assert_int_equal(t.nseen + t.other, 0);
	tread_free(&t);
	trm_cap(dir);
}

/* A full queue drops whole blocks: what was written plus what was counted lost is what was put. */
static void test_drop(void **state UNUSED)
{
	char dir[64], path[128];
	struct vgl_capwriter_opts o = { .path = path, .block_bytes = 4096, .queue_bytes = 1 };
	struct vgl_capwriter *w;
	struct vgl_capwriter_stats st;
	uint32_t n = 200000, refused = 0;
	uint8_t buf[200];
	struct tread t;

	tmkdir_cap(dir, sizeof(dir));
	snprintf(path, sizeof(path), "%s/d.vgc", dir);
	o.level = 9; /* a slow thread */
	w = wopen(&o);
	for (uint32_t i = 0; i < n; i++) {
		int ret;

		tev_make(buf, i, sizeof(buf));
		ret = vgl_capwriter_put(w, VGL_CAP_REC_EVENT, buf, sizeof(buf));
		assert_true(ret == 0 || ret == -ENOBUFS);
		refused += ret == -ENOBUFS;
	}
	vgl_capwriter_stats(w, &st);
	assert_int_equal(refused, st.blocks_dropped); /* each drop told to the producer */
	st = wsettle(w, T0, n);
	assert_true(st.blocks_dropped > 0);
	assert_int_equal(vgl_capwriter_epoch(w), 1 + st.blocks_dropped);
	assert_int_equal(st.events + st.events_lost, n);
	assert_int_equal(st.write_errors, 0);
	assert_int_equal(vgl_capwriter_close(w, NULL), 0);

	tread_file(&t, path);
	assert_int_equal(t.nwarn, 0);
	assert_int_equal(t.nseen, st.events);
	for (size_t i = 1; i < t.nseen; i++)
		assert_true(t.seen[i] > t.seen[i - 1]);
	tread_free(&t);
	trm_cap(dir);
}

/* Writes that fail (here: the file size limit) cost their blocks, counted; the file stays whole. */
static void test_write_error(void **state UNUSED)
{
	char dir[64], path[128];
	struct vgl_capwriter_opts o = { .path = path, .block_bytes = 4096 };
	struct rlimit old, lim;
	struct vgl_capwriter *w;
	struct vgl_capwriter_stats st;
	struct tread t;
	uint32_t n = 3000;

	tmkdir_cap(dir, sizeof(dir));
	snprintf(path, sizeof(path), "%s/e.vgc", dir);
	signal(SIGXFSZ, SIG_IGN);
	assert_int_equal(getrlimit(RLIMIT_FSIZE, &old), 0);
	lim = old;
	lim.rlim_cur = 20000;
	assert_int_equal(setrlimit(RLIMIT_FSIZE, &lim), 0);
	w = wopen(&o);
	for (uint32_t i = 0; i < n; i++)
		put_ev(w, i, 200);
	st = wsettle(w, T0, n);
	assert_int_equal(vgl_capwriter_close(w, NULL), -EFBIG);
	assert_int_equal(setrlimit(RLIMIT_FSIZE, &old), 0);
	assert_true(st.write_errors > 0);
	assert_true(st.events_lost > 0 && st.events > 0);
	assert_int_equal(st.events + st.events_lost, n);

	tread_file(&t, path);
	assert_int_equal(t.nwarn, 0); /* cut back to its last whole block */
	assert_int_equal(t.nseen, st.events);
	for (size_t i = 1; i < t.nseen; i++)
		assert_true(t.seen[i] > t.seen[i - 1]);
	assert_int_equal(fsize(path), st.file_bytes);
	tread_free(&t);
	trm_cap(dir);
}

/* A writer started again continues the series instead of overwriting it. */
static void test_restart(void **state UNUSED)
{
	char dir[64], path[128], name[160];
	struct vgl_capwriter_opts o = { .path = path, .rotate_bytes = 10000, .block_bytes = 2048 };
	struct vgl_capwriter *w;
	unsigned first, nfiles;
	uint64_t bytes;
	struct tread t;

	tmkdir_cap(dir, sizeof(dir));
	snprintf(path, sizeof(path), "%s/cap.vgc", dir);
	w = wopen(&o);
	put_batches(w, 0, 1000);
	wsettle(w, T1, 1000);
	assert_int_equal(vgl_capwriter_close(w, NULL), 0);
	nfiles = count_series(dir, 1000, &first, &bytes);
	assert_true(nfiles >= 2);

	o.max_files = 2;
	w = wopen(&o);
	series_name(name, sizeof(name), dir, nfiles);
	assert_string_equal(vgl_capwriter_path(w), name);
	put_ev(w, 5000, 200);
	wsettle(w, T0, 1);
	assert_int_equal(vgl_capwriter_close(w, NULL), 0);
	tread_file(&t, name);
	assert_int_equal(t.info.seq, nfiles);
	assert_int_equal(t.nseen, 1);
	tread_free(&t);
	/* the earlier files count for retention */
	assert_int_equal(count_series(dir, 1000, &first, &bytes), 2);
	assert_int_equal(first, nfiles - 1);
	trm_cap(dir);
}

static void test_open_errors(void **state UNUSED)
{
	struct vgl_capwriter_opts o = { .path = "/nonexistent-dir/cap.vgc" };
	struct vgl_capwriter *w = NULL;
	char err[256] = "";

	vgl_cap_info_host(&o.info);
	assert_int_equal(vgl_capwriter_open(&o, &w, err, sizeof(err)), -ENOENT);
	assert_string_equal(
		err, "capture /nonexistent-dir/cap.vgc: cannot create: No such file or directory");
	o.rotate_bytes = 1000;
	assert_int_equal(vgl_capwriter_open(&o, &w, err, sizeof(err)), -ENOENT);
	assert_string_equal(err, "capture /nonexistent-dir/cap.000000.vgc: cannot create: No such "
				 "file or directory");
	o.level = 10;
	assert_int_equal(vgl_capwriter_open(&o, &w, err, sizeof(err)), -EINVAL);
	assert_null(w);
}

/* Without an extension, the number goes at the end; dots in directories do not count. */
static void test_names(void **state UNUSED)
{
	char dir[64], sub[128], path[160], name[200];
	struct vgl_capwriter_opts o = { .path = path, .rotate_bytes = 1 << 30 };
	struct vgl_capwriter *w;

	tmkdir_cap(dir, sizeof(dir));
	snprintf(sub, sizeof(sub), "%s/d.x", dir);
	assert_int_equal(mkdir(sub, 0700), 0);
	snprintf(path, sizeof(path), "%s/cap", sub);
	w = wopen(&o);
	snprintf(name, sizeof(name), "%s/cap.000000", sub);
	assert_string_equal(vgl_capwriter_path(w), name);
	assert_int_equal(vgl_capwriter_close(w, NULL), 0);
	assert_true(fsize(name) > 0);
	trm_cap(dir);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_round_trip),
		cmocka_unit_test(test_mode_and_limits),
		cmocka_unit_test(test_rotate_size),
		cmocka_unit_test(test_retention),
		cmocka_unit_test(test_rotate_time_and_flush),
		cmocka_unit_test(test_drop),
		cmocka_unit_test(test_write_error),
		cmocka_unit_test(test_restart),
		cmocka_unit_test(test_open_errors),
		cmocka_unit_test(test_names),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
