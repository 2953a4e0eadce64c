/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Which syscall numbers produce which event kinds on the build's
 * architecture, and how to fill the kernel's syscall filter from a set of
 * wanted kinds.
 */
#ifndef VIGIL_BPF_SYSCALLS_H
#define VIGIL_BPF_SYSCALLS_H

#include <stdbool.h>
#include <stddef.h>

#include "decode/event.h" /* struct vgl_kindset */
#include "vigil/events.h"

/* Kinds the daemon always needs to keep its process state. */
void vgl_kindset_add_state(struct vgl_kindset *set);

/* True if @kind comes from a syscall on this architecture (legacy syscalls
 * such as open or rename do not exist on arm64). */
bool vgl_kind_has_syscall(enum vgl_kind kind);

/* True if @kind's events come from a syscall-exit extractor program. */
bool vgl_kind_has_extractor(enum vgl_kind kind);

/*
 * The syscalls of @set whose exit needs what sys_enter keeps (arguments
 * that exec clears, old credentials; clone flags when the parent's
 * registers cannot be read at fork). Writes up to @max names, each that of
 * its syscalls/sys_enter_<name> tracepoint, and returns how many there are.
 */
size_t vgl_kindset_enter_syscalls(const struct vgl_kindset *set, bool have_task_regs,
				  const char **ret_names, size_t max);

/*
 * Does capturing @set need the sys_enter hook (old credentials, execveat's
 * arguments; clone flags unless @have_task_regs: the kernel can read the
 * parent's registers at fork)?
 */
bool vgl_kindset_needs_enter(const struct vgl_kindset *set, bool have_task_regs);

/* The syscall table: one slot per syscall of this architecture. */
size_t vgl_syscall_slots(void);

/* Slot @slot's event kind; *@ret_tp (if not NULL): the <name> of its
 * syscalls/sys_enter_<name> and sys_exit_<name> tracepoints. */
enum vgl_kind vgl_syscall_slot(size_t slot, const char **ret_tp);

/* Does slot @slot's syscall emit its event at exit when capturing @set?
 * (Forks and exits come from the scheduler's hooks instead.) */
bool vgl_kindset_exit_slot(const struct vgl_kindset *set, size_t slot);

/*
 * Fill @ret_cfg (VGL_SYSCALL_NR_MAX entries, indexed by syscall number)
 * for the kinds in @set. A syscall whose slot is true in @on_tp (NULL: none)
 * emits from its own sys_exit tracepoint (VGL_SC_TP), the others from
 * tp_btf/sys_exit (VGL_SC_EMIT).
 */
void vgl_syscall_filter(const struct vgl_kindset *set, const bool *on_tp,
			struct vgl_syscall_cfg *ret_cfg);

#endif /* VIGIL_BPF_SYSCALLS_H */
