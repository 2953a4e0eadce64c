/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Process lifecycle: exec (filename from the bprm, argv from the new mm,
 * exe and cwd from kernel paths), clone/fork, and process exit.
 */

#define VGL_CLONE_VM	0x00000100
#define VGL_CLONE_VFORK 0x00004000
#define VGL_SIGCHLD	17

/* The filename exec acted on, as the kernel copied it into the bprm. */
SEC("tp_btf/sched_process_exec")
int BPF_PROG(vgl_exec_bprm, struct task_struct *p, pid_t old_pid, struct linux_binprm *bprm)
{
	__u32 zero = 0, tid = (__u32)bpf_get_current_pid_tgid();
	struct vgl_pathbuf *pb = bpf_map_lookup_elem(&vgl_pathbuf, &zero);

	if (!pb || vgl_is_self())
		return 0;
	if (bpf_probe_read_kernel_str(pb->buf, VGL_PATH_MAX, BPF_CORE_READ(bprm, filename)) <= 0)
		return 0;
	bpf_map_update_elem(&vgl_exec_names, &tid, pb->buf, BPF_ANY);
	return 0;
}

/*
 * argv of a failed exec: the caller's pointer array, still mapped. A global
 * function so the verifier checks its loop once. Writes at most @room bytes
 * at @off in the scratch record; returns the bytes written or < 0.
 */
__noinline int vgl_argv_user_g(__u64 argv, __u32 off, __u32 room)
{
	__u32 zero = 0, n = 0, left;
	__u8 *buf = bpf_map_lookup_elem(&vgl_scratch, &zero);
	const char *arg;
	long len;

	if (!buf || !argv)
		return -1;
	for (int i = 0; i < VGL_ARGC_MAX; i++) {
		if (n >= room)
			break;
		left = VGL_BOUND(room - n);
		if (bpf_probe_read_user(&arg, sizeof(arg), (const char *const *)argv + i) || !arg)
			break;
		len = bpf_probe_read_user_str(buf + VGL_OFF(off + n), left, arg);
		if (len <= 0)
			break;
		n += len;
	}
	return n;
}

static __always_inline void vgl_put_argv_user(struct vgl_builder *b, const char *const *argv)
{
	__u32 room = vgl_room(b, VGL_ARGV_MAX);
	int n = vgl_argv_user_g((__u64)argv, b->off, room);

	if (n <= 0 || n > VGL_ARGV_MAX) {
		vgl_put_absent(b);
		return;
	}
	vgl_param_begin(b);
	b->off += n;
	b->buf[VGL_OFF(b->off - 1)] = '\0';
	b->flags |= VGL_EVF_USER_ARGS;
	vgl_param_end(b);
}

static __always_inline int vgl_exec_exit(struct pt_regs *regs, long ret, __u16 kind)
{
	struct task_struct *task = vgl_task();
	__u32 tid = (__u32)bpf_get_current_pid_tgid();
	struct vgl_exec_name *name = NULL;
	struct vgl_enter_stash *st = vgl_stash();
	struct vgl_builder b;
	__u32 f0, f1, e0;
	bool at;

	/*
	 * A successful execveat can reach sys_exit numbered as execve; the
	 * stash sys_enter kept says what the call really was.
	 */
	if (st && st->kind == VGL_EV_EXECVEAT)
		kind = VGL_EV_EXECVEAT;
	at = kind == VGL_EV_EXECVEAT;

	if (vgl_begin(&b, kind, ret, (at ? 6 : 4) + VGL_EXEC_NPARAMS))
		return 0;
	if (ret == 0)
		name = bpf_map_lookup_elem(&vgl_exec_names, &tid);
	f0 = b.off;
	if (name)
		vgl_put_str(&b, name->name, VGL_PATH_MAX, false);
	else if (ret == 0)
		vgl_put_failed(&b);
	else
		vgl_put_str(&b, ARG_PTR(at ? 1 : 0), VGL_PATH_MAX, true);
	f1 = b.off;
	if (ret == 0)
		vgl_put_mm_strings(&b, BPF_CORE_READ(task, mm, arg_start),
				   BPF_CORE_READ(task, mm, arg_end), VGL_ARGV_MAX);
	else
		vgl_put_argv_user(&b, ARG_PTR(at ? 2 : 1));
	e0 = b.off;
	if (ret == 0) {
		vgl_put_file_path(&b, BPF_CORE_READ(task, mm, exe_file));
		vgl_path_repeat(&b, f0, f1, e0);
	} else {
		vgl_put_absent(&b);
	}
	vgl_put_path(&b, vgl_cwd_path(task));
	if (at && st) { /* a successful exec cleared the registers */
		vgl_put_u64(&b, (__s64)(__s32)st->args[0]);
		vgl_put_u64(&b, (__u32)st->args[4]);
	} else if (at) {
		vgl_put_u64(&b, ARG_S32(0));
		vgl_put_u64(&b, ARG_U32(4));
	}
	vgl_put_exec_params(&b, ret == 0 ? task : NULL);
	vgl_submit(&b);
	if (name)
		bpf_map_delete_elem(&vgl_exec_names, &tid);
	if (st)
		vgl_stash_drop();
	return 0;
}

VGL_EXIT_PROG(execve)
{
	return vgl_exec_exit(regs, ret, VGL_EV_EXECVE);
}

VGL_EXIT_PROG(execveat)
{
	return vgl_exec_exit(regs, ret, VGL_EV_EXECVEAT);
}

/* Clone flags of the creating syscall, from the parent's stash. */
static __always_inline bool vgl_clone_flags(struct vgl_enter_stash *st, __u64 *ret_flags)
{
	__u64 flags = 0;

	switch (st->kind) {
	case VGL_EV_CLONE:
		flags = st->args[0];
		break;
	case VGL_EV_CLONE3: /* struct clone_args starts with the flags */
		if (bpf_probe_read_user(&flags, sizeof(flags), (const void *)st->args[0]))
			return false;
		break;
	case VGL_EV_FORK:
		flags = VGL_SIGCHLD;
		break;
	case VGL_EV_VFORK:
		flags = VGL_CLONE_VM | VGL_CLONE_VFORK | VGL_SIGCHLD;
		break;
	default:
		return false;
	}
	*ret_flags = flags;
	return true;
}

/*
 * The creating syscall and its flags argument, from the parent's saved user
 * registers (bpf_task_pt_regs, 5.15+): fork events then need no sys_enter
 * hook, which would otherwise run for every syscall of the system.
 */
static __always_inline bool vgl_fork_syscall(struct vgl_enter_stash *ret)
{
	struct vgl_syscall_cfg *cfg;
	struct pt_regs *regs;

	if (!bpf_core_enum_value_exists(enum bpf_func_id, BPF_FUNC_task_pt_regs))
		return false;
	regs = (struct pt_regs *)bpf_task_pt_regs(bpf_get_current_task_btf());
	if (!regs)
		return false;
	cfg = vgl_syscall_cfg(vgl_syscall_nr(regs));
	if (!cfg || !cfg->kind)
		return false;
	ret->kind = cfg->kind;
	ret->args[0] = vgl_sys_arg(regs, 0);
	return true;
}

/* A new process (not thread), reported in the parent, before it runs. */
SEC("tp_btf/sched_process_fork")
int BPF_PROG(vgl_fork, struct task_struct *parent, struct task_struct *child)
{
	__u32 child_pid = BPF_CORE_READ(child, tgid), child_tid = BPF_CORE_READ(child, pid);
	struct vgl_enter_stash regs_args = {}, *st;
	__u16 kind = VGL_EV_CLONE;
	struct vgl_builder b;
	__u64 flags = 0;
	bool have_flags = false;

	if (vgl_is_self() || child_pid != child_tid)
		return 0;
	st = vgl_stash();
	if (!st && vgl_fork_syscall(&regs_args))
		st = &regs_args;
	if (st)
		have_flags = vgl_clone_flags(st, &flags);
	if (have_flags)
		kind = st->kind;
	if (vgl_begin(&b, kind, child_pid, 4))
		return 0;
	vgl_put_u64(&b, child_pid);
	vgl_put_u64(&b, child_tid);
	if (have_flags)
		vgl_put_u64(&b, flags);
	else
		vgl_put_absent(&b);
	vgl_put_u64(&b, vgl_task_vpid(child));
	vgl_submit(&b);
	return 0;
}

/*
 * Has another thread of @p's process already reported its end? Threads that
 * exit together can all find the live count at zero by the time their
 * tracepoint runs (kernels before the tracepoint passed group_dead); the
 * first to get here reports. The leader's start time tells a reused pid.
 */
static __always_inline bool vgl_exit_seen(struct task_struct *p)
{
	struct vgl_exit_key key = {
		.tgid = BPF_CORE_READ(p, tgid),
		.start = BPF_CORE_READ(p, group_leader, start_time),
	};
	__u8 one = 1;

	return bpf_map_update_elem(&vgl_exited, &key, &one, BPF_NOEXIST) != 0;
}

/* The last thread of a process exits: report its wait status. */
SEC("tp_btf/sched_process_exit")
int BPF_PROG(vgl_exit, struct task_struct *p)
{
	__u32 tid = (__u32)bpf_get_current_pid_tgid();
	struct vgl_builder b;
	int code;

	bpf_map_delete_elem(&vgl_enter, &tid);
	bpf_map_delete_elem(&vgl_exec_names, &tid);
	bpf_map_delete_elem(&vgl_addrstash, &tid);
	if (vgl_is_self() || BPF_CORE_READ(p, signal, live.counter) != 0 || vgl_exit_seen(p))
		return 0;
	code = BPF_CORE_READ(p, exit_code);
	if (vgl_begin(&b, VGL_EV_PROCEXIT, 0, 4))
		return 0;
	vgl_put_u64(&b, code);
	vgl_put_u64(&b, (code >> 8) & 0xff);
	vgl_put_u64(&b, code & 0x7f);
	vgl_put_u64(&b, (code & 0x80) ? 1 : 0);
	vgl_submit(&b);
	return 0;
}
