// SPDX-License-Identifier: Apache-2.0
/*
 * type: program — alerts written to a command's standard input, one line
 * each (text or JSON). The command runs under /bin/sh -c, is started on the
 * first alert and is started again (after the retry backoff) whenever it
 * has exited. SIGUSR1 restarts it, as Falco's program output does, so that
 * a command appending to a file reopens it after logrotate.
 *
 * An alert counts as delivered once the program has read all of its line.
 * The pipe is shrunk to one page (one buffer slot) and a line is written
 * only into an empty pipe, so the pipe turning writable again means that
 * the program has read the line. A line it had not read when it exited is
 * written again to the next instance: nothing is lost and order is kept.
 * What the program read but did not act on before it died is its own loss;
 * a line longer than a page that it read part of is written again whole.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE /* pipe2, F_SETPIPE_SZ, posix_spawn_file_actions_addclosefrom_np */
#endif
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "output/names.h"
#include "output/sinks.h"

#define SHELL	      "/bin/sh"
#define BUF_SIZE      (VGL_ALERT_JSON_MAX + 64)
#define PIPE_SIZE     4096 /* rounded up to one page by the kernel: one slot */
#define POLL_SLICE_MS 100  /* how often a wait looks at vgl_sink_aborting() */
#define STOP_WAIT_S   2.0  /* for an exit after EOF, then after SIGTERM */

extern char **environ;

struct program_sink {
	char *command;
	double timeout; /* seconds the program may take to read a line */
	pid_t pid;	/* 0: not running */
	int fd;		/* the write end of its stdin, non-blocking; -1 */
	char *buf;
	size_t len;
};

static const char *const program_keys[] = { "command", "timeout", NULL };

/* Wait up to @secs for @pid to exit; true when reaped (its status in *@ret_status). */
static bool wait_exit(pid_t pid, double secs, int *ret_status)
{
	const struct timespec tick = { .tv_nsec = 10 * 1000 * 1000 };
	double until = vgl_mono_now() + secs;
	pid_t r;

	for (;;) {
		r = waitpid(pid, ret_status, secs > 0 ? WNOHANG : 0);
		if (r == pid || (r < 0 && errno != EINTR))
			return true; /* ECHILD: reaped already, status unknown */
		if (r == 0 && vgl_mono_now() >= until)
			return false;
		if (r == 0)
			nanosleep(&tick, NULL);
	}
}

/*
 * Stop the program: EOF on its stdin, then SIGTERM and SIGKILL to its
 * process group, each after STOP_WAIT_S. Reaps it; its wait status in
 * *@ret_status.
 */
static void program_stop(struct program_sink *p, int *ret_status)
{
	*ret_status = 0;
	if (p->fd >= 0)
		close(p->fd);
	p->fd = -1;
	if (!p->pid)
		return;
	if (!wait_exit(p->pid, STOP_WAIT_S, ret_status)) {
		kill(-p->pid, SIGTERM);
		if (!wait_exit(p->pid, STOP_WAIT_S, ret_status)) {
			kill(-p->pid, SIGKILL);
			wait_exit(p->pid, 0, ret_status);
		}
	}
	p->pid = 0;
}

/* The attributes of the child: no signal blocked, every disposition default, a group of its own. */
static int spawn_attr(posix_spawnattr_t *attr)
{
	sigset_t none, all;
	int ret;

	sigemptyset(&none);
	sigfillset(&all);
	ret = posix_spawnattr_init(attr);
	if (ret)
		return ret;
	/*
	 * vigil blocks its stop/reload signals and ignores SIGPIPE; the program
	 * gets neither. In its own process group, a terminal's Ctrl-C reaches
	 * vigil only, which then closes the program's input in order.
	 */
	ret = posix_spawnattr_setsigmask(attr, &none);
	if (!ret)
		ret = posix_spawnattr_setsigdefault(attr, &all);
	if (!ret)
		ret = posix_spawnattr_setpgroup(attr, 0);
	if (!ret)
		ret = posix_spawnattr_setflags(attr, POSIX_SPAWN_SETSIGMASK |
							     POSIX_SPAWN_SETSIGDEF |
							     POSIX_SPAWN_SETPGROUP);
	if (ret)
		posix_spawnattr_destroy(attr);
	return ret;
}

/* /bin/sh -c COMMAND with a new pipe as stdin and no other fd of vigil's but stdout/stderr. */
static int spawn(struct program_sink *p, int rfd)
{
	char *argv[] = { "sh", "-c", p->command, NULL };
	posix_spawn_file_actions_t fa;
	posix_spawnattr_t attr;
	int ret;

	ret = posix_spawn_file_actions_init(&fa);
	if (ret)
		return -ret;
	ret = posix_spawn_file_actions_adddup2(&fa, rfd, STDIN_FILENO);
	if (!ret)
		ret = posix_spawn_file_actions_addclosefrom_np(&fa, STDERR_FILENO + 1);
	if (!ret)
		ret = spawn_attr(&attr);
	if (!ret) {
		ret = posix_spawn(&p->pid, SHELL, &fa, &attr, argv, environ);
		posix_spawnattr_destroy(&attr);
	}
	posix_spawn_file_actions_destroy(&fa);
	if (ret)
		p->pid = 0;
	return -ret;
}

static int program_start(struct program_sink *p)
{
	int fds[2], ret = 0;

	if (pipe2(fds, O_CLOEXEC))
		return -errno;
	/* one slot: writable again means read (see the top of the file) */
	if (fcntl(fds[1], F_SETPIPE_SZ, PIPE_SIZE) < 0 ||
	    fcntl(fds[1], F_SETFL, fcntl(fds[1], F_GETFL) | O_NONBLOCK) < 0)
		ret = -errno;
	if (!ret)
		ret = spawn(p, fds[0]);
	close(fds[0]);
	if (ret) {
		close(fds[1]);
		return ret;
	}
	p->fd = fds[1];
	return 0;
}

/*
 * Write the line in p->buf and wait until the program has read all of it:
 * 0, -EPIPE (it closed its stdin or exited), -ETIMEDOUT (it read nothing
 * for p->timeout), -ECANCELED (shutdown's drain time ran out) or -errno.
 */
static int write_line(struct program_sink *p, struct vgl_sink *s)
{
	double until = vgl_mono_now() + p->timeout;
	struct pollfd pfd = { .fd = p->fd, .events = POLLOUT };
	size_t off = 0;
	ssize_t k;

	for (;;) {
		int ready = poll(&pfd, 1, POLL_SLICE_MS);

		if (ready < 0 && errno != EINTR)
			return -errno;
		if (ready > 0 && (pfd.revents & POLLOUT)) {
			if (off == p->len)
				return 0; /* the pipe is empty again: all read */
			k = write(p->fd, p->buf + off, p->len - off);
			if (k < 0 && errno != EAGAIN && errno != EINTR)
				return -errno;
			if (k > 0) {
				off += (size_t)k;
				until = vgl_mono_now() + p->timeout;
			}
			continue;
		}
		if (ready > 0 && (pfd.revents & (POLLERR | POLLHUP)))
			return -EPIPE; /* no reader left, and the line not read */
		if (vgl_sink_aborting(s))
			return -ECANCELED;
		if (vgl_mono_now() >= until)
			return -ETIMEDOUT;
	}
}

/* What became of the program, for the error message. */
static void describe_exit(const struct program_sink *p, int status, char *buf, size_t size)
{
	if (WIFSIGNALED(status)) {
		const char *sig = vgl_signal_name(WTERMSIG(status));

		snprintf(buf, size, "program '%s' was killed by %s", p->command,
			 sig ? sig : "a signal");
	} else if (WIFEXITED(status)) {
		int code = WEXITSTATUS(status);

		snprintf(buf, size, "program '%s' exited with status %d%s", p->command, code,
			 code == 127   ? " (command not found)"
			 : code == 126 ? " (command not executable)"
				       : "");
	} else {
		snprintf(buf, size, "program '%s' stopped", p->command);
	}
}

/* Whether the program is still there; if not, reaped and said why in @r. */
static bool program_alive(struct program_sink *p, struct vgl_deliver_result *r)
{
	int status = 0;
	pid_t got = waitpid(p->pid, &status, WNOHANG);

	if (got == 0 || (got < 0 && errno == EINTR))
		return true;
	close(p->fd);
	p->fd = -1;
	p->pid = 0;
	describe_exit(p, status, r->error, sizeof(r->error));
	return false;
}

/* A write that failed: stop the program (unless shutting down) and say why. */
static void write_failed(struct program_sink *p, int err, struct vgl_deliver_result *r)
{
	int status;

	if (err == -ECANCELED) {
		snprintf(r->error, sizeof(r->error), "program '%s': shutting down", p->command);
		return; /* close() stops it */
	}
	program_stop(p, &status);
	if (err == -ETIMEDOUT)
		snprintf(r->error, sizeof(r->error),
			 "program '%s' read nothing for %g s: stopped, restarting it", p->command,
			 p->timeout);
	else if (err == -EPIPE)
		describe_exit(p, status, r->error, sizeof(r->error));
	else
		snprintf(r->error, sizeof(r->error), "writing to program '%s': %s", p->command,
			 strerror(-err));
}

static void program_deliver(void *priv, struct vgl_sink *s, struct vgl_alert *const *alerts,
			    size_t n, struct vgl_deliver_result *r)
{
	struct program_sink *p = priv;
	enum vgl_alert_format fmt = vgl_sink_conf(s)->format;
	int err;

	/* an exit between alerts is a failure too: restarts follow the retry backoff */
	r->status = VGL_DELIVER_RETRY;
	if (p->pid && !program_alive(p, r))
		return;
	if (!p->pid) {
		err = program_start(p);
		if (err) {
			snprintf(r->error, sizeof(r->error), "cannot start program '%s': %s",
				 p->command, strerror(-err));
			return;
		}
	}
	for (size_t i = 0; i < n; i++) {
		p->len = vgl_alert_line(alerts[i], fmt, p->buf, BUF_SIZE);
		err = write_line(p, s);
		if (err) {
			write_failed(p, err, r);
			return;
		}
	}
	r->status = VGL_DELIVER_OK;
}

/* SIGUSR1 (logrotate): stop the program; the next alert starts it again, reopening its files. */
static void program_reopen(void *priv)
{
	struct program_sink *p = priv;
	int status;

	program_stop(p, &status);
}

static void program_close(void *priv)
{
	struct program_sink *p = priv;
	int status;

	if (!p)
		return;
	program_stop(p, &status);
	free(p->command);
	free(p->buf);
	free(p);
}

static int program_configure(struct vgl_cfg_ctx *c, const struct ynode *map,
			     struct vgl_sink_conf *conf, void **ret_priv)
{
	struct program_sink *p = calloc(1, sizeof(*p));
	int err = 0;

	if (!p || !(p->buf = malloc(BUF_SIZE))) {
		free(p);
		return -ENOMEM;
	}
	p->fd = -1;
	p->timeout = 10;
	if (vgl_cfg_str(c, map, "command", &p->command) == 0)
		vgl_cfg_error(c, map, "command", "missing: the command to write alerts to");
	if (p->command && !p->command[strspn(p->command, " \t")]) {
		vgl_cfg_error(c, ynode_get(map, "command"), "command", "empty command");
		err = 1;
	}
	err |= vgl_cfg_duration(c, map, "timeout", 0.1, 3600, &p->timeout) < 0;
	/* one alert per attempt: a retry writes again only the line that was not read */
	conf->batch_max = 1;
	if (err || !p->command) {
		program_close(p);
		return -EINVAL;
	}
	*ret_priv = p;
	return 0;
}

static int program_check(void *priv, char *err, size_t errlen)
{
	int ret = access(SHELL, X_OK) ? -errno : 0;

	if (ret)
		snprintf(err, errlen, "cannot run %s: %s", SHELL, strerror(-ret));
	return ret;
}

static const char *program_describe(void *priv)
{
	return ((struct program_sink *)priv)->command;
}

const struct vgl_sink_ops vgl_sink_program_ops = {
	.type = "program",
	.keys = program_keys,
	.configure = program_configure,
	.check = program_check,
	.deliver = program_deliver,
	.reopen = program_reopen,
	.close = program_close,
	.describe = program_describe,
};
