// SPDX-License-Identifier: Apache-2.0
/* The capture stage's part of a run's counters: the file of -w, the flight recorder. */
#include <stdio.h>

#include "run/stats.h"

#define U(x) ((unsigned long long)(x))

static void file_json(const struct vgl_capture_counts *c, FILE *f)
{
	fprintf(f,
		"\"file\": {\"events\": %llu, \"records\": %llu, \"blocks\": %llu"
		", \"raw_bytes\": %llu, \"bytes\": %llu, \"files\": %llu, \"files_removed\": %llu"
		", \"events_lost\": %llu, \"blocks_dropped\": %llu, \"write_errors\": %llu}"
		", \"offered\": %llu, \"filtered\": %llu, \"written\": %llu"
		", \"context_records\": %llu, \"late_records\": %llu, \"refused\": %llu",
		U(c->w.events), U(c->w.records), U(c->w.blocks), U(c->w.raw_bytes),
		U(c->w.file_bytes), U(c->w.files), U(c->w.files_removed), U(c->w.events_lost),
		U(c->w.blocks_dropped), U(c->w.write_errors), U(c->r.events), U(c->r.filtered),
		U(c->r.written), U(c->r.ctx_records), U(c->r.late_records), U(c->r.lost));
}

static void flight_json(const struct vgl_capture_counts *c, FILE *f)
{
	fprintf(f,
		"\"flight\": {\"ring_events\": %llu, \"ring_evicted\": %llu, \"captures\": %llu"
		", \"refused\": %llu, \"events_written\": %llu, \"events_lost\": %llu"
		", \"errors\": %llu}",
		U(c->f.ring_events), U(c->f.ring_evicted), U(c->f.captures), U(c->f.refused),
		U(c->f.events_written), U(c->f.events_lost), U(c->f.errors));
}

void vgl_run_stats_capture_json(const struct vgl_run_stats *s, FILE *f)
{
	const struct vgl_capture_counts *c = &s->capture;

	if (!c->writing && !c->flight)
		return;
	fputs(", \"capture\": {", f);
	if (c->writing)
		file_json(c, f);
	if (c->flight) {
		fputs(c->writing ? ", " : "", f);
		flight_json(c, f);
	}
	fprintf(f, ", \"lost\": %llu}", U(c->lost));
}

void vgl_run_stats_capture_text(const struct vgl_run_stats *s, FILE *f)
{
	const struct vgl_capture_counts *c = &s->capture;

	if (c->writing)
		fprintf(f,
			"vigil: capture: %llu events written (%llu files, %llu bytes), %llu not "
			"matching the filter; lost %llu (blocks dropped with the queue full %llu, "
			"write errors %llu, refused %llu)\n",
			U(c->w.events), U(c->w.files), U(c->w.file_bytes), U(c->r.filtered),
			U(c->w.events_lost + c->r.lost), U(c->w.blocks_dropped),
			U(c->w.write_errors), U(c->r.lost));
	if (c->flight)
		fprintf(f,
			"vigil: flight recorder: %llu captures (%llu refused, %llu failed), %llu "
			"events written, %llu lost\n",
			U(c->f.captures), U(c->f.refused), U(c->f.errors), U(c->f.events_written),
			U(c->f.events_lost));
}
