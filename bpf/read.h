/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Readers for kernel state: the current task, syscall registers, file
 * descriptors, sockets. Everything goes through CO-RE so one object runs on
 * every kernel with BTF.
 */
#ifndef VIGIL_BPF_READ_H
#define VIGIL_BPF_READ_H

#define VGL_S_IFMT   00170000
#define VGL_S_IFSOCK 0140000
#define VGL_AF_UNIX  1
#define VGL_AF_INET  2
#define VGL_AF_INET6 10

static __always_inline struct task_struct *vgl_task(void)
{
	return (struct task_struct *)bpf_get_current_task();
}

static __always_inline bool vgl_is_self(void)
{
	return (__u32)(bpf_get_current_pid_tgid() >> 32) == vgl_self_tgid;
}

/*
 * Syscall number and arguments from the user registers saved at entry.
 * @regs is the tp_btf argument, a typed kernel pointer: direct CO-RE loads,
 * no helper calls.
 */
static __always_inline __u32 vgl_syscall_nr(struct pt_regs *regs)
{
#if defined(__TARGET_ARCH_x86)
	return (__u32)regs->orig_ax;
#elif defined(__TARGET_ARCH_arm64)
	return (__u32)regs->syscallno;
#endif
}

static __always_inline __u64 vgl_sys_arg(struct pt_regs *regs, int n)
{
#if defined(__TARGET_ARCH_x86)
	switch (n) {
	case 0:
		return regs->di;
	case 1:
		return regs->si;
	case 2:
		return regs->dx;
	case 3:
		return regs->r10;
	case 4:
		return regs->r8;
	default:
		return regs->r9;
	}
#elif defined(__TARGET_ARCH_arm64)
	/* x0 holds the return value at exit; the kernel keeps arg 0 aside. */
	if (n == 0)
		return regs->orig_x0;
	return regs->regs[n & 7];
#endif
}

static __always_inline __u32 vgl_task_pidns(struct task_struct *task)
{
	struct pid *pid = BPF_CORE_READ(task, thread_pid);
	unsigned int level = BPF_CORE_READ(pid, level);
	struct upid upid = {};

	bpf_core_read(&upid, sizeof(upid), &pid->numbers[level & 31]);
	return BPF_CORE_READ(upid.ns, ns.inum);
}

/*
 * Header fields that come from the task. With bpf_get_current_task_btf()
 * (5.11+) they are direct BTF loads; older kernels pay a probe read each.
 * The branch is decided by CO-RE at load time.
 */
static __always_inline void vgl_fill_task(struct vgl_hdr *h)
{
	if (bpf_core_enum_value_exists(enum bpf_func_id, BPF_FUNC_get_current_task_btf)) {
		struct task_struct *t = bpf_get_current_task_btf();
		const struct cred *cred = t->cred;

		h->ppid = t->real_parent->tgid;
		h->euid = cred->euid.val;
		h->egid = cred->egid.val;
		h->loginuid = bpf_core_field_exists(t->loginuid) ? t->loginuid.val : (__u32)-1;
		h->mntns = t->nsproxy ? t->nsproxy->mnt_ns->ns.inum : 0;
		h->pidns = vgl_task_pidns(t);
	} else {
		struct task_struct *task = vgl_task();
		const struct cred *cred = BPF_CORE_READ(task, cred);

		h->ppid = BPF_CORE_READ(task, real_parent, tgid);
		h->euid = BPF_CORE_READ(cred, euid.val);
		h->egid = BPF_CORE_READ(cred, egid.val);
		h->loginuid = (__u32)-1;
		if (bpf_core_field_exists(task->loginuid))
			h->loginuid = BPF_CORE_READ(task, loginuid.val);
		h->mntns = BPF_CORE_READ(task, nsproxy, mnt_ns, ns.inum);
		h->pidns = vgl_task_pidns(task);
	}
}

static __always_inline void vgl_fill_hdr(struct vgl_hdr *h, __u16 kind, __s64 res)
{
	__u64 pid_tgid = bpf_get_current_pid_tgid();
	__u64 uid_gid = bpf_get_current_uid_gid();

	h->kind = kind;
	h->flags = 0;
	h->ts = bpf_ktime_get_boot_ns();
	h->cgroup_id = bpf_get_current_cgroup_id();
	h->res = res;
	h->pid = pid_tgid >> 32;
	h->tid = (__u32)pid_tgid;
	h->uid = (__u32)uid_gid;
	h->gid = uid_gid >> 32;
	vgl_fill_task(h);
	h->pad0 = 0;
	h->pad1 = 0;
	bpf_get_current_comm(h->comm, sizeof(h->comm));
}

/* The struct file behind descriptor @fd of @task, or NULL. */
static __always_inline struct file *vgl_fd_file(struct task_struct *task, long fd)
{
	struct fdtable *fdt = BPF_CORE_READ(task, files, fdt);
	struct file **fds = BPF_CORE_READ(fdt, fd);
	unsigned int max = BPF_CORE_READ(fdt, max_fds);
	struct file *file = NULL;

	if (fd < 0 || fd >= max)
		return NULL;
	bpf_core_read(&file, sizeof(file), &fds[fd]);
	return file;
}

/* The socket behind @file, or NULL when it is not a socket. */
static __always_inline struct socket *vgl_file_socket(struct file *file)
{
	umode_t mode = BPF_CORE_READ(file, f_inode, i_mode);

	if (!file || (mode & VGL_S_IFMT) != VGL_S_IFSOCK)
		return NULL;
	return (struct socket *)BPF_CORE_READ(file, private_data);
}

static __always_inline struct socket *vgl_fd_socket(long fd)
{
	struct file *file = vgl_fd_file(vgl_task(), fd);

	return file ? vgl_file_socket(file) : NULL;
}

#endif /* VIGIL_BPF_READ_H */
