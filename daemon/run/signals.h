/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The signals `vigil run` handles, read from a signalfd by the event loop:
 * SIGINT / SIGTERM stop, SIGHUP reloads the rules, SIGUSR1 reopens files.
 */
#ifndef VIGIL_RUN_SIGNALS_H
#define VIGIL_RUN_SIGNALS_H

/*
 * Block them in the calling thread. Call before any thread starts (sinks,
 * reload, resolver, metrics): threads inherit the mask, so the signals
 * reach the loop's signalfd only, never a default action in another
 * thread. 0 or -errno.
 */
int vgl_signals_block(void);

/* A non-blocking signalfd for them, or -errno. */
int vgl_signals_fd(void);

#endif /* VIGIL_RUN_SIGNALS_H */
