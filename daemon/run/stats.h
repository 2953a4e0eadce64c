/* SPDX-License-Identifier: Apache-2.0 */
/* Counters of a run: kernel side (emitted, lost, truncated) and userspace. */
#ifndef VIGIL_RUN_STATS_H
#define VIGIL_RUN_STATS_H

#include <stdio.h>

#include "run/pipeline.h"

struct vgl_run_stats {
	struct vgl_kind_stats kernel[VGL_EV_MAX];
	struct vgl_kind_stats kernel_total;
	struct vgl_pipeline_stats user;
	uint64_t lost; /* everything lost anywhere */
};

void vgl_run_stats_sum(struct vgl_run_stats *s);

/* One JSON object on one line: {"vigil_stats": {...}} (docs/events.md). */
void vgl_run_stats_print_json(const struct vgl_run_stats *s, FILE *f);

/* A few human-readable lines. */
void vgl_run_stats_print_text(const struct vgl_run_stats *s, FILE *f);

#endif /* VIGIL_RUN_STATS_H */
