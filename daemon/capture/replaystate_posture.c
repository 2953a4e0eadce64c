// SPDX-License-Identifier: Apache-2.0
/*
 * Replay of CTR_POSTURE records (record_posture.c): the posture of the
 * container view that the CONTAINER record just before it gave.
 */
#include <stdlib.h>

#include "capture/record.h"
#include "capture/replaystate_int.h"

/* The posture of the container view the last CONTAINER record for its key gave. */
int rs_apply_ctr_posture(struct vgl_replaystate *rs, const void *data, size_t len)
{
	struct vgl_ctr_posture p;
	struct rs_ctr *c;
	uint64_t cg;
	uint32_t pid;
	void *mem;
	int rc = vgl_caprec_decode_ctr_posture(data, len, &cg, &pid, &p, &mem);

	if (rc)
		return rc;
	c = (struct rs_ctr *)rs_find(&rs->ctrs, cg, pid, NULL);
	if (!c || !c->c.known) {
		free(mem); /* its CONTAINER record was lost or unknown */
		return 0;
	}
	free(c->c.posture_mem);
	c->c.posture_mem = mem;
	c->c.view.posture = p;
	c->c.view.version = ++rs->version;
	return 0;
}
