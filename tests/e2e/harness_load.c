// SPDX-License-Identifier: Apache-2.0
/* Workers that load the host while a test runs (harness_load.h). */
#define _GNU_SOURCE
#include <errno.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/wait.h>

#include "harness.h"
#include "harness_load.h"

#define MAX_LIVE	 8
#define STOP_TIMEOUT_MS	 10000
#define CLOCK_EVERY_STEP 256 /* steps between two looks at the worker's deadline */

/*
 * The workers started and not yet stopped, by value (a failed test's
 * struct e2e_worker is gone with its stack): e2e_load_teardown() kills them.
 */
static struct e2e_worker live[MAX_LIVE];

static void remember(const struct e2e_worker *w)
{
	for (int i = 0; i < MAX_LIVE; i++) {
		if (!live[i].pid) {
			live[i] = *w;
			return;
		}
	}
	fail_msg("more than %d load workers at once", MAX_LIVE);
}

/* Forget the worker of @pid and unmap its counters. */
static void release(pid_t pid)
{
	for (int i = 0; i < MAX_LIVE; i++) {
		if (live[i].pid == pid) {
			munmap(live[i].sh, sizeof(*live[i].sh));
			live[i] = (struct e2e_worker){ 0 };
		}
	}
}

static double mono_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

static void pin(int cpu)
{
	cpu_set_t set;

	if (cpu < 0)
		return;
	CPU_ZERO(&set);
	CPU_SET(cpu, &set);
	TU_CHECK(sched_setaffinity(0, sizeof(set), &set) == 0);
}

static void __attribute__((noreturn))
worker_main(struct e2e_worker_shared *sh, pid_t parent, const char *comm, int cpu, e2e_step_fn step,
	    const void *ctx)
{
	double deadline = mono_s() + E2E_WORKER_MAX_S;
	unsigned long n = 0;

	TU_CHECK(prctl(PR_SET_NAME, comm, 0, 0, 0) == 0);
	TU_CHECK(prctl(PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0) == 0);
	if (getppid() != parent)
		_exit(101); /* the test died before the line above */
	pin(cpu);
	while (!__atomic_load_n(&sh->stop, __ATOMIC_RELAXED)) {
		step(ctx, sh->count);
		if (++n % CLOCK_EVERY_STEP == 0 && mono_s() > deadline)
			_exit(102);
	}
	_exit(0);
}

void e2e_worker_start(struct e2e_worker *w, const char *comm, int cpu, e2e_step_fn step,
		      const void *ctx)
{
	pid_t parent = getpid();
	void *p = mmap(NULL, sizeof(*w->sh), PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1,
		       0);

	if (p == MAP_FAILED)
		fail_msg("mmap: %s", strerror(errno));
	*w = (struct e2e_worker){ .sh = p };
	w->pid = tu_fork();
	if (w->pid == 0)
		worker_main(w->sh, parent, comm, cpu, step, ctx);
	remember(w);
}

void e2e_worker_stop(struct e2e_worker *w)
{
	pid_t pid = w->pid;
	int status;

	__atomic_store_n(&w->sh->stop, 1, __ATOMIC_RELAXED);
	w->pid = 0;
	if (!tu_wait_timeout(pid, &status, STOP_TIMEOUT_MS)) {
		tu_kill_and_reap(pid);
		release(pid);
		fail_msg("a load worker did not stop within %d ms", STOP_TIMEOUT_MS);
	}
	memcpy(w->count, w->sh->count, sizeof(w->count));
	w->sh = NULL;
	release(pid);
	if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
		fail_msg("a load worker failed: wait status 0x%x (exit 102: ran past %d s)", status,
			 E2E_WORKER_MAX_S);
}

int e2e_allowed_cpus(int *cpus, int max)
{
	cpu_set_t set;
	int n = 0;

	if (sched_getaffinity(0, sizeof(set), &set) < 0)
		fail_msg("sched_getaffinity: %s", strerror(errno));
	for (int c = 0; c < CPU_SETSIZE && n < max; c++) {
		if (CPU_ISSET(c, &set))
			cpus[n++] = c;
	}
	return n;
}

int e2e_load_teardown(void **state)
{
	for (int i = 0; i < MAX_LIVE; i++) {
		if (live[i].pid) {
			tu_kill_and_reap(live[i].pid);
			release(live[i].pid);
		}
	}
	return e2e_teardown(state);
}
