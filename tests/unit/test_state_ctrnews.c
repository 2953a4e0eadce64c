// SPDX-License-Identifier: Apache-2.0
/*
 * The container event (state/ctrnews.h) through the pipeline, as a rule on
 * `evt.type = container` sees it: raised once per container, at the first
 * exec outside the host's mount namespace (not at the runtime init's own
 * exec), not for the host, not for a failed exec; for containers already
 * running, by the scan at start (lowest pid, ids from /proc); its record
 * decodes as any other.
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

#include "test_state_util.h"

#define UNUSED	 __attribute__((unused))
#define ID_WEB	 "a1b2c3d4e5f60718293a4b5c6d7e8f90a1b2c3d4e5f60718293a4b5c6d7e8f90"
#define CG_WEB	 "0::/system.slice/docker-" ID_WEB ".scope\n"
#define CTR_MNT	 4026532500u
#define CTR_PIDN 4026532503u

static const char rules[] =
	"- rule: new container\n"
	"  desc: d\n"
	"  condition: evt.type = container\n"
	"  output: >\n"
	"    %evt.type id=%evt.arg.id type=%evt.arg.type container=%container.id\n"
	"    name=%container.name image=%container.image pid=%proc.pid\n"
	"    comm=%proc.name uid=%user.uid\n"
	"  priority: NOTICE\n";

static char proc[PATH_MAX / 2], docker_root[PATH_MAX / 2];
static uint32_t runtime_mnt; /* runc's mount namespace: pid 90's */

static void put(const char *rel, const char *text)
{
	char path[PATH_MAX], *slash;
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", proc, rel);
	for (slash = strchr(path + strlen(proc) + 1, '/'); slash; slash = strchr(slash + 1, '/')) {
		*slash = '\0';
		mkdir(path, 0755);
		*slash = '/';
	}
	f = fopen(path, "w");
	assert_non_null(f);
	fputs(text, f);
	fclose(f);
}

/* A /proc with runc (pid 90), the web container's pids 100 and 101 and a
 * host process 200. */
static int setup(void **state UNUSED)
{
	char path[PATH_MAX];
	struct stat st;

	snprintf(docker_root, sizeof(docker_root), "%s/tests/data/state/docker",
		 getenv("VIGIL_SOURCE_DIR") ?: ".");
	tu_mkdtemp("/tmp/vigil-ctrnews-XXXXXX", proc, sizeof(proc));
	put("90/ns/mnt", "");
	snprintf(path, sizeof(path), "%s/90/ns/mnt", proc);
	assert_int_equal(stat(path, &st), 0);
	runtime_mnt = (uint32_t)st.st_ino;
	put("90/cgroup", "0::/system.slice/containerd.service\n");
	put("100/cgroup", CG_WEB);
	put("100/status", "Name:\tnginx\nPPid:\t90\nUid:\t101\t101\t101\t101\nGid:\t0\t0\t0\t0\n");
	put("100/comm", "nginx\n");
	put("101/cgroup", CG_WEB);
	put("101/status", "PPid:\t100\nUid:\t0\t0\t0\t0\nGid:\t0\t0\t0\t0\n");
	put("200/cgroup", "0::/user.slice/user-1000.slice\n");
	put("200/status", "PPid:\t1\nUid:\t1000\t1000\t1000\t1000\n");
	return 0;
}

static int teardown(void **state UNUSED)
{
	tu_rmtree(proc);
	return 0;
}

static void start(struct trun *r)
{
	struct vgl_state_opts o;

	vgl_state_opts_default(&o);
	o.proc_root = proc;
	o.roots = (struct vgl_runtime_roots){ docker_root, NULL, NULL, NULL };
	o.scan_proc = false;
	o.hostname = "node-1";
	trun_start(r, &o, rules);
}

/* An execve by @pid, child of runc (90), in mount namespace @mnt (cgroup id
 * 0: the container is found by pid). */
static void exec(struct trun *r, uint32_t pid, uint32_t mnt, int64_t res)
{
	struct trec *t = trec_new(VGL_EV_EXECVE);
	const char *const argv[] = { "nginx", NULL };

	t->hdr.pid = t->hdr.tid = pid;
	t->hdr.ppid = 90;
	t->hdr.cgroup_id = 0;
	t->hdr.res = res;
	t->hdr.mntns = mnt;
	t->hdr.pidns = CTR_PIDN;
	t->hdr.uid = t->hdr.euid = 101;
	memcpy(t->hdr.comm, "nginx", 6);
	trec_str(t, "/usr/sbin/nginx");
	trec_argv(t, argv);
	trec_str(t, "/usr/sbin/nginx");
	trec_str(t, "/");
	trec_finish(t);
	vgl_pipeline_record(&r->p, t->rec, t->size);
	free(t);
}

static uint64_t announced(struct trun *r)
{
	struct vgl_state_stats s;

	vgl_state_stats(r->p.state, &s);
	return s.containers.announced;
}

static void test_first_exec(void **state UNUSED)
{
	struct trun r;

	start(&r);
	exec(&r, 100, runtime_mnt, 0); /* runc init executing itself: not yet */
	assert_string_equal(trun_alerts(&r), "");
	exec(&r, 100, CTR_MNT, -2); /* a failed exec: nothing ran */
	assert_string_equal(trun_alerts(&r), "");
	exec(&r, 100, CTR_MNT, 0);
	assert_string_equal(trun_alerts(&r),
			    "container id=a1b2c3d4e5f6 type=docker container=a1b2c3d4e5f6 name=web "
			    "image=localhost:5000/team/web:1.2 pid=100 comm=nginx uid=101");
	exec(&r, 101, CTR_MNT, 0); /* the same container again: once */
	exec(&r, 100, CTR_MNT, 0);
	assert_int_equal(r.p.stats.container_events, 1);
	assert_int_equal(r.p.stats.by_kind[VGL_EV_CONTAINER], 1);
	assert_int_equal(r.p.stats.received, 5); /* made events are not received ones */
	assert_int_equal(announced(&r), 1);
	trun_stop(&r);
}

static void test_host_exec(void **state UNUSED)
{
	struct trun r;

	start(&r);
	exec(&r, 200, CTR_MNT, 0);
	assert_string_equal(trun_alerts(&r), "");
	assert_int_equal(announced(&r), 0);
	trun_stop(&r);
}

static void test_scan_running(void **state UNUSED)
{
	struct trun r;

	start(&r);
	assert_int_equal(vgl_pipeline_scan_containers(&r.p), 1);
	/* the lowest pid, its ids and comm from /proc */
	assert_string_equal(trun_alerts(&r),
			    "container id=a1b2c3d4e5f6 type=docker container=a1b2c3d4e5f6 name=web "
			    "image=localhost:5000/team/web:1.2 pid=100 comm=nginx uid=101");
	exec(&r, 101, CTR_MNT, 0); /* announced already */
	assert_int_equal(vgl_pipeline_scan_containers(&r.p), 0);
	assert_int_equal(r.p.stats.container_events, 1);
	trun_stop(&r);
}

static void test_record_decodes(void **state UNUSED)
{
	struct vgl_ctr_news n = { 0 };
	char buf[512];
	struct vgl_event ev;
	size_t size;

	n.hdr.kind = VGL_EV_CONTAINER;
	n.hdr.pid = n.hdr.tid = 7;
	snprintf(n.id, sizeof(n.id), "%s", ID_WEB);
	snprintf(n.type, sizeof(n.type), "containerd");
	size = vgl_ctrnews_record(&n, buf, sizeof(buf));
	assert_int_equal(size, sizeof(struct vgl_hdr) + 4 + 65 + 11);
	assert_int_equal(vgl_decode(buf, size, &ev, NULL), VGL_DECODE_OK);
	assert_int_equal(ev.kind, VGL_EV_CONTAINER);
	assert_string_equal(ev.info->name, "container");
	assert_string_equal(ev.params[0].str, ID_WEB);
	assert_string_equal(ev.params[1].str, "containerd");
	assert_int_equal(vgl_ctrnews_record(&n, buf, 100), 0); /* too small: nothing */
	assert_true(vgl_kind_from_userspace(vgl_kind_by_name("container")));
	assert_false(vgl_kind_from_userspace(VGL_EV_EXECVE));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_first_exec),
		cmocka_unit_test(test_host_exec),
		cmocka_unit_test(test_scan_running),
		cmocka_unit_test(test_record_decodes),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
