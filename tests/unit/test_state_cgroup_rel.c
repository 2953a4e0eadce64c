// SPDX-License-Identifier: Apache-2.0
/*
 * Relative cgroup paths (vigil in its own cgroup namespace) made absolute,
 * then classified: a sibling container reads as that container, not the host.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "state/cgroup.h"
#include "state/cgroup_rel.h"

#define UNUSED __attribute__((unused))

#define ID64   "3f4e2b1a0c9d8e7f6a5b4c3d2e1f0a9b8c7d6e5f4a3b2c1d0e9f8a7b6c5d4e3f"
#define VID64  "aaaabbbbccccddddeeeeffff0000111122223333444455556666777788889999"
#define UID    "0c8a9b1e-2f3d-4a5b-8c7d-6e5f4a3b2c1d"
#define VUID   "11111111-2222-3333-4444-555555555555"

static void expect_rebase(const char *root, const char *rel, const char *want)
{
	char out[256];

	assert_int_equal(vgl_cgroup_rebase(root, rel, strlen(rel), out, sizeof(out)), 0);
	assert_string_equal(out, want);
}

static void test_rebase(void **state UNUSED)
{
	/* Docker (cgroupfs): vigil at /docker/<vigil>, a sibling container */
	expect_rebase("/docker/" VID64, "/../" ID64, "/docker/" ID64);
	/* Kubernetes (cgroupfs): vigil's pod is burstable, the other besteffort */
	expect_rebase("/kubepods/burstable/pod" VUID "/" VID64,
		      "/../../../besteffort/pod" UID "/" ID64,
		      "/kubepods/besteffort/pod" UID "/" ID64);
	/* the host's root, its init, vigil's own cgroup and below it */
	expect_rebase("/docker/" VID64, "/../..", "/");
	expect_rebase("/system.slice/x.scope", "/../../init.scope", "/init.scope");
	expect_rebase("/docker/" VID64, "/", "/docker/" VID64);
	expect_rebase("/docker/" VID64, "/sub/./x", "/docker/" VID64 "/sub/x");
	expect_rebase("/", "/a//b/", "/a/b");
}

static void test_rebase_errors(void **state UNUSED)
{
	char out[32], small[8];

	/* above the hierarchy's root: not a path the kernel writes for this root */
	assert_int_equal(vgl_cgroup_rebase("/docker", "/../../x", 8, out, sizeof(out)), -ERANGE);
	assert_string_equal(out, "");
	assert_int_equal(vgl_cgroup_rebase("/a", "/../" ID64, 67, small, sizeof(small)),
			 -ENAMETOOLONG);
	assert_int_equal(vgl_cgroup_rebase("docker", "/..", 3, out, sizeof(out)), -EINVAL);
	assert_int_equal(vgl_cgroup_rebase("/", "..", 2, out, sizeof(out)), -EINVAL);
	assert_int_equal(vgl_cgroup_rebase("/", "", 0, out, sizeof(out)), -EINVAL);
	assert_int_equal(vgl_cgroup_rebase("/", "/x", 2, out, 0), -ENAMETOOLONG);
}

static void test_ups(void **state UNUSED)
{
	assert_int_equal(vgl_cgroup_ups("/../../x", 8), 2);
	assert_int_equal(vgl_cgroup_ups("/..", 3), 1);
	assert_int_equal(vgl_cgroup_ups("/..x/y", 6), 0); /* a name that starts with .. */
	assert_int_equal(vgl_cgroup_ups("/docker/..", 10), 0);
	assert_int_equal(vgl_cgroup_ups("/", 1), 0);
	assert_int_equal(vgl_cgroup_ups("/../..", 4), 1); /* the length is what counts */
}

/* vigil's namespace roots, by hierarchy: v1 "memory" and the v2 line known. */
static const char *roots(void *ctx, const char *ctrl)
{
	int *calls = ctx;

	(*calls)++;
	if (!strcmp(ctrl, "memory") || !strcmp(ctrl, ""))
		return "/kubepods/burstable/pod" VUID "/" VID64;
	return NULL;
}

static char *rebase_file(const char *text, int *calls)
{
	char *out;
	size_t len;

	assert_int_equal(vgl_cgroup_rebase_file(text, strlen(text), roots, calls, &out, &len), 0);
	assert_int_equal(len, strlen(out));
	return out;
}

static void test_file_v2(void **state UNUSED)
{
	struct vgl_cgroup_info ci;
	struct vgl_cgroup_source src;
	int calls = 0;
	char *out = rebase_file("0::/../../../besteffort/pod" UID "/" ID64 "\n", &calls);

	assert_string_equal(out, "0::/kubepods/besteffort/pod" UID "/" ID64 "\n");
	assert_int_equal(vgl_cgroup_parse_file(out, strlen(out), &ci, &src), 1);
	assert_int_equal(ci.runtime, VGL_RT_CRI);
	assert_string_equal(ci.id, ID64);
	assert_string_equal(ci.pod_uid, UID);
	assert_int_equal(ci.qos, VGL_QOS_BESTEFFORT);
	assert_string_equal(src.v2_path, "/kubepods/besteffort/pod" UID "/" ID64);
	free(out);
	assert_int_equal(calls, 1);
	/* the same text unrebased is what vigil used to see: the host */
	out = "0::/../../../besteffort/pod" UID "/" ID64;
	assert_int_equal(vgl_cgroup_parse_file(out, strlen(out), &ci, NULL), 0);
}

static void test_file_v1(void **state UNUSED)
{
	int calls = 0;
	/* absolute lines stay; an unknown root leaves its line as it was */
	char *out = rebase_file("5:cpu,cpuacct:/../x\n"
				"4:memory:/../../../pod" UID "/" ID64 "\n"
				"1:name=systemd:/docker/" ID64 "\n"
				"0::/",
				&calls);
	struct vgl_cgroup_info ci;

	assert_string_equal(out, "5:cpu,cpuacct:/../x\n"
				 "4:memory:/kubepods/pod" UID "/" ID64 "\n"
				 "1:name=systemd:/docker/" ID64 "\n"
				 "0::/");
	assert_int_equal(calls, 2);
	assert_int_equal(vgl_cgroup_parse_file(out, strlen(out), &ci, NULL), 1);
	assert_int_equal(ci.runtime, VGL_RT_CRI);
	assert_int_equal(ci.qos, VGL_QOS_GUARANTEED);
	free(out);
}

static void test_file_malformed(void **state UNUSED)
{
	int calls = 0;
	char *out;

	/* no fields, a path above the root, no newline at the end: copied as they are */
	out = rebase_file("garbage\n4:memory:/../../../../../x\n\n", &calls);
	assert_string_equal(out, "garbage\n4:memory:/../../../../../x\n\n");
	free(out);
	out = rebase_file("", &calls);
	assert_string_equal(out, "");
	free(out);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_rebase),	cmocka_unit_test(test_rebase_errors),
		cmocka_unit_test(test_ups),	cmocka_unit_test(test_file_v2),
		cmocka_unit_test(test_file_v1), cmocka_unit_test(test_file_malformed),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
