// SPDX-License-Identifier: Apache-2.0
/*
 * Container metadata from runtime state files (tests/data/state): Docker
 * config.v2.json + hostconfig.json, OCI config.json with CRI annotations for
 * containerd and CRI-O, malformed variants, image reference split.
 */
#include <errno.h>
#include <limits.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "state/runtime.h"
#include "state/util.h"

#define UNUSED	  __attribute__((unused))

#define D_PLAIN	  "a1b2c3d4e5f60718293a4b5c6d7e8f90a1b2c3d4e5f60718293a4b5c6d7e8f90"
#define D_PRIV	  "b0b1b2b3b4b5b6b7b8b9babbbcbdbebfc0c1c2c3c4c5c6c7c8c9cacbcccdcecf"
#define D_BADJSON "c000000000000000000000000000000000000000000000000000000000000001"
#define D_BADTYPE "c000000000000000000000000000000000000000000000000000000000000002"
#define D_BADHOST "c000000000000000000000000000000000000000000000000000000000000003"
#define D_REAL	  "16eb5b0df170d6657bac6fb8640a9a4eca5ad3061d79194b8b7c3dbdb179b493"
#define CD	  "d0d1d2d3d4d5d6d7d8d9dadbdcdddedfe0e1e2e3e4e5e6e7e8e9eaebecedeeef"
#define CD_PRIV	  "d1d1d2d3d4d5d6d7d8d9dadbdcdddedfe0e1e2e3e4e5e6e7e8e9eaebecedeeef"
#define CRIO	  "e0e1e2e3e4e5e6e7e8e9eaebecedeeeff0f1f2f3f4f5f6f7f8f9fafbfcfdfeff"
#define SHA	  "sha256:2919d0172f7524b2d8df9e50066a682669e6d170ac0f6a49676d54358fe970b5"

static char data_dir[PATH_MAX / 2];
static char r_docker[PATH_MAX], r_containerd[PATH_MAX], r_crio[PATH_MAX];
static struct vgl_runtime_roots roots;

static int setup(void **state UNUSED)
{
	const char *src = getenv("VIGIL_SOURCE_DIR");

	snprintf(data_dir, sizeof(data_dir), "%s/tests/data/state", src ? src : ".");
	snprintf(r_docker, sizeof(r_docker), "%s/docker", data_dir);
	snprintf(r_containerd, sizeof(r_containerd), "%s/containerd", data_dir);
	snprintf(r_crio, sizeof(r_crio), "%s/crio", data_dir);
	roots = (struct vgl_runtime_roots){ r_docker, r_containerd, r_crio, NULL };
	return 0;
}

static int load(enum vgl_ctr_runtime rt, const char *id, struct vgl_ctr_meta *m,
		enum vgl_ctr_runtime *ret_rt, char err[VGL_RUNTIME_ERR_MAX])
{
	struct vgl_cgroup_info ci = { .runtime = rt };

	snprintf(ci.id, sizeof(ci.id), "%s", id);
	memset(m, 0, sizeof(*m));
	err[0] = '\0';
	return vgl_runtime_load(&roots, &ci, m, ret_rt, err);
}

static void test_docker_bind_mount(void **state UNUSED)
{
	char err[VGL_RUNTIME_ERR_MAX];
	enum vgl_ctr_runtime rt;
	struct vgl_ctr_meta m;

	assert_int_equal(load(VGL_RT_DOCKER, D_PLAIN, &m, &rt, err), 0);
	assert_int_equal(rt, VGL_RT_DOCKER);
	assert_string_equal(m.name, "web");
	assert_string_equal(m.image, "localhost:5000/team/web:1.2");
	assert_string_equal(m.image_repository, "localhost:5000/team/web");
	assert_string_equal(m.image_tag, "1.2");
	assert_null(m.image_digest);
	assert_string_equal(
		m.image_id,
		"sha256:3f57d9401f8d42f986df300f0c69192fc41da28ccc8d797829467780db3dd741");
	assert_true(m.privileged_known);
	assert_false(m.privileged);
	assert_true(m.start_ts == 1795335000123456789LL); /* 2026-11-22T08:10:00.123456789Z */
	assert_int_equal(m.nmounts, 1);
	assert_string_equal(m.mounts[0].source, "/srv/data");
	assert_string_equal(m.mounts[0].dest, "/data");
	assert_string_equal(m.mounts[0].mode, "ro");
	assert_false(m.mounts[0].rw);
	assert_string_equal(m.mounts[0].propagation, "rprivate");
	assert_int_equal(m.nlabels, 2);
	assert_string_equal(vgl_ctr_meta_label(&m, "com.example.tier"), "frontend");
	assert_null(vgl_ctr_meta_label(&m, "nope"));
	vgl_ctr_meta_clear(&m);
}

static void test_docker_privileged(void **state UNUSED)
{
	char err[VGL_RUNTIME_ERR_MAX];
	enum vgl_ctr_runtime rt;
	struct vgl_ctr_meta m;

	assert_int_equal(load(VGL_RT_DOCKER, D_PRIV, &m, &rt, err), 0);
	assert_string_equal(m.name, "root-shell");
	assert_true(m.privileged_known);
	assert_true(m.privileged);
	assert_string_equal(m.image_repository, "busybox");
	assert_null(m.image_tag);
	assert_string_equal(m.image_digest, SHA);
	assert_int_equal(m.nmounts, 0);
	vgl_ctr_meta_clear(&m);
}

/* Files written by a real dockerd (20.10, cgroupfs driver): `-v /tmp/vd:/data:ro`. */
static void test_docker_real(void **state UNUSED)
{
	char err[VGL_RUNTIME_ERR_MAX];
	enum vgl_ctr_runtime rt;
	struct vgl_ctr_meta m;

	assert_int_equal(load(VGL_RT_DOCKER, D_REAL, &m, &rt, err), 0);
	assert_string_equal(m.name, "vgl-plain");
	assert_string_equal(m.image, "localhost:5000/vigil/busybox:1.0");
	assert_string_equal(m.image_repository, "localhost:5000/vigil/busybox");
	assert_string_equal(m.image_tag, "1.0");
	assert_true(m.privileged_known);
	assert_false(m.privileged);
	assert_true(m.start_ts == 1795338207674320196LL);
	assert_int_equal(m.nmounts, 1);
	assert_string_equal(m.mounts[0].source, "/tmp/vd");
	assert_string_equal(m.mounts[0].dest, "/data");
	assert_false(m.mounts[0].rw);
	assert_string_equal(m.mounts[0].mode, "ro"); /* Docker's "Relabel", inspect's Mode */
	assert_string_equal(m.mounts[0].propagation, "rslave");
	vgl_ctr_meta_clear(&m);
}

/* Rejected with the file's path and the problem in the message. */
static void expect_error(enum vgl_ctr_runtime rt_in, const char *id, int want, const char *needle1,
			 const char *needle2)
{
	char err[VGL_RUNTIME_ERR_MAX];
	enum vgl_ctr_runtime rt;
	struct vgl_ctr_meta m;

	assert_int_equal(load(rt_in, id, &m, &rt, err), want);
	print_message("%s\n", err);
	assert_non_null(strstr(err, needle1));
	assert_non_null(strstr(err, needle2));
	assert_null(m.name); /* untouched */
}

static void test_docker_malformed(void **state UNUSED)
{
	expect_error(VGL_RT_DOCKER, D_BADJSON, -EINVAL, D_BADJSON "/config.v2.json", "line 3");
	expect_error(VGL_RT_DOCKER, D_BADTYPE, -EINVAL, "config.v2.json",
		     "Config.Image is not a string");
	expect_error(VGL_RT_DOCKER, D_BADHOST, -EINVAL, D_BADHOST "/hostconfig.json",
		     "Privileged is not a boolean");
	expect_error(VGL_RT_DOCKER, "f00d", -ENOENT, "container f00d", r_docker);
}

static void test_containerd_cri(void **state UNUSED)
{
	char err[VGL_RUNTIME_ERR_MAX];
	enum vgl_ctr_runtime rt;
	struct vgl_ctr_meta m;

	/* a kubepods cgroupfs path does not name the runtime: found in containerd */
	assert_int_equal(load(VGL_RT_CRI, CD, &m, &rt, err), 0);
	assert_int_equal(rt, VGL_RT_CONTAINERD);
	assert_string_equal(m.name, "nginx");
	assert_string_equal(m.k8s_container_name, "nginx");
	assert_string_equal(m.k8s_pod_name, "nginx-7d9c");
	assert_string_equal(m.k8s_ns_name, "web");
	assert_string_equal(m.k8s_pod_uid, "0c8a9b1e-2f3d-4a5b-8c7d-6e5f4a3b2c1d");
	assert_string_equal(m.image, "docker.io/library/nginx:1.27");
	assert_string_equal(m.image_repository, "docker.io/library/nginx");
	assert_string_equal(m.image_tag, "1.27");
	assert_true(m.privileged_known);
	assert_false(m.privileged);
	assert_int_equal(m.nmounts, 3);
	assert_string_equal(m.mounts[1].dest, "/etc/hosts");
	assert_true(m.mounts[1].rw);
	assert_string_equal(m.mounts[1].propagation, "rprivate");
	assert_false(m.mounts[2].rw);
	vgl_ctr_meta_clear(&m);
}

static void test_containerd_privileged(void **state UNUSED)
{
	char err[VGL_RUNTIME_ERR_MAX];
	enum vgl_ctr_runtime rt;
	struct vgl_ctr_meta m;

	assert_int_equal(load(VGL_RT_CONTAINERD, CD_PRIV, &m, &rt, err), 0);
	assert_true(m.privileged);
	/* io.kubernetes.pod.* wins over containerd's own sandbox annotations */
	assert_string_equal(m.k8s_pod_name, "debug-pod");
	assert_string_equal(m.k8s_ns_name, "kube-system");
	assert_string_equal(m.image_repository, "registry.example.com:5000/tools/debug");
	assert_null(m.image_tag);
	assert_string_equal(m.image_digest, SHA);
	vgl_ctr_meta_clear(&m);
}

static void test_crio(void **state UNUSED)
{
	char err[VGL_RUNTIME_ERR_MAX];
	enum vgl_ctr_runtime rt;
	struct vgl_ctr_meta m;

	assert_int_equal(load(VGL_RT_CRIO, CRIO, &m, &rt, err), 0);
	assert_int_equal(rt, VGL_RT_CRIO);
	assert_string_equal(m.name, "api");
	assert_string_equal(m.k8s_pod_name, "api-5f6d");
	assert_string_equal(m.k8s_ns_name, "prod");
	assert_string_equal(m.k8s_pod_uid, "aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee");
	assert_string_equal(m.image_repository, "quay.io/acme/api");
	assert_string_equal(m.image_tag, "v2");
	assert_string_equal(
		m.image_id,
		"sha256:9c6f0724472873bb50a2ae67a9e7adcb57673a183cea8b06eb778dca859181b5");
	assert_true(m.start_ts == 1795330800500000000LL); /* 08:00:00.5+01:00 */
	assert_string_equal(vgl_ctr_meta_label(&m, "app"), "api");
	assert_false(m.privileged);
	vgl_ctr_meta_clear(&m);
	/* the same id through the CRI search order finds CRI-O's copy */
	assert_int_equal(load(VGL_RT_CRI, CRIO, &m, &rt, err), 0);
	assert_int_equal(rt, VGL_RT_CRIO);
	vgl_ctr_meta_clear(&m);
}

static void test_machines(void **state UNUSED)
{
	char err[VGL_RUNTIME_ERR_MAX];
	enum vgl_ctr_runtime rt;
	struct vgl_ctr_meta m;

	assert_int_equal(load(VGL_RT_LXC, "web01", &m, &rt, err), 0);
	assert_string_equal(m.name, "web01");
	assert_false(m.privileged_known);
	vgl_ctr_meta_clear(&m);
	assert_int_equal(load(VGL_RT_NONE, "x", &m, &rt, err), -EINVAL);
}

/* Each malformed file is refused with a reason, never a crash. */
static void test_malformed_files(void **state UNUSED)
{
	static const struct {
		const char *file;
		bool docker;
		const char *why;
	} cases[] = {
		{ "oci-truncated.json", false, "line" },
		{ "oci-no-version.json", false, "no ociVersion" },
		{ "oci-array.json", false, "not an object" },
		{ "oci-bad-annotation.json", false, "io.kubernetes.pod.name is not a string" },
		{ "oci-bad-mounts.json", false, "mounts is not an array" },
		{ "oci-mount-no-dest.json", false, "without a destination" },
		{ "oci-bad-labels.json", false, "line 1" },
		{ "empty.json", false, "line" },
		{ "nul.json", false, "NUL" },
		{ "docker-no-id.json", true, "no ID" },
		{ "docker-bad-mount.json", true, "RW is not a boolean" },
		{ "docker-labels-type.json", true, "Config.Labels.a is not a string" },
		{ "empty.json", true, "config.v2.json: line" },
	};
	char path[PATH_MAX], err[VGL_META_ERR_MAX], *buf;
	struct vgl_ctr_meta m;
	size_t i, len;
	int rc;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		snprintf(path, sizeof(path), "%s/malformed/%s", data_dir, cases[i].file);
		assert_int_equal(vgl_read_file(path, VGL_META_FILE_MAX, &buf, &len), 0);
		memset(&m, 0, sizeof(m));
		err[0] = '\0';
		rc = cases[i].docker ? vgl_docker_parse(buf, len, NULL, 0, &m, err)
				     : vgl_oci_parse(buf, len, &m, err);
		print_message("%s: %s\n", cases[i].file, err);
		assert_int_equal(rc, -EINVAL);
		assert_non_null(strstr(err, cases[i].why));
		assert_null(m.name);
		assert_null(m.labels);
		free(buf);
	}
}

/* Every prefix and a byte flip at every offset of the good fixtures: refused or parsed, no
 * crash, no leak (run under the sanitizer build). */
static void mangle(const char *rel, bool docker)
{
	char path[PATH_MAX], err[VGL_META_ERR_MAX], *buf;
	struct vgl_ctr_meta m;
	size_t i, len;
	int rc;

	snprintf(path, sizeof(path), "%s/%s", data_dir, rel);
	assert_int_equal(vgl_read_file(path, VGL_META_FILE_MAX, &buf, &len), 0);
	for (i = 0; i < len; i++) {
		char saved = buf[i];

		memset(&m, 0, sizeof(m));
		rc = docker ? vgl_docker_parse(buf, i, buf, i, &m, err)
			    : vgl_oci_parse(buf, i, &m, err);
		assert_true(rc == 0 || rc == -EINVAL);
		vgl_ctr_meta_clear(&m);
		buf[i] = (char)(saved ^ 0x5a);
		rc = docker ? vgl_docker_parse(buf, len, NULL, 0, &m, err)
			    : vgl_oci_parse(buf, len, &m, err);
		assert_true(rc == 0 || rc == -EINVAL);
		vgl_ctr_meta_clear(&m);
		buf[i] = saved;
	}
	free(buf);
}

static void test_mangled(void **state UNUSED)
{
	mangle("docker/containers/" D_PLAIN "/config.v2.json", true);
	mangle("docker/containers/" D_REAL "/config.v2.json", true);
	mangle("containerd/k8s.io/" CD_PRIV "/config.json", false);
	mangle("crio/" CRIO "/userdata/config.json", false);
}

static void test_file_limit(void **state UNUSED)
{
	char path[PATH_MAX], *buf;
	size_t len;

	snprintf(path, sizeof(path), "%s/docker/containers/%s/config.v2.json", data_dir, D_PLAIN);
	assert_int_equal(vgl_read_file(path, 16, &buf, &len), -EFBIG);
	assert_int_equal(vgl_read_file(path, VGL_META_FILE_MAX, &buf, &len), 0);
	assert_int_equal(strlen(buf), len);
	free(buf);
}

static void split(const char *ref, const char *repo, const char *tag, const char *digest)
{
	struct vgl_ctr_meta m = { 0 };

	assert_int_equal(vgl_image_split(ref, &m), 0);
	if (repo)
		assert_string_equal(m.image_repository, repo);
	else
		assert_null(m.image_repository);
	if (tag)
		assert_string_equal(m.image_tag, tag);
	else
		assert_null(m.image_tag);
	if (digest)
		assert_string_equal(m.image_digest, digest);
	else
		assert_null(m.image_digest);
	vgl_ctr_meta_clear(&m);
}

static void test_image_split(void **state UNUSED)
{
	struct vgl_ctr_meta m = { 0 };

	split("busybox", "busybox", "latest", NULL);
	split("busybox:1.36", "busybox", "1.36", NULL);
	split("library/busybox", "library/busybox", "latest", NULL);
	split("localhost:5000/img:tag", "localhost:5000/img", "tag", NULL);
	split("localhost:5000/img", "localhost:5000/img", "latest", NULL);
	split("registry.io:443/a/b/c:v1.2.3-rc1", "registry.io:443/a/b/c", "v1.2.3-rc1", NULL);
	split("busybox@" SHA, "busybox", NULL, SHA);
	split("busybox:1.36@" SHA, "busybox", "1.36", SHA);
	split("localhost:5000/img@" SHA, "localhost:5000/img", NULL, SHA);
	split(SHA, NULL, NULL, SHA);
	assert_int_equal(vgl_image_split("", &m), -EINVAL);
	assert_int_equal(vgl_image_split(NULL, &m), -EINVAL);
}

static void test_rfc3339(void **state UNUSED)
{
	int64_t ns = 0;

	assert_true(vgl_parse_rfc3339("1970-01-01T00:00:01Z", &ns));
	assert_true(ns == 1000000000LL);
	assert_true(vgl_parse_rfc3339("1970-01-01T01:00:01.25+01:00", &ns));
	assert_true(ns == 1250000000LL);
	assert_true(vgl_parse_rfc3339("1970-01-01T00:00:01.1234567891Z", &ns));
	assert_true(ns == 1123456789LL);
	assert_false(vgl_parse_rfc3339("0001-01-01T00:00:00Z", &ns)); /* docker's zero time */
	assert_false(vgl_parse_rfc3339("2026-11-22", &ns));
	assert_false(vgl_parse_rfc3339("2026-13-22T00:00:00Z", &ns));
	assert_false(vgl_parse_rfc3339("2026-11-22T00:00:00", &ns));
	assert_false(vgl_parse_rfc3339("2026-11-22T00:00:00Zjunk", &ns));
	assert_false(vgl_parse_rfc3339(NULL, &ns));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_docker_bind_mount),
		cmocka_unit_test(test_docker_privileged),
		cmocka_unit_test(test_docker_real),
		cmocka_unit_test(test_docker_malformed),
		cmocka_unit_test(test_containerd_cri),
		cmocka_unit_test(test_containerd_privileged),
		cmocka_unit_test(test_crio),
		cmocka_unit_test(test_machines),
		cmocka_unit_test(test_malformed_files),
		cmocka_unit_test(test_mangled),
		cmocka_unit_test(test_file_limit),
		cmocka_unit_test(test_image_split),
		cmocka_unit_test(test_rfc3339),
	};

	return cmocka_run_group_tests(tests, setup, NULL);
}
