// SPDX-License-Identifier: Apache-2.0
/* The output stage's part of a run's counters: per sink, losses by reason. */
#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "run/stats.h"

#define U(x) ((unsigned long long)(x))

void vgl_run_stats_outputs(struct vgl_run_stats *s, struct vgl_outputs *o)
{
	s->nsinks = 0;
	if (!o)
		return;
	vgl_outputs_get_stats(o, &s->outputs);
	for (size_t i = 0; i < vgl_outputs_count(o) && i < VGL_OUTPUTS_MAX; i++) {
		struct vgl_sink *k = vgl_outputs_sink(o, i);
		struct vgl_run_sink_stats *r = &s->sinks[s->nsinks++];

		snprintf(r->name, sizeof(r->name), "%s", vgl_sink_name(k));
		snprintf(r->type, sizeof(r->type), "%s", vgl_sink_type(k));
		vgl_sink_get_stats(k, &r->st);
	}
}

static uint64_t sink_lost(const struct vgl_sink_stats *st)
{
	uint64_t n = 0;

	for (int r = 0; r < VGL_LOSS_MAX; r++)
		n += st->lost[r];
	return n;
}

static json_t *sink_json(const struct vgl_run_sink_stats *r)
{
	json_t *lost = json_object();

	for (int i = 0; lost && i < VGL_LOSS_MAX; i++)
		json_object_set_new(lost, vgl_sink_loss_name(i),
				    json_integer((json_int_t)r->st.lost[i]));
	return json_pack("{s:s, s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:o}", "type", r->type,
			 "submitted", (json_int_t)r->st.submitted, "filtered",
			 (json_int_t)r->st.filtered, "sent", (json_int_t)r->st.sent, "retries",
			 (json_int_t)r->st.retries, "spooled", (json_int_t)r->st.spooled,
			 "unspooled", (json_int_t)r->st.unspooled, "queue_depth",
			 (json_int_t)r->st.queue_depth, "spool_depth",
			 (json_int_t)r->st.spool_depth, "lost", lost);
}

void vgl_run_stats_outputs_json(const struct vgl_run_stats *s, FILE *f)
{
	json_t *outs = json_object();
	char *text;

	for (size_t i = 0; outs && i < s->nsinks; i++)
		json_object_set_new(outs, s->sinks[i].name, sink_json(&s->sinks[i]));
	text = outs ? json_dumps(outs, JSON_COMPACT | JSON_ENSURE_ASCII | JSON_PRESERVE_ORDER)
		    : NULL;
	fprintf(f, "\"alerts_rate_limited\": %llu, \"alerts_lost\": %llu, \"outputs\": %s",
		U(s->outputs.rate_limited), U(s->outputs.lost), text ? text : "{}");
	free(text);
	json_decref(outs);
}

void vgl_run_stats_outputs_text(const struct vgl_run_stats *s, FILE *f)
{
	if (s->outputs.rate_limited)
		fprintf(f, "vigil: %llu alerts suppressed by the rate limit (reported)\n",
			U(s->outputs.rate_limited));
	for (size_t i = 0; i < s->nsinks; i++) {
		const struct vgl_sink_stats *st = &s->sinks[i].st;

		fprintf(f,
			"vigil: output %s (%s): %llu sent, %llu retries, %llu spooled, %llu lost",
			s->sinks[i].name, s->sinks[i].type, U(st->sent), U(st->retries),
			U(st->spooled), U(sink_lost(st)));
		for (int r = 0; r < VGL_LOSS_MAX; r++) {
			if (st->lost[r])
				fprintf(f, " (%s %llu)", vgl_sink_loss_name(r), U(st->lost[r]));
		}
		if (st->spool_depth)
			fprintf(f, "; %llu waiting in the spool", U(st->spool_depth));
		fputc('\n', f);
	}
}
