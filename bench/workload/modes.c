// SPDX-License-Identifier: Apache-2.0
/* vigil-workload's modes: each one's setup, operation and teardown (workload.c). */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "workload.h"

static char *const true_argv[] = { "true", NULL };
static char *const empty_envp[] = { NULL };

/* Indexes into wl_ctx.sc, one set per mode (see the mode table). */
enum { SC_OPENAT = 0 };
enum { SC_CLONE = 0, SC_EXECVE, SC_PROCEXIT };
enum { SC_SOCKET = 0, SC_CONNECT, SC_ACCEPT4 };

/* The open modes' private file, created once in a new directory under @dir. */
static int private_file(struct wl_ctx *ctx, const char *dir)
{
	int n, fd;

	n = snprintf(ctx->dir, sizeof(ctx->dir), "%s/vigil-workload.XXXXXX", dir);
	if (n < 0 || (size_t)n >= sizeof(ctx->dir))
		return -ENAMETOOLONG;
	if (!mkdtemp(ctx->dir))
		return -errno;
	n = snprintf(ctx->file, sizeof(ctx->file), "%s/f", ctx->dir);
	if (n < 0 || (size_t)n >= sizeof(ctx->file))
		return -ENAMETOOLONG;
	fd = open(ctx->file, O_WRONLY | O_CREAT | O_CLOEXEC, 0600);
	ctx->sc[SC_OPENAT]++;
	if (fd < 0)
		return -errno;
	close(fd);
	ctx->files[ctx->nfiles++] = ctx->file;
	return 0;
}

/* open mode: the private file opened read-only in the loop. */
static int open_setup(struct wl_ctx *ctx, const struct wl_opts *o)
{
	return private_file(ctx, o->tmpdir);
}

/* openmatch mode: /etc/passwd and a private file under /home, or the -f files,
 * opened read-only in turn (bench/README.md says why these). */
static int openmatch_setup(struct wl_ctx *ctx, const struct wl_opts *o)
{
	size_t i;

	for (i = 0; i < o->nfiles; i++)
		ctx->files[ctx->nfiles++] = o->files[i];
	if (o->nfiles)
		return 0;
	ctx->files[ctx->nfiles++] = "/etc/passwd";
	return private_file(ctx, o->tmpdir);
}

static int open_op(struct wl_ctx *ctx)
{
	const char *file = ctx->files[ctx->next];
	int fd;

	if (++ctx->next == ctx->nfiles)
		ctx->next = 0;
	fd = open(file, O_RDONLY | O_CLOEXEC);
	ctx->sc[SC_OPENAT]++;
	if (fd < 0)
		return -errno;
	close(fd);
	return 0;
}

static void open_teardown(struct wl_ctx *ctx)
{
	if (ctx->file[0])
		unlink(ctx->file);
	if (ctx->dir[0])
		rmdir(ctx->dir);
}

/* exec mode: glibc's fork() is the clone syscall; the child's execve and exit
 * are reported with the child's pid and this process as ppid. */
static int exec_op(struct wl_ctx *ctx)
{
	pid_t pid;
	int status;

	pid = fork();
	if (pid < 0)
		return -errno;
	if (pid == 0) {
		execve("/bin/true", true_argv, empty_envp);
		_exit(127);
	}
	ctx->sc[SC_CLONE]++;
	ctx->sc[SC_EXECVE]++;
	ctx->sc[SC_PROCEXIT]++;
	if (waitpid(pid, &status, 0) < 0)
		return -errno;
	if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
		return -ECHILD;
	return 0;
}

/* connect mode: a listener on an ephemeral 127.0.0.1 port. */
static int connect_setup(struct wl_ctx *ctx, const struct wl_opts *o)
{
	socklen_t len = sizeof(ctx->addr);
	int one = 1;

	(void)o;
	ctx->lfd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	ctx->sc[SC_SOCKET]++;
	if (ctx->lfd < 0)
		return -errno;
	setsockopt(ctx->lfd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	ctx->addr.sin_family = AF_INET;
	ctx->addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	ctx->addr.sin_port = 0;
	if (bind(ctx->lfd, (struct sockaddr *)&ctx->addr, sizeof(ctx->addr)) < 0)
		return -errno;
	if (listen(ctx->lfd, 128) < 0)
		return -errno;
	if (getsockname(ctx->lfd, (struct sockaddr *)&ctx->addr, &len) < 0)
		return -errno;
	return 0;
}

/* The client closes first with SO_LINGER 0 (a reset) so that no connection
 * is left in TIME_WAIT: a long run would otherwise exhaust the ephemeral
 * ports. */
static int connect_op(struct wl_ctx *ctx)
{
	struct linger lg = { .l_onoff = 1, .l_linger = 0 };
	int c, a = -1, err = 0;

	c = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	ctx->sc[SC_SOCKET]++;
	if (c < 0)
		return -errno;
	setsockopt(c, SOL_SOCKET, SO_LINGER, &lg, sizeof(lg));
	ctx->sc[SC_CONNECT]++;
	if (connect(c, (struct sockaddr *)&ctx->addr, sizeof(ctx->addr)) < 0) {
		err = -errno;
		goto out_close_client;
	}
	a = accept4(ctx->lfd, NULL, NULL, SOCK_CLOEXEC);
	ctx->sc[SC_ACCEPT4]++;
	if (a < 0)
		err = -errno;
out_close_client:
	close(c);
	if (a >= 0)
		close(a);
	return err;
}

static void connect_teardown(struct wl_ctx *ctx)
{
	if (ctx->lfd >= 0)
		close(ctx->lfd);
}

/* read mode: the one open of /dev/zero is the only event it causes. */
static int read_setup(struct wl_ctx *ctx, const struct wl_opts *o)
{
	(void)o;
	snprintf(ctx->file, sizeof(ctx->file), "/dev/zero");
	ctx->files[ctx->nfiles++] = ctx->file;
	ctx->rfd = open(ctx->file, O_RDONLY | O_CLOEXEC);
	ctx->sc[SC_OPENAT]++;
	return ctx->rfd < 0 ? -errno : 0;
}

static int read_op(struct wl_ctx *ctx)
{
	char c;

	return read(ctx->rfd, &c, 1) == 1 ? 0 : -EIO;
}

static void read_teardown(struct wl_ctx *ctx)
{
	if (ctx->rfd >= 0)
		close(ctx->rfd);
}

static const struct wl_mode modes[] = {
	{ "open", { "openat" }, NULL, open_setup, open_op, open_teardown },
	{ "openmatch", { "openat" }, "/home", openmatch_setup, open_op, open_teardown },
	{ "exec", { "clone", "execve", "procexit" }, NULL, NULL, exec_op, NULL },
	{ "connect",
	  { "socket", "connect", "accept4" },
	  NULL,
	  connect_setup,
	  connect_op,
	  connect_teardown },
	{ "read", { "openat" }, NULL, read_setup, read_op, read_teardown },
};

const struct wl_mode *wl_find_mode(const char *name)
{
	size_t i;

	for (i = 0; i < sizeof(modes) / sizeof(modes[0]); i++) {
		if (strcmp(modes[i].name, name) == 0)
			return &modes[i];
	}
	return NULL;
}
