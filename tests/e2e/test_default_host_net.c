// SPDX-License-Identifier: Apache-2.0
/*
 * vigil's default network rules on the host (rules/vigil_rules.yaml) end to
 * end: "Netcat reverse shell" for netcat started to run a program for its
 * peer, not for a plain netcat; "Shell connected to remote host" for bash
 * connecting to another host, not to loopback. The other host is a network
 * namespace this test makes with a veth pair (10.213.X.2), with busybox nc
 * listening in it: no traffic leaves this machine.
 *
 * Needs root, iproute2 and busybox (busybox-static); without them the test
 * skips, except with CI=true, where it fails.
 */
#define _GNU_SOURCE
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "harness.h"
#include "harness_host.h"

#define PORT	7777
#define LO_PORT 7778 /* a listener on the host, reached through loopback */

static struct e2e_vigil *vigil;
static char tmp[PATH_MAX], ns[32], peer[32], link_host[16];

/* The peer: namespace @ns, veth link_host <-> peer side, busybox nc listening for ever. */
static void make_peer(void)
{
	int n = (int)(getpid() % 200) + 20;

	snprintf(ns, sizeof(ns), "vgl-e2e-%d", (int)getpid());
	snprintf(link_host, sizeof(link_host), "vgle2e%d", n);
	snprintf(peer, sizeof(peer), "10.213.%d.2", n);
	if (access("/bin/busybox", X_OK) || e2e_sh(NULL, 5000, "command -v ip >/dev/null"))
		tu_skip_or_fail("needs /bin/busybox (busybox-static) and ip (iproute2)");
	if (e2e_sh(NULL, 10000,
		   "ip netns add %1$s && ip link add %2$s type veth peer name %2$sp netns %1$s"
		   " && ip addr add 10.213.%3$d.1/30 dev %2$s && ip link set %2$s up"
		   " && ip -n %1$s addr add %4$s/30 dev %2$sp && ip -n %1$s link set %2$sp up"
		   " && ip -n %1$s link set lo up",
		   ns, link_host, n, peer))
		fail_msg("could not make the peer namespace %s", ns);
	if (e2e_sh(NULL, 5000,
		   "ip netns exec %s setsid /bin/busybox nc -ll -p %d -e /bin/true "
		   "</dev/null >/dev/null 2>&1 &",
		   ns, PORT))
		fail_msg("could not start the peer's listener");
	if (e2e_sh(NULL, 5000,
		   "setsid /bin/busybox nc -ll -p %d -e /bin/true "
		   "</dev/null >/dev/null 2>&1 & echo $! >%s/lo.pid",
		   LO_PORT, tmp))
		fail_msg("could not start the loopback listener");
	usleep(300 * 1000);
}

static int setup(void **state)
{
	(void)state;
	vigil = e2e_host_start();
	e2e_tmpdir(tmp, sizeof(tmp));
	make_peer();
	return 0;
}

static int teardown(void **state)
{
	e2e_sh(NULL, 5000, "kill $(cat %s/lo.pid) 2>/dev/null", tmp);
	if (ns[0]) { /* the peer's listener: the namespace's processes */
		e2e_sh(NULL, 5000, "ip netns pids %s | xargs -r kill; ip netns del %s", ns, ns);
		e2e_sh(NULL, 5000, "ip link del %s 2>/dev/null", link_host);
	}
	e2e_host_cleanup();
	return e2e_teardown(state);
}

static void test_netcat_exec(void **state)
{
	char nc[PATH_MAX + 8], cmd[256], benign[256];

	(void)state;
	/* a netcat named as users run it: busybox under the name nc */
	snprintf(nc, sizeof(nc), "%s/nc", tmp);
	if (symlink("/bin/busybox", nc))
		fail_msg("symlink %s", nc);
	snprintf(benign, sizeof(benign), "nc -w 1 %s %d", peer, PORT);
	if (e2e_sh(NULL, 10000, "%s -w 1 %s %d </dev/null", nc, peer, PORT))
		fail_msg("plain nc to the peer failed");
	snprintf(cmd, sizeof(cmd), "nc -w 1 -e /bin/true %s %d", peer, PORT);
	e2e_sh(NULL, 10000, "%s -w 1 -e /bin/true %s %d </dev/null", nc, peer, PORT);
	const json_t *a =
		e2e_host_fired(vigil,
			       (&(struct e2e_match){ .rule = "Netcat reverse shell",
						     .fields = { { "proc.cmdline", cmd } } }),
			       "Critical");
	e2e_assert_field(a, "container.id", "host");
	e2e_host_tag(a, "T1059");
	e2e_host_none(vigil, (&(struct e2e_match){ .rule = "Netcat reverse shell",
						   .fields = { { "proc.cmdline", benign } } }));
}

static void test_shell_connect(void **state)
{
	const struct e2e_match m = { .rule = "Shell connected to remote host",
				     .fields = { { "proc.name", "bash" } } };
	char conn[64];

	(void)state;
	/* bash's /dev/tcp, a reverse shell's redirection: to loopback (benign), then the peer */
	if (e2e_sh(NULL, 10000, "bash -c 'exec 3<>/dev/tcp/127.0.0.1/%d || exit 1; echo e2e >&3'",
		   LO_PORT))
		fail_msg("bash could not connect to 127.0.0.1:%d", LO_PORT);
	if (e2e_sh(NULL, 10000, "bash -c 'exec 3<>/dev/tcp/%s/%d || exit 1; echo e2e >&3'", peer,
		   PORT))
		fail_msg("bash could not connect to the peer %s:%d", peer, PORT);
	snprintf(conn, sizeof(conn), "->%s:%d", peer, PORT);
	const json_t *a = e2e_host_fired(vigil, &m, "Critical");
	e2e_assert_field_has(a, "fd.name", conn);
	e2e_assert_field(a, "container.id", "host");
	e2e_host_tag(a, "T1071");
	/* the loopback connection, evaluated before, raised nothing */
	e2e_refresh(vigil);
	assert_int_equal(e2e_count(vigil, &m), 1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_netcat_exec), cmocka_unit_test(test_shell_connect),
		cmocka_unit_test(e2e_host_test_same_without_prefilter), /* last */
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
