// SPDX-License-Identifier: Apache-2.0
/*
 * Reloads that their requester waits for (reloadreq.h): the answering side,
 * used by the event loop, and `vigil reload PID`, the requesting side.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "run/reloadreq.h"
#include "util/log.h"

#define RELOAD_TIMEOUT_S 90.0 /* the default wait; systemd's own is 90 s */

int vgl_reload_answer_signal(void)
{
	return SIGRTMIN + 2; /* glibc keeps the first ones; any unused one will do */
}

void vgl_reload_answer(pid_t pid, enum vgl_reload_outcome outcome)
{
	union sigval v = { .sival_int = (int)outcome };

	/* the requester may be gone (a timed-out wait): nothing to tell then */
	if (sigqueue(pid, vgl_reload_answer_signal(), v) && errno != ESRCH)
		vgl_warn("reload: cannot answer process %d: %s", (int)pid, strerror(errno));
}

void vgl_reload_waiters_add(struct vgl_reload_waiters *w, pid_t pid)
{
	if (w->n == VGL_RELOAD_WAITERS) {
		vgl_reload_answer(pid, VGL_RELOAD_BUSY);
		return;
	}
	w->pid[w->n++] = pid;
}

void vgl_reload_waiters_answer(struct vgl_reload_waiters *w, enum vgl_reload_outcome outcome)
{
	for (size_t i = 0; i < w->n; i++)
		vgl_reload_answer(w->pid[i], outcome);
	w->n = 0;
}

static const char *outcome_text(int outcome)
{
	switch (outcome) {
	case VGL_RELOAD_OK:
		return "the new rules run";
	case VGL_RELOAD_FAILED:
		return "the rules could not be loaded; the running ones are kept (vigil's log "
		       "says why)";
	case VGL_RELOAD_PARTIAL:
		return "the new rules run, but some event kinds they need could not be hooked "
		       "(vigil's log says which)";
	case VGL_RELOAD_NO_RULES:
		return "vigil runs without rules: nothing to reload";
	case VGL_RELOAD_BUSY:
		return "too many reload requests are waiting";
	default:
		return "unknown answer";
	}
}

/* Wait for @pid's answer: its value, or -1 (said why) when none comes. */
static int wait_answer(pid_t pid, double timeout)
{
	struct timespec step = { .tv_sec = 1 };
	siginfo_t si;
	sigset_t set;

	sigemptyset(&set);
	sigaddset(&set, vgl_reload_answer_signal());
	for (double waited = 0; waited < timeout; waited += 1) {
		if (sigtimedwait(&set, &si, &step) >= 0) {
			if (si.si_pid == pid && si.si_code == SI_QUEUE)
				return si.si_value.sival_int;
			continue; /* someone else's answer */
		}
		if (errno != EAGAIN && errno != EINTR) {
			vgl_err("reload: waiting for process %d: %s", (int)pid, strerror(errno));
			return -1;
		}
		if (kill(pid, 0) && errno == ESRCH) {
			vgl_err("reload: process %d exited before answering", (int)pid);
			return -1;
		}
	}
	vgl_err("reload: process %d did not answer within %.0f s (is it vigil run?)", (int)pid,
		timeout);
	return -1;
}

static int parse_reload_args(int argc, char **argv, pid_t *ret_pid, double *ret_timeout)
{
	char *end;
	long pid;
	int i = 1;

	*ret_timeout = RELOAD_TIMEOUT_S;
	if (i + 1 < argc && !strcmp(argv[i], "--timeout")) {
		*ret_timeout = strtod(argv[i + 1], &end);
		if (*end || end == argv[i + 1] || !(*ret_timeout >= 1) || *ret_timeout > 86400)
			return vgl_usage_error("reload: --timeout: '%s' is not a number of "
					       "seconds from 1 to 86400",
					       argv[i + 1]);
		i += 2;
	}
	if (i != argc - 1)
		return vgl_usage_error("usage: vigil reload [--timeout SECONDS] PID");
	pid = strtol(argv[i], &end, 10);
	if (*end || end == argv[i] || pid <= 0 || pid > 4194304)
		return vgl_usage_error("reload: '%s' is not a process id", argv[i]);
	*ret_pid = (pid_t)pid;
	return 0;
}

/* 0 when @pid is a vigil (its comm), else -1 (said why): SIGHUP ends most programs. */
static int is_vigil(pid_t pid)
{
	char path[64], comm[32] = "";
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%d/comm", (int)pid);
	f = fopen(path, "re");
	if (!f) {
		vgl_err("reload: no process %d: %s", (int)pid, strerror(errno));
		return -1;
	}
	if (!fgets(comm, sizeof(comm), f))
		comm[0] = '\0';
	fclose(f);
	comm[strcspn(comm, "\n")] = '\0';
	if (strcmp(comm, "vigil")) {
		vgl_err("reload: process %d is '%s', not vigil: not signalled", (int)pid, comm);
		return -1;
	}
	return 0;
}

int vgl_cmd_reload(int argc, char **argv)
{
	union sigval v = { .sival_int = VGL_RELOAD_MARKER };
	double timeout = 0;
	sigset_t set;
	pid_t pid = 0;
	int ret = parse_reload_args(argc, argv, &pid, &timeout);

	if (ret)
		return ret;
	if (is_vigil(pid))
		return 1;
	/* blocked before asking: an answer that comes at once is queued, not lost */
	sigemptyset(&set);
	sigaddset(&set, vgl_reload_answer_signal());
	sigprocmask(SIG_BLOCK, &set, NULL);
	if (sigqueue(pid, SIGHUP, v)) {
		vgl_err("reload: cannot signal process %d: %s", (int)pid, strerror(errno));
		return 1;
	}
	ret = wait_answer(pid, timeout);
	if (ret < 0)
		return 1;
	if (ret == VGL_RELOAD_OK) {
		fprintf(stderr, "vigil: reload: %s\n", outcome_text(ret));
		return 0;
	}
	vgl_err("reload: %s", outcome_text(ret));
	return 1;
}
