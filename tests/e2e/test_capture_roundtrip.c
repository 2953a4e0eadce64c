// SPDX-License-Identifier: Apache-2.0
/*
 * Record and replay, end to end: `vigil run --json -r RULES -w FILE` while
 * the test does real things on the host (an exec, an open, a connect to a
 * listener on 127.0.0.1, a setuid back to root, a ptrace attach) and in
 * real Docker containers (one started after recording began, with a
 * `docker exec` into it, and one that lives under a second); then
 * `vigil replay`:
 *  - with the same rules, it prints the same alerts as live, every field;
 *  - with rules live did not have, it raises the alerts those rules would
 *    have raised, with the container and the ancestry live saw;
 *  - as an unprivileged user, from a capture it may read, it does the same.
 * One recording serves the three tests (made by the first that runs).
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
#include <sys/stat.h>

#include "harness.h"
#include "harness_activity.h"
#include "harness_capture.h"
#include "harness_docker.h"

#define ALERT_WAIT_MS 15000
#define NOBODY	      65534

#define RULE_EXEC     "capture e2e exec"
#define RULE_OPEN     "capture e2e open"
#define RULE_CONNECT  "capture e2e connect"
#define RULE_SHELL    "Shell in container" /* rules/vigil_rules.yaml */
#define RULE_SETUID   "Setuid to root by non-root"
#define RULE_PTRACE   "Ptrace attach"
#define RULE_CAT      "capture e2e cat in container" /* only in the replay's rules */
#define RULE_PROBE    "capture e2e probe ancestry"

/* The one recording of this file's tests. */
static struct recording {
	struct e2e_once once;
	char dir[PATH_MAX];
	char cap[PATH_MAX + 16];       /* DIR/cap/cap.vgc */
	char rules[PATH_MAX + 16];     /* the test's rules (live and replay) */
	char rules_new[PATH_MAX + 16]; /* rules live did not have */
	char long_name[32], short_name[32];
	char long_id[13], short_id[13];
	struct e2e_markers markers;
	json_t *live; /* the test's own alerts, as live printed them */
} rec;

static void write_rules(void)
{
	char text[4 * PATH_MAX + 4096];

	snprintf(rec.rules, sizeof(rec.rules), "%s/rules.yaml", rec.dir);
	snprintf(text, sizeof(text),
		 "- rule: " RULE_EXEC "\n"
		 "  desc: the test's probe was started, or anything in its containers\n"
		 "  condition: >\n"
		 "    evt.type in (execve, execveat) and evt.rawres = 0\n"
		 "    and (proc.name startswith vcap- or container.name startswith vcap-)\n"
		 "  output: >\n"
		 "    exec (proc=%%proc.name exe=%%proc.exepath cmdline=%%proc.cmdline\n"
		 "    parent=%%proc.pname gparent=%%proc.aname[2] ppid=%%proc.ppid pid=%%proc.pid\n"
		 "    user=%%user.name uid=%%user.uid id=%%container.id name=%%container.name\n"
		 "    image=%%container.image mount=%%container.mount.dest[0])\n"
		 "  priority: NOTICE\n"
		 "  tags: [capture-e2e, process]\n"
		 "- rule: " RULE_OPEN "\n"
		 "  desc: a marker file was opened, on the host or in a container\n"
		 "  condition: >\n"
		 "    evt.type in (open, openat, openat2) and fd.num >= 0\n"
		 "    and fd.name in (%s/marker, /data/amarker, /marker)\n"
		 "  output: >\n"
		 "    open (file=%%fd.name fd=%%fd.num flags=%%evt.arg.flags proc=%%proc.name\n"
		 "    cmdline=%%proc.cmdline parent=%%proc.pname user=%%user.name\n"
		 "    id=%%container.id name=%%container.name image=%%container.image)\n"
		 "  priority: WARNING\n"
		 "  tags: [capture-e2e, filesystem]\n"
		 "- rule: " RULE_CONNECT "\n"
		 "  desc: the test's child connected to its listener\n"
		 "  condition: evt.type = connect and proc.name = vcap-connect\n"
		 "  output: >\n"
		 "    connect (proc=%%proc.name ip=%%fd.sip port=%%fd.sport name=%%fd.name\n"
		 "    parent=%%proc.pname id=%%container.id)\n"
		 "  priority: ERROR\n"
		 "  tags: [capture-e2e, network]\n",
		 rec.dir);
	e2e_write_file(rec.rules, text);

	snprintf(rec.rules_new, sizeof(rec.rules_new), "%s/rules-new.yaml", rec.dir);
	e2e_write_file(
		rec.rules_new,
		"- rule: " RULE_CAT "\n"
		"  desc: cat ran in a container\n"
		"  condition: >\n"
		"    evt.type in (execve, execveat) and proc.name = cat\n"
		"    and container.name startswith vcap-\n"
		"  output: >\n"
		"    cat in %container.name (image=%container.image id=%container.id\n"
		"    parent=%proc.pname cmdline=%proc.cmdline)\n"
		"  priority: CRITICAL\n"
		"  tags: [replay-only]\n"
		"- rule: " RULE_PROBE "\n"
		"  desc: the test's probe, with its ancestry\n"
		"  condition: evt.type in (execve, execveat) and proc.name = vcap-probe\n"
		"  output: probe (parent=%proc.pname gparent=%proc.aname[2] id=%container.id)\n"
		"  priority: INFO\n");
}

/* Files: DIR/marker, DIR/data/amarker (/data in the long container), DIR/cmarker. */
static void make_files(void)
{
	char path[PATH_MAX + 32];

	tu_mkdtemp("/tmp/vigil-e2e-cap-XXXXXX", rec.dir, sizeof(rec.dir));
	snprintf(path, sizeof(path), "%s/marker", rec.dir);
	e2e_write_file(path, "host marker\n");
	snprintf(path, sizeof(path), "%s/data", rec.dir);
	if (mkdir(path, 0755) < 0)
		fail_msg("mkdir %s: %s", path, strerror(errno));
	e2e_write_file(tu_join(path, "amarker"), "container marker\n");
	e2e_write_file(tu_join(rec.dir, "cmarker"), "short container marker\n");
	snprintf(path, sizeof(path), "%s/cap", rec.dir);
	if (mkdir(path, 0755) < 0)
		fail_msg("mkdir %s: %s", path, strerror(errno));
	snprintf(rec.cap, sizeof(rec.cap), "%s/cap/cap.vgc", rec.dir);
	if (e2e_sh(NULL, 5000, "cp /bin/true %s/vcap-probe", rec.dir))
		fail_msg("cp /bin/true failed");
	snprintf(rec.long_name, sizeof(rec.long_name), "vcap-long-%d", (int)getpid());
	snprintf(rec.short_name, sizeof(rec.short_name), "vcap-short-%d", (int)getpid());
}

static void host_activity(void)
{
	int port, lfd = e2e_listen_local(&port);

	e2e_do_open("vcap-open", tu_join(rec.dir, "marker"));
	/* sh, an exec'd parent: its name is known whatever the tracker does with prctl */
	if (e2e_sh(NULL, 5000, "%s/vcap-probe; exit 0", rec.dir))
		fail_msg("sh -c vcap-probe failed");
	e2e_do_connect("vcap-connect", port);
	e2e_do_setuid("vcap-setuid");
	e2e_do_ptrace("vcap-tracer");
	close(lfd);
}

/* Both containers start after recording began; a shell in each forks cat. */
static void container_activity(void)
{
	e2e_docker_run_id(rec.long_id,
			  "run -d --name %s --network none -v %s/data:/data:ro " E2E_IMAGE
			  " sleep 60",
			  rec.long_name, rec.dir);
	if (e2e_sh(NULL, E2E_DOCKER_MS,
		   "docker exec -t %s sh -c '/bin/cat /data/amarker && exit 0' >/dev/null",
		   rec.long_name))
		fail_msg("docker exec %s failed", rec.long_name);
	if (e2e_sh(NULL, E2E_DOCKER_MS,
		   "docker run -t --rm --name %s --network none --cidfile %s/short.cid "
		   "-v %s/cmarker:/marker:ro " E2E_IMAGE
		   " sh -c '/bin/cat /marker && exit 0' >/dev/null",
		   rec.short_name, rec.dir, rec.dir))
		fail_msg("docker run %s failed", rec.short_name);
	e2e_docker_cidfile(tu_join(rec.dir, "short.cid"), rec.short_id);
}

/* Live printed every alert the activity should raise. */
static void wait_live_alerts(struct e2e_vigil *v)
{
	const struct e2e_match want[] = {
		{ RULE_OPEN, { { "proc.name", "vcap-open" } } },
		{ RULE_EXEC, { { "proc.name", "vcap-probe" } } },
		{ RULE_CONNECT, { { "proc.name", "vcap-connect" } } },
		{ RULE_SETUID, { { "proc.name", "vcap-setuid" } } },
		{ RULE_PTRACE, { { "proc.name", "vcap-tracer" } } },
		{ RULE_OPEN, { { "container.id", rec.long_id }, { "fd.name", "/data/amarker" } } },
		{ RULE_OPEN, { { "container.id", rec.short_id }, { "fd.name", "/marker" } } },
		{ RULE_SHELL, { { "container.id", rec.long_id } } },
		{ RULE_SHELL, { { "container.id", rec.short_id } } },
		{ RULE_EXEC, { { "container.id", rec.short_id }, { "proc.name", "cat" } } },
	};

	for (size_t i = 0; i < sizeof(want) / sizeof(want[0]); i++)
		e2e_wait_alert(v, &want[i], ALERT_WAIT_MS);
}

static void record(void)
{
	struct e2e_vigil *v;

	make_files();
	write_rules();
	v = e2e_start_args((const char *[]){ "-r", e2e_source_path("rules/vigil_rules.yaml"), "-r",
					     rec.rules, "-w", rec.cap, NULL });
	host_activity();
	container_activity();
	wait_live_alerts(v);
	e2e_stop(v);

	e2e_marker_add(&rec.markers, rec.dir);
	e2e_marker_add(&rec.markers, "vcap-");
	e2e_marker_add(&rec.markers, rec.long_id);
	e2e_marker_add(&rec.markers, rec.short_id);
	rec.live = e2e_select(v->alerts, &rec.markers);
	print_message("recorded %s: %lld bytes, %zu of the test's alerts live\n", rec.cap,
		      e2e_file_size(rec.cap), json_array_size(rec.live));
}

/* The recording, made by the first test that asks. */
static const struct recording *recording(void)
{
	e2e_once(&rec.once, true, record);
	return &rec;
}

static int teardown_group(void **state)
{
	(void)state;
	if (rec.long_name[0])
		e2e_sh(NULL, E2E_DOCKER_MS, "docker rm -f %s >/dev/null 2>&1", rec.long_name);
	tu_rmtree(rec.dir);
	json_decref(rec.live);
	e2e_markers_free(&rec.markers);
	return 0;
}

/* The same rules replayed: the same alerts, every field. */
static void test_same_rules_same_alerts(void **state)
{
	const struct recording *r = recording();
	struct e2e_replay *rp;

	(void)state;
	rp = e2e_replay("-r", e2e_source_path("rules/vigil_rules.yaml"), "-r", r->rules, r->cap);
	e2e_assert_replayed_alerts(rp, r->live, &r->markers);
}

/* One alert of the new rule, for a cat in @name: its container and parent. */
static void expect_cat(const json_t *alerts, const char *name, const char *id, const char *cmdline)
{
	const json_t *a = e2e_expect_one_in(
		alerts, (&(struct e2e_match){ RULE_CAT, { { "container.name", name } } }));

	e2e_assert_field(a, "container.id", id);
	e2e_assert_field(a, "container.image", E2E_IMAGE);
	e2e_assert_field(a, "proc.pname", "sh");
	e2e_assert_field(a, "proc.cmdline", cmdline);
	e2e_assert_top(a, "priority", "Critical");
}

/* Rules live did not have: the alerts they would have raised, with context. */
static void test_new_rules_raise_their_alerts(void **state)
{
	const struct recording *r;
	struct e2e_replay *rp;
	const json_t *a;

	(void)state;
	r = recording();
	rp = e2e_replay("-r", r->rules_new, r->cap);
	e2e_assert_replay_status(rp, 0);
	expect_cat(rp->alerts, r->long_name, r->long_id, "cat /data/amarker");
	expect_cat(rp->alerts, r->short_name, r->short_id, "cat /marker");
	a = e2e_expect_one_in(rp->alerts, (&(struct e2e_match){ .rule = RULE_PROBE }));
	e2e_assert_field(a, "proc.pname", "sh");
	e2e_assert_field(a, "proc.aname[2]", e2e_self_comm());
	e2e_assert_field(a, "container.id", "host");
	/* live's rules are not there */
	assert_int_equal(e2e_count_in(rp->alerts, &(struct e2e_match){ .rule = RULE_OPEN }), 0);
	assert_int_equal(e2e_count_in(rp->alerts, &(struct e2e_match){ .rule = RULE_SHELL }), 0);
}

/* No root needed: nobody replays a capture it may read, with the same alerts. */
static void test_unprivileged_replay(void **state)
{
	const struct recording *r = recording();
	struct e2e_replay *rp;

	(void)state;
	if (chmod(r->cap, 0644) < 0)
		fail_msg("chmod %s: %s", r->cap, strerror(errno));
	rp = e2e_replay_as(NOBODY,
			   (const char *[]){ "-r", e2e_source_path("rules/vigil_rules.yaml"), "-r",
					     r->rules, r->cap, NULL });
	e2e_assert_replayed_alerts(rp, r->live, &r->markers);
	if (chmod(r->cap, 0600) < 0)
		fail_msg("chmod %s: %s", r->cap, strerror(errno));
	rp = e2e_replay_as(NOBODY, (const char *[]){ "-r", r->rules, r->cap, NULL });
	if (rp->status == 0 || !strstr(rp->err, r->cap))
		fail_msg("replay of an unreadable capture: exit %d (want non-zero), stderr "
			 "naming the file:\n%s",
			 rp->status, rp->err);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_teardown(test_same_rules_same_alerts, e2e_teardown_capture),
		cmocka_unit_test_teardown(test_new_rules_raise_their_alerts, e2e_teardown_capture),
		cmocka_unit_test_teardown(test_unprivileged_replay, e2e_teardown_capture),
	};

	return cmocka_run_group_tests(tests, NULL, teardown_group);
}
