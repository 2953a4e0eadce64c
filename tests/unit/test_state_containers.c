// SPDX-License-Identifier: Apache-2.0
/*
 * The state tracker through its public entry points and the rule engine's
 * callbacks: container views for events (fixture /proc and runtime roots under
 * tests/data/state), host answers, per-pid answers on cgroup v1, retry of
 * missing metadata, cache bound; process ancestry and user names.
 */
#include <errno.h>
#include <limits.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <cmocka.h>

#include "state/state.h"

#define UNUSED __attribute__((unused))
#define SEC    1000000000ull

static char dir[PATH_MAX / 4], procdir[PATH_MAX / 2], pw[PATH_MAX / 2], gr[PATH_MAX / 2];
static char r_docker[PATH_MAX / 2], r_containerd[PATH_MAX / 2], r_crio[PATH_MAX / 2];

static int setup(void **state UNUSED)
{
	const char *src = getenv("VIGIL_SOURCE_DIR");

	snprintf(dir, sizeof(dir), "%s/tests/data/state", src ?: ".");
	snprintf(procdir, sizeof(procdir), "%s/proc", dir);
	snprintf(pw, sizeof(pw), "%s/etc/passwd", dir);
	snprintf(gr, sizeof(gr), "%s/etc/group", dir);
	snprintf(r_docker, sizeof(r_docker), "%s/docker", dir);
	snprintf(r_containerd, sizeof(r_containerd), "%s/containerd", dir);
	snprintf(r_crio, sizeof(r_crio), "%s/crio", dir);
	return 0;
}

static struct vgl_state *new_state(size_t max_containers)
{
	struct vgl_state_opts o;
	struct vgl_state *st;

	vgl_state_opts_default(&o);
	o.proc_root = procdir;
	o.passwd_path = pw;
	o.group_path = gr;
	o.roots = (struct vgl_runtime_roots){ r_docker, r_containerd, r_crio, NULL };
	o.scan_proc = false;
	o.max_containers = max_containers;
	o.container_retry_ns = 2 * SEC;
	o.hostname = "node-1";
	st = vgl_state_new(&o);
	assert_non_null(st);
	return st;
}

static struct vgl_event mkev(enum vgl_kind kind, uint32_t pid, uint64_t cgroup, uint64_t ts)
{
	struct vgl_event ev;
	unsigned int i;

	memset(&ev, 0, sizeof(ev));
	ev.kind = kind;
	ev.info = &vgl_kind_info[kind];
	ev.nparams = ev.info->nparams;
	for (i = 0; i < ev.nparams; i++)
		ev.params[i].info = &ev.info->params[i];
	ev.hdr.pid = ev.hdr.tid = pid;
	ev.hdr.cgroup_id = cgroup;
	ev.hdr.ts = ts;
	snprintf(ev.hdr.comm, sizeof(ev.hdr.comm), "sh");
	return ev;
}

/* Feed an event, then ask the container the way the rule engine does. */
static const struct vgl_container_view *ctr_of(struct vgl_state *st, uint32_t pid, uint64_t cgroup,
					       uint64_t ts)
{
	struct vgl_event ev = mkev(VGL_EV_OPENAT, pid, cgroup, ts);

	vgl_state_update(st, &ev);
	return vgl_state_ops()->container(st, cgroup, pid);
}

static void test_docker_v2(void **state UNUSED)
{
	struct vgl_state *st = new_state(0);
	const struct vgl_container_view *c = ctr_of(st, 100, 7001, 1);
	struct vgl_state_stats s;

	assert_non_null(c);
	assert_string_equal(c->id, "a1b2c3d4e5f6");
	assert_string_equal(c->type, "docker");
	assert_string_equal(c->name, "web");
	assert_string_equal(c->image, "localhost:5000/team/web:1.2");
	assert_string_equal(c->image_repository, "localhost:5000/team/web");
	assert_string_equal(c->image_tag, "1.2");
	assert_true(c->privileged_known);
	assert_false(c->privileged);
	assert_int_equal(c->nmounts, 1);
	assert_string_equal(c->mounts[0].dest, "/data");
	assert_null(c->k8s_pod_name);
	/*
	 * 7001 cannot be checked against a cgroup2 directory here, so it is
	 * no key: another pid with that cgroup id is not taken for the
	 * container (it could be a host process, test_v2_id_verified).
	 */
	assert_null(ctr_of(st, 999999, 7001, 2));
	vgl_state_stats(st, &s);
	assert_int_equal(s.containers.resolved, 1);
	assert_int_equal(s.containers.containers, 1);
	assert_int_equal(s.containers.entries, 1);
	vgl_state_free(st);
}

/* A temporary /proc with pid 100's cgroup file and a cgroup2 mount. */
static uint64_t make_v2_tree(char *tmp, size_t size)
{
	static const char v2[] = "/system.slice/docker-a1b2c3d4e5f60718293a4b5c6d7e8f90a1b2c3d4e5f"
				 "60718293a4b5c6d7e8f90.scope";
	char path[PATH_MAX], cmd[3 * PATH_MAX];
	struct stat st;
	FILE *f;

	snprintf(tmp, size, "/tmp/vigil-cg2-XXXXXX");
	assert_non_null(mkdtemp(tmp));
	snprintf(cmd, sizeof(cmd), "mkdir -p %s/proc/self %s/cg2%s && cp -r %s/100 %s/proc/", tmp,
		 tmp, v2, procdir, tmp);
	assert_int_equal(system(cmd), 0);
	snprintf(path, sizeof(path), "%s/proc/self/mountinfo", tmp);
	f = fopen(path, "w");
	assert_non_null(f);
	fprintf(f, "30 1 0:26 / %s/cg2 rw,nosuid - cgroup2 cgroup2 rw\n", tmp);
	fclose(f);
	snprintf(path, sizeof(path), "%s/cg2%s", tmp, v2);
	assert_int_equal(stat(path, &st), 0);
	return st.st_ino;
}

/* An id that is the inode of the process's cgroup2 directory keys the cache. */
static void test_v2_id_verified(void **state UNUSED)
{
	char tmp[64], saved[sizeof(procdir)], cmd[128];
	uint64_t id = make_v2_tree(tmp, sizeof(tmp));
	const struct vgl_container_view *c;
	struct vgl_state *st;

	memcpy(saved, procdir, sizeof(saved));
	snprintf(procdir, sizeof(procdir), "%s/proc", tmp);
	st = new_state(0);
	/* a stale id (the process moved since the event) is not trusted */
	c = ctr_of(st, 100, id + 1, 1);
	assert_non_null(c);
	assert_string_equal(c->id, "a1b2c3d4e5f6");
	assert_null(ctr_of(st, 999999, id + 1, 2));
	/* the verified id is: another pid of that cgroup needs no /proc */
	c = ctr_of(st, 100, id, 3);
	assert_non_null(c);
	assert_ptr_equal(ctr_of(st, 999999, id, 4), c);
	vgl_state_free(st);
	memcpy(procdir, saved, sizeof(procdir));
	snprintf(cmd, sizeof(cmd), "rm -rf %s", tmp);
	assert_int_equal(system(cmd), 0);
}

static void test_kubernetes(void **state UNUSED)
{
	struct vgl_state *st = new_state(0);
	const struct vgl_container_view *c = ctr_of(st, 101, 7002, 1);

	assert_string_equal(c->id, "d0d1d2d3d4d5");
	assert_string_equal(c->type, "containerd");
	assert_string_equal(c->name, "nginx");
	assert_string_equal(c->k8s_pod_name, "nginx-7d9c");
	assert_string_equal(c->k8s_ns_name, "web");
	assert_string_equal(c->k8s_pod_uid, "0c8a9b1e-2f3d-4a5b-8c7d-6e5f4a3b2c1d");
	assert_string_equal(c->image_tag, "1.27");
	c = ctr_of(st, 105, 7005, 2);
	assert_string_equal(c->type, "cri-o");
	assert_string_equal(c->k8s_pod_name, "api-5f6d");
	assert_string_equal(c->image_repository, "quay.io/acme/api");
	vgl_state_free(st);
}

static void test_hosts(void **state UNUSED)
{
	struct vgl_state *st = new_state(0);
	const struct vgl_container_view *c;
	struct vgl_state_stats s;

	c = ctr_of(st, 104, 7004, 1); /* cgroup v2 session scope */
	assert_string_equal(c->id, "host");
	assert_string_equal(c->name, "host");
	assert_null(c->type);
	c = ctr_of(st, 102, 1, 1); /* this VM: v1 with a long hex id in its memory cgroup */
	assert_string_equal(c->id, "host");
	/* a pid whose /proc entry is gone is unknown, not host */
	assert_null(ctr_of(st, 4242, 7009, 1));
	vgl_state_stats(st, &s);
	assert_int_equal(s.containers.containers, 0);
	vgl_state_free(st);
}

/* cgroup v1 / hybrid without unified placement: the cgroup id says nothing, the pid does. */
static void test_v1_by_pid(void **state UNUSED)
{
	struct vgl_state *st = new_state(0);
	const struct vgl_container_view *c;
	struct vgl_state_stats s;

	c = ctr_of(st, 103, 1, 1 * SEC);
	assert_string_equal(c->id, "b0b1b2b3b4b5");
	assert_true(c->privileged);
	assert_string_equal(
		c->image_digest,
		"sha256:2919d0172f7524b2d8df9e50066a682669e6d170ac0f6a49676d54358fe970b5");
	/* same root cgroup id, another pid: the host, not the container above */
	c = ctr_of(st, 102, 1, 1 * SEC);
	assert_string_equal(c->id, "host");
	c = ctr_of(st, 103, 1, 2 * SEC);
	assert_string_equal(c->id, "b0b1b2b3b4b5");
	vgl_state_stats(st, &s);
	assert_int_equal(s.containers.resolved, 2);
	/* per-pid answers expire (pids are reused) */
	ctr_of(st, 103, 1, 10 * SEC);
	vgl_state_stats(st, &s);
	assert_int_equal(s.containers.resolved, 3);
	vgl_state_free(st);
}

static void test_missing_meta_retried(void **state UNUSED)
{
	struct vgl_state *st = new_state(0);
	const struct vgl_container_view *c = ctr_of(st, 106, 7006, 1 * SEC);
	struct vgl_state_stats s;

	/* identity from the cgroup even without metadata */
	assert_string_equal(c->id, "ffffffffffff");
	assert_string_equal(c->type, "docker");
	assert_null(c->name);
	assert_false(c->privileged_known);
	assert_non_null(strstr(vgl_state_last_error(st), "no state under"));
	ctr_of(st, 106, 7006, 2 * SEC); /* within the retry time: cached */
	vgl_state_stats(st, &s);
	assert_int_equal(s.containers.meta_errors, 1);
	ctr_of(st, 106, 7006, 4 * SEC);
	vgl_state_stats(st, &s);
	assert_int_equal(s.containers.meta_errors, 2);
	assert_int_equal(s.containers.resolved, 2);
	vgl_state_free(st);
}

static void test_lxc(void **state UNUSED)
{
	struct vgl_state *st = new_state(0);
	const struct vgl_container_view *c = ctr_of(st, 107, 7007, 1);

	assert_string_equal(c->id, "web01");
	assert_string_equal(c->name, "web01");
	assert_string_equal(c->type, "lxc");
	vgl_state_free(st);
}

static void test_cache_bound(void **state UNUSED)
{
	struct vgl_state *st = new_state(2);
	struct vgl_state_stats s;

	ctr_of(st, 100, 7001, 1);
	ctr_of(st, 101, 7002, 1);
	ctr_of(st, 105, 7005, 1);
	ctr_of(st, 104, 7004, 1);
	vgl_state_stats(st, &s);
	assert_int_equal(s.containers.entries, 2);
	assert_int_equal(s.containers.evictions, 2);
	assert_string_equal(ctr_of(st, 100, 7001, 1)->name, "web"); /* resolved again */
	vgl_state_free(st);
}

static void test_procs_users_hostname(void **state UNUSED)
{
	struct vgl_state *st = new_state(0);
	const struct vgl_field_state_ops *ops = vgl_state_ops();
	const struct vgl_proc_view *v;
	struct vgl_event ev = mkev(VGL_EV_CLONE, 5000001, 7004, 1);
	struct vgl_state_stats s;

	ev.hdr.res = 5000002;
	ev.params[0].num.i = 5000002;
	vgl_state_update(st, &ev); /* parent unknown and not in /proc: child still made */
	v = ops->proc(st, 5000002);
	assert_non_null(v);
	assert_int_equal(v->ppid, 5000001);
	assert_null(ops->proc(st, 5000001));
	assert_string_equal(ops->hostname(st), "node-1");
	/* host process: host passwd */
	ev = mkev(VGL_EV_OPENAT, 104, 7004, 2);
	vgl_state_update(st, &ev);
	assert_string_equal(ops->user_name(st, 1000, 104), "alice");
	assert_string_equal(ops->user_home(st, 0, 104), "/root");
	assert_string_equal(ops->user_shell(st, 1000, 104), "/bin/zsh");
	assert_string_equal(ops->group_name(st, 999, 104), "docker");
	assert_null(ops->user_name(st, 31337, 104));
	assert_non_null(ops->fd);
	vgl_state_stats(st, &s);
	assert_int_equal(s.procs.forks, 1);
	assert_int_equal(s.user_loads, 2);
	vgl_state_free(st);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_docker_v2),
		cmocka_unit_test(test_v2_id_verified),
		cmocka_unit_test(test_kubernetes),
		cmocka_unit_test(test_hosts),
		cmocka_unit_test(test_v1_by_pid),
		cmocka_unit_test(test_missing_meta_retried),
		cmocka_unit_test(test_lxc),
		cmocka_unit_test(test_cache_bound),
		cmocka_unit_test(test_procs_users_hostname),
	};

	return cmocka_run_group_tests(tests, setup, NULL);
}
