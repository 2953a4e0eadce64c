// SPDX-License-Identifier: Apache-2.0
/*
 * The flight recorder, end to end: a rule with Falco's `capture: true` fires
 * in container A, seconds after A did something else (opened a file); B is
 * busy at the same time. The alert's JSON names a capture file; the file
 * exists, and `vigil replay --events` of it shows what A did before the
 * alert, the triggering event, and nothing of B's or of the host's. On the
 * host, a flight file of a process's alert holds that process and its
 * descendants only, not its busy neighbour.
 *
 * Needs root, docker and /bin/busybox (see harness_docker.h); without them
 * the tests skip, except with CI=true, where they fail.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>

#include "harness.h"
#include "harness_capture.h"
#include "harness_docker.h"

#define ALERT_WAIT_MS	  15000
#define RULE_CTR	  "capture e2e flight container"
#define RULE_HOST	  "capture e2e flight host"
#define FLIGHT_FILE_FIELD "capture_file" /* where the alert names its file */

static char ctr_a[32], ctr_b[32];

static int teardown(void **state)
{
	if (ctr_a[0])
		e2e_sh(NULL, E2E_DOCKER_MS, "docker rm -f %s %s >/dev/null 2>&1", ctr_a, ctr_b);
	ctr_a[0] = ctr_b[0] = '\0';
	return e2e_teardown_capture(state);
}

/* The config (flight recorder in DIR/flight) and the rules; -c and -r for vigil. */
static void write_setup(const char *dir, const char **ret_config, const char **ret_rules)
{
	char text[2 * PATH_MAX + 1024];
	const char *config = tu_join(dir, "vigil.yaml"), *rules = tu_join(dir, "rules.yaml");

	snprintf(text, sizeof(text),
		 "capture:\n"
		 "  flight:\n"
		 "    dir: %s/flight\n"
		 "    window: 20s\n"
		 "    ring_size: 256M\n"
		 "    max_duration: 5s\n",
		 dir);
	e2e_write_file(config, text);
	snprintf(text, sizeof(text),
		 "- rule: " RULE_CTR "\n"
		 "  desc: the trigger file was opened in a test container\n"
		 "  condition: >\n"
		 "    evt.type in (open, openat, openat2) and fd.name = /data/trigger\n"
		 "    and container.name startswith vcap-flt\n"
		 "  output: flight trigger in %%container.name (id=%%container.id)\n"
		 "  priority: WARNING\n"
		 "  capture: true\n"
		 "  capture_duration: 500\n"
		 "- rule: " RULE_HOST "\n"
		 "  desc: the host trigger file was opened\n"
		 "  condition: evt.type in (open, openat, openat2) and fd.name = %s/htrigger\n"
		 "  output: flight trigger on the host (proc=%%proc.name pid=%%proc.pid)\n"
		 "  priority: WARNING\n"
		 "  capture: true\n"
		 "  capture_duration: 500\n",
		 dir);
	e2e_write_file(rules, text);
	*ret_config = config;
	*ret_rules = rules;
}

/* Say so when the ring dropped events: then a busy host, not vigil, may explain a failure. */
static void note_evictions(const struct e2e_vigil *v)
{
	const json_t *fl = json_object_get(json_object_get(v->stats, "capture"), "flight");
	json_int_t n = json_integer_value(json_object_get(fl, "ring_evicted"));

	if (n > 0)
		print_message("note: the flight ring evicted %lld events (ring_size or window "
			      "overrun by other activity on this host)\n",
			      (long long)n);
}

/* The flight file an alert names: it exists, under DIR/flight. */
static const char *flight_file(const json_t *a, const char *dir)
{
	const json_t *f = json_object_get(a, FLIGHT_FILE_FIELD);
	const char *path;
	char want[PATH_MAX + 16];

	if (!json_is_string(f))
		f = json_object_get(json_object_get(a, "output_fields"), FLIGHT_FILE_FIELD);
	if (!json_is_string(f)) {
		e2e_print_alert("alert: ", a);
		fail_msg("the alert of a capture: true rule names no file (%s)", FLIGHT_FILE_FIELD);
	}
	path = json_string_value(f);
	snprintf(want, sizeof(want), "%s/flight/", dir);
	if (strncmp(path, want, strlen(want)) != 0)
		fail_msg("flight file %s is not in %s", path, want);
	if (access(path, R_OK) < 0)
		fail_msg("flight file %s: %s", path, strerror(errno));
	return path;
}

/* Events of @list opening @path (as "name" or "path" in args). */
static const json_t *find_open(const json_t *list, const char *path)
{
	size_t i;
	json_t *e;

	json_array_foreach(list, i, e)
	{
		const json_t *args = json_object_get(e, "args");
		const char *n = json_string_value(json_object_get(args, "name"));
		const char *p = json_string_value(json_object_get(args, "path"));

		if (strcmp(json_string_value(json_object_get(e, "type")), "openat") == 0 &&
		    ((n && strcmp(n, path) == 0) || (p && strcmp(p, path) == 0)))
			return e;
	}
	return NULL;
}

/* @e happened before @alert (RFC 3339 times of one format compare as strings). */
static void assert_before(const json_t *e, const json_t *alert)
{
	const char *te = json_string_value(json_object_get(e, "time"));
	const char *ta = json_string_value(json_object_get(alert, "time"));

	if (!te || !ta || strcmp(te, ta) >= 0)
		fail_msg("event at %s is not before the alert at %s", te, ta);
}

/* The container id an event line names (docs/events.md). */
static const char *event_container(const json_t *e)
{
	const json_t *c = json_object_get(e, "container.id");

	if (!c)
		c = json_object_get(json_object_get(e, "container"), "id");
	return json_string_value(c);
}

static void assert_only_container(const json_t *events, const char *id)
{
	size_t i;
	json_t *e;

	json_array_foreach(events, i, e)
	{
		const char *got = event_container(e);

		if (!got || strcmp(got, id) != 0) {
			e2e_print_alert("  event: ", e);
			fail_msg("flight file event %zu is not container %s's", i, id);
		}
	}
}

/* A's open before the alert, A's trigger, nothing of B's or the host's. */
static void test_container_flight(void **state)
{
	char dir[PATH_MAX], id_a[13], id_b[13];
	const char *config, *rules, *file;
	struct e2e_vigil *v;
	struct e2e_replay *rp;
	const json_t *alert, *before;

	(void)state;
	e2e_require_root();
	e2e_docker_ready();
	e2e_tmpdir(dir, sizeof(dir));
	write_setup(dir, &config, &rules);
	e2e_write_file(tu_join(dir, "before"), "before\n");
	e2e_write_file(tu_join(dir, "trigger"), "trigger\n");
	e2e_write_file(tu_join(dir, "bnoise"), "noise\n");
	snprintf(ctr_a, sizeof(ctr_a), "vcap-flt-a-%d", (int)getpid());
	snprintf(ctr_b, sizeof(ctr_b), "vcap-flt-b-%d", (int)getpid());

	v = e2e_start_args((const char *[]){ "-c", config, "-r", rules, NULL });
	e2e_docker_run_id(id_a,
			  "run -d --name %s --network none -v %s:/data:ro " E2E_IMAGE " sleep 60",
			  ctr_a, dir);
	e2e_docker_run_id(id_b,
			  "run -d --name %s --network none -v %s:/data:ro " E2E_IMAGE
			  " sh -c 'while :; do cat /data/bnoise; sleep 0.1; done'",
			  ctr_b, dir);
	if (e2e_sh(NULL, E2E_DOCKER_MS, "docker exec %s cat /data/before >/dev/null", ctr_a))
		fail_msg("docker exec %s cat /data/before failed", ctr_a);
	tu_sleep_ms(2000);
	if (e2e_sh(NULL, E2E_DOCKER_MS, "docker exec %s cat /data/trigger >/dev/null", ctr_a))
		fail_msg("docker exec %s cat /data/trigger failed", ctr_a);
	alert = e2e_wait_alert(
		v,
		(&(struct e2e_match){ .rule = RULE_CTR, .fields = { { "container.id", id_a } } }),
		ALERT_WAIT_MS);
	tu_sleep_ms(1000); /* the capture's duration after the alert */
	e2e_stop(v);
	note_evictions(v);
	alert = e2e_expect_one(v, (&(struct e2e_match){ .rule = RULE_CTR }));
	file = flight_file(alert, dir);

	rp = e2e_replay("--events=all", file);
	e2e_assert_replay_status(rp, 0);
	before = find_open(rp->events, "/data/before");
	if (!before || !find_open(rp->events, "/data/trigger")) {
		e2e_print_events("  ", rp->events);
		fail_msg("flight file %s lacks A's open of /data/before or /data/trigger (its "
			 "events above; the alert at %s)",
			 file, json_string_value(json_object_get(alert, "time")));
	}
	assert_before(before, alert);
	if (find_open(rp->events, "/data/bnoise")) {
		e2e_print_events("  ", rp->events);
		fail_msg("flight file %s holds B's events (above)", file);
	}
	assert_only_container(rp->events, id_a);
	(void)id_b;
}

/* In a child named @comm: open each path of the NULL-terminated list. */
static void open_all(const char *const *paths)
{
	for (; *paths; paths++) {
		int fd = open(*paths, O_RDONLY | O_CLOEXEC);

		if (fd < 0)
			_exit(100);
		close(fd);
	}
}

static pid_t fork_named(const char *comm)
{
	pid_t pid;

	fflush(NULL);
	pid = fork();
	if (pid < 0)
		fail_msg("fork: %s", strerror(errno));
	if (pid == 0)
		prctl(PR_SET_NAME, comm, 0, 0, 0);
	return pid;
}

/* vcap-fhost: open hbefore; a child opens hchild; 1.5 s later open htrigger. */
static pid_t run_alerting_tree(const char *dir)
{
	pid_t pid = fork_named("vcap-fhost"), child;
	int status;

	if (pid)
		return pid;
	open_all((const char *[]){ tu_join(dir, "hbefore"), NULL });
	child = fork();
	if (child == 0) {
		prctl(PR_SET_NAME, "vcap-fchild", 0, 0, 0);
		open_all((const char *[]){ tu_join(dir, "hchild"), NULL });
		_exit(0);
	}
	waitpid(child, &status, 0);
	usleep(1500 * 1000);
	open_all((const char *[]){ tu_join(dir, "htrigger"), NULL });
	_exit(0);
}

/* Every event is @pid's or its child's; its open before the alert is there. */
static void check_host_file(const json_t *events, pid_t pid, const char *dir, const json_t *alert)
{
	const json_t *before = find_open(events, tu_join(dir, "hbefore"));
	size_t i;
	json_t *e;

	if (!before || !find_open(events, tu_join(dir, "hchild")) ||
	    !find_open(events, tu_join(dir, "htrigger"))) {
		e2e_print_events("  ", events);
		fail_msg("the host flight file lacks the opens of hbefore, hchild or htrigger (its "
			 "events above; the alert at %s)",
			 json_string_value(json_object_get(alert, "time")));
	}
	assert_before(before, alert);
	json_array_foreach(events, i, e)
	{
		json_int_t p = json_integer_value(json_object_get(e, "pid"));
		json_int_t pp = json_integer_value(json_object_get(e, "ppid"));

		if (p != pid && pp != pid) {
			e2e_print_alert("  event: ", e);
			fail_msg("host flight file event %zu is not of pid %d or its child", i,
				 (int)pid);
		}
	}
}

/* On the host: the alerting process and its descendants, not its neighbour. */
static void test_host_flight(void **state)
{
	char dir[PATH_MAX];
	const char *config, *rules, *file;
	struct e2e_vigil *v;
	struct e2e_replay *rp;
	const json_t *alert;
	pid_t tree, noise;
	int status;

	(void)state;
	e2e_require_root();
	e2e_tmpdir(dir, sizeof(dir));
	write_setup(dir, &config, &rules);
	for (const char *const *n =
		     (const char *[]){ "hbefore", "hchild", "htrigger", "hnoise", NULL };
	     *n; n++)
		e2e_write_file(tu_join(dir, *n), "host\n");

	v = e2e_start_args((const char *[]){ "-c", config, "-r", rules, NULL });
	noise = fork_named("vcap-fnoise");
	if (noise == 0) {
		for (int i = 0; i < 100; i++) {
			open_all((const char *[]){ tu_join(dir, "hnoise"), NULL });
			usleep(50 * 1000);
		}
		_exit(0);
	}
	tree = run_alerting_tree(dir);
	if (waitpid(tree, &status, 0) != tree || !WIFEXITED(status) || WEXITSTATUS(status))
		fail_msg("the alerting process failed (wait status 0x%x)", status);
	alert = e2e_wait_alert(v, (&(struct e2e_match){ .rule = RULE_HOST }), ALERT_WAIT_MS);
	tu_sleep_ms(1000);
	kill(noise, SIGKILL);
	waitpid(noise, &status, 0);
	e2e_stop(v);
	note_evictions(v);
	alert = e2e_expect_one(v, (&(struct e2e_match){ .rule = RULE_HOST }));
	e2e_assert_field(alert, "proc.name", "vcap-fhost");
	file = flight_file(alert, dir);

	rp = e2e_replay("--events=all", file);
	e2e_assert_replay_status(rp, 0);
	if (find_open(rp->events, tu_join(dir, "hnoise"))) {
		e2e_print_events("  ", rp->events);
		fail_msg("the host flight file holds the neighbour's events (above)");
	}
	check_host_file(rp->events, tree, dir, alert);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_teardown(test_container_flight, teardown),
		cmocka_unit_test_teardown(test_host_flight, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
