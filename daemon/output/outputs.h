/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The output stage: the configured sinks and the fan-out that hands every
 * alert to each of them, after a per-rule rate limit (a token bucket, off by
 * default) whose suppressions are reported in a periodic summary alert with
 * `source: internal`, as Falco reports its drops. The caller never waits
 * for a sink.
 */
#ifndef VIGIL_OUTPUT_OUTPUTS_H
#define VIGIL_OUTPUT_OUTPUTS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "output/alert.h"
#include "output/sink.h"

#define VGL_OUTPUTS_MAX 64

/* The rule name of vigil's rate-limit summary alert. */
#define VGL_RATELIMIT_RULE "vigil internal: alerts rate-limited"

struct vgl_outputs_conf {
	double drain_timeout;	 /* seconds sinks get to drain at stop [10] */
	double rate;		 /* alerts per second per rule; 0: no limit [0] */
	double burst;		 /* bucket size [rate, at least 1] */
	double summary_interval; /* seconds between summary alerts [60] */
	const char *hostname;	 /* for internal alerts */
};

struct vgl_outputs;

int vgl_outputs_new(const struct vgl_outputs_conf *c, struct vgl_outputs **ret);
/* Add a sink (taken over; freed with the stage even on failure). */
int vgl_outputs_add(struct vgl_outputs *o, struct vgl_sink *s);
/* Start every sink's worker; on failure @err names the sink. */
int vgl_outputs_start(struct vgl_outputs *o, char *err, size_t errlen);

/*
 * Whether some sink delivers Falco's JSON (its format is json: webhook,
 * nats, or format: json). Fixed once the sinks are added: the JSON costs
 * about 10 us an alert, so the pipeline builds it only then; without it an
 * alert's json is "" and every sink formats the text it always did.
 */
bool vgl_outputs_need_json(const struct vgl_outputs *o);

/* Hand @a (the caller keeps its reference) to every sink, unless rate-limited. */
void vgl_outputs_submit(struct vgl_outputs *o, struct vgl_alert *a);
/* Periodic work (rate-limit summaries); call about once a second. */
void vgl_outputs_tick(struct vgl_outputs *o, int64_t wall_ns);
/* SIGUSR1: every sink reopens its files. */
void vgl_outputs_reopen(struct vgl_outputs *o);
/* Flush a last summary, give every sink drain_timeout to drain, stop them. */
void vgl_outputs_stop(struct vgl_outputs *o);
void vgl_outputs_free(struct vgl_outputs *o);

size_t vgl_outputs_count(const struct vgl_outputs *o);
struct vgl_sink *vgl_outputs_sink(const struct vgl_outputs *o, size_t i);

struct vgl_outputs_stats {
	uint64_t submitted;    /* alerts handed to the stage */
	uint64_t rate_limited; /* suppressed by the rate limit (reported, not lost) */
	uint64_t lost;	       /* alerts lost on some sink, summed over sinks */
};
void vgl_outputs_get_stats(struct vgl_outputs *o, struct vgl_outputs_stats *ret);

#endif /* VIGIL_OUTPUT_OUTPUTS_H */
