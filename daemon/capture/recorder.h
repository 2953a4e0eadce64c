/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The capture tap: called by the pipeline for every event after the state
 * tracker took it into account and before the rules see it. Writes the
 * event's context records (the views any rule could read for it: the
 * process and its ancestors, its container, user and group, the descriptor
 * the event names, proc.env and proc.is_exe_upper_layer) when they changed
 * since they were last written to the current file, then the event itself.
 * With a capture filter, only matching events (and their context) are
 * written. The same context, unconditionally, goes with each event into the
 * flight recorder's ring.
 *
 * An event whose context is looked up by the keys of the last one looked
 * up (process, parent, container, ids; its descriptor aside) when nothing
 * was written for it, and since then nothing changed (the state's `changes`
 * callback, the writer's epoch), is written without looking it up again:
 * the same lookups would have written nothing.
 *
 * The rules read state through vgl_recorder_ops() wrapping the live ops, so
 * any answer a rule obtains that the tap had not written (a lookup outside
 * the set above) is written too, and counted. The event record itself is
 * written by vgl_recorder_event_end(), after them: replay applies every
 * context record before the event that needs it.
 */
#ifndef VIGIL_CAPTURE_RECORDER_H
#define VIGIL_CAPTURE_RECORDER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "capture/flight.h"
#include "capture/writer.h"
#include "decode/event.h"
#include "rules/rules.h"
#include "rules/state.h"

#define VGL_RECORDER_ANCESTORS 16 /* ancestors written with each event */

struct vgl_recorder_opts {
	struct vgl_capwriter *writer;	       /* -w; NULL: none */
	struct vgl_flight *flight;	       /* NULL: none */
	const struct vgl_ruleset *filter;      /* capture filter: its one rule; NULL: every event */
	const struct vgl_field_state_ops *ops; /* the live state's */
	void *state;
	/*
	 * Tests only: look every event's context up, as if each event's keys
	 * or the state had changed (the fast path's reference).
	 */
	bool no_fast_path;
};

struct vgl_recorder_stats {
	uint64_t events;       /* events offered */
	uint64_t filtered;     /* not written: the capture filter did not match */
	uint64_t written;      /* events handed to the writer */
	uint64_t ctx_records;  /* context records handed to the writer */
	uint64_t late_records; /* context a rule read outside the tap's set */
	uint64_t lost;	       /* events the writer refused (see its stats for why) */
	uint64_t fast;	       /* written without looking their context up again */
};

struct vgl_recorder;

/* NULL with errno on failure. The writer, flight recorder and filter stay the caller's. */
struct vgl_recorder *vgl_recorder_new(const struct vgl_recorder_opts *opts);
void vgl_recorder_free(struct vgl_recorder *r);

/*
 * The event @ev decoded from @size bytes at @raw; @now_ns the wall clock.
 * Ticks the writer first (a new file begins between events); the owner of
 * the loop still ticks it when no event comes.
 */
void vgl_recorder_event(struct vgl_recorder *r, const struct vgl_event *ev, const void *raw,
			size_t size, uint64_t now_ns);

/*
 * After the rules: write the event (what they read that the tap had not is
 * in). Without it, the next vgl_recorder_event() or vgl_recorder_free() does.
 */
void vgl_recorder_event_end(struct vgl_recorder *r);

/* The ops (and their state argument) the rules should use while recording. */
const struct vgl_field_state_ops *vgl_recorder_ops(void);

void vgl_recorder_stats(const struct vgl_recorder *r, struct vgl_recorder_stats *ret);

#endif /* VIGIL_CAPTURE_RECORDER_H */
