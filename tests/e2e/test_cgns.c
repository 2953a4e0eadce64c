// SPDX-License-Identifier: Apache-2.0
/*
 * End-to-end container identity when vigil runs in its own cgroup namespace
 * (as in a pod, or a Docker container on a cgroup v2 node): the kernel then
 * shows every other process's cgroup relative to vigil's ("/../../docker/<id>"),
 * and a container's exec must still carry its container.id and name, a host
 * process's "host".
 *
 * vigil is started in cgns-e2e-<pid>/vigil of every cgroup hierarchy, in a
 * cgroup namespace of its own (unshare(CLONE_NEWCGROUP) before the exec).
 * The container is started before vigil: the first events vigil sees from it
 * come from processes that are still alive, whose /proc/PID/cgroup is read
 * (an exited one is resolved through its cgroup v2 id instead, which would
 * hide a wrong reading of the relative path on a hybrid host).
 *
 * And a process gone before vigil reads its /proc/PID/cgroup, in a container
 * known only from cgroup v1 paths (lxc.payload.cgns-e2e-<pid>; its v2 cgroup
 * the root, as for everyone on a cgroup v1 host), has its parent's container.
 *
 * Needs root, docker and /bin/busybox (busybox-static); without them the tests
 * skip, except with CI=true, where they fail.
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "harness.h"
#include "harness_docker.h"

#define ALERT_WAIT_MS 15000
#define RULE	      "e2e cgns marker"
#define MARKER	      "cgns-e2e-marker"
#define HIER_MAX      32

static char name[64];		      /* the container's and the cgroups' name */
static char hier[HIER_MAX][PATH_MAX]; /* every hierarchy's mount point */
static size_t nhier;

/* /sys/fs/cgroup itself (cgroup v2), else each hierarchy under it (v1, hybrid). */
static void find_hierarchies(void)
{
	const char *top = "/sys/fs/cgroup";
	char path[PATH_MAX];
	struct dirent *d;
	DIR *dir;

	nhier = 0;
	if (access("/sys/fs/cgroup/cgroup.procs", F_OK) == 0) {
		snprintf(hier[nhier++], PATH_MAX, "%s", top);
		return;
	}
	dir = opendir(top);
	assert_non_null(dir);
	while ((d = readdir(dir)) && nhier < HIER_MAX) {
		snprintf(path, sizeof(path), "%.1024s/%s/cgroup.procs", top, d->d_name);
		if (d->d_name[0] != '.' && access(path, F_OK) == 0)
			snprintf(hier[nhier++], PATH_MAX, "%s/%s", top, d->d_name);
	}
	closedir(dir);
}

static int write_to(const char *dir, const char *file, const char *text)
{
	char path[PATH_MAX * 2];
	int fd, rc;

	snprintf(path, sizeof(path), "%.1024s/%s", dir, file);
	fd = open(path, O_WRONLY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	rc = write(fd, text, strlen(text)) == (ssize_t)strlen(text) ? 0 : -1;
	close(fd);
	return rc;
}

/* A cpuset cgroup has no cpus or memory nodes until given its parent's. */
static void copy_cpuset(const char *parent, const char *child)
{
	static const char *const files[] = { "cpuset.cpus", "cpuset.mems" };
	char path[PATH_MAX * 2], buf[4096];

	for (size_t i = 0; i < 2; i++) {
		FILE *f;
		size_t n;

		snprintf(path, sizeof(path), "%.1024s/%s", parent, files[i]);
		f = fopen(path, "re");
		if (!f)
			continue;
		n = fread(buf, 1, sizeof(buf) - 1, f);
		fclose(f);
		buf[n] = '\0';
		write_to(child, files[i], buf);
	}
}

/* In vigil's child before the exec: into NAME/vigil everywhere, then a cgroup namespace. */
static void enter_private_cgns(const void *arg)
{
	char outer[PATH_MAX * 2], inner[PATH_MAX * 3], pid[32];

	(void)arg;
	snprintf(pid, sizeof(pid), "%d", (int)getpid());
	for (size_t i = 0; i < nhier; i++) {
		snprintf(outer, sizeof(outer), "%.1024s/%s", hier[i], name);
		snprintf(inner, sizeof(inner), "%s/vigil", outer);
		E2E_CHECK(mkdir(outer, 0755) == 0 || errno == EEXIST);
		E2E_CHECK(mkdir(inner, 0755) == 0 || errno == EEXIST);
		copy_cpuset(hier[i], outer);
		copy_cpuset(outer, inner);
		E2E_CHECK(write_to(inner, "cgroup.procs", pid) == 0);
	}
	E2E_CHECK(unshare(CLONE_NEWCGROUP) == 0);
}

/* The same, in a mount namespace without the host's cgroup file system. */
static void enter_private_cgns_unmounted(const void *arg)
{
	enter_private_cgns(arg);
	E2E_CHECK(unshare(CLONE_NEWNS) == 0);
	E2E_CHECK(mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) == 0);
	while (umount2("/sys/fs/cgroup", MNT_DETACH) == 0)
		; /* with every hierarchy mounted below it */
}

static void remove_cgroups(void)
{
	char path[PATH_MAX * 2];

	for (size_t i = 0; i < nhier; i++) {
		snprintf(path, sizeof(path), "%.1024s/%s/vigil", hier[i], name);
		rmdir(path);
		snprintf(path, sizeof(path), "%.1024s/%s", hier[i], name);
		rmdir(path);
	}
}

static int teardown(void **state)
{
	int rc;

	e2e_sh(NULL, E2E_DOCKER_MS, "docker rm -f %s >/dev/null 2>&1", name);
	rc = e2e_teardown(state); /* vigil gone: its cgroups are empty */
	remove_cgroups();
	return rc;
}

/* vigil's cgroup namespace is not this process's, and it sees itself at its root. */
static void assert_private_cgns(pid_t pid)
{
	char mine[64] = "", its[64] = "", path[64];
	char *cg = NULL;

	assert_true(readlink("/proc/self/ns/cgroup", mine, sizeof(mine) - 1) > 0);
	snprintf(path, sizeof(path), "/proc/%d/ns/cgroup", (int)pid);
	assert_true(readlink(path, its, sizeof(its) - 1) > 0);
	assert_string_not_equal(mine, its);
	/* this process, read from inside vigil's namespace: above its root */
	assert_int_equal(
		e2e_sh(&cg, 5000, "nsenter -t %d -C cat /proc/%d/cgroup", (int)pid, (int)getpid()),
		0);
	assert_non_null(strstr(cg, ":/.."));
	free(cg);
}

/* A rule file (in a new temporary directory) for the marked execs: its path. */
static const char *marker_rules(void)
{
	char dir[PATH_MAX];
	const char *path;

	e2e_tmpdir(dir, sizeof(dir));
	path = tu_join(dir, "rules.yaml");
	e2e_write_file(path,
		       "- rule: " RULE "\n"
		       "  desc: the test's marked processes\n"
		       "  condition: evt.type in (execve, execveat) and proc.args contains " MARKER
		       "\n"
		       "  output: marker (args=%proc.args id=%container.id "
		       "name=%container.name)\n"
		       "  priority: NOTICE\n");
	return path;
}

static void test_exec_in_private_cgns(void **state)
{
	char cid[13];
	const char *args[] = { "-r", NULL, NULL };
	struct e2e_match m = { .rule = RULE };
	struct e2e_vigil *v;

	(void)state;
	e2e_require_root();
	e2e_docker_ready();
	snprintf(name, sizeof(name), "cgns-e2e-%d", (int)getpid());
	find_hierarchies();
	assert_true(nhier > 0);
	args[1] = marker_rules();
	e2e_docker_run_id(cid, "run -d --name %s --network none " E2E_IMAGE " sleep 60", name);
	v = e2e_start_setup(args, enter_private_cgns, NULL);
	assert_private_cgns(v->pid);

	if (e2e_sh(NULL, E2E_DOCKER_MS, "docker exec %s sh -c 'sleep 1; true' " MARKER "-ctr",
		   name))
		fail_msg("docker exec %s failed", name);
	if (e2e_sh(NULL, 5000, "sh -c 'sleep 1; true' " MARKER "-host"))
		fail_msg("the host's marked shell failed");
	m.fields[0][0] = "proc.args";
	m.fields[0][1] = "-c sleep 1; true " MARKER "-ctr";
	e2e_wait_alert(v, &m, ALERT_WAIT_MS);
	m.fields[0][1] = "-c sleep 1; true " MARKER "-host";
	e2e_wait_alert(v, &m, ALERT_WAIT_MS);
	e2e_stop(v);

	m.fields[0][1] = "-c sleep 1; true " MARKER "-ctr";
	e2e_assert_field(e2e_expect_one(v, &m), "container.id", cid);
	e2e_assert_field(e2e_expect_one(v, &m), "container.name", name);
	m.fields[0][1] = "-c sleep 1; true " MARKER "-host";
	e2e_assert_field(e2e_expect_one(v, &m), "container.id", "host");
	e2e_assert_field(e2e_expect_one(v, &m), "container.name", "host");
}

/*
 * Without a mount of the host's cgroup file system nothing tells vigil
 * where its namespace's root is: it says so at start, naming the mount.
 */
static void test_private_cgns_unmounted(void **state)
{
	static const char warn[] = "vigil: warning: vigil runs in a cgroup namespace of its "
				   "own and cannot tell where its root is (no mount of the "
				   "host's cgroup file system, such as "
				   "HOST_ROOT/sys/fs/cgroup, read-only)";
	const char *args[] = { "--events", "execve", NULL };
	struct e2e_vigil *v;

	(void)state;
	e2e_require_root();
	snprintf(name, sizeof(name), "cgns-e2e-%d", (int)getpid());
	find_hierarchies();
	assert_true(nhier > 0);
	v = e2e_start_setup(args, enter_private_cgns_unmounted, NULL);
	e2e_stop(v);
	if (e2e_stderr_count(v, warn) != 1)
		fail_msg("want one warning \"%s...\"; vigil's stderr:\n%s", warn, v->err_text);
}

/* In the spawned child: into NAME/../lxc.payload.NAME of every v1 hierarchy, then the marker. */
static void short_lived_child(void *ctx)
{
	char dir[PATH_MAX * 2], pid[32];
	pid_t child;
	int status;

	(void)ctx;
	snprintf(pid, sizeof(pid), "%d", (int)getpid());
	for (size_t i = 0; i < nhier; i++) {
		/* the v2 hierarchy keeps it at the root, as on a cgroup v1 host */
		if (nhier > 1 && !strcmp(hier[i], "/sys/fs/cgroup/unified"))
			continue;
		snprintf(dir, sizeof(dir), "%.1024s/lxc.payload.%s", hier[i], name);
		E2E_CHECK(mkdir(dir, 0755) == 0 || errno == EEXIST);
		copy_cpuset(hier[i], dir);
		E2E_CHECK(write_to(dir, "cgroup.procs", pid) == 0);
	}
	child = fork();
	E2E_CHECK(child >= 0);
	if (child == 0) {
		execl("/bin/true", "true", MARKER "-short", (char *)NULL);
		_exit(127);
	}
	E2E_CHECK(waitpid(child, &status, 0) == child && status == 0);
	tu_sleep_ms(2000); /* the parent stays while vigil looks it up */
}

static void remove_lxc_cgroups(void)
{
	char path[PATH_MAX * 2];

	for (size_t i = 0; i < nhier; i++) {
		snprintf(path, sizeof(path), "%.1024s/lxc.payload.%s", hier[i], name);
		rmdir(path);
	}
}

static int teardown_short(void **state)
{
	int rc = e2e_teardown(state);

	remove_lxc_cgroups();
	return rc;
}

/*
 * A process gone before vigil reads its /proc/PID/cgroup, in a container
 * known only from its cgroup v1 paths (its v2 cgroup, all a cgroup v1 host
 * has, is the root): it has its parent's container, not the host.
 */
static void test_short_lived_v1(void **state)
{
	const char *args[] = { "-r", NULL, NULL };
	struct e2e_match m = { .rule = RULE, .fields = { { "proc.args", MARKER "-short" } } };
	struct e2e_vigil *v;

	(void)state;
	e2e_require_root();
	snprintf(name, sizeof(name), "cgns-e2e-%d", (int)getpid());
	find_hierarchies();
	args[1] = marker_rules();
	v = e2e_start_args(args);
	e2e_spawn("cgnsshort", short_lived_child, NULL);
	e2e_wait_alert(v, &m, ALERT_WAIT_MS);
	e2e_stop(v);
	e2e_assert_field(e2e_expect_one(v, &m), "container.id", name);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_teardown(test_exec_in_private_cgns, teardown),
		cmocka_unit_test_teardown(test_short_lived_v1, teardown_short),
		cmocka_unit_test_teardown(test_private_cgns_unmounted, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
