// SPDX-License-Identifier: Apache-2.0
/*
 * Capture files as an operator configures them, end to end:
 *  - rotation and retention (the config's capture section: a small size
 *    per file, at most 3 files): several files appear while vigil runs, the
 *    oldest are removed, and each file left replays alone, with the
 *    process context the rules need (every file begins with a snapshot).
 *    The config's filter keeps the test's own process only, so that the
 *    host's other activity does not decide how fast files rotate;
 *  - the capture filter (--capture-filter 'container.id != host'): the
 *    host's events are not written, a container's are, and live alerts are
 *    not affected by it.
 *
 * Needs root; the filter test also docker and /bin/busybox (see
 * harness_docker.h). Without them the tests skip, except with CI=true,
 * where they fail.
 */
#define _GNU_SOURCE
#include <dirent.h>
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
#include "harness_activity.h"
#include "harness_capture.h"
#include "harness_docker.h"

#define ALERT_WAIT_MS 15000
#define ROTATE_MS     30000 /* for the files to rotate, at most */
#define MAX_FILES     3
#define RULE_TICK     "capture e2e tick"
#define RULE_OPEN     "capture e2e filter open"

/* Sequence numbers of DIR/cap.NNNNNN.vgc, ascending, into @seq; how many. */
static size_t list_rotated(const char *dir, int *seq, size_t max)
{
	DIR *d = opendir(dir);
	struct dirent *de;
	size_t n = 0;

	if (!d)
		fail_msg("opendir %s: %s", dir, strerror(errno));
	while ((de = readdir(d))) {
		int s, end = 0;

		if (sscanf(de->d_name, "cap.%6d.vgc%n", &s, &end) == 1 &&
		    end == (int)strlen(de->d_name) && n < max)
			seq[n++] = s;
	}
	closedir(d);
	for (size_t i = 1; i < n; i++) /* insertion sort: a handful of files */
		for (size_t j = i; j > 0 && seq[j - 1] > seq[j]; j--) {
			int t = seq[j];

			seq[j] = seq[j - 1];
			seq[j - 1] = t;
		}
	return n;
}

/*
 * In a child named vcap-rot: open @bulk over and over (events to fill the
 * files) and, after every 100 of them, @tick (an alert in every file).
 */
static pid_t start_writer(const char *bulk, const char *tick)
{
	pid_t pid;

	fflush(NULL);
	pid = fork();
	if (pid < 0)
		fail_msg("fork: %s", strerror(errno));
	if (pid)
		return pid;
	prctl(PR_SET_NAME, "vcap-rot", 0, 0, 0);
	prctl(PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0);
	for (;;) {
		for (int i = 0; i < 100; i++)
			close(open(bulk, O_RDONLY | O_CLOEXEC));
		close(open(tick, O_RDONLY | O_CLOEXEC));
		usleep(10 * 1000);
	}
}

static void write_rotation_setup(const char *dir, const char *tick, const char **ret_config,
				 const char **ret_rules)
{
	char text[2 * PATH_MAX + 512];
	const char *config = tu_join(dir, "vigil.yaml"), *rules = tu_join(dir, "rules.yaml");

	snprintf(text, sizeof(text),
		 "capture:\n"
		 "  path: %s/rot/cap.vgc\n"
		 "  filter: \"proc.name = vcap-rot\"\n"
		 "  rotate_size: 16K\n"
		 "  max_files: %d\n",
		 dir, MAX_FILES);
	e2e_write_file(config, text);
	snprintf(text, sizeof(text),
		 "- rule: " RULE_TICK "\n"
		 "  desc: the test's writer opened its tick file\n"
		 "  condition: evt.type in (open, openat, openat2) and fd.name = %s\n"
		 "  output: tick (proc=%%proc.name parent=%%proc.pname user=%%user.name\n"
		 "    exe=%%proc.exepath id=%%container.id)\n"
		 "  priority: NOTICE\n",
		 tick);
	e2e_write_file(rules, text);
	*ret_config = config;
	*ret_rules = rules;
}

/* Wait until the file of sequence number @want has begun. */
static void wait_rotation(struct e2e_vigil *v, const char *rot, int want)
{
	int seq[64];

	for (long waited = 0; waited < ROTATE_MS; waited += 100) {
		size_t n = list_rotated(rot, seq, 64);

		if (n && seq[n - 1] >= want)
			return;
		tu_sleep_ms(100);
	}
	e2e_stop(v);
	fail_msg("no file %s/cap.%06d.vgc within %d ms", rot, want, ROTATE_MS);
}

/* Rotation by size, at most MAX_FILES kept, each file replays alone. */
static void test_rotation_and_retention(void **state)
{
	char dir[PATH_MAX], rot[PATH_MAX + 8], file[PATH_MAX + 32];
	const char *config, *rules, *tick, *bulk;
	struct e2e_vigil *v;
	int seq[64], status;
	size_t n;
	pid_t writer;

	(void)state;
	e2e_require_root();
	e2e_tmpdir(dir, sizeof(dir));
	snprintf(rot, sizeof(rot), "%s/rot", dir);
	if (mkdir(rot, 0755) < 0)
		fail_msg("mkdir %s: %s", rot, strerror(errno));
	tick = tu_join(dir, "tick");
	e2e_write_file(tick, "tick\n");
	bulk = tu_join(dir, "bulk");
	e2e_write_file(bulk, "bulk\n");
	write_rotation_setup(dir, tick, &config, &rules);

	v = e2e_start_args((const char *[]){ "-c", config, "-r", rules, NULL });
	writer = start_writer(bulk, tick);
	wait_rotation(v, rot, MAX_FILES + 1);
	kill(writer, SIGKILL);
	waitpid(writer, &status, 0);
	e2e_stop(v);

	n = list_rotated(rot, seq, 64);
	print_message("rotated files left: %zu, newest cap.%06d.vgc\n", n, n ? seq[n - 1] : -1);
	assert_true(n >= 2);
	assert_true(n <= MAX_FILES);
	assert_true(seq[0] > 0); /* cap.000000.vgc was removed */
	for (size_t i = 0; i < n; i++) {
		struct e2e_replay *rp;
		const json_t *a;

		snprintf(file, sizeof(file), "%s/cap.%06d.vgc", rot, seq[i]);
		rp = e2e_replay("-r", rules, file);
		e2e_assert_replay_status(rp, 0);
		if (e2e_count_in(rp->alerts, &(struct e2e_match){ .rule = RULE_TICK }) == 0)
			fail_msg("%s alone: no tick alert; stderr:\n%s", file, rp->err);
		a = json_array_get(rp->alerts, 0);
		e2e_assert_field(a, "proc.name", "vcap-rot");
		e2e_assert_field(a, "proc.pname", e2e_self_comm());
		e2e_assert_field(a, "user.name", "root");
		e2e_assert_field(a, "container.id", "host");
	}
}

/* The container id an event line names (docs/events.md). */
static const char *event_container(const json_t *e)
{
	const json_t *c = json_object_get(e, "container.id");

	if (!c)
		c = json_object_get(json_object_get(e, "container"), "id");
	return json_string_value(c);
}

/* --capture-filter 'container.id != host': no host events in the file. */
static void test_capture_filter(void **state)
{
	char dir[PATH_MAX], text[PATH_MAX + 512], name[32], id[13];
	const char *rules, *cap, *marker;
	struct e2e_vigil *v;
	struct e2e_replay *rp;
	size_t i;
	json_t *e;

	(void)state;
	e2e_require_root();
	e2e_docker_ready();
	e2e_tmpdir(dir, sizeof(dir));
	marker = tu_join(dir, "marker");
	e2e_write_file(marker, "marker\n");
	rules = tu_join(dir, "rules.yaml");
	snprintf(text, sizeof(text),
		 "- rule: " RULE_OPEN "\n"
		 "  desc: the marker was opened, on the host or in a container\n"
		 "  condition: evt.type in (open, openat, openat2) and fd.name in (%s, "
		 "/vcap-marker)\n"
		 "  output: open (proc=%%proc.name id=%%container.id)\n"
		 "  priority: NOTICE\n",
		 marker);
	e2e_write_file(rules, text);
	cap = tu_join(dir, "filtered.vgc");
	snprintf(name, sizeof(name), "vcap-filter-%d", (int)getpid());

	v = e2e_start_args((const char *[]){ "-r", rules, "-w", cap, "--capture-filter",
					     "container.id != host", NULL });
	e2e_do_open("vcap-hostopen", marker);
	if (e2e_sh(NULL, E2E_DOCKER_MS,
		   "docker run --rm --name %s --network none --cidfile %s/cid -v "
		   "%s:/vcap-marker:ro " E2E_IMAGE " cat /vcap-marker >/dev/null",
		   name, dir, marker))
		fail_msg("docker run %s failed", name);
	e2e_docker_cidfile(tu_join(dir, "cid"), id);
	/* live alerts are not filtered */
	e2e_wait_alert(v,
		       (&(struct e2e_match){ .rule = RULE_OPEN,
					     .fields = { { "container.id", "host" } } }),
		       ALERT_WAIT_MS);
	e2e_wait_alert(
		v, (&(struct e2e_match){ .rule = RULE_OPEN, .fields = { { "container.id", id } } }),
		ALERT_WAIT_MS);
	e2e_stop(v);

	rp = e2e_replay("--events=all", cap);
	e2e_assert_replay_status(rp, 0);
	if (e2e_count_events(rp->events, "openat", "/vcap-marker") == 0)
		fail_msg("the container's open is not in the filtered capture:\n%s", rp->out);
	if (e2e_count_events(rp->events, "openat", marker) != 0)
		fail_msg("the host's open is in the filtered capture:\n%s", rp->out);
	json_array_foreach(rp->events, i, e)
	{
		const char *c = event_container(e);

		if (!c || strcmp(c, "host") == 0) {
			e2e_print_alert("  event: ", e);
			fail_msg("event %zu of the filtered capture is not a container's", i);
		}
	}
	rp = e2e_replay("-r", rules, cap);
	e2e_assert_replay_status(rp, 0);
	e2e_expect_one_in(
		rp->alerts,
		(&(struct e2e_match){ .rule = RULE_OPEN, .fields = { { "container.id", id } } }));
	assert_int_equal(json_array_size(rp->alerts), 1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_teardown(test_rotation_and_retention, e2e_teardown_capture),
		cmocka_unit_test_teardown(test_capture_filter, e2e_teardown_capture),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
