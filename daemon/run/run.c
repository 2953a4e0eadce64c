// SPDX-License-Identifier: Apache-2.0
/*
 * The event loop, after redis' ae.c in spirit: one epoll set with the ring
 * buffer and a signalfd; a 100 ms tick drains records that stayed below the
 * kernel's wakeup threshold and flushes the output.
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/signalfd.h>
#include <time.h>
#include <unistd.h>

#include "bpf/loader.h"
#include "rules/dns.h"
#include "run/capsetup.h"
#include "run/loop.h"
#include "run/metrics_glue.h"
#include "run/notify.h"
#include "run/pipeline.h"
#include "run/privs.h"
#include "run/reload.h"
#include "run/run.h"
#include "run/setup.h"
#include "run/signals.h"
#include "run/stats.h"
#include "source/source.h"
#include "util/log.h"

#define VGL_TICK_MS    100
#define VGL_STDOUT_BUF (64u << 10)

static char stdout_buf[VGL_STDOUT_BUF];

double vgl_loop_now_mono(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static int epoll_add(int epfd, int fd)
{
	struct epoll_event ev = { .events = EPOLLIN, .data.fd = fd };

	return epoll_ctl(epfd, EPOLL_CTL_ADD, fd, &ev) ? -errno : 0;
}

static int loop_init(struct vgl_loop *l, struct vgl_live *live, double duration)
{
	int ret;

	l->live = live;
	l->deadline = duration > 0 ? vgl_loop_now_mono() + duration : 0;
	l->sigfd = vgl_signals_fd();
	l->epfd = epoll_create1(EPOLL_CLOEXEC);
	if (l->sigfd < 0)
		return l->sigfd;
	if (l->epfd < 0)
		return -errno;
	ret = epoll_add(l->epfd, l->sigfd);
	if (!ret)
		ret = epoll_add(l->epfd, vgl_live_fd(live));
	if (!ret && l->reload)
		ret = epoll_add(l->epfd, vgl_reload_fd(l->reload));
	if (!ret && vgl_pipeline_fd(l->p) >= 0) /* container metadata read */
		ret = epoll_add(l->epfd, vgl_pipeline_fd(l->p));
	return ret;
}

static void loop_fini(struct vgl_loop *l)
{
	if (l->epfd >= 0)
		close(l->epfd);
	if (l->sigfd >= 0)
		close(l->sigfd);
}

/*
 * Swap @rs in at a cut of the event stream. The prefilter first passes
 * what either rule set may match; the records emitted before that (judged
 * by the old filter) go through the old rules; then the new rules run, and
 * only then the filter narrows to them. No event meets rules its filter
 * was not derived from.
 */
static struct vgl_ruleset *swap_rules(struct vgl_loop *l, struct vgl_ruleset *rs, int *err)
{
	struct vgl_ruleset *old;

	vgl_loop_apply_prefilter(l, rs);
	usleep(2000); /* programs that read the old generation are done in microseconds */
	if (vgl_live_drain(l->live))
		vgl_warn("reload: records still being written after 1 s");
	old = vgl_pipeline_set_rules(l->p, rs, err);
	if (*err) /* the old rules stay: so does their filter */
		vgl_loop_apply_prefilter(l, NULL);
	return old;
}

/* A reload finished: swap the new set in, or keep the old one. */
static enum vgl_reload_outcome reload_swap(struct vgl_loop *l, struct vgl_ruleset *rs, int err)
{
	struct vgl_ruleset *old = NULL;

	if (!err) /* else the problems were printed */
		old = swap_rules(l, rs, &err);
	vgl_run_metrics_rules(l->metrics, true, !err, vgl_reload_seconds(l->reload));
	if (err) {
		if (rs)
			vgl_err("reload failed, keeping the running rules: %s", strerror(-err));
		vgl_ruleset_free(rs);
		return VGL_RELOAD_FAILED;
	}
	vgl_ruleset_free(old);
	err = vgl_loop_apply_kinds(l);
	vgl_loop_apply_prefilter(l, NULL);
	if (err) {
		const char *hook = vgl_bpf_failed_hook(l->bpf);

		vgl_err("reload: cannot update the syscall filter%s%s: %s",
			hook[0] ? ": attaching " : "", hook, strerror(-err));
	}
	fprintf(stderr, "vigil: rules reloaded: %zu rules\n", vgl_ruleset_nrules(rs));
	return err ? VGL_RELOAD_PARTIAL : VGL_RELOAD_OK;
}

static void reload_done(struct vgl_loop *l)
{
	struct vgl_ruleset *rs = NULL;
	int err = vgl_reload_collect(l->reload, &rs);

	if (err == -EAGAIN)
		return;
	vgl_reload_waiters_answer(&l->waiters, reload_swap(l, rs, err));
	vgl_notify_ready(&l->notify); /* the new rules run, or the old ones */
}

/*
 * SIGHUP: start a rule reload. One queued by `vigil reload PID` gets its
 * outcome answered when the reload is over (one that finds a reload under
 * way, that reload's).
 */
static void reload_requested(struct vgl_loop *l, const struct signalfd_siginfo *si)
{
	bool waits = si->ssi_code == SI_QUEUE && si->ssi_int == VGL_RELOAD_MARKER;
	int err;

	if (!l->reload) {
		vgl_warn("SIGHUP: no rules to reload (vigil runs without rules)");
		if (waits)
			vgl_reload_answer((pid_t)si->ssi_pid, VGL_RELOAD_NO_RULES);
		return;
	}
	err = vgl_reload_start(l->reload);
	if (!err)
		vgl_notify_reloading(&l->notify);
	else
		vgl_warn("SIGHUP: %s",
			 err == -EBUSY ? "a reload is already running" : strerror(-err));
	if (waits && (!err || err == -EBUSY))
		vgl_reload_waiters_add(&l->waiters, (pid_t)si->ssi_pid);
	else if (waits)
		vgl_reload_answer((pid_t)si->ssi_pid, VGL_RELOAD_FAILED);
}

/* True when a stop signal arrived; SIGHUP starts a rule reload. */
static bool stop_requested(struct vgl_loop *l)
{
	struct signalfd_siginfo si;
	bool stop = false;

	while (read(l->sigfd, &si, sizeof(si)) == sizeof(si)) {
		if (si.ssi_signo == SIGINT || si.ssi_signo == SIGTERM)
			stop = true;
		if (si.ssi_signo == SIGUSR1 && l->p->outputs)
			vgl_outputs_reopen(l->p->outputs); /* logrotate moved the files */
		if (si.ssi_signo == SIGHUP)
			reload_requested(l, &si);
	}
	return stop;
}

static int64_t now_wall_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

/* Once a second: the output stage's periodic work (rate-limit summaries), metrics. */
static void tick(struct vgl_loop *l)
{
	double now = vgl_loop_now_mono();

	if (now < l->next_tick)
		return;
	l->next_tick = now + 1;
	if (l->p->outputs)
		vgl_outputs_tick(l->p->outputs, now_wall_ns());
	vgl_capsetup_tick(&l->cap, (uint64_t)now_wall_ns()); /* even when idle */
	vgl_run_metrics_publish(l->metrics, l->bpf, l->consumed_at, &l->cap);
	vgl_notify_counters(&l->notify, l->bpf, l->p, &l->cap);
}

static int loop_run(struct vgl_loop *l, FILE *out)
{
	struct epoll_event evs[4];

	for (;;) {
		int n = epoll_wait(l->epfd, evs, 4, VGL_TICK_MS);
		int ret;

		if (n < 0 && errno != EINTR)
			return -errno;
		ret = vgl_live_consume(l->live);
		if (ret < 0)
			return ret;
		l->consumed_at = vgl_loop_now_mono();
		vgl_pipeline_poll(l->p); /* events that waited for container metadata */
		fflush(out);
		vgl_notify_watchdog(&l->notify, l->consumed_at); /* the loop turns */
		tick(l);
		for (int i = 0; i < n && l->reload; i++)
			if (evs[i].data.fd == vgl_reload_fd(l->reload))
				reload_done(l);
		if (stop_requested(l))
			return 0;
		if (l->deadline && vgl_loop_now_mono() >= l->deadline)
			return 0;
	}
}

static void finish(struct vgl_loop *l, struct vgl_live *live, bool json)
{
	static struct vgl_run_stats stats;
	struct vgl_pipeline *p = l->p;

	memset(&stats, 0, sizeof(stats));
	vgl_bpf_detach(l->bpf);
	vgl_live_consume(live); /* drain what was queued before detaching */
	vgl_pipeline_drain(p);
	fflush(p->out);
	p->rec = NULL;
	p->flight = NULL;
	vgl_capsetup_close(&l->cap);  /* everything the pipeline handed it, on disk */
	vgl_outputs_stop(p->outputs); /* drain_timeout for the sinks, then spool or count */
	vgl_bpf_read_stats(l->bpf, stats.kernel);
	stats.user = p->stats;
	stats.capture = l->cap.last;
	vgl_run_stats_outputs(&stats, p->outputs);
	vgl_run_stats_sum(&stats);
	if (json)
		vgl_run_stats_print_json(&stats, stderr);
	else
		vgl_run_stats_print_text(&stats, stderr);
}

/* The config file and the outputs; 0 or the exit code. */
static int setup(struct vgl_loop *l, const struct vgl_run_opts *cli, struct vgl_run_opts *eff,
		 struct vgl_config *cfg)
{
	char err[512] = "";
	int ret;

	if (vgl_setup_load(cli, cfg, eff))
		return 1;
	l->opts = eff;
	l->cfg = cfg;
	ret = vgl_capsetup_prepare(eff, cfg, &l->cap);
	if (ret)
		return ret;
	/* the settings are valid: now what running them needs, before anything starts */
	if (vgl_privs_check(err, sizeof(err))) {
		vgl_err("%s", err);
		return 1;
	}
	if (vgl_pipeline_init(l->p, &eff->print, eff->json ? VGL_FMT_JSON : VGL_FMT_HUMAN, stdout))
		return 1;
	if (vgl_setup_outputs(cfg, eff->json, l->p->hostname, &l->p->outputs))
		return 1;
	/* only sinks read an alert's JSON (metrics: its rule, priority) */
	l->p->alert_json = vgl_outputs_need_json(l->p->outputs);
	if (vgl_outputs_start(l->p->outputs, err, sizeof(err))) {
		vgl_err("%s", err);
		return 1;
	}
	/* up before capture: /healthz says "starting" while the rules load */
	return vgl_run_metrics_start(cfg->metrics_listen, l->p, &l->metrics);
}

int vgl_run(const struct vgl_run_opts *cli)
{
	struct vgl_loop loop = { .epfd = -1, .sigfd = -1 };
	struct vgl_live *live = NULL;
	struct vgl_run_opts opts;
	struct vgl_config cfg = { 0 };
	struct vgl_pipeline p = { 0 };
	char err[512] = "";
	int ret, code = 1;

	signal(SIGPIPE, SIG_IGN);
	vgl_notify_init(&loop.notify); /* before threads: it unsets WATCHDOG_* */
	if (vgl_signals_block())
		return 1;
	/* events come in bursts and every loop iteration flushes: a larger
	 * buffer writes each burst with fewer syscalls. glibc ignores the size
	 * unless it is given the buffer. */
	if (!isatty(STDOUT_FILENO))
		setvbuf(stdout, stdout_buf, _IOFBF, sizeof(stdout_buf));
	loop.p = &p;
	code = setup(&loop, cli, &opts, &cfg);
	if (code)
		goto out;
	code = 1;
	if (vgl_loop_start(&loop))
		goto out;
	ret = vgl_live_open(vgl_bpf_ringbuf_fd(loop.bpf), vgl_pipeline_record, &p, &live);
	if (!ret)
		ret = loop_init(&loop, live, opts.duration);
	if (ret) {
		vgl_err("cannot set up the event loop: %s", strerror(-ret));
		goto out;
	}
	if (vgl_bpf_attach(loop.bpf, err, sizeof(err))) {
		vgl_err("%s", err);
		goto out;
	}
	/* after attaching: a container that starts meanwhile is announced once */
	vgl_pipeline_scan_containers(&p);
	if (vgl_privs_drop(err, sizeof(err))) {
		vgl_err("%s", err);
		goto out;
	}
	loop.consumed_at = vgl_loop_now_mono(); /* capture starts: healthy from "ready" on */
	tick(&loop);
	fputs("vigil: ready\n", stderr);
	vgl_notify_ready(&loop.notify);
	ret = loop_run(&loop, stdout);
	vgl_notify_stopping(&loop.notify);
	if (ret)
		vgl_err("event loop: %s", strerror(-ret));
	finish(&loop, live, opts.json);
	code = ret ? 1 : 0;
out:
	loop_fini(&loop);
	vgl_live_close(live);
	vgl_bpf_destroy(loop.bpf);
	vgl_reload_free(loop.reload);
	vgl_run_metrics_stop(loop.metrics); /* before what it reads is freed */
	vgl_outputs_free(p.outputs);	    /* stops the sinks at once if still running */
	p.rec = NULL;
	p.flight = NULL;
	vgl_capsetup_close(&loop.cap); /* on the error paths */
	vgl_state_free(p.state);
	vgl_pipeline_fini(&p);
	vgl_config_free(&cfg);
	return code;
}
