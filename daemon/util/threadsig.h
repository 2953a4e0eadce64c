/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The signal every thread leaves unblocked: `vigil run` drops the
 * capabilities of threads that already run with it (run/privs.c), as
 * capabilities belong to each thread. Threads that block signals block all
 * others with vgl_sigfill_threads().
 */
#ifndef VIGIL_UTIL_THREADSIG_H
#define VIGIL_UTIL_THREADSIG_H

#include <signal.h>

#define VGL_SIG_PRIVS (SIGRTMIN + 4)

static inline void vgl_sigfill_threads(sigset_t *set)
{
	sigfillset(set);
	sigdelset(set, VGL_SIG_PRIVS);
}

#endif /* VIGIL_UTIL_THREADSIG_H */
