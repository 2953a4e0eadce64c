// SPDX-License-Identifier: Apache-2.0
/*
 * The descriptor calls the fd tracker follows besides the dup family:
 * fcntl (reported only for F_DUPFD and F_DUPFD_CLOEXEC), close (reported
 * only for an IP socket), pipe, pipe2 and socketpair (the two new numbers).
 * A client connected to a loopback listener, a file, pipes and a socketpair.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <sys/socket.h>
#include <sys/syscall.h>

#include "harness.h"

#ifdef SYS_pipe
#define FD_EVENTS "fcntl,close,pipe,pipe2,socketpair"
#else /* arm64 has pipe2 only */
#define FD_EVENTS "fcntl,close,pipe2,socketpair"
#endif

struct fd_ctx {
	char dir[PATH_MAX];
	long listener, sock, file; /* an IP listener, a connected client, a file */
	long dup, dup_cloexec;	   /* fcntl(sock, F_DUPFD / F_DUPFD_CLOEXEC) */
	long getfl;		   /* fcntl(sock, F_GETFL) */
	int pipe2_fds[2], pipe_fds[2], pair[2];
	long close_res;
};

static void act_fdcalls(void *arg)
{
	struct fd_ctx *c = arg;
	struct sockaddr_in a = { .sin_family = AF_INET };
	socklen_t len = sizeof(a);

	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	c->listener = socket(AF_INET, SOCK_STREAM, 0);
	VH_CHECK(c->listener >= 0 && bind((int)c->listener, (struct sockaddr *)&a, len) == 0);
	VH_CHECK(listen((int)c->listener, 4) == 0);
	VH_CHECK(getsockname((int)c->listener, (struct sockaddr *)&a, &len) == 0);
	c->sock = socket(AF_INET, SOCK_STREAM, 0);
	VH_CHECK(c->sock >= 0 && connect((int)c->sock, (struct sockaddr *)&a, len) == 0);
	c->file = open(tu_join(c->dir, "f"), O_CREAT | O_WRONLY | O_CLOEXEC, 0600);
	VH_CHECK(c->file >= 0);
	c->dup = syscall(SYS_fcntl, (int)c->sock, F_DUPFD, 40);
	VH_CHECK(c->dup >= 40);
	c->dup_cloexec = syscall(SYS_fcntl, (int)c->sock, F_DUPFD_CLOEXEC, 50);
	VH_CHECK(c->dup_cloexec >= 50);
	c->getfl = syscall(SYS_fcntl, (int)c->sock, F_GETFL);
	VH_CHECK(c->getfl >= 0);
	VH_CHECK(syscall(SYS_pipe2, c->pipe2_fds, O_CLOEXEC) == 0);
#ifdef SYS_pipe
	VH_CHECK(syscall(SYS_pipe, c->pipe_fds) == 0);
#endif
	VH_CHECK(syscall(SYS_socketpair, AF_UNIX, SOCK_STREAM, 0, c->pair) == 0);
	/* nothing new is opened from here: every number below is distinct */
	VH_CHECK(syscall(SYS_close, (int)c->file) == 0);
	VH_CHECK(syscall(SYS_close, c->pipe2_fds[0]) == 0);
	VH_CHECK(syscall(SYS_close, c->pair[0]) == 0);
	VH_CHECK(syscall(SYS_close, (int)c->dup) == 0);
	VH_CHECK(syscall(SYS_close, (int)c->dup_cloexec) == 0);
	c->close_res = VH_RES(syscall(SYS_close, (int)c->sock));
	VH_CHECK(c->close_res == 0);
	VH_CHECK(syscall(SYS_close, (int)c->listener) == 0);
	VH_CHECK(VH_RES(syscall(SYS_close, 999)) == -EBADF);
}

#define FD_HDR(ev, pid_) vh_assert_hdr(ev, .pid = (pid_), .ppid = getpid(), .comm = "vgl-fdcalls")

static void check_fcntl(const struct vh_run *run, pid_t pid, const struct fd_ctx *c)
{
	json_t *ev;

	/* F_GETFL (and any other command) is not reported */
	assert_int_equal(vh_count(run, "fcntl", pid, NULL, NULL), 2);
	ev = vh_expect_arg_str(run, "fcntl", pid, "cmd", "F_DUPFD");
	FD_HDR(ev, pid);
	vh_assert_res(ev, c->dup);
	vh_assert_arg_int(ev, "fd", c->sock);
	ev = vh_expect_arg_str(run, "fcntl", pid, "cmd", "F_DUPFD_CLOEXEC");
	vh_assert_res(ev, c->dup_cloexec);
	vh_assert_arg_int(ev, "fd", c->sock);
}

/* Closes of the IP sockets only: not of the file, the pipe, the unix socket, a bad fd. */
static void check_close(const struct vh_run *run, pid_t pid, const struct fd_ctx *c)
{
	json_t *ev;

	ev = vh_expect_arg_int(run, "close", pid, "fd", c->sock);
	FD_HDR(ev, pid);
	vh_assert_res(ev, c->close_res);
	vh_expect_arg_int(run, "close", pid, "fd", c->dup);
	vh_expect_arg_int(run, "close", pid, "fd", c->dup_cloexec);
	vh_expect_arg_int(run, "close", pid, "fd", c->listener);
	assert_int_equal(vh_count(run, "close", pid, NULL, NULL), 4);
}

static void check_pairs(const struct vh_run *run, pid_t pid, const struct fd_ctx *c)
{
	json_t *ev;

	ev = vh_expect(run, "pipe2", pid, NULL, NULL);
	FD_HDR(ev, pid);
	vh_assert_res(ev, 0);
	vh_assert_arg_int(ev, "fd1", c->pipe2_fds[0]);
	vh_assert_arg_int(ev, "fd2", c->pipe2_fds[1]);
	vh_assert_arg_flags(ev, "flags", "O_RDONLY|O_CLOEXEC");
#ifdef SYS_pipe
	ev = vh_expect(run, "pipe", pid, NULL, NULL);
	vh_assert_res(ev, 0);
	vh_assert_arg_int(ev, "fd1", c->pipe_fds[0]);
	vh_assert_arg_int(ev, "fd2", c->pipe_fds[1]);
#endif
	ev = vh_expect(run, "socketpair", pid, NULL, NULL);
	FD_HDR(ev, pid);
	vh_assert_res(ev, 0);
	vh_assert_arg_str(ev, "domain", "AF_UNIX");
	vh_assert_arg_flags(ev, "type", "SOCK_STREAM");
	vh_assert_arg_int(ev, "proto", 0);
	vh_assert_arg_int(ev, "fd1", c->pair[0]);
	vh_assert_arg_int(ev, "fd2", c->pair[1]);
}

static void test_fdcalls(void **state)
{
	struct fd_ctx *c = vh_shared(sizeof(*c));
	struct vh_run *run;
	pid_t pid;

	(void)state;
	vh_tmpdir(c->dir, sizeof(c->dir));
	run = vh_run_child(FD_EVENTS, "vgl-fdcalls", act_fdcalls, c, &pid);
	check_fcntl(run, pid, c);
	check_close(run, pid, c);
	check_pairs(run, pid, c);
	vh_shared_free(c, sizeof(*c));
}

/* A failed pipe2 (a bad address) reports no numbers. */
static void act_fail(void *arg)
{
	long *res = arg;

	res[0] = VH_RES(syscall(SYS_pipe2, (int *)8, 0));
	VH_CHECK(res[0] == -EFAULT);
}

static void test_pipe2_fault(void **state)
{
	long *res = vh_shared(sizeof(long));
	struct vh_run *run;
	json_t *ev;
	pid_t pid;

	(void)state;
	run = vh_run_child("pipe2", "vgl-pipefail", act_fail, res, &pid);
	ev = vh_expect(run, "pipe2", pid, NULL, NULL);
	vh_assert_res(ev, -EFAULT);
	vh_assert_arg_null(ev, "fd1");
	vh_assert_arg_null(ev, "fd2");
	vh_assert_arg_flags(ev, "flags", "O_RDONLY");
	vh_shared_free(res, sizeof(long));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		vh_test(test_fdcalls),
		vh_test(test_pipe2_fault),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
