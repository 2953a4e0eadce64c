// SPDX-License-Identifier: Apache-2.0
/*
 * The prefilter of connect and socket calls against the matcher: synthetic
 * connects from every address and port constant of a rule set's fd.*
 * comparisons and some common ones (loopback, private, public, the
 * container bridges, IPv6, unix paths, another family), each with a
 * loopback and a non-loopback local end and with several results, and
 * socket calls of several domains, types and results, by a few processes
 * and by every process name the rules hold. The class of each is computed
 * as the kernel does (vgl_pf_conn_class, vgl_pf_sock_class); for every
 * call the prefilter drops, the matcher must raise nothing, on the host or
 * in a container. Dropped and passed counts are printed; a filter that
 * drops no loopback connect of an unnamed process fails too.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <unistd.h>
#include <cmocka.h>

#include "test_prefilter_util.h"

#define MAX_COMMS 256
#define MAX_VALS  128

struct tally {
	size_t dropped[VGL_EV_MAX], passed[VGL_EV_MAX];
	const char *set;
	struct vgl_match_ctx *ctx;
	const char *comms[MAX_COMMS];
	size_t ncomms;
	const char *ips[MAX_VALS]; /* peers: addresses and unix paths */
	size_t nips;
	char ipbuf[MAX_VALS][64]; /* the rules' addresses */
	int64_t ports[MAX_VALS];
	size_t nports;
};

static void add_str(const char **arr, size_t *n, size_t max, const char *s)
{
	for (size_t i = 0; i < *n; i++)
		if (!strcmp(arr[i], s))
			return;
	if (*n < max)
		arr[(*n)++] = s;
}

static void add_port(struct tally *tl, int64_t p)
{
	for (size_t i = 0; i < tl->nports; i++)
		if (tl->ports[i] == p)
			return;
	if (tl->nports < MAX_VALS && p >= 0 && p <= 65535)
		tl->ports[tl->nports++] = p;
}

/* An address constant (a network's own address) into @tl's peers. */
static void add_ip(struct tally *tl, const char *v)
{
	char buf[64], *s;
	uint8_t bin[16];

	snprintf(buf, sizeof(buf), "%s", v);
	if ((s = strchr(buf, '/')))
		*s = '\0';
	if (inet_pton(AF_INET, buf, bin) != 1 && inet_pton(AF_INET6, buf, bin) != 1)
		return;
	for (size_t i = 0; i < tl->nips; i++)
		if (!strcmp(tl->ips[i], buf))
			return;
	if (tl->nips == MAX_VALS)
		return;
	memcpy(tl->ipbuf[tl->nips], buf, sizeof(buf));
	tl->ips[tl->nips] = tl->ipbuf[tl->nips];
	tl->nips++;
}

/* proc.name, address and port constants of @a into @tl. */
static void collect(const struct ast *a, struct tally *tl)
{
	for (size_t i = 0; i < a->nkids; i++)
		collect(a->kids[i], tl);
	if (a->type != AST_CMP)
		return;
	for (size_t i = 0; i < a->nvals; i++) {
		const char *f = a->field, *v = a->vals[i].s;

		if (!strcmp(f, "proc.name") && strlen(v) < 16)
			add_str(tl->comms, &tl->ncomms, MAX_COMMS, v);
		else if (!strncmp(f, "fd.", 3) && strstr(f, "port"))
			add_port(tl, strtoll(v, NULL, 10));
		else if (!strncmp(f, "fd.", 3) && (strstr(f, "ip") || strstr(f, "net")))
			add_ip(tl, v);
	}
}

/* The kernel's loopback test: both ends 127.0.0.1, or both ::1. */
static bool both_loop(const struct vgl_sockaddr *p, const struct vgl_sockaddr *l)
{
	static const uint8_t v6[16] = { [15] = 1 }, v4[4] = { 127, 0, 0, 1 };

	if (p->family != l->family || memcmp(p->addr, l->addr, 16))
		return false;
	return (p->family == AF_INET && !memcmp(p->addr, v4, 4)) ||
	       (p->family == AF_INET6 && !memcmp(p->addr, v6, 16));
}

/* One connect of @comm to @peer:@port from @local with result @res. */
static void one_conn(const struct vgl_ruleset *rs, const struct vgl_prefilter *pf, struct tally *tl,
		     const char *peer, int64_t port, const char *local, int64_t res)
{
	static struct tev t;
	const char *hit;

	for (size_t c = 0; c < tl->ncomms; c++) {
		unsigned int cls;

		tev_init(&t, VGL_EV_CONNECT, tl->comms[c], 4242, res);
		tev_num(&t, "fd", 3);
		tev_sa(&t, "addr", peer, (uint16_t)port);
		if (!strcmp(peer, "netlink"))
			tev_param(&t, "addr")->sa.family = AF_NETLINK;
		tev_sa(&t, "laddr", local, 40000);
		cls = vgl_pf_conn_class(
			tev_param(&t, "addr")->sa.family,
			both_loop(&tev_param(&t, "addr")->sa, &tev_param(&t, "laddr")->sa), res);
		if (vgl_prefilter_pass(pf, VGL_EV_CONNECT, NULL, NULL, cls, tl->comms[c])) {
			tl->passed[VGL_EV_CONNECT]++;
			continue;
		}
		tl->dropped[VGL_EV_CONNECT]++;
		if ((hit = pfu_matches(rs, tl->ctx, &t.ev)))
			fail_msg("%s: connect of %s to %s port %lld from %s (res %lld, class %#x) "
				 "dropped, but rule \"%s\" matches it",
				 tl->set, tl->comms[c], peer, (long long)port, local,
				 (long long)res, cls, hit);
	}
}

static void connects(const struct vgl_ruleset *rs, const struct vgl_prefilter *pf, struct tally *tl)
{
	static const int64_t results[] = { 0,	      -EINPROGRESS, -ECONNREFUSED,
					   -EALREADY, -EISCONN,	    -ENETUNREACH };

	for (size_t i = 0; i < tl->nips; i++) {
		const char *p = tl->ips[i];
		bool v6 = strchr(p, ':') != NULL, path = p[0] == '/' || !strcmp(p, "netlink");
		const char *locals[] = { v6 ? "::1" : "127.0.0.1", v6 ? "fd00::2" : "10.0.0.2", p };

		for (size_t l = 0; l < (path ? 1 : 3); l++)
			for (size_t pt = 0; pt < (path ? 1 : tl->nports); pt++)
				for (size_t r = 0; r < sizeof(results) / sizeof(results[0]); r++)
					one_conn(rs, pf, tl, p, path ? 0 : tl->ports[pt],
						 path ? p : locals[l], results[r]);
	}
}

static void sockets(const struct vgl_ruleset *rs, const struct vgl_prefilter *pf, struct tally *tl)
{
	static const int64_t domains[] = {
		AF_INET, AF_INET6, AF_UNIX, AF_PACKET, AF_NETLINK, 99, -1
	};
	static const int64_t types[] = { SOCK_STREAM, SOCK_DGRAM, SOCK_RAW };
	static const int64_t results[] = { 3, 0, -EAFNOSUPPORT, -EPERM };
	static struct tev t;
	const char *hit;

	for (size_t d = 0; d < sizeof(domains) / sizeof(domains[0]); d++)
		for (size_t ty = 0; ty < 3; ty++)
			for (size_t r = 0; r < 4; r++)
				for (size_t c = 0; c < tl->ncomms; c++) {
					unsigned int cls =
						vgl_pf_sock_class(domains[d], results[r]);

					if (vgl_prefilter_pass(pf, VGL_EV_SOCKET, NULL, NULL, cls,
							       tl->comms[c])) {
						tl->passed[VGL_EV_SOCKET]++;
						continue;
					}
					tl->dropped[VGL_EV_SOCKET]++;
					tev_init(&t, VGL_EV_SOCKET, tl->comms[c], 4242, results[r]);
					tev_num(&t, "domain", domains[d]);
					tev_num(&t, "type", types[ty]);
					tev_num(&t, "proto", 0);
					if ((hit = pfu_matches(rs, tl->ctx, &t.ev)))
						fail_msg("%s: socket(%lld, %lld) = %lld by %s "
							 "dropped, "
							 "but rule \"%s\" matches it",
							 tl->set, (long long)domains[d],
							 (long long)types[ty],
							 (long long)results[r], tl->comms[c], hit);
				}
}

static void differential(const char *set, const char *const *files, size_t n)
{
	static const char *const peers[] = {
		"127.0.0.1",	    "127.0.0.2",
		"10.1.2.3",	    "172.17.0.5",
		"192.168.1.1",	    "8.8.8.8",
		"169.254.169.254",  "100.64.0.1",
		"0.0.0.0",	    "::1",
		"::ffff:127.0.0.1", "2001:db8::1",
		"fe80::1",	    "/var/run/docker.sock",
		"/tmp/app.sock",    "netlink",
	};
	static const int64_t ports[] = { 22, 80, 443, 3333, 4444, 6443, 40001 };
	struct tally tl = { .set = set,
			    .comms = { "cat", "sh", "sshd", "python3", "nc", "ssh" },
			    .ncomms = 6 };
	const struct vgl_ruleset *rsc;
	struct vgl_ruleset *rs;
	struct vgl_prefilter *pf;

	rs = pfu_load(files, n);
	rsc = rs;
	assert_int_equal(vgl_prefilter_derive(&rsc, 1, NULL, NULL, &pf), 0);
	tl.ctx = vgl_match_ctx_new(rs);
	assert_non_null(tl.ctx);
	for (size_t i = 0; i < sizeof(peers) / sizeof(peers[0]); i++)
		add_str(tl.ips, &tl.nips, MAX_VALS, peers[i]);
	for (size_t i = 0; i < sizeof(ports) / sizeof(ports[0]); i++)
		add_port(&tl, ports[i]);
	for (size_t i = 0; i < pf->k[VGL_EV_CONNECT].ncomm; i++)
		add_str(tl.comms, &tl.ncomms, MAX_COMMS, pf->k[VGL_EV_CONNECT].comm[i].comm);
	for (size_t i = 0; i < rs->nrules; i++)
		if (rs->rules[i].ast)
			collect(rs->rules[i].ast, &tl);
	connects(rs, pf, &tl);
	sockets(rs, pf, &tl);
	printf("%s: connect filtered=%d process names %zu; %zu peers, %zu ports, %zu processes;"
	       " connects dropped %zu, passed %zu; socket filtered=%d, dropped %zu, passed %zu\n",
	       set, pf->k[VGL_EV_CONNECT].filtered, pf->k[VGL_EV_CONNECT].ncomm, tl.nips, tl.nports,
	       tl.ncomms, tl.dropped[VGL_EV_CONNECT], tl.passed[VGL_EV_CONNECT],
	       pf->k[VGL_EV_SOCKET].filtered, tl.dropped[VGL_EV_SOCKET], tl.passed[VGL_EV_SOCKET]);
	/* what most sockets are: an IP one; an AF_PACKET one passes */
	if (vgl_prefilter_pass(pf, VGL_EV_SOCKET, NULL, NULL, vgl_pf_sock_class(AF_INET, 3), "cat"))
		fail_msg("%s: socket(AF_INET) by cat passes", set);
	if (!vgl_prefilter_pass(pf, VGL_EV_SOCKET, NULL, NULL, vgl_pf_sock_class(AF_PACKET, 3),
				"cat"))
		fail_msg("%s: socket(AF_PACKET) by cat is dropped", set);
	/* a unix connect passes only for the names the rules test, not filtered here */
	if (vgl_prefilter_pass(pf, VGL_EV_CONNECT, NULL, NULL, vgl_pf_conn_class(AF_NETLINK, 0, 0),
			       "cat"))
		fail_msg("%s: a netlink connect by cat passes", set);
	vgl_match_ctx_free(tl.ctx);
	vgl_prefilter_free(pf);
	vgl_ruleset_free(rs);
}

static void test_default_rules(void **state)
{
	const struct vgl_ruleset *rsc;
	struct vgl_ruleset *rs;
	struct vgl_prefilter *pf;
	struct pfu_files f;

	(void)state;
	pfu_default_files(&f);
	differential("default rules", f.files, f.n);
	/* the connect loop of bench/: a loopback connect by a process no rule names */
	rs = pfu_load(f.files, f.n);
	rsc = rs;
	assert_int_equal(vgl_prefilter_derive(&rsc, 1, NULL, NULL, &pf), 0);
	assert_false(vgl_prefilter_pass(pf, VGL_EV_CONNECT, NULL, NULL,
					vgl_pf_conn_class(AF_INET, 1, 0), "vigil-workload"));
	/* ... but a shell's public one passes */
	assert_true(vgl_prefilter_pass(pf, VGL_EV_CONNECT, NULL, NULL,
				       vgl_pf_conn_class(AF_INET, 0, 0), "bash"));
	vgl_prefilter_free(pf);
	vgl_ruleset_free(rs);
}

static void test_stock_rules(void **state)
{
	struct pfu_files f;

	(void)state;
	pfu_stock_files(&f);
	differential("falco_rules.yaml", f.files, 1);
	differential("all three stock files", f.files, 3);
}

/*
 * A rule on close or fcntl takes a socket's fd.* from the fd tracker,
 * which needs the socket calls: then none is filtered, and explain says why.
 */
static void test_tracker_keeps_sockets(void **state)
{
	static const char rules[] = "- rule: closing\n"
				    "  desc: d\n"
				    "  condition: evt.type = close and fd.sip = 10.0.0.1\n"
				    "  output: o\n"
				    "  priority: NOTICE\n";
	struct vgl_ruleset *rs = rules_from(rules);
	const struct vgl_ruleset *rsc = rs;
	struct vgl_prefilter *pf;

	(void)state;
	assert_int_equal(vgl_prefilter_derive(&rsc, 1, NULL, NULL, &pf), 0);
	assert_false(pf->k[VGL_EV_CONNECT].filtered);
	assert_false(pf->k[VGL_EV_SOCKET].filtered);
	assert_string_equal(pf->k[VGL_EV_CONNECT].why,
			    "the fd tracker follows sockets for the close or fcntl of rule"
			    " \"closing\"");
	assert_true(pf->k[VGL_EV_OPENAT].filtered);
	vgl_prefilter_free(pf);
	vgl_ruleset_free(rs);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_default_rules),
		cmocka_unit_test(test_stock_rules),
		cmocka_unit_test(test_tracker_keeps_sockets),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
