// SPDX-License-Identifier: Apache-2.0
/*
 * Credentials: setuid (granted as root, denied afterwards), setresuid,
 * setreuid, setgid, setresgid, setregid, setfsuid, setfsgid and capset. The
 * header carries the ids after the call, the parameters the ids asked for
 * (-1: unchanged) and the ids before it.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <linux/capability.h>
#include <sys/syscall.h>

#include "harness.h"

#define NOBODY 65534

struct cred_ctx {
	long res[2];
	unsigned long long old_eff; /* capset: effective set before */
};

#define CRED_HDR(ev, pid_, comm_, ...) \
	vh_assert_hdr(ev, .pid = (pid_), .ppid = getpid(), .comm = (comm_), __VA_ARGS__)

/*
 * The old ids come from sys_enter: attached to each needed syscall's own
 * tracepoint where tracefs is there (vigil mounts it if it can), to every
 * syscall otherwise; the events from each syscall's own sys_exit tracepoint
 * there too, unless the test runs with --syscall-hook raw. `vigil run -v`
 * says which.
 */
static void assert_enter_hook(const struct vh_run *run)
{
	bool tracefs = access("/sys/kernel/tracing/events/syscalls", F_OK) == 0;
	bool raw = !tracefs || (vh_syscall_hook() && strcmp(vh_syscall_hook(), "raw") == 0);
	char want[160];

	snprintf(want, sizeof(want), "hook: syscalls: %s + %s",
		 raw ? "tp_btf/sys_exit" : "syscalls/sys_exit_<name> tracepoints",
		 tracefs ? "syscalls/sys_enter_<name> tracepoints"
			 : "tp_btf/sys_enter (old ids, arguments)");

	if (!run->err_text || !strstr(run->err_text, want))
		fail_msg("vigil -v: want \"%s\" in its log:\n%s", want,
			 run->err_text ? run->err_text : "");
}

/* --- setuid(65534) as root, then setuid(0) denied -------------------------- */

static void act_setuid(void *arg)
{
	struct cred_ctx *c = arg;

	c->res[0] = syscall(SYS_setuid, NOBODY);
	VH_CHECK(c->res[0] == 0);
	c->res[1] = syscall(SYS_setuid, 0);
	VH_CHECK(c->res[1] == -1 && errno == EPERM);
}

static void test_setuid(void **state)
{
	struct cred_ctx *c = vh_shared(sizeof(*c));
	pid_t pid;
	struct vh_run *run = vh_run_child("setuid", "vgl-setuid", act_setuid, c, &pid);
	json_t *ev;

	(void)state;
	assert_enter_hook(run);
	ev = vh_expect_arg_int(run, "setuid", pid, "uid", NOBODY);
	CRED_HDR(ev, pid, "vgl-setuid", .uid = NOBODY, .euid = NOBODY);
	vh_assert_res(ev, 0);
	vh_assert_arg_int(ev, "old_uid", 0);
	vh_assert_arg_int(ev, "old_euid", 0);

	ev = vh_expect_arg_int(run, "setuid", pid, "uid", 0);
	CRED_HDR(ev, pid, "vgl-setuid", .uid = NOBODY, .euid = NOBODY);
	vh_assert_res(ev, -EPERM);
	vh_assert_arg_int(ev, "old_uid", NOBODY);
	vh_assert_arg_int(ev, "old_euid", NOBODY);
	vh_shared_free(c, sizeof(*c));
}

/* --- setresuid(-1, 65534, -1) and setreuid(65534, -1) ---------------------- */

static void act_setresuid(void *arg)
{
	(void)arg;
	VH_CHECK(syscall(SYS_setresuid, -1, NOBODY, -1) == 0);
}

static void test_setresuid(void **state)
{
	struct cred_ctx *c = vh_shared(sizeof(*c));
	pid_t pid;
	struct vh_run *run = vh_run_child("setresuid", "vgl-setresuid", act_setresuid, c, &pid);
	json_t *ev = vh_expect(run, "setresuid", pid, NULL, NULL);

	(void)state;
	CRED_HDR(ev, pid, "vgl-setresuid", .uid = 0, .euid = NOBODY);
	vh_assert_res(ev, 0);
	vh_assert_arg_int(ev, "ruid", -1);
	vh_assert_arg_int(ev, "euid", NOBODY);
	vh_assert_arg_int(ev, "suid", -1);
	vh_assert_arg_int(ev, "old_uid", 0);
	vh_assert_arg_int(ev, "old_euid", 0);
	vh_assert_arg_int(ev, "old_suid", 0);
	vh_shared_free(c, sizeof(*c));
}

static void act_setreuid(void *arg)
{
	(void)arg;
	VH_CHECK(syscall(SYS_setreuid, NOBODY, -1) == 0);
}

static void test_setreuid(void **state)
{
	struct cred_ctx *c = vh_shared(sizeof(*c));
	pid_t pid;
	struct vh_run *run = vh_run_child("setreuid", "vgl-setreuid", act_setreuid, c, &pid);
	json_t *ev = vh_expect(run, "setreuid", pid, NULL, NULL);

	(void)state;
	CRED_HDR(ev, pid, "vgl-setreuid", .uid = NOBODY, .euid = 0);
	vh_assert_res(ev, 0);
	vh_assert_arg_int(ev, "ruid", NOBODY);
	vh_assert_arg_int(ev, "euid", -1);
	vh_assert_arg_int(ev, "old_uid", 0);
	vh_assert_arg_int(ev, "old_euid", 0);
	vh_shared_free(c, sizeof(*c));
}

/* --- setgid(65534), setresgid(65534, -1, 65534), setregid(-1, 65534) ------- */

static void act_setgid(void *arg)
{
	(void)arg;
	VH_CHECK(syscall(SYS_setgid, NOBODY) == 0);
}

static void test_setgid(void **state)
{
	struct cred_ctx *c = vh_shared(sizeof(*c));
	pid_t pid;
	struct vh_run *run = vh_run_child("setgid", "vgl-setgid", act_setgid, c, &pid);
	json_t *ev = vh_expect(run, "setgid", pid, NULL, NULL);

	(void)state;
	CRED_HDR(ev, pid, "vgl-setgid", .gid = NOBODY, .egid = NOBODY);
	vh_assert_res(ev, 0);
	vh_assert_arg_int(ev, "gid", NOBODY);
	vh_assert_arg_int(ev, "old_gid", 0);
	vh_assert_arg_int(ev, "old_egid", 0);
	vh_shared_free(c, sizeof(*c));
}

static void act_setresgid(void *arg)
{
	(void)arg;
	VH_CHECK(syscall(SYS_setresgid, NOBODY, -1, NOBODY) == 0);
}

static void test_setresgid(void **state)
{
	struct cred_ctx *c = vh_shared(sizeof(*c));
	pid_t pid;
	struct vh_run *run = vh_run_child("setresgid", "vgl-setresgid", act_setresgid, c, &pid);
	json_t *ev = vh_expect(run, "setresgid", pid, NULL, NULL);

	(void)state;
	CRED_HDR(ev, pid, "vgl-setresgid", .gid = NOBODY, .egid = 0);
	vh_assert_res(ev, 0);
	vh_assert_arg_int(ev, "rgid", NOBODY);
	vh_assert_arg_int(ev, "egid", -1);
	vh_assert_arg_int(ev, "sgid", NOBODY);
	vh_assert_arg_int(ev, "old_gid", 0);
	vh_assert_arg_int(ev, "old_egid", 0);
	vh_assert_arg_int(ev, "old_sgid", 0);
	vh_shared_free(c, sizeof(*c));
}

static void act_setregid(void *arg)
{
	(void)arg;
	VH_CHECK(syscall(SYS_setregid, -1, NOBODY) == 0);
}

static void test_setregid(void **state)
{
	struct cred_ctx *c = vh_shared(sizeof(*c));
	pid_t pid;
	struct vh_run *run = vh_run_child("setregid", "vgl-setregid", act_setregid, c, &pid);
	json_t *ev = vh_expect(run, "setregid", pid, NULL, NULL);

	(void)state;
	CRED_HDR(ev, pid, "vgl-setregid", .gid = 0, .egid = NOBODY);
	vh_assert_res(ev, 0);
	vh_assert_arg_int(ev, "rgid", -1);
	vh_assert_arg_int(ev, "egid", NOBODY);
	vh_assert_arg_int(ev, "old_gid", 0);
	vh_assert_arg_int(ev, "old_egid", 0);
	vh_shared_free(c, sizeof(*c));
}

/* --- setfsuid(65534) and setfsgid(65534): both return the old fs id -------- */

static void act_setfs(void *arg)
{
	struct cred_ctx *c = arg;

	c->res[0] = syscall(SYS_setfsuid, NOBODY);
	VH_CHECK(c->res[0] == 0);
	c->res[1] = syscall(SYS_setfsgid, NOBODY);
	VH_CHECK(c->res[1] == 0);
}

static void test_setfsuid_setfsgid(void **state)
{
	struct cred_ctx *c = vh_shared(sizeof(*c));
	pid_t pid;
	struct vh_run *run = vh_run_child("setfsuid,setfsgid", "vgl-setfs", act_setfs, c, &pid);
	json_t *ev;

	(void)state;
	ev = vh_expect(run, "setfsuid", pid, NULL, NULL);
	CRED_HDR(ev, pid, "vgl-setfs", .uid = 0);
	vh_assert_res(ev, 0);
	vh_assert_arg_int(ev, "uid", NOBODY);
	vh_assert_arg_int(ev, "old_fsuid", 0);

	ev = vh_expect(run, "setfsgid", pid, NULL, NULL);
	CRED_HDR(ev, pid, "vgl-setfs", .uid = 0);
	vh_assert_res(ev, 0);
	vh_assert_arg_int(ev, "gid", NOBODY);
	vh_assert_arg_int(ev, "old_fsgid", 0);
	vh_shared_free(c, sizeof(*c));
}

/*
 * --- capset: drop CAP_NET_RAW from the effective set (res[0]), then from the
 * permitted set, then try to raise it again (res[1], EPERM).
 */

#define CAP_BIT(c) (1ULL << (c))

static void act_capset(void *arg)
{
	struct cred_ctx *c = arg;
	struct __user_cap_header_struct h = { .version = _LINUX_CAPABILITY_VERSION_3 };
	struct __user_cap_data_struct d[2];

	VH_CHECK(syscall(SYS_capget, &h, d) == 0);
	c->old_eff = d[0].effective | (unsigned long long)d[1].effective << 32;
	VH_CHECK(c->old_eff & CAP_BIT(CAP_NET_RAW));
	d[0].effective &= ~(__u32)CAP_BIT(CAP_NET_RAW);
	c->res[0] = syscall(SYS_capset, &h, d);
	VH_CHECK(c->res[0] == 0);
	d[0].permitted &= ~(__u32)CAP_BIT(CAP_NET_RAW);
	VH_CHECK(syscall(SYS_capset, &h, d) == 0);
	d[0].effective |= (__u32)CAP_BIT(CAP_NET_RAW);
	c->res[1] = syscall(SYS_capset, &h, d);
	VH_CHECK(c->res[1] == -1 && errno == EPERM);
}

/* The first capset: it still had CAP_NET_RAW in its permitted set after it. */
static bool first_capset(const json_t *ev, const void *arg)
{
	const char *p =
		json_string_value(json_object_get(json_object_get(ev, "args"), "cap_permitted"));

	(void)arg;
	return json_integer_value(json_object_get(ev, "res")) == 0 && p && strstr(p, "CAP_NET_RAW");
}

static size_t count_names(const char *set)
{
	size_t n = 1;

	for (; *set; set++)
		n += *set == '|';
	return n;
}

static void test_capset(void **state)
{
	struct cred_ctx *c = vh_shared(sizeof(*c));
	pid_t pid;
	struct vh_run *run;
	long long denied = -EPERM;
	const char *eff, *old;
	char copy[1024], *tok, *save = NULL;
	json_t *ev;

	(void)state;
	run = vh_run_child("capset", "vgl-capset", act_capset, c, &pid);
	ev = vh_expect(run, "capset", pid, first_capset, NULL);
	CRED_HDR(ev, pid, "vgl-capset", .uid = 0);
	vh_assert_res(ev, 0);
	vh_assert_arg_has_flag(ev, "old_cap_effective", "CAP_NET_RAW", true);
	vh_assert_arg_has_flag(ev, "cap_effective", "CAP_NET_RAW", false);
	vh_assert_arg_has_flag(ev, "cap_permitted", "CAP_NET_RAW", true);
	vh_assert_arg_flags(ev, "cap_inheritable", "0");
	vh_assert_arg_flags(ev, "old_cap_inheritable", "0");
	old = json_string_value(json_object_get(json_object_get(ev, "args"), "old_cap_effective"));
	eff = json_string_value(json_object_get(json_object_get(ev, "args"), "cap_effective"));
	assert_non_null(old);
	assert_non_null(eff);
	/* Every capability before the call, and only those, minus CAP_NET_RAW. */
	assert_int_equal(count_names(old), __builtin_popcountll(c->old_eff));
	assert_int_equal(count_names(eff), count_names(old) - 1);
	snprintf(copy, sizeof(copy), "%s", eff);
	for (tok = strtok_r(copy, "|", &save); tok; tok = strtok_r(NULL, "|", &save))
		vh_assert_arg_has_flag(ev, "old_cap_effective", tok, true);
	/* The permitted set did not change. */
	vh_assert_arg_flags(ev, "cap_permitted",
			    json_string_value(json_object_get(json_object_get(ev, "args"),
							      "old_cap_permitted")));

	ev = vh_expect(run, "capset", pid, vh_pred_res_eq, &denied);
	CRED_HDR(ev, pid, "vgl-capset", .uid = 0);
	vh_assert_res(ev, -EPERM);
	vh_assert_arg_has_flag(ev, "old_cap_permitted", "CAP_NET_RAW", false);
	vh_shared_free(c, sizeof(*c));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		vh_test(test_setuid),
		vh_test(test_setresuid),
		vh_test(test_setreuid),
		vh_test(test_setgid),
		vh_test(test_setresgid),
		vh_test(test_setregid),
		vh_test(test_setfsuid_setfsgid),
		vh_test(test_capset),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
