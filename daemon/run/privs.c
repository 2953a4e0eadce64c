// SPDX-License-Identifier: Apache-2.0
/*
 * Capabilities through the kernel's interface (capget/capset(2), prctl(2)):
 * no library. Capabilities belong to each thread, so threads that already
 * run when vigil drops its own do the same from a signal handler
 * (VGL_SIG_PRIVS), as glibc does for setuid(2); /proc/self/task tells
 * when every one has.
 */
#include <dirent.h>
#include <errno.h>
#include <linux/capability.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include "bpf/loader.h"
#include "output/names.h"
#include "run/privs.h"
#include "util/threadsig.h"

#define BIT(cap)	  (1ull << (cap))
#define VGL_DROP_ROUNDS	  200 /* of 5 ms: a second for every thread to drop */
#define VGL_DROP_ROUND_NS 5000000

/* @alt, where there is one, stands in for @cap: the kernel's own rule
 * (bpf_capable(), perfmon_capable()), and all that runtimes without CAP_BPF
 * and CAP_PERFMON (Debian 12's dockerd 20.10) can grant. */
static const struct {
	int cap;
	int alt;
	const char *why;
} needs[] = {
	{ CAP_BPF, CAP_SYS_ADMIN, "needed to load the BPF programs" },
	{ CAP_PERFMON, CAP_SYS_ADMIN,
	  "needed to attach the BPF programs to the kernel's tracepoints" },
	{ CAP_SYS_PTRACE, -1, "needed to read /proc/PID of processes of other users" },
	{ CAP_DAC_READ_SEARCH, -1,
	  "needed to read /proc/PID/fd and the container runtimes' state" },
};

bool vgl_privs_perf_admin(void)
{
	return vgl_bpf_perf_paranoid() > 2;
}

uint64_t vgl_privs_keep(uint64_t effective, bool perf_admin)
{
	uint64_t keep = perf_admin ? BIT(CAP_SYS_ADMIN) : 0;

	for (size_t i = 0; i < sizeof(needs) / sizeof(needs[0]); i++)
		keep |= (effective & BIT(needs[i].cap)) || needs[i].alt < 0 ? BIT(needs[i].cap)
									    : BIT(needs[i].alt);
	return keep;
}

int vgl_privs_missing(uint64_t effective, const char **ret_why)
{
	for (size_t i = 0; i < sizeof(needs) / sizeof(needs[0]); i++) {
		bool alt = needs[i].alt >= 0 && (effective & BIT(needs[i].alt));

		if (!(effective & BIT(needs[i].cap)) && !alt) {
			*ret_why = needs[i].why;
			return needs[i].cap;
		}
	}
	return -1;
}

static int caps_get(struct __user_cap_data_struct data[2])
{
	struct __user_cap_header_struct hdr = { .version = _LINUX_CAPABILITY_VERSION_3 };

	return syscall(SYS_capget, &hdr, data) ? -errno : 0;
}

uint64_t vgl_privs_effective(void)
{
	struct __user_cap_data_struct data[2] = { 0 };

	if (caps_get(data))
		return 0;
	return data[0].effective | (uint64_t)data[1].effective << 32;
}

int vgl_privs_check(char *err, size_t errlen)
{
	const char *why = "";
	int cap = vgl_privs_missing(vgl_privs_effective(), &why);

	if (cap < 0)
		return 0;
	snprintf(err, errlen, "missing capability %s: %s", vgl_cap_name(cap), why);
	return -EPERM;
}

/*
 * This thread's drop; async-signal-safe (system calls only). The bounding
 * set shrinks only with CAP_SETPCAP: without it, whoever started vigil
 * chose the bounding set (systemd's CapabilityBoundingSet=, docker's
 * --cap-drop).
 */
static int drop_self(uint64_t keep)
{
	struct __user_cap_header_struct hdr = { .version = _LINUX_CAPABILITY_VERSION_3 };
	struct __user_cap_data_struct data[2] = { 0 };

	for (int cap = 0; cap < 64; cap++) {
		int in = prctl(PR_CAPBSET_READ, cap, 0, 0, 0);

		if (in < 0)
			break; /* past CAP_LAST_CAP */
		if (in == 1 && !(keep & BIT(cap)) && prctl(PR_CAPBSET_DROP, cap, 0, 0, 0) &&
		    errno != EPERM)
			return -errno;
	}
	data[0].effective = data[0].permitted = (uint32_t)keep;
	data[1].effective = data[1].permitted = (uint32_t)(keep >> 32);
	if (syscall(SYS_capset, &hdr, data))
		return -errno;
	/* capset already cleared the ambient set (nothing is inheritable) */
	prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0);
	return 0;
}

static uint64_t drop_keep;
static atomic_int drop_failed;

static void on_privs_signal(int sig)
{
	int saved = errno;

	(void)sig;
	if (drop_self(drop_keep))
		atomic_fetch_add(&drop_failed, 1);
	errno = saved;
}

/* The permitted set of thread @tid from /proc, or ~0 when unreadable. */
static uint64_t task_permitted(pid_t tid)
{
	char path[64], line[128];
	unsigned long long prm = ~0ull;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/self/task/%d/status", (int)tid);
	f = fopen(path, "re");
	if (!f)
		return errno == ENOENT ? 0 : ~0ull; /* gone: nothing to drop */
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, "CapPrm: %llx", &prm) == 1)
			break;
	fclose(f);
	return prm;
}

/* Signal each thread that still holds more than @keep: how many, or -errno. */
static int signal_threads(uint64_t keep, char *err, size_t errlen)
{
	DIR *d = opendir("/proc/self/task");
	pid_t self = (pid_t)syscall(SYS_gettid);
	struct dirent *de;
	int pending = 0;

	if (!d) {
		snprintf(err, errlen, "dropping capabilities: /proc/self/task: %s",
			 strerror(errno));
		return -errno;
	}
	while ((de = readdir(d))) {
		pid_t tid = (pid_t)atoi(de->d_name);

		if (tid <= 0 || tid == self || !(task_permitted(tid) & ~keep))
			continue;
		if (!syscall(SYS_tgkill, getpid(), tid, VGL_SIG_PRIVS)) {
			pending++;
		} else if (errno != ESRCH) {
			pending = -errno;
			snprintf(err, errlen, "dropping capabilities: thread %d: %s", tid,
				 strerror(errno));
			break;
		}
	}
	closedir(d);
	return pending;
}

int vgl_privs_drop(char *err, size_t errlen)
{
	struct timespec round = { 0, VGL_DROP_ROUND_NS };
	struct sigaction sa = { .sa_handler = on_privs_signal, .sa_flags = SA_RESTART };
	int ret;

	uint64_t eff = vgl_privs_effective();

	drop_keep = vgl_privs_keep(eff, vgl_privs_perf_admin()) & eff;
	sigemptyset(&sa.sa_mask);
	if (sigaction(VGL_SIG_PRIVS, &sa, NULL))
		return -errno;
	ret = drop_self(drop_keep);
	if (ret) {
		snprintf(err, errlen, "dropping capabilities: %s", strerror(-ret));
		return ret;
	}
	for (int i = 0; i < VGL_DROP_ROUNDS; i++) {
		ret = signal_threads(drop_keep, err, errlen);
		if (ret <= 0)
			break;
		nanosleep(&round, NULL);
	}
	if (ret > 0 || (!ret && atomic_load(&drop_failed))) {
		snprintf(err, errlen, "dropping capabilities: a thread kept its own%s",
			 atomic_load(&drop_failed) ? "" : " (it blocks the signal)");
		return -EPERM;
	}
	return ret;
}
