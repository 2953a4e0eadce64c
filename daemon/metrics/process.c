// SPDX-License-Identifier: Apache-2.0
/*
 * The process collector every Prometheus client library has: CPU time,
 * memory, start time, file descriptors (process_* metrics).
 */
#include <dirent.h>
#include <stdio.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>
#include <unistd.h>

#include "metrics/view.h"

/* Seconds since the epoch at which the system booted (/proc/stat btime). */
static double boot_time(void)
{
	FILE *f = fopen("/proc/stat", "re");
	unsigned long long btime = 0;
	char line[256];

	if (!f)
		return 0;
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, "btime %llu", &btime) == 1)
			break;
	fclose(f);
	return (double)btime;
}

/* Field 22 of /proc/self/stat: start time in clock ticks after boot. */
double vgl_process_start_time(void)
{
	FILE *f = fopen("/proc/self/stat", "re");
	unsigned long long ticks = 0;
	char buf[1024], *p;
	long hz = sysconf(_SC_CLK_TCK);
	size_t n;

	if (!f)
		return 0;
	n = fread(buf, 1, sizeof(buf) - 1, f);
	fclose(f);
	buf[n] = '\0';
	p = strrchr(buf, ')'); /* after the command name, which may hold anything */
	/* state ppid pgrp session tty tpgid flags minflt cminflt majflt cmajflt
	 * utime stime cutime cstime priority nice threads itrealvalue starttime */
	if (!p || hz <= 0 ||
	    sscanf(p + 1,
		   " %*c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u"
		   " %*u %*u %*d %*d %*d %*d %*d %*d %llu",
		   &ticks) != 1)
		return 0;
	return boot_time() + (double)ticks / (double)hz;
}

static uint64_t count_fds(void)
{
	DIR *d = opendir("/proc/self/fd");
	struct dirent *e;
	uint64_t n = 0;

	if (!d)
		return 0;
	while ((e = readdir(d)))
		if (e->d_name[0] != '.')
			n++;
	closedir(d);
	return n ? n - 1 : 0; /* not the one opendir() holds */
}

void vgl_process_stats(struct vgl_process_stats *ret)
{
	unsigned long long vsize = 0, rss = 0;
	long page = sysconf(_SC_PAGESIZE);
	struct rusage ru;
	struct rlimit rl;
	FILE *f;

	memset(ret, 0, sizeof(*ret));
	if (!getrusage(RUSAGE_SELF, &ru))
		ret->cpu_seconds = (double)ru.ru_utime.tv_sec + ru.ru_utime.tv_usec / 1e6 +
				   (double)ru.ru_stime.tv_sec + ru.ru_stime.tv_usec / 1e6;
	f = fopen("/proc/self/statm", "re");
	if (f) {
		if (fscanf(f, "%llu %llu", &vsize, &rss) == 2 && page > 0) {
			ret->vsize_bytes = vsize * (uint64_t)page;
			ret->rss_bytes = rss * (uint64_t)page;
		}
		fclose(f);
	}
	ret->open_fds = count_fds();
	if (!getrlimit(RLIMIT_NOFILE, &rl))
		ret->max_fds = rl.rlim_cur == RLIM_INFINITY ? 0 : rl.rlim_cur;
}
