// SPDX-License-Identifier: Apache-2.0
/*
 * Falco's stock rules end to end: the stock files, vigil on them, cases
 * with a benign variant, and a pseudo-terminal for `docker run -t`.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/ioctl.h>
#include <sys/wait.h>

#include "harness_docker.h"
#include "harness_stock.h"

#define STOCK_DIR     "../shared/compat/falco"
#define ALERT_WAIT_MS 20000
/* Longer than vigil's 200 ms wait for a new container's metadata. */
#define GRACE_MS 400

static const char *const stock_names[] = { "falco_rules.yaml", "falco-incubating_rules.yaml",
					   "falco-sandbox_rules.yaml" };

struct e2e_vigil *e2e_stock_start(void)
{
	static char paths[3][PATH_MAX];
	struct e2e_vigil *v;
	const char *args[] = {
		"--first-match", "-r", paths[0], "-r", paths[1], "-r", paths[2], NULL
	};

	e2e_require_root();
	for (int i = 0; i < 3; i++) {
		snprintf(paths[i], sizeof(paths[i]), "%s", e2e_source_path(STOCK_DIR "/"));
		strncat(paths[i], stock_names[i], sizeof(paths[i]) - strlen(paths[i]) - 1);
		if (access(paths[i], R_OK))
			tu_skip_or_fail(
				"Falco stock rule file %s: %s (the compatibility target " STOCK_DIR
				" is missing)",
				paths[i], strerror(errno));
	}
	v = e2e_start_args(args);
	e2e_twin_start(args);
	return v;
}

/* Whether alert @a is this run's: one of its output fields holds the token. */
static bool stock_ours(const json_t *a)
{
	const json_t *f = json_object_get(a, "output_fields"), *v;
	const char *key;

	json_object_foreach((json_t *)f, key, v)
	{
		if (json_is_string(v) && strstr(json_string_value(v), e2e_stock_token()))
			return true;
	}
	return false;
}

bool e2e_stock_same_without_prefilter(struct e2e_vigil *v)
{
	return e2e_twin_compare(v, stock_ours);
}

const char *e2e_stock_token(void)
{
	static char token[32];

	if (!token[0])
		snprintf(token, sizeof(token), "e2e%d", (int)getpid());
	return token;
}

const char *e2e_stock_expand(const char *tmpl)
{
	static char bufs[8][4096];
	static unsigned int next;
	char *buf = bufs[next++ % 8], *end = buf + sizeof(bufs[0]) - 1;
	const char *token = e2e_stock_token(), *at;
	char *p = buf;

	if (!tmpl)
		return NULL;
	while ((at = strstr(tmpl, E2E_TOKEN))) {
		size_t head = (size_t)(at - tmpl), n = strlen(token);

		if (p + head + n > end)
			fail_msg("e2e_stock_expand: \"%s\" is too long", tmpl);
		memcpy(p, tmpl, head);
		memcpy(p + head, token, n);
		p += head + n;
		tmpl = at + strlen(E2E_TOKEN);
	}
	if (p + strlen(tmpl) > end)
		fail_msg("e2e_stock_expand: \"%s\" is too long", tmpl);
	strcpy(p, tmpl);
	return buf;
}

void e2e_stock_containers_remove(void)
{
	e2e_sh(NULL, E2E_DOCKER_MS,
	       "docker rm -f " E2E_STOCK_C " " E2E_STOCK_SA " >/dev/null 2>&1");
}

void e2e_stock_containers(const char *dir)
{
	char id[13];

	e2e_docker_ready();
	e2e_stock_containers_remove();
	e2e_docker_run_id(id,
			  "run -d --name " E2E_STOCK_C " --network none -v %s:/e2e:ro "
			  "--device /dev/null:/dev/vd-%s " E2E_IMAGE
			  " sh -c 'mkdir -p /tmp && exec sleep 600' c-%s",
			  dir, e2e_stock_token(), e2e_stock_token());
	e2e_docker_run_id(id,
			  "run -d --name " E2E_STOCK_SA
			  " --network none --cap-add SYS_ADMIN " E2E_IMAGE
			  " sh -c 'mkdir -p /tmp && exec sleep 600' sa-%s",
			  e2e_stock_token());
	/* the first processes make /tmp too, but perhaps not yet */
	if (e2e_sh(NULL, E2E_DOCKER_MS, E2E_IN_C "mkdir -p /tmp && " E2E_IN_SA "mkdir -p /tmp"))
		fail_msg("mkdir -p /tmp in the containers failed");
}

static void run_ok(const char *file, int line, const char *tmpl, bool tty)
{
	const char *cmd = e2e_stock_expand(tmpl);
	int rc =
		tty ? e2e_pty_sh(E2E_DOCKER_MS, "%s", cmd) : e2e_sh(NULL, E2E_DOCKER_MS, "%s", cmd);

	if (rc) {
		print_error("%s:%d: command failed: %s\n", file, line, cmd);
		_fail(file, line);
	}
}

/* Print every alert matching @m. */
static void list_matching(const struct e2e_vigil *v, const struct e2e_match *m)
{
	json_t *one = json_array();
	size_t i;
	json_t *a;

	json_array_foreach(v->alerts, i, a)
	{
		json_array_clear(one);
		json_array_append(one, a);
		if (e2e_count_in(one, m))
			e2e_print_alert("  ", a);
	}
	json_decref(one);
}

void _e2e_stock_none(const char *file, int line, struct e2e_vigil *v, const char *rule,
		     const char *key, const char *value)
{
	struct e2e_match m = { .rule = rule, .fields = { { key, e2e_stock_expand(value) } } };

	tu_sleep_ms(GRACE_MS);
	e2e_refresh(v);
	if (e2e_count(v, &m) == 0)
		return;
	print_error("%s:%d: \"%s\" fired for the benign variant (%s = \"%s\"):\n", file, line, rule,
		    key, m.fields[0][1]);
	list_matching(v, &m);
	_fail(file, line);
}

const json_t *_e2e_stock_check(const char *file, int line, struct e2e_vigil *v,
			       const struct e2e_stock_case *c)
{
	struct e2e_match m = { .rule = c->rule,
			       .fields = { { c->key, e2e_stock_expand(c->want) } } };
	size_t want = c->count ? c->count : 1, n;

	if (c->benign)
		run_ok(file, line, c->benign, false);
	run_ok(file, line, c->run, c->tty);
	_e2e_wait_alert(file, line, v, &m, ALERT_WAIT_MS);
	if (c->benign) {
		_e2e_stock_none(file, line, v, c->rule, c->key, c->benign_want);
	} else {
		tu_sleep_ms(GRACE_MS); /* for alerts of @c->run beyond the first */
		e2e_refresh(v);
	}
	n = e2e_count(v, &m);
	if (n != want && want != E2E_STOCK_ANY) {
		print_error("%s:%d: \"%s\" fired %zu times for %s = \"%s\", want %zu:\n", file,
			    line, c->rule, n, c->key, m.fields[0][1], want);
		list_matching(v, &m);
		_fail(file, line);
	}
	return e2e_wait_alert(v, &m, 0); /* the first, still owned by @v */
}

/*
 * Read what @pid writes to the terminal (a writer blocks when nobody does)
 * until it exits; its wait status, or -1 when it ran longer than @ms.
 */
static int drain(int master, pid_t pid, long ms)
{
	struct timespec start, now;
	char buf[4096];
	int status;

	clock_gettime(CLOCK_MONOTONIC, &start);
	for (now = start;
	     (now.tv_sec - start.tv_sec) * 1000L + (now.tv_nsec - start.tv_nsec) / 1000000L < ms;
	     clock_gettime(CLOCK_MONOTONIC, &now)) {
		struct pollfd p = { .fd = master, .events = POLLIN };

		/* EIO once no process has the terminal open: wait for the exit */
		if (poll(&p, 1, 50) > 0 && read(master, buf, sizeof(buf)) < 0) {
			if (errno != EIO)
				fail_msg("read from the pseudo-terminal: %s", strerror(errno));
			tu_sleep_ms(20);
		}
		if (waitpid(pid, &status, WNOHANG) == pid)
			return status;
	}
	tu_kill_and_reap(pid);
	return -1;
}

static void pty_child(const char *slave, const char *cmd)
{
	int fd;

	setsid();
	fd = open(slave, O_RDWR); /* the first terminal a session leader opens is its own */
	if (fd < 0 || ioctl(fd, TIOCSCTTY, 0) < 0)
		_exit(126);
	dup2(fd, 0);
	dup2(fd, 1);
	dup2(fd, 2);
	if (fd > 2)
		close(fd);
	execl("/bin/sh", "sh", "-c", cmd, (char *)NULL);
	_exit(127);
}

int e2e_pty_sh(long timeout_ms, const char *fmt, ...)
{
	char cmd[4096], slave[128];
	int master, status = -1;
	va_list ap;
	pid_t pid;

	va_start(ap, fmt);
	vsnprintf(cmd, sizeof(cmd), fmt, ap);
	va_end(ap);
	master = posix_openpt(O_RDWR | O_NOCTTY | O_CLOEXEC);
	if (master < 0 || grantpt(master) || unlockpt(master) ||
	    ptsname_r(master, slave, sizeof(slave)))
		fail_msg("pseudo-terminal: %s", strerror(errno));
	pid = tu_fork();
	if (pid == 0)
		pty_child(slave, cmd);
	status = drain(master, pid, timeout_ms);
	close(master);
	if (status == -1) {
		print_error("command timed out after %ld ms: %s\n", timeout_ms, cmd);
		return -1;
	}
	return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}
