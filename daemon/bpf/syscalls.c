// SPDX-License-Identifier: Apache-2.0
/*
 * Syscall numbers per event kind. The numbers come from the target's own
 * <sys/syscall.h>, so the x86_64 and the arm64 builds each get theirs;
 * syscalls an architecture lacks are simply absent from its table.
 */
#include <string.h>
#include <sys/syscall.h>

#include "bpf/syscalls.h"

struct vgl_syscall_entry {
	int nr;
	enum vgl_kind kind;
	unsigned short flags; /* VGL_SC_* besides EMIT */
	const char *tp;	      /* its syscalls/sys_{enter,exit}_<tp> tracepoints */
};

#define SC(name, kind)                              \
	{                                           \
		SYS_##name, VGL_EV_##kind, 0, #name \
	}
#define SC_STASH(name, kind)                                   \
	{                                                      \
		SYS_##name, VGL_EV_##kind, VGL_SC_STASH, #name \
	}
/* A syscall whose tracepoints the kernel names otherwise. */
#define SC_TP(name, kind, tp)                    \
	{                                        \
		SYS_##name, VGL_EV_##kind, 0, tp \
	}

static const struct vgl_syscall_entry syscall_table[] = {
	SC(execve, EXECVE),
	SC_STASH(execveat, EXECVEAT), /* dirfd and flags: exec clears registers */
	SC_STASH(clone, CLONE),	      /* flags for sched_process_fork */
	SC_STASH(clone3, CLONE3),
#ifdef SYS_fork
	SC_STASH(fork, FORK),
#endif
#ifdef SYS_vfork
	SC_STASH(vfork, VFORK),
#endif
#ifdef SYS_open
	SC(open, OPEN),
#endif
	SC(openat, OPENAT),
	SC(openat2, OPENAT2),
#ifdef SYS_creat
	SC(creat, CREAT),
#endif
	SC(connect, CONNECT),
	SC(accept, ACCEPT),
	SC(accept4, ACCEPT4),
	SC(bind, BIND),
	SC(listen, LISTEN),
	SC(socket, SOCKET),
	SC(sendto, SENDTO),
	SC(sendmsg, SENDMSG),
	SC(recvfrom, RECVFROM),
	SC(recvmsg, RECVMSG),
	SC_STASH(setuid, SETUID), /* old ids */
	SC_STASH(setreuid, SETREUID),
	SC_STASH(setresuid, SETRESUID),
	SC_STASH(setfsuid, SETFSUID),
	SC_STASH(setgid, SETGID),
	SC_STASH(setregid, SETREGID),
	SC_STASH(setresgid, SETRESGID),
	SC_STASH(setfsgid, SETFSGID),
	SC_STASH(capset, CAPSET), /* old capabilities */
#ifdef SYS_unlink
	SC(unlink, UNLINK),
#endif
	SC(unlinkat, UNLINKAT),
#ifdef SYS_rename
	SC(rename, RENAME),
#endif
#ifdef SYS_renameat
	SC(renameat, RENAMEAT),
#endif
	SC(renameat2, RENAMEAT2),
#ifdef SYS_rmdir
	SC(rmdir, RMDIR),
#endif
#ifdef SYS_mkdir
	SC(mkdir, MKDIR),
#endif
	SC(mkdirat, MKDIRAT),
#ifdef SYS_chmod
	SC(chmod, CHMOD),
#endif
	SC(fchmod, FCHMOD),
	SC(fchmodat, FCHMODAT),
#ifdef SYS_symlink
	SC(symlink, SYMLINK),
#endif
	SC(symlinkat, SYMLINKAT),
#ifdef SYS_link
	SC(link, LINK),
#endif
	SC(linkat, LINKAT),
	SC(dup, DUP),
#ifdef SYS_dup2
	SC(dup2, DUP2),
#endif
	SC(dup3, DUP3),
	SC(ptrace, PTRACE),
	SC(init_module, INIT_MODULE),
	SC(finit_module, FINIT_MODULE),
	SC(setns, SETNS),
	SC(unshare, UNSHARE),
	SC(bpf, BPF),
	SC(userfaultfd, USERFAULTFD),
	SC(memfd_create, MEMFD_CREATE),
	SC(mount, MOUNT),
	SC_TP(umount2, UMOUNT2, "umount"), /* SYSCALL_DEFINE2(umount, ...) */
	SC(fcntl, FCNTL),	/* the extractor emits F_DUPFD and F_DUPFD_CLOEXEC only */
	SC_STASH(close, CLOSE), /* kept at entry only for an IP socket: reported then */
#ifdef SYS_pipe
	SC(pipe, PIPE),
#endif
	SC(pipe2, PIPE2),
	SC(socketpair, SOCKETPAIR),
};

/* Kinds whose events come from sched_process_fork / _exit, not sys_exit. */
static bool kind_is_sched(enum vgl_kind kind)
{
	return kind == VGL_EV_CLONE || kind == VGL_EV_CLONE3 || kind == VGL_EV_FORK ||
	       kind == VGL_EV_VFORK || kind == VGL_EV_PROCEXIT;
}

void vgl_kindset_add_state(struct vgl_kindset *set)
{
	static const enum vgl_kind state[] = {
		VGL_EV_EXECVE, VGL_EV_EXECVEAT, VGL_EV_CLONE,	 VGL_EV_CLONE3,
		VGL_EV_FORK,   VGL_EV_VFORK,	VGL_EV_PROCEXIT,
	};

	for (size_t i = 0; i < sizeof(state) / sizeof(state[0]); i++)
		set->has[state[i]] = true;
}

bool vgl_kind_has_syscall(enum vgl_kind kind)
{
	for (size_t i = 0; i < sizeof(syscall_table) / sizeof(syscall_table[0]); i++)
		if (syscall_table[i].kind == kind)
			return true;
	return kind == VGL_EV_PROCEXIT;
}

bool vgl_kind_has_extractor(enum vgl_kind kind)
{
	return kind > VGL_EV_UNKNOWN && kind < VGL_EV_MAX && !kind_is_sched(kind) &&
	       !vgl_kind_from_userspace(kind);
}

size_t vgl_kindset_enter_syscalls(const struct vgl_kindset *set, bool have_task_regs,
				  const char **ret_names, size_t max)
{
	size_t n = 0;

	for (size_t i = 0; i < sizeof(syscall_table) / sizeof(syscall_table[0]); i++) {
		const struct vgl_syscall_entry *e = &syscall_table[i];

		if (!set->has[e->kind] || !(e->flags & VGL_SC_STASH))
			continue;
		if (kind_is_sched(e->kind) && have_task_regs)
			continue; /* fork reads the parent's registers instead */
		if (n < max)
			ret_names[n] = e->tp;
		n++;
	}
	return n;
}

bool vgl_kindset_needs_enter(const struct vgl_kindset *set, bool have_task_regs)
{
	return vgl_kindset_enter_syscalls(set, have_task_regs, NULL, 0) > 0;
}

size_t vgl_syscall_slots(void)
{
	return sizeof(syscall_table) / sizeof(syscall_table[0]);
}

enum vgl_kind vgl_syscall_slot(size_t slot, const char **ret_tp)
{
	if (slot >= vgl_syscall_slots())
		return VGL_EV_UNKNOWN;
	if (ret_tp)
		*ret_tp = syscall_table[slot].tp;
	return syscall_table[slot].kind;
}

bool vgl_kindset_exit_slot(const struct vgl_kindset *set, size_t slot)
{
	const struct vgl_syscall_entry *e;

	if (slot >= vgl_syscall_slots())
		return false;
	e = &syscall_table[slot];
	return set->has[e->kind] && !kind_is_sched(e->kind) && e->nr >= 0 &&
	       e->nr < VGL_SYSCALL_NR_MAX;
}

void vgl_syscall_filter(const struct vgl_kindset *set, const bool *on_tp,
			struct vgl_syscall_cfg *ret_cfg)
{
	memset(ret_cfg, 0, sizeof(*ret_cfg) * VGL_SYSCALL_NR_MAX);
	for (size_t i = 0; i < vgl_syscall_slots(); i++) {
		const struct vgl_syscall_entry *e = &syscall_table[i];

		if (!set->has[e->kind] || e->nr < 0 || e->nr >= VGL_SYSCALL_NR_MAX)
			continue;
		ret_cfg[e->nr].kind = e->kind;
		ret_cfg[e->nr].flags = e->flags;
		if (vgl_kindset_exit_slot(set, i))
			ret_cfg[e->nr].flags |= on_tp && on_tp[i] ? VGL_SC_TP : VGL_SC_EMIT;
	}
}
