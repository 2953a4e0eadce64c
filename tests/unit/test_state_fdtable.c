// SPDX-License-Identifier: Apache-2.0
/*
 * Descriptor views: link classification, /proc/net table parsing (fixture
 * text), and live descriptors of this test process (file, directory, pipe,
 * TCP listener and connection, UDP, unix socketpair), revalidated when a
 * number is reused.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cmocka.h>

#include "state/fdtable.h"

#define UNUSED __attribute__((unused))

static void test_link_type(void **state UNUSED)
{
	uint64_t ino = 0;

	assert_int_equal(vgl_fd_link_type("/etc/passwd", &ino), 'f');
	assert_int_equal(vgl_fd_link_type("pipe:[1234]", &ino), 'p');
	assert_int_equal(vgl_fd_link_type("anon_inode:[eventfd]", &ino), 'e');
	assert_int_equal(vgl_fd_link_type("anon_inode:inotify", &ino), 'i');
	assert_int_equal(vgl_fd_link_type("anon_inode:[eventpoll]", &ino), 'l');
	assert_int_equal(vgl_fd_link_type("anon_inode:bpf-map", &ino), 'b');
	assert_int_equal(vgl_fd_link_type("anon_inode:[userfaultfd]", &ino), 'o');
	assert_int_equal(vgl_fd_link_type("socket:[98765]", &ino), 0);
	assert_true(ino == 98765);
	assert_int_equal(vgl_fd_link_type("net:[4026531840]", &ino), 0);
}

static const char tcp[] =
	"  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  "
	"timeout inode\n"
	"   0: 0100007F:1F90 00000000:0000 0A 00000000:00000000 00:00000000 00000000     0        "
	"0 1111 1 0000000000000000 100 0 0 10 0\n"
	"   1: 0100007F:D431 0100007F:1F90 01 00000000:00000000 00:00000000 00000000  1000        "
	"0 2222 1 0000000000000000 20 4 30 10 -1\n";
static const char tcp6[] =
	"  sl  local_address                         remote_address                        st "
	"tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode\n"
	"   0: 00000000000000000000000001000000:0050 00000000000000000000000000000000:0000 0A "
	"00000000:00000000 00:00000000 00000000     0        0 3333 1 0000000000000000 100 0 0 "
	"10 0\n";
static const char udp[] =
	"   sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  "
	"timeout inode ref pointer drops\n"
	"  100: 00000000:0044 00000000:0000 07 00000000:00000000 00:00000000 00000000     0        "
	"0 4444 2 0000000000000000 0\n"
	"  101: 0100007F:8000 08080808:0035 01 00000000:00000000 00:00000000 00000000     0        "
	"0 5555 2 0000000000000000 0\n";
static const char unx[] =
	"Num       RefCount Protocol Flags    Type St Inode Path\n"
	"0000000000000000: 00000002 00000000 00010000 0001 01 6666 /run/dbus/system_bus_socket\n"
	"0000000000000000: 00000003 00000000 00000000 0001 03 7777\n";

static void test_net_parse(void **state UNUSED)
{
	struct vgl_sock_info si;

	assert_true(vgl_net_find("tcp", tcp, 1111, &si));
	assert_int_equal(si.typechar, '4');
	assert_string_equal(si.l4proto, "tcp");
	assert_false(si.connected);
	assert_string_equal(si.name, "127.0.0.1:8080");
	assert_true(vgl_net_find("tcp", tcp, 2222, &si));
	assert_true(si.connected);
	assert_string_equal(si.name, "127.0.0.1:54321->127.0.0.1:8080");
	assert_false(vgl_net_find("tcp", tcp, 9999, &si));
	assert_true(vgl_net_find("tcp6", tcp6, 3333, &si));
	assert_int_equal(si.typechar, '6');
	assert_string_equal(si.name, "[::1]:80");
	assert_true(vgl_net_find("udp", udp, 4444, &si));
	assert_string_equal(si.l4proto, "udp");
	assert_false(si.connected);
	assert_true(vgl_net_find("udp", udp, 5555, &si));
	assert_true(si.connected);
	assert_string_equal(si.name, "127.0.0.1:32768->8.8.8.8:53");
	assert_true(vgl_net_find("unix", unx, 6666, &si));
	assert_int_equal(si.typechar, 'u');
	assert_null(si.l4proto);
	assert_false(si.connected);
	assert_string_equal(si.name, "/run/dbus/system_bus_socket");
	assert_true(vgl_net_find("unix", unx, 7777, &si));
	assert_true(si.connected);
	assert_string_equal(si.name, "");
	/* garbage is not found, never a crash */
	assert_false(vgl_net_find("tcp", "heading only", 1, &si));
	assert_false(vgl_net_find("tcp", "h\n   0: zz:zz", 1, &si));
	assert_false(vgl_net_find("unix", "h\nshort line\n", 1, &si));
}

static void test_live(void **state UNUSED)
{
	struct vgl_fdtable *t = vgl_fdtable_new("/proc", 0);
	struct sockaddr_in sa = { .sin_family = AF_INET,
				  .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	socklen_t salen = sizeof(sa);
	uint32_t me = (uint32_t)getpid();
	const struct vgl_fd_view *v;
	int f, d, p[2], lsn, cli, u, sp[2];
	struct vgl_fdtable_stats s;

	assert_non_null(t);
	f = open("/etc/hostname", O_RDONLY);
	d = open("/tmp", O_RDONLY | O_DIRECTORY);
	assert_int_equal(pipe(p), 0);
	v = vgl_fdtable_get(t, me, f);
	assert_int_equal(v->typechar, 'f');
	assert_string_equal(v->name, "/etc/hostname");
	assert_int_equal(vgl_fdtable_get(t, me, d)->typechar, 'd');
	assert_int_equal(vgl_fdtable_get(t, me, p[0])->typechar, 'p');
	lsn = socket(AF_INET, SOCK_STREAM, 0);
	assert_int_equal(bind(lsn, (struct sockaddr *)&sa, sizeof(sa)), 0);
	assert_int_equal(listen(lsn, 1), 0);
	assert_int_equal(getsockname(lsn, (struct sockaddr *)&sa, &salen), 0);
	cli = socket(AF_INET, SOCK_STREAM, 0);
	/* an unbound socket is in no table yet: unknown, and looked up again next time */
	v = vgl_fdtable_get(t, me, cli);
	assert_int_equal(v->typechar, 0);
	assert_null(v->name);
	assert_int_equal(connect(cli, (struct sockaddr *)&sa, sizeof(sa)), 0);
	v = vgl_fdtable_get(t, me, cli);
	assert_int_equal(v->typechar, '4');
	assert_string_equal(v->l4proto, "tcp");
	assert_true(v->connected);
	assert_non_null(strstr(v->name, "->127.0.0.1:"));
	v = vgl_fdtable_get(t, me, lsn);
	assert_false(v->connected);
	assert_true(strncmp(v->name, "127.0.0.1:", 10) == 0);
	u = socket(AF_INET, SOCK_DGRAM, 0);
	sa.sin_port = 0;
	assert_int_equal(bind(u, (struct sockaddr *)&sa, sizeof(sa)), 0);
	assert_string_equal(vgl_fdtable_get(t, me, u)->l4proto, "udp");
	assert_int_equal(socketpair(AF_UNIX, SOCK_STREAM, 0, sp), 0);
	v = vgl_fdtable_get(t, me, sp[0]);
	assert_int_equal(v->typechar, 'u');
	assert_true(v->connected);
	/* a reused number is noticed */
	close(f);
	assert_int_equal(open("/etc/passwd", O_RDONLY), f);
	assert_string_equal(vgl_fdtable_get(t, me, f)->name, "/etc/passwd");
	close(f);
	assert_null(vgl_fdtable_get(t, me, f));
	assert_null(vgl_fdtable_get(t, me, -1));
	vgl_fdtable_stats(t, &s);
	assert_true(s.net_scans >= 4);
	close(d), close(p[0]), close(p[1]), close(lsn), close(cli), close(u), close(sp[0]),
		close(sp[1]);
	vgl_fdtable_free(t);
}

static void test_connect_event(void **state UNUSED)
{
	struct vgl_fdtable *t = vgl_fdtable_new("/proc", 0);
	uint32_t me = (uint32_t)getpid();
	struct sockaddr_in sa = { .sin_family = AF_INET,
				  .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	int s = socket(AF_INET, SOCK_DGRAM, 0);
	struct vgl_event ev;
	unsigned int i;

	assert_int_equal(bind(s, (struct sockaddr *)&sa, sizeof(sa)), 0);
	/* cached unconnected; the connect event (not a re-read) marks it connected */
	assert_false(vgl_fdtable_get(t, me, s)->connected);
	memset(&ev, 0, sizeof(ev));
	ev.kind = VGL_EV_CONNECT;
	ev.info = &vgl_kind_info[ev.kind];
	ev.nparams = ev.info->nparams;
	for (i = 0; i < ev.nparams; i++)
		ev.params[i].info = &ev.info->params[i];
	ev.hdr.pid = me;
	ev.params[0].num.i = s;
	vgl_fdtable_update(t, &ev);
	assert_true(vgl_fdtable_get(t, me, s)->connected);
	close(s);
	vgl_fdtable_free(t);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_link_type),
		cmocka_unit_test(test_net_parse),
		cmocka_unit_test(test_live),
		cmocka_unit_test(test_connect_event),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
