// SPDX-License-Identifier: Apache-2.0
/*
 * The kernel's view of a container's posture (state/posture.h) from a fake
 * /proc tree built per test: status, attr, ns links, uid_map and the cgroup
 * v2 limit files; a process still in runc init is not read; the kernel view
 * wins over the runtime's state in the container cache, and is read again at
 * the exec that makes runc init the container's program.
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
#include <unistd.h>

#include <cmocka.h>

#include "child.h"
#include "state/containers.h"
#include "state/posture.h"

#define UNUSED	 __attribute__((unused))
#define D_LIMITS "4f5e55e7ee50c78fee4b64f01a16e665c3ba7456b5832af004ff0160f007d28a"
#define MS	 1000000ull

static char root[PATH_MAX / 4], proc[PATH_MAX / 2], cg2[PATH_MAX / 2];

static void put(const char *rel, const char *text)
{
	char path[PATH_MAX], dir[PATH_MAX], *slash;
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", root, rel);
	snprintf(dir, sizeof(dir), "%s", path);
	for (slash = strchr(dir + strlen(root) + 1, '/'); slash; slash = strchr(slash + 1, '/')) {
		*slash = '\0';
		mkdir(dir, 0755);
		*slash = '/';
	}
	f = fopen(path, "w");
	assert_non_null(f);
	fputs(text, f);
	fclose(f);
}

static void link_ns(const char *pid, const char *ns, const char *target)
{
	char path[PATH_MAX];

	snprintf(path, sizeof(path), "%s/proc", root);
	mkdir(path, 0755);
	snprintf(path, sizeof(path), "%s/proc/%s", root, pid);
	mkdir(path, 0755);
	snprintf(path, sizeof(path), "%s/proc/%s/ns", root, pid);
	mkdir(path, 0755);
	snprintf(path, sizeof(path), "%s/proc/%s/ns/%s", root, pid, ns);
	unlink(path);
	assert_int_equal(symlink(target, path), 0);
}

#define STATUS(caps, uid, nnp, seccomp)                                               \
	"Name:\tsleep\nUid:\t" uid "\t" uid "\t" uid "\t" uid "\nCapBnd:\t" caps "\n" \
	"NoNewPrivs:\t" nnp "\nSeccomp:\t" seccomp "\nSeccomp_filters:\t1\n"

/* A container's table (Main then Local, each address twice): 172.17.0.6 but loopback. */
#define FIB_TRIE                                                           \
	"Main:\n  +-- 0.0.0.0/0 3 0 5\n     |-- 0.0.0.0\n"                 \
	"        /0 universe UNICAST\n"                                    \
	"           |-- 127.0.0.1\n              /32 host LOCAL\n"         \
	"           |-- 172.17.0.0\n              /16 link UNICAST\n"      \
	"           |-- 172.17.0.6\n              /32 host LOCAL\n"        \
	"        |-- 172.17.255.255\n           /32 link BROADCAST\n"      \
	"Local:\n           |-- 127.0.0.1\n              /32 host LOCAL\n" \
	"           |-- 172.17.0.6\n              /32 host LOCAL\n"

/* pid 1 (the host) and 4242, a container process in /docker/D_LIMITS. */
static int setup(void **state UNUSED)
{
	tu_tmpdir("/tmp/vigil-kposture-XXXXXX", root, sizeof(root));
	snprintf(proc, sizeof(proc), "%s/proc", root);
	snprintf(cg2, sizeof(cg2), "%s/cgroup", root);
	link_ns("1", "net", "net:[4026531840]");
	link_ns("1", "pid", "pid:[4026531836]");
	link_ns("1", "ipc", "ipc:[4026531839]");
	put("proc/4242/comm", "sleep\n");
	put("proc/4242/status", STATUS("00000000a80435fb", "1000", "1", "2"));
	put("proc/4242/attr/apparmor/current", "docker-default (enforce)\n");
	put("proc/4242/uid_map", "         0     100000      65536\n");
	put("proc/4242/cgroup", "0::/docker/" D_LIMITS "\n");
	put("proc/4242/net/fib_trie", FIB_TRIE);
	link_ns("4242", "net", "net:[4026532301]");
	link_ns("4242", "pid", "pid:[4026531836]"); /* --pid host */
	link_ns("4242", "ipc", "ipc:[4026532299]");
	put("sys/module/kernel/parameters/panic", "0\n"); /* a kernel without AppArmor */
	put("cgroup/docker/" D_LIMITS "/memory.max", "67108864\n");
	put("cgroup/docker/" D_LIMITS "/cpu.max", "50000 100000\n");
	put("cgroup/docker/" D_LIMITS "/pids.max", "max\n");
	return 0;
}

static int teardown(void **state UNUSED)
{
	tu_tmpdirs_remove();
	return 0;
}

static void test_read(void **state UNUSED)
{
	struct vgl_kposture k = { 0 };
	const struct vgl_ctr_posture *p = &k.p;

	assert_int_equal(vgl_posture_read(proc, cg2, NULL, 4242, &k), 0);
	assert_true(k.done);
	assert_true(p->cap_effective == 0xa80435fbull); /* the default set + NET_ADMIN */
	assert_true(p->uid == 1000);
	assert_string_equal(p->seccomp, "filter");
	assert_string_equal(p->apparmor, "docker-default");
	assert_null(p->selinux);
	assert_true(p->known & VGL_PST_NNP && p->set & VGL_PST_NNP);
	assert_true(p->known & VGL_PST_HOST_PID && p->set & VGL_PST_HOST_PID);
	assert_true(p->known & VGL_PST_HOST_NET && !(p->set & VGL_PST_HOST_NET));
	assert_true(p->known & VGL_PST_HOST_IPC && !(p->set & VGL_PST_HOST_IPC));
	assert_true(p->known & VGL_PST_USERNS && p->set & VGL_PST_USERNS);
	assert_true(p->memory_limit == 64ll << 20);
	assert_true(p->cpu_limit == 500);
	assert_true((p->known & VGL_PST_PIDS) && p->pids_limit == 0);
	assert_string_equal(p->ip, "172.17.0.6");
	/* no cgroup v2 mount: the limits are the runtime's to say */
	memset(&k, 0, sizeof(k));
	assert_int_equal(vgl_posture_read(proc, "", NULL, 4242, &k), 0);
	assert_false(k.p.known & (VGL_PST_MEMORY | VGL_PST_CPU | VGL_PST_PIDS));
}

/* vigil in its own cgroup namespace reads "0::/../<id>": the limits through its namespace root. */
static void test_limits_relative_path(void **state UNUSED)
{
	struct vgl_kposture k = { 0 };

	put("proc/4246/comm", "sleep\n");
	put("proc/4246/status", STATUS("00000000a80435fb", "1000", "1", "2"));
	put("proc/4246/cgroup", "0::/../" D_LIMITS "\n");
	assert_int_equal(vgl_posture_read(proc, cg2, "/docker/vigil", 4246, &k), 0);
	assert_true((k.p.known & VGL_PST_MEMORY) && k.p.memory_limit == 64ll << 20);
	assert_true((k.p.known & VGL_PST_CPU) && k.p.cpu_limit == 500);
	/* the namespace root not known: no limits rather than another cgroup's */
	memset(&k, 0, sizeof(k));
	assert_int_equal(vgl_posture_read(proc, cg2, NULL, 4246, &k), 0);
	assert_false(k.p.known & (VGL_PST_MEMORY | VGL_PST_CPU | VGL_PST_PIDS));
}

static void test_identity_map_and_unconfined(void **state UNUSED)
{
	struct vgl_kposture k = { 0 };

	put("proc/4243/comm", "sh\n");
	put("proc/4243/status", STATUS("000001ffffffffff", "0", "0", "0"));
	put("proc/4243/uid_map", "         0          0 4294967295\n");
	link_ns("4243", "net", "net:[4026531840]");
	assert_int_equal(vgl_posture_read(proc, cg2, NULL, 4243, &k), 0);
	assert_string_equal(k.p.seccomp, "unconfined");
	assert_false(k.p.set & VGL_PST_USERNS);
	assert_true(k.p.set & VGL_PST_HOST_NET);
	assert_false(k.p.known & VGL_PST_HOST_PID); /* no ns/pid link: unknown */
	/* no AppArmor in this "kernel" (its sys/module has none): none, known */
	assert_string_equal(k.p.apparmor, "");
}

static void test_not_readable(void **state UNUSED)
{
	struct vgl_kposture k = { 0 };

	put("proc/4244/comm", "runc:[2:INIT]\n");
	put("proc/4244/status", STATUS("000001ffffffffff", "0", "0", "0"));
	assert_int_equal(vgl_posture_read(proc, cg2, NULL, 4244, &k), -EAGAIN);
	assert_false(k.done);
	assert_int_equal(vgl_posture_read(proc, cg2, NULL, 4299, &k), -ENOENT);
	put("proc/4245/comm", "app\n");
	put("proc/4245/status", "Name:\tapp\nUid:\t0\t0\t0\t0\n");
	assert_int_equal(vgl_posture_read(proc, cg2, NULL, 4245, &k), -EINVAL);
	assert_false(k.done);
}

static void test_merge(void **state UNUSED)
{
	struct vgl_ctr_posture rt = { .known = VGL_PST_CAPS | VGL_PST_UID | VGL_PST_RO_ROOTFS |
					       VGL_PST_HOST_PID,
				      .set = VGL_PST_RO_ROOTFS,
				      .cap_effective = VGL_CAPS_RUNTIME_DEFAULT,
				      .uid = 0,
				      .user = "",
				      .seccomp = "default",
				      .apparmor = "" };
	struct vgl_kposture k = { 0 };
	struct vgl_ctr_posture out;

	vgl_posture_merge(&rt, &k, &out); /* nothing read: the runtime's */
	assert_true(out.cap_effective == VGL_CAPS_RUNTIME_DEFAULT && out.uid == 0);
	assert_int_equal(vgl_posture_read(proc, cg2, NULL, 4242, &k), 0);
	vgl_posture_merge(&rt, &k, &out);
	assert_true(out.cap_effective == 0xa80435fbull);
	assert_true(out.uid == 1000);
	assert_true(out.set & VGL_PST_RO_ROOTFS); /* only the runtime says */
	assert_true(out.set & VGL_PST_HOST_PID);  /* the kernel's answer wins */
	assert_string_equal(out.user, "");
	assert_string_equal(out.seccomp, "default"); /* a filter: the runtime names it */
	assert_string_equal(out.apparmor, "docker-default");
	rt.seccomp = "unconfined"; /* the runtime says none, the kernel has one */
	vgl_posture_merge(&rt, &k, &out);
	assert_string_equal(out.seccomp, "filter");
}

/* The cache: runc init is not read, the same pid is read once it is the container's program. */
static void test_cache_retries_after_runc_init(void **state UNUSED)
{
	const char *src = getenv("VIGIL_SOURCE_DIR");
	char docker[PATH_MAX], mountinfo[PATH_MAX + 64];
	struct vgl_ctr_cache_opts o = { .proc_root = proc };
	const struct vgl_container_view *v;
	struct vgl_ctr_cache *c;
	uint64_t version;

	snprintf(docker, sizeof(docker), "%s/tests/data/state/docker", src ? src : ".");
	snprintf(mountinfo, sizeof(mountinfo), "30 1 0:26 / %s rw - cgroup2 cgroup2 rw\n", cg2);
	put("proc/self/mountinfo", mountinfo);
	put("proc/4250/comm", "runc:[2:INIT]\n");
	put("proc/4250/status", STATUS("000001ffffffffff", "0", "0", "0"));
	put("proc/4250/cgroup", "0::/docker/" D_LIMITS "\n");
	o.roots.docker = docker;
	c = vgl_ctr_cache_new(&o);
	assert_non_null(c);
	v = vgl_ctr_cache_lookup(c, 0, 4250, 1000 * MS);
	assert_non_null(v);
	/* the runtime's view: --user 1000:1000 --memory 64m, the default capabilities */
	assert_true(v->posture.uid == 1000 && v->posture.cap_effective == VGL_CAPS_RUNTIME_DEFAULT);
	assert_string_equal(v->posture.seccomp, "default");
	version = v->version;
	/* runc init execs the container's program, which drops NET_RAW */
	put("proc/4250/comm", "sleep\n");
	put("proc/4250/status", STATUS("00000000a80405fb", "1000", "1", "2"));
	v = vgl_ctr_cache_lookup(c, 0, 4250, 1001 * MS); /* before the retry delay */
	assert_true(v->version == version);
	/* its exec is the sign: read at once, not after the retry delay */
	vgl_ctr_cache_exec(c, v, 4250, 1002 * MS);
	v = vgl_ctr_cache_lookup(c, 0, 4250, 1002 * MS);
	assert_true(v->version != version);
	assert_true(v->posture.cap_effective == 0xa80405fbull);
	assert_true(v->posture.known & VGL_PST_NNP && v->posture.set & VGL_PST_NNP);
	assert_string_equal(v->posture.seccomp, "default");
	assert_true(v->posture.memory_limit == 64ll << 20); /* the cgroup, the same */
	vgl_ctr_cache_free(c);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_read),
		cmocka_unit_test(test_limits_relative_path),
		cmocka_unit_test(test_identity_map_and_unconfined),
		cmocka_unit_test(test_not_readable),
		cmocka_unit_test(test_merge),
		cmocka_unit_test(test_cache_retries_after_runc_init),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
