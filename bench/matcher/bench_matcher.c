// SPDX-License-Identifier: Apache-2.0
/*
 * Matcher benchmark: events/s and ns/event of the compiled matcher against
 * the naive AST walker (naive.c), same rules, same events, same run, one
 * core. Rules: the given files, by default Falco's three stock files.
 *
 *	bench_matcher [-n EVENTS] [-r RULES]... [-m both|compiled|naive]
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <arpa/inet.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "naive.h"

#define NEV 64

struct bev {
	struct vgl_event ev;
	char buf[1024];
	size_t used;
};

static struct bev evs[NEV];
static size_t nev;

static struct bev *ev_new(enum vgl_kind kind, const char *comm, int64_t res)
{
	struct bev *b = &evs[nev++];
	unsigned int i;

	memset(b, 0, sizeof(*b));
	b->ev.kind = kind;
	b->ev.info = &vgl_kind_info[kind];
	b->ev.nparams = vgl_kind_info[kind].nparams;
	b->ev.hdr.pid = b->ev.hdr.tid = 4242;
	b->ev.hdr.ppid = 1;
	b->ev.hdr.res = res;
	b->ev.hdr.uid = b->ev.hdr.euid = b->ev.hdr.loginuid = 1000;
	snprintf(b->ev.hdr.comm, sizeof(b->ev.hdr.comm), "%s", comm);
	for (i = 0; i < b->ev.nparams; i++) {
		b->ev.params[i].info = &vgl_kind_info[kind].params[i];
		b->ev.params[i].absent = true;
	}
	return b;
}

static struct vgl_param *param(struct bev *b, const char *name)
{
	struct vgl_param *p = &b->ev.params[vgl_param_index(b->ev.kind, name)];

	p->absent = false;
	return p;
}

/* String parameter; spaces separate argv words for ARGV parameters. */
static void str(struct bev *b, const char *name, const char *s)
{
	struct vgl_param *p = param(b, name);
	size_t i, n = strlen(s);

	memcpy(b->buf + b->used, s, n + 1);
	if (p->info->type == VGL_PT_ARGV) {
		for (i = 0; i < n; i++)
			b->buf[b->used + i] = s[i] == ' ' ? '\0' : s[i];
		n++;
	}
	p->str = b->buf + b->used;
	p->len = n;
	b->used += n + 1;
}

static void num(struct bev *b, const char *name, int64_t v)
{
	param(b, name)->num.i = v;
}

static void open_ev(const char *comm, const char *path, int64_t flags, int64_t res)
{
	struct bev *b = ev_new(VGL_EV_OPENAT, comm, res);

	num(b, "dirfd", -100);
	str(b, "name", path);
	str(b, "path", path);
	num(b, "flags", flags);
	num(b, "mode", 0644);
}

static void exec_ev(const char *comm, const char *exe, const char *argv)
{
	struct bev *b = ev_new(VGL_EV_EXECVE, comm, 0);

	str(b, "filename", exe);
	str(b, "exe", exe);
	str(b, "cwd", "/home/user/src");
	str(b, "args", argv);
}

static void conn_ev(const char *comm, const char *ip, uint16_t port)
{
	struct bev *b = ev_new(VGL_EV_CONNECT, comm, 0);
	struct vgl_param *p;

	num(b, "fd", 5);
	p = param(b, "addr");
	p->sa.family = AF_INET;
	p->sa.port = port;
	inet_pton(AF_INET, ip, p->sa.addr);
	p = param(b, "laddr");
	p->sa.family = AF_INET;
	p->sa.port = 40000;
	inet_pton(AF_INET, "192.168.1.10", p->sa.addr);
}

/* A day on a build host: mostly file opens, some execs and connections. */
static void build_mix(void)
{
	static const char *const reads[] = {
		"/usr/lib/x86_64-linux-gnu/libc.so.6",
		"/etc/ld.so.cache",
		"/proc/self/stat",
		"/usr/share/locale/locale.alias",
		"/home/user/src/main.c",
		"/sys/fs/cgroup/cpu.max",
		"/usr/include/stdio.h",
		"/etc/nsswitch.conf",
		"/dev/null",
		"/home/user/.cache/ccache/a/b",
		"/usr/lib/python3/dist-packages/x.py",
	};
	static const char *const writes[] = { "/tmp/cc1XyZ.s", "/home/user/src/build/main.o",
					      "/home/user/.bash_history.tmp", "/var/tmp/x" };
	size_t i;

	for (i = 0; i < sizeof(reads) / sizeof(reads[0]); i++) {
		open_ev("cc1", reads[i], O_RDONLY | O_CLOEXEC, 3);
		open_ev("make", reads[i], O_RDONLY, 4);
		open_ev("python3", reads[i], O_RDONLY, -2);
	}
	for (i = 0; i < sizeof(writes) / sizeof(writes[0]); i++)
		open_ev("cc1", writes[i], O_WRONLY | O_CREAT | O_TRUNC, 5);
	exec_ev("cc1", "/usr/lib/gcc/x86_64-linux-gnu/12/cc1", "cc1 -quiet main.c");
	exec_ev("git", "/usr/bin/git", "git status --porcelain");
	exec_ev("ls", "/usr/bin/ls", "ls -la");
	exec_ev("python3", "/usr/bin/python3.11", "python3 setup.py build");
	exec_ev("make", "/usr/bin/make", "make -j2");
	conn_ev("curl", "151.101.1.69", 443);
	conn_ev("python3", "10.0.0.5", 5432);
	conn_ev("git", "140.82.121.4", 22);
	ev_new(VGL_EV_PROCEXIT, "cc1", 0);
	ev_new(VGL_EV_CLONE, "make", 5000);
	num(ev_new(VGL_EV_SETUID, "sudo", 0), "uid", 0);
	str(ev_new(VGL_EV_UNLINKAT, "cc1", 0), "name", "/tmp/cc1XyZ.s");
	num(ev_new(VGL_EV_SOCKET, "curl", 5), "domain", AF_INET);
}

static const struct vgl_proc_view parent = {
	.pid = 1, .name = "bash", .exe = "bash", .exepath = "/usr/bin/bash", .tty = 34816
};
static const struct vgl_container_view host = { .id = "host" };

static const struct vgl_proc_view *st_proc(void *s, uint32_t pid)
{
	(void)s;
	return pid == 1 ? &parent : NULL;
}

static const struct vgl_container_view *st_ctr(void *s, uint64_t cg, uint32_t pid)
{
	(void)s;
	(void)cg;
	(void)pid;
	return &host;
}

static const char *st_user(void *s, uint32_t uid, uint32_t pid)
{
	(void)s;
	(void)pid;
	return uid ? "user" : "root";
}

static const struct vgl_field_state_ops ops = {
	.proc = st_proc,
	.container = st_ctr,
	.user_name = st_user,
};

static double now(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)t.tv_sec + (double)t.tv_nsec * 1e-9;
}

static double run_compiled(const struct vgl_ruleset *rs, size_t n, size_t *ret_matches)
{
	struct vgl_match_ctx *ctx = vgl_match_ctx_new(rs);
	size_t i, m = 0;
	double t0 = now();

	for (i = 0; i < n; i++)
		m += (size_t)vgl_ruleset_eval(rs, ctx, &evs[i % nev].ev, &ops, NULL, NULL, NULL);
	t0 = now() - t0;
	vgl_match_ctx_free(ctx);
	*ret_matches = m;
	return t0;
}

static double run_naive(const struct vgl_ruleset *rs, size_t n, size_t *ret_matches)
{
	struct naive *nv = naive_new(rs);
	size_t i, m = 0;
	double t0 = now();

	for (i = 0; i < n; i++)
		m += (size_t)naive_eval(nv, &evs[i % nev].ev, &ops, NULL);
	t0 = now() - t0;
	naive_free(nv);
	*ret_matches = m;
	return t0;
}

/* Bytes of the rule files, for the load rate. */
static size_t file_bytes(const char *const *files, size_t n)
{
	struct stat st;
	size_t sum = 0;

	for (size_t i = 0; i < n; i++)
		sum += stat(files[i], &st) ? 0 : (size_t)st.st_size;
	return sum;
}

int main(int argc, char **argv)
{
	const char *files[16] = { 0 };
	size_t nfiles = 0, n = 5000000, mc = 0, mn = 0, enabled = 0;
	const char *mode = "both";
	double tc = 1, tn = 1, tl;
	int err;
	struct vgl_ruleset *rs = NULL;
	struct vgl_diag d;
	cpu_set_t cpu;
	int i;

	for (i = 1; i + 1 < argc; i += 2) {
		if (!strcmp(argv[i], "-n"))
			n = strtoull(argv[i + 1], NULL, 10);
		else if (!strcmp(argv[i], "-r") && nfiles < 16)
			files[nfiles++] = argv[i + 1];
		else if (!strcmp(argv[i], "-m"))
			mode = argv[i + 1];
	}
	if (!nfiles) {
		files[nfiles++] = "../shared/compat/falco/falco_rules.yaml";
		files[nfiles++] = "../shared/compat/falco/falco-incubating_rules.yaml";
		files[nfiles++] = "../shared/compat/falco/falco-sandbox_rules.yaml";
	}
	CPU_ZERO(&cpu);
	CPU_SET(0, &cpu);
	sched_setaffinity(0, sizeof(cpu), &cpu);
	vgl_diag_init(&d);
	tl = now();
	err = vgl_ruleset_load(files, nfiles, NULL, &rs, &d);
	tl = now() - tl;
	if (err) {
		for (size_t k = 0; k < d.n; k++)
			fprintf(stderr, "%s:%u:%u: %s\n", d.v[k].file ? d.v[k].file : "",
				d.v[k].line, d.v[k].col, d.v[k].msg);
		return 1;
	}
	build_mix();
	if (strcmp(mode, "naive")) {
		run_compiled(rs, n / 10, &mc); /* warm up */
		tc = run_compiled(rs, n, &mc);
	}
	if (strcmp(mode, "compiled")) {
		tn = run_naive(rs, n / 20, &mn) * 20;
		mn *= 20;
	}
	for (size_t r = 0; r < vgl_ruleset_nrules(rs); r++)
		enabled += vgl_ruleset_rule(rs, r)->enabled;
	printf("rules: %zu enabled of %zu, event mix: %zu distinct events, %zu evaluations\n",
	       enabled, vgl_ruleset_nrules(rs), nev, n);
	printf("load:     %10.1f ms for %zu bytes of rules (%.1f MB/s)\n", tl * 1e3,
	       file_bytes(files, nfiles), (double)file_bytes(files, nfiles) / tl / 1e6);
	printf("compiled: %10.0f events/s %8.1f ns/event  (%zu matches)\n", (double)n / tc,
	       tc * 1e9 / (double)n, mc);
	printf("naive:    %10.0f events/s %8.1f ns/event  (%zu matches, extrapolated from %zu)\n",
	       (double)n / tn, tn * 1e9 / (double)n, mn, n / 20);
	printf("ratio:    %.1fx\n", tn / tc);
	vgl_ruleset_free(rs);
	vgl_diag_free(&d);
	return 0;
}
