// SPDX-License-Identifier: Apache-2.0
/*
 * Container metadata read off the event path, seen through the pipeline's
 * alerts: while a container's state file blocks (a FIFO here, the way a slow
 * disk would), its events wait and the host's go on; once the file is read
 * they come out in order with the metadata; past the deadline they come out
 * with <NA>; a full wait queue lets events through; every case is counted.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "state/hold.h"
#include "test_state_util.h"

#define UNUSED	  __attribute__((unused))
#define CTR_ID	  "a1b2c3d4e5f60718293a4b5c6d7e8f90a1b2c3d4e5f60718293a4b5c6d7e8f90"
#define CTR_PID	  100 /* fixture /proc: in container CTR_ID */
#define HOST_PID  104 /* fixture /proc: a host session */
#define CTR_CGID  7001
#define HOST_CGID 7004

static char src[PATH_MAX / 4], tmp[64], fifo[PATH_MAX];

static const char rules[] = "- rule: open\n"
			    "  desc: d\n"
			    "  condition: evt.type = openat\n"
			    "  output: \"open %fd.name id=%container.id name=%container.name\"\n"
			    "  priority: NOTICE\n";

/* A docker root whose container CTR_ID has a FIFO for its config.v2.json. */
static int setup(void **state UNUSED)
{
	char cmd[3 * PATH_MAX];

	snprintf(src, sizeof(src), "%s/tests/data/state", getenv("VIGIL_SOURCE_DIR") ?: ".");
	snprintf(tmp, sizeof(tmp), "/tmp/vigil-async-XXXXXX");
	assert_non_null(mkdtemp(tmp));
	snprintf(cmd, sizeof(cmd),
		 "mkdir -p %s/docker/containers/%s && cp %s/docker/containers/%s/hostconfig.json "
		 "%s/docker/containers/%s/",
		 tmp, CTR_ID, src, CTR_ID, tmp, CTR_ID);
	assert_int_equal(system(cmd), 0);
	snprintf(fifo, sizeof(fifo), "%s/docker/containers/%s/config.v2.json", tmp, CTR_ID);
	return 0;
}

static int teardown(void **state UNUSED)
{
	char cmd[128];

	snprintf(cmd, sizeof(cmd), "rm -rf %s", tmp);
	return system(cmd);
}

/* @wait_ms: how long events may wait for metadata (long: the test decides). */
static void run_start(struct trun *r, uint64_t wait_ms)
{
	static char proc[PATH_MAX / 2], docker[PATH_MAX / 2];
	struct vgl_state_opts o;

	assert_int_equal(mkfifo(fifo, 0600), 0);
	snprintf(proc, sizeof(proc), "%s/proc", src);
	snprintf(docker, sizeof(docker), "%s/docker", tmp);
	vgl_state_opts_default(&o);
	o.proc_root = proc;
	o.roots = (struct vgl_runtime_roots){ docker, NULL, NULL, NULL };
	o.scan_proc = false;
	o.async_meta = true;
	trun_start(r, &o, rules);
	r->p.hold_wait_ns = wait_ms * 1000000;
	assert_true(vgl_pipeline_fd(&r->p) >= 0);
}

/* Write the container's config into the FIFO the worker is blocked on. */
static void unblock(void)
{
	char path[PATH_MAX], *text = NULL;
	size_t len = 0;
	FILE *f;
	int fd;

	snprintf(path, sizeof(path), "%s/docker/containers/%s/config.v2.json", src, CTR_ID);
	f = fopen(path, "r");
	assert_non_null(f);
	text = malloc(1 << 16);
	len = fread(text, 1, 1 << 16, f);
	fclose(f);
	fd = open(fifo, O_WRONLY);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, text, len), (ssize_t)len);
	close(fd);
	free(text);
}

static void run_stop(struct trun *r)
{
	trun_stop(r);
	unlink(fifo);
}

static void test_wait_then_in_order(void **state UNUSED)
{
	struct trun r;

	run_start(&r, 600000);
	trun_open(&r, CTR_PID, CTR_CGID, "/c1");
	trun_open(&r, HOST_PID, HOST_CGID, "/h1");
	trun_open(&r, CTR_PID, CTR_CGID, "/c2");
	/* the container's events wait for its metadata; the host's do not */
	assert_string_equal(trun_alerts(&r), "open /h1 id=host name=host");
	assert_int_equal(r.p.stats.held, 2);
	unblock();
	vgl_pipeline_drain(&r.p);
	assert_string_equal(trun_alerts(&r), "open /h1 id=host name=host|"
					     "open /c1 id=a1b2c3d4e5f6 name=web|"
					     "open /c2 id=a1b2c3d4e5f6 name=web");
	trun_open(&r, CTR_PID, CTR_CGID, "/c3"); /* known now: no wait */
	assert_int_equal(r.p.stats.held, 2);
	assert_int_equal(r.p.stats.held_timeout, 0);
	assert_int_equal(r.p.stats.hold_overflow, 0);
	run_stop(&r);
}

static void test_deadline(void **state UNUSED)
{
	struct trun r;

	run_start(&r, 200);
	trun_open(&r, CTR_PID, CTR_CGID, "/c1");
	usleep(250 * 1000); /* past the deadline */
	vgl_pipeline_poll(&r.p);
	assert_string_equal(trun_alerts(&r), "open /c1 id=a1b2c3d4e5f6 name=<NA>");
	assert_int_equal(r.p.stats.held_timeout, 1);
	/* the read still runs: later events do not wait, and get the name once it is read */
	trun_open(&r, CTR_PID, CTR_CGID, "/c2");
	unblock();
	assert_true(vgl_state_wait(r.p.state, 5000));
	vgl_pipeline_poll(&r.p);
	trun_open(&r, CTR_PID, CTR_CGID, "/c3");
	assert_string_equal(trun_alerts(&r), "open /c1 id=a1b2c3d4e5f6 name=<NA>|"
					     "open /c2 id=a1b2c3d4e5f6 name=<NA>|"
					     "open /c3 id=a1b2c3d4e5f6 name=web");
	assert_int_equal(r.p.stats.held, 1);
	run_stop(&r);
}

/* More events than the wait queue holds: they go on, in order, without metadata. */
static void test_overflow(void **state UNUSED)
{
	char path[32], want[64];
	struct trun r;
	const char *p;
	int i;

	run_start(&r, 600000);
	for (i = 0; i <= VGL_HOLD_RECORDS_DEFAULT; i++) {
		snprintf(path, sizeof(path), "/c%d", i);
		trun_open(&r, CTR_PID, CTR_CGID, path);
	}
	assert_int_equal(r.p.stats.held, VGL_HOLD_RECORDS_DEFAULT);
	assert_int_equal(r.p.stats.hold_overflow, VGL_HOLD_RECORDS_DEFAULT + 1);
	fflush(r.out);
	p = r.text;
	for (i = 0; i <= VGL_HOLD_RECORDS_DEFAULT; i++) {
		snprintf(want, sizeof(want), "open /c%d id=a1b2c3d4e5f6 name=<NA>\n", i);
		p = strstr(p, want);
		assert_non_null(p);
	}
	unblock();
	vgl_pipeline_drain(&r.p);
	run_stop(&r);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_wait_then_in_order),
		cmocka_unit_test(test_deadline),
		cmocka_unit_test(test_overflow),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
