/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Absolute paths from kernel objects: walk the dentries of a struct path up
 * to the root of its mount namespace, crossing mount points. The result is
 * what the kernel acted on (symlinks resolved, dirfd applied), read from
 * kernel memory, not from a user pointer.
 */
#ifndef VIGIL_BPF_PATH_H
#define VIGIL_BPF_PATH_H

#define VGL_PMASK (VGL_PATH_MAX - 1)
#define vgl_container_of(ptr, type, member) \
	((type *)((void *)(ptr)-bpf_core_field_offset(type, member)))

/* d_parent and d_name of a dentry: one read where they are adjacent. */
struct vgl_dentry_link {
	struct dentry *parent;
	struct qstr name;
};

static __always_inline void vgl_dentry_link(struct dentry *dentry, struct vgl_dentry_link *l)
{
	if (bpf_core_field_offset(struct dentry, d_name) ==
	    bpf_core_field_offset(struct dentry, d_parent) + sizeof(void *)) {
		bpf_probe_read_kernel(l, sizeof(*l),
				      (void *)dentry +
					      bpf_core_field_offset(struct dentry, d_parent));
		return;
	}
	l->parent = BPF_CORE_READ(dentry, d_parent);
	BPF_CORE_READ_INTO(&l->name, dentry, d_name);
}

/*
 * Write the path backwards into @pb, ending with a NUL at VGL_PATH_MAX - 1.
 * Returns the offset of its first byte; sets *ret_trunc when components did
 * not fit. Two helper calls per component: its links, its name.
 */
static __always_inline __u32 vgl_walk_path(const struct path *path, struct vgl_pathbuf *pb,
					   bool *ret_trunc)
{
	struct dentry *dentry = BPF_CORE_READ(path, dentry);
	struct vfsmount *vfsmnt = BPF_CORE_READ(path, mnt);
	struct mount *mnt = vgl_container_of(vfsmnt, struct mount, mnt);
	struct mount *mnt_parent = BPF_CORE_READ(mnt, mnt_parent);
	struct dentry *mnt_root = BPF_CORE_READ(vfsmnt, mnt_root);
	__u32 off = VGL_PATH_MAX - 1;
	struct vgl_dentry_link l;
	bool detached;

	pb->buf[VGL_PATH_MAX - 1] = '\0';
	for (int i = 0; i < VGL_PATH_DEPTH_MAX; i++) {
		off &= VGL_PMASK; /* forget the exact value: lets the verifier prune */
		vgl_dentry_link(dentry, &l);
		/* a file no directory holds (a memfd): its own name, as d_path gives it */
		detached = i == 0 && dentry == l.parent && dentry != mnt_root;
		if ((dentry == mnt_root || dentry == l.parent) && !detached) {
			if (dentry != mnt_root || mnt == mnt_parent)
				break; /* the namespace root, or an unreachable dentry */
			dentry = BPF_CORE_READ(mnt, mnt_mountpoint);
			mnt = mnt_parent;
			mnt_parent = BPF_CORE_READ(mnt, mnt_parent);
			vfsmnt = (struct vfsmount *)((void *)mnt +
						     bpf_core_field_offset(struct mount, mnt));
			mnt_root = BPF_CORE_READ(vfsmnt, mnt_root);
			continue;
		}
		if (l.name.len + 1 > off) {
			*ret_trunc = true;
			break;
		}
		off -= l.name.len;
		bpf_probe_read_kernel(&pb->buf[off & VGL_PMASK], l.name.len & VGL_PMASK,
				      l.name.name);
		off--;
		pb->buf[off & VGL_PMASK] = '/';
		dentry = l.parent;
		if (detached)
			break;
	}
	if (off == VGL_PATH_MAX - 1) {
		off--;
		pb->buf[off & VGL_PMASK] = '/';
	}
	return off & VGL_PMASK;
}

/*
 * The walk as a global function: the verifier checks it once, on its own,
 * instead of once per call site (exec walks two paths after its argv loop).
 * Returns the offset of the path in vgl_pathbuf, | VGL_WALK_TRUNC when cut,
 * or < 0.
 */
#define VGL_WALK_TRUNC (1 << 16)
__noinline int vgl_walk_path_g(__u64 path)
{
	__u32 zero = 0;
	struct vgl_pathbuf *pb = bpf_map_lookup_elem(&vgl_pathbuf, &zero);
	bool trunc = false;
	__u32 off;

	if (!pb || !path)
		return -1;
	off = vgl_walk_path((const struct path *)path, pb, &trunc);
	return off | (trunc ? VGL_WALK_TRUNC : 0);
}

/* Append the path of @path with its NUL; returns 0 or < 0. */
static __always_inline int vgl_append_path(struct vgl_builder *b, const struct path *path)
{
	__u32 zero = 0;
	struct vgl_pathbuf *pb = bpf_map_lookup_elem(&vgl_pathbuf, &zero);
	int ret = vgl_walk_path_g((__u64)path);
	__u32 off;

	if (!pb || ret < 0)
		return -1;
	if (ret & VGL_WALK_TRUNC)
		b->flags |= VGL_EVF_TRUNCATED;
	off = ret & VGL_PMASK;
	if (vgl_append_bytes(b, &pb->buf[off], VGL_PATH_MAX - off, false) < 0)
		return -1;
	b->buf[VGL_OFF(b->off - 1)] = '\0'; /* keep the NUL if the copy was cut */
	return 0;
}

static __always_inline void vgl_put_path(struct vgl_builder *b, const struct path *path)
{
	vgl_param_begin(b);
	if (vgl_append_path(b, path) < 0) {
		b->off = b->start;
		vgl_put_failed(b);
		return;
	}
	vgl_param_end(b);
}

static __always_inline void vgl_put_file_path(struct vgl_builder *b, struct file *file)
{
	if (!file) {
		vgl_put_absent(b);
		return;
	}
	vgl_put_path(b, __builtin_preserve_access_index(&file->f_path));
}

static __always_inline const struct path *vgl_cwd_path(struct task_struct *task)
{
	struct fs_struct *fs = BPF_CORE_READ(task, fs);

	return fs ? __builtin_preserve_access_index(&fs->pwd) : NULL;
}

/* The directory a relative path of this call starts from: dirfd or cwd. */
static __always_inline const struct path *vgl_dir_path(long dirfd)
{
	struct file *file;

	if ((int)dirfd == -100) /* AT_FDCWD */
		return vgl_cwd_path(vgl_task());
	file = vgl_fd_file(dirfd);
	return file ? __builtin_preserve_access_index(&file->f_path) : NULL;
}

/* @dir + "/" + the string at @name, as one path parameter. */
static __always_inline void vgl_put_path_join(struct vgl_builder *b, const struct path *dir,
					      const void *name, bool user)
{
	vgl_param_begin(b);
	if (vgl_append_path(b, dir) < 0)
		goto failed;
	b->off--; /* drop the NUL */
	if (b->buf[VGL_OFF(b->off - 1)] != '/' && b->off < VGL_EVENT_MAX) {
		b->buf[VGL_OFF(b->off)] = '/';
		b->off++;
	}
	if (vgl_append_str(b, name, VGL_PATH_MAX, user) < 0)
		goto failed;
	vgl_param_end(b);
	return;
failed:
	b->off = b->start;
	vgl_put_failed(b);
}

#endif /* VIGIL_BPF_PATH_H */
