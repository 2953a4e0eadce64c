/* SPDX-License-Identifier: Apache-2.0 */
/* Internal to run.c and run_start.c: `vigil run`'s event loop and what it holds. */
#ifndef VIGIL_RUN_LOOP_H
#define VIGIL_RUN_LOOP_H

#include "bpf/loader.h"
#include "config/config.h"
#include "run/capsetup.h"
#include "run/notify.h"
#include "run/pipeline.h"
#include "run/reloadreq.h"
#include "run/run.h"
#include "source/source.h"

struct vgl_loop {
	int epfd;
	int sigfd;
	struct vgl_live *live;
	struct vgl_reload *reload; /* NULL without rules */
	struct vgl_pipeline *p;
	struct vgl_bpf *bpf;
	const struct vgl_run_opts *opts;
	double deadline;		 /* monotonic seconds, 0 = none */
	double next_tick;		 /* monotonic seconds of the next once-a-second work */
	double consumed_at;		 /* monotonic seconds of the last ring-buffer read */
	struct vgl_run_metrics *metrics; /* NULL: no metrics endpoint */
	struct vgl_config *cfg;
	struct vgl_run_capture cap;	   /* -w, the flight recorder */
	struct vgl_notify notify;	   /* systemd's Type=notify */
	struct vgl_reload_waiters waiters; /* `vigil reload PID`s to answer */
};

double vgl_loop_now_mono(void);

/* The kinds to capture: printed ones, the rules', the capture's and what state needs. */
int vgl_loop_apply_kinds(struct vgl_loop *l);

/* The in-kernel prefilter of the rules (and @also's during a reload). */
void vgl_loop_apply_prefilter(struct vgl_loop *l, const struct vgl_ruleset *also);

/* Rules, BPF load, state, the capture stage: 0 or -1 (said why). */
int vgl_loop_start(struct vgl_loop *l);

#endif /* VIGIL_RUN_LOOP_H */
