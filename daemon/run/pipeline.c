// SPDX-License-Identifier: Apache-2.0
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "capture/flight.h"
#include "run/pipeline.h"
#include "util/log.h"
#include "state/hold.h"

int vgl_pipeline_init(struct vgl_pipeline *p, const struct vgl_kindset *print,
		      enum vgl_fmt_style style, FILE *out)
{
	memset(p, 0, sizeof(*p));
	p->buf = malloc(VGL_FMT_BUF_MAX);
	if (!p->buf)
		return -ENOMEM;
	p->print = *print;
	p->style = style;
	p->out = out;
	p->alert_json = true;
	p->fmt.boot_to_realtime_ns = vgl_boot_to_realtime_ns();
	if (gethostname(p->hostname, sizeof(p->hostname) - 1))
		strcpy(p->hostname, "localhost");
	return 0;
}

void vgl_pipeline_fini(struct vgl_pipeline *p)
{
	vgl_hold_free(p->hold); /* empty after vgl_pipeline_drain() */
	p->hold = NULL;
	vgl_match_ctx_free(p->mctx);
	vgl_ruleset_free(p->rules);
	free(p->buf);
	p->buf = NULL;
}

struct vgl_ruleset *vgl_pipeline_set_rules(struct vgl_pipeline *p, struct vgl_ruleset *rs,
					   int *ret_err)
{
	struct vgl_match_ctx *mctx = rs ? vgl_match_ctx_new(rs) : NULL;
	struct vgl_ruleset *old = p->rules;

	*ret_err = 0;
	if (rs && !mctx) {
		*ret_err = -ENOMEM;
		return rs; /* hand the new set back: the old one stays */
	}
	vgl_match_ctx_free(p->mctx);
	p->mctx = mctx;
	p->rules = rs;
	if (mctx) /* the clock of alert times, for the fields too */
		vgl_match_ctx_set_clock(mctx, p->fmt.boot_to_realtime_ns);
	return old;
}

void vgl_pipeline_set_clock(struct vgl_pipeline *p, int64_t boot_to_realtime_ns)
{
	p->fmt.boot_to_realtime_ns = boot_to_realtime_ns;
	if (p->mctx)
		vgl_match_ctx_set_clock(p->mctx, boot_to_realtime_ns);
}

struct alert_cb_data {
	struct vgl_pipeline *p;
	const struct vgl_event *ev;
};

/* A matching rule's alert, formatted once, handed to the output stage. */
static int on_match(void *data, const struct vgl_ruleset *rs, size_t rule,
		    struct vgl_match_ctx *ctx)
{
	struct alert_cb_data *d = data;
	struct vgl_pipeline *p = d->p;
	const struct vgl_rule_info *info = vgl_ruleset_rule(rs, rule);
	struct vgl_alert_meta meta = {
		.hostname = p->hostname,
		.time_ns = (int64_t)d->ev->hdr.ts + p->fmt.boot_to_realtime_ns,
	};
	struct vgl_alert_parts parts = {
		.time_ns = meta.time_ns,
		.priority = (int)info->priority,
		.rule = info->name,
		.source = "syscall",
		.hostname = p->hostname,
		.msg = p->buf,
		.tags = info->tags,
		.ntags = info->ntags,
	};
	size_t cap = VGL_ALERT_MSG_MAX < VGL_FMT_BUF_MAX ? VGL_ALERT_MSG_MAX : VGL_FMT_BUF_MAX;
	struct vgl_alert *a;
	struct timespec now;
	char *json;

	p->stats.alerts++;
	/* Falco's capture: true: the flight recorder saves this event's container
	 * (or process tree) from before the alert on; the JSON names the file. Its
	 * clock is the one the capture tap gives it: the wall clock, not the event's. */
	if (info->capture && p->flight && !clock_gettime(CLOCK_REALTIME_COARSE, &now))
		meta.capture_file = vgl_flight_trigger(
			p->flight, info->name, info->capture_duration_ns,
			(uint64_t)now.tv_sec * 1000000000ull + (uint64_t)now.tv_nsec);
	/* the message; the rule's template has no trailing blanks (Falco trims) */
	parts.msg_len = vgl_alert_format(ctx, rule, p->buf, cap);
	if (parts.msg_len >= cap)
		parts.msg_len = cap - 1;
	json = p->alert_json ? vgl_alert_json(ctx, rule, &meta) : NULL;
	if (p->alert_json && !json) {
		p->stats.alert_errors++;
		return 0;
	}
	parts.json = json;
	parts.json_len = json ? strlen(json) : 0;
	a = vgl_alert_new(&parts);
	free(json);
	if (!a) {
		p->stats.alert_errors++;
		return 0;
	}
	if (p->on_alert)
		p->on_alert(p->on_alert_ctx, a);
	if (p->outputs)
		vgl_outputs_submit(p->outputs, a);
	vgl_alert_unref(a);
	return 0;
}

/* With a capture tap, the rules read the state through it (late context). */
static void eval_rules(struct vgl_pipeline *p, const struct vgl_event *ev)
{
	struct alert_cb_data d = { p, ev };

	if (p->rec)
		vgl_ruleset_eval(p->rules, p->mctx, ev, vgl_recorder_ops(), p->rec, on_match, &d);
	else if (p->sops || !p->state)
		vgl_ruleset_eval(p->rules, p->mctx, ev, p->sops, p->sctx, on_match, &d);
	else /* no ops were set: the live state's (pipeline.h) */
		vgl_ruleset_eval(p->rules, p->mctx, ev, vgl_state_ops(), p->state, on_match, &d);
}

void vgl_pipeline_set_state_ops(struct vgl_pipeline *p, const struct vgl_field_state_ops *ops,
				void *ctx)
{
	p->sops = ops;
	p->sctx = ctx;
	p->fmt.sops = ops; /* events are printed with the context rules read */
	p->fmt.sctx = ctx;
}

/* Coarse (a few ms) is plenty for rotation and the flight window, and cheap. */
static uint64_t wall_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME_COARSE, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

static void news(struct vgl_pipeline *p, const struct vgl_ctr_news *n, bool may_wait);

/* State, capture tap, rules, print: everything after decoding @data. */
static void process(struct vgl_pipeline *p, const struct vgl_event *ev, const void *data,
		    size_t size)
{
	struct vgl_ctr_news n;
	int len;

	if (p->state) {
		vgl_state_update(p->state, ev);
		/* a new container's first exec: its container event goes first */
		if (vgl_state_container_news(p->state, ev, &n))
			news(p, &n, false);
	}
	if (p->rec)
		vgl_recorder_event(p->rec, ev, data, size, wall_ns());
	if (p->rules)
		eval_rules(p, ev);
	if (p->rec)
		vgl_recorder_event_end(p->rec);
	if (!p->print.has[ev->kind])
		return;
	len = vgl_fmt_event(ev, p->style, &p->fmt, p->buf, VGL_FMT_BUF_MAX - 1);
	if (len >= 0)
		p->buf[len++] = '\n';
	if (len < 0 || fwrite(p->buf, 1, len, p->out) != (size_t)len) {
		p->stats.output_errors++;
		return;
	}
	p->stats.printed++;
}

/* A held record, decoded again (it decoded the first time). */
static void process_held(void *ctx, const void *data, size_t size)
{
	struct vgl_pipeline *p = ctx;
	struct vgl_event ev;

	if (vgl_decode(data, size, &ev, NULL)) {
		p->stats.decode_errors++;
		return;
	}
	process(p, &ev, data, size);
}

static uint64_t mono_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

/* Give up waiting for @key: its events go on with <NA> container fields. */
static size_t release_now(struct vgl_pipeline *p, uint64_t key)
{
	vgl_state_stop_waiting(p->state, key);
	return p->hold ? vgl_hold_release(p->hold, key, process_held, p) : 0;
}

/* Hold @data for @key, or (hold full) process what waits for it and @ev now. */
static void hold(struct vgl_pipeline *p, uint64_t key, const struct vgl_event *ev, const void *data,
		 size_t size)
{
	if (!p->hold) {
		struct vgl_hold_opts o = { .wait_ns = p->hold_wait_ns };

		p->hold = vgl_hold_new(&o);
	}
	if (p->hold && !vgl_hold_add(p->hold, key, data, size, mono_ns())) {
		p->stats.held++;
		return;
	}
	p->stats.hold_overflow += release_now(p, key) + 1;
	process(p, ev, data, size);
}

/* A container event, made here (state/ctrnews.h): through the stages like a record. */
static void news(struct vgl_pipeline *p, const struct vgl_ctr_news *n, bool may_wait)
{
	char buf[sizeof(n->hdr) + 2 * sizeof(uint16_t) + sizeof(n->id) + sizeof(n->type)];
	size_t size = vgl_ctrnews_record(n, buf, sizeof(buf));
	struct vgl_event ev;
	uint64_t key = 0;

	p->stats.container_events++;
	if (!size || vgl_decode(buf, size, &ev, NULL)) {
		p->stats.decode_errors++;
		return;
	}
	p->stats.by_kind[ev.kind]++;
	if (may_wait && vgl_state_fd(p->state) >= 0)
		key = vgl_state_wait_key(p->state, &ev);
	if (key)
		hold(p, key, &ev, buf, size);
	else
		process(p, &ev, buf, size);
}

static void on_running(void *ctx, const struct vgl_ctr_news *n)
{
	news(ctx, n, true);
}

size_t vgl_pipeline_scan_containers(struct vgl_pipeline *p)
{
	struct vgl_state_stats ss;
	struct timespec ts;
	size_t n;

	if (!p->state || clock_gettime(CLOCK_BOOTTIME, &ts))
		return 0;
	n = vgl_state_scan_containers(p->state,
				      (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec,
				      on_running, p);
	/* the scan read every process's cgroup: a namespace root not found shows now */
	vgl_state_stats(p->state, &ss);
	if (ss.containers.cgns_unknown)
		vgl_warn("vigil runs in a cgroup namespace of its own and cannot tell where its "
			 "root is (no mount of the host's cgroup file system, such as "
			 "HOST_ROOT/sys/fs/cgroup, read-only): processes outside its own cgroup "
			 "will show as the host, not as their containers");
	return n;
}

int vgl_pipeline_record(void *ctx, const void *data, size_t size)
{
	struct vgl_pipeline *p = ctx;
	struct vgl_event ev;
	uint64_t key = 0;

	p->stats.received++;
	if (vgl_decode(data, size, &ev, NULL)) {
		p->stats.decode_errors++;
		return 0;
	}
	p->stats.by_kind[ev.kind]++;
	if (p->select && !p->select(p->select_ctx, &ev)) {
		p->stats.unselected++;
		return 0;
	}
	if (p->hold && vgl_hold_count(p->hold))
		vgl_pipeline_poll(p); /* only keys still being read keep records */
	if (p->state && vgl_state_fd(p->state) >= 0)
		key = vgl_state_wait_key(p->state, &ev);
	if (key)
		hold(p, key, &ev, data, size);
	else
		process(p, &ev, data, size);
	return 0;
}

int vgl_pipeline_fd(const struct vgl_pipeline *p)
{
	return p->state ? vgl_state_fd(p->state) : -1;
}

void vgl_pipeline_poll(struct vgl_pipeline *p)
{
	uint64_t key, deadline, now;
	size_t iter = 0;

	if (!p->state)
		return;
	vgl_state_collect(p->state);
	if (!p->hold || !vgl_hold_count(p->hold))
		return;
	now = mono_ns();
	while (vgl_hold_next(p->hold, &iter, &key, &deadline)) {
		if (!vgl_state_key_pending(p->state, key))
			vgl_hold_release(p->hold, key, process_held, p);
		else if (now >= deadline)
			p->stats.held_timeout += release_now(p, key);
	}
}

void vgl_pipeline_drain(struct vgl_pipeline *p)
{
	uint64_t first, now;

	while (p->state && p->hold && vgl_hold_count(p->hold)) {
		first = vgl_hold_first_deadline(p->hold);
		now = mono_ns();
		if (first > now)
			vgl_state_wait(p->state, (int)((first - now) / 1000000 + 1));
		vgl_pipeline_poll(p);
	}
	if (p->state) {
		struct vgl_state_stats ss;

		vgl_state_collect(p->state);
		vgl_state_stats(p->state, &ss);
		p->stats.meta_reads = ss.containers.async_reads;
		p->stats.meta_unqueued = ss.containers.queue_full;
		p->stats.meta_errors = ss.containers.meta_errors;
	}
}
