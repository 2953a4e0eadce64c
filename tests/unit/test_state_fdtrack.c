// SPDX-License-Identifier: Apache-2.0
/*
 * IP sockets followed from events (state/fdtrack.h), seen as a user sees
 * them: `nc HOST PORT -e sh` does socket(), connect(), then dup2(sock, 0/1/2)
 * and is gone (no /proc/PID) when vigil evaluates the dup2. Synthetic records
 * go through the real pipeline and state tracker over a fixture /proc
 * (test_capture_procfix.h: 108 is a process in a Docker container);
 * Falco's stock rule "Redirect STDOUT/STDIN to Network Connection in
 * Container" must fire with the connection in its output, and not for a file
 * dup2'd onto stdout. Also: /proc wins when it shows the number reused as
 * something else, and the limits evict (and count) entries.
 */
#include <errno.h>
#include <limits.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "state/fdtrack.h"
#include "test_state_util.h"
#include "testutil.h"
/* after test_rules_util.h (in test_state_util.h): its globals would shadow locals there */
#include "test_capture_procfix.h"

#define UNUSED	__attribute__((unused))

#define NC	500  /* exited: not in the fixture /proc */
#define CTR	108  /* the fixture's process in a Docker container */
#define CTR_CG	7008 /* its cgroup id, as the events carry it */
#define HOST	700  /* a host process, exited too */
#define HOST_CG 7001

/* Where records go: a pipeline (rules evaluated), else a bare state. */
static struct trun *run;
static struct vgl_state *bare;

static const char dup_rules[] = "- rule: dupnet\n"
				"  desc: d\n"
				"  condition: evt.type in (dup, dup2, dup3)\n"
				"  output: \"%evt.type %fd.num %fd.typechar %fd.type %fd.name"
				" %fd.l4proto %fd.connected sip=%fd.sip sport=%fd.sport"
				" cip=%fd.cip cport=%fd.cport lip=%fd.lip rip=%fd.rip"
				" lport=%fd.lport rport=%fd.rport %fd.sockfamily\"\n"
				"  priority: NOTICE\n";

static int setup(void **state)
{
	procfix_setup(state);
	sh("mkdir -p %s/%d/fd", proc, CTR);
	return 0;
}

static void opts(struct vgl_state_opts *o)
{
	vgl_state_opts_default(o);
	o->proc_root = proc;
	o->roots = (struct vgl_runtime_roots){ docker, containerd, crio, NULL };
	o->scan_proc = false;
}

static uint64_t cgroup_of(uint32_t pid)
{
	return pid == NC || pid == CTR ? CTR_CG : HOST_CG;
}

static struct trec *rec(unsigned int kind, uint32_t pid, int64_t res)
{
	struct trec *t = trec_new(kind);

	t->hdr.pid = t->hdr.tid = pid;
	t->hdr.ppid = pid == NC ? CTR : 1; /* nc: the container's child */
	t->hdr.cgroup_id = cgroup_of(pid);
	t->hdr.res = res;
	memcpy(t->hdr.comm, "nc", 3);
	return t;
}

static void feed(struct trec *t)
{
	struct vgl_event ev;
	enum vgl_decode_err err;

	trec_finish(t);
	if (run) {
		vgl_pipeline_record(&run->p, t->rec, t->size);
	} else {
		assert_int_equal(vgl_decode(t->rec, t->size, &ev, &err), 0);
		vgl_state_update(bare, &ev);
	}
	free(t);
}

static void ev_socket(uint32_t pid, int64_t fd, int domain, int type)
{
	struct trec *t = rec(VGL_EV_SOCKET, pid, fd);

	trec_s64(t, domain);
	trec_s64(t, type);
	trec_s64(t, 0);
	feed(t);
}

static void sa(struct trec *t, const char *ip, uint16_t port)
{
	if (strchr(ip, ':'))
		trec_sa6(t, ip, port);
	else
		trec_sa4(t, ip, port);
}

/* connect (@lfd < 0) or accept4 on @lfd returning @fd, with the remote and local ends. */
static void ev_conn(uint32_t pid, int64_t lfd, int64_t fd, const char *rip, uint16_t rport,
		    const char *lip, uint16_t lport)
{
	struct trec *t = rec(lfd < 0 ? VGL_EV_CONNECT : VGL_EV_ACCEPT4, pid, lfd < 0 ? 0 : fd);

	trec_s64(t, lfd < 0 ? fd : lfd);
	sa(t, rip, rport);
	sa(t, lip, lport);
	if (lfd >= 0)
		trec_u64(t, 0);
	feed(t);
}

static void ev_dup2(uint32_t pid, int64_t oldfd, int64_t newfd)
{
	struct trec *t = rec(VGL_EV_DUP2, pid, newfd);

	trec_s64(t, oldfd);
	trec_s64(t, newfd);
	feed(t);
}

/*
 * A dup2 as vigil 4 records it: the new descriptor's socket as the kernel
 * has it (@type < 0: not an IP socket, all three absent).
 */
static void ev_dup2k(uint32_t pid, int64_t oldfd, int64_t newfd, const char *rip, uint16_t rport,
		     const char *lip, uint16_t lport, int type)
{
	struct trec *t = rec(VGL_EV_DUP2, pid, newfd);

	trec_s64(t, oldfd);
	trec_s64(t, newfd);
	if (type < 0) {
		trec_absent(t);
		trec_absent(t);
		trec_absent(t);
	} else {
		sa(t, rip, rport);
		sa(t, lip, lport);
		trec_u64(t, (uint64_t)type);
	}
	feed(t);
}

static void ev_open(uint32_t pid, const char *path, int64_t fd)
{
	struct trec *t = rec(VGL_EV_OPENAT, pid, fd);

	trec_s64(t, -100);
	trec_str(t, path);
	trec_str(t, path);
	trec_u64(t, 01101); /* O_WRONLY | O_CREAT | O_TRUNC */
	trec_u64(t, 0644);
	feed(t);
}

static void ev_fork(uint32_t parent, uint32_t child)
{
	struct trec *t = rec(VGL_EV_CLONE, parent, child);

	trec_s64(t, child);
	trec_s64(t, child);
	trec_u64(t, 17); /* SIGCHLD */
	feed(t);
}

static void ev_exit(uint32_t pid)
{
	struct trec *t = rec(VGL_EV_PROCEXIT, pid, 0);

	trec_s64(t, 0);
	trec_s64(t, 0);
	trec_s64(t, 0);
	trec_u64(t, 0);
	feed(t);
}

/* nc in the container: socket, connect, dup2 onto 0, 1, 2; then a file onto 1 (benign). */
static void nc_in_container(void)
{
	ev_fork(CTR, NC);
	ev_socket(NC, 3, AF_INET, SOCK_STREAM);
	ev_conn(NC, -1, 3, "10.0.0.9", 4444, "172.17.0.2", 40000);
}

/* trun_start() with a ruleset already loaded. */
static void start_with(struct trun *r, struct vgl_ruleset *rs)
{
	struct vgl_state_opts o;

	opts(&o);
	trun_start_rs(r, &o, rs);
	run = r;
}

static void stop(struct trun *r)
{
	trun_stop(r);
	run = NULL;
}

/* How many alerts of the stock rule the output holds. */
static int redirects(struct trun *r)
{
	const char *p = trun_alerts(r);
	int n = 0;

	while ((p = strstr(p, "Redirect stdout/stdin to network connection |"))) {
		n++;
		p++;
	}
	return n;
}

static void test_stock_rule_nc(void **state UNUSED)
{
	struct vgl_ruleset *rs = trun_load_stock("falco_rules.yaml", false);
	struct trun r;

	start_with(&r, rs);
	nc_in_container();
	assert_int_equal(redirects(&r), 0); /* socket and connect are not dups */
	ev_dup2(NC, 3, 0);
	assert_int_equal(redirects(&r), 1);
	assert_non_null(strstr(trun_alerts(&r),
			       " fd.sip=10.0.0.9 connection=172.17.0.2:40000->10.0.0.9:4444"
			       " lport=40000 rport=4444 fd_type=ipv4 fd_proto=tcp evt_type=dup2 "));
	/* busybox nc: dup2(0, 1) copies what 0 now is */
	ev_dup2(NC, 0, 1);
	assert_int_equal(redirects(&r), 2);
	/* benign: a file onto stdout (2>file style), in the same container */
	ev_open(NC, "/tmp/out.log", 5);
	ev_dup2(NC, 5, 2);
	assert_int_equal(redirects(&r), 2);
	/* stdout replaced by the file: no longer a socket */
	ev_dup2(NC, 5, 1);
	assert_int_equal(redirects(&r), 2);
	ev_exit(NC);
	stop(&r);
}

/* The fields a rule sees, on the host (no `container` macro), IPv4 and IPv6. */
static void test_dup_fields(void **state UNUSED)
{
	struct vgl_state_opts o;
	struct trun r;

	opts(&o);
	trun_start(&r, &o, dup_rules);
	run = &r;
	ev_socket(HOST, 3, AF_INET, SOCK_STREAM | SOCK_NONBLOCK);
	/* non-blocking: EINPROGRESS, the caller waits for the connection */
	{
		struct trec *t = rec(VGL_EV_CONNECT, HOST, -EINPROGRESS);

		trec_s64(t, 3);
		trec_sa4(t, "192.0.2.1", 443);
		trec_sa4(t, "10.1.1.1", 51000);
		feed(t);
	}
	ev_dup2(HOST, 3, 0);
	/* a server: an accepted IPv6 connection */
	ev_socket(HOST, 4, AF_INET6, SOCK_STREAM);
	ev_conn(HOST, 4, 6, "2001:db8::7", 40001, "2001:db8::1", 8080);
	ev_dup2(HOST, 6, 1);
	/* an untracked number (a pipe) gives <NA>, not the old socket */
	ev_dup2(HOST, 9, 1);
	assert_string_equal(
		trun_alerts(&r),
		"dup2 0 4 ipv4 10.1.1.1:51000->192.0.2.1:443 tcp true sip=192.0.2.1 sport=443"
		" cip=10.1.1.1 cport=51000 lip=10.1.1.1 rip=192.0.2.1 lport=51000 rport=443 ip|"
		/* accepted: the client (remote) end first, the local end is the server's */
		"dup2 1 6 ipv6 2001:db8::7:40001->2001:db8::1:8080 tcp true sip=2001:db8::1"
		" sport=8080 cip=2001:db8::7 cport=40001 lip=2001:db8::1 rip=2001:db8::7"
		" lport=8080 rport=40001 ip|"
		"dup2 1 <NA> <NA> <NA> <NA> <NA> sip=<NA> sport=<NA> cip=<NA> cport=<NA> lip=<NA>"
		" rip=<NA> lport=<NA> rport=<NA> <NA>");
	trun_stop(&r);
	run = NULL;
}

static const struct vgl_fd_view *fd_of(uint32_t pid, int64_t fd)
{
	return vgl_state_ops()->fd(bare, pid, fd);
}

/* A view that must exist: a failed assertion, not a crash, when it does not. */
static const struct vgl_fd_view *fd_must(uint32_t pid, int64_t fd)
{
	const struct vgl_fd_view *v = fd_of(pid, fd);

	assert_non_null(v);
	return v;
}

static void bare_start(void)
{
	struct vgl_state_opts o;

	opts(&o);
	bare = vgl_state_new(&o);
	assert_non_null(bare);
}

static void bare_stop(void)
{
	vgl_state_free(bare);
	bare = NULL;
}

/*
 * The container's process 108 still runs: where /proc shows a socket the
 * tracked entry answers (it knows both ends); where it shows a file (the
 * number reused by calls vigil does not capture), /proc answers.
 */
static void test_proc_wins_when_reused(void **state UNUSED)
{
	const struct vgl_fd_view *v;
	uint64_t version;

	bare_start();
	sh("ln -sfn 'socket:[4242]' %s/%d/fd/3 && ln -sfn /var/log/app.log %s/%d/fd/0", proc, CTR,
	   proc, CTR);
	ev_socket(CTR, 3, AF_INET, SOCK_STREAM);
	ev_conn(CTR, -1, 3, "10.0.0.9", 4444, "172.17.0.2", 40000);
	ev_dup2(CTR, 3, 0);
	v = fd_of(CTR, 3);
	assert_non_null(v);
	assert_int_equal(v->typechar, '4');
	assert_string_equal(v->name, "172.17.0.2:40000->10.0.0.9:4444");
	version = v->version;
	assert_true(version != 0);
	v = fd_of(CTR, 0);
	assert_non_null(v);
	assert_int_equal(v->typechar, 'f');
	assert_string_equal(v->name, "/var/log/app.log");
	assert_true(v->version != version);
	/* a change of the entry is a new version (a capture writes it again) */
	ev_conn(CTR, -1, 3, "10.0.0.10", 80, "172.17.0.2", 40002);
	v = fd_of(CTR, 3);
	assert_string_equal(v->name, "172.17.0.2:40002->10.0.0.10:80");
	assert_true(v->version != version);
	sh("rm %s/%d/fd/3 %s/%d/fd/0", proc, CTR, proc, CTR);
	/* closed in /proc, but not seen closed: the tracked entry answers */
	assert_int_equal(fd_must(CTR, 0)->typechar, '4');
	bare_stop();
}

/* What replaces, copies and drops entries: open, socket(AF_UNIX), fork, exec, exit. */
static void test_lifecycle(void **state UNUSED)
{
	struct vgl_state_stats s;
	struct trec *t;

	bare_start();
	ev_socket(HOST, 3, AF_INET, SOCK_STREAM);
	ev_socket(HOST, 4, AF_INET6, SOCK_DGRAM | SOCK_CLOEXEC);
	assert_string_equal(fd_must(HOST, 4)->l4proto, "udp");
	assert_null(fd_must(HOST, 4)->name); /* not bound nor connected yet */
	ev_socket(HOST, 5, AF_INET, SOCK_STREAM);
	ev_open(HOST, "/etc/hosts", 5); /* closed (not seen) and reused */
	assert_null(fd_of(HOST, 5));
	ev_socket(HOST, 3, AF_UNIX, SOCK_STREAM);
	assert_null(fd_of(HOST, 3));
	ev_socket(HOST, 3, AF_INET, SOCK_STREAM);
	ev_fork(HOST, HOST + 1);
	assert_int_equal(fd_must(HOST + 1, 3)->typechar, '4');
	assert_int_equal(fd_must(HOST + 1, 4)->typechar, '6');
	/* exec keeps descriptors but those opened close-on-exec */
	t = rec(VGL_EV_EXECVE, HOST + 1, 0);
	trec_str(t, "/bin/sh");
	trec_argv(t, (const char *const[]){ "sh", NULL });
	trec_str(t, "/bin/sh");
	trec_str(t, "/");
	feed(t);
	assert_non_null(fd_of(HOST + 1, 3));
	assert_null(fd_of(HOST + 1, 4));
	vgl_state_stats(bare, &s);
	assert_int_equal(s.fds.tracked, 3);
	ev_exit(HOST + 1);
	ev_exit(HOST);
	assert_null(fd_of(HOST, 3));
	vgl_state_stats(bare, &s);
	assert_int_equal(s.fds.tracked, 0);
	assert_int_equal(s.fds.tracked_evictions, 0);
	bare_stop();
}

/* Per process and in total, the oldest go first, counted. */
static void test_eviction(void **state UNUSED)
{
	struct vgl_state_stats s;
	uint32_t pid;
	int fd;

	bare_start();
	for (fd = 3; fd < 3 + VGL_FDTRACK_PER_PROC + 4; fd++)
		ev_socket(HOST, fd, AF_INET, SOCK_STREAM);
	vgl_state_stats(bare, &s);
	assert_int_equal(s.fds.tracked, VGL_FDTRACK_PER_PROC);
	assert_int_equal(s.fds.tracked_evictions, 4);
	assert_true(s.fds.evictions >= 4); /* the metric vigil already reports */
	assert_null(fd_of(HOST, 3));
	assert_null(fd_of(HOST, 6));
	assert_non_null(fd_of(HOST, 7));
	assert_non_null(fd_of(HOST, 2 + VGL_FDTRACK_PER_PROC + 4));
	/* in total: the least recently used processes lose theirs */
	for (pid = 10000; pid < 10000 + VGL_FDTRACK_DEFAULT / 8 + 8; pid++) {
		for (fd = 0; fd < 8; fd++)
			ev_socket(pid, fd, AF_INET, SOCK_STREAM);
	}
	vgl_state_stats(bare, &s);
	assert_int_equal(s.fds.tracked, VGL_FDTRACK_DEFAULT);
	assert_int_equal(s.fds.tracked_evictions, 4 + 8 * 8 + VGL_FDTRACK_PER_PROC);
	assert_null(fd_of(HOST, 7));
	assert_null(fd_of(10000, 0));
	assert_non_null(fd_of(pid - 1, 7));
	bare_stop();
}

/*
 * A dup record that describes its socket needs none of the socket's own
 * calls: `nc -e sh` (connected), `nc -l -e sh` (accepted: the lower port is
 * the server's), a bound UDP socket; a tracked oldfd that the kernel says is
 * no IP socket any more is forgotten; a tracked accept keeps its roles even
 * against the port order.
 */
static void test_dup_from_kernel(void **state UNUSED)
{
	struct vgl_state_opts o;
	struct trun r;

	opts(&o);
	trun_start(&r, &o, dup_rules);
	run = &r;
	ev_dup2k(HOST, 3, 0, "192.0.2.1", 443, "10.1.1.1", 51000, SOCK_STREAM);
	ev_dup2k(HOST, 6, 1, "2001:db8::7", 40001, "2001:db8::1", 8080, SOCK_STREAM);
	ev_dup2k(HOST, 7, 2, "0.0.0.0", 0, "0.0.0.0", 5353, SOCK_DGRAM);
	ev_socket(HOST, 8, AF_INET, SOCK_STREAM);
	ev_conn(HOST, -1, 8, "10.0.0.9", 4444, "10.0.0.1", 40000);
	ev_dup2k(HOST, 8, 2, NULL, 0, NULL, 0, -1);
	ev_socket(HOST, 4, AF_INET, SOCK_STREAM);
	ev_conn(HOST, 4, 9, "10.0.0.9", 1023, "10.0.0.1", 50000);
	ev_dup2k(HOST, 9, 0, "10.0.0.9", 1023, "10.0.0.1", 50000, SOCK_STREAM);
	assert_string_equal(
		trun_alerts(&r),
		"dup2 0 4 ipv4 10.1.1.1:51000->192.0.2.1:443 tcp true sip=192.0.2.1 sport=443"
		" cip=10.1.1.1 cport=51000 lip=10.1.1.1 rip=192.0.2.1 lport=51000 rport=443 ip|"
		"dup2 1 6 ipv6 2001:db8::7:40001->2001:db8::1:8080 tcp true sip=2001:db8::1"
		" sport=8080 cip=2001:db8::7 cport=40001 lip=2001:db8::1 rip=2001:db8::7"
		" lport=8080 rport=40001 ip|"
		"dup2 2 4 ipv4 0.0.0.0:5353 udp false sip=0.0.0.0 sport=5353 cip=<NA> cport=<NA>"
		" lip=0.0.0.0 rip=<NA> lport=5353 rport=<NA> ip|"
		"dup2 2 <NA> <NA> <NA> <NA> <NA> sip=<NA> sport=<NA> cip=<NA> cport=<NA> lip=<NA>"
		" rip=<NA> lport=<NA> rport=<NA> <NA>|"
		"dup2 0 4 ipv4 10.0.0.9:1023->10.0.0.1:50000 tcp true sip=10.0.0.1 sport=50000"
		" cip=10.0.0.9 cport=1023 lip=10.0.0.1 rip=10.0.0.9 lport=50000 rport=1023 ip");
	trun_stop(&r);
	run = NULL;
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_stock_rule_nc),
		cmocka_unit_test(test_dup_fields),
		cmocka_unit_test(test_proc_wins_when_reused),
		cmocka_unit_test(test_lifecycle),
		cmocka_unit_test(test_eviction),
		cmocka_unit_test(test_dup_from_kernel),
	};

	return cmocka_run_group_tests(tests, setup, procfix_teardown);
}
