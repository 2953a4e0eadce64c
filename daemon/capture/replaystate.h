/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The state a capture recorded: context records applied in file order answer
 * the rule engine's questions (rules/state.h) exactly as the live state
 * tracker answered them when the capture was written. No /proc, no runtime
 * files: replay runs anywhere. Bounded (VGL_REPLAY_*_MAX entries each, the
 * least recently updated forgotten first; counted).
 */
#ifndef VIGIL_CAPTURE_REPLAYSTATE_H
#define VIGIL_CAPTURE_REPLAYSTATE_H

#include <stddef.h>
#include <stdint.h>

#include "rules/state.h"

#define VGL_REPLAY_PROCS_MAX	  65536
#define VGL_REPLAY_CONTAINERS_MAX 4096
#define VGL_REPLAY_USERS_MAX	  65536
#define VGL_REPLAY_FDS_MAX	  262144
#define VGL_REPLAY_CONFIGS_MAX	  256

struct vgl_replaystate_stats {
	uint64_t applied;   /* context records applied */
	uint64_t malformed; /* rejected (they decode badly) */
	uint64_t forgotten; /* entries dropped at the bounds */
};

struct vgl_replaystate;

/* @hostname: the capture's (for evt.hostname); copied. NULL with errno on failure. */
struct vgl_replaystate *vgl_replaystate_new(const char *hostname);
void vgl_replaystate_free(struct vgl_replaystate *rs);

/* Replace the hostname (a later file of another host). 0 or -ENOMEM. */
int vgl_replaystate_set_hostname(struct vgl_replaystate *rs, const char *hostname);

/*
 * Apply one context record (any VGL_CAP_REC_* but EVENT and LOSS). 0, or
 * -EINVAL when it does not decode (counted; the state is unchanged).
 */
int vgl_replaystate_apply(struct vgl_replaystate *rs, uint32_t type, const void *data, size_t len);

/* The callbacks; pass the struct vgl_replaystate * as their `state` argument. */
const struct vgl_field_state_ops *vgl_replaystate_ops(void);

void vgl_replaystate_stats(const struct vgl_replaystate *rs, struct vgl_replaystate_stats *ret);

#endif /* VIGIL_CAPTURE_REPLAYSTATE_H */
