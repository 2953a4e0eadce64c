/* SPDX-License-Identifier: Apache-2.0 */
/* Internal to run/replay*.c. */
#ifndef VIGIL_RUN_REPLAY_INT_H
#define VIGIL_RUN_REPLAY_INT_H

#include <stdbool.h>
#include <stdint.h>

#include "capture/format.h"
#include "capture/replaystate.h"
#include "rules/rules.h"
#include "run/pipeline.h"
#include "run/replay.h"
#include "source/source.h"

struct vgl_replay {
	const struct vgl_replay_opts *o;
	struct vgl_pipeline *p;
	struct vgl_replaystate *rs; /* the recorded state of the current host and boot */
	char host[VGL_CAP_STR_MAX];
	int64_t boot_ns;
	struct vgl_ruleset *filter; /* --filter */
	struct vgl_match_ctx *fctx;
	bool json;
	uint64_t alerts_seen;	     /* for throttle() */
	uint64_t bad_context;	     /* context records that did not decode */
	struct vgl_capsrc_stats src; /* at the end */
};

/* vgl_pipeline.select: --since, --until, --pid, --container, --filter. */
bool vgl_replay_select(void *ctx, const struct vgl_event *ev);

/* Print the summary on stderr; returns the exit code it implies. */
int vgl_replay_summary(const struct vgl_replay *r);

#endif /* VIGIL_RUN_REPLAY_INT_H */
