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
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <netinet/in.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define WL_KINDS_MAX	3
#define WL_FILES_MAX	8 /* files opened in turn by the open modes */
#define WL_DEFAULT_SECS 5.0
#define WL_CLOCK_EVERY	8 /* iterations between two looks at the clock */

struct wl_ctx {
	char dir[PATH_MAX];
	char file[PATH_MAX];
	const char *files[WL_FILES_MAX]; /* open modes: opened in turn */
	size_t nfiles, next;
	int lfd; /* connect mode: the listener */
	int rfd; /* read mode: /dev/zero */
	struct sockaddr_in addr;
	uint64_t sc[WL_KINDS_MAX]; /* calls made, indexed like wl_mode.kinds */
};

struct wl_opts {
	const char *mode;
	const char *tmpdir; /* -t; NULL: the mode's default */
	const char *files[WL_FILES_MAX];
	size_t nfiles;
	double secs;
	uint64_t iters; /* 0: run for secs */
	double rate;	/* operations per second; 0: as fast as possible */
	bool list_kinds;
};
struct wl_mode {
	const char *name;
	const char *kinds[WL_KINDS_MAX]; /* vigil event kinds, NULL-terminated */
	const char *dir;		 /* the private directory's parent; NULL: $TMPDIR or /tmp */
	int (*setup)(struct wl_ctx *ctx, const struct wl_opts *o);
	int (*op)(struct wl_ctx *ctx);
	void (*teardown)(struct wl_ctx *ctx);
};

static char *const true_argv[] = { "true", NULL };
static char *const empty_envp[] = { NULL };

/* Indexes into wl_ctx.sc, one set per mode (see the mode table). */
enum { SC_OPENAT = 0 };
enum { SC_CLONE = 0, SC_EXECVE, SC_PROCEXIT };
enum { SC_SOCKET = 0, SC_CONNECT, SC_ACCEPT4 };

static double now_secs(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* The open modes' private file, created once in a new directory under @dir. */
static int private_file(struct wl_ctx *ctx, const char *dir)
{
	int n, fd;

	n = snprintf(ctx->dir, sizeof(ctx->dir), "%s/vigil-workload.XXXXXX", dir);
	if (n < 0 || (size_t)n >= sizeof(ctx->dir))
		return -ENAMETOOLONG;
	if (!mkdtemp(ctx->dir))
		return -errno;
	n = snprintf(ctx->file, sizeof(ctx->file), "%s/f", ctx->dir);
	if (n < 0 || (size_t)n >= sizeof(ctx->file))
		return -ENAMETOOLONG;
	fd = open(ctx->file, O_WRONLY | O_CREAT | O_CLOEXEC, 0600);
	ctx->sc[SC_OPENAT]++;
	if (fd < 0)
		return -errno;
	close(fd);
	ctx->files[ctx->nfiles++] = ctx->file;
	return 0;
}

/* open mode: the private file opened read-only in the loop. */
static int open_setup(struct wl_ctx *ctx, const struct wl_opts *o)
{
	return private_file(ctx, o->tmpdir);
}

/* openmatch mode: /etc/passwd and a private file under /home, or the -f files,
 * opened read-only in turn (bench/README.md says why these). */
static int openmatch_setup(struct wl_ctx *ctx, const struct wl_opts *o)
{
	size_t i;

	for (i = 0; i < o->nfiles; i++)
		ctx->files[ctx->nfiles++] = o->files[i];
	if (o->nfiles)
		return 0;
	ctx->files[ctx->nfiles++] = "/etc/passwd";
	return private_file(ctx, o->tmpdir);
}

static int open_op(struct wl_ctx *ctx)
{
	const char *file = ctx->files[ctx->next];
	int fd;

	if (++ctx->next == ctx->nfiles)
		ctx->next = 0;
	fd = open(file, O_RDONLY | O_CLOEXEC);
	ctx->sc[SC_OPENAT]++;
	if (fd < 0)
		return -errno;
	close(fd);
	return 0;
}

static void open_teardown(struct wl_ctx *ctx)
{
	if (ctx->file[0])
		unlink(ctx->file);
	if (ctx->dir[0])
		rmdir(ctx->dir);
}

/* exec mode: glibc's fork() is the clone syscall; the child's execve and exit
 * are reported with the child's pid and this process as ppid. */
static int exec_op(struct wl_ctx *ctx)
{
	pid_t pid;
	int status;

	pid = fork();
	if (pid < 0)
		return -errno;
	if (pid == 0) {
		execve("/bin/true", true_argv, empty_envp);
		_exit(127);
	}
	ctx->sc[SC_CLONE]++;
	ctx->sc[SC_EXECVE]++;
	ctx->sc[SC_PROCEXIT]++;
	if (waitpid(pid, &status, 0) < 0)
		return -errno;
	if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
		return -ECHILD;
	return 0;
}

/* connect mode: a listener on an ephemeral 127.0.0.1 port. */
static int connect_setup(struct wl_ctx *ctx, const struct wl_opts *o)
{
	socklen_t len = sizeof(ctx->addr);
	int one = 1;

	(void)o;
	ctx->lfd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	ctx->sc[SC_SOCKET]++;
	if (ctx->lfd < 0)
		return -errno;
	setsockopt(ctx->lfd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	ctx->addr.sin_family = AF_INET;
	ctx->addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	ctx->addr.sin_port = 0;
	if (bind(ctx->lfd, (struct sockaddr *)&ctx->addr, sizeof(ctx->addr)) < 0)
		return -errno;
	if (listen(ctx->lfd, 128) < 0)
		return -errno;
	if (getsockname(ctx->lfd, (struct sockaddr *)&ctx->addr, &len) < 0)
		return -errno;
	return 0;
}

/* The client closes first with SO_LINGER 0 (a reset) so that no connection
 * is left in TIME_WAIT: a long run would otherwise exhaust the ephemeral
 * ports. */
static int connect_op(struct wl_ctx *ctx)
{
	struct linger lg = { .l_onoff = 1, .l_linger = 0 };
	int c, a = -1, err = 0;

	c = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	ctx->sc[SC_SOCKET]++;
	if (c < 0)
		return -errno;
	setsockopt(c, SOL_SOCKET, SO_LINGER, &lg, sizeof(lg));
	ctx->sc[SC_CONNECT]++;
	if (connect(c, (struct sockaddr *)&ctx->addr, sizeof(ctx->addr)) < 0) {
		err = -errno;
		goto out_close_client;
	}
	a = accept4(ctx->lfd, NULL, NULL, SOCK_CLOEXEC);
	ctx->sc[SC_ACCEPT4]++;
	if (a < 0)
		err = -errno;
out_close_client:
	close(c);
	if (a >= 0)
		close(a);
	return err;
}

static void connect_teardown(struct wl_ctx *ctx)
{
	if (ctx->lfd >= 0)
		close(ctx->lfd);
}

/* read mode: the one open of /dev/zero is the only event it causes. */
static int read_setup(struct wl_ctx *ctx, const struct wl_opts *o)
{
	(void)o;
	snprintf(ctx->file, sizeof(ctx->file), "/dev/zero");
	ctx->files[ctx->nfiles++] = ctx->file;
	ctx->rfd = open(ctx->file, O_RDONLY | O_CLOEXEC);
	ctx->sc[SC_OPENAT]++;
	return ctx->rfd < 0 ? -errno : 0;
}

static int read_op(struct wl_ctx *ctx)
{
	char c;

	return read(ctx->rfd, &c, 1) == 1 ? 0 : -EIO;
}

static void read_teardown(struct wl_ctx *ctx)
{
	if (ctx->rfd >= 0)
		close(ctx->rfd);
}

static const struct wl_mode modes[] = {
	{ "open", { "openat" }, NULL, open_setup, open_op, open_teardown },
	{ "openmatch", { "openat" }, "/home", openmatch_setup, open_op, open_teardown },
	{ "exec", { "clone", "execve", "procexit" }, NULL, NULL, exec_op, NULL },
	{ "connect",
	  { "socket", "connect", "accept4" },
	  NULL,
	  connect_setup,
	  connect_op,
	  connect_teardown },
	{ "read", { "openat" }, NULL, read_setup, read_op, read_teardown },
};

static const struct wl_mode *find_mode(const char *name)
{
	size_t i;

	for (i = 0; i < sizeof(modes) / sizeof(modes[0]); i++) {
		if (strcmp(modes[i].name, name) == 0)
			return &modes[i];
	}
	return NULL;
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
	m = find_mode(o.mode);
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
