// SPDX-License-Identifier: Apache-2.0
/*
 * The container posture rules (rules/vigil_rules_posture.yaml) end to end:
 * real busybox containers, each started the good-practice way (read-only
 * root, memory and pids limits, a non-root user, no capabilities,
 * no-new-privileges, no network) plus the one flag a rule is about, raise
 * that rule, with its priority and the container's name, id, image and
 * offending value, and no other posture rule but "Container without user
 * namespace" (every container of a daemon without userns-remap has the
 * host's uids). A default `docker run` raises the baseline rules. A
 * container already running when vigil starts gets its container event.
 *
 * --privileged does not work on every host (nor on the test VM), so the
 * privileged rule runs on a copy of a real container's Docker state with
 * HostConfig.Privileged set, under a fake --host-root; the container has
 * SYS_ADMIN and no seccomp, which the privileged rule covers alone.
 *
 * One vigil serves the flag cases; the privileged case starts a second one.
 * Needs root, docker and /bin/busybox (harness_docker.h); without them the
 * tests skip, except with CI=true, where they fail.
 */
#define _GNU_SOURCE
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "harness.h"
#include "harness_docker.h"

#define PREFIX	"wt-postrules-"
#define WAIT_MS 20000
#define GOOD                                                                        \
	"--read-only --memory 64m --pids-limit 64 --user 1000:1000 --cap-drop ALL " \
	"--security-opt no-new-privileges"
#define NONET	  "--network none"
#define RULE_SEEN "e2e posture container event"

#define R_PRIV	  "Privileged container started"
#define R_SOCK	  "Container runtime socket mounted"
#define R_MOUNT	  "Sensitive host path mounted writable"
#define R_CAPS	  "Container with dangerous capabilities"
#define R_SECCOMP "Container without seccomp"
#define R_AA	  "Container without AppArmor"
#define R_NET	  "Container in host network namespace"
#define R_PID	  "Container in host PID namespace"
#define R_IPC	  "Container in host IPC namespace"
#define R_MEM	  "Container without memory limit"
#define R_ROOT	  "Container running as root"
#define R_RWROOT  "Container with writable root file system"
#define R_USERNS  "Container without user namespace"
#define R_NETRAW  "Container with NET_RAW capability"

/* How a rule's alert shows its offending value. */
enum vkind { V_HAS, V_STR, V_TRUE, V_FALSE, V_ZERO };

struct rule_check {
	const char *rule, *priority, *field;
	enum vkind kind;
	const char *value; /* V_HAS, V_STR */
};

static const struct rule_check rule_checks[] = {
	{ R_PRIV, "Critical", "container.privileged", V_TRUE, NULL },
	{ R_SOCK, "Critical", "container.mounts", V_HAS, "/var/run/docker.sock:" },
	{ R_MOUNT, "Error", "container.mounts", V_HAS, "/etc:/host-etc:" },
	{ R_CAPS, "Error", "container.cap_added", V_HAS, "CAP_SYS_ADMIN" },
	{ R_SECCOMP, "Warning", "container.seccomp", V_STR, "unconfined" },
	{ R_AA, "Warning", "container.apparmor", V_STR, "unconfined" },
	{ R_NET, "Warning", "container.host_network", V_TRUE, NULL },
	{ R_PID, "Warning", "container.host_pid", V_TRUE, NULL },
	{ R_IPC, "Warning", "container.host_ipc", V_TRUE, NULL },
	{ R_MEM, "Notice", "container.memory.limit", V_ZERO, NULL },
	{ R_ROOT, "Notice", "container.uid", V_ZERO, NULL },
	{ R_RWROOT, "Informational", "container.readonly_rootfs", V_FALSE, NULL },
	{ R_USERNS, "Informational", "container.userns", V_FALSE, NULL },
	{ R_NETRAW, "Informational", "container.cap_effective", V_HAS, "CAP_NET_RAW" },
};
#define NRULES (sizeof(rule_checks) / sizeof(rule_checks[0]))

/* A container: its name after PREFIX, `docker run` flags, the rules it must raise. */
struct pcase {
	const char *name, *flags;
	const char *rules[6]; /* besides R_USERNS, which depends on the daemon */
	char id[13];
};
#define PC(n, f, ...)                                           \
	{                                                       \
		.name = n, .flags = f, .rules = { __VA_ARGS__ } \
	}

/* Started before vigil: its container event comes from vigil's start-up scan. */
static struct pcase early = PC("early", GOOD " " NONET " --cap-add SYS_ADMIN", R_CAPS);

static struct pcase cases[] = {
	PC("good", GOOD " " NONET, NULL),
	PC("default", NONET, R_MEM, R_ROOT, R_RWROOT, R_NETRAW),
	PC("caps", GOOD " " NONET " --cap-add SYS_ADMIN", R_CAPS),
	/* NET_RAW is in Docker's default set: "added" it is not, but the container keeps it */
	PC("netraw", GOOD " " NONET " --cap-add NET_RAW", R_NETRAW),
	/* read-only: a socket needs no writable mount to be connected to */
	PC("sock", GOOD " " NONET " -v /var/run/docker.sock:/var/run/docker.sock:ro", R_SOCK),
	PC("etc", GOOD " " NONET " -v /etc:/host-etc", R_MOUNT),
	PC("etcro", GOOD " " NONET " -v /etc:/host-etc:ro", NULL),
	PC("seccomp", GOOD " " NONET " --security-opt seccomp=unconfined", R_SECCOMP),
	/* R_AA only where the host has AppArmor (see expected()) */
	PC("apparmor", GOOD " " NONET " --security-opt apparmor=unconfined", R_AA),
	PC("hostnet", GOOD " --network host", R_NET),
	PC("hostpid", GOOD " " NONET " --pid host", R_PID),
	PC("hostipc", GOOD " " NONET " --ipc host", R_IPC),
	PC("root", "--read-only --memory 64m --cap-drop ALL " NONET, R_ROOT),
};
#define NCASES (sizeof(cases) / sizeof(cases[0]))

/* The first vigil's alerts (kept: starting the second one frees the first) */
static json_t *seen_alerts;
static bool userns_remap, host_apparmor;
static char tmpdir[PATH_MAX];

static void remove_containers(void)
{
	char names[4096];
	size_t n = (size_t)snprintf(names, sizeof(names), PREFIX "%s " PREFIX "priv", early.name);

	for (size_t i = 0; i < NCASES; i++)
		n += (size_t)snprintf(names + n, sizeof(names) - n, " " PREFIX "%s", cases[i].name);
	e2e_sh(NULL, E2E_DOCKER_MS, "docker rm -f %s >/dev/null 2>&1", names);
}

static void start(struct pcase *c)
{
	e2e_docker_run_id(c->id, "run -d --name " PREFIX "%s %s " E2E_IMAGE " sleep 300", c->name,
			  c->flags);
}

/* Raises every container's event, with the container's first process. */
static const char *write_rules(void)
{
	const char *path = tu_join(tmpdir, "seen.yaml");

	e2e_write_file(
		path, "- rule: " RULE_SEEN "\n"
		      "  desc: a container event of this test's containers\n"
		      "  condition: evt.type = container and container.name startswith " PREFIX "\n"
		      "  output: >\n"
		      "    container event (name=%container.name id=%container.id\n"
		      "    proc=%proc.name cmdline=%proc.cmdline)\n"
		      "  priority: NOTICE\n"
		      "  tags: [e2e]\n");
	return path;
}

static void wait_seen(struct e2e_vigil *v, const char *name)
{
	char full[128];
	struct e2e_match m = { .rule = RULE_SEEN, .fields = { { "container.name", full } } };

	snprintf(full, sizeof(full), PREFIX "%s", name);
	e2e_wait_alert(v, &m, WAIT_MS);
}

static int setup_group(void **state)
{
	const char *posture = e2e_source_path("rules/vigil_rules_posture.yaml");
	struct e2e_vigil *run;
	char *out = NULL;

	(void)state;
	e2e_require_root();
	e2e_docker_ready();
	remove_containers();
	e2e_tmpdir(tmpdir, sizeof(tmpdir));
	if (e2e_sh(&out, 10000, "docker info --format '{{json .SecurityOptions}}'"))
		fail_msg("docker info failed");
	userns_remap = strstr(out, "name=userns") != NULL;
	free(out);
	host_apparmor = !e2e_sh(NULL, 5000,
				"grep -qx Y /sys/module/apparmor/parameters/enabled 2>/dev/null");

	start(&early);
	run = e2e_start((const char *[]){ posture, write_rules(), NULL });
	for (size_t i = 0; i < NCASES; i++)
		start(&cases[i]);
	wait_seen(run, early.name);
	for (size_t i = 0; i < NCASES; i++)
		wait_seen(run, cases[i].name);
	e2e_stop(run);
	seen_alerts = json_incref(run->alerts);
	return 0;
}

static int teardown_group(void **state)
{
	remove_containers();
	json_decref(seen_alerts);
	return e2e_teardown(state);
}

static const struct rule_check *check_of(const char *rule)
{
	for (size_t i = 0; i < NRULES; i++) {
		if (!strcmp(rule_checks[i].rule, rule))
			return &rule_checks[i];
	}
	return NULL;
}

/* Whether container @c must raise @rule on this host and daemon. */
static bool expected(const struct pcase *c, const char *rule)
{
	if (!strcmp(rule, R_USERNS))
		return !userns_remap;
	if (!strcmp(rule, R_AA) && !host_apparmor)
		return false;
	for (size_t i = 0; i < 6 && c->rules[i]; i++) {
		if (!strcmp(c->rules[i], rule))
			return true;
	}
	return false;
}

/* The alert's priority, container, image, pod and offending value. */
static void check_alert(const json_t *a, const struct rule_check *rc, const char *id,
			const char *name)
{
	const json_t *v = json_object_get(json_object_get(a, "output_fields"), rc->field);

	e2e_assert_top(a, "priority", rc->priority);
	e2e_assert_field(a, "container.id", id);
	e2e_assert_field(a, "container.name", name);
	e2e_assert_field(a, "container.image.repository", E2E_IMAGE_REPO);
	e2e_assert_field_null(a, "k8s.pod.name");
	switch (rc->kind) {
	case V_HAS:
		e2e_assert_field_has(a, rc->field, rc->value);
		break;
	case V_STR:
		e2e_assert_field(a, rc->field, rc->value);
		break;
	case V_TRUE:
	case V_FALSE:
		e2e_assert_field_bool(a, rc->field, rc->kind == V_TRUE);
		break;
	case V_ZERO:
		if (!json_is_integer(v) || json_integer_value(v) != 0) {
			e2e_print_alert("  alert: ", a);
			fail_msg("%s: %s is not 0", rc->rule, rc->field);
		}
		break;
	}
}

/* @c raised exactly its expected posture rules, once each, with their values. */
static void check_case(const json_t *alerts, const struct pcase *c)
{
	char name[128];

	snprintf(name, sizeof(name), PREFIX "%s", c->name);
	for (size_t i = 0; i < NRULES; i++) {
		const struct rule_check *rc = &rule_checks[i];
		struct e2e_match m = { .rule = rc->rule, .fields = { { "container.name", name } } };

		if (!expected(c, rc->rule)) {
			if (e2e_count_in(alerts, &m)) {
				e2e_print_alert("  unexpected: ", e2e_expect_one_in(alerts, &m));
				fail_msg("%s raised \"%s\" (flags: %s)", name, rc->rule, c->flags);
			}
			continue;
		}
		check_alert(e2e_expect_one_in(alerts, &m), rc, c->id, name);
	}
}

static const struct pcase *case_named(const char *name)
{
	for (size_t i = 0; i < NCASES; i++) {
		if (!strcmp(cases[i].name, name))
			return &cases[i];
	}
	fail_msg("no case %s", name);
	return NULL;
}

#define CASE_TEST(fn, nm)                                \
	static void fn(void **state)                     \
	{                                                \
		(void)state;                             \
		check_case(seen_alerts, case_named(nm)); \
	}

CASE_TEST(test_good_practice, "good")
CASE_TEST(test_default_run_baseline, "default")
CASE_TEST(test_cap_add_sys_admin, "caps")
CASE_TEST(test_cap_add_net_raw, "netraw")
CASE_TEST(test_docker_socket_ro, "sock")
CASE_TEST(test_etc_writable, "etc")
CASE_TEST(test_etc_read_only, "etcro")
CASE_TEST(test_seccomp_unconfined, "seccomp")
CASE_TEST(test_apparmor_unconfined, "apparmor")
CASE_TEST(test_host_network, "hostnet")
CASE_TEST(test_host_pid, "hostpid")
CASE_TEST(test_host_ipc, "hostipc")
CASE_TEST(test_root_user, "root")

/* Running before vigil started: the start-up scan raised its container event. */
static void test_running_before_start(void **state)
{
	struct e2e_match m = { .rule = RULE_SEEN,
			       .fields = { { "container.name", PREFIX "early" } } };
	const json_t *a;

	(void)state;
	a = e2e_expect_one_in(seen_alerts, &m);
	e2e_assert_field(a, "container.id", early.id);
	e2e_assert_field(a, "proc.name", "sleep");
	e2e_assert_field(a, "proc.cmdline", "sleep 300");
	check_case(seen_alerts, &early);
}

/*
 * Copy container @name's Docker state files under @root as vigil would find
 * them there with --host-root @root, with HostConfig.Privileged set.
 */
static void copy_state_privileged(const char *name, const char *root)
{
	char *id = NULL, *data = NULL;

	if (e2e_sh(&id, E2E_DOCKER_MS, "docker inspect -f '{{.Id}}' %s", name) ||
	    e2e_sh(&data, E2E_DOCKER_MS, "docker info -f '{{.DockerRootDir}}'"))
		fail_msg("docker inspect %s or docker info failed", name);
	if (e2e_sh(NULL, 10000,
		   "d=%s/var/lib/docker/containers/%s && mkdir -p $d && "
		   "cp %s/containers/%s/config.v2.json %s/containers/%s/hostconfig.json $d/ && "
		   "sed -i 's/\"Privileged\":false/\"Privileged\":true/' $d/hostconfig.json && "
		   "grep -q '\"Privileged\":true' $d/hostconfig.json",
		   root, id, data, id, data, id))
		fail_msg("could not copy %s's state from %s to %s", name, data, root);
	free(id);
	free(data);
}

/*
 * A fake host root holding a copy of a running container's Docker state,
 * with HostConfig.Privileged set; vigil --host-root reads it at start.
 */
static void test_privileged_from_state(void **state)
{
	struct pcase priv =
		PC("priv", GOOD " " NONET " --cap-add SYS_ADMIN --security-opt seccomp=unconfined",
		   R_PRIV);
	char root[PATH_MAX + 32], full[128];
	struct e2e_match m = { .rule = R_PRIV, .fields = { { "container.name", full } } };
	struct e2e_vigil *v;

	(void)state;
	start(&priv);
	snprintf(full, sizeof(full), PREFIX "priv");
	snprintf(root, sizeof(root), "%s/host", tmpdir);
	copy_state_privileged(full, root);

	v = e2e_start_args((const char *[]){ "--host-root", root, "-r",
					     e2e_source_path("rules/vigil_rules_posture.yaml"),
					     NULL });
	e2e_wait_alert(v, &m, WAIT_MS);
	e2e_stop(v);
	check_alert(e2e_expect_one(v, &m), check_of(R_PRIV), priv.id, full);
	/* privileged covers them: no second alert for its added SYS_ADMIN nor seccomp */
	m.rule = R_CAPS;
	assert_int_equal(e2e_count(v, &m), 0);
	m.rule = R_SECCOMP;
	assert_int_equal(e2e_count(v, &m), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_running_before_start),
		cmocka_unit_test(test_good_practice),
		cmocka_unit_test(test_default_run_baseline),
		cmocka_unit_test(test_cap_add_sys_admin),
		cmocka_unit_test(test_cap_add_net_raw),
		cmocka_unit_test(test_docker_socket_ro),
		cmocka_unit_test(test_etc_writable),
		cmocka_unit_test(test_etc_read_only),
		cmocka_unit_test(test_seccomp_unconfined),
		cmocka_unit_test(test_apparmor_unconfined),
		cmocka_unit_test(test_host_network),
		cmocka_unit_test(test_host_pid),
		cmocka_unit_test(test_host_ipc),
		cmocka_unit_test(test_root_user),
		cmocka_unit_test(test_privileged_from_state),
	};

	return cmocka_run_group_tests(tests, setup_group, teardown_group);
}
