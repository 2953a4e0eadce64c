// SPDX-License-Identifier: Apache-2.0
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "metrics/metrics.h"
#include "run/metrics_glue.h"
#include "util/log.h"

struct vgl_run_metrics {
	struct vgl_metrics *m;
	struct vgl_pipeline *p;
	struct vgl_metrics_snapshot snap; /* built here, copied by the endpoint */
};

static void on_alert(void *ctx, const struct vgl_alert *a)
{
	vgl_metrics_alert(ctx, a->rule, a->priority);
}

int vgl_run_metrics_start(const char *listen, struct vgl_pipeline *p, struct vgl_run_metrics **ret)
{
	struct vgl_run_metrics *rm;
	char err[512] = "";
	int r;

	*ret = NULL;
	if (!listen)
		return 0;
	rm = calloc(1, sizeof(*rm));
	if (!rm) {
		vgl_err("metrics: %s", strerror(ENOMEM));
		return 1;
	}
	r = vgl_metrics_start(listen, p->outputs, &rm->m, err, sizeof(err));
	if (r) {
		vgl_err("%s", err[0] ? err : strerror(-r));
		free(rm);
		return 1;
	}
	rm->p = p;
	p->on_alert = on_alert;
	p->on_alert_ctx = rm->m;
	vgl_info("metrics: serving /metrics and /healthz on %s", listen);
	*ret = rm;
	return 0;
}

void vgl_run_metrics_rules(struct vgl_run_metrics *rm, bool reload, bool ok, double seconds)
{
	struct timespec now;

	if (!rm)
		return;
	clock_gettime(CLOCK_REALTIME, &now);
	if (ok) {
		rm->snap.load_seconds = seconds;
		rm->snap.reload_ok_at = (double)now.tv_sec + now.tv_nsec / 1e9;
	} else {
		rm->snap.reload_fail_at = (double)now.tv_sec + now.tv_nsec / 1e9;
	}
	if (reload && ok)
		rm->snap.reloads_ok++;
	else if (reload)
		rm->snap.reloads_failed++;
}

static void copy_pipeline(struct vgl_metrics_snapshot *s, const struct vgl_pipeline *p)
{
	const struct vgl_pipeline_stats *ps = &p->stats;
	struct vgl_outputs_stats os = { 0 };

	s->received = ps->received;
	s->decode_errors = ps->decode_errors;
	s->output_errors = ps->output_errors;
	memcpy(s->decoded, ps->by_kind, sizeof(s->decoded));
	s->alerts = ps->alerts;
	s->alert_errors = ps->alert_errors;
	s->held = ps->held;
	s->held_timeout = ps->held_timeout;
	s->hold_overflow = ps->hold_overflow;
	if (p->outputs)
		vgl_outputs_get_stats(p->outputs, &os);
	s->rate_limited = os.rate_limited;
	s->nrules = p->rules ? vgl_ruleset_nrules(p->rules) : 0;
}

static void copy_state(struct vgl_metrics_snapshot *s, const struct vgl_state *st)
{
	struct vgl_state_stats ss = { 0 };

	if (st)
		vgl_state_stats(st, &ss);
	s->procs = ss.procs.entries;
	s->containers = ss.containers.entries;
	s->fds = ss.fds.entries;
	s->proc_evictions = ss.procs.evictions;
	s->container_evictions = ss.containers.evictions;
	s->fd_evictions = ss.fds.evictions;
}

static void copy_capture(struct vgl_metrics_snapshot *s, const struct vgl_run_capture *cap)
{
	struct vgl_capture_counts c = { 0 };

	if (cap)
		vgl_capsetup_counts(cap, &c);
	s->capture_writing = c.writing;
	s->flight_recording = c.flight;
	s->cap_offered = c.r.events;
	s->cap_filtered = c.r.filtered;
	s->cap_written = c.r.written;
	s->cap_ctx_records = c.r.ctx_records;
	s->cap_late_records = c.r.late_records;
	s->cap_refused = c.r.lost;
	s->cap_events = c.w.events;
	s->cap_bytes = c.w.file_bytes;
	s->cap_files = c.w.files;
	s->cap_files_removed = c.w.files_removed;
	s->cap_events_lost = c.w.events_lost;
	s->cap_blocks_dropped = c.w.blocks_dropped;
	s->cap_write_errors = c.w.write_errors;
	s->flight_ring_events = c.f.ring_events;
	s->flight_ring_evicted = c.f.ring_evicted;
	s->flight_captures = c.f.captures;
	s->flight_refused = c.f.refused;
	s->flight_events_written = c.f.events_written;
	s->flight_events_lost = c.f.events_lost;
	s->flight_errors = c.f.errors;
}

void vgl_run_metrics_publish(struct vgl_run_metrics *rm, const struct vgl_bpf *bpf,
			     double consumed_at, const struct vgl_run_capture *cap)
{
	struct vgl_metrics_snapshot *s;
	int n;

	if (!rm)
		return;
	s = &rm->snap;
	s->attached = vgl_bpf_attached(bpf);
	s->consumed_at = consumed_at;
	n = bpf ? vgl_bpf_read_stats_cpu(bpf, s->kernel, s->cpu, VGL_METRICS_CPUS_MAX) : 0;
	s->ncpus = n > 0 ? (size_t)n : 0;
	copy_pipeline(s, rm->p);
	copy_state(s, rm->p->state);
	copy_capture(s, cap);
	vgl_metrics_publish(rm->m, s);
}

void vgl_run_metrics_stop(struct vgl_run_metrics *rm)
{
	if (!rm)
		return;
	rm->p->on_alert = NULL;
	vgl_metrics_stop(rm->m);
	free(rm);
}
