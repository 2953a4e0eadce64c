// SPDX-License-Identifier: Apache-2.0
/*
 * `vigil replay`: the capture-file source connected to the pipeline, whose
 * rules and event printer read the recorded state (capture/replaystate.h)
 * instead of the host's. Each file's header gives the pipeline the
 * boot-to-wall-clock offset and host name it was recorded with, so alert
 * times and hostnames are those live mode printed.
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "capture/replaystate.h"
#include "rules/dns.h"
#include "run/capsetup.h"
#include "run/pipeline.h"
#include "run/reload.h"
#include "run/replay.h"
#include "run/replay_int.h"
#include "run/setup.h"
#include "source/source.h"
#include "util/log.h"

#define BATCH	     256   /* records between looks at the stop flag */
#define THROTTLE_N   64	   /* alerts between looks at the outputs' queues */
#define THROTTLE_MAX 10000 /* 1 ms waits without progress before giving up */

static volatile sig_atomic_t stop;

static void on_signal(int sig)
{
	(void)sig;
	stop = 1;
}

/* A new host or boot: the recorded state of the one before does not apply. */
static int new_state(struct vgl_replay *r, const struct vgl_cap_info *info)
{
	struct vgl_replaystate_stats st;

	if (r->rs) {
		vgl_replaystate_stats(r->rs, &st);
		r->bad_context += st.malformed;
		vgl_replaystate_free(r->rs);
	}
	r->rs = vgl_replaystate_new(info->hostname);
	if (!r->rs)
		return -ENOMEM;
	snprintf(r->host, sizeof(r->host), "%s", info->hostname);
	r->boot_ns = info->boot_time_ns;
	vgl_pipeline_set_state_ops(r->p, vgl_replaystate_ops(), r->rs);
	return 0;
}

static int on_file(void *ctx, const char *path, const struct vgl_cap_info *info)
{
	struct vgl_replay *r = ctx;
	int ret = 0;

	vgl_info("%s: recorded by vigil %s on %s (%s, %s)%s%s", path, info->vigil_version,
		 info->hostname, info->kernel_release, info->arch,
		 info->rule[0] ? ", flight capture of rule " : "", info->rule);
	if (!r->rs || strcmp(r->host, info->hostname) || r->boot_ns != info->boot_time_ns)
		ret = new_state(r, info);
	if (ret) {
		vgl_err("%s: %s", path, strerror(-ret));
		return ret;
	}
	vgl_pipeline_set_clock(r->p, info->boot_to_realtime_ns);
	snprintf(r->p->hostname, sizeof(r->p->hostname), "%s", info->hostname);
	return 0;
}

static int on_context(void *ctx, uint32_t type, const void *data, size_t size)
{
	struct vgl_replay *r = ctx;

	vgl_replaystate_apply(r->rs, type, data, size); /* counted when malformed */
	return stop;
}

static int on_event(void *ctx, const void *data, size_t size)
{
	struct vgl_replay *r = ctx;

	vgl_pipeline_record(r->p, data, size);
	return stop;
}

/*
 * Replay makes alerts much faster than live mode: rather than let a queue
 * overflow, wait for each sink to drain to half, as long as it makes
 * progress (a sink that is stuck keeps its own policy: spool or count).
 */
static void throttle(void *ctx, const struct vgl_alert *a)
{
	struct vgl_replay *r = ctx;
	struct vgl_outputs *o = r->p->outputs;
	struct timespec ms = { 0, 1000000 };
	struct vgl_sink_stats st;

	(void)a;
	if (!o || ++r->alerts_seen % THROTTLE_N)
		return;
	for (size_t i = 0; i < vgl_outputs_count(o); i++) {
		uint64_t last = UINT64_MAX;

		for (int idle = 0; idle < THROTTLE_MAX && !stop;) {
			vgl_sink_get_stats(vgl_outputs_sink(o, i), &st);
			if (st.queue_depth * 2 <= st.queue_size)
				break;
			idle = st.queue_depth < last ? 0 : idle + 1;
			last = st.queue_depth;
			nanosleep(&ms, NULL);
		}
	}
}

/* Rules (the defaults as vigil run's), the --filter; 0 or the exit code. */
static int load_rules(struct vgl_replay *r, const struct vgl_run_opts *eff)
{
	struct vgl_rules_opts ropts = { .first_match = eff->first_match };
	struct vgl_ruleset *rs = NULL;
	struct vgl_diag diag;
	char err[512] = "";
	int ret = 0;

	if (r->o->filter && vgl_capfilter_compile(r->o->filter, &r->filter, err, sizeof(err)))
		return vgl_usage_error("--filter: %s", err);
	if (r->filter && !(r->fctx = vgl_match_ctx_new(r->filter)))
		return 1;
	if (!eff->rules)
		return 0;
	vgl_diag_init(&diag);
	ret = vgl_rules_load(eff->rule_args, eff->nrule_args, &ropts, &rs, &diag, err, sizeof(err));
	vgl_rules_print_diag(&diag);
	vgl_diag_free(&diag);
	if (ret) {
		vgl_err("%s", err);
		return 1;
	}
	vgl_info("rules: %zu loaded", vgl_ruleset_nrules(rs));
	ret = vgl_dns_start(); /* the names fd.*ip.name rules compare with */
	if (ret)
		vgl_warn("fd.*ip.name: cannot start the resolver thread: %s", strerror(-ret));
	vgl_pipeline_set_rules(r->p, rs, &ret);
	if (ret)
		vgl_ruleset_free(rs);
	return ret ? 1 : 0;
}

/* The pipeline, its rules and outputs: 0 or the exit code. */
static int prepare(struct vgl_replay *r, const struct vgl_run_opts *eff, struct vgl_config *cfg)
{
	char err[512] = "";
	int ret;

	if (vgl_pipeline_init(r->p, &eff->print, eff->json ? VGL_FMT_JSON : VGL_FMT_HUMAN, stdout))
		return 1;
	ret = load_rules(r, eff);
	if (ret)
		return ret;
	r->p->select = vgl_replay_select;
	r->p->select_ctx = r;
	r->p->on_alert = throttle;
	r->p->on_alert_ctx = r;
	cfg->alerts.rate = 0; /* a replay shows every alert its rules raise */
	if (vgl_setup_outputs(cfg, eff->json, r->p->hostname, &r->p->outputs))
		return 1;
	/* only sinks read an alert's JSON (throttle reads no alert) */
	r->p->alert_json = vgl_outputs_need_json(r->p->outputs);
	if (vgl_outputs_start(r->p->outputs, err, sizeof(err))) {
		vgl_err("%s", err);
		return 1;
	}
	return 0;
}

static int run_files(struct vgl_replay *r)
{
	struct vgl_capsrc_cbs cbs = { on_event, on_context, on_file, r };
	struct vgl_capsrc *src = NULL;
	int n;

	if (vgl_capsrc_open(r->o->files, r->o->nfiles, &cbs, &src)) {
		vgl_err("replay: %s", strerror(ENOMEM));
		return 1;
	}
	while ((n = vgl_capsrc_consume(src, BATCH)) > 0 && !stop)
		;
	vgl_capsrc_stats(src, &r->src);
	vgl_capsrc_close(src);
	vgl_pipeline_drain(r->p);
	fflush(stdout);
	vgl_outputs_stop(r->p->outputs); /* every alert out before the summary */
	if (r->rs) {
		struct vgl_replaystate_stats st;

		vgl_replaystate_stats(r->rs, &st);
		r->bad_context += st.malformed;
	}
	return vgl_replay_summary(r);
}

int vgl_replay(const struct vgl_replay_opts *o)
{
	struct sigaction sa = { .sa_handler = on_signal };
	struct vgl_pipeline p = { 0 };
	struct vgl_replay r = { .o = o, .p = &p };
	struct vgl_config cfg = { 0 };
	struct vgl_run_opts eff;
	int code;

	signal(SIGPIPE, SIG_IGN);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	if (vgl_setup_load(&o->run, &cfg, &eff))
		return 1;
	r.json = eff.json;
	code = prepare(&r, &eff, &cfg);
	if (!code)
		code = run_files(&r);
	vgl_outputs_free(p.outputs);
	vgl_pipeline_fini(&p);
	vgl_replaystate_free(r.rs);
	vgl_match_ctx_free(r.fctx);
	vgl_ruleset_free(r.filter);
	vgl_config_free(&cfg);
	return stop && !code ? 130 : code;
}
