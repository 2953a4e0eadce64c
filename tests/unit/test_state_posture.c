// SPDX-License-Identifier: Apache-2.0
/*
 * The runtime's view of a container's posture from its state files
 * (tests/data/state): Docker containers created on a real daemon with
 * default settings, --privileged, --cap-add/--cap-drop, --read-only
 * --memory --cpus --pids-limit --user, --security-opt seccomp=unconfined,
 * apparmor=unconfined, no-new-privileges, and --network/--pid/--ipc host;
 * a containerd (Kubernetes securityContext) and a CRI-O (host namespaces,
 * user namespace, SELinux) config.json; malformed members naming the key.
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

#define UNUSED	  __attribute__((unused))

#define D_DEFAULT "7109b15da8b96365c73094de1bf291c3c7deffbe714626910d66ae2b8c1b2e78"
#define D_PRIV	  "89f3d4b8bf4f3af4a6c34fac5661252c7e76a33f0f2d8e54a286debd60cbfb03"
#define D_CAPS	  "5608b273437b79186901b403a22fccbdcb819c70dd495699bfaf6cb2935472cb"
#define D_LIMITS  "4f5e55e7ee50c78fee4b64f01a16e665c3ba7456b5832af004ff0160f007d28a"
#define D_SECOPT  "8eb5681acfd8b03ae498b372dee40e319a97e8a8361fab93ee1db8f78ad080c6"
#define D_HOSTNS  "64955ab601c0319973be2a608903042fc75d0b38fb9c9b14a5f4079d56768fdf"
#define CD_K8S	  "d2d1d2d3d4d5d6d7d8d9dadbdcdddedfe0e1e2e3e4e5e6e7e8e9eaebecedeeef"
#define CRIO_HOST "e1e1e2e3e4e5e6e7e8e9eaebecedeeeff0f1f2f3f4f5f6f7f8f9fafbfcfdfeff"

/* capability bits */
#define CAP(n)		   (1ull << (n))
#define C_NET_RAW	   CAP(13)
#define C_NET_ADMIN	   CAP(12)
#define C_SYS_PTRACE	   CAP(19)
#define C_SYS_ADMIN	   CAP(21)
#define C_NET_BIND_SERVICE CAP(10)

static char r_docker[PATH_MAX], r_containerd[PATH_MAX], r_crio[PATH_MAX];
static struct vgl_runtime_roots roots;

static int setup(void **state UNUSED)
{
	const char *src = getenv("VIGIL_SOURCE_DIR");

	snprintf(r_docker, sizeof(r_docker), "%s/tests/data/state/docker", src ? src : ".");
	snprintf(r_containerd, sizeof(r_containerd), "%s/tests/data/state/containerd",
		 src ? src : ".");
	snprintf(r_crio, sizeof(r_crio), "%s/tests/data/state/crio", src ? src : ".");
	roots = (struct vgl_runtime_roots){ r_docker, r_containerd, r_crio, NULL };
	return 0;
}

/* The posture of fixture @id, loaded as @rt would; fails the test when it does not load. */
static struct vgl_ctr_meta load(enum vgl_ctr_runtime rt, const char *id)
{
	struct vgl_cgroup_info ci = { .runtime = rt };
	char err[VGL_RUNTIME_ERR_MAX] = "";
	enum vgl_ctr_runtime got;
	struct vgl_ctr_meta m = { 0 };
	int rc;

	snprintf(ci.id, sizeof(ci.id), "%s", id);
	rc = vgl_runtime_load(&roots, &ci, &m, &got, err);
	if (rc)
		fail_msg("%s: %d %s", id, rc, err);
	return m;
}

static bool known(const struct vgl_ctr_posture *p, uint32_t bit)
{
	return (p->known & bit) != 0;
}

static bool is(const struct vgl_ctr_posture *p, uint32_t bit)
{
	assert_true(known(p, bit));
	return (p->set & bit) != 0;
}

static void test_docker_default(void **state UNUSED)
{
	struct vgl_ctr_meta m = load(VGL_RT_DOCKER, D_DEFAULT);
	const struct vgl_ctr_posture *p = &m.posture;

	assert_true(known(p, VGL_PST_CAPS));
	assert_true(p->cap_effective == VGL_CAPS_RUNTIME_DEFAULT);
	assert_string_equal(p->user, "");
	assert_true(known(p, VGL_PST_UID) && p->uid == 0);
	assert_false(is(p, VGL_PST_RO_ROOTFS));
	assert_true(known(p, VGL_PST_MEMORY | VGL_PST_CPU | VGL_PST_PIDS));
	assert_true(p->memory_limit == 0 && p->cpu_limit == 0 && p->pids_limit == 0);
	assert_string_equal(p->seccomp, "default");
	assert_string_equal(p->apparmor, ""); /* the daemon's host has no AppArmor */
	assert_string_equal(p->selinux, "");
	assert_false(is(p, VGL_PST_NNP));
	assert_false(is(p, VGL_PST_HOST_NET));
	assert_false(is(p, VGL_PST_HOST_PID));
	assert_false(is(p, VGL_PST_HOST_IPC));
	assert_false(known(p, VGL_PST_USERNS)); /* follows the daemon's userns-remap */
	assert_string_equal(p->ip, "172.17.0.2");
	vgl_ctr_meta_clear(&m);
}

static void test_docker_privileged(void **state UNUSED)
{
	struct vgl_ctr_meta m = load(VGL_RT_DOCKER, D_PRIV);
	const struct vgl_ctr_posture *p = &m.posture;

	assert_true(m.privileged);
	assert_true(p->cap_effective == vgl_caps_all());
	assert_true((p->cap_effective & C_SYS_ADMIN) != 0);
	assert_string_equal(p->seccomp, "unconfined");
	assert_string_equal(p->selinux, "disabled"); /* Docker adds label=disable */
	assert_string_equal(p->ip, "");		     /* created, never started */
	vgl_ctr_meta_clear(&m);
}

static void test_docker_cap_add_drop(void **state UNUSED)
{
	struct vgl_ctr_meta m = load(VGL_RT_DOCKER, D_CAPS);
	const struct vgl_ctr_posture *p = &m.posture;
	uint64_t want = (VGL_CAPS_RUNTIME_DEFAULT | C_NET_ADMIN | C_SYS_PTRACE) & ~C_NET_RAW;

	assert_true(p->cap_effective == want);
	assert_string_equal(p->seccomp, "default");
	vgl_ctr_meta_clear(&m);
}

static void test_docker_limits_user_readonly(void **state UNUSED)
{
	struct vgl_ctr_meta m = load(VGL_RT_DOCKER, D_LIMITS);
	const struct vgl_ctr_posture *p = &m.posture;

	assert_true(is(p, VGL_PST_RO_ROOTFS));
	assert_true(p->memory_limit == 64ll << 20);
	assert_true(p->cpu_limit == 500); /* --cpus 0.5 */
	assert_true(p->pids_limit == 100);
	assert_string_equal(p->user, "1000:1000");
	assert_true(p->uid == 1000);
	vgl_ctr_meta_clear(&m);
}

static void test_docker_security_opt(void **state UNUSED)
{
	struct vgl_ctr_meta m = load(VGL_RT_DOCKER, D_SECOPT);
	const struct vgl_ctr_posture *p = &m.posture;

	assert_string_equal(p->seccomp, "unconfined");
	assert_true(is(p, VGL_PST_NNP));
	/* apparmor=unconfined asked for, but the host has no AppArmor: Docker says "" */
	assert_string_equal(p->apparmor, "");
	assert_true(p->cap_effective == VGL_CAPS_RUNTIME_DEFAULT);
	vgl_ctr_meta_clear(&m);
}

static void test_docker_host_namespaces(void **state UNUSED)
{
	struct vgl_ctr_meta m = load(VGL_RT_DOCKER, D_HOSTNS);
	const struct vgl_ctr_posture *p = &m.posture;

	assert_true(is(p, VGL_PST_HOST_NET));
	assert_true(is(p, VGL_PST_HOST_PID));
	assert_true(is(p, VGL_PST_HOST_IPC));
	assert_string_equal(p->ip, ""); /* the host's network: no address of its own */
	vgl_ctr_meta_clear(&m);
}

static void test_containerd_security_context(void **state UNUSED)
{
	struct vgl_ctr_meta m = load(VGL_RT_CONTAINERD, CD_K8S);
	const struct vgl_ctr_posture *p = &m.posture;

	assert_true(p->cap_effective == (C_NET_ADMIN | C_NET_BIND_SERVICE));
	assert_string_equal(p->user, "1000:3000");
	assert_true(p->uid == 1000);
	assert_true(is(p, VGL_PST_RO_ROOTFS));
	assert_true(p->memory_limit == 134217728);
	assert_true(p->cpu_limit == 250);
	assert_true(p->pids_limit == 512);
	assert_string_equal(p->seccomp, "filter");
	assert_string_equal(p->apparmor, "cri-containerd.apparmor.d");
	assert_string_equal(p->selinux, "");
	assert_true(is(p, VGL_PST_NNP));
	/* joined the sandbox's namespaces by path: not the host's */
	assert_false(is(p, VGL_PST_HOST_NET));
	assert_false(is(p, VGL_PST_HOST_PID));
	assert_false(is(p, VGL_PST_HOST_IPC));
	assert_false(is(p, VGL_PST_USERNS));
	assert_null(p->ip);
	vgl_ctr_meta_clear(&m);
}

static void test_crio_host_namespaces_userns(void **state UNUSED)
{
	struct vgl_ctr_meta m = load(VGL_RT_CRIO, CRIO_HOST);
	const struct vgl_ctr_posture *p = &m.posture;

	assert_true((p->cap_effective & C_SYS_ADMIN) && !(p->cap_effective & C_NET_RAW));
	assert_string_equal(p->user, "0");
	assert_true(p->uid == 0);
	assert_false(is(p, VGL_PST_RO_ROOTFS));
	assert_true(p->memory_limit == 0 && p->cpu_limit == 0 && p->pids_limit == 0);
	assert_string_equal(p->seccomp, "unconfined");
	assert_null(p->apparmor);
	assert_string_equal(p->selinux, "system_u:system_r:container_t:s0:c123,c456");
	assert_false(is(p, VGL_PST_NNP));
	assert_true(is(p, VGL_PST_HOST_NET));
	assert_true(is(p, VGL_PST_HOST_PID));
	assert_true(is(p, VGL_PST_HOST_IPC));
	assert_true(is(p, VGL_PST_USERNS));
	vgl_ctr_meta_clear(&m);
}

#define CFG_V2                                                                                  \
	"{\"ID\":\"x\",\"Name\":\"/n\",\"Config\":{\"Image\":\"busybox\",\"User\":\"nobody\"}," \
	"\"State\":{}}"

/* A custom profile: Docker keeps its whole JSON, far longer than a name. */
static int custom_seccomp(struct vgl_ctr_meta *m, char *err)
{
	static const char head[] =
		"{\"ID\":\"x\",\"Config\":{},\"State\":{},"
		"\"SeccompProfile\":\"{\\\"defaultAction\\\":\\\"SCMP_ACT_ERRNO\\\",";
	size_t n = sizeof(head) - 1 + 3 * VGL_META_STR_MAX;
	char *cfg = malloc(n + 8);
	int rc;

	assert_non_null(cfg);
	memcpy(cfg, head, sizeof(head) - 1);
	memset(cfg + sizeof(head) - 1, ' ', n - (sizeof(head) - 1));
	strcpy(cfg + n, "}\"}");
	rc = vgl_docker_parse(cfg, strlen(cfg), "{}", 2, m, err);
	free(cfg);
	return rc;
}

static void test_docker_malformed(void **state UNUSED)
{
	static const struct {
		const char *hc, *err;
	} cases[] = {
		{ "{\"CapAdd\":\"NET_ADMIN\"}",
		  "hostconfig.json: CapAdd is not an array of at most 64 names" },
		{ "{\"CapDrop\":[1]}", "hostconfig.json: CapDrop[0] is not a string" },
		{ "{\"Memory\":\"64m\"}", "hostconfig.json: Memory is not an integer" },
		{ "{\"ReadonlyRootfs\":1}", "hostconfig.json: ReadonlyRootfs is not a boolean" },
		{ "{\"SecurityOpt\":[\"seccomp=unconfined\",7]}",
		  "hostconfig.json: SecurityOpt[1] is not a string" },
		{ "{\"NetworkMode\":[]}", "hostconfig.json: NetworkMode is not a string" },
	};
	const char *future = "{\"CapAdd\":[\"CAP_FUTURE\"]}";
	char err[VGL_META_ERR_MAX];
	struct vgl_ctr_meta m;
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		err[0] = '\0';
		assert_int_equal(vgl_docker_parse(CFG_V2, strlen(CFG_V2), cases[i].hc,
						  strlen(cases[i].hc), &m, err),
				 -EINVAL);
		assert_string_equal(err, cases[i].err);
	}
	/* a user name: the uid is unknown without the image's passwd */
	if (vgl_docker_parse(CFG_V2, strlen(CFG_V2), "{}", 2, &m, err))
		fail_msg("%s", err);
	assert_string_equal(m.posture.user, "nobody");
	assert_false(known(&m.posture, VGL_PST_UID));
	vgl_ctr_meta_clear(&m);
	assert_int_equal(custom_seccomp(&m, err), 0);
	assert_string_equal(m.posture.seccomp, "custom");
	/* unknown capability names (a newer kernel's) add nothing */
	vgl_ctr_meta_clear(&m);
	assert_int_equal(vgl_docker_parse(CFG_V2, strlen(CFG_V2), future, strlen(future), &m, err),
			 0);
	assert_true(m.posture.cap_effective == VGL_CAPS_RUNTIME_DEFAULT);
	vgl_ctr_meta_clear(&m);
}

static void test_oci_malformed(void **state UNUSED)
{
	static const struct {
		const char *cfg, *err;
	} cases[] = {
		{ "{\"ociVersion\":\"1\",\"process\":{\"user\":{\"uid\":\"0\"}}}",
		  "config.json: process.user.uid is not an integer" },
		{ "{\"ociVersion\":\"1\",\"root\":{\"readonly\":\"yes\"}}",
		  "config.json: root.readonly is not a boolean" },
		{ "{\"ociVersion\":\"1\",\"linux\":{\"resources\":{\"memory\":{\"limit\":1.5}}}}",
		  "config.json: linux.resources.memory.limit is not an integer" },
		{ "{\"ociVersion\":\"1\",\"linux\":{\"namespaces\":[{\"path\":\"/x\"}]}}",
		  "config.json: linux.namespaces[0].type is not a string" },
		{ "{\"ociVersion\":\"1\",\"process\":{\"capabilities\":{\"bounding\":{}}}}",
		  "config.json: process.capabilities.bounding is not an array of at most 64 "
		  "names" },
	};
	char err[VGL_META_ERR_MAX];
	struct vgl_ctr_meta m;
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		err[0] = '\0';
		assert_int_equal(vgl_oci_parse(cases[i].cfg, strlen(cases[i].cfg), &m, err),
				 -EINVAL);
		assert_string_equal(err, cases[i].err);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_docker_default),
		cmocka_unit_test(test_docker_privileged),
		cmocka_unit_test(test_docker_cap_add_drop),
		cmocka_unit_test(test_docker_limits_user_readonly),
		cmocka_unit_test(test_docker_security_opt),
		cmocka_unit_test(test_docker_host_namespaces),
		cmocka_unit_test(test_containerd_security_context),
		cmocka_unit_test(test_crio_host_namespaces_userns),
		cmocka_unit_test(test_docker_malformed),
		cmocka_unit_test(test_oci_malformed),
	};

	return cmocka_run_group_tests(tests, setup, NULL);
}
