// SPDX-License-Identifier: Apache-2.0
/*
 * Enrichment a user sees in alerts: k8s.pod.labels / k8s.pod.label[KEY]
 * from a pod's sandbox (Docker through cri-dockerd, CRI-O; unknown on
 * containerd), proc.env from /proc/PID/environ, proc.is_exe_upper_layer from
 * the process's overlay mounts. Fixtures under tests/data/state, plus a
 * temporary /proc whose processes run an image binary, a binary written in
 * the container's upper layer, and one on a tmpfs.
 */
#include <errno.h>
#include <stdbool.h>
#include <limits.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "state/meta.h"
#include "state/overlay.h"
#include "test_state_util.h"

#define UNUSED __attribute__((unused))

static char src[PATH_MAX / 4], tmp[64];
static char proc[PATH_MAX / 2], docker[PATH_MAX / 2], containerd[PATH_MAX / 2], crio[PATH_MAX / 2];

static const char label_rules[] =
	"- rule: labels\n"
	"  desc: d\n"
	"  condition: evt.type = openat\n"
	"  output: \"%fd.name pod=%k8s.ns.name/%k8s.pod.name labels=(%k8s.pod.labels)"
	" app=%k8s.pod.label[app] app2=%k8s.pod.label.app\"\n"
	"  priority: NOTICE\n";

static const char proc_rules[] =
	"- rule: proc\n"
	"  desc: d\n"
	"  condition: evt.type = openat\n"
	"  output: \"%fd.name exe=%proc.exepath upper=%proc.is_exe_upper_layer"
	" home=%proc.env[HOME] empty=(%proc.env[EMPTY]) nope=%proc.env[NOPE] env=(%proc.env)\"\n"
	"  priority: NOTICE\n";

static void __attribute__((format(printf, 1, 2))) sh(const char *fmt, ...)
{
	char cmd[4 * PATH_MAX];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(cmd, sizeof(cmd), fmt, ap);
	va_end(ap);
	assert_int_equal(system(cmd), 0);
}

/*
 * A host process @pid running @exe, with the environment and mounts of the
 * fixture; without @root, one whose root and mounts can no longer be read.
 */
static void fake_proc(int pid, const char *exe, bool root)
{
	if (root)
		sh("mkdir -p %s/%d && ln -s / %s/%d/root", proc, pid, proc, pid);
	sh("mkdir -p %s/%d && cp %s/proc/104/cgroup %s/proc/100/environ %s/%d/ && "
	   "ln -s '%s' %s/%d/exe && "
	   "echo '%d (sh) S 1 %d %d 0 -1 4194560 0 0 0 0 0 0 0 0 20 0 1 0 100' > %s/%d/stat && "
	   "sed 's|@UPPER@|%s/upper|g' %s/proc/100/mountinfo > %s/%d/mountinfo",
	   proc, pid, src, src, proc, pid, exe, proc, pid, pid, pid, pid, proc, pid, tmp, src, proc,
	   pid);
}

static int setup(void **state UNUSED)
{
	snprintf(src, sizeof(src), "%s/tests/data/state", getenv("VIGIL_SOURCE_DIR") ?: ".");
	snprintf(docker, sizeof(docker), "%s/docker", src);
	snprintf(containerd, sizeof(containerd), "%s/containerd", src);
	snprintf(crio, sizeof(crio), "%s/crio", src);
	snprintf(tmp, sizeof(tmp), "/tmp/vigil-enrich-XXXXXX");
	assert_non_null(mkdtemp(tmp));
	snprintf(proc, sizeof(proc), "%s/proc", tmp);
	/* the fixture's containers, then processes of our own */
	sh("mkdir -p %s/upper/diff/tmp %s/upper/diff/bin && cp -r %s/proc %s/ && "
	   "touch %s/upper/diff/tmp/busybox && mknod %s/upper/diff/bin/deleted c 0 0 2>/dev/null;"
	   " true",
	   tmp, tmp, src, tmp, tmp, tmp);
	fake_proc(109, "/tmp/busybox", true);	   /* written in the container */
	fake_proc(110, "/bin/busybox", true);	   /* from the image */
	fake_proc(111, "/tmp/with space/x", true); /* on a tmpfs */
	fake_proc(112, "/bin/deleted", true);	   /* a whiteout hides the image's file */
	fake_proc(113, "/tmp/busybox", false);	   /* exited: its container's mounts answer */
	return 0;
}

static int teardown(void **state UNUSED)
{
	sh("rm -rf %s", tmp);
	return 0;
}

static void opts(struct vgl_state_opts *o)
{
	vgl_state_opts_default(o);
	o->proc_root = proc;
	o->roots = (struct vgl_runtime_roots){ docker, containerd, crio, NULL };
	o->scan_proc = false;
}

static void test_pod_labels(void **state UNUSED)
{
	struct vgl_state_opts o;
	struct trun r;

	opts(&o);
	trun_start(&r, &o, label_rules);
	trun_open(&r, 108, 7008, "/docker");
	trun_open(&r, 105, 7005, "/crio");
	trun_open(&r, 101, 7002, "/containerd");
	trun_open(&r, 100, 7001, "/plain");
	assert_string_equal(
		trun_alerts(&r),
		/* cri-dockerd: io.kubernetes.* and annotation.* keys are not printed */
		"/docker pod=store/shop-7c9f labels=(app:shop, app.kubernetes.io/version:3.1)"
		" app=shop app2=shop|"
		/* CRI-O: an empty value prints the key alone */
		"/crio pod=prod/api-5f6d labels=(app:api, canary, pod-template-hash:5f6d,"
		" tier:backend) app=api app2=api|"
		/* containerd keeps them in its bolt database only */
		"/containerd pod=web/nginx-7d9c labels=(<NA>) app=<NA> app2=<NA>|"
		"/plain pod=<NA>/<NA> labels=(<NA>) app=<NA> app2=<NA>");
	trun_stop(&r);
}

static int parse_oci(const char *text, struct vgl_ctr_meta *m, char *err)
{
	return vgl_oci_parse(text, strlen(text), m, err);
}

/* A sandbox whose labels are not a JSON object of strings is rejected with a reason. */
static void test_bad_sandbox_labels(void **state UNUSED)
{
	static const char *const bad[] = {
		("{\"ociVersion\": \"1.1.0\", \"annotations\": "
		 "{\"io.kubernetes.cri-o.ContainerType\":"
		 " \"sandbox\", \"io.kubernetes.cri-o.Labels\": \"[1, 2]\"}}"),
		("{\"ociVersion\": \"1.1.0\", \"annotations\": "
		 "{\"io.kubernetes.cri-o.ContainerType\":"
		 " \"sandbox\", \"io.kubernetes.cri-o.Labels\": \"{\\\"app\\\": 7}\"}}"),
		("{\"ociVersion\": \"1.1.0\", \"annotations\": "
		 "{\"io.kubernetes.cri-o.ContainerType\": 3}}"),
		("{\"ociVersion\": \"1.1.0\", \"annotations\": "
		 "{\"io.kubernetes.cri-o.SandboxID\": [\"x\"]}}"),
	};
	static const char *const why[] = { "top level is not an object", "app is not a string",
					   "ContainerType is not a string",
					   "SandboxID is not a string" };
	struct vgl_ctr_meta m = { 0 };
	char err[VGL_META_ERR_MAX];

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		err[0] = '\0';
		assert_int_equal(parse_oci(bad[i], &m, err), -EINVAL);
		if (!strstr(err, why[i]))
			fail_msg("case %zu: \"%s\" does not say \"%s\"", i, err, why[i]);
		assert_null(m.pod_labels);
	}
	assert_int_equal(parse_oci("{\"ociVersion\": \"1.1.0\", \"annotations\": {"
				   "\"io.kubernetes.cri-o.ContainerType\": \"sandbox\","
				   " \"io.kubernetes.cri-o.Labels\": \"{\\\"b\\\": \\\"2\\\", "
				   "\\\"a\\\": \\\"1\\\"}\"}}",
				   &m, err),
			 0);
	assert_true(m.is_sandbox);
	assert_int_equal(m.npod_labels, 2);
	assert_string_equal(m.pod_labels[0].key, "a"); /* sorted */
	vgl_ctr_meta_clear(&m);
}

static void test_env_and_upper_layer(void **state UNUSED)
{
	struct vgl_state_opts o;
	struct trun r;

	opts(&o);
	trun_start(&r, &o, proc_rules);
	trun_open(&r, 109, 7004, "/a");
	trun_open(&r, 110, 7004, "/b");
	trun_open(&r, 111, 7004, "/c");
	trun_open(&r, 112, 7004, "/d");
	trun_open(&r, 113, 7004, "/e");
	trun_open(&r, 424242, 7004, "/gone");
	assert_string_equal(
		trun_alerts(&r),
		"/a exe=/tmp/busybox upper=true home=/root empty=() nope=<NA>"
		" env=(PATH=/usr/bin:/bin HOME=/root EMPTY= LANG=C.UTF-8)|"
		"/b exe=/bin/busybox upper=false home=/root empty=() nope=<NA>"
		" env=(PATH=/usr/bin:/bin HOME=/root EMPTY= LANG=C.UTF-8)|"
		"/c exe=/tmp/with space/x upper=false home=/root empty=() nope=<NA>"
		" env=(PATH=/usr/bin:/bin HOME=/root EMPTY= LANG=C.UTF-8)|"
		"/d exe=/bin/deleted upper=false home=/root empty=() nope=<NA>"
		" env=(PATH=/usr/bin:/bin HOME=/root EMPTY= LANG=C.UTF-8)|"
		"/e exe=/tmp/busybox upper=true home=/root empty=() nope=<NA>"
		" env=(PATH=/usr/bin:/bin HOME=/root EMPTY= LANG=C.UTF-8)|"
		/* a process already gone when asked: unknown */
		"/gone exe=<NA> upper=<NA> home=<NA> empty=(<NA>) nope=<NA> env=(<NA>)");
	trun_stop(&r);
}

/* An environment longer than vigil keeps is cut after the last whole variable. */
static void test_env_bound(void **state UNUSED)
{
	char path[PATH_MAX], want[64];
	struct vgl_state_opts o;
	struct trun r;
	FILE *f;
	int i;

	snprintf(path, sizeof(path), "%s/109/environ", proc);
	f = fopen(path, "w");
	assert_non_null(f);
	for (i = 0; i < 500; i++) /* 11 bytes each: 5500 */
		fprintf(f, "V%03d=value%c", i, '\0');
	fclose(f);
	opts(&o);
	trun_start(&r, &o,
		   "- rule: env\n  desc: d\n  condition: evt.type = openat\n"
		   "  output: \"last=%proc.env[V371] cut=%proc.env[V372]\"\n  priority: NOTICE\n");
	trun_open(&r, 109, 7004, "/a");
	/* 4096 / 11 = 372 whole variables: V000 .. V371 */
	snprintf(want, sizeof(want), "last=value cut=<NA>");
	assert_string_equal(trun_alerts(&r), want);
	trun_stop(&r);
	sh("cp %s/proc/100/environ %s", src, path);
}

/* mountinfo lines that do not parse are skipped; nothing parseable is an error. */
/* proc.exe_ino*: what /proc/PID/exe names under the state's /proc, or unknown. */
static void test_exe_stat(void **state UNUSED)
{
	const struct vgl_field_state_ops *ops = vgl_state_ops();
	struct vgl_state_opts o;
	struct vgl_exe_stat e;
	struct vgl_state *st;
	char file[PATH_MAX];
	struct stat sb;

	snprintf(file, sizeof(file), "%s/exefile", tmp);
	sh("mkdir -p %s/114 && touch %s && ln -sf %s %s/114/exe", proc, file, file, proc);
	assert_int_equal(stat(file, &sb), 0);
	opts(&o);
	st = vgl_state_new(&o);
	assert_non_null(st);
	assert_true(ops->exe_stat(st, 114, &e));
	assert_int_equal(e.ino, sb.st_ino);
	assert_int_equal(e.ctime_ns, (int64_t)sb.st_ctim.tv_sec * 1000000000 + sb.st_ctim.tv_nsec);
	assert_int_equal(e.mtime_ns, (int64_t)sb.st_mtim.tv_sec * 1000000000 + sb.st_mtim.tv_nsec);
	assert_false(ops->exe_stat(st, 99999, &e));
	vgl_state_free(st);
}

static void test_mountinfo_parse(void **state UNUSED)
{
	static const char text[] =
		"1 0 0:1 / / rw - overlay overlay rw,lowerdir=/l,upperdir=/u\\054x,workdir=/w\n"
		"2 1 0:2 / /ro rw - overlay overlay rw,lowerdir=/a:/b\n"
		"3 1 0:3 / /sp\\040ace rw shared:1 - ext4 /dev/sda rw\n"
		"4 1 0:4 / relative rw - ext4 /dev/sda rw\n"
		"bad\n";
	struct vgl_ovl_mounts m = { 0 };

	assert_int_equal(vgl_ovl_parse_mountinfo(text, strlen(text), &m), 0);
	assert_int_equal(m.n, 3);
	assert_string_equal(m.m[0].upper, "/u,x");
	assert_null(m.m[1].upper); /* a read-only overlay: nothing is in an upper layer */
	assert_string_equal(m.m[2].mnt, "/sp ace");
	assert_int_equal(vgl_ovl_in_upper(&m, NULL, "/ro/bin/sh"), 0);
	assert_int_equal(vgl_ovl_in_upper(&m, NULL, "relative"), -1);
	vgl_ovl_mounts_clear(&m);
	assert_int_equal(vgl_ovl_parse_mountinfo("x y z\n", 6, &m), -EINVAL);
	assert_int_equal(vgl_ovl_parse_mountinfo("", 0, &m), -EINVAL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_pod_labels),
		cmocka_unit_test(test_bad_sandbox_labels),
		cmocka_unit_test(test_env_and_upper_layer),
		cmocka_unit_test(test_env_bound),
		cmocka_unit_test(test_exe_stat),
		cmocka_unit_test(test_mountinfo_parse),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
