// SPDX-License-Identifier: Apache-2.0
/*
 * Process table: ancestry across synthetic fork/exec chains, processes that
 * existed before the table (the test's own parent, from /proc), repair after a
 * missing fork, exit grace period, LRU eviction, argv limit.
 */
#include <errno.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>

#include "state/proctable.h"

#define UNUSED __attribute__((unused))
#define SEC    1000000000ull

/* Synthetic pids well above this VM's pid_max: /proc never has them. */
#define P_INIT	5000001u
#define P_SHELL 5000002u
#define P_CHILD 5000003u
#define P_GRAND 5000004u

static struct vgl_event mkev(enum vgl_kind kind, uint32_t pid, uint32_t ppid, uint64_t ts,
			     const char *comm)
{
	struct vgl_event ev;
	unsigned int i;

	memset(&ev, 0, sizeof(ev));
	ev.kind = kind;
	ev.info = &vgl_kind_info[kind];
	ev.nparams = ev.info->nparams;
	for (i = 0; i < ev.nparams; i++) /* absent until set_*() */
		ev.params[i] = (struct vgl_param){ .info = &ev.info->params[i], .absent = true };
	ev.hdr.kind = (uint16_t)kind;
	ev.hdr.pid = ev.hdr.tid = pid;
	ev.hdr.ppid = ppid;
	ev.hdr.ts = ts;
	snprintf(ev.hdr.comm, sizeof(ev.hdr.comm), "%s", comm);
	return ev;
}

static void set_num(struct vgl_event *ev, const char *name, int64_t v)
{
	int i = vgl_param_index(ev->kind, name);

	assert_true(i >= 0);
	ev->params[i].num.i = v;
	ev->params[i].absent = false;
}

static void set_str(struct vgl_event *ev, const char *name, const char *s, size_t len)
{
	int i = vgl_param_index(ev->kind, name);

	assert_true(i >= 0);
	ev->params[i].str = s;
	ev->params[i].len = len;
	ev->params[i].absent = false;
}

/* A fork by @parent; @comm: the name the parent has now ("": not known). */
static void do_fork_as(struct vgl_proctable *pt, uint32_t parent, uint32_t child, uint64_t ts,
		       const char *comm)
{
	struct vgl_event ev = mkev(VGL_EV_CLONE, parent, 1, ts, comm);

	ev.hdr.res = child;
	set_num(&ev, "child_pid", child);
	set_num(&ev, "child_tid", child);
	vgl_proctable_begin(pt, ts);
	vgl_proctable_update(pt, &ev);
}

static void do_fork(struct vgl_proctable *pt, uint32_t parent, uint32_t child, uint64_t ts)
{
	do_fork_as(pt, parent, child, ts, "");
}

/* argv given as "a\0b\0c" with its length (without the final NUL). */
static void do_exec(struct vgl_proctable *pt, uint32_t pid, uint32_t ppid, uint64_t ts,
		    const char *comm, const char *path, const char *argv, size_t argv_len)
{
	struct vgl_event ev = mkev(VGL_EV_EXECVE, pid, ppid, ts, comm);

	set_str(&ev, "filename", path, strlen(path));
	set_str(&ev, "args", argv, argv_len);
	set_str(&ev, "exe", path, strlen(path));
	set_str(&ev, "cwd", "/root", 5);
	vgl_proctable_begin(pt, ts);
	vgl_proctable_update(pt, &ev);
}

static void do_exit(struct vgl_proctable *pt, uint32_t pid, uint64_t ts)
{
	struct vgl_event ev = mkev(VGL_EV_PROCEXIT, pid, 1, ts, "x");

	vgl_proctable_begin(pt, ts);
	vgl_proctable_update(pt, &ev);
}

static char self_exe[4096], self_comm[32];

static int setup(void **state UNUSED)
{
	FILE *f = fopen("/proc/self/comm", "r");
	ssize_t n = readlink("/proc/self/exe", self_exe, sizeof(self_exe) - 1);

	if (!f || n <= 0 || !fgets(self_comm, sizeof(self_comm), f))
		return -1;
	fclose(f);
	self_exe[n] = '\0';
	self_comm[strcspn(self_comm, "\n")] = '\0';
	return 0;
}

static struct vgl_proctable *table(size_t max)
{
	struct vgl_proctable_opts o = {
		.proc_root = "/proc", .max_procs = max, .args_max = 32, .grace_ns = 2 * SEC
	};
	struct vgl_proctable *pt = vgl_proctable_new(&o);

	assert_non_null(pt);
	return pt;
}

/* init -> bash -> (fork) bash -> exec ls ; ancestry walks ppid links. */
static void test_fork_exec_chain(void **state UNUSED)
{
	struct vgl_proctable *pt = table(0);
	const struct vgl_proc_view *v, *p, *gp;
	struct vgl_proctable_stats s;

	do_exec(pt, P_INIT, 0, 1, "init", "/sbin/init", "/sbin/init", 10);
	do_fork(pt, P_INIT, P_SHELL, 2);
	do_exec(pt, P_SHELL, P_INIT, 3, "bash", "/usr/bin/bash", "-bash\0-l", 8);
	do_fork(pt, P_SHELL, P_CHILD, 4);
	/* the forked child inherits the parent's image */
	v = vgl_proctable_get(pt, P_CHILD, false);
	assert_non_null(v);
	assert_int_equal(v->ppid, P_SHELL);
	assert_string_equal(v->name, "bash");
	assert_string_equal(v->exepath, "/usr/bin/bash");
	assert_string_equal(v->exe, "-bash");
	assert_int_equal(v->args_len, 2);
	assert_memory_equal(v->args, "-l", 3);
	assert_true(v->start_ts == 4);
	assert_int_equal(v->vpid, 0); /* the chain's vpids are unknown */
	do_exec(pt, P_CHILD, P_SHELL, 5, "ls", "/usr/bin/ls", "ls\0-la\0/tmp", 11);
	v = vgl_proctable_get(pt, P_CHILD, false);
	assert_string_equal(v->name, "ls");
	assert_string_equal(v->exe, "ls");
	assert_string_equal(v->exepath, "/usr/bin/ls");
	assert_int_equal(v->args_len, 8);
	assert_memory_equal(v->args, "-la\0/tmp", 9);
	assert_string_equal(v->cwd, "/root");
	assert_false(v->caps_known);
	/* the parent kept its own image; walk up */
	p = vgl_proctable_get(pt, v->ppid, false);
	assert_string_equal(p->name, "bash");
	gp = vgl_proctable_get(pt, p->ppid, false);
	assert_string_equal(gp->exepath, "/sbin/init");
	assert_int_equal(gp->ppid, 0);
	/* all views of one event stay valid together */
	assert_string_equal(v->name, "ls");
	vgl_proctable_stats(pt, &s);
	assert_int_equal(s.forks, 2);
	assert_int_equal(s.execs, 3);
	assert_int_equal(s.entries, 3);
	assert_int_equal(s.repairs, 0);
	vgl_proctable_free(pt);
}

/* A process renamed (PR_SET_NAME) then forking: its fork carries the new name,
 * which the parent takes and the child inherits (the child's proc.pname). */
static void test_rename_then_fork(void **state UNUSED)
{
	struct vgl_proctable *pt = table(0);
	const struct vgl_proc_view *v;

	do_exec(pt, P_SHELL, P_INIT, 1, "python3", "/usr/bin/python3", "python3", 7);
	do_fork_as(pt, P_SHELL, P_CHILD, 2, "renamed");
	assert_string_equal(vgl_proctable_get(pt, P_SHELL, false)->name, "renamed");
	v = vgl_proctable_get(pt, P_CHILD, false);
	assert_string_equal(v->name, "renamed");
	do_exec(pt, P_CHILD, P_SHELL, 3, "true", "/usr/bin/true", "true", 4);
	v = vgl_proctable_get(pt, P_CHILD, false);
	assert_string_equal(vgl_proctable_get(pt, v->ppid, false)->name, "renamed");
	vgl_proctable_free(pt);
}

/* Equal strings of different processes are stored once. */
static void test_strings_shared(void **state UNUSED)
{
	struct vgl_proctable *pt = table(0);
	const struct vgl_proc_view *a, *b;

	do_exec(pt, P_SHELL, 1, 1, "sleep", "/usr/bin/sleep",
		"sleep\0"
		"60",
		8);
	do_exec(pt, P_CHILD, 1, 2, "sleep", "/usr/bin/sleep",
		"sleep\0"
		"60",
		8);
	a = vgl_proctable_get(pt, P_SHELL, false);
	b = vgl_proctable_get(pt, P_CHILD, false);
	assert_ptr_equal(a->exepath, b->exepath);
	assert_ptr_equal(a->args, b->args);
	assert_ptr_equal(a->cwd, b->cwd);
	vgl_proctable_free(pt);
	/* freeing the table released every reference (the sanitizer build checks) */
}

static void test_failed_exec_keeps_image(void **state UNUSED)
{
	struct vgl_proctable *pt = table(0);
	struct vgl_event ev;

	do_exec(pt, P_SHELL, 1, 1, "sh", "/bin/sh", "sh", 2);
	ev = mkev(VGL_EV_EXECVE, P_SHELL, 1, 2, "sh");
	ev.hdr.res = -ENOENT;
	set_str(&ev, "filename", "/nope", 5);
	vgl_proctable_begin(pt, 2);
	vgl_proctable_update(pt, &ev);
	assert_string_equal(vgl_proctable_get(pt, P_SHELL, false)->exepath, "/bin/sh");
	vgl_proctable_free(pt);
}

static void test_argv_limit(void **state UNUSED)
{
	struct vgl_proctable *pt = table(0);
	char argv[200];
	const struct vgl_proc_view *v;

	memset(argv, 'a', sizeof(argv));
	argv[4] = '\0';
	do_exec(pt, P_SHELL, 1, 1, "aaaa", "/bin/aaaa", argv, sizeof(argv));
	v = vgl_proctable_get(pt, P_SHELL, false);
	assert_string_equal(v->exe, "aaaa");
	assert_int_equal(v->args_len, 32); /* args_max */
	vgl_proctable_free(pt);
}

static void test_exit_grace(void **state UNUSED)
{
	struct vgl_proctable *pt = table(0);
	struct vgl_proctable_stats s;

	do_exec(pt, P_SHELL, 1, 1 * SEC, "sh", "/bin/sh", "sh", 2);
	do_exit(pt, P_SHELL, 2 * SEC);
	/* late events of the dead process still resolve during the grace period */
	vgl_proctable_begin(pt, 3 * SEC);
	assert_non_null(vgl_proctable_get(pt, P_SHELL, false));
	vgl_proctable_begin(pt, 4 * SEC);
	assert_null(vgl_proctable_get(pt, P_SHELL, false));
	vgl_proctable_stats(pt, &s);
	assert_int_equal(s.exits, 1);
	assert_int_equal(s.reaped, 1);
	assert_int_equal(s.entries, 0);
	vgl_proctable_free(pt);
}

static void test_pid_reuse_after_exit(void **state UNUSED)
{
	struct vgl_proctable *pt = table(0);

	do_exec(pt, P_INIT, 0, 1, "init", "/sbin/init", "init", 4);
	do_exec(pt, P_SHELL, P_INIT, 1, "old", "/bin/old", "old", 3);
	do_exit(pt, P_SHELL, 2);
	do_fork(pt, P_INIT, P_SHELL, 3); /* same pid, new process */
	assert_string_equal(vgl_proctable_get(pt, P_SHELL, false)->name, "init");
	vgl_proctable_begin(pt, 10 * SEC); /* the old exit must not reap the new one */
	assert_non_null(vgl_proctable_get(pt, P_SHELL, false));
	vgl_proctable_free(pt);
}

static void test_lru_eviction(void **state UNUSED)
{
	struct vgl_proctable *pt = table(64);
	const struct vgl_proc_view *keep;
	struct vgl_proctable_stats s;
	uint32_t i;

	do_exec(pt, P_INIT, 0, 1, "init", "/sbin/init", "init", 4);
	for (i = 0; i < 100; i++) {
		do_fork(pt, P_INIT, 6000000 + i, 2 + i); /* each fork touches P_INIT */
	}
	vgl_proctable_stats(pt, &s);
	assert_int_equal(s.entries, 64);
	assert_int_equal(s.evictions, 101 - 64);
	assert_non_null(vgl_proctable_get(pt, P_INIT, false)); /* recently used: kept */
	assert_null(vgl_proctable_get(pt, 6000000, false));    /* oldest: gone */
	assert_non_null(vgl_proctable_get(pt, 6000099, false));
	/* a view returned during this event survives inserts that follow in it */
	vgl_proctable_begin(pt, 1000);
	keep = vgl_proctable_get(pt, 6000040, false);
	assert_non_null(keep);
	for (i = 0; i < 200; i++) {
		struct vgl_event ev = mkev(VGL_EV_CLONE, P_INIT, 1, 1000, "init");

		ev.hdr.res = 7000000 + i;
		set_num(&ev, "child_pid", 7000000 + i);
		vgl_proctable_update(pt, &ev); /* no begin(): all in one event */
	}
	assert_int_equal(keep->pid, 6000040);
	assert_non_null(vgl_proctable_get(pt, 6000040, false));
	vgl_proctable_free(pt);
}

/* Processes started before the table: the test's parent, read from /proc by a scan. */
static void test_scan_existing(void **state UNUSED)
{
	struct vgl_proctable *pt = table(65536);
	const struct vgl_proc_view *me, *parent;
	char comm[64] = "";
	FILE *f;
	int n = vgl_proctable_scan(pt);

	assert_true(n > 1);
	me = vgl_proctable_get(pt, (uint32_t)getpid(), false);
	assert_non_null(me);
	assert_int_equal(me->ppid, (uint32_t)getppid());
	assert_string_equal(me->name, self_comm);
	assert_string_equal(me->exepath, self_exe);
	assert_true(me->caps_known);
	assert_true(me->start_ts > 0);
	parent = vgl_proctable_get(pt, me->ppid, false);
	assert_non_null(parent);
	f = fopen("/proc/self/stat", "r");
	assert_non_null(f);
	fclose(f);
	snprintf(comm, sizeof(comm), "/proc/%d/comm", getppid());
	f = fopen(comm, "r");
	assert_non_null(f);
	assert_non_null(fgets(comm, sizeof(comm), f));
	fclose(f);
	comm[strcspn(comm, "\n")] = '\0';
	assert_string_equal(parent->name, comm);
	vgl_proctable_free(pt);
}

/* A real child whose fork the table never saw: its first event repairs it from /proc. */
static void test_repair_missing_fork(void **state UNUSED)
{
	struct vgl_proctable *pt = table(0);
	const struct vgl_proc_view *v;
	struct vgl_proctable_stats s;
	struct vgl_event ev;
	int pipefd[2];
	pid_t child;
	char c;

	assert_int_equal(pipe(pipefd), 0);
	child = fork();
	assert_true(child >= 0);
	if (child == 0) {
		close(pipefd[1]);
		(void)!read(pipefd[0], &c, 1); /* until the parent is done */
		_exit(0);
	}
	ev = mkev(VGL_EV_OPENAT, (uint32_t)child, (uint32_t)getpid(), 1, "test_state_proc");
	vgl_proctable_begin(pt, 1);
	vgl_proctable_update(pt, &ev);
	v = vgl_proctable_get(pt, (uint32_t)child, false);
	assert_non_null(v);
	assert_int_equal(v->ppid, (uint32_t)getpid());
	assert_string_equal(v->exepath, self_exe);
	/* the ancestor chain is repaired on demand too */
	assert_non_null(vgl_proctable_get(pt, (uint32_t)getpid(), true));
	vgl_proctable_stats(pt, &s);
	assert_int_equal(s.repairs, 2);
	/* a pid /proc does not have fails once, then is not retried at once */
	assert_null(vgl_proctable_get(pt, P_GRAND, true));
	assert_null(vgl_proctable_get(pt, P_GRAND, true));
	vgl_proctable_stats(pt, &s);
	assert_int_equal(s.repair_failures, 1);
	close(pipefd[1]);
	close(pipefd[0]);
	waitpid(child, NULL, 0);
	vgl_proctable_free(pt);
}

/* A fork from a scanned host process is in the host pid namespace; CLONE_NEWPID makes pid 1. */
static void test_child_vpid(void **state UNUSED)
{
	struct vgl_proctable *pt = table(0);
	uint32_t me = (uint32_t)getpid();
	struct vgl_event ev;

	assert_non_null(vgl_proctable_get(pt, me, true));
	do_fork(pt, me, P_CHILD, 1);
	assert_int_equal(vgl_proctable_get(pt, P_CHILD, false)->vpid, P_CHILD);
	ev = mkev(VGL_EV_CLONE, me, 1, 2, "x");
	ev.hdr.res = P_GRAND;
	set_num(&ev, "child_pid", P_GRAND);
	set_num(&ev, "flags", 0x20000000 | SIGCHLD);
	vgl_proctable_begin(pt, 2);
	vgl_proctable_update(pt, &ev);
	assert_int_equal(vgl_proctable_get(pt, P_GRAND, false)->vpid, 1);
	/* the kernel's answer (wire format 2): a child inside that namespace */
	ev = mkev(VGL_EV_CLONE, P_GRAND, me, 3, "x");
	ev.hdr.res = P_CHILD + 7;
	set_num(&ev, "child_pid", P_CHILD + 7);
	set_num(&ev, "child_vpid", 7);
	vgl_proctable_begin(pt, 3);
	vgl_proctable_update(pt, &ev);
	assert_int_equal(vgl_proctable_get(pt, P_CHILD + 7, false)->vpid, 7);
	vgl_proctable_free(pt);
}

static void test_capset(void **state UNUSED)
{
	struct vgl_proctable *pt = table(0);
	const struct vgl_proc_view *v;
	struct vgl_event ev;

	do_exec(pt, P_SHELL, 1, 1, "sh", "/bin/sh", "sh", 2);
	ev = mkev(VGL_EV_CAPSET, P_SHELL, 1, 2, "sh");
	set_num(&ev, "cap_effective", 0x3);
	set_num(&ev, "cap_permitted", 0x7);
	set_num(&ev, "cap_inheritable", 0);
	vgl_proctable_begin(pt, 2);
	vgl_proctable_update(pt, &ev);
	v = vgl_proctable_get(pt, P_SHELL, false);
	assert_true(v->caps_known);
	assert_true(v->cap_effective == 0x3 && v->cap_permitted == 0x7);
	vgl_proctable_free(pt);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_fork_exec_chain),
		cmocka_unit_test(test_rename_then_fork),
		cmocka_unit_test(test_strings_shared),
		cmocka_unit_test(test_failed_exec_keeps_image),
		cmocka_unit_test(test_argv_limit),
		cmocka_unit_test(test_exit_grace),
		cmocka_unit_test(test_pid_reuse_after_exit),
		cmocka_unit_test(test_lru_eviction),
		cmocka_unit_test(test_scan_existing),
		cmocka_unit_test(test_repair_missing_fork),
		cmocka_unit_test(test_child_vpid),
		cmocka_unit_test(test_capset),
	};

	return cmocka_run_group_tests(tests, setup, NULL);
}
