// SPDX-License-Identifier: Apache-2.0
/*
 * spawn_tree N [FANOUT]: create N live processes in a tree (each process forks
 * up to FANOUT children), print "ready N" once all of them exist, then keep
 * them until stdin reaches EOF or a signal arrives; every process dies with
 * its parent (PR_SET_PDEATHSIG) and the tree's process group is killed on the
 * way out.
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#define SPAWN_MAX 200000

static int ready_fd;

/* This process, then @count - 1 descendants below it. */
__attribute__((noreturn)) static void node(long count, long fanout)
{
	long rest = count - 1, kids = rest < fanout ? rest : fanout, i, share;
	pid_t pid;

	for (i = 0; i < kids; i++) {
		share = rest / (kids - i);
		rest -= share;
		pid = fork();
		if (pid < 0) {
			perror("fork");
			_exit(1);
		}
		if (pid == 0) {
			prctl(PR_SET_PDEATHSIG, SIGKILL);
			node(share, fanout);
			_exit(0);
		}
	}
	if (write(ready_fd, "x", 1) != 1)
		_exit(1);
	for (;;)
		pause();
}

static void on_signal(int sig)
{
	(void)sig;
}

int main(int argc, char **argv)
{
	long n = argc > 1 ? strtol(argv[1], NULL, 10) : 0,
	     fanout = argc > 2 ? strtol(argv[2], NULL, 10) : 16;
	long got = 0;
	int pfd[2];
	char buf[4096];
	ssize_t r;
	pid_t top;

	if (n < 1 || n > SPAWN_MAX || fanout < 1) {
		fprintf(stderr, "usage: spawn_tree N (1..%d) [FANOUT]\n", SPAWN_MAX);
		return 2;
	}
	if (pipe(pfd))
		return 1;
	signal(SIGTERM, on_signal);
	signal(SIGINT, on_signal);
	ready_fd = pfd[1];
	top = fork();
	if (top == 0) {
		signal(SIGTERM, SIG_DFL);
		signal(SIGINT, SIG_DFL);
		prctl(PR_SET_PDEATHSIG, SIGKILL);
		setpgid(0, 0); /* the tree is one process group, without us */
		close(pfd[0]);
		node(n, fanout);
	}
	if (top < 0)
		return 1;
	setpgid(top, top);
	close(pfd[1]);
	while (got < n && (r = read(pfd[0], buf, sizeof(buf))) != 0) {
		if (r < 0 && errno == EINTR)
			break;
		got += r > 0 ? r : 0;
	}
	printf("%s %ld\n", got == n ? "ready" : "failed", got);
	fflush(stdout);
	if (got == n)
		while (read(0, buf, sizeof(buf)) > 0)
			;
	kill(-top, SIGKILL);
	waitpid(top, NULL, 0);
	return got == n ? 0 : 1;
}
