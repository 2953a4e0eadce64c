// SPDX-License-Identifier: Apache-2.0
/*
 * vigil-workload: a syscall-heavy workload for the capture benchmark
 * (bench/capture/run.sh).
 *
 *	vigil-workload MODE [-d SECS | -n ITERATIONS] [-R OPS_PER_SEC] [-t TMPDIR] [-f FILE]...
 *	vigil-workload -k MODE
 *
 * MODE is one of
 *	open     open(2) + close(2) of one file in a private temporary directory
 *	openmatch  open(2) read-only + close(2) of files that a loaded rule's
 *	         path constants cover without raising an alert, in turn:
 *	         /etc/passwd (Falco's etc_dir prefix /etc/) and a file in a
 *	         private directory under /home (vigil's and Falco's
 *	         /home/USER/... globs), or the -f FILEs; see bench/README.md
 *	exec     fork(2) + execve("/bin/true") in the child + waitpid(2)
 *	connect  socket + connect to a 127.0.0.1 listener of its own + accept4 +
 *	         close of both ends
 *	read     read(2) of one byte from /dev/zero, a syscall no rule wants,
 *	         while vigil captures opens: what capture costs the system's
 *	         other syscalls
 *
 * -t gives the directory of the private one (default $TMPDIR or /tmp for
 * open, /home for openmatch). -R paces the loop to that many operations per second (the output
 * benchmark's steady alert rate); without it the loop runs flat out.
 *
 * When done it prints one line of key=value pairs on stdout, e.g.
 *
 *	mode=open pid=1234 ops=123456 secs=5.00 ops_per_sec=24691.2
 *	kinds=openat file=/tmp/vigil-workload.x1y2z3/f sc_openat=123457
 *
 * (one line). sc_KIND counts the calls it made that vigil reports as event
 * KIND, setup calls included, so that the events vigil received can be
 * compared with the calls made. "-k MODE" prints only the comma-separated
 * event kinds, for `vigil run --events`.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "workload.h"

static double now_secs(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void print_kinds(FILE *f, const struct wl_mode *m)
{
	int i;

	for (i = 0; i < WL_KINDS_MAX && m->kinds[i]; i++)
		fprintf(f, "%s%s", i ? "," : "", m->kinds[i]);
}

/* Sleep until operation @ops is due at @rate per second from @start. */
static void pace(double start, uint64_t ops, double rate)
{
	double due = start + (double)ops / rate, wait = due - now_secs();
	struct timespec ts;

	if (wait <= 0)
		return;
	ts.tv_sec = (time_t)wait;
	ts.tv_nsec = (long)((wait - (double)ts.tv_sec) * 1e9);
	nanosleep(&ts, NULL);
}

/* Runs m->op until the iteration count or the deadline is reached. */
static int run_loop(const struct wl_mode *m, struct wl_ctx *ctx, const struct wl_opts *o,
		    uint64_t *ret_ops, double *ret_secs)
{
	double start, deadline, end;
	uint64_t ops = 0;
	int err = 0;

	start = now_secs();
	deadline = start + o->secs;
	for (;;) {
		if (o->iters && ops >= o->iters)
			break;
		if (!o->iters && ops % WL_CLOCK_EVERY == 0 && now_secs() >= deadline)
			break;
		if (o->rate > 0)
			pace(start, ops, o->rate);
		err = m->op(ctx);
		if (err)
			break;
		ops++;
	}
	end = now_secs();
	if (err)
		return err;
	*ret_ops = ops;
	*ret_secs = end - start;
	return 0;
}

static void print_result(const struct wl_mode *m, const struct wl_ctx *ctx, uint64_t ops,
			 double secs)
{
	int i;

	printf("mode=%s pid=%d ops=%llu secs=%.2f ops_per_sec=%.1f kinds=", m->name, (int)getpid(),
	       (unsigned long long)ops, secs, secs > 0 ? (double)ops / secs : 0.0);
	print_kinds(stdout, m);
	for (i = 0; i < (int)ctx->nfiles; i++)
		printf("%s%s", i ? "," : " file=", ctx->files[i]);
	for (i = 0; i < WL_KINDS_MAX && m->kinds[i]; i++)
		printf(" sc_%s=%llu", m->kinds[i], (unsigned long long)ctx->sc[i]);
	printf("\n");
}

static void usage(FILE *f)
{
	fprintf(f,
		"usage: vigil-workload open|openmatch|exec|connect|read [-d SECS | -n ITERATIONS]"
		" [-R OPS_PER_SEC] [-t TMPDIR] [-f FILE]...\n"
		"       vigil-workload -k open|openmatch|exec|connect|read\n");
}

static int parse_opts(int argc, char **argv, struct wl_opts *o)
{
	char *end;
	int c;

	o->secs = WL_DEFAULT_SECS;
	while ((c = getopt(argc, argv, "d:n:R:t:f:kh")) != -1) {
		switch (c) {
		case 'd':
			errno = 0;
			o->secs = strtod(optarg, &end);
			if (errno || *end || o->secs <= 0)
				return -EINVAL;
			break;
		case 'n':
			errno = 0;
			o->iters = strtoull(optarg, &end, 10);
			if (errno || *end || o->iters == 0)
				return -EINVAL;
			break;
		case 'R':
			errno = 0;
			o->rate = strtod(optarg, &end);
			if (errno || *end || !(o->rate > 0))
				return -EINVAL;
			break;
		case 't':
			o->tmpdir = optarg;
			break;
		case 'f':
			if (o->nfiles == WL_FILES_MAX)
				return -E2BIG;
			o->files[o->nfiles++] = optarg;
			break;
		case 'k':
			o->list_kinds = true;
			break;
		default:
			return -EINVAL;
		}
	}
	if (optind != argc - 1)
		return -EINVAL;
	o->mode = argv[optind];
	return 0;
}

int main(int argc, char **argv)
{
	struct wl_ctx ctx = { .lfd = -1, .rfd = -1 };
	const struct wl_mode *m;
	struct wl_opts o = { 0 };
	uint64_t ops = 0;
	double secs = 0;
	int err = 0;

	if (parse_opts(argc, argv, &o) < 0) {
		usage(stderr);
		return 2;
	}
	m = wl_find_mode(o.mode);
	if (!m) {
		fprintf(stderr, "vigil-workload: unknown mode '%s'\n", o.mode);
		usage(stderr);
		return 2;
	}
	if (o.list_kinds) {
		print_kinds(stdout, m);
		printf("\n");
		return 0;
	}
	if (!o.tmpdir)
		o.tmpdir = m->dir ? m->dir : getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp";
	if (m->setup)
		err = m->setup(&ctx, &o);
	if (!err)
		err = run_loop(m, &ctx, &o, &ops, &secs);
	if (m->teardown)
		m->teardown(&ctx);
	if (err) {
		fprintf(stderr, "vigil-workload: %s: %s\n", m->name, strerror(-err));
		return 1;
	}
	print_result(m, &ctx, ops, secs);
	return 0;
}
