// SPDX-License-Identifier: Apache-2.0
/*
 * Network: connect (IPv4, refused, IPv6, unix socket), accept/accept4, bind,
 * listen, socket (AF_PACKET and flags), sendto/recvfrom and sendmsg/recvmsg
 * with addresses, all on loopback.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <linux/if_ether.h>
#include <linux/netlink.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/un.h>

#include "harness.h"

struct net_ctx {
	char dir[PATH_MAX];
	char sun_path[108];
	int family;
	long fd[4];  /* sockets, in the order each test documents */
	long res[4]; /* results of the calls under test */
	int port[4]; /* local ports of fd[i] */
};

static struct net_ctx *ctx_new(void)
{
	struct net_ctx *c = vh_shared(sizeof(*c));

	vh_tmpdir(c->dir, sizeof(c->dir));
	return c;
}

/* Loopback address of @family with @port. */
static socklen_t loopback(int family, int port, struct sockaddr_storage *ss)
{
	memset(ss, 0, sizeof(*ss));
	if (family == AF_INET6) {
		struct sockaddr_in6 *a = (struct sockaddr_in6 *)ss;

		a->sin6_family = AF_INET6;
		a->sin6_port = htons((uint16_t)port);
		a->sin6_addr = in6addr_loopback;
		return sizeof(*a);
	}
	struct sockaddr_in *a = (struct sockaddr_in *)ss;

	a->sin_family = AF_INET;
	a->sin_port = htons((uint16_t)port);
	a->sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	return sizeof(*a);
}

static int local_port(int fd)
{
	struct sockaddr_storage ss;
	socklen_t len = sizeof(ss);

	VH_CHECK(getsockname(fd, (struct sockaddr *)&ss, &len) == 0);
	if (ss.ss_family == AF_INET6)
		return ntohs(((struct sockaddr_in6 *)&ss)->sin6_port);
	return ntohs(((struct sockaddr_in *)&ss)->sin_port);
}

/* A socket of @type bound to loopback port @port (0: any); returns the fd. */
static int bound(int family, int type, int port)
{
	struct sockaddr_storage ss;
	socklen_t len = loopback(family, port, &ss);
	int fd = socket(family, type, 0);

	VH_CHECK(fd >= 0);
	VH_CHECK(bind(fd, (struct sockaddr *)&ss, len) == 0);
	return fd;
}

static long do_connect(int fd, int family, int port)
{
	struct sockaddr_storage ss;
	socklen_t len = loopback(family, port, &ss);
	long r = syscall(SYS_connect, fd, (struct sockaddr *)&ss, len);

	return r < 0 ? -errno : r;
}

static const char *loopback_ip(int family)
{
	return family == AF_INET6 ? "::1" : "127.0.0.1";
}

static const char *family_name(int family)
{
	return family == AF_INET6 ? "AF_INET6" : "AF_INET";
}

#define NET_HDR(ev, pid_, comm_) vh_assert_hdr(ev, .pid = (pid_), .ppid = getpid(), .comm = (comm_))

/* --- connect to a listener: fd[0] listener, fd[1] client ------------------- */

static void act_connect(void *arg)
{
	struct net_ctx *c = arg;

	c->fd[0] = bound(c->family, SOCK_STREAM, 0);
	VH_CHECK(listen((int)c->fd[0], 4) == 0);
	c->port[0] = local_port((int)c->fd[0]);
	c->fd[1] = socket(c->family, SOCK_STREAM, 0);
	VH_CHECK(c->fd[1] >= 0);
	c->res[1] = do_connect((int)c->fd[1], c->family, c->port[0]);
	VH_CHECK(c->res[1] == 0);
	c->port[1] = local_port((int)c->fd[1]);
}

static void check_connect(int family, const char *comm)
{
	struct vh_run *run = vh_start("connect");
	struct net_ctx *c = ctx_new();
	const char *ip = loopback_ip(family), *fam = family_name(family);
	pid_t pid;
	json_t *ev;

	c->family = family;
	pid = vh_spawn(comm, act_connect, c, NULL);
	vh_stop(run);
	ev = vh_expect_arg_int(run, "connect", pid, "fd", c->fd[1]);
	NET_HDR(ev, pid, comm);
	vh_assert_res(ev, 0);
	vh_assert_arg_inet(ev, "addr", fam, ip, c->port[0]);
	vh_assert_arg_inet(ev, "laddr", fam, ip, c->port[1]);
	vh_assert_user_args(run, ev, "connect address");
	vh_shared_free(c, sizeof(*c));
}

static void test_connect_inet(void **state)
{
	(void)state;
	check_connect(AF_INET, "vgl-connect4");
}

static void test_connect_inet6(void **state)
{
	(void)state;
	check_connect(AF_INET6, "vgl-connect6");
}

/* --- an IPv6 socket to an IPv4-mapped address: fd[0] IPv4 listener -------- */

static void act_connect_mapped(void *arg)
{
	struct net_ctx *c = arg;
	struct sockaddr_in6 a = { .sin6_family = AF_INET6 };

	c->fd[0] = bound(AF_INET, SOCK_STREAM, 0);
	VH_CHECK(listen((int)c->fd[0], 4) == 0);
	c->port[0] = local_port((int)c->fd[0]);
	VH_CHECK(inet_pton(AF_INET6, "::ffff:127.0.0.1", &a.sin6_addr) == 1);
	a.sin6_port = htons((uint16_t)c->port[0]);
	c->fd[1] = socket(AF_INET6, SOCK_STREAM, 0);
	VH_CHECK(c->fd[1] >= 0);
	VH_CHECK(syscall(SYS_connect, (int)c->fd[1], &a, sizeof(a)) == 0);
	c->port[1] = local_port((int)c->fd[1]);
}

static void test_connect_v4mapped(void **state)
{
	struct vh_run *run = vh_start("connect");
	struct net_ctx *c = ctx_new();
	pid_t pid = vh_spawn("vgl-connectm", act_connect_mapped, c, NULL);
	json_t *ev;

	(void)state;
	vh_stop(run);
	ev = vh_expect_arg_int(run, "connect", pid, "fd", c->fd[1]);
	NET_HDR(ev, pid, "vgl-connectm");
	vh_assert_res(ev, 0);
	vh_assert_arg_inet(ev, "addr", "AF_INET6", "::ffff:127.0.0.1", c->port[0]);
	vh_assert_arg_inet(ev, "laddr", "AF_INET6", "::ffff:127.0.0.1", c->port[1]);
	vh_shared_free(c, sizeof(*c));
}

/* --- connect refused: fd[0] bound but not listening, fd[1] client ---------- */

static void act_refused(void *arg)
{
	struct net_ctx *c = arg;

	c->fd[0] = bound(AF_INET, SOCK_STREAM, 0);
	c->port[0] = local_port((int)c->fd[0]);
	c->fd[1] = socket(AF_INET, SOCK_STREAM, 0);
	VH_CHECK(c->fd[1] >= 0);
	c->res[1] = do_connect((int)c->fd[1], AF_INET, c->port[0]);
	VH_CHECK(c->res[1] == -ECONNREFUSED);
}

static void test_connect_refused(void **state)
{
	struct vh_run *run = vh_start("connect");
	struct net_ctx *c = ctx_new();
	pid_t pid = vh_spawn("vgl-refused", act_refused, c, NULL);
	json_t *ev;

	(void)state;
	vh_stop(run);
	ev = vh_expect_arg_int(run, "connect", pid, "fd", c->fd[1]);
	NET_HDR(ev, pid, "vgl-refused");
	vh_assert_res(ev, -ECONNREFUSED);
	vh_assert_arg_inet(ev, "addr", "AF_INET", "127.0.0.1", c->port[0]);
	vh_shared_free(c, sizeof(*c));
}

/* --- connect to a unix socket: fd[0] listener, fd[1] client ---------------- */

static void act_connect_unix(void *arg)
{
	struct net_ctx *c = arg;
	struct sockaddr_un sun = { .sun_family = AF_UNIX };

	memcpy(sun.sun_path, c->sun_path, sizeof(sun.sun_path));
	c->fd[0] = socket(AF_UNIX, SOCK_STREAM, 0);
	VH_CHECK(c->fd[0] >= 0);
	VH_CHECK(bind((int)c->fd[0], (struct sockaddr *)&sun, sizeof(sun)) == 0);
	VH_CHECK(listen((int)c->fd[0], 4) == 0);
	c->fd[1] = socket(AF_UNIX, SOCK_STREAM, 0);
	VH_CHECK(c->fd[1] >= 0);
	c->res[1] = syscall(SYS_connect, (int)c->fd[1], (struct sockaddr *)&sun, sizeof(sun));
	VH_CHECK(c->res[1] == 0);
}

static void test_connect_unix(void **state)
{
	struct vh_run *run = vh_start("connect,bind");
	struct net_ctx *c = ctx_new();
	pid_t pid;
	json_t *ev;

	(void)state;
	assert_true(strlen(c->dir) + sizeof("/vgl.sock") <= sizeof(c->sun_path));
	snprintf(c->sun_path, sizeof(c->sun_path), "%.90s/vgl.sock", c->dir);
	pid = vh_spawn("vgl-connectu", act_connect_unix, c, NULL);
	vh_stop(run);
	ev = vh_expect_arg_int(run, "connect", pid, "fd", c->fd[1]);
	NET_HDR(ev, pid, "vgl-connectu");
	vh_assert_res(ev, 0);
	vh_assert_arg_unix(ev, "addr", c->sun_path);

	ev = vh_expect_arg_int(run, "bind", pid, "fd", c->fd[0]);
	NET_HDR(ev, pid, "vgl-connectu");
	vh_assert_res(ev, 0);
	vh_assert_arg_unix(ev, "addr", c->sun_path);
	vh_shared_free(c, sizeof(*c));
}

/*
 * --- an abstract unix socket (printed "@name"): fd[0] listener, fd[1]
 * client; and a connect whose address cannot be read (EFAULT): fd[2].
 */

static void act_connect_abstract(void *arg)
{
	struct net_ctx *c = arg;
	struct sockaddr_un sun = { .sun_family = AF_UNIX };
	socklen_t len;

	snprintf(sun.sun_path + 1, sizeof(sun.sun_path) - 1, "vgl-%d", (int)getpid());
	len = (socklen_t)(offsetof(struct sockaddr_un, sun_path) + 1 + strlen(sun.sun_path + 1));
	c->fd[0] = socket(AF_UNIX, SOCK_STREAM, 0);
	VH_CHECK(c->fd[0] >= 0);
	VH_CHECK(bind((int)c->fd[0], (struct sockaddr *)&sun, len) == 0);
	VH_CHECK(listen((int)c->fd[0], 4) == 0);
	c->fd[1] = socket(AF_UNIX, SOCK_STREAM, 0);
	VH_CHECK(c->fd[1] >= 0);
	VH_CHECK(syscall(SYS_connect, (int)c->fd[1], (struct sockaddr *)&sun, len) == 0);
	c->fd[2] = socket(AF_INET, SOCK_STREAM, 0);
	VH_CHECK(c->fd[2] >= 0);
	c->res[2] = syscall(SYS_connect, (int)c->fd[2], (void *)1, sizeof(struct sockaddr_in));
	VH_CHECK(c->res[2] == -1 && errno == EFAULT);
}

static void test_connect_abstract_efault(void **state)
{
	struct vh_run *run = vh_start("connect");
	struct net_ctx *c = ctx_new();
	char want[64];
	pid_t pid;
	json_t *ev;

	(void)state;
	pid = vh_spawn("vgl-connecta", act_connect_abstract, c, NULL);
	vh_stop(run);
	snprintf(want, sizeof(want), "@vgl-%d", (int)pid);
	ev = vh_expect_arg_int(run, "connect", pid, "fd", c->fd[1]);
	NET_HDR(ev, pid, "vgl-connecta");
	vh_assert_res(ev, 0);
	vh_assert_arg_unix(ev, "addr", want);

	/* Unreadable: null, not a made-up address. */
	ev = vh_expect_arg_int(run, "connect", pid, "fd", c->fd[2]);
	vh_assert_res(ev, -EFAULT);
	vh_assert_arg_null(ev, "addr");
	vh_shared_free(c, sizeof(*c));
}

/*
 * --- accept and accept4: fd[0] listener, fd[1] and fd[2] clients, then
 * res[1] = accept(fd[0]) and res[2] = accept4(fd[0], SOCK_CLOEXEC); then
 * the client fd[1] and the accepted res[1] dup3'd to 200 and 201: a dup
 * describes its socket (both ends, the type) as the kernel has it.
 */

static void act_accept(void *arg)
{
	struct net_ctx *c = arg;

	c->fd[0] = bound(AF_INET, SOCK_STREAM, 0);
	VH_CHECK(listen((int)c->fd[0], 4) == 0);
	c->port[0] = local_port((int)c->fd[0]);
	for (int i = 1; i <= 2; i++) {
		c->fd[i] = socket(AF_INET, SOCK_STREAM, 0);
		VH_CHECK(c->fd[i] >= 0);
		VH_CHECK(do_connect((int)c->fd[i], AF_INET, c->port[0]) == 0);
		c->port[i] = local_port((int)c->fd[i]);
	}
	c->res[1] = syscall(SYS_accept, (int)c->fd[0], NULL, NULL);
	VH_CHECK(c->res[1] >= 0);
	c->res[2] = syscall(SYS_accept4, (int)c->fd[0], NULL, NULL, SOCK_CLOEXEC);
	VH_CHECK(c->res[2] >= 0);
	VH_CHECK(syscall(SYS_dup3, (int)c->fd[1], 200, 0) == 200);
	VH_CHECK(syscall(SYS_dup3, (int)c->res[1], 201, O_CLOEXEC) == 201);
}

static void test_accept(void **state)
{
	struct vh_run *run = vh_start("accept,accept4,dup3");
	struct net_ctx *c = ctx_new();
	pid_t pid = vh_spawn("vgl-accept", act_accept, c, NULL);
	json_t *ev;

	(void)state;
	vh_stop(run);
	ev = vh_expect(run, "accept", pid, NULL, NULL);
	NET_HDR(ev, pid, "vgl-accept");
	vh_assert_res(ev, c->res[1]);
	vh_assert_arg_int(ev, "fd", c->res[1]);
	vh_assert_arg_inet(ev, "addr", "AF_INET", "127.0.0.1", c->port[1]);
	vh_assert_arg_inet(ev, "laddr", "AF_INET", "127.0.0.1", c->port[0]);

	ev = vh_expect(run, "accept4", pid, NULL, NULL);
	NET_HDR(ev, pid, "vgl-accept");
	vh_assert_res(ev, c->res[2]);
	vh_assert_arg_int(ev, "fd", c->res[2]);
	vh_assert_arg_inet(ev, "addr", "AF_INET", "127.0.0.1", c->port[2]);
	vh_assert_arg_inet(ev, "laddr", "AF_INET", "127.0.0.1", c->port[0]);
	/* An OFLAGS parameter: open flags always start with the access mode. */
	vh_assert_arg_flags(ev, "flags", "O_RDONLY|O_CLOEXEC");

	ev = vh_expect_arg_int(run, "dup3", pid, "newfd", 200);
	vh_assert_res(ev, 200);
	vh_assert_arg_inet(ev, "addr", "AF_INET", "127.0.0.1", c->port[0]);
	vh_assert_arg_inet(ev, "laddr", "AF_INET", "127.0.0.1", c->port[1]);
	vh_assert_arg_str(ev, "type", "SOCK_STREAM");
	ev = vh_expect_arg_int(run, "dup3", pid, "newfd", 201);
	vh_assert_arg_inet(ev, "addr", "AF_INET", "127.0.0.1", c->port[1]);
	vh_assert_arg_inet(ev, "laddr", "AF_INET", "127.0.0.1", c->port[0]);
	vh_assert_arg_str(ev, "type", "SOCK_STREAM");
	vh_shared_free(c, sizeof(*c));
}

/* --- bind to a chosen port, then listen(fd, 17): fd[0], port[0] ------------ */

static void act_bind_listen(void *arg)
{
	struct net_ctx *c = arg;
	struct sockaddr_storage ss;
	socklen_t len;
	int probe = bound(AF_INET, SOCK_STREAM, 0), one = 1;

	c->port[0] = local_port(probe); /* a port that was free a moment ago */
	len = loopback(AF_INET, c->port[0], &ss);
	c->fd[0] = socket(AF_INET, SOCK_STREAM, 0); /* before close: another fd number */
	VH_CHECK(c->fd[0] >= 0);
	close(probe);
	VH_CHECK(setsockopt((int)c->fd[0], SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)) == 0);
	VH_CHECK(syscall(SYS_bind, (int)c->fd[0], (struct sockaddr *)&ss, len) == 0);
	VH_CHECK(syscall(SYS_listen, (int)c->fd[0], 17) == 0);

	struct sockaddr_nl snl = { .nl_family = AF_NETLINK };

	c->fd[1] = socket(AF_NETLINK, SOCK_RAW, NETLINK_ROUTE);
	VH_CHECK(c->fd[1] >= 0);
	VH_CHECK(syscall(SYS_bind, (int)c->fd[1], (struct sockaddr *)&snl, sizeof(snl)) == 0);
}

static bool is_netlink_bind(const json_t *ev, const void *arg)
{
	const json_t *addr = json_object_get(json_object_get(ev, "args"), "addr");
	const char *fam = json_string_value(json_object_get(addr, "family"));

	(void)arg;
	return fam && strcmp(fam, "AF_NETLINK") == 0;
}

static void test_bind_listen(void **state)
{
	struct vh_run *run = vh_start("bind,listen");
	struct net_ctx *c = ctx_new();
	pid_t pid = vh_spawn("vgl-bind", act_bind_listen, c, NULL);
	json_t *ev;

	(void)state;
	vh_stop(run);
	ev = vh_expect_arg_int(run, "bind", pid, "fd", c->fd[0]);
	NET_HDR(ev, pid, "vgl-bind");
	vh_assert_res(ev, 0);
	vh_assert_arg_inet(ev, "addr", "AF_INET", "127.0.0.1", c->port[0]);
	vh_assert_user_args(run, ev, "bind address");

	ev = vh_expect_arg_int(run, "listen", pid, "fd", c->fd[0]);
	NET_HDR(ev, pid, "vgl-bind");
	vh_assert_res(ev, 0);
	vh_assert_arg_int(ev, "backlog", 17);
	vh_assert_arg_inet(ev, "laddr", "AF_INET", "127.0.0.1", c->port[0]);

	ev = vh_expect(run, "bind", pid, is_netlink_bind, NULL);
	vh_assert_res(ev, 0);
	vh_assert_arg_int(ev, "fd", c->fd[1]);
	vh_shared_free(c, sizeof(*c));
}

/*
 * --- socket(): res[0] AF_PACKET raw, res[1] IPv6 UDP with flags, res[2] an
 * unsupported protocol (fails).
 */

static void act_socket(void *arg)
{
	struct net_ctx *c = arg;

	c->res[0] = syscall(SYS_socket, AF_PACKET, SOCK_RAW, htons(ETH_P_ALL));
	VH_CHECK(c->res[0] >= 0);
	c->res[1] = syscall(SYS_socket, AF_INET6, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC,
			    IPPROTO_UDP);
	VH_CHECK(c->res[1] >= 0);
	c->res[2] = syscall(SYS_socket, AF_INET, SOCK_STREAM, 9999);
	VH_CHECK(c->res[2] == -1);
	c->res[2] = -errno;
}

static void test_socket(void **state)
{
	struct vh_run *run = vh_start("socket");
	struct net_ctx *c = ctx_new();
	pid_t pid = vh_spawn("vgl-socket", act_socket, c, NULL);
	json_t *ev;

	(void)state;
	vh_stop(run);
	ev = vh_expect_arg_str(run, "socket", pid, "domain", "AF_PACKET");
	NET_HDR(ev, pid, "vgl-socket");
	vh_assert_res(ev, c->res[0]);
	vh_assert_arg_flags(ev, "type", "SOCK_RAW");
	vh_assert_arg_int(ev, "proto", htons(ETH_P_ALL));

	ev = vh_expect_arg_str(run, "socket", pid, "domain", "AF_INET6");
	vh_assert_res(ev, c->res[1]);
	vh_assert_arg_flags(ev, "type", "SOCK_DGRAM|SOCK_NONBLOCK|SOCK_CLOEXEC");
	vh_assert_arg_int(ev, "proto", IPPROTO_UDP);

	ev = vh_expect_arg_int(run, "socket", pid, "proto", 9999);
	vh_assert_res(ev, c->res[2]);
	vh_assert_arg_str(ev, "domain", "AF_INET");
	vh_assert_arg_flags(ev, "type", "SOCK_STREAM");
	vh_shared_free(c, sizeof(*c));
}

/*
 * --- UDP datagrams with addresses: fd[0] sends 5 bytes to fd[1], which
 * receives them; res[0] and res[1] are the two results.
 */

static void act_sendto(void *arg)
{
	struct net_ctx *c = arg;
	struct sockaddr_storage dst, src;
	socklen_t dlen, slen = sizeof(src);
	char buf[5];

	c->fd[0] = bound(AF_INET, SOCK_DGRAM, 0);
	c->fd[1] = bound(AF_INET, SOCK_DGRAM, 0);
	c->port[0] = local_port((int)c->fd[0]);
	c->port[1] = local_port((int)c->fd[1]);
	dlen = loopback(AF_INET, c->port[1], &dst);
	c->res[0] = syscall(SYS_sendto, (int)c->fd[0], "hello", 5, 0, &dst, dlen);
	VH_CHECK(c->res[0] == 5);
	c->res[1] = syscall(SYS_recvfrom, (int)c->fd[1], buf, sizeof(buf), 0, &src, &slen);
	VH_CHECK(c->res[1] == 5);
}

static void test_sendto_recvfrom(void **state)
{
	struct vh_run *run = vh_start("sendto,recvfrom");
	struct net_ctx *c = ctx_new();
	pid_t pid = vh_spawn("vgl-sendto", act_sendto, c, NULL);
	json_t *ev;

	(void)state;
	vh_stop(run);
	ev = vh_expect_arg_int(run, "sendto", pid, "fd", c->fd[0]);
	NET_HDR(ev, pid, "vgl-sendto");
	vh_assert_res(ev, 5);
	vh_assert_arg_int(ev, "size", 5);
	vh_assert_arg_inet(ev, "addr", "AF_INET", "127.0.0.1", c->port[1]);

	ev = vh_expect_arg_int(run, "recvfrom", pid, "fd", c->fd[1]);
	NET_HDR(ev, pid, "vgl-sendto");
	vh_assert_res(ev, 5);
	vh_assert_arg_int(ev, "size", 5);
	vh_assert_arg_inet(ev, "addr", "AF_INET", "127.0.0.1", c->port[0]);
	vh_shared_free(c, sizeof(*c));
}

static void act_sendmsg(void *arg)
{
	struct net_ctx *c = arg;
	struct sockaddr_storage dst, src;
	char buf[5];
	struct iovec out[2] = { { "hel", 3 }, { "lo", 2 } }, in = { buf, sizeof(buf) };
	struct msghdr m = { .msg_name = &dst, .msg_iov = out, .msg_iovlen = 2 };

	c->fd[0] = bound(AF_INET, SOCK_DGRAM, 0);
	c->fd[1] = bound(AF_INET, SOCK_DGRAM, 0);
	c->port[0] = local_port((int)c->fd[0]);
	c->port[1] = local_port((int)c->fd[1]);
	m.msg_namelen = loopback(AF_INET, c->port[1], &dst);
	c->res[0] = syscall(SYS_sendmsg, (int)c->fd[0], &m, 0);
	VH_CHECK(c->res[0] == 5);
	m = (struct msghdr){
		.msg_name = &src, .msg_namelen = sizeof(src), .msg_iov = &in, .msg_iovlen = 1
	};
	c->res[1] = syscall(SYS_recvmsg, (int)c->fd[1], &m, 0);
	VH_CHECK(c->res[1] == 5);
}

static void test_sendmsg_recvmsg(void **state)
{
	struct vh_run *run = vh_start("sendmsg,recvmsg");
	struct net_ctx *c = ctx_new();
	pid_t pid = vh_spawn("vgl-sendmsg", act_sendmsg, c, NULL);
	json_t *ev;

	(void)state;
	vh_stop(run);
	ev = vh_expect_arg_int(run, "sendmsg", pid, "fd", c->fd[0]);
	NET_HDR(ev, pid, "vgl-sendmsg");
	vh_assert_res(ev, 5);
	vh_assert_arg_int(ev, "size", 5);
	vh_assert_arg_inet(ev, "addr", "AF_INET", "127.0.0.1", c->port[1]);

	ev = vh_expect_arg_int(run, "recvmsg", pid, "fd", c->fd[1]);
	NET_HDR(ev, pid, "vgl-sendmsg");
	vh_assert_res(ev, 5);
	vh_assert_arg_int(ev, "size", 5);
	vh_assert_arg_inet(ev, "addr", "AF_INET", "127.0.0.1", c->port[0]);
	vh_shared_free(c, sizeof(*c));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		vh_test(test_connect_inet),	vh_test(test_connect_refused),
		vh_test(test_connect_inet6),	vh_test(test_connect_unix),
		vh_test(test_accept),		vh_test(test_bind_listen),
		vh_test(test_socket),		vh_test(test_sendto_recvfrom),
		vh_test(test_sendmsg_recvmsg),	vh_test(test_connect_abstract_efault),
		vh_test(test_connect_v4mapped),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
