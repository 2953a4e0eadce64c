// SPDX-License-Identifier: Apache-2.0
/*
 * The in-kernel prefilter of connect and socket calls (bpf/net.bpf.c
 * vgl_conn_class, bpf/prefilter.h vgl_pf_drop_cls), in rules mode, with
 * UDP connects (no packet is sent): a connect from 127.0.0.1 to 127.0.0.1
 * is of the loopback class, which no rule here passes but for the process
 * the rules name, and is dropped and counted as kinds.connect.prefiltered;
 * one from 127.0.0.2 is not of that class and raises its alert, as does a
 * connect that fails (ENETUNREACH, in a network namespace of its own
 * without routes). Sockets: AF_INET ones are dropped, an AF_PACKET one
 * raises its alert. The same rules with --no-prefilter raise the same
 * alerts and drop nothing.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <limits.h>
#include <sched.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <linux/if_ether.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include "harness.h"

#define MISSES 300 /* loopback connects (and their sockets) no rule passes, per process */
#define NAMED  5   /* loopback connects by the process the rules name */

struct pfn_ctx {
	char rules[PATH_MAX + 16];
	char comm[16];
	char other[16]; /* a process no rule names */
};

static void udp_connect(const char *local, const char *peer, int want_errno)
{
	struct sockaddr_in sa = { .sin_family = AF_INET, .sin_port = htons(9) };
	int s = socket(AF_INET, SOCK_DGRAM, 0);

	VH_CHECK(s >= 0);
	if (local) {
		struct sockaddr_in la = { .sin_family = AF_INET };

		VH_CHECK(inet_pton(AF_INET, local, &la.sin_addr) == 1);
		VH_CHECK(bind(s, (struct sockaddr *)&la, sizeof(la)) == 0);
	}
	VH_CHECK(inet_pton(AF_INET, peer, &sa.sin_addr) == 1);
	VH_CHECK(connect(s, (struct sockaddr *)&sa, sizeof(sa)) == (want_errno ? -1 : 0));
	VH_CHECK(!want_errno || errno == want_errno);
	close(s);
}

/* The named process: loopback connects (they pass), an AF_PACKET socket. */
static void act_named(void *arg)
{
	int s;

	(void)arg;
	for (int i = 0; i < NAMED; i++)
		udp_connect(NULL, "127.0.0.1", 0);
	s = socket(AF_PACKET, SOCK_RAW, htons(ETH_P_ALL));
	VH_CHECK(s >= 0);
	close(s);
}

/* Another process: loopback connects (dropped), one from 127.0.0.2, one unreachable. */
static void act_other(void *arg)
{
	(void)arg;
	for (int i = 0; i < MISSES; i++)
		udp_connect(NULL, "127.0.0.1", 0);
	udp_connect("127.0.0.2", "127.0.0.1", 0);
	VH_CHECK(unshare(CLONE_NEWNET) == 0); /* no route: the connect fails locally */
	udp_connect(NULL, "10.1.2.3", ENETUNREACH);
}

static void make_rules(struct pfn_ctx *c)
{
	char dir[PATH_MAX];
	FILE *f;

	vh_tmpdir(dir, sizeof(dir));
	snprintf(c->rules, sizeof(c->rules), "%s/net.yaml", dir);
	f = fopen(c->rules, "w");
	assert_non_null(f);
	fprintf(f,
		"- rule: pfn local\n  desc: d\n"
		"  condition: evt.type = connect and fd.lip = 127.0.0.2\n"
		"  output: \"local %%fd.name %%proc.name\"\n  priority: NOTICE\n"
		"- rule: pfn named\n  desc: d\n"
		"  condition: evt.type = connect and proc.name = %s and fd.rip = 127.0.0.1\n"
		"  output: \"named %%fd.name %%proc.name\"\n  priority: NOTICE\n"
		"- rule: pfn unreachable\n  desc: d\n"
		"  condition: evt.type = connect and evt.res = ENETUNREACH and fd.sip = 10.1.2.3\n"
		"  output: \"unreachable %%fd.name %%proc.name\"\n  priority: NOTICE\n"
		"- rule: pfn packet\n  desc: d\n"
		"  condition: evt.type = socket and evt.rawres >= 0 and evt.arg.domain = "
		"AF_PACKET\n"
		"  output: \"packet %%proc.name\"\n  priority: NOTICE\n",
		c->comm);
	assert_int_equal(fclose(f), 0);
}

/* The alerts of @rule by process @comm: exactly @want. */
static void expect_alerts(const struct vh_run *run, const char *rule, const char *comm, size_t want)
{
	size_t n = 0, i;
	json_t *a;

	json_array_foreach(run->events, i, a)
	{
		const char *r = json_string_value(json_object_get(a, "rule"));
		const char *p = json_string_value(
			json_object_get(json_object_get(a, "output_fields"), "proc.name"));

		if (r && !strcmp(r, rule) && p && !strcmp(p, comm))
			n++;
	}
	if (n != want)
		fail_msg("%zu alerts of \"%s\" by %s, want %zu", n, rule, comm, want);
}

static long long prefiltered(const struct vh_run *run, const char *kind)
{
	const json_t *k = json_object_get(json_object_get(run->stats, "kinds"), kind);

	return json_integer_value(json_object_get(k, "prefiltered"));
}

static void run_once(const struct pfn_ctx *c, bool no_prefilter)
{
	struct vh_run *run =
		vh_start_opts(&(struct vh_opts){ .rules = c->rules, .no_prefilter = no_prefilter });
	long long conn, sock;
	int status;

	vh_spawn(c->comm, act_named, NULL, &status);
	assert_int_equal(status, 0);
	vh_spawn(c->other, act_other, NULL, &status);
	assert_int_equal(status, 0);
	vh_stop(run);
	expect_alerts(run, "pfn named", c->comm, NAMED);
	expect_alerts(run, "pfn named", c->other, 0);
	expect_alerts(run, "pfn local", c->other, 1);
	expect_alerts(run, "pfn unreachable", c->other, 1);
	expect_alerts(run, "pfn packet", c->comm, 1);
	conn = prefiltered(run, "connect");
	sock = prefiltered(run, "socket");
	printf("%s: %zu alerts, kinds.connect.prefiltered %lld, kinds.socket.prefiltered %lld\n",
	       no_prefilter ? "--no-prefilter" : "prefilter", json_array_size(run->events), conn,
	       sock);
	if (no_prefilter) {
		assert_int_equal(conn, 0);
		assert_int_equal(sock, 0);
	} else if (conn < MISSES || sock < MISSES + NAMED) {
		fail_msg("prefiltered: %lld connects (want >= %d), %lld sockets (want >= %d)", conn,
			 MISSES, sock, MISSES + NAMED);
	}
}

static void test_prefilter_net(void **state)
{
	struct pfn_ctx *c = vh_shared(sizeof(*c));

	(void)state;
	snprintf(c->comm, sizeof(c->comm), "vgl-pfn%d", (int)getpid() % 100000);
	snprintf(c->other, sizeof(c->other), "vgl-pfno%d", (int)getpid() % 100000);
	make_rules(c);
	run_once(c, false);
	run_once(c, true);
	vh_shared_free(c, sizeof(*c));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_teardown(test_prefilter_net, vh_teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
