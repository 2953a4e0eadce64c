// SPDX-License-Identifier: Apache-2.0
/*
 * fd.sip.name and friends: the names a rule compares them with are resolved
 * ahead of the events (rules/dns.h); an event's address then has the name
 * whose addresses include it. "localhost" resolves from /etc/hosts to
 * 127.0.0.1 on any machine, without a network.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "rules/dns.h"
#include "test_rules_util.h"

static const char rules_text[] =
	"- rule: To localhost by name\n"
	"  desc: d\n"
	"  condition: evt.type = connect and fd.sip.name in (localhost, nowhere.invalid)\n"
	"  output: to %fd.sip.name port=%fd.sport\n"
	"  priority: NOTICE\n"
	"- rule: Not to localhost by name\n"
	"  desc: d\n"
	"  condition: evt.type = connect and fd.sip.name != localhost\n"
	"  output: elsewhere name=%fd.sip.name rip=%fd.rip.name\n"
	"  priority: NOTICE\n";

static int fmt_cb(void *data, const struct vgl_ruleset *rs, size_t rule, struct vgl_match_ctx *ctx)
{
	char *out = data;
	size_t used = strlen(out);

	(void)rs;
	if (used)
		out[used++] = '|';
	vgl_alert_format(ctx, rule, out + used, 512 - used);
	return 0;
}

/* Alert texts of @ip:9 as a connect's server end, joined with '|'. */
static const char *connect_alerts(const struct vgl_ruleset *rs, const char *ip, char out[512])
{
	struct vgl_match_ctx *ctx = vgl_match_ctx_new(rs);
	struct tev t;

	tev_init(&t, VGL_EV_CONNECT, "curl", 10, 0);
	tev_num(&t, "fd", 3);
	tev_sa(&t, "addr", ip, 9);
	tev_sa(&t, "laddr", "10.0.0.2", 40000);
	out[0] = '\0';
	vgl_ruleset_eval(rs, ctx, &t.ev, NULL, NULL, fmt_cb, out);
	vgl_match_ctx_free(ctx);
	return out;
}

static void test_names_from_rules(void **state)
{
	struct vgl_ruleset *rs = rules_from(rules_text);
	char out[512];

	(void)state;
	assert_non_null(rs);
	/*
	 * Not resolved yet: no address has a name. As in Falco, a negative
	 * comparison holds and the name prints empty.
	 */
	assert_string_equal(connect_alerts(rs, "127.0.0.1", out), "elsewhere name= rip=");
	vgl_dns_resolve_all();
	assert_string_equal(connect_alerts(rs, "127.0.0.1", out), "to localhost port=9");
	assert_string_equal(connect_alerts(rs, "192.0.2.1", out), "elsewhere name= rip=");
	vgl_ruleset_free(rs);
}

static void test_lookup(void **state)
{
	static const uint8_t lo[16] = { 127, 0, 0, 1 };
	static const uint8_t other[16] = { 192, 0, 2, 1 };
	char name[VGL_DNS_NAME_MAX + 2];

	(void)state;
	assert_int_equal(vgl_dns_watch("localhost"), 0);
	assert_int_equal(vgl_dns_watch("localhost"), 0); /* once */
	vgl_dns_resolve_all();
	assert_int_equal(vgl_dns_name_of(4, lo, name, sizeof(name)), strlen("localhost"));
	assert_string_equal(name, "localhost");
	assert_int_equal(vgl_dns_name_of(4, other, name, sizeof(name)), 0);
	assert_int_equal(vgl_dns_name_of(6, lo, name, sizeof(name)), 0); /* family counts */
	assert_int_equal(vgl_dns_name_of(4, lo, name, 4), 0);		 /* does not fit */
	memset(name, 'a', sizeof(name) - 1);
	name[sizeof(name) - 1] = '\0';
	assert_int_equal(vgl_dns_watch(name), -ENAMETOOLONG);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_names_from_rules),
		cmocka_unit_test(test_lookup),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
