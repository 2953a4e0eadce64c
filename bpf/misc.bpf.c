/* SPDX-License-Identifier: Apache-2.0 */
/* Descriptors, tracing, modules, namespaces, bpf, memfd, mounts; fcntl, close, pipes. */

/*
 * The dup family's last parameters (VGL_DUP_SOCK_P): the new descriptor's
 * peer and local address and its socket type, when it is an IP socket, so
 * that user space need not have followed the socket's own calls.
 */
static __always_inline void vgl_put_dup_sock(struct vgl_builder *b, long ret)
{
	struct socket *sock = ret >= 0 ? vgl_fd_socket(ret) : NULL;
	__u16 family = sock ? BPF_CORE_READ(sock, sk, __sk_common.skc_family) : 0;

	if (family != VGL_AF_INET && family != VGL_AF_INET6) {
		vgl_put_absent(b);
		vgl_put_absent(b);
		vgl_put_absent(b);
		return;
	}
	vgl_put_sock_addr(b, sock, true);
	vgl_put_sock_addr(b, sock, false);
	vgl_put_u64(b, BPF_CORE_READ(sock, type));
}

VGL_EXIT_PROG(dup)
{
	VGL_BEGIN(VGL_EV_DUP, 1 + VGL_DUP_SOCK_NPARAMS);
	PUT_S32(0);
	vgl_put_dup_sock(&b, ret);
	VGL_END();
}

VGL_EXIT_PROG(dup2)
{
	VGL_BEGIN(VGL_EV_DUP2, 2 + VGL_DUP_SOCK_NPARAMS);
	PUT_S32(0);
	PUT_S32(1);
	vgl_put_dup_sock(&b, ret);
	VGL_END();
}

VGL_EXIT_PROG(dup3)
{
	VGL_BEGIN(VGL_EV_DUP3, 3 + VGL_DUP_SOCK_NPARAMS);
	PUT_S32(0);
	PUT_S32(1);
	PUT_U32(2);
	vgl_put_dup_sock(&b, ret);
	VGL_END();
}

VGL_EXIT_PROG(ptrace)
{
	VGL_BEGIN(VGL_EV_PTRACE, 2);
	PUT_U64(0);
	PUT_S32(1);
	VGL_END();
}

VGL_EXIT_PROG(init_module)
{
	VGL_BEGIN(VGL_EV_INIT_MODULE, 2);
	PUT_U64(1);
	PUT_USTR(2);
	VGL_END();
}

VGL_EXIT_PROG(finit_module)
{
	VGL_BEGIN(VGL_EV_FINIT_MODULE, 3);
	PUT_S32(0);
	PUT_USTR(1);
	PUT_U32(2);
	VGL_END();
}

VGL_EXIT_PROG(setns)
{
	VGL_BEGIN(VGL_EV_SETNS, 2);
	PUT_S32(0);
	PUT_U32(1);
	VGL_END();
}

VGL_EXIT_PROG(unshare)
{
	VGL_BEGIN(VGL_EV_UNSHARE, 1);
	PUT_U32(0);
	VGL_END();
}

VGL_EXIT_PROG(bpf)
{
	VGL_BEGIN(VGL_EV_BPF, 1);
	PUT_S32(0);
	VGL_END();
}

VGL_EXIT_PROG(userfaultfd)
{
	VGL_BEGIN(VGL_EV_USERFAULTFD, 1);
	PUT_U32(0);
	VGL_END();
}

VGL_EXIT_PROG(memfd_create)
{
	VGL_BEGIN(VGL_EV_MEMFD_CREATE, 2);
	PUT_USTR(0);
	PUT_U32(1);
	VGL_END();
}

VGL_EXIT_PROG(mount)
{
	VGL_BEGIN(VGL_EV_MOUNT, 4);
	PUT_USTR(0);
	PUT_USTR(1);
	PUT_USTR(2);
	PUT_U64(3);
	VGL_END();
}

VGL_EXIT_PROG(umount2)
{
	VGL_BEGIN(VGL_EV_UMOUNT2, 2);
	PUT_USTR(0);
	PUT_U32(1);
	VGL_END();
}

/*
 * The descriptor calls the fd tracker follows (daemon/state/fdtrack.h), each
 * reported only when it can change what the tracker holds: they are among
 * the most frequent syscalls.
 */
#define VGL_F_DUPFD	    0
#define VGL_F_DUPFD_CLOEXEC 1030

/* fcntl: the commands that duplicate a descriptor; the others emit nothing. */
VGL_EXIT_PROG(fcntl)
{
	__u32 cmd = (__u32)ARG(1);

	if (cmd != VGL_F_DUPFD && cmd != VGL_F_DUPFD_CLOEXEC)
		return 0;
	VGL_BEGIN(VGL_EV_FCNTL, 2);
	PUT_S32(0);
	vgl_put_u64(&b, cmd);
	VGL_END();
}

/*
 * close: only when sys_enter kept it, that is when the descriptor was an IP
 * socket. What it kept is dropped whatever it was: this thread's syscall is
 * this close.
 */
VGL_EXIT_PROG(close)
{
	struct vgl_enter_stash *st = vgl_stash();
	bool ours;

	if (!st)
		return 0;
	ours = st->kind == VGL_EV_CLOSE && (__s32)st->args[0] == (__s32)ARG(0);
	vgl_stash_drop();
	if (!ours)
		return 0;
	VGL_BEGIN(VGL_EV_CLOSE, 1);
	PUT_S32(0);
	VGL_END();
}

/* The two descriptors the kernel wrote to the user's int[2] at @fds. */
static __always_inline void vgl_put_fd_pair(struct vgl_builder *b, long ret, const void *fds)
{
	int v[2];

	if (ret != 0) {
		vgl_put_absent(b);
		vgl_put_absent(b);
	} else if (bpf_probe_read_user(v, sizeof(v), fds)) {
		vgl_put_failed(b);
		vgl_put_failed(b);
	} else {
		vgl_put_u64(b, (__s64)v[0]);
		vgl_put_u64(b, (__s64)v[1]);
	}
}

VGL_EXIT_PROG(pipe)
{
	VGL_BEGIN(VGL_EV_PIPE, 2);
	vgl_put_fd_pair(&b, ret, ARG_PTR(0));
	VGL_END();
}

VGL_EXIT_PROG(pipe2)
{
	VGL_BEGIN(VGL_EV_PIPE2, 3);
	vgl_put_fd_pair(&b, ret, ARG_PTR(0));
	PUT_U32(1);
	VGL_END();
}

VGL_EXIT_PROG(socketpair)
{
	VGL_BEGIN(VGL_EV_SOCKETPAIR, 5);
	PUT_S32(0);
	PUT_S32(1);
	PUT_S32(2);
	vgl_put_fd_pair(&b, ret, ARG_PTR(3));
	VGL_END();
}
