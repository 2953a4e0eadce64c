/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Internal to daemon/metrics/: what one request sees (a copy of the
 * snapshot, the sinks read live, the rule counts, the process), the text
 * it is rendered into, and the two renderings: the Prometheus text
 * (render.c) and the health verdict (health.c). Pure functions of the
 * view, so that tests can render a known one.
 */
#ifndef VIGIL_METRICS_VIEW_H
#define VIGIL_METRICS_VIEW_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "metrics/metrics.h"
#include "output/sink.h"

#define VGL_METRICS_TEXT_MAX (64u << 20) /* the longest /metrics answer */

/* A growing text buffer with a limit; @failed once out of memory or over it. */
struct vgl_text {
	char *buf;
	size_t len, cap, max;
	bool failed;
};

void vgl_text_init(struct vgl_text *t, size_t max);
void vgl_text_free(struct vgl_text *t);
void vgl_text_printf(struct vgl_text *t, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
/*
 * @s as a label value of the exposition format: \ " and newline escaped
 * (\\ \" \n), bytes that are not UTF-8 replaced by U+FFFD.
 */
void vgl_text_label(struct vgl_text *t, const char *s);

/* One sink as a request sees it. */
struct vgl_metrics_sink {
	const char *name;
	const char *type;
	struct vgl_sink_stats st;
	bool healthy;
	char why[320]; /* from vgl_sink_healthy() when not healthy */
};

/* One (rule, priority) pair and its matches. */
struct vgl_rule_count {
	const char *rule;
	int priority;
	uint64_t n;
};

/* The process itself (process.c). */
struct vgl_process_stats {
	double cpu_seconds; /* user + system, every thread */
	uint64_t rss_bytes, vsize_bytes;
	double start_time; /* seconds since the epoch */
	uint64_t open_fds, max_fds;
};

/* Read them but the start time; fields that cannot be read stay 0. */
void vgl_process_stats(struct vgl_process_stats *ret);
/* Seconds since the epoch at which this process started, 0 if unknown. */
double vgl_process_start_time(void);

struct vgl_metrics_view {
	bool published; /* false until the event loop published once: starting */
	const struct vgl_metrics_snapshot *s;
	double now_mono, now_wall; /* when the request came */
	const struct vgl_metrics_sink *sinks;
	size_t nsinks;
	const struct vgl_rule_count *rules;
	size_t nrules;
	uint64_t rules_overflow; /* matches of pairs beyond VGL_METRICS_RULES_MAX */
	struct vgl_process_stats proc;
};

/*
 * The problems of @v, one line each, into @out; returns how many (0: healthy).
 * _live: capture's only (/livez); _health: capture's and the outputs' (/healthz).
 */
size_t vgl_metrics_live(const struct vgl_metrics_view *v, struct vgl_text *out);
size_t vgl_metrics_health(const struct vgl_metrics_view *v, struct vgl_text *out);

/* The Prometheus text of @v into @out. */
void vgl_metrics_render(const struct vgl_metrics_view *v, struct vgl_text *out);
/* ... its capture families (render_capture.c). */
void vgl_metrics_render_capture(const struct vgl_metrics_snapshot *s, struct vgl_text *out);

#endif /* VIGIL_METRICS_VIEW_H */
