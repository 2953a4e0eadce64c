/* SPDX-License-Identifier: Apache-2.0 */
/*
 * `vigil run`'s side of the metrics endpoint (metrics/metrics.h): start it
 * from `metrics.listen`, count each alert by rule, record rule loads, and
 * once a second hand it a snapshot of the loop's counters. Every function
 * accepts NULL (the endpoint is off) and then does nothing.
 */
#ifndef VIGIL_RUN_METRICS_GLUE_H
#define VIGIL_RUN_METRICS_GLUE_H

#include <stdbool.h>

#include "bpf/loader.h"
#include "run/capsetup.h"
#include "run/pipeline.h"

struct vgl_run_metrics;

/*
 * Listen on @listen (NULL: off, *@ret NULL) for @p's counters and outputs;
 * hooks @p's alerts. Prints what is wrong; returns 0 or 1 (the exit code).
 */
int vgl_run_metrics_start(const char *listen, struct vgl_pipeline *p, struct vgl_run_metrics **ret);

/* Rules loaded in @seconds, at start or (@reload) on SIGHUP; !@ok: a reload failed. */
void vgl_run_metrics_rules(struct vgl_run_metrics *rm, bool reload, bool ok, double seconds);

/*
 * Publish the counters: @bpf's, the pipeline's, the capture stage's (@cap
 * may be NULL); @consumed_at: last ring-buffer read.
 */
void vgl_run_metrics_publish(struct vgl_run_metrics *rm, const struct vgl_bpf *bpf,
			     double consumed_at, const struct vgl_run_capture *cap);

void vgl_run_metrics_stop(struct vgl_run_metrics *rm);

#endif /* VIGIL_RUN_METRICS_GLUE_H */
