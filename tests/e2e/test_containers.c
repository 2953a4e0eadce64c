// SPDX-License-Identifier: Apache-2.0
/*
 * End-to-end container identity with a real Docker engine: vigil's alerts
 * for processes in named containers carry the container's id, name, image,
 * bind mount and the process ancestry of a `docker exec` shell; a container
 * that lives well under a second is still identified (its first events wait
 * for the metadata); host processes stay "host"; proc.is_exe_upper_layer
 * tells a binary written in the container from the image's, and proc.env
 * reads the process's environment.
 *
 * Needs root and docker (dockerd is started when not running and left
 * running) and /bin/busybox (package busybox-static), from which the image
 * vigil-e2e/busybox:1.0 is imported offline. Without them the tests skip,
 * except with CI=true, where they fail. Containers run with --network none
 * and without --privileged so that hosts without iptables or full
 * capabilities can run them.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "harness.h"
#include "harness_docker.h"

#define IMAGE		E2E_IMAGE
#define DOCKER_MS	E2E_DOCKER_MS
#define ALERT_WAIT_MS	15000
#define RULE_EXEC	"e2e container exec"
#define RULE_HOST_PROBE "e2e host probe"
#define RULE_LAYER	"e2e exe layer"
#define PROBE_NAME	"e2ehostprobe"

static void remove_containers(void)
{
	e2e_sh(NULL, DOCKER_MS,
	       "docker rm -f vigil-e2e-a vigil-e2e-short vigil-e2e-layer >/dev/null 2>&1");
}

static int teardown(void **state)
{
	remove_containers();
	return e2e_teardown(state);
}

/* The rules: every exec in a container, and the host probe binary's exec. */
static const char *write_rules(const char *dir, const char *mount_src)
{
	char text[PATH_MAX + 2048];
	const char *path = tu_join(dir, "rules.yaml");

	snprintf(text, sizeof(text),
		 "- rule: " RULE_EXEC "\n"
		 "  desc: a program was started in a container, or by a container's shim,\n"
		 "    runc or a shell (so that a wrong container.id still gives an alert)\n"
		 "  condition: >\n"
		 "    evt.type in (execve, execveat)\n"
		 "    and (container.id != host or proc.pname in (containerd-shim, runc, sh))\n"
		 "  output: >\n"
		 "    e2e exec (id=%%container.id name=%%container.name image=%%container.image\n"
		 "    repo=%%container.image.repository tag=%%container.image.tag\n"
		 "    mount=%%container.mount.dest[/data] dest0=%%container.mount.dest[0]\n"
		 "    src0=%%container.mount.source[0] dest_by_src=%%container.mount.dest[%s]\n"
		 "    src_by_dest=%%container.mount.source[/data]\n"
		 "    proc=%%proc.name parent=%%proc.pname aname2=%%proc.aname[2]\n"
		 "    cmdline=%%proc.cmdline)\n"
		 "  priority: NOTICE\n"
		 "  tags: [e2e, container]\n"
		 "- rule: " RULE_HOST_PROBE "\n"
		 "  desc: the test's probe binary was started\n"
		 "  condition: evt.type in (execve, execveat) and proc.name = " PROBE_NAME "\n"
		 "  output: e2e probe (id=%%container.id name=%%container.name)\n"
		 "  priority: NOTICE\n"
		 "  tags: [e2e]\n"
		 "- rule: " RULE_LAYER "\n"
		 "  desc: busybox started in a container, from the image or from a copy\n"
		 "  condition: >\n"
		 "    evt.type in (execve, execveat) and container.id != host\n"
		 "    and proc.exepath in (/bin/busybox, /tmp/busybox)\n"
		 "  output: >\n"
		 "    e2e layer (exe=%%proc.exepath upper=%%proc.is_exe_upper_layer\n"
		 "    env=%%proc.env[VIGIL_E2E] cmdline=%%proc.cmdline name=%%container.name)\n"
		 "  priority: NOTICE\n"
		 "  tags: [e2e]\n",
		 mount_src);
	e2e_write_file(path, text);
	return path;
}

/* Prepare docker, a temp dir with the rules and a file to mount; start vigil. */
static struct e2e_vigil *setup_run(char *dir, size_t size)
{
	e2e_require_root();
	e2e_docker_ready();
	remove_containers();
	e2e_tmpdir(dir, size);
	e2e_write_file(tu_join(dir, "hello"), "hello\n");
	return e2e_start((const char *[]){ write_rules(dir, dir), NULL });
}

/* `docker run -d` the long-lived container with @dir on /data; its short id. */
static void run_named(const char *dir, char *ret_short_id)
{
	char *id = NULL;

	if (e2e_sh(&id, DOCKER_MS,
		   "docker run -d --name vigil-e2e-a --network none -v %s:/data:ro " IMAGE
		   " sleep 30",
		   dir) ||
	    strlen(id) < 64)
		fail_msg("docker run vigil-e2e-a failed (output: %s)", id);
	snprintf(ret_short_id, 13, "%s", id);
	free(id);
}

static void assert_image(const json_t *a, const char *short_id, const char *name)
{
	e2e_assert_field(a, "container.id", short_id);
	e2e_assert_field(a, "container.name", name);
	e2e_assert_field(a, "container.image", IMAGE);
	e2e_assert_field(a, "container.image.repository", "vigil-e2e/busybox");
	e2e_assert_field(a, "container.image.tag", "1.0");
}

/* `docker exec` a shell in vigil-e2e-a that runs ls as its child; the alert for ls. */
static const json_t *exec_ls(struct e2e_vigil *v)
{
	const struct e2e_match ls = { .rule = RULE_EXEC,
				      .fields = { { "proc.name", "ls" },
						  { "proc.cmdline", "ls /data" } } };

	/* a path, and a command after it, so that busybox sh forks and execs ls */
	if (e2e_sh(NULL, DOCKER_MS,
		   "docker exec vigil-e2e-a sh -c '/bin/ls /data && exit 0' "
		   ">/dev/null"))
		fail_msg("docker exec vigil-e2e-a failed");
	e2e_wait_alert(v, &ls, ALERT_WAIT_MS);
	e2e_stop(v);
	return e2e_expect_one(v, &ls);
}

/* A named container with a bind mount, and a `docker exec` shell's child. */
static void test_named_container_exec(void **state)
{
	char dir[PATH_MAX], cid[13];
	struct e2e_vigil *v;
	const json_t *a;

	(void)state;
	v = setup_run(dir, sizeof(dir));
	run_named(dir, cid);
	a = exec_ls(v);
	assert_image(a, cid, "vigil-e2e-a");
	e2e_assert_field(a, "container.mount.dest[0]", "/data");
	e2e_assert_field(a, "container.mount.source[0]", dir);
	e2e_assert_field(a, "proc.pname", "sh");
	e2e_assert_top(a, "priority", "Notice");
}

/*
 * The container's first process, exec'd by runc's init process right after
 * it joined the container's cgroup, is identified like the later ones.
 */
static void test_container_init_process(void **state)
{
	const struct e2e_match init = { .rule = RULE_EXEC,
					.fields = { { "proc.name", "sleep" },
						    { "proc.cmdline", "sleep 30" } } };
	char dir[PATH_MAX], cid[13];
	struct e2e_vigil *v;

	(void)state;
	v = setup_run(dir, sizeof(dir));
	run_named(dir, cid);
	e2e_wait_alert(v, &init, ALERT_WAIT_MS);
	e2e_stop(v);
	assert_image(e2e_expect_one(v, &init), cid, "vigil-e2e-a");
}

/*
 * Falco's lookup of a mount by path: container.mount.dest[P] names the mount
 * by its source P, container.mount.source[P] by its destination P (libsinsp:
 * "container.mount.dest: the mount destination, specified by number or mount
 * source (container.mount.dest[/var/lib/docker])"; falco-sandbox_rules.yaml
 * passes host paths such as /var/run/docker.sock).
 */
static void test_mount_lookup_by_path(void **state)
{
	char dir[PATH_MAX], cid[13], key[PATH_MAX + 32];
	struct e2e_vigil *v;
	const json_t *a;

	(void)state;
	v = setup_run(dir, sizeof(dir));
	run_named(dir, cid);
	a = exec_ls(v);
	e2e_assert_field(a, "container.id", cid);
	snprintf(key, sizeof(key), "container.mount.dest[%s]", dir);
	e2e_assert_field(a, key, "/data");
	e2e_assert_field(a, "container.mount.source[/data]", dir);
}

/* A container that lives for well under a second still gets its identity. */
static void test_short_lived_container(void **state)
{
	char dir[PATH_MAX], cid[13];
	struct e2e_match m;
	struct e2e_vigil *v;
	const json_t *a;
	char *id = NULL;

	(void)state;
	v = setup_run(dir, sizeof(dir));
	if (e2e_sh(NULL, DOCKER_MS,
		   "docker run --rm --network none --name vigil-e2e-short --cidfile %s " IMAGE
		   " true",
		   tu_join(dir, "cid")))
		fail_msg("docker run vigil-e2e-short failed");
	id = tu_read_file(tu_join(dir, "cid"));
	if (strlen(id) < 64)
		fail_msg("no container id in the --cidfile: \"%s\"", id);
	snprintf(cid, sizeof(cid), "%s", id);
	free(id);
	m = (struct e2e_match){ .rule = RULE_EXEC,
				.fields = { { "proc.name", "true" }, { "proc.cmdline", "true" } } };
	e2e_wait_alert(v, &m, ALERT_WAIT_MS);
	e2e_stop(v);

	a = e2e_expect_one(v, &m);
	assert_image(a, cid, "vigil-e2e-short");
	/* its first events waited for the metadata instead of going out without it */
	assert_true(json_integer_value(json_object_get(json_object_get(v->stats, "container_wait"),
						       "held")) >= 1);
}

/*
 * proc.is_exe_upper_layer: a copy of busybox written inside the container
 * (the overlay's upper layer) is true, the image's busybox false; and
 * proc.env[NAME] from the process's environment.
 */
static void test_exe_upper_layer_and_env(void **state)
{
	const struct e2e_match copy = { .rule = RULE_LAYER,
					.fields = { { "proc.exepath", "/tmp/busybox" },
						    { "proc.cmdline", "busybox sleep 2" } } };
	const struct e2e_match image = { .rule = RULE_LAYER,
					 .fields = { { "proc.exepath", "/bin/busybox" },
						     { "proc.cmdline", "sleep 2" } } };
	char dir[PATH_MAX];
	struct e2e_vigil *v;
	const json_t *a;

	(void)state;
	v = setup_run(dir, sizeof(dir));
	if (e2e_sh(NULL, DOCKER_MS,
		   "docker run --rm --network none -e VIGIL_E2E=hello --name vigil-e2e-layer " IMAGE
		   " sh -c 'mkdir -p /tmp && cp /bin/busybox /tmp/busybox && /tmp/busybox sleep 2 "
		   "&& /bin/sleep 2'"))
		fail_msg("docker run vigil-e2e-layer failed");
	e2e_wait_alert(v, &copy, ALERT_WAIT_MS);
	e2e_wait_alert(v, &image, ALERT_WAIT_MS);
	e2e_stop(v);

	a = e2e_expect_one(v, &copy);
	e2e_assert_field_bool(a, "proc.is_exe_upper_layer", true);
	e2e_assert_field(a, "proc.env[VIGIL_E2E]", "hello");
	e2e_assert_field(a, "container.name", "vigil-e2e-layer");
	a = e2e_expect_one(v, &image);
	e2e_assert_field_bool(a, "proc.is_exe_upper_layer", false);
	e2e_assert_field(a, "proc.env[VIGIL_E2E]", "hello");
}

static void exec_probe(void *ctx)
{
	const char *path = ctx;

	execl(path, PROBE_NAME, (char *)NULL);
	E2E_CHECK(!"execl");
}

/* Host processes are "host" before and after containers come and go. */
static void test_host_stays_host(void **state)
{
	struct e2e_match probe = { .rule = RULE_HOST_PROBE };
	char dir[PATH_MAX], cid[13];
	const char *path;
	struct e2e_vigil *v;
	size_t i;
	json_t *a;

	(void)state;
	v = setup_run(dir, sizeof(dir));
	path = tu_join(dir, PROBE_NAME);
	if (e2e_sh(NULL, 5000, "cp /bin/true %s", path))
		fail_msg("cp /bin/true %s failed", path);
	e2e_spawn("e2e-probe", exec_probe, (void *)path);
	run_named(dir, cid);
	if (e2e_sh(NULL, DOCKER_MS,
		   "docker run --rm --network none --name vigil-e2e-short " IMAGE " true"))
		fail_msg("docker run vigil-e2e-short failed");
	e2e_spawn("e2e-probe", exec_probe, (void *)path);
	tu_sleep_ms(1000);
	e2e_spawn("e2e-probe", exec_probe, (void *)path);
	e2e_stop(v);

	assert_int_equal(e2e_count(v, &probe), 3);
	json_array_foreach(v->alerts, i, a)
	{
		if (strcmp(json_string_value(json_object_get(a, "rule")), RULE_HOST_PROBE) == 0) {
			e2e_assert_field(a, "container.id", "host");
			e2e_assert_field(a, "container.name", "host");
		}
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_teardown(test_named_container_exec, teardown),
		cmocka_unit_test_teardown(test_container_init_process, teardown),
		cmocka_unit_test_teardown(test_short_lived_container, teardown),
		cmocka_unit_test_teardown(test_host_stays_host, teardown),
		cmocka_unit_test_teardown(test_mount_lookup_by_path, teardown),
		cmocka_unit_test_teardown(test_exe_upper_layer_and_env, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
