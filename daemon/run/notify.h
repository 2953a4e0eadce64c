/* SPDX-License-Identifier: Apache-2.0 */
/*
 * `vigil run` under systemd (Type=notify, sd_notify(3) of libsystemd):
 * READY=1 once capture runs, RELOADING=1 ... READY=1 around a SIGHUP
 * reload, STATUS= with the counters, WATCHDOG=1 from the event loop while
 * WatchdogSec= is set, STOPPING=1 at the end. Without NOTIFY_SOCKET every
 * call does nothing.
 */
#ifndef VIGIL_RUN_NOTIFY_H
#define VIGIL_RUN_NOTIFY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "bpf/loader.h"
#include "run/capsetup.h"
#include "run/pipeline.h"
#include "run/stats.h"

#define VGL_NOTIFY_STATUS_MAX 256

struct vgl_notify {
	bool on;			    /* NOTIFY_SOCKET is set */
	uint64_t watchdog_usec;		    /* WATCHDOG_USEC for this process; 0: no watchdog */
	double next_watchdog;		    /* monotonic seconds */
	char status[VGL_NOTIFY_STATUS_MAX]; /* the last STATUS= sent */
};

/* Read NOTIFY_SOCKET and WATCHDOG_USEC (then unset, not for children). */
void vgl_notify_init(struct vgl_notify *n);

void vgl_notify_ready(struct vgl_notify *n);

/* A reload starts (RELOADING=1, MONOTONIC_USEC= for systemd >= 253). */
void vgl_notify_reloading(struct vgl_notify *n);
void vgl_notify_stopping(struct vgl_notify *n);

/* WATCHDOG=1 when half the watchdog period passed since the last one. */
void vgl_notify_watchdog(struct vgl_notify *n, double now);

/* STATUS=@text, unless it is the one sent last. */
void vgl_notify_status(struct vgl_notify *n, const char *text);

/* STATUS= with the counters of @bpf, @p and @cap (the final stats' sums). */
void vgl_notify_counters(struct vgl_notify *n, const struct vgl_bpf *bpf, struct vgl_pipeline *p,
			 const struct vgl_run_capture *cap);

/*
 * The status line systemctl status shows: "capturing: 1234 events, 0 lost,
 * 5 alerts, 59 rules" from @s (summed: vgl_run_stats_sum) and @nrules.
 */
void vgl_notify_status_text(const struct vgl_run_stats *s, size_t nrules, char *buf, size_t len);

#endif /* VIGIL_RUN_NOTIFY_H */
