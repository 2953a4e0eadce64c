/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Syscall dispatch, in one of two ways chosen by the daemon at load:
 *  - each kind's argument extractor attached on its own to the
 *    syscalls/sys_exit_<name> tracepoints of its syscalls: a syscall nobody
 *    asked for runs no program at all (needs tracefs and bpf_task_pt_regs);
 *  - else one program on every syscall's exit (tp_btf/sys_exit) that looks
 *    the syscall up in vgl_syscalls and tail-calls the kind's extractor: a
 *    syscall nobody asked for costs one array lookup.
 * vgl_syscalls (filled by the daemon from what the rules need) decides in
 * both. sys_enter keeps the arguments and the old credentials of the few
 * syscalls whose extractor needs them (VGL_SC_STASH).
 */

static __always_inline struct pt_regs *vgl_exit_tp_regs(__u32 nr);

/*
 * An extractor: one body, two programs. vgl_x_<event name> is the tail-call
 * target of vgl_sys_exit; vgl_xt_<event name> is attached to tracepoints.
 * The daemon loads one of the two.
 */
#define VGL_EXIT_PROG(name)                                                               \
	static __always_inline int vgl_xb_##name(struct pt_regs *regs, long ret);         \
	SEC("tp_btf/sys_exit") int BPF_PROG(vgl_x_##name, struct pt_regs *regs, long ret) \
	{                                                                                 \
		return vgl_xb_##name(regs, ret);                                          \
	}                                                                                 \
	SEC("tracepoint") int vgl_xt_##name(struct trace_event_raw_sys_exit *ctx)         \
	{                                                                                 \
		struct pt_regs *regs = vgl_exit_tp_regs((__u32)ctx->id);                  \
                                                                                          \
		return regs ? vgl_xb_##name(regs, ctx->ret) : 0;                          \
	}                                                                                 \
	static __always_inline int vgl_xb_##name(struct pt_regs *regs, long ret)

#define ARG(n)	   vgl_sys_arg(regs, n)
#define ARG_S32(n) ((__s64)(__s32)vgl_sys_arg(regs, n))
#define ARG_U32(n) ((__u64)(__u32)vgl_sys_arg(regs, n))
#define ARG_PTR(n) ((const void *)vgl_sys_arg(regs, n))

/* Shorthands for the simple extractors below: one line per parameter. */
#define VGL_BEGIN(kind, n)               \
	struct vgl_builder b;            \
	if (vgl_begin(&b, kind, ret, n)) \
	return 0
#define PUT_S32(n)  vgl_put_u64(&b, ARG_S32(n))
#define PUT_U32(n)  vgl_put_u64(&b, ARG_U32(n))
#define PUT_U64(n)  vgl_put_u64(&b, ARG(n))
#define PUT_USTR(n) vgl_put_str(&b, ARG_PTR(n), VGL_PATH_MAX, true)
#define VGL_END()       \
	vgl_submit(&b); \
	return 0

#define VGL_TS_COMPAT 0x0002 /* x86 thread_info.status: 32-bit syscall */

static __always_inline struct vgl_syscall_cfg *vgl_syscall_cfg(__u32 nr)
{
	return bpf_map_lookup_elem(&vgl_syscalls, &nr);
}

/* 32-bit syscalls number differently; vigil watches 64-bit ones. */
static __always_inline bool vgl_in_compat_syscall(void)
{
#if defined(__TARGET_ARCH_x86)
	/* every syscall passes here: a direct load where the kernel allows it */
	if (bpf_core_enum_value_exists(enum bpf_func_id, BPF_FUNC_get_current_task_btf))
		return bpf_get_current_task_btf()->thread_info.status & VGL_TS_COMPAT;
	return BPF_CORE_READ(vgl_task(), thread_info.status) & VGL_TS_COMPAT;
#else
	return false;
#endif
}

static __always_inline void vgl_stash_creds(struct vgl_enter_stash *s)
{
	const struct cred *cred = BPF_CORE_READ(vgl_task(), cred);

	s->ids[0] = BPF_CORE_READ(cred, uid.val);
	s->ids[1] = BPF_CORE_READ(cred, euid.val);
	s->ids[2] = BPF_CORE_READ(cred, suid.val);
	s->ids[3] = BPF_CORE_READ(cred, fsuid.val);
	s->ids[4] = BPF_CORE_READ(cred, gid.val);
	s->ids[5] = BPF_CORE_READ(cred, egid.val);
	s->ids[6] = BPF_CORE_READ(cred, sgid.val);
	s->ids[7] = BPF_CORE_READ(cred, fsgid.val);
	/* kernel_cap_t is u32[2] before 6.3 and u64 after: 8 bytes either way */
	bpf_core_read(&s->caps[0], 8, &cred->cap_effective);
	bpf_core_read(&s->caps[1], 8, &cred->cap_permitted);
	bpf_core_read(&s->caps[2], 8, &cred->cap_inheritable);
}

/* Does this syscall's exit need what its entry knew? Sets s->kind. */
static __always_inline bool vgl_enter_wanted(__u32 nr, struct vgl_enter_stash *s)
{
	struct vgl_syscall_cfg *cfg = vgl_syscall_cfg(nr);

	if (!cfg || !(cfg->flags & VGL_SC_STASH) || vgl_is_self() || vgl_in_compat_syscall())
		return false;
	s->kind = cfg->kind;
	return true;
}

/*
 * Keep @s for the syscall's exit. close is among the most frequent syscalls
 * and is reported only for IP sockets (the fd tracker's): kept, without the
 * credentials, only when the descriptor is one (it is gone at exit).
 */
static __always_inline void vgl_enter_keep(struct vgl_enter_stash *s)
{
	__u32 tid = (__u32)bpf_get_current_pid_tgid();

	if (s->kind == VGL_EV_CLOSE) {
		if (!vgl_fd_is_ip_socket((int)s->args[0]))
			return;
	} else {
		vgl_stash_creds(s);
	}
	bpf_map_update_elem(&vgl_enter, &tid, s, BPF_ANY);
}

/* Both dispatchers test the filter first: most syscalls stop at one lookup. */
SEC("tp_btf/sys_enter")
int BPF_PROG(vgl_sys_enter, struct pt_regs *regs, long id)
{
	struct vgl_enter_stash s = {};

	if (!vgl_enter_wanted((__u32)id, &s))
		return 0;
	for (int i = 0; i < 6; i++)
		s.args[i] = vgl_sys_arg(regs, i);
	vgl_enter_keep(&s);
	return 0;
}

/*
 * The same, attached by the daemon to syscalls/sys_enter_<name> of each
 * syscall that needs it, where tracefs allows: then the other syscalls of
 * the system run no sys_enter program at all.
 */
SEC("tracepoint")
int vgl_sys_enter_tp(struct trace_event_raw_sys_enter *ctx)
{
	struct vgl_enter_stash s = {};

	if (!vgl_enter_wanted((__u32)ctx->id, &s))
		return 0;
	/* one copy: the verifier refuses loads through an offset ctx pointer */
	bpf_probe_read_kernel(s.args, sizeof(s.args), ctx->args);
	vgl_enter_keep(&s);
	return 0;
}

SEC("tp_btf/sys_exit")
int BPF_PROG(vgl_sys_exit, struct pt_regs *regs, long ret)
{
	struct vgl_syscall_cfg *cfg;
	__u32 tid;

	cfg = vgl_syscall_cfg(vgl_syscall_nr(regs));
	if (!cfg || !cfg->flags || vgl_is_self() || vgl_in_compat_syscall())
		return 0;
	if (cfg->flags & VGL_SC_EMIT)
		bpf_tail_call(ctx, &vgl_exit_progs, cfg->kind);
	/* no extractor ran: drop what sys_enter kept, unless the syscall's own
	 * tracepoint program needs it (it may run after this one) */
	if ((cfg->flags & (VGL_SC_STASH | VGL_SC_TP)) == VGL_SC_STASH) {
		tid = (__u32)bpf_get_current_pid_tgid();
		bpf_map_delete_elem(&vgl_enter, &tid);
	}
	return 0;
}

/*
 * At a syscalls/sys_exit_<name> tracepoint (whose record holds the syscall
 * number as an int where the raw one has a long: the low half on both
 * little-endian targets): the registers saved at entry, if the syscall is
 * wanted and not vigil's own; else NULL.
 */
static __always_inline struct pt_regs *vgl_exit_tp_regs(__u32 nr)
{
	struct vgl_syscall_cfg *cfg = vgl_syscall_cfg(nr);

	if (!cfg || !(cfg->flags & VGL_SC_TP) || vgl_is_self() || vgl_in_compat_syscall())
		return NULL;
	return (struct pt_regs *)bpf_task_pt_regs(bpf_get_current_task_btf());
}

/* What sys_enter kept for this thread's current syscall, or NULL. */
static __always_inline struct vgl_enter_stash *vgl_stash(void)
{
	__u32 tid = (__u32)bpf_get_current_pid_tgid();

	return bpf_map_lookup_elem(&vgl_enter, &tid);
}

static __always_inline void vgl_stash_drop(void)
{
	__u32 tid = (__u32)bpf_get_current_pid_tgid();

	bpf_map_delete_elem(&vgl_enter, &tid);
}

/* The kernel's copy kept by another hook, if it belongs to this call. */
static __always_inline struct vgl_kstash *vgl_kstash_for(__u64 key)
{
	__u32 zero = 0;
	struct vgl_kstash *k = bpf_map_lookup_elem(&vgl_kstash, &zero);

	if (!k || !key || k->key != key || k->tid != (__u32)bpf_get_current_pid_tgid())
		return NULL;
	k->key = 0; /* use once */
	return k;
}

static __always_inline struct vgl_kstash *vgl_kstash_claim(__u64 key)
{
	__u32 zero = 0;
	struct vgl_kstash *k;

	if (vgl_is_self() || !key)
		return NULL;
	k = bpf_map_lookup_elem(&vgl_kstash, &zero);
	if (!k)
		return NULL;
	k->tid = (__u32)bpf_get_current_pid_tgid();
	k->key = key;
	k->len = 0;
	return k;
}
