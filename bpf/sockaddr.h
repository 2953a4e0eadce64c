/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Socket addresses as VGL_PT_SOCKADDR parameters: from a struct sockaddr
 * (the kernel's copy or a user buffer) or from a socket's own state.
 */
#ifndef VIGIL_BPF_SOCKADDR_H
#define VIGIL_BPF_SOCKADDR_H

#define VGL_UNIX_PATH_MAX 108

static __always_inline long vgl_read(void *dst, __u32 size, const void *src, bool user)
{
	return user ? bpf_probe_read_user(dst, size, src) : bpf_probe_read_kernel(dst, size, src);
}

/* Write the fixed part of an address: header and @alen address bytes. */
static __always_inline int vgl_append_sa(struct vgl_builder *b, __u16 family, __u16 port,
					 const void *addr, __u32 alen)
{
	struct vgl_sockaddr_hdr h = { .family = family, .port = port };

	if (vgl_room(b, sizeof(h) + 16) < sizeof(h) + 16)
		return -1;
	__builtin_memcpy(b->buf + VGL_OFF(b->off), &h, sizeof(h));
	b->off += sizeof(h);
	if (alen == 4)
		__builtin_memcpy(b->buf + VGL_OFF(b->off), addr, 4);
	else if (alen == 16)
		__builtin_memcpy(b->buf + VGL_OFF(b->off), addr, 16);
	b->off += alen;
	return 0;
}

/* Unix socket path bytes (no NUL); abstract names keep their leading NUL. */
static __always_inline int vgl_append_unix_path(struct vgl_builder *b, const char *path, long plen,
						bool user)
{
	char first = 0;
	long n;

	if (plen <= 0)
		return 0;
	if (plen > VGL_UNIX_PATH_MAX)
		plen = VGL_UNIX_PATH_MAX;
	if (vgl_read(&first, 1, path, user))
		return -1;
	if (first == '\0')
		return vgl_append_bytes(b, path, plen, user);
	n = vgl_append_str(b, path, plen + 1, user);
	if (n < 0)
		return -1;
	b->off--; /* the path has no NUL on the wire */
	return 0;
}

/* A struct sockaddr of @len bytes at @src, normalized. */
static __always_inline void vgl_put_sockaddr(struct vgl_builder *b, const void *src, long len,
					     bool user)
{
	struct sockaddr_in6 sa = {};
	long head = len;
	int err = 0;

	if (!src || len < 2) {
		vgl_put_absent(b);
		return;
	}
	if (head > sizeof(sa))
		head = sizeof(sa);
	if (vgl_read(&sa, head, src, user)) {
		vgl_put_failed(b);
		return;
	}
	vgl_param_begin(b);
	switch (sa.sin6_family) {
	case VGL_AF_INET:
		err = vgl_append_sa(b, VGL_AF_INET, bpf_ntohs(sa.sin6_port),
				    &((struct sockaddr_in *)&sa)->sin_addr, 4);
		break;
	case VGL_AF_INET6:
		err = vgl_append_sa(b, VGL_AF_INET6, bpf_ntohs(sa.sin6_port), &sa.sin6_addr, 16);
		break;
	case VGL_AF_UNIX:
		err = vgl_append_sa(b, VGL_AF_UNIX, 0, NULL, 0);
		if (!err)
			err = vgl_append_unix_path(b, (const char *)src + 2, len - 2, user);
		break;
	default:
		err = vgl_append_sa(b, sa.sin6_family, 0, NULL, 0);
	}
	if (err) {
		b->off = b->start;
		vgl_put_failed(b);
		return;
	}
	if (user)
		b->flags |= VGL_EVF_USER_ARGS;
	vgl_param_end(b);
}

/* The address bound to a unix socket, as path bytes. */
static __always_inline int vgl_append_unix_bound(struct vgl_builder *b, struct sock *sk)
{
	struct unix_sock *u = (struct unix_sock *)sk;
	struct unix_address *addr = BPF_CORE_READ(u, addr);
	int len;

	if (!addr)
		return 0; /* unbound */
	len = BPF_CORE_READ(addr, len);
	return vgl_append_unix_path(b, (const char *)&addr->name[0].sun_path, len - 2, false);
}

/* Local (@peer false) or remote address of @sock from its struct sock. */
static __always_inline void vgl_put_sock_addr(struct vgl_builder *b, struct socket *sock, bool peer)
{
	struct sock *sk = sock ? BPF_CORE_READ(sock, sk) : NULL;
	struct sock_common *c = (struct sock_common *)sk;
	__u16 family, port;
	struct in6_addr a6;
	__u32 a4;
	int err;

	if (!sk) {
		vgl_put_absent(b);
		return;
	}
	family = BPF_CORE_READ(c, skc_family);
	vgl_param_begin(b);
	if (family == VGL_AF_INET) {
		a4 = peer ? BPF_CORE_READ(c, skc_daddr) : BPF_CORE_READ(c, skc_rcv_saddr);
		port = peer ? bpf_ntohs(BPF_CORE_READ(c, skc_dport)) : BPF_CORE_READ(c, skc_num);
		err = vgl_append_sa(b, family, port, &a4, 4);
	} else if (family == VGL_AF_INET6) {
		BPF_CORE_READ_INTO(&a6, c, skc_v6_daddr);
		if (!peer)
			BPF_CORE_READ_INTO(&a6, c, skc_v6_rcv_saddr);
		port = peer ? bpf_ntohs(BPF_CORE_READ(c, skc_dport)) : BPF_CORE_READ(c, skc_num);
		err = vgl_append_sa(b, family, port, &a6, 16);
	} else if (family == VGL_AF_UNIX) {
		if (peer)
			sk = BPF_CORE_READ((struct unix_sock *)sk, peer);
		err = vgl_append_sa(b, family, 0, NULL, 0);
		if (!err && sk)
			err = vgl_append_unix_bound(b, sk);
	} else {
		err = vgl_append_sa(b, family, 0, NULL, 0);
	}
	if (err) {
		b->off = b->start;
		vgl_put_failed(b);
		return;
	}
	vgl_param_end(b);
}

#endif /* VIGIL_BPF_SOCKADDR_H */
