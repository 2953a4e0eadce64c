// SPDX-License-Identifier: Apache-2.0
/*
 * `vigil replay`: which events are evaluated and printed (--since,
 * --until, --pid, --container, --filter), and the summary at the end.
 * Context records are applied whatever the selection, so a selected
 * event sees the state as it was.
 */
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "run/capsetup.h"
#include "run/replay_int.h"

#define U(x)	     ((unsigned long long)(x))
#define SHORT_ID_LEN 12 /* container.id is the 12-character short id */

/* @arg: "host", a name, or an id (a prefix of at least 12 characters, or the full id). */
static bool container_match(const struct vgl_replay *r, const struct vgl_event *ev)
{
	const struct vgl_pipeline *p = r->p;
	const struct vgl_container_view *c = NULL;
	const char *arg = r->o->container;
	size_t n;

	if (p->sops && p->sops->container)
		c = p->sops->container(p->sctx, ev->hdr.cgroup_id, ev->hdr.pid);
	if (!c || !c->id)
		return false;
	if (!strcmp(c->id, "host") || !strcmp(arg, "host"))
		return !strcmp(c->id, arg);
	if (c->name && !strcmp(c->name, arg))
		return true;
	n = strlen(c->id) < strlen(arg) ? strlen(c->id) : strlen(arg);
	return n >= SHORT_ID_LEN && !strncasecmp(c->id, arg, n);
}

bool vgl_replay_select(void *ctx, const struct vgl_event *ev)
{
	struct vgl_replay *r = ctx;
	const struct vgl_replay_opts *o = r->o;
	int64_t t = (int64_t)ev->hdr.ts + r->p->fmt.boot_to_realtime_ns;

	if (o->since_set && t < o->since_ns)
		return false;
	if (o->until_set && t >= o->until_ns)
		return false;
	if (o->pid_set && ev->hdr.pid != o->pid)
		return false;
	if (o->container && !container_match(r, ev))
		return false;
	return !r->filter || vgl_capfilter_match(r->filter, r->fctx, ev, r->p->sops, r->p->sctx);
}

struct summary {
	uint64_t read, replayed, unselected, alerts, alerts_lost;
	uint64_t undecodable;
	bool skipped, failed;
};

static void summary_json(const struct vgl_replay *r, const struct summary *m)
{
	const struct vgl_capsrc_stats *s = &r->src;

	fprintf(stderr,
		"{\"vigil_replay\": {\"files\": %llu, \"files_failed\": %llu, \"events_read\": %llu"
		", \"events_replayed\": %llu, \"not_selected\": %llu, \"alerts\": %llu"
		", \"alerts_lost\": %llu, \"not_recorded\": %llu, \"translated\": %llu"
		", \"skipped\": {\"blocks\": %llu, \"records\": %llu, \"bytes\": %llu"
		", \"truncated_files\": %llu, \"undecodable_events\": %llu"
		", \"bad_context_records\": %llu}}}\n",
		U(s->files), U(s->files_failed + s->read_errors), U(m->read), U(m->replayed),
		U(m->unselected), U(m->alerts), U(m->alerts_lost), U(s->not_recorded),
		U(s->translated), U(s->blocks_skipped), U(s->records_skipped), U(s->bytes_skipped),
		U(s->truncated), U(m->undecodable), U(r->bad_context));
}

static void summary_text(const struct vgl_replay *r, const struct summary *m)
{
	const struct vgl_capsrc_stats *s = &r->src;

	fprintf(stderr, "vigil: replay: %llu file%s, %llu events replayed", U(s->files),
		s->files == 1 ? "" : "s", U(m->replayed));
	if (m->unselected)
		fprintf(stderr, " (of %llu read; %llu not selected)", U(m->read), U(m->unselected));
	fprintf(stderr, ", %llu alert%s\n", U(m->alerts), m->alerts == 1 ? "" : "s");
	if (s->files_failed + s->read_errors)
		fprintf(stderr, "vigil: replay: %llu file%s could not be read (see above)\n",
			U(s->files_failed + s->read_errors),
			s->files_failed + s->read_errors == 1 ? "" : "s");
	if (s->not_recorded)
		fprintf(stderr,
			"vigil: replay: %llu events were not recorded (the writer lost them)\n",
			U(s->not_recorded));
	if (m->alerts_lost)
		fprintf(stderr, "vigil: replay: %llu alerts lost on outputs\n", U(m->alerts_lost));
	if (m->skipped)
		fprintf(stderr,
			"vigil: replay: skipped %llu records (%llu bytes) of damaged data: %llu "
			"damaged block%s, %llu file%s cut short; %llu undecodable events, %llu bad "
			"state records\n",
			U(s->records_skipped), U(s->bytes_skipped), U(s->blocks_skipped),
			s->blocks_skipped == 1 ? "" : "s", U(s->truncated),
			s->truncated == 1 ? "" : "s", U(m->undecodable), U(r->bad_context));
}

int vgl_replay_summary(const struct vgl_replay *r)
{
	const struct vgl_pipeline_stats *ps = &r->p->stats;
	const struct vgl_capsrc_stats *s = &r->src;
	struct vgl_outputs_stats os = { 0 };
	struct summary m = {
		.read = ps->received,
		.unselected = ps->unselected,
		.undecodable = ps->decode_errors,
		.alerts = ps->alerts,
	};

	if (r->p->outputs)
		vgl_outputs_get_stats(r->p->outputs, &os);
	m.alerts_lost = os.lost + ps->alert_errors;
	m.replayed = m.read - m.undecodable - m.unselected;
	m.failed = s->files_failed || s->read_errors;
	m.skipped = s->blocks_skipped || s->records_skipped || s->truncated || m.undecodable ||
		    r->bad_context;
	if (r->json)
		summary_json(r, &m);
	else
		summary_text(r, &m);
	return m.failed ? 1 : m.skipped ? VGL_REPLAY_EXIT_SKIPPED : 0;
}
