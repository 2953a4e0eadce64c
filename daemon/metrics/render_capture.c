// SPDX-License-Identifier: Apache-2.0
/*
 * /metrics: the capture stage's families (docs/metrics.md), present only
 * when it records: the file of `vigil run -w` and the flight recorder.
 */
#include <stddef.h>

#include "metrics/view.h"

#define U(x) ((unsigned long long)(x))

static void one(struct vgl_text *t, const char *name, const char *type, const char *help,
		uint64_t v)
{
	vgl_text_printf(t, "# HELP %s %s\n# TYPE %s %s\n%s %llu\n", name, help, name, type, name,
			U(v));
}

static void render_file(const struct vgl_metrics_snapshot *s, struct vgl_text *t)
{
	const char *lost = "vigil_capture_events_lost_total";

	one(t, "vigil_capture_events_offered_total", "counter",
	    "Events the capture tap saw (after the state, before the rules).", s->cap_offered);
	one(t, "vigil_capture_events_filtered_total", "counter",
	    "Events not recorded: the capture filter did not match.", s->cap_filtered);
	one(t, "vigil_capture_events_written_total", "counter", "Events written to capture files.",
	    s->cap_events);
	one(t, "vigil_capture_context_records_total", "counter",
	    "State records written with the events (process, container, user, fd).",
	    s->cap_ctx_records);
	one(t, "vigil_capture_bytes_written_total", "counter",
	    "Bytes written to capture files, headers included.", s->cap_bytes);
	one(t, "vigil_capture_files_total", "counter", "Capture files begun.", s->cap_files);
	one(t, "vigil_capture_files_removed_total", "counter",
	    "Capture files removed by retention (max_files, max_size).", s->cap_files_removed);
	vgl_text_printf(t,
			"# HELP %s Events the capture could not write, by reason (writer: in a "
			"block dropped with the queue full or that failed to write; refused: "
			"not taken by the writer).\n# TYPE %s counter\n"
			"%s{reason=\"writer\"} %llu\n%s{reason=\"refused\"} %llu\n",
			lost, lost, lost, U(s->cap_events_lost), lost, U(s->cap_refused));
	one(t, "vigil_capture_blocks_dropped_total", "counter",
	    "Blocks dropped: the writer's queue was full.", s->cap_blocks_dropped);
	one(t, "vigil_capture_write_errors_total", "counter",
	    "Blocks that could not be written to the file.", s->cap_write_errors);
}

static void render_flight(const struct vgl_metrics_snapshot *s, struct vgl_text *t)
{
	one(t, "vigil_flight_ring_events", "gauge", "Events in the flight recorder's ring now.",
	    s->flight_ring_events);
	one(t, "vigil_flight_ring_evicted_total", "counter",
	    "Events pushed out of the ring by its size or age bound.", s->flight_ring_evicted);
	one(t, "vigil_flight_captures_total", "counter",
	    "Flight captures begun (alerts of rules with capture: true).", s->flight_captures);
	one(t, "vigil_flight_captures_refused_total", "counter",
	    "Alerts not captured: too many captures being written.", s->flight_refused);
	one(t, "vigil_flight_capture_errors_total", "counter",
	    "Flight capture files that could not be created.", s->flight_errors);
	one(t, "vigil_flight_events_written_total", "counter",
	    "Events written to flight capture files.", s->flight_events_written);
	one(t, "vigil_flight_events_lost_total", "counter",
	    "Events the flight captures' writers dropped.", s->flight_events_lost);
}

void vgl_metrics_render_capture(const struct vgl_metrics_snapshot *s, struct vgl_text *t)
{
	if (s->capture_writing)
		render_file(s, t);
	if (s->flight_recording)
		render_flight(s, t);
}
