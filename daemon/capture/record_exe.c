// SPDX-License-Identifier: Apache-2.0
/*
 * The EXE context record (record.h): what proc.exe_ino, proc.exe_ino.ctime,
 * .mtime and .ctime_duration_proc_start read live from /proc/PID/exe, so
 * that replay answers them as live did.
 *
 *	u32 pid, u8 known (0 or 1), u64 inode, i64 ctime_ns, i64 mtime_ns
 *
 * An unknown answer has the three numbers 0.
 */
#include <errno.h>
#include <string.h>

#include "capture/format_int.h"
#include "capture/record_int.h"

#define EXE_LEN (4 + 1 + 8 + 8 + 8)

int vgl_caprec_exe(struct vgl_capbuf *b, uint32_t pid, const struct vgl_exe_stat *st)
{
	vgl_capbuf_reset(b);
	caprec_put_u32(b, pid);
	caprec_put_u8(b, st != NULL);
	caprec_put_u64(b, st ? st->ino : 0);
	caprec_put_u64(b, st ? (uint64_t)st->ctime_ns : 0);
	caprec_put_u64(b, st ? (uint64_t)st->mtime_ns : 0);
	return b->err;
}

int vgl_caprec_decode_exe(const void *data, size_t len, uint32_t *ret_pid, bool *ret_known,
			  struct vgl_exe_stat *ret)
{
	const uint8_t *p = data;

	if (len != EXE_LEN || p[4] > 1)
		return -EINVAL;
	*ret_pid = vgl_le32_get(p);
	*ret_known = p[4];
	ret->ino = vgl_le64_get(p + 5);
	ret->ctime_ns = (int64_t)vgl_le64_get(p + 13);
	ret->mtime_ns = (int64_t)vgl_le64_get(p + 21);
	if (!*ret_known && (ret->ino || ret->ctime_ns || ret->mtime_ns))
		return -EINVAL; /* an unknown answer has no numbers */
	return 0;
}
