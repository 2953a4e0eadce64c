/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The capabilities `vigil run` needs: checked at start, before anything is
 * loaded, and after attaching the only ones every thread keeps (the
 * bounding set too, so that programs vigil starts cannot regain others).
 *
 *   CAP_BPF             bpf(2): load, and later update the syscall filter,
 *                       read the counters, attach on reload
 *   CAP_PERFMON         attach tracing programs (perf_event_open(2) of the
 *                       syscalls/ tracepoints), at start and on reload
 *   CAP_SYS_PTRACE      /proc/PID/{exe,cwd,root,environ,ns} of any process
 *   CAP_DAC_READ_SEARCH /proc/PID/fd and the runtimes' state not root's
 *   CAP_SYS_ADMIN       kept, when held, where kernel.perf_event_paranoid
 *                       is above 2: a Debian patch then lets nothing else
 *                       open perf events, the per-syscall tracepoints
 *                       included (Debian 12's 6.1). Not required at start:
 *                       without tracefs vigil hooks tp_btf/sys_exit, which
 *                       opens no perf event; with it, the attach fails
 *                       naming the tracepoint.
 */
#ifndef VIGIL_RUN_PRIVS_H
#define VIGIL_RUN_PRIVS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* True when kernel.perf_event_paranoid is above 2 (perf events need CAP_SYS_ADMIN). */
bool vgl_privs_perf_admin(void);

/*
 * The capabilities vigil keeps (a mask of 1 << CAP_*) when it holds
 * @effective: CAP_SYS_ADMIN in place of CAP_BPF and CAP_PERFMON when it
 * was given that instead (runtimes that know neither).
 */
uint64_t vgl_privs_keep(uint64_t effective, bool perf_admin);

/*
 * The first capability of the kept set that @effective lacks, its reason in
 * *@ret_why ("needed to load the BPF programs"); -1 when none is missing.
 */
int vgl_privs_missing(uint64_t effective, const char **ret_why);

/*
 * Check this process' effective set: 0, or -EPERM with "missing capability
 * CAP_BPF: needed to load the BPF programs" in @err.
 */
int vgl_privs_check(char *err, size_t errlen);

/*
 * Drop every capability but the kept ones from every thread: effective,
 * permitted, inheritable, ambient and (with CAP_SETPCAP) bounding sets.
 * Threads that exist already drop theirs on a signal. 0, or -errno with
 * what failed in @err.
 */
int vgl_privs_drop(char *err, size_t errlen);

/* The effective set of this thread (1 << CAP_*), 0 if unreadable. */
uint64_t vgl_privs_effective(void);

#endif /* VIGIL_RUN_PRIVS_H */
