// SPDX-License-Identifier: Apache-2.0
/*
 * The FD_ADDR context record (record.h): the ends of an IP socket that the
 * state tracker followed from its socket events (state/fdtrack.h), which
 * fd.sip, fd.lport, fd.rport... of a dup read, so that replay answers them
 * as live did. Written right after the FD record of the same view.
 *
 *	u32 pid, i64 fd, u8 local_is_server (0 or 1),
 *	local end: u8 fam (0, 4 or 6), u16 port, 16 bytes ip; remote end: same
 *
 * Little-endian; ip in network byte order, the first 4 bytes for fam 4.
 */
#include <errno.h>
#include <string.h>

#include "capture/format_int.h"
#include "capture/record_int.h"

#define END_LEN	    (1 + 2 + 16)
#define FD_ADDR_LEN (4 + 8 + 1 + 2 * END_LEN)

static void put_end(struct vgl_capbuf *b, const struct vgl_fd_end *e)
{
	caprec_put_u8(b, e->fam);
	caprec_put_u8(b, (uint8_t)e->port);
	caprec_put_u8(b, (uint8_t)(e->port >> 8));
	caprec_put_bytes(b, e->ip, sizeof(e->ip));
}

int vgl_caprec_fd_addr(struct vgl_capbuf *b, uint32_t pid, int64_t fd, const struct vgl_fd_view *v)
{
	vgl_capbuf_reset(b);
	if (!v->local.fam && !v->remote.fam)
		return -EINVAL;
	caprec_put_u32(b, pid);
	caprec_put_u64(b, (uint64_t)fd);
	caprec_put_u8(b, v->local_is_server ? 1 : 0);
	put_end(b, &v->local);
	put_end(b, &v->remote);
	return b->err;
}

static int get_end(const uint8_t *p, struct vgl_fd_end *e)
{
	if (p[0] != 0 && p[0] != 4 && p[0] != 6)
		return -EINVAL;
	e->fam = p[0];
	e->port = vgl_le16_get(p + 1);
	memcpy(e->ip, p + 3, sizeof(e->ip));
	return 0;
}

int vgl_caprec_decode_fd_addr(const void *data, size_t len, uint32_t *ret_pid, int64_t *ret_fd,
			      struct vgl_fd_view *ret)
{
	const uint8_t *p = data;
	struct vgl_fd_end local, remote;

	if (len != FD_ADDR_LEN || p[12] > 1 || get_end(p + 13, &local) ||
	    get_end(p + 13 + END_LEN, &remote))
		return -EINVAL;
	*ret_pid = vgl_le32_get(p);
	*ret_fd = (int64_t)vgl_le64_get(p + 4);
	ret->local_is_server = p[12];
	ret->local = local;
	ret->remote = remote;
	return 0;
}
