// SPDX-License-Identifier: Apache-2.0
/*
 * The descriptor calls that end or copy a tracked IP socket (state/fdtrack.h):
 * fcntl(F_DUPFD, F_DUPFD_CLOEXEC), close, pipe, pipe2 and socketpair, seen as
 * a rule sees them. The process (500) has exited: /proc (the fixture of
 * test_capture_procfix.h) knows nothing of it, so every fd.* value comes
 * from the tracker, and <NA> means the tracker forgot the number.
 */
#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include <cmocka.h>

#include "state/fdtrack.h"
#include "test_state_util.h"
#include "testutil.h"
/* after test_rules_util.h (in test_state_util.h): its globals would shadow locals there */
#include "test_capture_procfix.h"

#define UNUSED __attribute__((unused))

#define PID    500 /* exited: not in the fixture /proc */
#define CG     7001

/* The connection every test starts from, as fd.name writes it. */
#define CONN "10.1.1.1:51000->192.0.2.1:443"

static const char rules[] = "- rule: fdcalls\n"
			    "  desc: d\n"
			    "  condition: evt.type in (dup2, fcntl, close)\n"
			    "  output: \"%evt.type %fd.num %fd.type %fd.name %fd.l4proto\"\n"
			    "  priority: NOTICE\n";

static struct trun run;

static struct trec *rec(unsigned int kind, int64_t res)
{
	struct trec *t = trec_new(kind);

	t->hdr.pid = t->hdr.tid = PID;
	t->hdr.ppid = 1;
	t->hdr.cgroup_id = CG;
	t->hdr.res = res;
	memcpy(t->hdr.comm, "app", 4);
	return t;
}

static void feed(struct trec *t)
{
	trec_finish(t);
	vgl_pipeline_record(&run.p, t->rec, t->size);
	free(t);
}

static void start(void)
{
	struct vgl_state_opts o;

	vgl_state_opts_default(&o);
	o.proc_root = proc;
	o.roots = (struct vgl_runtime_roots){ docker, containerd, crio, NULL };
	o.scan_proc = false;
	trun_start(&run, &o, rules);
}

/* socket() at @fd, connected: the tracker's entry. */
static void connected(int64_t fd)
{
	struct trec *t = rec(VGL_EV_SOCKET, fd);

	trec_s64(t, AF_INET);
	trec_s64(t, SOCK_STREAM);
	trec_s64(t, 0);
	feed(t);
	t = rec(VGL_EV_CONNECT, 0);
	trec_s64(t, fd);
	trec_sa4(t, "192.0.2.1", 443);
	trec_sa4(t, "10.1.1.1", 51000);
	feed(t);
}

static void ev_dup2(int64_t oldfd, int64_t newfd)
{
	struct trec *t = rec(VGL_EV_DUP2, newfd);

	trec_s64(t, oldfd);
	trec_s64(t, newfd);
	feed(t);
}

static void ev_fcntl(int64_t fd, int cmd, int64_t res)
{
	struct trec *t = rec(VGL_EV_FCNTL, res);

	trec_s64(t, fd);
	trec_u64(t, (uint64_t)cmd);
	feed(t);
}

static void ev_close(int64_t fd, int64_t res)
{
	struct trec *t = rec(VGL_EV_CLOSE, res);

	trec_s64(t, fd);
	feed(t);
}

static void ev_exec(void)
{
	struct trec *t = rec(VGL_EV_EXECVE, 0);

	trec_str(t, "/bin/sh");
	trec_argv(t, (const char *const[]){ "sh", NULL });
	trec_str(t, "/bin/sh");
	trec_str(t, "/");
	feed(t);
}

/*
 * fcntl(F_DUPFD) copies the socket to the new number, which a later dup2
 * then shows; F_DUPFD_CLOEXEC's copy is gone after exec, F_DUPFD's is not.
 */
static void test_fcntl_dupfd(void **state UNUSED)
{
	start();
	connected(3);
	ev_fcntl(3, F_DUPFD, 10);
	ev_fcntl(3, F_DUPFD_CLOEXEC, 11);
	ev_dup2(10, 0);
	ev_dup2(11, 1);
	ev_exec();
	ev_dup2(10, 2);
	ev_dup2(11, 2);
	/* a failed fcntl copies nothing */
	ev_fcntl(3, F_DUPFD, -EMFILE);
	ev_dup2(12, 2);
	assert_string_equal(trun_alerts(&run),
			    /* fd.num of fcntl is its fd, as in Falco */
			    "fcntl 3 ipv4 " CONN " tcp|"
			    "fcntl 3 ipv4 " CONN " tcp|"
			    "dup2 0 ipv4 " CONN " tcp|"
			    "dup2 1 ipv4 " CONN " tcp|"
			    "dup2 2 ipv4 " CONN " tcp|"
			    "dup2 2 <NA> <NA> <NA>|"
			    "fcntl 3 ipv4 " CONN " tcp|"
			    "dup2 2 <NA> <NA> <NA>");
	trun_stop(&run);
}

/*
 * close: the close event itself still describes the socket (libsinsp drops
 * a closed descriptor after its event); after it the number is unknown.
 * A close that failed with EBADF closed nothing.
 */
static void test_close(void **state UNUSED)
{
	start();
	connected(3);
	connected(4);
	ev_close(3, 0);
	ev_dup2(3, 0);
	ev_close(4, -EBADF);
	ev_dup2(4, 1);
	/* another error (EINTR, EIO) still releases the number */
	ev_close(4, -EIO);
	ev_dup2(4, 1);
	assert_string_equal(trun_alerts(&run), "close 3 ipv4 " CONN " tcp|"
					       "dup2 0 <NA> <NA> <NA>|"
					       "close 4 ipv4 " CONN " tcp|"
					       "dup2 1 ipv4 " CONN " tcp|"
					       "close 4 ipv4 " CONN " tcp|"
					       "dup2 1 <NA> <NA> <NA>");
	trun_stop(&run);
}

/* pipe, pipe2 and socketpair reuse numbers a socket had (its close unseen). */
static void test_pairs(void **state UNUSED)
{
	struct trec *t;

	start();
	for (int fd = 3; fd <= 9; fd++)
		connected(fd);
	t = rec(VGL_EV_PIPE, 0);
	trec_s64(t, 3);
	trec_s64(t, 4);
	feed(t);
	t = rec(VGL_EV_PIPE2, 0);
	trec_s64(t, 5);
	trec_s64(t, 6);
	trec_u64(t, O_CLOEXEC);
	feed(t);
	t = rec(VGL_EV_SOCKETPAIR, 0);
	trec_s64(t, AF_UNIX);
	trec_s64(t, SOCK_STREAM);
	trec_s64(t, 0);
	trec_s64(t, 7);
	trec_s64(t, 8);
	feed(t);
	/* a failed pipe wrote no numbers */
	t = rec(VGL_EV_PIPE, -EMFILE);
	trec_absent(t);
	trec_absent(t);
	feed(t);
	for (int fd = 3; fd <= 9; fd++)
		ev_dup2(fd, 0);
	assert_string_equal(trun_alerts(&run), "dup2 0 <NA> <NA> <NA>|"
					       "dup2 0 <NA> <NA> <NA>|"
					       "dup2 0 <NA> <NA> <NA>|"
					       "dup2 0 <NA> <NA> <NA>|"
					       "dup2 0 <NA> <NA> <NA>|"
					       "dup2 0 <NA> <NA> <NA>|"
					       "dup2 0 ipv4 " CONN " tcp");
	trun_stop(&run);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_fcntl_dupfd),
		cmocka_unit_test(test_close),
		cmocka_unit_test(test_pairs),
	};

	return cmocka_run_group_tests(tests, procfix_setup, procfix_teardown);
}
