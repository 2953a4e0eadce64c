// SPDX-License-Identifier: Apache-2.0

#define U(x) ((unsigned long long)(x))

#include <stdio.h>

#include "decode/event.h"
#include "run/stats.h"

void vgl_run_stats_sum(struct vgl_run_stats *s)
{
	struct vgl_kind_stats *t = &s->kernel_total;

	*t = (struct vgl_kind_stats){ 0 };
	for (int k = 0; k < VGL_EV_MAX; k++) {
		t->emitted += s->kernel[k].emitted;
		t->rb_full += s->kernel[k].rb_full;
		t->truncated += s->kernel[k].truncated;
		t->read_failed += s->kernel[k].read_failed;
		t->prefiltered += s->kernel[k].prefiltered;
	}
	s->lost = t->rb_full + s->user.decode_errors + s->user.output_errors +
		  s->user.alert_errors + s->outputs.lost + s->capture.lost;
}

static void print_kind_json(const struct vgl_kind_stats *k, FILE *f)
{
	fprintf(f,
		"{\"emitted\": %llu, \"rb_full\": %llu, \"truncated\": %llu"
		", \"read_failed\": %llu, \"prefiltered\": %llu}",
		U(k->emitted), U(k->rb_full), U(k->truncated), U(k->read_failed),
		U(k->prefiltered));
}

void vgl_run_stats_print_json(const struct vgl_run_stats *s, FILE *f)
{
	const char *sep = "";

	fprintf(f,
		"{\"vigil_stats\": {\"received\": %llu, \"decode_errors\": %llu"
		", \"printed\": %llu, \"alerts\": %llu, \"output_errors\": %llu, \"kernel\": ",
		U(s->user.received), U(s->user.decode_errors), U(s->user.printed),
		U(s->user.alerts), U(s->user.output_errors));
	print_kind_json(&s->kernel_total, f);
	fputs(", \"kinds\": {", f);
	for (int k = 1; k < VGL_EV_MAX; k++) {
		const struct vgl_kind_stats *ks = &s->kernel[k];

		if (!ks->emitted && !ks->rb_full && !ks->truncated && !ks->read_failed &&
		    !ks->prefiltered)
			continue;
		fprintf(f, "%s\"%s\": ", sep, vgl_kind_info[k].name);
		print_kind_json(ks, f);
		sep = ", ";
	}
	fputs("}, ", f);
	vgl_run_stats_outputs_json(s, f);
	vgl_run_stats_capture_json(s, f);
	fprintf(f,
		", \"container_wait\": {\"held\": %llu, \"timeout\": %llu, \"overflow\": %llu}"
		", \"container_meta\": {\"reads\": %llu, \"unqueued\": %llu, \"errors\": %llu}"
		", \"container_events\": %llu, \"lost\": %llu}}\n",
		U(s->user.held), U(s->user.held_timeout), U(s->user.hold_overflow),
		U(s->user.meta_reads), U(s->user.meta_unqueued), U(s->user.meta_errors),
		U(s->user.container_events), U(s->lost));
	fflush(f);
}

void vgl_run_stats_print_text(const struct vgl_run_stats *s, FILE *f)
{
	const struct vgl_kind_stats *t = &s->kernel_total;
	char cap[48] = "";

	if (s->capture.writing || s->capture.flight)
		snprintf(cap, sizeof(cap), ", not captured %llu", U(s->capture.lost));

	fprintf(f,
		"vigil: events: %llu emitted by the kernel, %llu received, %llu"
		" printed; %llu alerts; %llu dropped by the prefilter\n",
		U(t->emitted), U(s->user.received), U(s->user.printed), U(s->user.alerts),
		U(t->prefiltered));
	fprintf(f,
		"vigil: lost: %llu (ring buffer full %llu, undecodable %llu"
		", output errors %llu, alerts lost on outputs %llu%s); truncated %llu"
		", unreadable values %llu\n",
		U(s->lost), U(t->rb_full), U(s->user.decode_errors),
		U(s->user.output_errors + s->user.alert_errors), U(s->outputs.lost), cap,
		U(t->truncated), U(t->read_failed));
	vgl_run_stats_outputs_text(s, f);
	vgl_run_stats_capture_text(s, f);
	if (s->user.held || s->user.hold_overflow)
		fprintf(f,
			"vigil: %llu events waited for container metadata; %llu went on without it"
			" (deadline %llu, wait queue full %llu)\n",
			U(s->user.held), U(s->user.held_timeout + s->user.hold_overflow),
			U(s->user.held_timeout), U(s->user.hold_overflow));
	if (s->user.meta_unqueued || s->user.meta_errors)
		fprintf(f,
			"vigil: container metadata: %llu reads, %llu not queued (reader behind),"
			" %llu unreadable\n",
			U(s->user.meta_reads), U(s->user.meta_unqueued), U(s->user.meta_errors));
	for (int k = 1; k < VGL_EV_MAX; k++) {
		const struct vgl_kind_stats *ks = &s->kernel[k];

		if (!ks->rb_full && !ks->truncated && !ks->read_failed)
			continue;
		fprintf(f,
			"vigil:   %s: lost %llu, truncated %llu, unreadable %llu"
			"\n",
			vgl_kind_info[k].name, U(ks->rb_full), U(ks->truncated),
			U(ks->read_failed));
	}
	fflush(f);
}
