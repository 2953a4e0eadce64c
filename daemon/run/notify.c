// SPDX-License-Identifier: Apache-2.0
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <systemd/sd-daemon.h>
#include <time.h>

#include "run/notify.h"

void vgl_notify_init(struct vgl_notify *n)
{
	uint64_t usec = 0;

	memset(n, 0, sizeof(*n));
	n->on = getenv("NOTIFY_SOCKET") != NULL;
	/* > 0 only when WATCHDOG_PID is unset or ours; unsets both */
	if (sd_watchdog_enabled(1, &usec) > 0)
		n->watchdog_usec = usec;
}

void vgl_notify_ready(struct vgl_notify *n)
{
	if (n->on)
		sd_notify(0, "READY=1");
}

void vgl_notify_reloading(struct vgl_notify *n)
{
	struct timespec ts;

	if (!n->on)
		return;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	sd_notifyf(0, "RELOADING=1\nMONOTONIC_USEC=%" PRIu64,
		   (uint64_t)ts.tv_sec * 1000000 + (uint64_t)ts.tv_nsec / 1000);
}

void vgl_notify_stopping(struct vgl_notify *n)
{
	if (n->on)
		sd_notify(0, "STOPPING=1");
}

void vgl_notify_watchdog(struct vgl_notify *n, double now)
{
	if (!n->on || !n->watchdog_usec || now < n->next_watchdog)
		return;
	sd_notify(0, "WATCHDOG=1");
	n->next_watchdog = now + (double)n->watchdog_usec / 2e6;
}

void vgl_notify_status(struct vgl_notify *n, const char *text)
{
	if (!n->on || !strcmp(n->status, text))
		return;
	snprintf(n->status, sizeof(n->status), "%s", text);
	sd_notifyf(0, "STATUS=%s", text);
}

void vgl_notify_counters(struct vgl_notify *n, const struct vgl_bpf *bpf, struct vgl_pipeline *p,
			 const struct vgl_run_capture *cap)
{
	static struct vgl_run_stats s; /* per-kind arrays: kept off the stack */
	char text[VGL_NOTIFY_STATUS_MAX];

	if (!n->on)
		return;
	memset(&s, 0, sizeof(s));
	if (bpf)
		vgl_bpf_read_stats(bpf, s.kernel);
	s.user = p->stats;
	vgl_capsetup_counts(cap, &s.capture);
	vgl_run_stats_outputs(&s, p->outputs);
	vgl_run_stats_sum(&s);
	vgl_notify_status_text(&s, p->rules ? vgl_ruleset_nrules(p->rules) : 0, text, sizeof(text));
	vgl_notify_status(n, text);
}

void vgl_notify_status_text(const struct vgl_run_stats *s, size_t nrules, char *buf, size_t len)
{
	snprintf(buf, len,
		 "capturing: %" PRIu64 " events, %" PRIu64 " lost, %" PRIu64 " alerts, %zu rules",
		 (uint64_t)s->kernel_total.emitted, s->lost, s->user.alerts, nrules);
}
