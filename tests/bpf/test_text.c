// SPDX-License-Identifier: Apache-2.0
/*
 * The human-readable output of `vigil run` (docs/events.md): whole openat
 * lines with their context, and how addresses ([::1]:80, 127.0.0.1:80, unix:/path) and argument
 * lists (["ls", "-l"]) are written.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/un.h>

#include "harness.h"

/* --- human-readable lines (docs/events.md) --------------------------------- */

struct human_ctx {
	char dir[PATH_MAX];
	long fd;
};

static void act_human(void *arg)
{
	struct human_ctx *c = arg;

	VH_CHECK(chdir(c->dir) == 0);
	VH_CHECK(syscall(SYS_openat, AT_FDCWD, "nope", O_RDONLY) == -1);
	c->fd = syscall(SYS_openat, AT_FDCWD, "/etc/hostname", O_RDONLY | O_CLOEXEC);
	VH_CHECK(c->fd >= 0);
}

/* The line of @text for @pid's openat of @name, without its time stamp. */
static const char *human_line(const char *text, const char *prefix, const char *name, char *buf,
			      size_t size)
{
	for (const char *p = text; *p;) {
		const char *nl = strchr(p, '\n'), *sp = strchr(p, ' ');
		size_t len = nl ? (size_t)(nl - p) : strlen(p);

		/* "HH:MM:SS.nnnnnnnnn " then the rest */
		if (sp && sp - p == 18 && len < size &&
		    strncmp(sp + 1, prefix, strlen(prefix)) == 0) {
			snprintf(buf, size, "%.*s", (int)(len - 19), sp + 1);
			if (strstr(buf, name))
				return buf;
		}
		p += len + (nl != NULL);
	}
	return NULL;
}

static void expect_line(const char *text, const char *prefix, const char *name, const char *want)
{
	char buf[PATH_MAX * 4];
	const char *got = human_line(text, prefix, name, buf, sizeof(buf));

	if (got && strcmp(got, want) == 0)
		return;
	print_error("want the line (after its time stamp):\n  %s\ngot:\n  %s\n", want,
		    got ? got : "(no such line)");
	fail();
}

/*
 * The context of a child of this process (docs/events.md): its image is
 * this test's (a fork), its name @comm; this process and its ancestors.
 */
static void child_context(const char *comm, char *buf, size_t size)
{
	struct vh_proc chain[8];
	char exe[PATH_MAX] = "", args[2048], anc[1024];
	const char *login = vh_loginname();
	char login_q[300];
	ssize_t n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);

	exe[n > 0 ? n : 0] = '\0';
	vh_self_args(args, sizeof(args));
	vh_chain_text(chain, vh_proc_chain(getpid(), chain, 8), anc, sizeof(anc));
	if (login)
		snprintf(login_q, sizeof(login_q), "\"%s\"", login);
	else
		snprintf(login_q, sizeof(login_q), "<NA>");
	snprintf(buf, size,
		 " proc.exepath=\"%s\" proc.cmdline=\"%s%s\" proc.ancestors=%s user.name=\"root\" "
		 "user.loginname=%s container.id=\"host\" container.name=\"host\" "
		 "container.image=<NA> k8s.ns.name=<NA> k8s.pod.name=<NA>",
		 exe, comm, args, anc, login_q);
}

static void test_human_readable(void **state)
{
	struct vh_run *run = vh_start_opts(&(struct vh_opts){ .events = "openat", .text = true });
	struct human_ctx *c = vh_shared(sizeof(*c));
	char prefix[64], want[PATH_MAX * 4], ctx[PATH_MAX * 2];
	pid_t pid;

	(void)state;
	vh_tmpdir(c->dir, sizeof(c->dir));
	pid = vh_spawn("vgl-human", act_human, c, NULL);
	vh_stop(run);
	child_context("vgl-human", ctx, sizeof(ctx));
	snprintf(prefix, sizeof(prefix), "openat vgl-human[%d/%d] ", (int)pid, (int)pid);
	snprintf(want, sizeof(want),
		 "%sppid=%d uid=0 res=-2(ENOENT) dirfd=-100 name=\"nope\" path=\"%s/nope\" "
		 "flags=O_RDONLY mode=0%s",
		 prefix, (int)getpid(), c->dir, ctx);
	expect_line(run->out_text, prefix, "\"nope\"", want);
	snprintf(want, sizeof(want),
		 "%sppid=%d uid=0 res=%ld dirfd=-100 name=\"/etc/hostname\" "
		 "path=\"/etc/hostname\" flags=O_RDONLY|O_CLOEXEC mode=0%s",
		 prefix, (int)getpid(), c->fd, ctx);
	expect_line(run->out_text, prefix, "/etc/hostname", want);
	vh_shared_free(c, sizeof(*c));
}

/*
 * --- human-readable values: addresses as 127.0.0.1:80, [::1]:80 and
 * unix:/path, argument lists as ["ls", "-l"].
 */

struct human2_ctx {
	char dir[PATH_MAX];
	char sock[108];
	long fd[3];
	int port[3];
};

static int inet_listener(int family, struct sockaddr_storage *ss, socklen_t *len)
{
	int fd = socket(family, SOCK_STREAM, 0);

	VH_CHECK(fd >= 0);
	VH_CHECK(bind(fd, (struct sockaddr *)ss, *len) == 0);
	VH_CHECK(listen(fd, 4) == 0);
	VH_CHECK(getsockname(fd, (struct sockaddr *)ss, len) == 0);
	return fd;
}

static void act_human2(void *arg)
{
	struct human2_ctx *c = arg;
	struct sockaddr_in sin = { .sin_family = AF_INET,
				   .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	struct sockaddr_in6 sin6 = { .sin6_family = AF_INET6, .sin6_addr = IN6ADDR_LOOPBACK_INIT };
	struct sockaddr_un sun = { .sun_family = AF_UNIX };
	socklen_t len = sizeof(sin6);
	char *const argv[] = { "true", "a b", "c", NULL };
	int s;

	/* refused: a port bound but not listening */
	s = socket(AF_INET, SOCK_STREAM, 0);
	VH_CHECK(s >= 0 && bind(s, (struct sockaddr *)&sin, sizeof(sin)) == 0);
	len = sizeof(sin);
	VH_CHECK(getsockname(s, (struct sockaddr *)&sin, &len) == 0);
	c->port[0] = ntohs(sin.sin_port);
	c->fd[0] = socket(AF_INET, SOCK_STREAM, 0);
	VH_CHECK(connect((int)c->fd[0], (struct sockaddr *)&sin, sizeof(sin)) == -1);
	/* IPv6 */
	len = sizeof(sin6);
	inet_listener(AF_INET6, (struct sockaddr_storage *)&sin6, &len);
	c->port[1] = ntohs(sin6.sin6_port);
	c->fd[1] = socket(AF_INET6, SOCK_STREAM, 0);
	VH_CHECK(connect((int)c->fd[1], (struct sockaddr *)&sin6, sizeof(sin6)) == 0);
	len = sizeof(sin6);
	VH_CHECK(getsockname((int)c->fd[1], (struct sockaddr *)&sin6, &len) == 0);
	c->port[2] = ntohs(sin6.sin6_port);
	/* unix */
	memcpy(sun.sun_path, c->sock, sizeof(sun.sun_path));
	s = socket(AF_UNIX, SOCK_STREAM, 0);
	VH_CHECK(s >= 0 && bind(s, (struct sockaddr *)&sun, sizeof(sun)) == 0 && listen(s, 1) == 0);
	c->fd[2] = socket(AF_UNIX, SOCK_STREAM, 0);
	VH_CHECK(connect((int)c->fd[2], (struct sockaddr *)&sun, sizeof(sun)) == 0);
	VH_CHECK(chdir(c->dir) == 0);
	execve("/bin/true", argv, (char *const[]){ NULL });
	VH_CHECK(!"execve returned");
}

/* The line of @text that starts (after its time) with @prefix and holds @want. */
static void expect_in_line(const char *text, const char *prefix, const char *want)
{
	for (const char *p = text; *p;) {
		const char *nl = strchr(p, '\n'), *sp = strchr(p, ' ');
		size_t len = nl ? (size_t)(nl - p) : strlen(p);
		const char *hit = strstr(p, want);

		if (sp && sp < p + len && strncmp(sp + 1, prefix, strlen(prefix)) == 0 && hit &&
		    hit + strlen(want) <= p + len)
			return;
		p += len + (nl != NULL);
	}
	print_error("no line \"<time> %s...\" containing:\n  %s\nlines of that process:\n", prefix,
		    want);
	for (const char *p = text; *p;) {
		const char *nl = strchr(p, '\n'), *sp = strchr(p, ' ');
		size_t len = nl ? (size_t)(nl - p) : strlen(p);

		if (sp && sp < p + len && strncmp(sp + 1, prefix, strlen(prefix)) == 0)
			print_error("  %.*s\n", (int)len, p);
		p += len + (nl != NULL);
	}
	fail();
}

static void test_human_values(void **state)
{
	struct vh_run *run =
		vh_start_opts(&(struct vh_opts){ .events = "connect,execve", .text = true });
	struct human2_ctx *c = vh_shared(sizeof(*c));
	char prefix[64], want[PATH_MAX * 2];
	pid_t pid;

	(void)state;
	vh_tmpdir(c->dir, sizeof(c->dir));
	snprintf(c->sock, sizeof(c->sock), "%.90s/s", c->dir);
	pid = vh_spawn("vgl-human2", act_human2, c, NULL);
	vh_stop(run);

	snprintf(prefix, sizeof(prefix), "connect vgl-human2[%d/%d] ", (int)pid, (int)pid);
	snprintf(want, sizeof(want), " res=-111(ECONNREFUSED) fd=%ld addr=127.0.0.1:%d ", c->fd[0],
		 c->port[0]);
	expect_in_line(run->out_text, prefix, want);
	snprintf(want, sizeof(want), " res=0 fd=%ld addr=[::1]:%d laddr=[::1]:%d", c->fd[1],
		 c->port[1], c->port[2]);
	expect_in_line(run->out_text, prefix, want);
	snprintf(want, sizeof(want), " res=0 fd=%ld addr=unix:%s ", c->fd[2], c->sock);
	expect_in_line(run->out_text, prefix, want);

	snprintf(prefix, sizeof(prefix), "execve true[%d/%d] ", (int)pid, (int)pid);
	snprintf(want, sizeof(want),
		 " res=0 filename=\"/bin/true\" args=[\"true\", \"a b\", \"c\"] "
		 "exe=\"/usr/bin/true\" cwd=\"%s\"",
		 c->dir);
	expect_in_line(run->out_text, prefix, want);
	vh_shared_free(c, sizeof(*c));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		vh_test(test_human_readable),
		vh_test(test_human_values),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
