/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Real activity for the end-to-end tests, each from a forked child named
 * @comm (so that its alerts and events can be told from the host's other
 * programs): an open, an exec, a TCP connect to a listener on 127.0.0.1, a
 * setuid back to root from a process that had dropped it, a ptrace attach.
 * Each waits for its child and fails the test when the child failed.
 */
#ifndef VIGIL_TESTS_E2E_HARNESS_ACTIVITY_H
#define VIGIL_TESTS_E2E_HARNESS_ACTIVITY_H

#include <sys/types.h>

/* open(@path, O_RDONLY) and close it; the child's pid. */
pid_t e2e_do_open(const char *comm, const char *path);
/* @comm forks a child that execs @path (argv[0] @path); waits for both. */
void e2e_do_exec(const char *comm, const char *path);
/* A TCP listener on 127.0.0.1 (an ephemeral port, into *@ret_port); its fd. */
int e2e_listen_local(int *ret_port);
/* connect() to 127.0.0.1:@port over TCP. */
void e2e_do_connect(const char *comm, int port);
/* setresuid(65534, 65534, 0), then setresuid(0, 0, 0): non-root becomes root. */
void e2e_do_setuid(const char *comm);
/* @comm forks a child, PTRACE_ATTACHes to it, detaches and kills it. */
void e2e_do_ptrace(const char *comm);

#endif /* VIGIL_TESTS_E2E_HARNESS_ACTIVITY_H */
