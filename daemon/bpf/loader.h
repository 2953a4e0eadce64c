/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The BPF side of vigil as one object: open -> configure -> load -> fill
 * maps -> attach, one cleanup path. Errors come back as -errno with a
 * message in the caller's buffer; nothing here prints.
 */
#ifndef VIGIL_BPF_LOADER_H
#define VIGIL_BPF_LOADER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "bpf/hooks.h"
#include "bpf/syscalls.h"

struct vgl_bpf;

/* How syscall exits are hooked (vigil run --syscall-hook). */
enum vgl_syscall_hook {
	VGL_SYSCALL_HOOK_AUTO,	      /* per-syscall tracepoints where possible */
	VGL_SYSCALL_HOOK_TRACEPOINTS, /* per-syscall tracepoints, or fail */
	VGL_SYSCALL_HOOK_RAW,	      /* tp_btf/sys_exit for every syscall */
};

struct vgl_bpf_opts {
	uint32_t ringbuf_size; /* bytes, power of two, >= page size */
	uint64_t wakeup_bytes; /* wake the consumer once this much is queued */
	enum vgl_syscall_hook syscall_hook;
};

/* Checks that must pass before loading: privileges and kernel BTF. */
int vgl_bpf_preflight(char *err, size_t errlen);

int vgl_bpf_load(const struct vgl_bpf_opts *opts, struct vgl_bpf **ret_bpf, char *err,
		 size_t errlen);

/*
 * Capture exactly the kinds in @set (may be called again while running).
 * @wanted, a subset, are the kinds someone reads (printed or in rules); the
 * rest serve the process table only, and need no syscall-entry state.
 */
int vgl_bpf_set_kinds(struct vgl_bpf *bpf, const struct vgl_kindset *set,
		      const struct vgl_kindset *wanted);

/*
 * Judge opens by @pf from now on (ownership passes; NULL: no prefilter):
 * its tables are written under a new generation, then events switch to it.
 * The tables of the generation before stay until the next call, for events
 * that read it just before. On failure the prefilter is off (every event
 * passes) and -errno returns with @err set.
 */
struct vgl_prefilter;
int vgl_bpf_set_prefilter(struct vgl_bpf *bpf, struct vgl_prefilter *pf, char *err, size_t errlen);

/* Capture up to @bytes (at most VGL_ENV_MAX) of each exec's environment; 0: none. */
void vgl_bpf_set_env_bytes(struct vgl_bpf *bpf, uint32_t bytes);

int vgl_bpf_attach(struct vgl_bpf *bpf, char *err, size_t errlen);

/* The hook the last failed attach was for ("syscalls/sys_exit_openat"), or "". */
const char *vgl_bpf_failed_hook(const struct vgl_bpf *bpf);
void vgl_bpf_detach(struct vgl_bpf *bpf);

const struct vgl_hooks *vgl_bpf_hooks(const struct vgl_bpf *bpf);
int vgl_bpf_ringbuf_fd(const struct vgl_bpf *bpf);

/* True between a successful vgl_bpf_attach() and vgl_bpf_detach(). */
bool vgl_bpf_attached(const struct vgl_bpf *bpf);

/* Sum the per-CPU counters into @ret_stats[VGL_EV_MAX]. */
int vgl_bpf_read_stats(const struct vgl_bpf *bpf, struct vgl_kind_stats *ret_stats);

/*
 * The same, and the counters of each CPU summed over the kinds into
 * @ret_cpus[cpu] for the first @max_cpus CPUs (NULL: none). Returns the
 * number of CPUs filled in (the possible CPUs, at most @max_cpus) or -errno.
 */
int vgl_bpf_read_stats_cpu(const struct vgl_bpf *bpf, struct vgl_kind_stats *ret_kinds,
			   struct vgl_kind_stats *ret_cpus, size_t max_cpus);

void vgl_bpf_destroy(struct vgl_bpf *bpf);

/*
 * kernel.perf_event_paranoid, or 2 (upstream's default) when unreadable.
 * Above 2 (a Debian patch) perf_event_open(2) needs CAP_SYS_ADMIN.
 */
int vgl_bpf_perf_paranoid(void);

/* Valid ring buffer size? (power of two, page multiple, within limits) */
bool vgl_bpf_ringbuf_size_ok(uint64_t size);

#endif /* VIGIL_BPF_LOADER_H */
