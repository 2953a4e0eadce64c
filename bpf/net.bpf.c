/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Network: connect, accept, bind, listen, socket, send/recv with addresses.
 * connect and bind take the address the kernel copied (LSM socket_connect /
 * socket_bind, or fentry on the security_ functions when BPF LSM is off);
 * accepted and local addresses come from the socket itself.
 */

/*
 * Keep the address the kernel copied for this thread's connect or bind.
 * Keyed by thread, not per CPU: a connect can sleep and end on another CPU.
 */
static __always_inline void vgl_stash_sockaddr(struct socket *sock, struct sockaddr *addr, int len)
{
	__u32 tid = (__u32)bpf_get_current_pid_tgid();
	struct vgl_addrstash a = {};
	__u32 n = len > (int)sizeof(a.data) ? sizeof(a.data) : len;

	if (vgl_is_self() || !sock || len <= 0)
		return;
	/*
	 * The kernel's copy is a whole struct sockaddr_storage: copy all of it
	 * (a constant size needs no bound the verifier must follow; clang
	 * rewrites masks and comparisons on a variable one).
	 */
	if (bpf_probe_read_kernel(a.data, sizeof(a.data), addr))
		return;
	a.key = (__u64)sock;
	a.len = n;
	bpf_map_update_elem(&vgl_addrstash, &tid, &a, BPF_ANY);
}

SEC("lsm/socket_connect")
int BPF_PROG(vgl_lsm_connect, struct socket *sock, struct sockaddr *address, int addrlen, int ret)
{
	if (ret == 0)
		vgl_stash_sockaddr(sock, address, addrlen);
	return ret;
}

SEC("fentry/security_socket_connect")
int BPF_PROG(vgl_fentry_connect, struct socket *sock, struct sockaddr *address, int addrlen)
{
	vgl_stash_sockaddr(sock, address, addrlen);
	return 0;
}

SEC("lsm/socket_bind")
int BPF_PROG(vgl_lsm_bind, struct socket *sock, struct sockaddr *address, int addrlen, int ret)
{
	if (ret == 0)
		vgl_stash_sockaddr(sock, address, addrlen);
	return ret;
}

SEC("fentry/security_socket_bind")
int BPF_PROG(vgl_fentry_bind, struct socket *sock, struct sockaddr *address, int addrlen)
{
	vgl_stash_sockaddr(sock, address, addrlen);
	return 0;
}

/* The address argument: the kernel's copy when it belongs to @sock. */
static __always_inline void vgl_put_call_addr(struct vgl_builder *b, struct socket *sock,
					      const void *uaddr, long ulen)
{
	__u32 tid = (__u32)bpf_get_current_pid_tgid();
	struct vgl_addrstash *a = bpf_map_lookup_elem(&vgl_addrstash, &tid);

	if (a && sock && a->key == (__u64)sock) {
		vgl_put_sockaddr(b, a->data, a->len, false);
		bpf_map_delete_elem(&vgl_addrstash, &tid);
	} else {
		vgl_put_sockaddr(b, uaddr, ulen, true);
	}
}

/*
 * The prefilter's class of the connect built in @b (vgl_pf_conn_class):
 * from its peer address as written at @peer (parameter 1) and its local one
 * at @local (parameter 2); -1 when the peer's is absent (it cannot judge).
 */
static __always_inline long vgl_conn_class(struct vgl_builder *b, long ret, __u32 peer, __u32 local)
{
	const __u32 hdr = sizeof(struct vgl_sockaddr_hdr);
	__u16 plen, llen, fam, lfam;
	__u64 p[2] = {}, l[2] = {};
	int loop = 0;

	__builtin_memcpy(&plen, b->buf + VGL_LENS_OFF + 2, sizeof(plen));
	__builtin_memcpy(&llen, b->buf + VGL_LENS_OFF + 4, sizeof(llen));
	if (plen == VGL_PARAM_ABSENT || plen < hdr)
		return -1;
	__builtin_memcpy(&fam, b->buf + VGL_OFF(peer), sizeof(fam));
	__builtin_memcpy(&lfam, b->buf + VGL_OFF(local), sizeof(lfam));
	if (llen == plen && lfam == fam && plen == hdr + 4 && fam == VGL_AF_INET) {
		__builtin_memcpy(p, b->buf + VGL_OFF(peer + hdr), 4);
		__builtin_memcpy(l, b->buf + VGL_OFF(local + hdr), 4);
		loop = p[0] == 0x0100007f && l[0] == p[0]; /* 127.0.0.1 */
	} else if (llen == plen && lfam == fam && plen == hdr + 16 && fam == VGL_AF_INET6) {
		__builtin_memcpy(p, b->buf + VGL_OFF(peer + hdr), 16);
		__builtin_memcpy(l, b->buf + VGL_OFF(local + hdr), 16);
		loop = !p[0] && p[1] == 0x0100000000000000ull && !l[0] && l[1] == p[1]; /* ::1 */
	}
	return vgl_pf_conn_class(fam, loop, ret);
}

VGL_EXIT_PROG(connect)
{
	struct socket *sock = vgl_fd_socket(ARG_S32(0));
	__u32 peer, local;
	long cls;

	VGL_BEGIN(VGL_EV_CONNECT, 3);
	PUT_S32(0);
	peer = b.off;
	vgl_put_call_addr(&b, sock, ARG_PTR(1), ARG_S32(2));
	local = b.off;
	vgl_put_sock_addr(&b, sock, false);
	cls = vgl_conn_class(&b, ret, peer, local);
	if (cls >= 0 && vgl_pf_drop_cls(VGL_EV_CONNECT, cls))
		return 0;
	VGL_END();
}

VGL_EXIT_PROG(bind)
{
	struct socket *sock = vgl_fd_socket(ARG_S32(0));

	VGL_BEGIN(VGL_EV_BIND, 2);
	PUT_S32(0);
	vgl_put_call_addr(&b, sock, ARG_PTR(1), ARG_S32(2));
	VGL_END();
}

static __always_inline int vgl_accept_exit(long ret, __u16 kind, __u16 n, __u64 flags)
{
	struct socket *sock = ret >= 0 ? vgl_fd_socket(ret) : NULL;

	VGL_BEGIN(kind, n);
	vgl_put_u64(&b, ret);
	vgl_put_sock_addr(&b, sock, true);
	vgl_put_sock_addr(&b, sock, false);
	if (n == 4)
		vgl_put_u64(&b, flags);
	VGL_END();
}

VGL_EXIT_PROG(accept)
{
	return vgl_accept_exit(ret, VGL_EV_ACCEPT, 3, 0);
}

VGL_EXIT_PROG(accept4)
{
	return vgl_accept_exit(ret, VGL_EV_ACCEPT4, 4, ARG_U32(3));
}

VGL_EXIT_PROG(listen)
{
	VGL_BEGIN(VGL_EV_LISTEN, 3);
	PUT_S32(0);
	PUT_S32(1);
	vgl_put_sock_addr(&b, vgl_fd_socket(ARG_S32(0)), false);
	VGL_END();
}

VGL_EXIT_PROG(socket)
{
	if (vgl_pf_drop_cls(VGL_EV_SOCKET, vgl_pf_sock_class(ARG_S32(0), ret)))
		return 0;
	VGL_BEGIN(VGL_EV_SOCKET, 3);
	PUT_S32(0);
	PUT_S32(1);
	PUT_S32(2);
	VGL_END();
}

/* The other end: an explicit address if the call had one, else the peer. */
static __always_inline void vgl_put_msg_addr(struct vgl_builder *b, long fd, const void *uaddr,
					     long ulen)
{
	if (uaddr && ulen > 0)
		vgl_put_sockaddr(b, uaddr, ulen, true);
	else
		vgl_put_sock_addr(b, vgl_fd_socket(fd), true);
}

VGL_EXIT_PROG(sendto)
{
	VGL_BEGIN(VGL_EV_SENDTO, 3);
	PUT_S32(0);
	PUT_U64(2);
	vgl_put_msg_addr(&b, ARG_S32(0), ARG_PTR(4), ARG_S32(5));
	VGL_END();
}

VGL_EXIT_PROG(recvfrom)
{
	int alen = 0;

	if (ARG(5))
		bpf_probe_read_user(&alen, sizeof(alen), ARG_PTR(5));
	VGL_BEGIN(VGL_EV_RECVFROM, 3);
	PUT_S32(0);
	PUT_U64(2);
	vgl_put_msg_addr(&b, ARG_S32(0), ret >= 0 ? ARG_PTR(4) : NULL, alen);
	VGL_END();
}

/* Total length of the first iovecs of a msghdr. */
static __always_inline __u64 vgl_iov_len(const struct user_msghdr *msg)
{
	struct iovec *iov = msg->msg_iov;
	__u64 total = 0, n = msg->msg_iovlen;
	struct iovec v;

	for (int i = 0; i < 8; i++) {
		if (i >= n || bpf_probe_read_user(&v, sizeof(v), &iov[i]))
			break;
		total += v.iov_len;
	}
	return total;
}

static __always_inline int vgl_msg_exit(struct pt_regs *regs, long ret, __u16 kind)
{
	struct user_msghdr msg = {};

	bpf_probe_read_user(&msg, sizeof(msg), ARG_PTR(1));
	VGL_BEGIN(kind, 3);
	PUT_S32(0);
	vgl_put_u64(&b, vgl_iov_len(&msg));
	if (kind == VGL_EV_RECVMSG && ret < 0)
		msg.msg_name = NULL;
	vgl_put_msg_addr(&b, ARG_S32(0), msg.msg_name, msg.msg_namelen);
	VGL_END();
}

VGL_EXIT_PROG(sendmsg)
{
	return vgl_msg_exit(regs, ret, VGL_EV_SENDMSG);
}

VGL_EXIT_PROG(recvmsg)
{
	return vgl_msg_exit(regs, ret, VGL_EV_RECVMSG);
}
