/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Load for the end-to-end tests: workers that repeat a step in a forked
 * child (optionally pinned to one CPU) while the test does something else
 * (signals vigil), counting what they did in memory shared with the test.
 * A worker stops when told, when the test process dies, or after
 * E2E_WORKER_MAX_S seconds on its own; e2e_load_teardown() kills the ones a
 * failed test left running.
 */
#ifndef VIGIL_TESTS_E2E_HARNESS_LOAD_H
#define VIGIL_TESTS_E2E_HARNESS_LOAD_H

#include <stdint.h>
#include <sys/types.h>

#define E2E_WORKER_COUNTS 4
#define E2E_WORKER_MAX_S  120

/* One step of a worker's loop: add what it did to @count[0..E2E_WORKER_COUNTS). */
typedef void (*e2e_step_fn)(const void *ctx, uint64_t *count);

struct e2e_worker_shared {
	volatile int stop;
	uint64_t count[E2E_WORKER_COUNTS];
};

struct e2e_worker {
	pid_t pid; /* while it runs; 0 once reaped */
	struct e2e_worker_shared *sh;
	/* after e2e_worker_stop(): what the step counted */
	uint64_t count[E2E_WORKER_COUNTS];
};

/*
 * Fork a child named @comm that calls @step(@ctx, counts) until stopped,
 * on CPU @cpu only (-1: anywhere). Fails the test if it cannot.
 */
void e2e_worker_start(struct e2e_worker *w, const char *comm, int cpu, e2e_step_fn step,
		      const void *ctx);
/* Tell the worker to stop, reap it (fails unless it exited 0), copy its counts. */
void e2e_worker_stop(struct e2e_worker *w);

/* The CPUs this process may run on, into @cpus (up to @max): how many. */
int e2e_allowed_cpus(int *cpus, int max);

/* cmocka teardown: kill the workers still running, then e2e_teardown(). */
int e2e_load_teardown(void **state);

#endif /* VIGIL_TESTS_E2E_HARNESS_LOAD_H */
