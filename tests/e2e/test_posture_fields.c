// SPDX-License-Identifier: Apache-2.0
/*
 * End-to-end container posture fields with a real Docker engine: one
 * container per set of flags (defaults with a writable bind mount;
 * --cap-add/--cap-drop with a read-only one; --read-only --memory --cpus
 * --pids-limit --user; --security-opt seccomp=unconfined,
 * no-new-privileges; --network/--pid/--ipc host), started after vigil, so
 * that vigil sees each one's runc init first. `docker exec CONTAINER true`
 * raises a rule whose output prints every posture field, and each value is
 * checked against what `docker inspect` says of the container (and, for the
 * capabilities, against the sets the flags give).
 *
 * Needs root, docker and /bin/busybox (harness_docker.h); without them the
 * tests skip, except with CI=true, where they fail. No --privileged: the
 * test VMs do not allow it.
 */
#define _GNU_SOURCE
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "harness.h"
#include "harness_docker.h"

#define IMAGE	      E2E_IMAGE
#define ALERT_WAIT_MS 15000
#define RULE	      "e2e posture"
#define PREFIX	      "posture-e2e-"

struct pcase {
	const char *name; /* after PREFIX */
	const char *flags;
	const char *cap_added, *cap_dropped; /* exactly */
	const char *rdwr; /* container.mount.rdwr[dir]: "true" rw, "false" ro, NULL no mount */
};

static const struct pcase cases[] = {
	{ "default", "", "", "", "true" },
	{ "caps", "--network none --cap-add NET_ADMIN --cap-add SYS_PTRACE --cap-drop NET_RAW",
	  "CAP_NET_ADMIN|CAP_SYS_PTRACE", "CAP_NET_RAW", "false" },
	{ "limits",
	  "--network none --read-only --memory 64m --cpus 0.5 --pids-limit 100 --user 1000:1000",
	  "", "", NULL },
	{ "secopt",
	  "--network none --security-opt seccomp=unconfined --security-opt no-new-privileges", "",
	  "", NULL },
	{ "hostns", "--network host --pid host --ipc host", "", "", NULL },
};
#define NCASES (sizeof(cases) / sizeof(cases[0]))

static struct e2e_vigil *vigil;
static char dir[PATH_MAX / 2];

static void remove_containers(void)
{
	e2e_sh(NULL, E2E_DOCKER_MS,
	       "docker rm -f " PREFIX "default " PREFIX "caps " PREFIX "limits " PREFIX
	       "secopt " PREFIX "hostns >/dev/null 2>&1");
}

static const char *write_rules(void)
{
	char text[PATH_MAX + 2048];
	const char *path = tu_join(dir, "rules.yaml");

	snprintf(text, sizeof(text),
		 "- rule: " RULE "\n"
		 "  desc: true run in a container prints the container's posture\n"
		 "  condition: >\n"
		 "    (evt.type in (execve) and container.id != host and proc.name = true)\n"
		 "    or (evt.type = container and container.name startswith " PREFIX ")\n"
		 "  output: >\n"
		 "    posture %%evt.type (name=%%container.name caps=%%container.cap_effective\n"
		 "    added=%%container.cap_added dropped=%%container.cap_dropped\n"
		 "    user=%%container.user uid=%%container.uid ro=%%container.readonly_rootfs\n"
		 "    mem=%%container.memory.limit cpu=%%container.cpu.limit\n"
		 "    pids=%%container.pids.limit seccomp=%%container.seccomp\n"
		 "    apparmor=%%container.apparmor selinux=%%container.selinux\n"
		 "    nnp=%%container.no_new_privileges net=%%container.host_network\n"
		 "    pid=%%container.host_pid ipc=%%container.host_ipc userns=%%container.userns\n"
		 "    ip=%%container.ip rdwr=%%container.mount.rdwr[%s]\n"
		 "    mount=%%container.mount[%s])\n"
		 "  priority: NOTICE\n"
		 "  tags: [e2e, container]\n",
		 dir, dir);
	e2e_write_file(path, text);
	return path;
}

static int setup(void **state)
{
	char mount[PATH_MAX], *id = NULL;

	(void)state;
	e2e_require_root();
	e2e_docker_ready();
	remove_containers();
	e2e_tmpdir(dir, sizeof(dir));
	vigil = e2e_start((const char *[]){ write_rules(), NULL });
	for (size_t i = 0; i < NCASES; i++) {
		mount[0] = '\0';
		if (cases[i].rdwr)
			snprintf(mount, sizeof(mount), "-v %s:/data%s", dir,
				 strcmp(cases[i].rdwr, "true") ? ":ro" : "");
		if (e2e_sh(&id, E2E_DOCKER_MS,
			   "docker run -d --name " PREFIX "%s %s %s " IMAGE " sleep 120",
			   cases[i].name, cases[i].flags, mount) ||
		    strlen(id) < 64)
			fail_msg("docker run " PREFIX "%s failed (output: %s)", cases[i].name, id);
		free(id);
		id = NULL;
	}
	return 0;
}

static int teardown(void **state)
{
	remove_containers();
	return e2e_teardown(state);
}

/* `docker inspect NAME` as JSON: its one object (owned by the returned array). */
static json_t *inspect(const char *name, json_t **ret_arr)
{
	json_error_t jerr;
	char *out = NULL;
	json_t *arr;

	if (e2e_sh(&out, E2E_DOCKER_MS, "docker inspect %s", name))
		fail_msg("docker inspect %s failed", name);
	arr = json_loads(out, 0, &jerr);
	free(out);
	if (!json_is_array(arr) || json_array_size(arr) != 1)
		fail_msg("docker inspect %s: not an array of one: %s", name, jerr.text);
	*ret_arr = arr;
	return json_array_get(arr, 0);
}

static const char *str_at(json_t *o, const char *a, const char *b)
{
	json_t *v = json_object_get(b ? json_object_get(o, a) : o, b ? b : a);

	return json_is_string(v) ? json_string_value(v) : "";
}

static long long int_at(json_t *o, const char *a, const char *b)
{
	json_t *v = json_object_get(json_object_get(o, a), b);

	return json_is_integer(v) ? json_integer_value(v) : 0;
}

static bool security_opt(json_t *ins, const char *opt)
{
	json_t *arr = json_object_get(json_object_get(ins, "HostConfig"), "SecurityOpt"), *v;
	size_t i;

	json_array_foreach(arr, i, v)
	{
		if (json_is_string(v) && !strcmp(json_string_value(v), opt))
			return true;
	}
	return false;
}

/* The addresses of NetworkSettings.Networks, comma-separated, as container.ip. */
static void ips(json_t *ins, char *buf, size_t size)
{
	json_t *nets = json_object_get(json_object_get(ins, "NetworkSettings"), "Networks"), *n;
	const char *key, *ip;
	size_t used = 0;

	buf[0] = '\0';
	json_object_foreach(nets, key, n)
	{
		ip = str_at(n, "IPAddress", NULL);
		if (ip[0])
			used += (size_t)snprintf(buf + used, size - used, "%s%s", used ? "," : "",
						 ip);
	}
}

/* The resources docker inspect gives, as the container.*.limit fields say them. */
static void assert_limits(const json_t *a, json_t *ins)
{
	long long nano = int_at(ins, "HostConfig", "NanoCpus");
	long long pids = int_at(ins, "HostConfig", "PidsLimit");
	long long mem = int_at(ins, "HostConfig", "Memory");

	e2e_assert_field_int(a, "container.memory.limit", mem, mem);
	e2e_assert_field_int(a, "container.cpu.limit", nano / 1000000, nano / 1000000);
	pids = pids > 0 ? pids : 0;
	e2e_assert_field_int(a, "container.pids.limit", pids, pids);
}

static void assert_host(const json_t *a, json_t *ins, const char *field, const char *key)
{
	e2e_assert_field_bool(a, field, !strcmp(str_at(ins, "HostConfig", key), "host"));
}

/* Every posture field of alert @a against docker inspect's @ins. */
static void assert_posture(const json_t *a, json_t *ins, const struct pcase *pc)
{
	char ip[PATH_MAX], mount[PATH_MAX];
	const char *user = str_at(ins, "Config", "User");
	json_t *mnt = json_array_get(json_object_get(ins, "Mounts"), 0);

	e2e_assert_field(a, "container.cap_added", pc->cap_added);
	e2e_assert_field(a, "container.cap_dropped", pc->cap_dropped);
	e2e_assert_field_has(a, "container.cap_effective", "CAP_CHOWN");
	e2e_assert_field(a, "container.user", user);
	e2e_assert_field_int(a, "container.uid", atoll(user), atoll(user));
	e2e_assert_field_bool(a, "container.readonly_rootfs",
			      json_is_true(json_object_get(json_object_get(ins, "HostConfig"),
							   "ReadonlyRootfs")));
	assert_limits(a, ins);
	e2e_assert_field(a, "container.seccomp",
			 security_opt(ins, "seccomp=unconfined") ? "unconfined" : "default");
	e2e_assert_field(a, "container.apparmor", str_at(ins, "AppArmorProfile", NULL));
	e2e_assert_field(a, "container.selinux",
			 security_opt(ins, "label=disable") ? "disabled"
							    : str_at(ins, "ProcessLabel", NULL));
	e2e_assert_field_bool(a, "container.no_new_privileges",
			      security_opt(ins, "no-new-privileges"));
	assert_host(a, ins, "container.host_network", "NetworkMode");
	assert_host(a, ins, "container.host_pid", "PidMode");
	assert_host(a, ins, "container.host_ipc", "IpcMode");
	e2e_assert_field_bool(a, "container.userns", false); /* the daemon does not remap */
	ips(ins, ip, sizeof(ip));
	e2e_assert_field(a, "container.ip", ip);
	snprintf(mount, sizeof(mount), "container.mount.rdwr[%s]", dir);
	if (!pc->rdwr) {
		e2e_assert_field_null(a, mount);
		return;
	}
	e2e_assert_field(a, mount, pc->rdwr);
	/* Falco's format, from what docker inspect says of the mount */
	snprintf(mount, sizeof(mount), "container.mount[%s]", dir);
	snprintf(ip, sizeof(ip), "%s:/data:%s:%s:%s", dir, str_at(mnt, "Mode", NULL), pc->rdwr,
		 str_at(mnt, "Propagation", NULL));
	e2e_assert_field(a, mount, ip);
}

/*
 * The container event (vigil announces the container at its entrypoint's
 * exec) and `docker exec CONTAINER true` both print the container's posture.
 */
static void run_case(void **state)
{
	const struct pcase *pc = *state;
	struct e2e_match m = { .rule = RULE };
	char name[64];
	json_t *arr, *ins;

	snprintf(name, sizeof(name), PREFIX "%s", pc->name);
	m.fields[0][0] = "container.name";
	m.fields[0][1] = name;
	m.fields[1][0] = "evt.type";
	if (e2e_sh(NULL, E2E_DOCKER_MS, "docker exec %s true", name))
		fail_msg("docker exec %s true failed", name);
	ins = inspect(name, &arr);
	m.fields[1][1] = "container";
	assert_posture(e2e_wait_alert(vigil, &m, ALERT_WAIT_MS), ins, pc);
	m.fields[1][1] = "execve";
	assert_posture(e2e_wait_alert(vigil, &m, ALERT_WAIT_MS), ins, pc);
	json_decref(arr);
}

static void test_stop(void **state)
{
	(void)state;
	e2e_stop(vigil);
}

int main(void)
{
	struct CMUnitTest tests[NCASES + 1];

	for (size_t i = 0; i < NCASES; i++)
		tests[i] = (struct CMUnitTest){ .name = cases[i].name,
						.test_func = run_case,
						.initial_state = (void *)&cases[i] };
	tests[NCASES] = (struct CMUnitTest){ .name = "vigil stops having lost nothing",
					     .test_func = test_stop };
	return cmocka_run_group_tests(tests, setup, teardown);
}
