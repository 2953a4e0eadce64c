/* SPDX-License-Identifier: Apache-2.0 */
/*
 * `vigil run`'s capture stage: the capture filter, the writer of -w (or
 * capture.path), the flight recorder (capture.flight.dir) and the tap that
 * feeds them from the pipeline (capture/recorder.h). Also the compile
 * helper that `vigil replay --filter` shares: a rule condition compiled as
 * a rule set of one rule.
 */
#ifndef VIGIL_RUN_CAPSETUP_H
#define VIGIL_RUN_CAPSETUP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "capture/flight.h"
#include "capture/recorder.h"
#include "capture/writer.h"
#include "config/config.h"
#include "rules/rules.h"
#include "run/run.h"

/*
 * Compile the rule condition @expr (a one-rule set). 0, or -EINVAL with the
 * rule engine's error in @err ("column 12: expected a value after '='"),
 * or -ENOMEM.
 */
int vgl_capfilter_compile(const char *expr, struct vgl_ruleset **ret, char *err, size_t errlen);

/* True if the one rule of @filter matches @ev (state read through @ops, @state). */
bool vgl_capfilter_match(const struct vgl_ruleset *filter, struct vgl_match_ctx *mctx,
			 const struct vgl_event *ev, const struct vgl_field_state_ops *ops,
			 void *state);

/* What a run's capture stage counted (final stats, metrics). */
struct vgl_capture_counts {
	bool writing;  /* -w / capture.path */
	bool flight;   /* capture.flight.dir */
	bool filtered; /* a capture filter */
	struct vgl_capwriter_stats w;
	struct vgl_recorder_stats r;
	struct vgl_flight_stats f;
	uint64_t lost; /* events the capture could not write: writer's + refused + flight's */
};

struct vgl_run_capture {
	const char *path;	    /* the capture file (-w wins over capture.path) */
	const char *filter_src;	    /* its filter's text */
	struct vgl_ruleset *filter; /* compiled; NULL: every event */
	struct vgl_capwriter *writer;
	struct vgl_flight *flight;
	struct vgl_recorder *rec;
	struct vgl_capture_counts last; /* after vgl_capsetup_close() */
};

/*
 * Settle what to capture from @eff over @cfg and compile the filter: 0, or
 * the exit code (2 for a bad --capture-filter, 1 for a bad capture.filter),
 * having said why. Opens nothing yet.
 */
int vgl_capsetup_prepare(const struct vgl_run_opts *eff, const struct vgl_config *cfg,
			 struct vgl_run_capture *c);

/* True when something is to be recorded (a file or the flight recorder). */
bool vgl_capsetup_active(const struct vgl_run_capture *c, const struct vgl_config *cfg);

/* Add the event kinds the capture wants (its filter's, else every kind) to @set. */
void vgl_capsetup_kinds(const struct vgl_run_capture *c, const struct vgl_config *cfg,
			struct vgl_kindset *set);

/*
 * Open the file and the flight recorder, and the tap reading the state
 * through @ops and @state. Their headers carry @hostname and
 * @boot_to_realtime_ns, those the pipeline gives alerts, so that a replay
 * prints the same times. 0 or 1 (said why).
 */
int vgl_capsetup_open(struct vgl_run_capture *c, const struct vgl_config *cfg,
		      const struct vgl_field_state_ops *ops, void *state, const char *hostname,
		      int64_t boot_to_realtime_ns);

/* Once a second: a partial block out, rotation when due. */
void vgl_capsetup_tick(struct vgl_run_capture *c, uint64_t now_ns);

/* The counters so far. */
void vgl_capsetup_counts(const struct vgl_run_capture *c, struct vgl_capture_counts *ret);

/* After the pipeline drained: everything written out, closed, counted in c->last. */
void vgl_capsetup_close(struct vgl_run_capture *c);

#endif /* VIGIL_RUN_CAPSETUP_H */
