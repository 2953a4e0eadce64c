/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The stages after a source: decode -> state -> rules -> output stage (alerts)
 * and the event printer (--events). Every record that does not make it
 * through is counted; the output stage counts what its sinks lose.
 *
 * With a state tracker that reads container metadata asynchronously
 * (vgl_state_opts.async_meta), the events of a container whose metadata is
 * being read wait (in order, bounded, up to a deadline) while the others go
 * on: the owner of the loop polls vgl_pipeline_fd(), calls
 * vgl_pipeline_poll() at every wakeup and vgl_pipeline_drain() at the end.
 */
#ifndef VIGIL_RUN_PIPELINE_H
#define VIGIL_RUN_PIPELINE_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "capture/recorder.h"
#include "decode/event.h"
#include "output/eventfmt.h"
#include "output/outputs.h"
#include "rules/rules.h"
#include "state/state.h"

struct vgl_pipeline_stats {
	uint64_t received;	      /* records handed over by the source */
	uint64_t decode_errors;	      /* records rejected by the decoder */
	uint64_t printed;	      /* events written to the output */
	uint64_t output_errors;	      /* events not formatted or written */
	uint64_t alerts;	      /* alerts raised (handed to the output stage) */
	uint64_t alert_errors;	      /* alerts that could not be formatted (no memory) */
	uint64_t by_kind[VGL_EV_MAX]; /* decoded records per kind */
	uint64_t held;		      /* events that waited for container metadata */
	uint64_t held_timeout;	      /* ... processed at the deadline without it */
	uint64_t hold_overflow;	      /* not held (hold full): processed without it */
	uint64_t meta_reads;	      /* container metadata reads queued (at drain) */
	uint64_t meta_unqueued;	      /* ... not queued, the reader far behind (at drain) */
	uint64_t meta_errors;	      /* ... state files missing or malformed (at drain) */
	uint64_t unselected;	      /* decoded, not selected (vgl_pipeline.select) */
	uint64_t container_events;    /* made by the pipeline (state/ctrnews.h), in by_kind */
};

struct vgl_pipeline {
	struct vgl_kindset print; /* kinds the user asked to see */
	struct vgl_state *state;  /* live process/container state, NULL: none */
	/* What rules and the event printer read: vgl_state_ops() and @state when
	 * live, a capture's recorded state on replay; NULL: nothing known. Set by
	 * vgl_pipeline_set_state_ops(); defaults to @state's ops. */
	const struct vgl_field_state_ops *sops;
	void *sctx;
	struct vgl_hold *hold;	   /* events waiting for metadata; made on first need */
	uint64_t hold_wait_ns;	   /* how long they may wait; 0: VGL_HOLD_WAIT_NS_DEFAULT */
	struct vgl_ruleset *rules; /* NULL: no rules */
	struct vgl_match_ctx *mctx;
	char hostname[256];
	enum vgl_fmt_style style;
	struct vgl_fmt_opts fmt;
	FILE *out;		     /* events (--events) */
	struct vgl_outputs *outputs; /* alerts; NULL: counted only */
	struct vgl_flight *flight;   /* rules with capture: true save here; NULL: none */
	void (*on_alert)(void *ctx, const struct vgl_alert *a); /* metrics; may be NULL */
	void *on_alert_ctx;
	/* Build each alert's Falco JSON (a->json; about 10 us an alert): true
	 * after vgl_pipeline_init(). Whoever sets @outputs sets it to
	 * vgl_outputs_need_json() unless an on_alert reads the JSON; false:
	 * a->json is "" (the flight recorder still starts its captures). */
	bool alert_json;
	char *buf; /* VGL_FMT_BUF_MAX bytes */
	/* The capture tap (-w, flight recorder); NULL: none. Sees every event
	 * after the state and before the rules, which then read the state
	 * through it (capture/recorder.h). */
	struct vgl_recorder *rec;
	/* Which decoded events go on (replay's --since, --pid...); NULL: all.
	 * The others are counted (stats.unselected) and dropped. */
	bool (*select)(void *ctx, const struct vgl_event *ev);
	void *select_ctx;
	struct vgl_pipeline_stats stats;
};

int vgl_pipeline_init(struct vgl_pipeline *p, const struct vgl_kindset *print,
		      enum vgl_fmt_style style, FILE *out);
void vgl_pipeline_fini(struct vgl_pipeline *p);

/*
 * Evaluate @rs (may be NULL) from the next record on. Returns the previous
 * set for the caller to free, or sets *@ret_err and keeps the old one.
 */
struct vgl_ruleset *vgl_pipeline_set_rules(struct vgl_pipeline *p, struct vgl_ruleset *rs,
					   int *ret_err);

/*
 * Event timestamps (since boot) + @boot_to_realtime_ns = wall clock, for
 * alert times, printed events and rule fields (default: this host's now);
 * a replay sets each capture's.
 */
void vgl_pipeline_set_clock(struct vgl_pipeline *p, int64_t boot_to_realtime_ns);

/* Rules and the event printer read @ops (@ctx their state argument). */
void vgl_pipeline_set_state_ops(struct vgl_pipeline *p, const struct vgl_field_state_ops *ops,
				void *ctx);

/* vgl_record_fn for a source. */
int vgl_pipeline_record(void *ctx, const void *data, size_t size);

/*
 * The container event of each container running now (live, at start, after
 * the programs are attached: a container seen both ways is announced once).
 * Containers started later are announced at their first exec. How many.
 */
size_t vgl_pipeline_scan_containers(struct vgl_pipeline *p);

/* Readable when waiting events may go on; -1 when events never wait. */
int vgl_pipeline_fd(const struct vgl_pipeline *p);
/* Process the waiting events whose metadata arrived or whose deadline passed. */
void vgl_pipeline_poll(struct vgl_pipeline *p);
/* At the end: wait for outstanding metadata (up to the deadlines), process everything. */
void vgl_pipeline_drain(struct vgl_pipeline *p);

#endif /* VIGIL_RUN_PIPELINE_H */
