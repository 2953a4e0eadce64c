// SPDX-License-Identifier: Apache-2.0
/*
 * The container event (evt.type = container) with a real Docker engine: a
 * container already running when vigil starts is announced at start, one
 * started later at its entrypoint's exec (not runc's init), each exactly
 * once however many `docker exec`s follow, with the container's name, image
 * and posture as its entrypoint runs with it; a capture of the run replays
 * the same alerts, posture fields included.
 *
 * Needs root and docker (see harness_docker.h); skips without them, except
 * with CI=true, where it fails.
 */
#define _GNU_SOURCE
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "harness.h"
#include "harness_capture.h"
#include "harness_docker.h"

#define RULE	"e2e container started"
#define WAIT_MS 15000
#define OLD	"vigil-e2e-ctrev-old"
#define NEW	"vigil-e2e-ctrev-new"

static void remove_containers(void)
{
	e2e_sh(NULL, E2E_DOCKER_MS, "docker rm -f " OLD " " NEW " >/dev/null 2>&1");
}

static int teardown(void **state)
{
	remove_containers();
	return e2e_teardown(state);
}

static const char *write_rules(const char *dir)
{
	const char *path = tu_join(dir, "rules.yaml");

	e2e_write_file(path,
		       "- rule: " RULE "\n"
		       "  desc: a container was seen for the first time\n"
		       "  condition: evt.type = container\n"
		       "  output: >\n"
		       "    %evt.type started (id=%container.id name=%container.name\n"
		       "    image=%container.image type=%evt.arg.type proc=%proc.name\n"
		       "    cmdline=%proc.cmdline caps=%container.cap_added\n"
		       "    ro=%container.readonly_rootfs mem=%container.memory.limit\n"
		       "    user=%container.user uid=%container.uid seccomp=%container.seccomp\n"
		       "    nnp=%container.no_new_privileges hostpid=%container.host_pid\n"
		       "    userns=%container.userns)\n"
		       "  priority: NOTICE\n"
		       "  tags: [e2e]\n");
	return path;
}

static const json_t *expect_once(struct e2e_vigil *v, const char *name, const char *cid,
				 const char *proc)
{
	const struct e2e_match m = { .rule = RULE, .fields = { { "container.name", name } } };
	const json_t *a = e2e_expect_one(v, &m);

	e2e_assert_field(a, "container.id", cid);
	e2e_assert_field(a, "container.image", E2E_IMAGE);
	e2e_assert_field(a, "evt.type", "container");
	e2e_assert_field(a, "evt.arg.type", "docker");
	e2e_assert_field(a, "proc.name", proc);
	e2e_assert_top(a, "priority", "Notice");
	return a;
}

static void test_running_and_new(void **state)
{
	const struct e2e_match new_m = { .rule = RULE, .fields = { { "container.name", NEW } } };
	char dir[PATH_MAX], old_id[13], new_id[13], cap[PATH_MAX + 16];
	struct e2e_markers mk = { 0 };
	struct e2e_replay *rp;
	struct e2e_vigil *v;
	const json_t *a;
	json_t *mine;

	(void)state;
	e2e_require_root();
	e2e_docker_ready();
	remove_containers();
	e2e_tmpdir(dir, sizeof(dir));
	snprintf(cap, sizeof(cap), "%s/run.vcap", dir);
	e2e_docker_run_id(old_id, "run -d --name " OLD " --network none " E2E_IMAGE " sleep 60");
	v = e2e_start_args((const char *[]){ "-r", write_rules(dir), "-w", cap, NULL });
	e2e_docker_run_id(new_id, "run -d --name " NEW " --network none --read-only --memory 64m"
				  " --user 1000:1000 --cap-add SYS_PTRACE --pid host"
				  " --security-opt no-new-privileges " E2E_IMAGE " sleep 60");
	e2e_wait_alert(v, &new_m, WAIT_MS);
	for (int i = 0; i < 3; i++) /* later execs in both: no new container events */
		if (e2e_sh(NULL, E2E_DOCKER_MS,
			   "docker exec " OLD " true && docker exec " NEW " true"))
			fail_msg("docker exec failed");
	e2e_stop(v);
	expect_once(v, OLD, old_id, "sleep");
	a = expect_once(v, NEW, new_id, "sleep");
	/* the posture as the container runs it: the entrypoint's, after runc's init */
	e2e_assert_field(a, "container.cap_added", "CAP_SYS_PTRACE");
	e2e_assert_field_bool(a, "container.readonly_rootfs", true);
	e2e_assert_field_int(a, "container.memory.limit", 64 << 20, 64 << 20);
	e2e_assert_field(a, "container.user", "1000:1000");
	e2e_assert_field_int(a, "container.uid", 1000, 1000);
	e2e_assert_field(a, "container.seccomp", "default");
	e2e_assert_field_bool(a, "container.no_new_privileges", true);
	e2e_assert_field_bool(a, "container.host_pid", true);
	e2e_assert_field_bool(a, "container.userns", false);

	rp = e2e_replay(cap, "-r", tu_join(dir, "rules.yaml"));
	e2e_marker_add(&mk, OLD);
	e2e_marker_add(&mk, NEW);
	mine = e2e_select(v->alerts, &mk);
	e2e_assert_replayed_alerts(rp, mine, &mk);
	json_decref(mine);
	e2e_markers_free(&mk);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_teardown(test_running_and_new, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
