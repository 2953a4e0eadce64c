// SPDX-License-Identifier: Apache-2.0
/*
 * The common header of every event, with values that tell the fields apart:
 * a thread's tid, distinct real and effective ids, a non-root cgroup, a set
 * loginuid, and new mount and pid namespaces. Each child opens /etc/hostname
 * once and the header of that openat is checked.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <pthread.h>
#include <sched.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>

#include "harness.h"

#define TARGET "/etc/hostname"

struct hdr_ctx {
	long fd;
	long tid;	 /* thread that opened */
	long pid;	 /* process that opened, when not the child itself */
	long long mntns; /* namespaces of the process that opened */
	long long pidns;
	char cgroup[PATH_MAX];
};

static void open_target(struct hdr_ctx *c)
{
	c->fd = syscall(SYS_openat, AT_FDCWD, TARGET, O_RDONLY);
	VH_CHECK(c->fd >= 0);
}

static json_t *expect_open(const struct vh_run *run, pid_t pid)
{
	json_t *ev = vh_expect_arg_str(run, "openat", pid, "name", TARGET);

	vh_assert_arg_str(ev, "path", TARGET);
	return ev;
}

/* --- an open from a second thread: pid is the process, tid the thread ----- */

static void *thread_open(void *arg)
{
	struct hdr_ctx *c = arg;

	c->tid = syscall(SYS_gettid);
	open_target(c);
	return NULL;
}

static void act_thread(void *arg)
{
	pthread_t t;

	VH_CHECK(pthread_create(&t, NULL, thread_open, arg) == 0);
	VH_CHECK(pthread_join(t, NULL) == 0);
}

static void test_thread_tid(void **state)
{
	struct vh_run *run = vh_start("openat");
	struct hdr_ctx *c = vh_shared(sizeof(*c));
	pid_t pid = vh_spawn("vgl-hdr-thread", act_thread, c, NULL);
	json_t *ev;

	(void)state;
	vh_stop(run);
	assert_true(c->tid != pid);
	ev = expect_open(run, pid);
	vh_assert_hdr(ev, .pid = pid, .tid = c->tid, .ppid = getpid(), .comm = "vgl-hdr-thread");
	vh_assert_res(ev, c->fd);
	vh_shared_free(c, sizeof(*c));
}

/* --- uid 201/euid 202, gid 101/egid 102: each header field its own value -- */

static void act_ids(void *arg)
{
	VH_CHECK(syscall(SYS_setresgid, 101, 102, 103) == 0);
	VH_CHECK(syscall(SYS_setresuid, 201, 202, 203) == 0);
	open_target(arg);
}

static void test_ids(void **state)
{
	struct vh_run *run = vh_start("openat");
	struct hdr_ctx *c = vh_shared(sizeof(*c));
	pid_t pid = vh_spawn("vgl-hdr-ids", act_ids, c, NULL);
	json_t *ev;

	(void)state;
	vh_stop(run);
	ev = expect_open(run, pid);
	vh_assert_hdr(ev, .pid = pid, .ppid = getpid(), .comm = "vgl-hdr-ids", .uid = 201,
		      .euid = 202, .gid = 101, .egid = 102);
	vh_assert_res(ev, c->fd);
	vh_shared_free(c, sizeof(*c));
}

/* --- a set audit login uid ----------------------------------------------- */

static void act_loginuid(void *arg)
{
	int fd = open("/proc/self/loginuid", O_WRONLY);

	VH_CHECK(fd >= 0);
	VH_CHECK(write(fd, "4242", 4) == 4);
	close(fd);
	open_target(arg);
}

static void test_loginuid(void **state)
{
	struct vh_run *run;
	struct hdr_ctx *c;
	pid_t pid;
	json_t *ev;

	(void)state;
	if (access("/proc/self/loginuid", F_OK) < 0)
		tu_skip_or_fail("this kernel has no audit login uid (/proc/self/loginuid: %s)",
				strerror(errno));
	run = vh_start("openat");
	c = vh_shared(sizeof(*c));
	pid = vh_spawn("vgl-hdr-login", act_loginuid, c, NULL);
	vh_stop(run);
	ev = expect_open(run, pid);
	vh_assert_hdr(ev, .pid = pid, .ppid = getpid(), .comm = "vgl-hdr-login", .loginuid = 4242,
		      .loginuid_given = true);
	vh_shared_free(c, sizeof(*c));
}

/* --- a child cgroup: cgroup_id is its cgroup v2 id (the directory inode) --- */

static void act_cgroup(void *arg)
{
	struct hdr_ctx *c = arg;
	int fd = open(tu_join(c->cgroup, "cgroup.procs"), O_WRONLY);

	VH_CHECK(fd >= 0);
	VH_CHECK(write(fd, "0", 1) == 1);
	close(fd);
	open_target(c);
}

/*
 * Where the cgroup2 hierarchy is mounted; on a cgroup v1 host (this CI's
 * machines) where nothing mounted it, a mount of our own in @own (which the
 * caller unmounts): the BPF side reads the v2 id whatever is mounted.
 */
static void cgroup2_dir(char *mnt, size_t size, char *own, size_t own_size)
{
	own[0] = '\0';
	if (vh_cgroup2_mount(mnt, size))
		return;
	snprintf(own, own_size, "/tmp/vigil-cgroup2-XXXXXX");
	if (!mkdtemp(own) || mount("cgroup2", own, "cgroup2", 0, NULL)) {
		int err = errno;

		if (own[0] != '/' || rmdir(own))
			own[0] = '\0';
		tu_skip_or_fail("cgroup v2 is not mounted, and mounting it failed: %s",
				strerror(err));
	}
	snprintf(mnt, size, "%s", own);
}

static void test_cgroup_id(void **state)
{
	struct vh_run *run;
	struct hdr_ctx *c;
	char mnt[PATH_MAX], own[64];
	struct stat st;
	pid_t pid;
	json_t *ev;

	(void)state;
	vh_require_root();
	cgroup2_dir(mnt, sizeof(mnt), own, sizeof(own));
	c = vh_shared(sizeof(*c));
	snprintf(c->cgroup, sizeof(c->cgroup), "%.3000s/vigil-test-%d", mnt, (int)getpid());
	assert_int_equal(mkdir(c->cgroup, 0755), 0);
	assert_int_equal(stat(c->cgroup, &st), 0);
	run = vh_start("openat");
	pid = vh_spawn("vgl-hdr-cgroup", act_cgroup, c, NULL);
	vh_stop(run);
	rmdir(c->cgroup); /* the child is gone: the cgroup is empty */
	ev = expect_open(run, pid);
	vh_assert_hdr(ev, .pid = pid, .ppid = getpid(), .comm = "vgl-hdr-cgroup",
		      .cgroup_id = (long long)st.st_ino);
	vh_shared_free(c, sizeof(*c));
	if (own[0] && !umount2(own, MNT_DETACH))
		rmdir(own);
}

/*
 * --- new mount and pid namespaces: the child unshares both and forks; the
 * grandchild (pid 1 of the new pid namespace) opens.
 */

static long long own_ns(const char *ns)
{
	struct stat st;

	VH_CHECK(stat(tu_join("/proc/self/ns", ns), &st) == 0);
	return (long long)st.st_ino;
}

static void act_namespaces(void *arg)
{
	struct hdr_ctx *c = arg;
	int status;
	pid_t pid;

	VH_CHECK(unshare(CLONE_NEWNS | CLONE_NEWPID) == 0);
	pid = fork();
	VH_CHECK(pid >= 0);
	if (pid == 0) {
		c->mntns = own_ns("mnt");
		c->pidns = own_ns("pid");
		open_target(c);
		_exit(0);
	}
	c->pid = pid;
	VH_CHECK(waitpid(pid, &status, 0) == pid && WIFEXITED(status) && WEXITSTATUS(status) == 0);
}

static void test_namespaces(void **state)
{
	struct vh_run *run = vh_start("openat");
	struct hdr_ctx *c = vh_shared(sizeof(*c));
	pid_t pid = vh_spawn("vgl-hdr-ns", act_namespaces, c, NULL);
	json_t *ev;

	(void)state;
	vh_stop(run);
	/* pid and ppid as the host sees them: vigil runs in the initial namespaces */
	ev = expect_open(run, (pid_t)c->pid);
	vh_assert_hdr(ev, .pid = (pid_t)c->pid, .ppid = pid, .comm = "vgl-hdr-ns",
		      .other_mntns = true, .other_pidns = true);
	vh_assert_int(ev, "mntns", c->mntns);
	vh_assert_int(ev, "pidns", c->pidns);
	vh_shared_free(c, sizeof(*c));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		vh_test(test_thread_tid), vh_test(test_ids),	    vh_test(test_loginuid),
		vh_test(test_cgroup_id),  vh_test(test_namespaces),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
