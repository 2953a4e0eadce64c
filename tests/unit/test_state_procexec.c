// SPDX-License-Identifier: Apache-2.0
/*
 * What an exec event carries of the new image (VGL_EXEC_P: tty, session,
 * capabilities, exe inode, times, layer, memfd, environment) reaches the
 * rule fields of a process that is already gone when its events are
 * evaluated: synthetic records through the real pipeline and state tracker
 * over a fixture /proc (test_capture_procfix.h: 108 is a process in a
 * Docker container; the exec'ing children are not in it). Falco's stock
 * rules that read these fields must fire: Terminal shell in container,
 * Drop and execute new binary in container, Fileless execution via
 * memfd_create, Detect release_agent File Container Escapes.
 */
#include <errno.h>
#include <limits.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "test_state_util.h"
#include "testutil.h"
/* after test_rules_util.h (in test_state_util.h): its globals would shadow locals there */
#include "test_capture_procfix.h"

#define UNUSED		  __attribute__((unused))

#define CTR		  108  /* the fixture's process in a Docker container */
#define CTR_CG		  7008 /* its cgroup id, as the events carry it */
#define SH		  600  /* children of CTR, gone (not in the fixture /proc) */
#define DROP		  601
#define MEMFD		  602
#define OLD		  603

#define CAP_ALL_ROOT	  0x000001ffffffffffull /* a root shell's effective set */
#define CAP_DOCKER	  0x00000000a80425fbull /* Docker's default set */
#define CAP_SYS_ADMIN_BIT (1ull << 21)

static const char fields_rules[] =
	"- rule: execfields\n"
	"  desc: d\n"
	"  condition: evt.type in (execve, execveat, openat)\n"
	"  output: \"%evt.type %proc.pid tty=%proc.tty sid=%proc.sid pgl=%proc.is_vpgid_leader"
	" eff=%thread.cap_effective prm=%thread.cap_permitted"
	" upper=%proc.is_exe_upper_layer memfd=%proc.is_exe_from_memfd ino=%proc.exe_ino"
	" ctime=%proc.exe_ino.ctime mtime=%proc.exe_ino.mtime env=%proc.env[FOO]"
	" flags=%evt.arg.flags\"\n"
	"  priority: NOTICE\n";

struct exec_info {
	const char *comm, *exe, *env;
	uint64_t tty, flags, eff, ino, ctime, mtime, sid, vpgid;
};

static struct trec *rec(struct trun *r, unsigned int kind, uint32_t pid, int64_t res,
			const char *comm)
{
	struct trec *t = trec_new(kind);

	(void)r;
	t->hdr.pid = t->hdr.tid = pid;
	t->hdr.ppid = pid == CTR ? 1 : CTR;
	t->hdr.cgroup_id = CTR_CG;
	t->hdr.res = res;
	snprintf(t->hdr.comm, sizeof(t->hdr.comm), "%s", comm);
	return t;
}

static void feed(struct trun *r, struct trec *t)
{
	trec_finish(t);
	vgl_pipeline_record(&r->p, t->rec, t->size);
	free(t);
}

/* The container's init (as runc names itself) forks @child. */
static void ev_fork(struct trun *r, uint32_t child)
{
	struct trec *t = rec(r, VGL_EV_CLONE, CTR, child, "runc:[1:CHILD]");

	trec_s64(t, child);
	trec_s64(t, child);
	trec_u64(t, 17);	  /* SIGCHLD */
	trec_s64(t, child - 500); /* child_vpid: 100, 101, ... in the container's namespace */
	feed(r, t);
}

/* A successful execve by @pid; @i NULL: a wire version 1 record (without VGL_EXEC_P). */
static void ev_exec(struct trun *r, uint32_t pid, const char *comm, const struct exec_info *i)
{
	struct trec *t = rec(r, VGL_EV_EXECVE, pid, 0, comm);
	const char *const argv[] = { comm, "-c", "id", NULL };
	const char *const env[] = { i && i->env ? i->env : "", "PATH=/bin", NULL };

	trec_str(t, i ? i->exe : "/bin/sh");
	trec_argv(t, argv);
	trec_str(t, i ? i->exe : "/bin/sh");
	trec_str(t, "/");
	if (i) {
		trec_argv(t, env);
		trec_u64(t, i->tty);
		trec_u64(t, i->flags);
		trec_u64(t, 0);
		trec_u64(t, i->eff);
		trec_u64(t, i->eff);
		trec_u64(t, i->ino);
		trec_u64(t, i->ctime);
		trec_u64(t, i->mtime);
		trec_s64(t, (int64_t)i->sid);
		trec_s64(t, (int64_t)i->vpgid);
	}
	feed(r, t);
}

static void ev_open_write(struct trun *r, uint32_t pid, const char *comm, const char *path)
{
	struct trec *t = rec(r, VGL_EV_OPENAT, pid, 3, comm);

	trec_s64(t, -100);
	trec_str(t, path);
	trec_str(t, path);
	trec_u64(t, 01); /* O_WRONLY */
	trec_u64(t, 0);
	feed(r, t);
}

static void ev_setresuid(struct trun *r, uint32_t pid, const char *comm, uint32_t uid)
{
	struct trec *t = rec(r, VGL_EV_SETRESUID, pid, 0, comm);

	t->hdr.uid = t->hdr.euid = uid;
	for (int k = 0; k < 3; k++)
		trec_u64(t, uid);
	for (int k = 0; k < 3; k++)
		trec_u64(t, 0);
	trec_u64(t, 0); /* cap_effective after: a root -> user change clears them */
	trec_u64(t, 0);
	feed(r, t);
}

static void start(struct trun *r, struct vgl_ruleset *rs, const char *text)
{
	struct vgl_state_opts o;
	char pw[PATH_MAX], gr[PATH_MAX];

	vgl_state_opts_default(&o);
	procfix_state_opts(&o, pw, gr);
	trun_start_rs(r, &o, rs ? rs : rules_from(text));
}

static const struct exec_info sh_tty = {
	.exe = "/bin/busybox",
	.env = "FOO=bar",
	.tty = 34817,
	.flags = 1 | 8, /* WRITABLE|LOWER */
	.eff = CAP_DOCKER | CAP_SYS_ADMIN_BIT,
	.ino = 4242,
	.ctime = 1700000000123456789ull,
	.mtime = 1700000000000000001ull,
	.sid = SH,
	.vpgid = SH - 500, /* its vpid: it leads its group */
};
static const struct exec_info dropped = {
	.exe = "/tmp/x",
	.flags = 1 | 2, /* WRITABLE|UPPER */
	.eff = CAP_DOCKER,
	.ino = 77,
	.ctime = 1800000000000000000ull,
	.mtime = 1800000000000000000ull,
	.sid = 1,
	.vpgid = 1,
};
static const struct exec_info memfd = {
	.exe = "/",
	.flags = 4,
	.eff = CAP_DOCKER,
	.ino = 5,
	.ctime = 1,
	.mtime = 1,
	.sid = 1,
	.vpgid = 1,
};

/* Docker's default set and CAP_SYS_ADMIN, named */
#define SH_CAPS                                                                                \
	"CAP_CHOWN|CAP_DAC_OVERRIDE|CAP_FOWNER|CAP_FSETID|CAP_KILL|CAP_SETGID|CAP_SETUID|"     \
	"CAP_SETPCAP|CAP_NET_BIND_SERVICE|CAP_NET_RAW|CAP_SYS_CHROOT|CAP_SYS_ADMIN|CAP_MKNOD|" \
	"CAP_AUDIT_WRITE|CAP_SETFCAP"
/* What sh_tty's exec left, as the fields print it */
#define SH_IMAGE                                                                             \
	"tty=34817 sid=600 pgl=true eff=" SH_CAPS " prm=" SH_CAPS " upper=false memfd=false" \
	" ino=4242 ctime=1700000000123456789 mtime=1700000000000000001 env=bar"

/* Every field a rule reads, for processes gone before evaluation. */
static void test_exec_fields(void **state UNUSED)
{
	struct trun r;

	start(&r, NULL, fields_rules);
	ev_fork(&r, SH);
	ev_exec(&r, SH, "sh", &sh_tty);
	ev_open_write(&r, SH, "sh", "/sys/fs/cgroup/x/release_agent");
	ev_setresuid(&r, SH, "sh", 1000);
	ev_open_write(&r, SH, "sh", "/tmp/y");
	ev_fork(&r, OLD);
	ev_exec(&r, OLD, "sh", NULL);
	assert_string_equal(
		trun_alerts(&r),
		"execve 600 " SH_IMAGE " flags=EXE_WRITABLE|EXE_LOWER_LAYER|"
		"openat 600 " SH_IMAGE " flags=O_WRONLY|"
		/* setresuid to a user cleared them */
		"openat 600 tty=34817 sid=600 pgl=true eff=0 prm=0 upper=false memfd=false ino=4242"
		" ctime=1700000000123456789 mtime=1700000000000000001 env=bar flags=O_WRONLY|"
		/* an older capture's exec: nothing known of the new image, /proc has no 603 */
		"execve 603 tty=<NA> sid=<NA> pgl=<NA> eff=<NA> prm=<NA> upper=<NA> memfd=false "
		"ino=<NA>"
		" ctime=<NA> mtime=<NA> env=<NA> flags=<NA>");
	trun_stop(&r);
}

static int count(const char *text, const char *what)
{
	int n = 0;

	for (const char *p = text; (p = strstr(p, what)); p++)
		n++;
	return n;
}

/* The stock rules, --first-match, each process gone before its events are evaluated. */
static void test_stock_rules(void **state UNUSED)
{
	struct vgl_ruleset *rs = trun_load_stock("falco_rules.yaml", true);
	const char *a;
	struct trun r;

	start(&r, rs, NULL);
	ev_fork(&r, SH);
	ev_exec(&r, SH, "sh", &sh_tty);
	ev_open_write(&r, SH, "sh", "/sys/fs/cgroup/x/release_agent");
	ev_fork(&r, DROP);
	ev_exec(&r, DROP, "x", &dropped);
	ev_fork(&r, MEMFD);
	ev_exec(&r, MEMFD, "3", &memfd);
	/* benign: the release_agent write without CAP_SYS_ADMIN, a lower-layer exe */
	ev_setresuid(&r, SH, "sh", 0);
	ev_open_write(&r, SH, "sh", "/sys/fs/cgroup/y/release_agent");
	fflush(r.out);
	a = r.text; /* every priority */
	assert_int_equal(count(a, "A shell was spawned in a container with an attached terminal"),
			 1);
	assert_non_null(strstr(a, " process=sh proc_exepath=/bin/busybox parent=<NA>"
				  " command=sh -c id terminal=34817 exe_flags=EXE_WRITABLE|"
				  "EXE_LOWER_LAYER"));
	assert_int_equal(count(a, "Detect an attempt to exploit a container escape using"
				  " release_agent file"),
			 1);
	assert_non_null(strstr(a, "file=/sys/fs/cgroup/x/release_agent cap_effective="));
	assert_int_equal(count(a, "Executing binary not part of base image"), 1);
	assert_non_null(strstr(a, " proc_exe_ino_ctime=1800000000000000000 proc_exe_ino_mtime="
				  "1800000000000000000 "));
	assert_non_null(strstr(a, "exe_flags=EXE_WRITABLE|EXE_UPPER_LAYER"));
	assert_int_equal(count(a, "Fileless execution via memfd_create"), 1);
	assert_non_null(strstr(a, "exe_flags=EXE_FROM_MEMFD"));
	trun_stop(&r);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_exec_fields),
		cmocka_unit_test(test_stock_rules),
	};

	return cmocka_run_group_tests(tests, procfix_setup, procfix_teardown);
}
