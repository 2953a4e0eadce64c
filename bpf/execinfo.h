/* SPDX-License-Identifier: Apache-2.0 */
/*
 * What the kernel knows of a process when exec returns and the stock rules
 * read: controlling tty, capabilities, the exe's inode (number, times,
 * overlayfs layer, memfd, writable), session and, when a rule asks,
 * the environment. Read here because the process may be gone by the time
 * userspace evaluates its exec (issue 13). Every read is CO-RE: the inode's
 * time fields changed layout in 6.6, 6.7 and 6.11.
 */
#ifndef VIGIL_BPF_EXECINFO_H
#define VIGIL_BPF_EXECINFO_H

#define VGL_OVERLAYFS_MAGIC  0x794c7630
#define VGL_SB_RDONLY	     1
#define VGL_S_IMMUTABLE	     8
#define VGL_CAP_DAC_OVERRIDE 1

/* Environment bytes to capture: set by the daemon when a rule reads proc.env. */
__u32 vgl_env_max = 0;

/* 6.11+: seconds and nanoseconds in separate fields. */
struct inode___sec {
	time64_t i_mtime_sec;
	time64_t i_ctime_sec;
	u32 i_mtime_nsec;
	u32 i_ctime_nsec;
} __attribute__((preserve_access_index));

/* 6.7 - 6.10: timespec64 behind accessors. */
struct inode___acc {
	struct timespec64 __i_mtime;
	struct timespec64 __i_ctime;
} __attribute__((preserve_access_index));

/* 6.6: ctime behind an accessor, mtime not yet. */
struct inode___v66 {
	struct timespec64 i_mtime;
	struct timespec64 __i_ctime;
} __attribute__((preserve_access_index));

/* up to 6.5 */
struct inode___old {
	struct timespec64 i_mtime;
	struct timespec64 i_ctime;
} __attribute__((preserve_access_index));

static __always_inline __u64 vgl_ts_ns(__s64 sec, __u64 nsec)
{
	return sec < 0 ? 0 : (__u64)sec * 1000000000ull + nsec;
}

static __always_inline __u64 vgl_timespec_ns(struct timespec64 *ts)
{
	return vgl_ts_ns(BPF_CORE_READ(ts, tv_sec), BPF_CORE_READ(ts, tv_nsec));
}

/* The inode's change (@ctime true) or modification time, ns since the epoch. */
static __always_inline __u64 vgl_inode_time(struct inode *inode, bool ctime)
{
	struct inode___sec *s = (void *)inode;
	struct inode___acc *a = (void *)inode;
	struct inode___v66 *m = (void *)inode;
	struct inode___old *o = (void *)inode;

	if (bpf_core_field_exists(s->i_ctime_sec)) {
		if (ctime)
			/* 6.13+: bit 31 is I_CTIME_QUERIED (multigrain times) */
			return vgl_ts_ns(BPF_CORE_READ(s, i_ctime_sec),
					 BPF_CORE_READ(s, i_ctime_nsec) & ~(1u << 31));
		return vgl_ts_ns(BPF_CORE_READ(s, i_mtime_sec), BPF_CORE_READ(s, i_mtime_nsec));
	}
	if (bpf_core_field_exists(a->__i_mtime))
		return vgl_timespec_ns(ctime ? &a->__i_ctime : &a->__i_mtime);
	if (bpf_core_field_exists(m->__i_ctime))
		return vgl_timespec_ns(ctime ? &m->__i_ctime : &m->i_mtime);
	return vgl_timespec_ns(ctime ? &o->i_ctime : &o->i_mtime);
}

/*
 * overlayfs: struct ovl_inode embeds the VFS inode and keeps the upper
 * dentry right after it (as since 4.x); the type lives in the overlay
 * module's BTF, so it is reached by the size of struct inode.
 */
static __always_inline __u32 vgl_exe_layer(struct inode *inode)
{
	void *upper = NULL;

	if (BPF_CORE_READ(inode, i_sb, s_magic) != VGL_OVERLAYFS_MAGIC)
		return 0;
	bpf_probe_read_kernel(&upper, sizeof(upper),
			      (void *)inode + bpf_core_type_size(struct inode));
	return upper ? VGL_EXE_UPPER_LAYER : VGL_EXE_LOWER_LAYER;
}

/*
 * A memfd is a pseudo file named "memfd:NAME": its dentry is its own parent,
 * in no directory. A file of that name in a directory is not one.
 */
static __always_inline bool vgl_exe_memfd(struct file *exe)
{
	static const char prefix[] = "memfd:";
	struct dentry *dentry = BPF_CORE_READ(exe, f_path.dentry);
	char name[sizeof(prefix)] = {};

	if (!dentry || BPF_CORE_READ(dentry, d_parent) != dentry)
		return false;
	bpf_probe_read_kernel_str(name, sizeof(name), BPF_CORE_READ(dentry, d_name.name));
	for (int i = 0; i < sizeof(prefix) - 1; i++) {
		if (name[i] != prefix[i])
			return false;
	}
	return true;
}

/*
 * Could the caller write its exe? Its fs ids against the mode bits, or
 * CAP_DAC_OVERRIDE; a read-only mount or an immutable file never.
 * Supplementary groups and ACLs are not looked at.
 */
static __always_inline bool vgl_exe_writable(struct inode *inode, const struct cred *cred,
					     __u64 cap_eff)
{
	__u16 mode = BPF_CORE_READ(inode, i_mode);

	if ((BPF_CORE_READ(inode, i_sb, s_flags) & VGL_SB_RDONLY) ||
	    (BPF_CORE_READ(inode, i_flags) & VGL_S_IMMUTABLE))
		return false;
	if (BPF_CORE_READ(cred, fsuid.val) == BPF_CORE_READ(inode, i_uid.val)) {
		if (mode & 0200)
			return true;
	} else if (BPF_CORE_READ(cred, fsgid.val) == BPF_CORE_READ(inode, i_gid.val)) {
		if (mode & 0020)
			return true;
	} else if (mode & 0002) {
		return true;
	}
	return cap_eff & (1ull << VGL_CAP_DAC_OVERRIDE);
}

/* tty_nr as /proc/PID/stat prints it (new_encode_dev), 0 without a tty. */
static __always_inline __u64 vgl_task_tty(struct task_struct *task)
{
	struct tty_struct *tty = BPF_CORE_READ(task, signal, tty);
	__u32 major, minor;

	if (!tty)
		return 0;
	major = BPF_CORE_READ(tty, driver, major);
	minor = BPF_CORE_READ(tty, driver, minor_start) + BPF_CORE_READ(tty, index);
	return (minor & 0xff) | (major << 8) | ((minor & ~0xffu) << 12);
}

/* The session id in the initial pid namespace (/proc/PID/stat's). */
static __always_inline __u64 vgl_task_sid(struct task_struct *task)
{
	struct pid *pid =
		BPF_CORE_READ(task, signal, pids[bpf_core_enum_value(enum pid_type, PIDTYPE_SID)]);

	return pid ? BPF_CORE_READ(pid, numbers[0].nr) : 0;
}

/* The number of @pid in the pid namespace of nesting @level, 0 if it has none there. */
static __always_inline __u64 vgl_pid_nr_at(struct pid *pid, __u32 level)
{
	int nr = 0;

	if (!pid || BPF_CORE_READ(pid, level) < level)
		return 0;
	bpf_core_read(&nr, sizeof(nr),
		      (void *)pid + bpf_core_field_offset(struct pid, numbers) +
			      (level & 31) * bpf_core_type_size(struct upid) +
			      bpf_core_field_offset(struct upid, nr));
	return nr;
}

/* @task's pid in its own (innermost) pid namespace: its struct pid's last level. */
static __always_inline __u64 vgl_task_vpid(struct task_struct *task)
{
	struct pid *pid = BPF_CORE_READ(task, thread_pid);

	return pid ? vgl_pid_nr_at(pid, BPF_CORE_READ(pid, level)) : 0;
}

/* @task's process group id as its own pid namespace numbers it. */
static __always_inline __u64 vgl_task_vpgid(struct task_struct *task)
{
	struct pid *pgrp =
		BPF_CORE_READ(task, signal, pids[bpf_core_enum_value(enum pid_type, PIDTYPE_PGID)]);

	return vgl_pid_nr_at(pgrp, BPF_CORE_READ(task, thread_pid, level));
}

/* The NUL-separated strings the kernel laid out in the new mm. */
static __always_inline void vgl_put_mm_strings(struct vgl_builder *b, unsigned long start,
					       unsigned long end, __u32 max)
{
	unsigned long len = end > start ? end - start : 0;

	vgl_param_begin(b);
	if (len > max) {
		len = max;
		b->flags |= VGL_EVF_TRUNCATED;
	}
	if (len == 0) { /* execve(path, argv, NULL): an empty list */
		vgl_param_end(b);
		return;
	}
	if (vgl_append_bytes(b, (const void *)start, len, true) < 0) {
		b->off = b->start;
		vgl_put_failed(b);
		return;
	}
	b->buf[VGL_OFF(b->off - 1)] = '\0';
	vgl_param_end(b);
}

static __always_inline void vgl_put_env(struct vgl_builder *b, struct task_struct *task)
{
	__u32 max = vgl_env_max;

	if (max == 0) {
		vgl_put_absent(b);
		return;
	}
	if (max > VGL_ENV_MAX)
		max = VGL_ENV_MAX;
	vgl_put_mm_strings(b, BPF_CORE_READ(task, mm, env_start), BPF_CORE_READ(task, mm, env_end),
			   max);
}

/* The VGL_EXEC_P parameters of a successful exec (include/vigil/events.h). */
static __always_inline void vgl_put_exec_info(struct vgl_builder *b, struct task_struct *task)
{
	const struct cred *cred = BPF_CORE_READ(task, cred);
	struct file *exe = BPF_CORE_READ(task, mm, exe_file);
	struct inode *inode = exe ? BPF_CORE_READ(exe, f_inode) : NULL;
	__u64 caps[3] = {};
	__u32 flags = 0;

	vgl_put_env(b, task);
	vgl_put_u64(b, vgl_task_tty(task));
	/* kernel_cap_t is u32[2] before 6.3 and u64 after: 8 bytes either way */
	bpf_core_read(&caps[0], 8, &cred->cap_inheritable);
	bpf_core_read(&caps[1], 8, &cred->cap_permitted);
	bpf_core_read(&caps[2], 8, &cred->cap_effective);
	if (inode) {
		flags = vgl_exe_layer(inode);
		if (vgl_exe_memfd(exe))
			flags |= VGL_EXE_FROM_MEMFD;
		if (vgl_exe_writable(inode, cred, caps[2]))
			flags |= VGL_EXE_WRITABLE;
		vgl_put_u64(b, flags);
	} else {
		vgl_put_failed(b);
	}
	for (int i = 0; i < 3; i++)
		vgl_put_u64(b, caps[i]);
	if (inode) {
		vgl_put_u64(b, BPF_CORE_READ(inode, i_ino));
		vgl_put_u64(b, vgl_inode_time(inode, true));
		vgl_put_u64(b, vgl_inode_time(inode, false));
	} else {
		vgl_put_failed(b);
		vgl_put_failed(b);
		vgl_put_failed(b);
	}
	vgl_put_u64(b, vgl_task_sid(task));
	vgl_put_u64(b, vgl_task_vpgid(task));
}

/*
 * vgl_put_exec_info() into the scratch record at @off, lengths from @idx: a
 * global function, so the verifier checks it once on its own instead of in
 * every path the exec programs reach it by (a fourfold start-up cost, most
 * felt on the slow qemu guests of the CI). Returns the new offset, with
 * VGL_EI_TRUNC / VGL_EI_FAILED, or < 0.
 */
#define VGL_EI_OFF    0xffff
#define VGL_EI_TRUNC  (1 << 16)
#define VGL_EI_FAILED (1 << 17)
__noinline int vgl_exec_info_g(__u64 task, __u32 off, __u32 idx)
{
	__u32 zero = 0;
	struct vgl_builder b = { .off = off, .idx = (__u16)idx };

	b.buf = bpf_map_lookup_elem(&vgl_scratch, &zero);
	if (!b.buf || !task || off > VGL_EVENT_MAX)
		return -1;
	vgl_put_exec_info(&b, (struct task_struct *)task);
	return (b.off & VGL_EI_OFF) | (b.flags & VGL_EVF_TRUNCATED ? VGL_EI_TRUNC : 0) |
	       (b.read_failed ? VGL_EI_FAILED : 0);
}

/* The VGL_EXEC_P parameters of a successful exec, or absent ones. */
static __always_inline void vgl_put_exec_params(struct vgl_builder *b, struct task_struct *task)
{
	int r = task ? vgl_exec_info_g((__u64)task, b->off, b->idx) : -1;

	if (r < 0) {
		for (int i = 0; i < VGL_EXEC_NPARAMS; i++)
			vgl_put_absent(b);
		return;
	}
	b->off = r & VGL_EI_OFF;
	b->idx += VGL_EXEC_NPARAMS;
	if (r & VGL_EI_TRUNC)
		b->flags |= VGL_EVF_TRUNCATED;
	if (r & VGL_EI_FAILED)
		b->read_failed = true;
}

/* Capabilities after a set*id call (VGL_CRED_CAPS_P). */
static __always_inline void vgl_put_cred_caps(struct vgl_builder *b)
{
	const struct cred *cred = BPF_CORE_READ(vgl_task(), cred);
	__u64 eff = 0, prm = 0;

	bpf_core_read(&eff, 8, &cred->cap_effective);
	bpf_core_read(&prm, 8, &cred->cap_permitted);
	vgl_put_u64(b, eff);
	vgl_put_u64(b, prm);
}

#endif /* VIGIL_BPF_EXECINFO_H */
