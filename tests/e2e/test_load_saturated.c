// SPDX-License-Identifier: Apache-2.0
/*
 * Every CPU saturated by open loops, vigil's ring buffer at its default
 * size: vigil may not keep up, and then what it could not take must be
 * counted, exactly (issue 16, "Correctness"). `vigil run --json --events
 * openat` with its events thrown away (stdout to /dev/null: the test cares
 * about the counters, not millions of lines) runs while two workers, each
 * pinned to its own CPU, open and close a file as fast as they can for
 * about 10 s. Then, from vigil's {"vigil_stats": ...}: every record the
 * kernel sent was received (kernel.emitted == received), the drops add up
 * per kind, "lost" is the sum of its causes, and the openat records sent or
 * dropped cover at least the opens the workers made. Whether anything was
 * dropped depends on the machine's load; the test asserts the accounting,
 * not that nothing was lost, and prints the figures.
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "harness.h"
#include "harness_load.h"

#define WORKERS 2
#define LOAD_MS 10000

/* Fail at @file:@line, showing the counters, unless @ok. */
static void _check_stat(const char *file, int line, const json_t *stats, bool ok, const char *what)
{
	if (ok)
		return;
	tu_print_json("vigil_stats: ", stats, JSON_COMPACT);
	print_error("%s:%d: %s\n", file, line, what);
	_fail(file, line);
}
#define check_stat(stats, ok, what) _check_stat(__FILE__, __LINE__, stats, ok, what)

/* A worker's step: open and close its file; count[0] counts the opens. */
static void open_step(const void *ctx, uint64_t *count)
{
	int fd = open(ctx, O_RDONLY | O_CLOEXEC);

	TU_CHECK(fd >= 0);
	close(fd);
	count[0]++;
}

/* vigil's setup in its child: its stdout (the events) goes to /dev/null. */
static void stdout_to_null(const void *arg)
{
	int fd = open("/dev/null", O_WRONLY);

	(void)arg;
	if (fd < 0 || dup2(fd, STDOUT_FILENO) < 0)
		_exit(125);
	close(fd);
}

/* The figures; prefiltered -1: this vigil has no prefilter. */
static void print_figures(const json_t *st, long long opens)
{
	const json_t *kinds = json_object_get(st, "kinds");
	const json_t *pf = json_object_get(json_object_get(kinds, "openat"), "prefiltered");

	print_message(
		"saturated: workers' opens %lld; kernel emitted %lld, received %lld, "
		"rb_full %lld; openat emitted %lld, rb_full %lld, prefiltered %lld; "
		"lost %lld\n",
		opens, tu_stat_int(st, "kernel", "emitted"), tu_stat_int(st, NULL, "received"),
		tu_stat_int(st, "kernel", "rb_full"), tu_stat_int(kinds, "openat", "emitted"),
		tu_stat_int(kinds, "openat", "rb_full"),
		json_is_integer(pf) ? json_integer_value(pf) : -1LL, tu_stat_int(st, NULL, "lost"));
}

static void check_accounting(const json_t *st, long long opens)
{
	const json_t *kinds = json_object_get(st, "kinds");
	long long rb_full = tu_stat_int(st, "kernel", "rb_full");

	check_stat(st, tu_stat_int(st, "kernel", "emitted") == tu_stat_int(st, NULL, "received"),
		   "kernel.emitted != received: records vanished without being counted");
	check_stat(st, rb_full == tu_stat_sum_kinds(st, "rb_full"),
		   "kernel.rb_full is not the sum of kinds.*.rb_full");
	check_stat(st, tu_stat_int(st, "kernel", "emitted") == tu_stat_sum_kinds(st, "emitted"),
		   "kernel.emitted is not the sum of kinds.*.emitted");
	check_stat(st,
		   tu_stat_int(st, NULL, "lost") == rb_full +
							    tu_stat_int(st, NULL, "decode_errors") +
							    tu_stat_int(st, NULL, "output_errors") +
							    tu_stat_int(st, NULL, "alerts_lost"),
		   "lost != kernel.rb_full + decode_errors + output_errors + alerts_lost");
	check_stat(st, tu_stat_int(st, NULL, "decode_errors") == 0, "decode_errors != 0");
	check_stat(st, json_is_object(json_object_get(kinds, "openat")), "no kinds.openat");
	check_stat(st,
		   tu_stat_int(kinds, "openat", "emitted") +
				   tu_stat_int(kinds, "openat", "rb_full") >=
			   opens,
		   "kinds.openat.emitted + rb_full < the opens the workers made");
}

static void test_saturated(void **state)
{
	char dir[PATH_MAX], files[WORKERS][PATH_MAX + 16];
	struct e2e_worker w[WORKERS];
	int cpus[WORKERS], ncpus;
	struct e2e_vigil *v;
	long long opens = 0;

	(void)state;
	e2e_require_root();
	e2e_tmpdir(dir, sizeof(dir));
	ncpus = e2e_allowed_cpus(cpus, WORKERS);
	for (int i = 0; i < WORKERS; i++) {
		snprintf(files[i], sizeof(files[i]), "%s/f%d", dir, i);
		e2e_write_file(files[i], "load\n");
	}
	v = e2e_start_setup((const char *[]){ "--events", "openat", NULL }, stdout_to_null, NULL);
	v->allow_loss = true;
	for (int i = 0; i < WORKERS; i++)
		e2e_worker_start(&w[i], "e2e-saturate", cpus[i % ncpus], open_step, files[i]);
	tu_sleep_ms(LOAD_MS);
	for (int i = 0; i < WORKERS; i++) {
		e2e_worker_stop(&w[i]);
		opens += (long long)w[i].count[0];
	}
	e2e_stop(v);
	print_figures(v->stats, opens);
	check_accounting(v->stats, opens);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_teardown(test_saturated, e2e_load_teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
