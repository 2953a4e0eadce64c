// SPDX-License-Identifier: Apache-2.0
/*
 * state_rss [SYNTHETIC_FORKS]: the memory of vigil's state tracker on this
 * host. Builds the state exactly as the daemon does (full /proc scan), then
 * optionally feeds SYNTHETIC_FORKS fork+exec event pairs (pids above any
 * pid_max) through vgl_state_update(), and prints the table size and this
 * process's RSS after each step.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "state/state.h"

static long rss_kib(void)
{
	char line[256];
	long kib = -1;
	FILE *f = fopen("/proc/self/status", "r");

	while (f && fgets(line, sizeof(line), f)) {
		if (!strncmp(line, "VmRSS:", 6))
			kib = strtol(line + 6, NULL, 10);
	}
	if (f)
		fclose(f);
	return kib;
}

static double now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

static struct vgl_event mkev(enum vgl_kind kind, uint32_t pid, uint64_t ts)
{
	struct vgl_event ev;
	unsigned int i;

	memset(&ev, 0, sizeof(ev));
	ev.kind = kind;
	ev.info = &vgl_kind_info[kind];
	ev.nparams = ev.info->nparams;
	for (i = 0; i < ev.nparams; i++)
		ev.params[i].info = &ev.info->params[i];
	ev.hdr.pid = ev.hdr.tid = pid;
	ev.hdr.ts = ts;
	memcpy(ev.hdr.comm, "sleep", 6);
	return ev;
}

static void synthetic(struct vgl_state *st, long n)
{
	static const char argv[] = "sleep\0"
				   "1000";
	struct vgl_event ev;
	long i;

	for (i = 0; i < n; i++) {
		uint32_t pid = 10000000u + (uint32_t)i;

		ev = mkev(VGL_EV_CLONE, i ? pid - 1 : (uint32_t)1, (uint64_t)i * 2 + 1);
		ev.hdr.res = pid;
		ev.params[0].num.i = pid;
		vgl_state_update(st, &ev);
		ev = mkev(VGL_EV_EXECVE, pid, (uint64_t)i * 2 + 2);
		ev.params[0].str = "/usr/bin/sleep";
		ev.params[0].len = 14;
		ev.params[1].str = argv;
		ev.params[1].len = sizeof(argv) - 1;
		ev.params[2] = ev.params[0];
		ev.params[2].info = &ev.info->params[2];
		ev.params[3].str = "/tmp";
		ev.params[3].len = 4;
		vgl_state_update(st, &ev);
	}
}

int main(int argc, char **argv)
{
	long forks = argc > 1 ? strtol(argv[1], NULL, 10) : 0, rss0 = rss_kib();
	struct vgl_state_stats s;
	struct vgl_state_opts o;
	struct vgl_state *st;
	double t0 = now_ms(), t1;

	vgl_state_opts_default(&o);
	st = vgl_state_new(&o);
	if (!st) {
		perror("vgl_state_new");
		return 1;
	}
	t1 = now_ms();
	vgl_state_stats(st, &s);
	printf("scan: %zu processes in %.0f ms, rss %ld KiB (+%ld KiB over %ld KiB before)\n",
	       s.procs.entries, t1 - t0, rss_kib(), rss_kib() - rss0, rss0);
	if (forks > 0) {
		synthetic(st, forks);
		vgl_state_stats(st, &s);
		printf("after %ld synthetic fork+exec: %zu processes, %llu evictions, rss %ld KiB "
		       "(+%ld KiB)\n",
		       forks, s.procs.entries, (unsigned long long)s.procs.evictions, rss_kib(),
		       rss_kib() - rss0);
	}
	vgl_state_free(st);
	return 0;
}
