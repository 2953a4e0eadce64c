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

/* The inode number of @task's pid namespace (the one it was created in). */
static __always_inline __u32 vgl_task_pidns(struct task_struct *task)
{
	struct pid *pid = BPF_CORE_READ(task, thread_pid);
	unsigned int level = BPF_CORE_READ(pid, level);
	struct upid upid = {};

	bpf_core_read(&upid, sizeof(upid), &pid->numbers[level & 31]);
	return BPF_CORE_READ(upid.ns, ns.inum);
}

/* The same from a BTF task pointer: direct loads instead of helper calls. */
static __always_inline __u32 vgl_task_pidns_btf(struct task_struct *t)
{
	struct pid *pid = t->thread_pid;
	struct upid upid = {};

	if (!pid)
		return 0;
	bpf_core_read(&upid, sizeof(upid), &pid->numbers[pid->level & 31]);
	return BPF_CORE_READ(upid.ns, ns.inum); /* upid came by copy: untyped */
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
		h->pidns = vgl_task_pidns_btf(t);
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

/*
 * The struct file behind descriptor @fd of the current task, or NULL. With
 * a BTF task the table is reached by direct loads; the slot itself is a
 * pointer in an array of pointers, which only a probe read may fetch.
 */
static __always_inline struct file *vgl_fd_file(long fd)
{
	struct file **fds = NULL;
	struct file *file = NULL;
	unsigned int max = 0;

	if (bpf_core_enum_value_exists(enum bpf_func_id, BPF_FUNC_get_current_task_btf)) {
		struct files_struct *files = bpf_get_current_task_btf()->files;
		struct fdtable *fdt = files ? files->fdt : NULL;

		if (fdt) {
			fds = fdt->fd;
			max = fdt->max_fds;
		}
	} else {
		struct fdtable *fdt = BPF_CORE_READ(vgl_task(), files, fdt);

		fds = BPF_CORE_READ(fdt, fd);
		max = BPF_CORE_READ(fdt, max_fds);
	}
	if (!fds || fd < 0 || fd >= max)
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
	struct file *file = vgl_fd_file(fd);

	return file ? vgl_file_socket(file) : NULL;
}

/* Is descriptor @fd of the current task an AF_INET or AF_INET6 socket? */
static __always_inline bool vgl_fd_is_ip_socket(long fd)
{
	struct socket *sock = vgl_fd_socket(fd);
	__u16 family;

	if (!sock)
		return false;
	family = BPF_CORE_READ(sock, sk, __sk_common.skc_family);
	return family == VGL_AF_INET || family == VGL_AF_INET6;
}

#endif /* VIGIL_BPF_READ_H */
