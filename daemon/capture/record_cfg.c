// SPDX-License-Identifier: Apache-2.0
/*
 * The CONFIG context record (record.h): a config file a rule read through
 * the state (docker.daemon.*, rules/state.h config_file), so that replay
 * answers as live did.
 *
 *	u32 pid, i32 err (0: read), u32 path length, path,
 *	u32 data length (0xffffffff when err != 0), data
 */
#include <errno.h>
#include <string.h>

#include "capture/format_int.h"
#include "capture/record_int.h"

int vgl_caprec_config(struct vgl_capbuf *b, uint32_t pid, const char *path, const char *data,
		      size_t len, int err)
{
	vgl_capbuf_reset(b);
	if (!path || (err && data) || (!err && !data) || len > VGL_STATE_CONFIG_FILE_MAX)
		return b->err = -EINVAL;
	caprec_put_u32(b, pid);
	caprec_put_u32(b, (uint32_t)err);
	caprec_put_str(b, path);
	caprec_put_blob(b, err ? NULL : data, len);
	return b->err;
}

int vgl_caprec_decode_config(const void *data, size_t len, struct vgl_caprec_config *ret)
{
	const uint8_t *p = data, *end = p + len;
	uint32_t n;

	if (len < 12)
		return -EINVAL;
	ret->pid = vgl_le32_get(p);
	ret->err = (int32_t)vgl_le32_get(p + 4);
	n = vgl_le32_get(p + 8);
	p += 12;
	if (n == VGL_CAPREC_NULL || n >= 4096 || (size_t)(end - p) < (size_t)n + 4 ||
	    memchr(p, '\0', n) || !n || p[0] != '/')
		return -EINVAL;
	ret->path = (const char *)p;
	ret->path_len = n;
	p += n;
	n = vgl_le32_get(p);
	p += 4;
	ret->data = NULL;
	ret->len = 0;
	if (n == VGL_CAPREC_NULL)
		return ret->err < 0 && p == end ? 0 : -EINVAL;
	if (ret->err || n > VGL_STATE_CONFIG_FILE_MAX || (size_t)(end - p) != n)
		return -EINVAL;
	ret->data = (const char *)p;
	ret->len = n;
	return 0;
}
