/* SPDX-License-Identifier: Apache-2.0 */
/* Counters of a run: kernel side (emitted, lost, truncated) and userspace. */
#ifndef VIGIL_RUN_STATS_H
#define VIGIL_RUN_STATS_H

#include <stdio.h>

#include "output/outputs.h"
#include "run/capsetup.h"
#include "run/pipeline.h"

struct vgl_run_sink_stats {
	char name[64];
	char type[16];
	struct vgl_sink_stats st;
};

struct vgl_run_stats {
	struct vgl_kind_stats kernel[VGL_EV_MAX];
	struct vgl_kind_stats kernel_total;
	struct vgl_pipeline_stats user;
	struct vgl_outputs_stats outputs;
	size_t nsinks;
	struct vgl_run_sink_stats sinks[VGL_OUTPUTS_MAX];
	struct vgl_capture_counts capture; /* -w and the flight recorder */
	uint64_t lost; /* everything lost anywhere: events, capture, and alerts on any sink */
};

/* Read the output stage's counters (@o may be NULL). */
void vgl_run_stats_outputs(struct vgl_run_stats *s, struct vgl_outputs *o);
void vgl_run_stats_sum(struct vgl_run_stats *s);

/* Internal to stats*.c: the outputs' part of the JSON and text forms. */
void vgl_run_stats_outputs_json(const struct vgl_run_stats *s, FILE *f);
void vgl_run_stats_outputs_text(const struct vgl_run_stats *s, FILE *f);
/* ... the capture's (nothing when it was off). */
void vgl_run_stats_capture_json(const struct vgl_run_stats *s, FILE *f);
void vgl_run_stats_capture_text(const struct vgl_run_stats *s, FILE *f);

/* One JSON object on one line: {"vigil_stats": {...}} (docs/events.md). */
void vgl_run_stats_print_json(const struct vgl_run_stats *s, FILE *f);

/* A few human-readable lines. */
void vgl_run_stats_print_text(const struct vgl_run_stats *s, FILE *f);

#endif /* VIGIL_RUN_STATS_H */
