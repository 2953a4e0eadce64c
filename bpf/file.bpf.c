/* SPDX-License-Identifier: Apache-2.0 */
/*
 * File opens and file system changes. For opens, the requested name comes
 * from the kernel's own copy (do_filp_open's struct filename) when that hook
 * is attached, and the resolved path from the new descriptor's struct file.
 */

#define VGL_O_WRONLY	  01
#define VGL_O_CREAT	  0100
#define VGL_O_TRUNC	  01000
#define VGL_O_TMPFILE_BIT 020000000
#define VGL_AT_FDCWD	  -100
#if defined(__TARGET_ARCH_arm64)
#define VGL_O_DIRECTORY 040000
#else
#define VGL_O_DIRECTORY 0200000
#endif

#include "prefilter.h"

/* The name the kernel copied from @uptr for this open, if the hook ran. */
SEC("fentry/do_filp_open")
int BPF_PROG(vgl_k_filp_open, int dfd, struct filename *pathname)
{
	const char *uptr = BPF_CORE_READ(pathname, uptr);
	struct vgl_kstash *k = vgl_kstash_claim((__u64)uptr);
	long n;

	if (!k)
		return 0;
	n = bpf_probe_read_kernel_str(k->data, VGL_KSTASH_MAX, BPF_CORE_READ(pathname, name));
	k->len = n > 0 ? n : 0;
	if (n <= 0)
		k->key = 0;
	return 0;
}

/* The requested name: kernel copy when available, else user memory. */
static __always_inline long vgl_append_open_name(struct vgl_builder *b, const void *uptr,
						 struct vgl_kstash *k)
{
	if (k)
		return vgl_append_str(b, k->data, VGL_PATH_MAX, false);
	b->flags |= VGL_EVF_USER_ARGS;
	return vgl_append_str(b, uptr, VGL_PATH_MAX, true);
}

static __always_inline void vgl_put_open_name(struct vgl_builder *b, const void *uptr,
					      struct vgl_kstash *k)
{
	vgl_param_begin(b);
	if (!uptr) {
		vgl_put_absent(b);
		return;
	}
	if (vgl_append_open_name(b, uptr, k) < 0) {
		b->off = b->start;
		vgl_put_failed(b);
		return;
	}
	vgl_param_end(b);
}

/*
 * The resolved path: the new file's path on success; on failure the path
 * the kernel would have used (dirfd or cwd joined with a relative name).
 */
static __always_inline void vgl_put_open_path(struct vgl_builder *b, long ret, long dirfd,
					      const void *uptr, struct vgl_kstash *k)
{
	char first = 0;

	if (ret >= 0) {
		vgl_put_file_path(b, vgl_fd_file(ret));
		return;
	}
	if (k)
		first = k->data[0];
	else if (uptr)
		bpf_probe_read_user(&first, 1, uptr);
	if (!uptr || first == '\0') {
		vgl_put_absent(b);
	} else if (first == '/') {
		vgl_put_open_name(b, uptr, k);
	} else if (k) {
		vgl_put_path_join(b, vgl_dir_path(dirfd), k->data, false);
	} else {
		vgl_put_path_join(b, vgl_dir_path(dirfd), uptr, true);
		b->flags |= VGL_EVF_USER_ARGS;
	}
}

static __always_inline int vgl_open_exit(long ret, __u16 kind, long dirfd, const void *uptr,
					 __u64 flags, __u64 mode)
{
	struct vgl_kstash *k = vgl_kstash_for((__u64)uptr);
	struct vgl_builder b;
	__u32 n0, n1;

	/* the header last: an open the prefilter drops costs no more than its path */
	if (vgl_begin_params(&b, kind, 5))
		return 0;
	vgl_put_u64(&b, dirfd);
	n0 = b.off;
	vgl_put_open_name(&b, uptr, k);
	n1 = b.off;
	vgl_put_open_path(&b, ret, dirfd, uptr, k);
	if (vgl_pf_drop(&b, ret, flags, mode, n0, n1, b.off))
		return 0;
	vgl_path_repeat(&b, n0, n1, n1);
	vgl_fill_hdr((struct vgl_hdr *)b.buf, kind, ret);
	vgl_put_u64(&b, flags);
	vgl_put_u64(&b, (flags & (VGL_O_CREAT | VGL_O_TMPFILE_BIT)) ? (mode & 07777) : 0);
	vgl_submit(&b);
	return 0;
}

VGL_EXIT_PROG(open)
{
	return vgl_open_exit(ret, VGL_EV_OPEN, VGL_AT_FDCWD, ARG_PTR(0), ARG_U32(1), ARG(2));
}

VGL_EXIT_PROG(openat)
{
	return vgl_open_exit(ret, VGL_EV_OPENAT, ARG_S32(0), ARG_PTR(1), ARG_U32(2), ARG(3));
}

VGL_EXIT_PROG(creat)
{
	return vgl_open_exit(ret, VGL_EV_CREAT, VGL_AT_FDCWD, ARG_PTR(0),
			     VGL_O_CREAT | VGL_O_WRONLY | VGL_O_TRUNC, ARG(1));
}

VGL_EXIT_PROG(openat2)
{
	struct open_how how = {};

	bpf_probe_read_user(&how, sizeof(how), ARG_PTR(2));
	return vgl_open_exit(ret, VGL_EV_OPENAT2, ARG_S32(0), ARG_PTR(1), how.flags, how.mode);
}

VGL_EXIT_PROG(unlink)
{
	VGL_BEGIN(VGL_EV_UNLINK, 1);
	PUT_USTR(0);
	VGL_END();
}

VGL_EXIT_PROG(unlinkat)
{
	VGL_BEGIN(VGL_EV_UNLINKAT, 3);
	PUT_S32(0);
	PUT_USTR(1);
	PUT_U32(2);
	VGL_END();
}

VGL_EXIT_PROG(rename)
{
	VGL_BEGIN(VGL_EV_RENAME, 2);
	PUT_USTR(0);
	PUT_USTR(1);
	VGL_END();
}

VGL_EXIT_PROG(renameat)
{
	VGL_BEGIN(VGL_EV_RENAMEAT, 4);
	PUT_S32(0);
	PUT_USTR(1);
	PUT_S32(2);
	PUT_USTR(3);
	VGL_END();
}

VGL_EXIT_PROG(renameat2)
{
	VGL_BEGIN(VGL_EV_RENAMEAT2, 5);
	PUT_S32(0);
	PUT_USTR(1);
	PUT_S32(2);
	PUT_USTR(3);
	PUT_U32(4);
	VGL_END();
}

VGL_EXIT_PROG(rmdir)
{
	VGL_BEGIN(VGL_EV_RMDIR, 1);
	PUT_USTR(0);
	VGL_END();
}

VGL_EXIT_PROG(mkdir)
{
	VGL_BEGIN(VGL_EV_MKDIR, 2);
	PUT_USTR(0);
	PUT_U32(1);
	VGL_END();
}

VGL_EXIT_PROG(mkdirat)
{
	VGL_BEGIN(VGL_EV_MKDIRAT, 3);
	PUT_S32(0);
	PUT_USTR(1);
	PUT_U32(2);
	VGL_END();
}

VGL_EXIT_PROG(chmod)
{
	VGL_BEGIN(VGL_EV_CHMOD, 2);
	PUT_USTR(0);
	PUT_U32(1);
	VGL_END();
}

VGL_EXIT_PROG(fchmod)
{
	VGL_BEGIN(VGL_EV_FCHMOD, 2);
	PUT_S32(0);
	PUT_U32(1);
	VGL_END();
}

VGL_EXIT_PROG(fchmodat)
{
	VGL_BEGIN(VGL_EV_FCHMODAT, 3);
	PUT_S32(0);
	PUT_USTR(1);
	PUT_U32(2);
	VGL_END();
}

VGL_EXIT_PROG(symlink)
{
	VGL_BEGIN(VGL_EV_SYMLINK, 2);
	PUT_USTR(0);
	PUT_USTR(1);
	VGL_END();
}

VGL_EXIT_PROG(symlinkat)
{
	VGL_BEGIN(VGL_EV_SYMLINKAT, 3);
	PUT_USTR(0);
	PUT_S32(1);
	PUT_USTR(2);
	VGL_END();
}

VGL_EXIT_PROG(link)
{
	VGL_BEGIN(VGL_EV_LINK, 2);
	PUT_USTR(0);
	PUT_USTR(1);
	VGL_END();
}

VGL_EXIT_PROG(linkat)
{
	VGL_BEGIN(VGL_EV_LINKAT, 5);
	PUT_S32(0);
	PUT_USTR(1);
	PUT_S32(2);
	PUT_USTR(3);
	PUT_U32(4);
	VGL_END();
}
