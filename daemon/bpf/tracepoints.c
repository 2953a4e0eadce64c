// SPDX-License-Identifier: Apache-2.0
/*
 * The per-syscall tracepoints (syscalls/sys_{enter,exit}_<name>): whether
 * this process may use them here, the exit hook's choice between them and
 * tp_btf/sys_exit, and attaching sys_enter to them.
 *
 * Attaching a tracepoint program opens a perf event (perf_event_open(2)),
 * which the kernel may refuse even to a process that may load and attach
 * every other kind of program: Debian's kernels at
 * kernel.perf_event_paranoid=3 (their default) refuse it without
 * CAP_SYS_ADMIN, and a seccomp filter may forbid the syscall. The tp_btf
 * programs need no perf event, so they are the fallback.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <linux/perf_event.h>

#include <bpf/libbpf.h>

#include "bpf/loader.h"
#include "bpf/loader_int.h"
#include "vigil.skel.h"

#define VGL_TRACEFS "/sys/kernel/tracing"
/* a syscall every architecture has, whose tracepoint the probe opens */
#define VGL_PROBE_TP VGL_TRACEFS "/events/syscalls/sys_exit_getpid/id"

/* tracefs, where libbpf looks for tracepoint ids; mounted if it is not. */
static int tracefs_ready(void)
{
	if (access(VGL_TRACEFS "/events/syscalls", F_OK) == 0)
		return 0;
	if (mount("tracefs", VGL_TRACEFS, "tracefs", MS_NOSUID | MS_NODEV | MS_NOEXEC, NULL))
		return -errno;
	return access(VGL_TRACEFS "/events/syscalls", F_OK) ? -errno : 0;
}

int vgl_bpf_perf_paranoid(void)
{
	FILE *f = fopen("/proc/sys/kernel/perf_event_paranoid", "re");
	int level = 2;

	if (f) {
		if (fscanf(f, "%d", &level) != 1)
			level = 2;
		fclose(f);
	}
	return level;
}

/* The tracepoint's id in tracefs, or -1. */
static long tracepoint_id(const char *path)
{
	char buf[32];
	ssize_t n;
	int fd = open(path, O_RDONLY | O_CLOEXEC);

	if (fd < 0)
		return -1;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0)
		return -1;
	buf[n] = '\0';
	return strtol(buf, NULL, 10);
}

/*
 * 0 if this process may open a perf event on a syscall tracepoint the way
 * libbpf attaches one (every CPU's, cpu 0), else -errno with @why saying
 * what refused it. A kernel without the probe's tracepoint is not refused.
 */
static int perf_allowed(char *why, size_t len)
{
	struct perf_event_attr attr = {
		.type = PERF_TYPE_TRACEPOINT,
		.size = sizeof(attr),
		.sample_period = 1,
		.wakeup_events = 1,
	};
	long id = tracepoint_id(VGL_PROBE_TP), fd;
	int paranoid, err;

	if (id < 0)
		return 0;
	attr.config = (unsigned long long)id;
	fd = syscall(SYS_perf_event_open, &attr, -1, 0, -1, PERF_FLAG_FD_CLOEXEC);
	if (fd >= 0) {
		close((int)fd);
		return 0;
	}
	err = errno;
	paranoid = vgl_bpf_perf_paranoid();
	if (paranoid > 2)
		snprintf(why, len,
			 "perf_event_open(2) refused (%s): kernel.perf_event_paranoid is %d, "
			 "which needs CAP_SYS_ADMIN",
			 strerror(err), paranoid);
	else
		snprintf(why, len, "perf_event_open(2) refused: %s", strerror(err));
	return -err;
}

int vgl_tp_usable(char *why, size_t len)
{
	int ret = tracefs_ready();

	if (ret) {
		snprintf(why, len, "no tracefs at " VGL_TRACEFS ": %s", strerror(-ret));
		return ret;
	}
	return perf_allowed(why, len);
}

/*
 * Hook each wanted syscall's exit at its own syscalls/sys_exit_<name>
 * tracepoint where the kernel allows (tracefs, and bpf_task_pt_regs() to
 * read the arguments: 5.15+): then the system's other syscalls run no
 * program at all. Else one tp_btf/sys_exit program dispatches every
 * syscall. Syscalls this kernel has no tracepoint for (compiled out, such
 * as init_module without CONFIG_MODULES: a call fails with ENOSYS) go
 * through that dispatcher too, attached only while one of them is wanted.
 */
int vgl_tp_choose_exit(struct vgl_bpf *b, enum vgl_syscall_hook want, char *err, size_t errlen)
{
	const char *why = NULL;
	char path[128], tp_why[160];
	int ret = 0;

	if (want == VGL_SYSCALL_HOOK_RAW) {
		why = "not asked for (--syscall-hook raw)";
	} else if (vgl_syscall_slots() > VGL_EXIT_SLOTS) {
		why = "more syscalls than VGL_EXIT_SLOTS";
	} else if ((ret = vgl_tp_usable(tp_why, sizeof(tp_why))) != 0) {
		why = tp_why;
	} else if (libbpf_probe_bpf_helper(BPF_PROG_TYPE_TRACEPOINT, BPF_FUNC_task_pt_regs, NULL) !=
		   1) {
		why = "no bpf_task_pt_regs() to read the arguments (kernel < 5.15)";
	}
	b->exit_tp = !why;
	if (why) {
		snprintf(b->exit_why, sizeof(b->exit_why),
			 "syscalls/sys_exit_<name> tracepoints: %s", why);
		if (want == VGL_SYSCALL_HOOK_TRACEPOINTS) {
			snprintf(err, errlen, "--syscall-hook tracepoints: %s", b->exit_why);
			return -ENOTSUP;
		}
		return 0;
	}
	for (size_t i = 0; i < vgl_syscall_slots(); i++) {
		const char *tp;

		vgl_syscall_slot(i, &tp);
		snprintf(path, sizeof(path), VGL_TRACEFS "/events/syscalls/sys_exit_%s", tp);
		b->on_tp[i] = access(path, F_OK) == 0;
	}
	return 0;
}

void vgl_bpf_drop_links(struct bpf_link **links, size_t n)
{
	for (size_t i = 0; i < n; i++)
		bpf_link__destroy(links[i]);
}

/* Attach vgl_sys_enter_tp to each syscall's own sys_enter tracepoint. */
int vgl_tp_attach_enter(struct vgl_bpf *b, struct bpf_link **links, size_t *ret_n)
{
	const char *names[VGL_ENTER_TP_MAX];
	size_t n = vgl_kindset_enter_syscalls(&b->enter_set, b->have_task_regs, names,
					      VGL_ENTER_TP_MAX);
	char tp[64], why[160];
	int ret;

	if (n > VGL_ENTER_TP_MAX)
		return -E2BIG;
	ret = vgl_tp_usable(why, sizeof(why));
	if (ret)
		return ret;
	for (size_t i = 0; i < n; i++) {
		snprintf(tp, sizeof(tp), "sys_enter_%s", names[i]);
		links[i] = bpf_program__attach_tracepoint(b->skel->progs.vgl_sys_enter_tp,
							  "syscalls", tp);
		if (!links[i]) {
			ret = -errno;
			vgl_bpf_drop_links(links, i);
			return ret ? ret : -ENOENT;
		}
	}
	*ret_n = n;
	return 0;
}
