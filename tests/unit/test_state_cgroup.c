// SPDX-License-Identifier: Apache-2.0
/* Cgroup path -> container runtime / id / pod: every known layout, and lookalikes that are host. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "state/cgroup.h"

#define UNUSED __attribute__((unused))

#define ID64   "3f4e2b1a0c9d8e7f6a5b4c3d2e1f0a9b8c7d6e5f4a3b2c1d0e9f8a7b6c5d4e3f"
#define UID    "0c8a9b1e-2f3d-4a5b-8c7d-6e5f4a3b2c1d"
#define UID_   "0c8a9b1e_2f3d_4a5b_8c7d_6e5f4a3b2c1d"

struct pcase {
	const char *path;
	enum vgl_ctr_runtime rt;
	const char *id;
	enum vgl_k8s_qos qos;
	const char *pod_uid;
};

static const struct pcase containers[] = {
	/* Docker */
	{ "/docker/" ID64, VGL_RT_DOCKER, ID64, 0, "" },
	{ "/system.slice/docker-" ID64 ".scope", VGL_RT_DOCKER, ID64, 0, "" },
	{ "/docker/" ID64 "/init.scope", VGL_RT_DOCKER, ID64, 0, "" },
	/* containerd outside Kubernetes, systemd driver */
	{ "/system.slice/cri-containerd-" ID64 ".scope", VGL_RT_CONTAINERD, ID64, 0, "" },
	/* Kubernetes, cgroupfs driver */
	{ "/kubepods/besteffort/pod" UID "/" ID64, VGL_RT_CRI, ID64, VGL_QOS_BESTEFFORT, UID },
	{ "/kubepods/burstable/pod" UID "/" ID64, VGL_RT_CRI, ID64, VGL_QOS_BURSTABLE, UID },
	{ "/kubepods/pod" UID "/" ID64, VGL_RT_CRI, ID64, VGL_QOS_GUARANTEED, UID },
	{ "/kubepods/besteffort/pod" UID "/crio-" ID64, VGL_RT_CRIO, ID64, VGL_QOS_BESTEFFORT,
	  UID },
	/* Kubernetes, systemd driver */
	{ "/kubepods.slice/kubepods-besteffort.slice/kubepods-besteffort-pod" UID_
	  ".slice/cri-containerd-" ID64 ".scope",
	  VGL_RT_CONTAINERD, ID64, VGL_QOS_BESTEFFORT, UID },
	{ "/kubepods.slice/kubepods-burstable.slice/kubepods-burstable-pod" UID_ ".slice/crio-" ID64
	  ".scope",
	  VGL_RT_CRIO, ID64, VGL_QOS_BURSTABLE, UID },
	{ "/kubepods.slice/kubepods-pod" UID_ ".slice/cri-containerd-" ID64 ".scope",
	  VGL_RT_CONTAINERD, ID64, VGL_QOS_GUARANTEED, UID },
	{ "/kubepods.slice/kubepods-burstable.slice/kubepods-burstable-pod" UID_
	  ".slice/docker-" ID64 ".scope",
	  VGL_RT_DOCKER, ID64, VGL_QOS_BURSTABLE, UID },
	/* kind: systemd slice with a cgroupfs-style runtime suffix */
	{ "/system.slice/containerd.service/kubepods-besteffort-pod" UID_
	  ".slice:cri-containerd:" ID64,
	  VGL_RT_CONTAINERD, ID64, VGL_QOS_BESTEFFORT, UID },
	/* CRI-O outside a pod, Podman */
	{ "/machine.slice/crio-" ID64 ".scope", VGL_RT_CRIO, ID64, 0, "" },
	{ "/machine.slice/libpod-" ID64 ".scope", VGL_RT_PODMAN, ID64, 0, "" },
	{ "/machine.slice/libpod-" ID64 ".scope/container", VGL_RT_PODMAN, ID64, 0, "" },
	{ "/user.slice/user-1000.slice/user@1000.service/user.slice/libpod-" ID64 ".scope",
	  VGL_RT_PODMAN, ID64, 0, "" },
	{ "/libpod_parent/libpod-" ID64, VGL_RT_PODMAN, ID64, 0, "" },
	/* systemd-nspawn, LXC */
	{ "/machine.slice/machine-debian.scope", VGL_RT_NSPAWN, "debian", 0, "" },
	{ "/machine.slice/machine-my\\x2dbox.scope/payload", VGL_RT_NSPAWN, "my-box", 0, "" },
	{ "/lxc/web01", VGL_RT_LXC, "web01", 0, "" },
	{ "/lxc.payload.web01", VGL_RT_LXC, "web01", 0, "" },
	{ "/lxc.payload.web01/init.scope", VGL_RT_LXC, "web01", 0, "" },
	{ "/lxc.payload/web01", VGL_RT_LXC, "web01", 0, "" },
};

static const char *const hosts[] = {
	"/", "", "/init.scope", "/user.slice/user-0.slice/session-3.scope",
	"/system.slice/docker.service", "/system.slice/containerd.service",
	/* this VM's sandbox: a long hex id under an unknown parent is not a container */
	"/process_api/eab3f0ab0e480b47d028fbc49e9c9f60", "/process_api/" ID64, "/" ID64,
	"/foo/docker/" ID64, /* /docker only at the root */
	/* conmon and monitors are not containers */
	"/machine.slice/libpod-conmon-" ID64 ".scope", "/system.slice/crio-conmon-" ID64 ".scope",
	"/lxc.monitor.web01",
	/* malformed ids */
	"/docker/" ID64 "0",
	"/docker/3F4E2B1A0C9D8E7F6A5B4C3D2E1F0A9B8C7D6E5F4A3B2C1D0E9F8A7B6C5D4E3F",
	"/system.slice/docker-" ID64, /* systemd driver always has .scope */
	"/system.slice/docker-abc.scope",
	/* pod without a container, bad pod uid, 64 hex outside a pod */
	"/kubepods/besteffort/pod" UID, "/kubepods/besteffort/podnot-a-uid/" ID64,
	"/kubepods/besteffort/" ID64, "/machine.slice/machine-.scope", "/lxc/",
	"/machine.slice/machine-a\\x2fb.scope", /* escaped '/' */
};

static void test_containers(void **state UNUSED)
{
	struct vgl_cgroup_info ci;
	size_t i;

	for (i = 0; i < sizeof(containers) / sizeof(containers[0]); i++) {
		const struct pcase *c = &containers[i];

		print_message("%s\n", c->path);
		assert_true(vgl_cgroup_parse_path(c->path, strlen(c->path), &ci));
		assert_int_equal(ci.runtime, c->rt);
		assert_string_equal(ci.id, c->id);
		assert_int_equal(ci.qos, c->qos);
		assert_string_equal(ci.pod_uid, c->pod_uid);
	}
}

static void test_hosts(void **state UNUSED)
{
	struct vgl_cgroup_info ci;
	size_t i;

	for (i = 0; i < sizeof(hosts) / sizeof(hosts[0]); i++) {
		memset(&ci, 0xa5, sizeof(ci));
		print_message("%s\n", hosts[i]);
		assert_false(vgl_cgroup_parse_path(hosts[i], strlen(hosts[i]), &ci));
		assert_int_equal(ci.runtime, VGL_RT_NONE);
		assert_string_equal(ci.id, "");
	}
}

static void test_not_nul_terminated(void **state UNUSED)
{
	const char *p = "/docker/" ID64 "/extra";
	struct vgl_cgroup_info ci;

	/* the length bounds the path: cut inside the id, it is no longer one */
	assert_false(vgl_cgroup_parse_path(p, 8 + 63, &ci));
	assert_true(vgl_cgroup_parse_path(p, 8 + 64, &ci));
	assert_string_equal(ci.id, ID64);
}

static void test_file_v1(void **state UNUSED)
{
	const char *f = "12:pids:/docker/" ID64 "\n"
			"11:memory:/docker/" ID64 "\n"
			"1:name=systemd:/docker/" ID64 "\n";
	struct vgl_cgroup_source src;
	struct vgl_cgroup_info ci;

	assert_int_equal(vgl_cgroup_parse_file(f, strlen(f), &ci, &src), 1);
	assert_int_equal(ci.runtime, VGL_RT_DOCKER);
	assert_string_equal(ci.id, ID64);
	assert_false(src.has_v2);
	assert_false(src.from_v2);
}

static void test_file_v2(void **state UNUSED)
{
	const char *f = "0::/system.slice/docker-" ID64 ".scope\n";
	struct vgl_cgroup_source src;
	struct vgl_cgroup_info ci;

	assert_int_equal(vgl_cgroup_parse_file(f, strlen(f), &ci, &src), 1);
	assert_int_equal(ci.runtime, VGL_RT_DOCKER);
	assert_true(src.has_v2);
	assert_false(src.v2_root);
	assert_true(src.from_v2);
}

static void test_file_hybrid(void **state UNUSED)
{
	/* systemd hybrid: v1 controllers and the unified hierarchy agree */
	const char *f = "12:cpu,cpuacct:/system.slice/crio-" ID64 ".scope\n"
			"1:name=systemd:/system.slice/crio-" ID64 ".scope\n"
			"0::/system.slice/crio-" ID64 ".scope\n";
	/* hybrid with an unused unified hierarchy: found on v1 only */
	const char *g = "4:memory:/kubepods/burstable/pod" UID "/" ID64 "\n0::/\n";
	struct vgl_cgroup_source src;
	struct vgl_cgroup_info ci;

	assert_int_equal(vgl_cgroup_parse_file(f, strlen(f), &ci, &src), 1);
	assert_int_equal(ci.runtime, VGL_RT_CRIO);
	assert_true(src.from_v2);
	assert_int_equal(vgl_cgroup_parse_file(g, strlen(g), &ci, &src), 1);
	assert_int_equal(ci.runtime, VGL_RT_CRI);
	assert_int_equal(ci.qos, VGL_QOS_BURSTABLE);
	assert_string_equal(ci.pod_uid, UID);
	assert_true(src.has_v2);
	assert_true(src.v2_root);
	assert_false(src.from_v2);
}

static void test_file_host(void **state UNUSED)
{
	/* exactly this VM's /proc/self/cgroup */
	const char *f = "9:name=systemd:/\n8:pids:/\n7:blkio:/\n6:freezer:/\n5:devices:/\n"
			"4:memory:/process_api/eab3f0ab0e480b47d028fbc49e9c9f60\n3:cpuset:/\n"
			"2:cpuacct:/\n1:cpu:/\n0::/\n";
	struct vgl_cgroup_info ci;

	assert_int_equal(vgl_cgroup_parse_file(f, strlen(f), &ci, NULL), 0);
	assert_int_equal(ci.runtime, VGL_RT_NONE);
}

static void test_file_malformed(void **state UNUSED)
{
	static const char *const bad[] = {
		"", "\n\n", "garbage", "0:/docker/x", ":::", "1:cpu:relative/path\n", "0::\n"
	};
	struct vgl_cgroup_info ci;
	const char *f;
	size_t i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		assert_int_equal(vgl_cgroup_parse_file(bad[i], strlen(bad[i]), &ci, NULL), -EINVAL);
	/* one good line among bad ones is enough */
	f = "junk\n0::/docker/" ID64 "\n";
	assert_int_equal(vgl_cgroup_parse_file(f, strlen(f), &ci, NULL), 1);
}

/* Random bytes and random splices of real patterns: classified, never a crash. */
static void test_random(void **state UNUSED)
{
	static const char *const parts[] = {
		"/",	    "docker",	"docker-",	".scope",
		ID64,	    "kubepods", "pod" UID,	"kubepods-burstable-pod" UID_ ".slice",
		"crio-",    "lxc",	"lxc.payload.", "machine.slice",
		"machine-", ":",	"0::",		"\n",
		"\\x2d",    ""
	};
	char buf[512];
	struct vgl_cgroup_info ci;
	unsigned int seed = 42;
	size_t i, len, n;

	for (i = 0; i < 20000; i++) {
		len = 0;
		if (i % 2) {
			n = (size_t)rand_r(&seed) % sizeof(buf);
			for (len = 0; len < n; len++)
				buf[len] = (char)rand_r(&seed);
		} else {
			for (n = (size_t)rand_r(&seed) % 12; n; n--) {
				const char *p = parts[(size_t)rand_r(&seed) %
						      (sizeof(parts) / sizeof(parts[0]))];

				if (len + strlen(p) >= sizeof(buf))
					break;
				memcpy(buf + len, p, strlen(p));
				len += strlen(p);
			}
		}
		if (vgl_cgroup_parse_path(buf, len, &ci))
			assert_int_not_equal(ci.runtime, VGL_RT_NONE);
		assert_true(vgl_cgroup_parse_file(buf, len, &ci, NULL) >= -EINVAL);
	}
}

static void test_names(void **state UNUSED)
{
	assert_null(vgl_ctr_runtime_name(VGL_RT_NONE));
	assert_string_equal(vgl_ctr_runtime_name(VGL_RT_DOCKER), "docker");
	assert_string_equal(vgl_ctr_runtime_name(VGL_RT_CRIO), "cri-o");
	assert_string_equal(vgl_ctr_runtime_name(VGL_RT_LXC), "lxc");
	assert_null(vgl_ctr_runtime_name((enum vgl_ctr_runtime)99));
	assert_string_equal(vgl_k8s_qos_name(VGL_QOS_BESTEFFORT), "besteffort");
	assert_null(vgl_k8s_qos_name(VGL_QOS_NONE));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_containers),
		cmocka_unit_test(test_hosts),
		cmocka_unit_test(test_not_nul_terminated),
		cmocka_unit_test(test_file_v1),
		cmocka_unit_test(test_file_v2),
		cmocka_unit_test(test_file_hybrid),
		cmocka_unit_test(test_file_host),
		cmocka_unit_test(test_file_malformed),
		cmocka_unit_test(test_random),
		cmocka_unit_test(test_names),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
