/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Internal to daemon/bpf/: the loader's object, shared by loader.c (load,
 * attach, hooks) and stats.c (what userspace reads back: counters).
 */
#ifndef VIGIL_BPF_LOADER_INT_H
#define VIGIL_BPF_LOADER_INT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "bpf/hooks.h"
#include "bpf/loader.h"
#include "bpf/syscalls.h"
#include "vigil/events.h"
#include "vigil/prefilter.h"

struct bpf_link;
struct btf;
struct vigil_bpf;

#define VGL_ENTER_TP_MAX 32 /* syscalls whose sys_enter a kind may need */
#define VGL_EXIT_SLOTS	 96 /* syscall table slots (vgl_syscall_slots()) */

struct vgl_bpf {
	struct vigil_bpf *skel;
	struct btf *vmlinux;
	int btf_fd; /* memfd holding a copy of the kernel's BTF */
	struct vgl_hooks hooks;
	int ncpus;
	bool have_task_regs; /* bpf_task_pt_regs(): fork reads the parent's registers */
	bool need_enter;     /* some wanted syscall needs sys_enter */
	bool attached;
	/* sys_enter per syscall (syscalls/sys_enter_<name>) instead of for all */
	struct bpf_link *enter_tp[VGL_ENTER_TP_MAX];
	size_t n_enter_tp;
	struct vgl_kindset enter_set; /* what sys_enter must keep for */
	/* extractors on each syscall's syscalls/sys_exit_<name> tracepoint */
	bool exit_tp;
	bool on_tp[VGL_EXIT_SLOTS]; /* per slot: this kernel has that tracepoint */
	struct bpf_link *exit_links[VGL_EXIT_SLOTS];
	bool need_raw_exit; /* a wanted syscall has none: tp_btf/sys_exit too */
	struct vgl_kindset exit_set;
	char exit_why[256];	 /* why not per-syscall tracepoints */
	char syscalls_hook[256]; /* what -v says of the syscall hooks */
	char attach_what[80];	 /* the hook that failed to attach */
	/* prefilter.c: the generations whose tables are in the maps */
	uint16_t pf_gen;			      /* the one events read; 0: off */
	struct vgl_prefilter *pf_tables[VGL_PF_GENS]; /* by generation % VGL_PF_GENS */
	uint16_t pf_table_gen[VGL_PF_GENS];
};

/*
 * tracepoints.c: 0 if the per-syscall tracepoints can be attached here
 * (tracefs, mounted if need be, and a perf event on one of them allowed),
 * else -errno and @why says what is missing.
 */
int vgl_tp_usable(char *why, size_t len);
/* The exit hook: per-syscall tracepoints where usable (b->exit_tp, on_tp). */
int vgl_tp_choose_exit(struct vgl_bpf *b, enum vgl_syscall_hook want, char *err, size_t errlen);
/* sys_enter on each of b->enter_set's syscalls' tracepoints: links, count. */
int vgl_tp_attach_enter(struct vgl_bpf *b, struct bpf_link **links, size_t *ret_n);
void vgl_bpf_drop_links(struct bpf_link **links, size_t n);
/*
 * describe.c: what -v says of the syscall hooks: the exit hook, then
 * @enter, the entry hook; @enter_err: why sys_enter is not per syscall.
 */
/* prefilter.c: free the prefilters whose tables were written. */
void vgl_bpf_prefilter_free(struct vgl_bpf *b);
void vgl_bpf_describe_syscalls(struct vgl_bpf *b, const char *enter, int enter_err);

#endif /* VIGIL_BPF_LOADER_INT_H */
