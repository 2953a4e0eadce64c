// SPDX-License-Identifier: Apache-2.0
/*
 * /metrics: the Prometheus text exposition format (version 0.0.4). Every
 * family has its HELP and TYPE lines; counters end in _total; label values
 * are escaped. The families and their Falco equivalents: docs/metrics.md.
 */
#include <stddef.h>
#include <stdio.h>

#include "metrics/view.h"
#include "rules/rules.h"

#define U(x) ((unsigned long long)(x))

_Static_assert(VGL_METRICS_RULES_MAX == 8192, "vigil_rule_matches_overflow_total's help");

struct label {
	const char *k, *v;
};

static void family(struct vgl_text *t, const char *name, const char *type, const char *help)
{
	vgl_text_printf(t, "# HELP %s %s\n# TYPE %s %s\n", name, help, name, type);
}

/* name{k="v",...} (the labels end at a NULL key; @l may be NULL) */
static void series(struct vgl_text *t, const char *name, const struct label *l)
{
	vgl_text_printf(t, "%s", name);
	for (size_t i = 0; l && l[i].k; i++) {
		vgl_text_printf(t, "%s%s=\"", i ? "," : "{", l[i].k);
		vgl_text_label(t, l[i].v);
		vgl_text_printf(t, "\"%s", l[i + 1].k ? "" : "}");
	}
}

static void sample_u(struct vgl_text *t, const char *name, const struct label *l, uint64_t v)
{
	series(t, name, l);
	vgl_text_printf(t, " %llu\n", U(v));
}

static void sample_f(struct vgl_text *t, const char *name, const struct label *l, double v)
{
	series(t, name, l);
	vgl_text_printf(t, " %.6f\n", v);
}

/* A family of one sample without labels. */
static void one_u(struct vgl_text *t, const char *name, const char *type, const char *help,
		  uint64_t v)
{
	family(t, name, type, help);
	sample_u(t, name, NULL, v);
}

static void one_f(struct vgl_text *t, const char *name, const char *help, double v)
{
	family(t, name, "gauge", help);
	sample_f(t, name, NULL, v);
}

static uint64_t field(const void *base, size_t off)
{
	return *(const uint64_t *)((const char *)base + off);
}

/* The kernel's counters: by kind, then by CPU. */
static void render_kernel(const struct vgl_metrics_snapshot *s, struct vgl_text *t)
{
	static const struct {
		const char *name, *help, *reason;
		size_t off;
	} fams[] = {
		{ "vigil_kernel_events_total",
		  "Records the BPF programs wrote to the ring buffer, by event kind.", NULL,
		  offsetof(struct vgl_kind_stats, emitted) },
		{ "vigil_kernel_events_lost_total",
		  "Records lost in the kernel, by event kind and reason (ringbuf_full: no room "
		  "in the ring buffer).",
		  "ringbuf_full", offsetof(struct vgl_kind_stats, rb_full) },
		{ "vigil_kernel_events_truncated_total",
		  "Records delivered with a parameter cut at its size limit, by event kind.", NULL,
		  offsetof(struct vgl_kind_stats, truncated) },
		{ "vigil_kernel_events_unreadable_total",
		  "Records delivered with a parameter that could not be read, by event kind.", NULL,
		  offsetof(struct vgl_kind_stats, read_failed) },
		{ "vigil_kernel_events_prefiltered_total",
		  "Events the in-kernel prefilter dropped because no loaded rule can match them, "
		  "by "
		  "event kind (not lost: see vigil rules explain).",
		  NULL, offsetof(struct vgl_kind_stats, prefiltered) },
	};
	char cpu[24]; /* a size_t in decimal */

	for (size_t f = 0; f < sizeof(fams) / sizeof(fams[0]); f++) {
		family(t, fams[f].name, "counter", fams[f].help);
		for (int k = 1; k < VGL_EV_MAX; k++) {
			struct label l[] = { { "kind", vgl_kind_info[k].name },
					     { fams[f].reason ? "reason" : NULL, fams[f].reason },
					     { NULL, NULL } };

			sample_u(t, fams[f].name, l, field(&s->kernel[k], fams[f].off));
		}
	}
	family(t, "vigil_kernel_cpu_events_total", "counter",
	       "Records the BPF programs wrote to the ring buffer, by CPU.");
	for (size_t i = 0; i < s->ncpus; i++) {
		snprintf(cpu, sizeof(cpu), "%zu", i);
		sample_u(t, "vigil_kernel_cpu_events_total",
			 (struct label[]){ { "cpu", cpu }, { NULL, NULL } }, s->cpu[i].emitted);
	}
	family(t, "vigil_kernel_cpu_events_lost_total", "counter",
	       "Records lost in the kernel, by CPU and reason.");
	for (size_t i = 0; i < s->ncpus; i++) {
		snprintf(cpu, sizeof(cpu), "%zu", i);
		sample_u(t, "vigil_kernel_cpu_events_lost_total",
			 (struct label[]){
				 { "cpu", cpu }, { "reason", "ringbuf_full" }, { NULL, NULL } },
			 s->cpu[i].rb_full);
	}
}

/* Userspace: what was read, decoded and lost; waits for container metadata. */
static void render_events(const struct vgl_metrics_snapshot *s, struct vgl_text *t)
{
	uint64_t rb_full = 0;

	for (int k = 0; k < VGL_EV_MAX; k++)
		rb_full += s->kernel[k].rb_full;
	one_u(t, "vigil_events_received_total", "counter",
	      "Records read from the ring buffer by userspace.", s->received);
	family(t, "vigil_events_decoded_total", "counter", "Events decoded, by event kind.");
	for (int k = 1; k < VGL_EV_MAX; k++)
		sample_u(t, "vigil_events_decoded_total",
			 (struct label[]){ { "kind", vgl_kind_info[k].name }, { NULL, NULL } },
			 s->decoded[k]);
	family(t, "vigil_events_lost_total", "counter",
	       "Events lost anywhere before the rules, by reason.");
	sample_u(t, "vigil_events_lost_total",
		 (struct label[]){ { "reason", "ringbuf_full" }, { NULL, NULL } }, rb_full);
	sample_u(t, "vigil_events_lost_total",
		 (struct label[]){ { "reason", "undecodable" }, { NULL, NULL } }, s->decode_errors);
	sample_u(t, "vigil_events_lost_total",
		 (struct label[]){ { "reason", "output_error" }, { NULL, NULL } },
		 s->output_errors);
	one_u(t, "vigil_events_held_total", "counter",
	      "Events that waited for their container's metadata.", s->held);
	family(t, "vigil_events_unenriched_total", "counter",
	       "Events evaluated without their container's metadata, by reason.");
	sample_u(t, "vigil_events_unenriched_total",
		 (struct label[]){ { "reason", "deadline" }, { NULL, NULL } }, s->held_timeout);
	sample_u(t, "vigil_events_unenriched_total",
		 (struct label[]){ { "reason", "wait_full" }, { NULL, NULL } }, s->hold_overflow);
}

static void render_alerts(const struct vgl_metrics_view *v, struct vgl_text *t)
{
	const struct vgl_metrics_snapshot *s = v->s;

	one_u(t, "vigil_alerts_total", "counter", "Alerts raised by the rules.", s->alerts);
	one_u(t, "vigil_alerts_unformatted_total", "counter",
	      "Alerts lost before the outputs: they could not be formatted.", s->alert_errors);
	one_u(t, "vigil_alerts_rate_limited_total", "counter",
	      "Alerts suppressed by the rate limit (reported in a summary alert).",
	      s->rate_limited);
	family(t, "vigil_rule_matches_total", "counter", "Alerts raised, by rule and priority.");
	for (size_t i = 0; i < v->nrules; i++) {
		struct label l[] = { { "rule", v->rules[i].rule },
				     { "priority", vgl_priority_name(v->rules[i].priority) },
				     { NULL, NULL } };

		sample_u(t, "vigil_rule_matches_total", l, v->rules[i].n);
	}
	one_u(t, "vigil_rule_matches_overflow_total", "counter",
	      "Alerts of rules beyond the number of rule series kept (8192 rule and priority "
	      "pairs).",
	      v->rules_overflow);
}

static bool is_failure(int reason)
{
	return reason == VGL_LOSS_REJECTED || reason == VGL_LOSS_RETRIES ||
	       reason == VGL_LOSS_TOO_LARGE;
}

/* Per sink, lost alerts by reason: failed (the receiver's doing) or dropped. */
static void render_losses(const struct vgl_metrics_view *v, struct vgl_text *t, bool failed)
{
	const char *name =
		failed ? "vigil_output_alerts_failed_total" : "vigil_output_alerts_dropped_total";

	family(t, name, "counter",
	       failed ? "Alerts the receiver refused or that ran out of retries, by output and "
			"reason."
		      : "Alerts dropped before delivery (no room, spool error, shutdown), by "
			"output and reason.");
	for (size_t i = 0; i < v->nsinks; i++) {
		for (int r = 0; r < VGL_LOSS_MAX; r++) {
			struct label l[] = { { "sink", v->sinks[i].name },
					     { "type", v->sinks[i].type },
					     { "reason", vgl_sink_loss_name(r) },
					     { NULL, NULL } };

			if (is_failure(r) == failed)
				sample_u(t, name, l, v->sinks[i].st.lost[r]);
		}
	}
}

static void render_outputs(const struct vgl_metrics_view *v, struct vgl_text *t)
{
	static const struct {
		const char *name, *type, *help;
		size_t off;
	} fams[] = {
#define F(n, ty, h, f) { n, ty, h, offsetof(struct vgl_sink_stats, f) }
		F("vigil_output_alerts_submitted_total", "counter",
		  "Alerts handed to the output after its filters.", submitted),
		F("vigil_output_alerts_filtered_total", "counter",
		  "Alerts not for this output (priority, rule or tag filters).", filtered),
		F("vigil_output_alerts_sent_total", "counter", "Alerts delivered.", sent),
		F("vigil_output_retries_total", "counter",
		  "Failed delivery attempts that were retried.", retries),
		F("vigil_output_alerts_spooled_total", "counter", "Alerts written to the spool.",
		  spooled),
		F("vigil_output_alerts_unspooled_total", "counter",
		  "Alerts read back from the spool (then delivered or lost).", unspooled),
		F("vigil_output_queue_depth", "gauge", "Alerts waiting in the queue.", queue_depth),
		F("vigil_output_queue_capacity", "gauge", "The queue's size (queue.size).",
		  queue_size),
		F("vigil_output_spool_depth", "gauge", "Alerts waiting in the spool.", spool_depth),
		F("vigil_output_spool_bytes", "gauge", "Bytes in the spool.", spool_bytes),
#undef F
	};

	for (size_t f = 0; f < sizeof(fams) / sizeof(fams[0]); f++) {
		family(t, fams[f].name, fams[f].type, fams[f].help);
		for (size_t i = 0; i < v->nsinks; i++) {
			struct label l[] = { { "sink", v->sinks[i].name },
					     { "type", v->sinks[i].type },
					     { NULL, NULL } };

			sample_u(t, fams[f].name, l, field(&v->sinks[i].st, fams[f].off));
		}
	}
	render_losses(v, t, true);
	render_losses(v, t, false);
	family(t, "vigil_output_failing_seconds", "gauge",
	       "How long the output's deliveries have been failing; 0 when the last one worked.");
	for (size_t i = 0; i < v->nsinks; i++)
		sample_f(t, "vigil_output_failing_seconds",
			 (struct label[]){ { "sink", v->sinks[i].name },
					   { "type", v->sinks[i].type },
					   { NULL, NULL } },
			 v->sinks[i].st.failing ? v->sinks[i].st.failing_for : 0);
	family(t, "vigil_output_healthy", "gauge",
	       "1 when the output is healthy (see /healthz), else 0.");
	for (size_t i = 0; i < v->nsinks; i++)
		sample_u(t, "vigil_output_healthy",
			 (struct label[]){ { "sink", v->sinks[i].name },
					   { "type", v->sinks[i].type },
					   { NULL, NULL } },
			 v->sinks[i].healthy);
}

static void render_state(const struct vgl_metrics_snapshot *s, struct vgl_text *t)
{
	one_u(t, "vigil_state_processes", "gauge", "Processes in the process table.", s->procs);
	one_u(t, "vigil_state_containers", "gauge", "Entries in the container cache.",
	      s->containers);
	one_u(t, "vigil_state_fds", "gauge", "Entries in the file descriptor cache.", s->fds);
	family(t, "vigil_state_evictions_total", "counter",
	       "Entries evicted from a full table (least recently used first), by table.");
	sample_u(t, "vigil_state_evictions_total",
		 (struct label[]){ { "table", "processes" }, { NULL, NULL } }, s->proc_evictions);
	sample_u(t, "vigil_state_evictions_total",
		 (struct label[]){ { "table", "containers" }, { NULL, NULL } },
		 s->container_evictions);
	sample_u(t, "vigil_state_evictions_total",
		 (struct label[]){ { "table", "fds" }, { NULL, NULL } }, s->fd_evictions);
}

static void render_rules(const struct vgl_metrics_snapshot *s, struct vgl_text *t)
{
	one_u(t, "vigil_rules_loaded", "gauge", "Rules in the running rule set.", s->nrules);
	one_f(t, "vigil_rules_load_duration_seconds",
	      "How long the last successful load or reload of the rules took.", s->load_seconds);
	one_f(t, "vigil_rules_last_reload_success_timestamp_seconds",
	      "When the rules were last loaded or reloaded successfully; 0: never.",
	      s->reload_ok_at);
	one_f(t, "vigil_rules_last_reload_failure_timestamp_seconds",
	      "When a reload of the rules last failed (the old rules kept running); 0: never.",
	      s->reload_fail_at);
	family(t, "vigil_rules_reloads_total", "counter", "Rule reloads (SIGHUP), by result.");
	sample_u(t, "vigil_rules_reloads_total",
		 (struct label[]){ { "result", "success" }, { NULL, NULL } }, s->reloads_ok);
	sample_u(t, "vigil_rules_reloads_total",
		 (struct label[]){ { "result", "failure" }, { NULL, NULL } }, s->reloads_failed);
}

static void render_health(const struct vgl_metrics_view *v, struct vgl_text *t)
{
	const struct vgl_metrics_snapshot *s = v->s;
	struct vgl_text problems;
	double read_at = 0;

	vgl_text_init(&problems, 1u << 20);
	one_u(t, "vigil_healthy", "gauge", "1 when /healthz answers 200, else 0.",
	      vgl_metrics_health(v, &problems) == 0);
	vgl_text_free(&problems);
	one_u(t, "vigil_capture_attached", "gauge", "1 while the BPF programs are attached.",
	      v->published && s->attached);
	if (v->published && s->consumed_at > 0)
		read_at = v->now_wall - (v->now_mono - s->consumed_at);
	one_f(t, "vigil_ringbuf_last_read_timestamp_seconds",
	      "When userspace last read the ring buffer; 0: not yet.", read_at);
	family(t, "vigil_build_info", "gauge", "vigil's version, as a label; the value is 1.");
	sample_u(t, "vigil_build_info",
		 (struct label[]){ { "version", VIGIL_VERSION }, { NULL, NULL } }, 1);
}

static void render_process(const struct vgl_process_stats *p, struct vgl_text *t)
{
	family(t, "process_cpu_seconds_total", "counter",
	       "Total user and system CPU time spent in seconds.");
	sample_f(t, "process_cpu_seconds_total", NULL, p->cpu_seconds);
	one_u(t, "process_resident_memory_bytes", "gauge", "Resident memory size in bytes.",
	      p->rss_bytes);
	one_u(t, "process_virtual_memory_bytes", "gauge", "Virtual memory size in bytes.",
	      p->vsize_bytes);
	one_f(t, "process_start_time_seconds",
	      "Start time of the process since unix epoch in seconds.", p->start_time);
	one_u(t, "process_open_fds", "gauge", "Number of open file descriptors.", p->open_fds);
	one_u(t, "process_max_fds", "gauge", "Maximum number of open file descriptors.",
	      p->max_fds);
}

void vgl_metrics_render(const struct vgl_metrics_view *v, struct vgl_text *t)
{
	render_kernel(v->s, t);
	render_events(v->s, t);
	render_alerts(v, t);
	render_outputs(v, t);
	render_state(v->s, t);
	render_rules(v->s, t);
	vgl_metrics_render_capture(v->s, t);
	render_health(v, t);
	render_process(&v->proc, t);
}
