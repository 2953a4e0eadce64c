/* SPDX-License-Identifier: Apache-2.0 */
/*
 * A reload that its requester can wait for: `vigil reload PID` (the systemd
 * unit's ExecReload) queues SIGHUP with a marker (sigqueue(3)); vigil
 * answers each such request with a signal carrying the outcome once the
 * reload is over, so that `systemctl reload vigil` returns when the new
 * rules run, and fails when they could not be loaded. A plain SIGHUP
 * (kill -HUP) reloads the same way and gets no answer.
 */
#ifndef VIGIL_RUN_RELOADREQ_H
#define VIGIL_RUN_RELOADREQ_H

#include <stddef.h>
#include <sys/types.h>

#define VGL_RELOAD_MARKER  0x76676c52 /* "vglR": the sigqueue value of a request */
#define VGL_RELOAD_WAITERS 16	      /* requests answered per reload, at most */

/* The answer's sigqueue value. */
enum vgl_reload_outcome {
	VGL_RELOAD_OK = 0,	 /* the new rules run */
	VGL_RELOAD_FAILED = 1,	 /* not loaded: the running rules are kept */
	VGL_RELOAD_PARTIAL = 2,	 /* loaded, but some event kinds could not be hooked */
	VGL_RELOAD_NO_RULES = 3, /* vigil runs without rules: nothing to reload */
	VGL_RELOAD_BUSY = 4,	 /* too many requests wait already */
};

/* The signal vigil answers with (a real-time signal, queued). */
int vgl_reload_answer_signal(void);

/* Tell @pid the outcome of its request. */
void vgl_reload_answer(pid_t pid, enum vgl_reload_outcome outcome);

/* The requesters of the reload under way. */
struct vgl_reload_waiters {
	pid_t pid[VGL_RELOAD_WAITERS];
	size_t n;
};

/* Add @pid; VGL_RELOAD_BUSY answered at once when the list is full. */
void vgl_reload_waiters_add(struct vgl_reload_waiters *w, pid_t pid);
/* Answer every waiter with @outcome and empty the list. */
void vgl_reload_waiters_answer(struct vgl_reload_waiters *w, enum vgl_reload_outcome outcome);

/* `vigil reload [--timeout SECS] PID`: exit status. */
int vgl_cmd_reload(int argc, char **argv);

#endif /* VIGIL_RUN_RELOADREQ_H */
