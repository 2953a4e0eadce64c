// SPDX-License-Identifier: Apache-2.0
/*
 * Events, recorded and replayed: `vigil run --events KINDS --json -w FILE`
 * while the test does real things on the host and in a short-lived Docker
 * container, then `vigil replay --events KINDS --json FILE`: the test's own
 * events come out of the replay exactly as live printed them, one by one,
 * in the same order, every field (the kernel's and the context's). Replay's
 * selections (--pid, --container, --filter) keep only what they name.
 *
 * Needs root, docker and /bin/busybox (see harness_docker.h); without them
 * the tests skip, except with CI=true, where they fail.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "harness.h"
#include "harness_activity.h"
#include "harness_capture.h"
#include "harness_docker.h"

#define KINDS "execve,openat,connect,setresuid,ptrace"

/* The one recording of this file's tests. */
static struct recording {
	struct e2e_once once;
	char dir[PATH_MAX];
	char cap[PATH_MAX + 16];
	char ctr_name[32], ctr_id[13];
	char open_pid[16]; /* the vcap-open child's */
	struct e2e_markers markers;
	json_t *live; /* the test's own events, as live printed them */
} rec;

static void host_activity(void)
{
	int port, lfd = e2e_listen_local(&port);

	snprintf(rec.open_pid, sizeof(rec.open_pid), "%d",
		 (int)e2e_do_open("vcap-open", tu_join(rec.dir, "marker")));
	e2e_do_exec("vcap-exec", tu_join(rec.dir, "vcap-probe"));
	e2e_do_connect("vcap-connect", port);
	e2e_do_setuid("vcap-setuid");
	e2e_do_ptrace("vcap-tracer");
	close(lfd);
}

static void container_activity(void)
{
	snprintf(rec.ctr_name, sizeof(rec.ctr_name), "vcap-ev-%d", (int)getpid());
	if (e2e_sh(NULL, E2E_DOCKER_MS,
		   "docker run --rm --name %s --network none --cidfile %s/ctr.cid "
		   "-v %s/marker:/vcap-marker:ro " E2E_IMAGE
		   " sh -c '/bin/cat /vcap-marker && exit 0' >/dev/null",
		   rec.ctr_name, rec.dir, rec.dir))
		fail_msg("docker run %s failed", rec.ctr_name);
	e2e_docker_cidfile(tu_join(rec.dir, "ctr.cid"), rec.ctr_id);
}

/* Live printed each kind of the test's events. */
static void check_live(const json_t *mine)
{
	static const char *const want[][2] = {
		{ "openat", "vcap-open" },     { "execve", "vcap-probe" },
		{ "connect", "vcap-connect" }, { "setresuid", "vcap-setuid" },
		{ "ptrace", "vcap-tracer" },   { "openat", "/vcap-marker" },
		{ "execve", "/vcap-marker" },
	};

	for (size_t i = 0; i < sizeof(want) / sizeof(want[0]); i++) {
		if (e2e_count_events(mine, want[i][0], want[i][1]) == 0)
			fail_msg("live printed no %s event mentioning %s (%zu events of the test)",
				 want[i][0], want[i][1], json_array_size(mine));
	}
}

static void record(void)
{
	struct e2e_vigil *v;

	tu_mkdtemp("/tmp/vigil-e2e-capev-XXXXXX", rec.dir, sizeof(rec.dir));
	e2e_write_file(tu_join(rec.dir, "marker"), "marker\n");
	if (e2e_sh(NULL, 5000, "cp /bin/true %s/vcap-probe", rec.dir))
		fail_msg("cp /bin/true failed");
	snprintf(rec.cap, sizeof(rec.cap), "%s/events.vgc", rec.dir);

	v = e2e_start_args((const char *[]){ "--events", KINDS, "-w", rec.cap, NULL });
	host_activity();
	container_activity();
	e2e_stop(v);

	e2e_marker_add(&rec.markers, rec.dir);
	e2e_marker_add(&rec.markers, "vcap-");
	e2e_marker_add(&rec.markers, rec.ctr_id);
	rec.live = e2e_select(v->events, &rec.markers);
	print_message("recorded %s: %lld bytes, %zu events live, %zu of them the test's\n", rec.cap,
		      e2e_file_size(rec.cap), json_array_size(v->events),
		      json_array_size(rec.live));
	check_live(rec.live);
}

static const struct recording *recording(void)
{
	e2e_once(&rec.once, true, record);
	return &rec;
}

static int teardown_group(void **state)
{
	(void)state;
	tu_rmtree(rec.dir);
	json_decref(rec.live);
	e2e_markers_free(&rec.markers);
	return 0;
}

/* Replay prints the test's events as live did, one by one. */
static void test_events_as_live(void **state)
{
	const struct recording *r = recording();
	struct e2e_replay *rp;

	(void)state;
	rp = e2e_replay("--events=" KINDS, r->cap);
	e2e_assert_replayed_events(rp, r->live, &r->markers);
	assert_int_equal(json_array_size(rp->alerts), 0);
}

/* Every event of @list has @key (a top-level string or integer) equal to @want. */
static void assert_all(const json_t *list, const char *key, const char *want)
{
	size_t i;
	json_t *e;

	if (json_array_size(list) == 0)
		fail_msg("no events where %s = %s was wanted", key, want);
	json_array_foreach(list, i, e)
	{
		const json_t *got = json_object_get(e, key);
		char buf[32];
		const char *s = json_string_value(got);

		if (json_is_integer(got)) {
			snprintf(buf, sizeof(buf), "%lld", (long long)json_integer_value(got));
			s = buf;
		}
		if (!s || strcmp(s, want) != 0) {
			e2e_print_alert("  event: ", e);
			fail_msg("event %zu: %s is not %s", i, key, want);
		}
	}
}

/* --pid, --filter and --container keep only the events they select. */
static void test_replay_selections(void **state)
{
	struct e2e_markers host = { .s = { "vcap-open", "vcap-probe", "vcap-connect" }, .n = 3 };
	const struct recording *r;
	struct e2e_replay *rp;

	(void)state;
	r = recording();
	rp = e2e_replay("--events=" KINDS, "--pid", r->open_pid, r->cap);
	e2e_assert_replay_status(rp, 0);
	assert_all(rp->events, "pid", r->open_pid);
	assert_true(e2e_count_events(rp->events, "openat", r->dir) >= 1);

	rp = e2e_replay("--events=" KINDS, "--filter", "proc.name = vcap-connect", r->cap);
	e2e_assert_replay_status(rp, 0);
	assert_all(rp->events, "comm", "vcap-connect");
	assert_int_equal(e2e_count_events(rp->events, "connect", NULL), 1);

	rp = e2e_replay("--events=" KINDS, "--container", r->ctr_name, r->cap);
	e2e_assert_replay_status(rp, 0);
	if (e2e_count_events(rp->events, "execve", "/vcap-marker") < 1 ||
	    e2e_count_events(rp->events, "openat", "/vcap-marker") < 1 ||
	    e2e_mentions(rp->events, &host))
		fail_msg("--container %s: want the container's exec and open only, got %zu "
			 "events:\n%s",
			 r->ctr_name, json_array_size(rp->events), rp->out);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_teardown(test_events_as_live, e2e_teardown_capture),
		cmocka_unit_test_teardown(test_replay_selections, e2e_teardown_capture),
	};

	return cmocka_run_group_tests(tests, NULL, teardown_group);
}
