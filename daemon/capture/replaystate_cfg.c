// SPDX-License-Identifier: Apache-2.0
/*
 * CONFIG records in the replay state: (pid, path) -> the last answer the
 * recorder wrote for that config file (docker.daemon.*), answered again by
 * the config_file callback.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "capture/replaystate_int.h"

void rs_drop_cfg(struct rs_node *n)
{
	free(((struct rs_cfg *)n)->mem);
	free(n);
}

int rs_apply_config(struct vgl_replaystate *rs, const void *data, size_t len)
{
	struct vgl_caprec_config d;
	struct rs_node *old;
	struct rs_cfg *c;

	if (vgl_caprec_decode_config(data, len, &d))
		return -EINVAL;
	c = calloc(1, sizeof(*c));
	if (!c || !(c->mem = malloc(d.path_len + 1 + d.len + 1))) {
		free(c);
		return -ENOMEM;
	}
	memcpy(c->mem, d.path, d.path_len);
	c->mem[d.path_len] = '\0';
	if (d.data)
		memcpy(c->mem + d.path_len + 1, d.data, d.len);
	c->mem[d.path_len + 1 + d.len] = '\0';
	c->err = d.err;
	c->data = d.data ? c->mem + d.path_len + 1 : NULL;
	c->len = d.len;
	c->n.k1 = d.pid;
	c->n.skey = c->mem;
	if ((old = rs_find(&rs->cfgs, d.pid, 0, c->mem)))
		rs_remove(&rs->cfgs, old);
	rs_insert(&rs->cfgs, &c->n);
	return 0;
}

const char *rs_config_file(void *state, uint32_t pid, const char *path, size_t *ret_len,
			   int *ret_err)
{
	struct vgl_replaystate *rs = state;
	struct rs_cfg *c = (struct rs_cfg *)rs_find(&rs->cfgs, pid, 0, path);

	*ret_len = c ? c->len : 0;
	*ret_err = c ? c->err : -ENOENT;
	if (!c) /* never read while recording: unknown */
		*ret_err = -ENODATA;
	return c ? c->data : NULL;
}
