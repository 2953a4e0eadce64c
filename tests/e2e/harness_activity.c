// SPDX-License-Identifier: Apache-2.0
/*
 * Real activity from named children: open, exec, connect, setuid, ptrace.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <string.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/ptrace.h>
#include <sys/socket.h>
#include <sys/wait.h>

#include "harness.h"
#include "harness_activity.h"

static void open_path(void *ctx)
{
	int fd = open(ctx, O_RDONLY | O_CLOEXEC);

	E2E_CHECK(fd >= 0);
	close(fd);
}

pid_t e2e_do_open(const char *comm, const char *path)
{
	return e2e_spawn(comm, open_path, (void *)path);
}

static void exec_child(void *ctx)
{
	const char *path = ctx;
	int status;
	pid_t pid = fork();

	E2E_CHECK(pid >= 0);
	if (pid == 0) {
		execl(path, path, (char *)NULL);
		_exit(127);
	}
	E2E_CHECK(waitpid(pid, &status, 0) == pid);
	E2E_CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 0);
}

void e2e_do_exec(const char *comm, const char *path)
{
	e2e_spawn(comm, exec_child, (void *)path);
}

int e2e_listen_local(int *ret_port)
{
	struct sockaddr_in sin = { .sin_family = AF_INET };
	socklen_t len = sizeof(sin);
	int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);

	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (fd < 0 || bind(fd, (struct sockaddr *)&sin, sizeof(sin)) < 0 || listen(fd, 16) < 0 ||
	    getsockname(fd, (struct sockaddr *)&sin, &len) < 0)
		fail_msg("listener on 127.0.0.1: %s", strerror(errno));
	*ret_port = ntohs(sin.sin_port);
	return fd;
}

static void connect_child(void *ctx)
{
	struct sockaddr_in sin = { .sin_family = AF_INET, .sin_port = htons(*(int *)ctx) };
	int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);

	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	E2E_CHECK(fd >= 0);
	E2E_CHECK(connect(fd, (struct sockaddr *)&sin, sizeof(sin)) == 0);
	close(fd);
}

void e2e_do_connect(const char *comm, int port)
{
	e2e_spawn(comm, connect_child, &port);
}

static void setuid_child(void *ctx)
{
	(void)ctx;
	E2E_CHECK(setresuid(65534, 65534, 0) == 0);
	E2E_CHECK(setresuid(0, 0, 0) == 0);
}

void e2e_do_setuid(const char *comm)
{
	e2e_spawn(comm, setuid_child, NULL);
}

static void ptrace_child(void *ctx)
{
	int status;
	pid_t pid;

	(void)ctx;
	pid = fork();
	E2E_CHECK(pid >= 0);
	if (pid == 0) {
		pause();
		_exit(0);
	}
	E2E_CHECK(ptrace(PTRACE_ATTACH, pid, NULL, NULL) == 0);
	E2E_CHECK(waitpid(pid, &status, 0) == pid && WIFSTOPPED(status));
	E2E_CHECK(ptrace(PTRACE_DETACH, pid, NULL, NULL) == 0);
	E2E_CHECK(kill(pid, SIGKILL) == 0);
	E2E_CHECK(waitpid(pid, &status, 0) == pid);
}

void e2e_do_ptrace(const char *comm)
{
	e2e_spawn(comm, ptrace_child, NULL);
}
