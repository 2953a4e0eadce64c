// SPDX-License-Identifier: Apache-2.0
/*
 * vigil's container posture rules (rules/vigil_rules_posture.yaml) on
 * container events of hand-made containers: which rules each posture
 * raises, including what the end-to-end test cannot start on every host
 * (privileged, AppArmor unconfined, Kubernetes mounts, unknown posture) and
 * the trusted-images list.
 */
#define _GNU_SOURCE
#include <linux/capability.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "test_rules_util.h"
#include "testutil.h"

#define UNUSED	  __attribute__((unused))
#define CAP(c)	  (1ull << (c))
#define DEFCAPS	  0xa80425fbull /* Docker's and containerd's default set */
#define MAX_RULE  14

#define R_PRIV	  "Privileged container started"
#define R_SOCK	  "Container runtime socket mounted"
#define R_MOUNT	  "Sensitive host path mounted writable"
#define R_CAPS	  "Container with dangerous capabilities"
#define R_SECCOMP "Container without seccomp"
#define R_AA	  "Container without AppArmor"
#define R_NET	  "Container in host network namespace"
#define R_PID	  "Container in host PID namespace"
#define R_IPC	  "Container in host IPC namespace"
#define R_MEM	  "Container without memory limit"
#define R_ROOT	  "Container running as root"
#define R_RWROOT  "Container with writable root file system"
#define R_USERNS  "Container without user namespace"
#define R_NETRAW  "Container with NET_RAW capability"

static struct vgl_ruleset *rs;
static struct vgl_container_view ctr;

static const struct vgl_container_view *ctr_of(void *state UNUSED, uint64_t cg UNUSED,
					       uint32_t pid UNUSED)
{
	return &ctr;
}

static const struct vgl_field_state_ops ops = { .container = ctr_of };

/* The rule file's text, with @extra appended (a user's tuning file). */
static struct vgl_ruleset *load(const char *extra)
{
	const char *src = getenv("VIGIL_SOURCE_DIR") ?: ".";
	char path[1024], *text, *all;
	struct vgl_ruleset *ret = NULL;
	struct vgl_diag d;

	snprintf(path, sizeof(path), "%s/rules/vigil_rules_posture.yaml", src);
	text = tu_read_file(path);
	assert_true(asprintf(&all, "%s\n%s", text, extra) > 0);
	vgl_diag_init(&d);
	if (vgl_ruleset_load_text(path, all, strlen(all), NULL, &ret, &d) || d.n)
		diag_dump(&d);
	/* no warnings either: every rule can match the container event */
	assert_int_equal(d.n, 0);
	vgl_diag_free(&d);
	free(all);
	free(text);
	assert_non_null(ret);
	return ret;
}

static int setup(void **state UNUSED)
{
	rs = load("");
	return 0;
}

static int teardown(void **state UNUSED)
{
	vgl_ruleset_free(rs);
	return 0;
}

/* The good-practice container: no posture rule applies. */
static int reset(void **state UNUSED)
{
	memset(&ctr, 0, sizeof(ctr));
	ctr.id = "3ad7b2c1e9f0";
	ctr.name = "web";
	ctr.image_repository = "registry.example.com/web";
	ctr.privileged_known = true;
	ctr.posture = (struct vgl_ctr_posture){
		.known = VGL_PST_ALL,
		.set = VGL_PST_RO_ROOTFS | VGL_PST_NNP | VGL_PST_USERNS,
		.uid = 1000,
		.memory_limit = 64 << 20,
		.pids_limit = 64,
		.user = "1000:1000",
		.seccomp = "default",
		.apparmor = "docker-default",
		.selinux = "",
	};
	return 0;
}

/* The posture rules the container event of @ctr raises, "|"-joined in file order. */
static const char *raised_by(const struct vgl_ruleset *r)
{
	static char buf[1024];
	struct hits h;
	struct tev t;
	size_t n = 0;

	tev_init(&t, VGL_EV_CONTAINER, "sleep", 4242, 0);
	eval_hits(r, &t.ev, &ops, NULL, &h);
	buf[0] = '\0';
	for (size_t i = 0; i < h.n; i++)
		n += (size_t)snprintf(buf + n, sizeof(buf) - n, "%s%s", n ? "|" : "", h.names[i]);
	return buf;
}

static const char *raised(void)
{
	return raised_by(rs);
}

static void set_bit(uint32_t bit, bool on)
{
	ctr.posture.set = on ? ctr.posture.set | bit : ctr.posture.set & ~bit;
}

static void test_good_practice_and_baseline(void **state UNUSED)
{
	assert_string_equal(raised(), "");
	/* a plain docker run */
	ctr.posture.set = 0;
	ctr.posture.uid = 0;
	ctr.posture.user = "";
	ctr.posture.memory_limit = 0;
	ctr.posture.cap_effective = DEFCAPS;
	assert_string_equal(raised(), R_MEM "|" R_ROOT "|" R_RWROOT "|" R_USERNS "|" R_NETRAW);
}

/* Nothing known about the posture: no finding, not even the baseline. */
static void test_unknown_posture(void **state UNUSED)
{
	ctr.privileged_known = false;
	ctr.posture = (struct vgl_ctr_posture){ 0 };
	assert_string_equal(raised(), "");
}

static void test_privileged(void **state UNUSED)
{
	ctr.privileged = true;
	ctr.posture.cap_effective = ~0ull >> (63 - CAP_LAST_CAP);
	ctr.posture.seccomp = "unconfined";
	ctr.posture.apparmor = "unconfined";
	/* it covers its capabilities, seccomp and AppArmor in one alert */
	assert_string_equal(raised(), R_PRIV);
}

static void test_capabilities(void **state UNUSED)
{
	static const int dangerous[] = { CAP_SYS_ADMIN, CAP_SYS_PTRACE, CAP_SYS_MODULE,
					 CAP_SYS_RAWIO, CAP_NET_ADMIN,	CAP_DAC_READ_SEARCH,
					 CAP_BPF,	CAP_PERFMON };

	for (size_t i = 0; i < sizeof(dangerous) / sizeof(dangerous[0]); i++) {
		ctr.posture.cap_effective = CAP(dangerous[i]);
		assert_string_equal(raised(), R_CAPS);
	}
	/* the default set, less NET_RAW, plus a harmless one */
	ctr.posture.cap_effective = (DEFCAPS & ~CAP(CAP_NET_RAW)) | CAP(CAP_SYS_NICE);
	assert_string_equal(raised(), "");
	/* NET_RAW alone (--cap-drop ALL --cap-add NET_RAW): the baseline finding */
	ctr.posture.cap_effective = CAP(CAP_NET_RAW);
	assert_string_equal(raised(), R_NETRAW);
}

static void test_lsm(void **state UNUSED)
{
	ctr.posture.seccomp = "unconfined";
	assert_string_equal(raised(), R_SECCOMP);
	ctr.posture.seccomp = "filter";
	ctr.posture.apparmor = "unconfined";
	assert_string_equal(raised(), R_AA);
	/* a host without AppArmor */
	ctr.posture.apparmor = "";
	assert_string_equal(raised(), "");
}

static void test_host_namespaces(void **state UNUSED)
{
	set_bit(VGL_PST_HOST_NET, true);
	assert_string_equal(raised(), R_NET);
	set_bit(VGL_PST_HOST_NET, false);
	set_bit(VGL_PST_HOST_PID, true);
	assert_string_equal(raised(), R_PID);
	set_bit(VGL_PST_HOST_PID, false);
	set_bit(VGL_PST_HOST_IPC, true);
	assert_string_equal(raised(), R_IPC);
}

/* The rules @m alone (besides the good-practice posture) raises. */
static const char *mounted(const char *source, const char *dest, bool rw)
{
	static struct vgl_mount_view m[2];

	m[0] = (struct vgl_mount_view){ "/srv/data", "/data", "", true, "rprivate" };
	m[1] = (struct vgl_mount_view){ source, dest, rw ? "" : "ro", rw, "rprivate" };
	ctr.mounts = m;
	ctr.nmounts = 2;
	return raised();
}

static void test_mounts(void **state UNUSED)
{
	/* a runtime's socket, read-only too, or the directory holding it */
	assert_string_equal(mounted("/var/run/docker.sock", "/var/run/docker.sock", false), R_SOCK);
	assert_string_equal(mounted("/run/docker.sock", "/d.sock", true), R_SOCK);
	assert_string_equal(mounted("/run/containerd/containerd.sock", "/c.sock", false), R_SOCK);
	assert_string_equal(mounted("/var/run/crio/crio.sock", "/c.sock", false), R_SOCK);
	assert_string_equal(mounted("/run/user/1000/docker.sock", "/d.sock", false), R_SOCK);
	assert_string_equal(mounted("/var/run", "/host-run", false), R_SOCK);
	assert_string_equal(mounted("/run/podman/podman.sock", "/p.sock", false), R_SOCK);
	assert_string_equal(mounted("/run/k3s/containerd/containerd.sock", "/c.sock", false),
			    R_SOCK);
	assert_string_equal(mounted("/tmp/docker.sock", "/d.sock", true), "");
	/* "." in a pattern is a dot */
	assert_string_equal(mounted("/var/run/docker_sock", "/d.sock", true), "");
	/* containerd's own per-sandbox /dev/shm */
	assert_string_equal(mounted("/run/containerd/io.containerd.grpc.v1.cri/sandboxes/ab/shm",
				    "/dev/shm", true),
			    "");

	/* sensitive host paths: writable only */
	assert_string_equal(mounted("/", "/host", true), R_MOUNT);
	assert_string_equal(mounted("/etc", "/host-etc", true), R_MOUNT);
	assert_string_equal(mounted("/etc", "/host-etc", false), "");
	assert_string_equal(mounted("/etc/cron.d", "/cron", true), R_MOUNT);
	assert_string_equal(mounted("/proc", "/host/proc", true), R_MOUNT);
	assert_string_equal(mounted("/sys/fs/bpf", "/sys/fs/bpf", true), R_MOUNT);
	assert_string_equal(mounted("/var/lib/kubelet", "/kubelet", true), R_MOUNT);
	assert_string_equal(mounted("/var/lib/docker", "/docker", true), R_MOUNT);
	assert_string_equal(mounted("/root", "/r", true), R_MOUNT);
	assert_string_equal(mounted("/boot", "/b", true), R_MOUNT);
	assert_string_equal(mounted("/etcd-data", "/x", true), "");
	assert_string_equal(mounted("/home/alice/src", "/src", true), "");
	/* what every pod and named volume gets */
	assert_string_equal(mounted("/var/lib/kubelet/pods/0c8a/etc-hosts", "/etc/hosts", true),
			    "");
	assert_string_equal(mounted("/var/lib/docker/volumes/db/_data", "/db", true), "");
	assert_string_equal(mounted("/var/lib/containerd/io.containerd.grpc.v1.cri/sandboxes/ab/"
				    "hostname",
				    "/etc/hostname", true),
			    "");
}

/* An image in vigil_posture_privileged_images may use the host; seccomp still counts. */
static void test_trusted_images(void **state UNUSED)
{
	struct vgl_ruleset *tuned = load("- list: vigil_posture_privileged_images\n"
					 "  items: [registry.example.com/node-agent]\n"
					 "  append: true\n");

	ctr.image_repository = "registry.example.com/node-agent";
	ctr.privileged = true;
	ctr.posture.seccomp = "unconfined";
	set_bit(VGL_PST_HOST_PID, true);
	assert_string_equal(raised_by(tuned), "");
	ctr.privileged = false;
	ctr.posture.cap_effective = CAP(CAP_SYS_ADMIN);
	assert_string_equal(raised_by(tuned), R_SECCOMP);
	/* another image raises them */
	ctr.image_repository = "registry.example.com/web";
	assert_string_equal(raised_by(tuned), R_CAPS "|" R_SECCOMP "|" R_PID);
	vgl_ruleset_free(tuned);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(test_good_practice_and_baseline, reset),
		cmocka_unit_test_setup(test_unknown_posture, reset),
		cmocka_unit_test_setup(test_privileged, reset),
		cmocka_unit_test_setup(test_capabilities, reset),
		cmocka_unit_test_setup(test_lsm, reset),
		cmocka_unit_test_setup(test_host_namespaces, reset),
		cmocka_unit_test_setup(test_mounts, reset),
		cmocka_unit_test_setup(test_trusted_images, reset),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
