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
#include "run/pipeline.h"
#include "run/run.h"
#include "run/stats.h"
#include "source/source.h"
#include "util/log.h"

#define VGL_TICK_MS 100

struct vgl_loop {
	int epfd;
	int sigfd;
	struct vgl_live *live;
	double deadline; /* monotonic seconds, 0 = none */
};

static double now_mono(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static int open_signalfd(void)
{
	sigset_t mask;

	sigemptyset(&mask);
	sigaddset(&mask, SIGINT);
	sigaddset(&mask, SIGTERM);
	if (sigprocmask(SIG_BLOCK, &mask, NULL))
		return -errno;
	return signalfd(-1, &mask, SFD_CLOEXEC | SFD_NONBLOCK);
}

static int loop_init(struct vgl_loop *l, struct vgl_live *live, double duration)
{
	struct epoll_event ev = { .events = EPOLLIN };

	l->live = live;
	l->deadline = duration > 0 ? now_mono() + duration : 0;
	l->sigfd = open_signalfd();
	l->epfd = epoll_create1(EPOLL_CLOEXEC);
	if (l->sigfd < 0 || l->epfd < 0)
		return -errno;
	ev.data.fd = l->sigfd;
	if (epoll_ctl(l->epfd, EPOLL_CTL_ADD, l->sigfd, &ev))
		return -errno;
	ev.data.fd = vgl_live_fd(live);
	if (epoll_ctl(l->epfd, EPOLL_CTL_ADD, ev.data.fd, &ev))
		return -errno;
	return 0;
}

static void loop_fini(struct vgl_loop *l)
{
	if (l->epfd >= 0)
		close(l->epfd);
	if (l->sigfd >= 0)
		close(l->sigfd);
}

/* True when a stop signal arrived. */
static bool stop_requested(struct vgl_loop *l)
{
	struct signalfd_siginfo si;
	bool stop = false;

	while (read(l->sigfd, &si, sizeof(si)) == sizeof(si))
		if (si.ssi_signo == SIGINT || si.ssi_signo == SIGTERM)
			stop = true;
	return stop;
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
		fflush(out);
		if (stop_requested(l))
			return 0;
		if (l->deadline && now_mono() >= l->deadline)
			return 0;
	}
}

static void log_hooks(const struct vgl_hooks *h)
{
	for (int i = 0; i < VGL_HOOK_MAX; i++) {
		const struct vgl_hook_choice *c = &h->choice[i];

		if (c->why && c->why[0])
			vgl_info("hook: %s: %s (not used: %s)", c->concern, c->hook, c->why);
		else
			vgl_info("hook: %s: %s", c->concern, c->hook);
	}
}

static void finish(struct vgl_bpf *bpf, struct vgl_live *live, struct vgl_pipeline *p, bool json)
{
	struct vgl_run_stats stats = { 0 };

	vgl_bpf_detach(bpf);
	vgl_live_consume(live); /* drain what was queued before detaching */
	fflush(p->out);
	vgl_bpf_read_stats(bpf, stats.kernel);
	stats.user = p->stats;
	vgl_run_stats_sum(&stats);
	if (json)
		vgl_run_stats_print_json(&stats, stderr);
	else
		vgl_run_stats_print_text(&stats, stderr);
}

static int start(const struct vgl_run_opts *opts, struct vgl_bpf **ret_bpf)
{
	struct vgl_bpf_opts bopts = { opts->ringbuf_size, opts->wakeup_bytes };
	struct vgl_kindset capture = opts->print;
	char err[512] = "";
	int ret;

	if (vgl_bpf_preflight(err, sizeof(err)) ||
	    vgl_bpf_load(&bopts, ret_bpf, err, sizeof(err))) {
		vgl_err("%s", err);
		return -1;
	}
	log_hooks(vgl_bpf_hooks(*ret_bpf));
	vgl_kindset_add_state(&capture);
	ret = vgl_bpf_set_kinds(*ret_bpf, &capture);
	if (ret) {
		vgl_err("cannot configure the syscall filter: %s", strerror(-ret));
		return -1;
	}
	return 0;
}

int vgl_run(const struct vgl_run_opts *opts)
{
	struct vgl_loop loop = { .epfd = -1, .sigfd = -1 };
	struct vgl_bpf *bpf = NULL;
	struct vgl_live *live = NULL;
	struct vgl_pipeline p;
	char err[512] = "";
	int ret, code = 1;

	signal(SIGPIPE, SIG_IGN);
	if (vgl_pipeline_init(&p, &opts->print, opts->json ? VGL_FMT_JSON : VGL_FMT_HUMAN, stdout))
		return 1;
	if (start(opts, &bpf))
		goto out;
	ret = vgl_live_open(vgl_bpf_ringbuf_fd(bpf), vgl_pipeline_record, &p, &live);
	if (!ret)
		ret = loop_init(&loop, live, opts->duration);
	if (ret) {
		vgl_err("cannot set up the event loop: %s", strerror(-ret));
		goto out;
	}
	if (vgl_bpf_attach(bpf, err, sizeof(err))) {
		vgl_err("%s", err);
		goto out;
	}
	fputs("vigil: ready\n", stderr);
	ret = loop_run(&loop, stdout);
	if (ret)
		vgl_err("event loop: %s", strerror(-ret));
	finish(bpf, live, &p, opts->json);
	code = ret ? 1 : 0;
out:
	loop_fini(&loop);
	vgl_live_close(live);
	vgl_bpf_destroy(bpf);
	vgl_pipeline_fini(&p);
	return code;
}
