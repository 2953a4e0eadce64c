// SPDX-License-Identifier: Apache-2.0
/*
 * metrics.listen: the addresses the endpoint accepts, the errors a user
 * sees for the others (in the config file's terms), and binding.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "config/config.h"
#include "metrics/listen.h"

#define UNUSED __attribute__((unused))

static void test_accepted(void **state UNUSED)
{
	struct vgl_listen_addr a;
	char err[256] = "", text[64];
	const struct sockaddr_in *in = (const struct sockaddr_in *)&a.sa;
	const struct sockaddr_in6 *in6 = (const struct sockaddr_in6 *)&a.sa;

	assert_int_equal(vgl_listen_parse("127.0.0.1:8765", &a, err, sizeof(err)), 0);
	assert_int_equal(in->sin_family, AF_INET);
	assert_int_equal(ntohs(in->sin_port), 8765);
	assert_string_equal(inet_ntop(AF_INET, &in->sin_addr, text, sizeof(text)), "127.0.0.1");
	assert_false(a.any);

	assert_int_equal(vgl_listen_parse("[::1]:9100", &a, err, sizeof(err)), 0);
	assert_int_equal(in6->sin6_family, AF_INET6);
	assert_int_equal(ntohs(in6->sin6_port), 9100);
	assert_string_equal(inet_ntop(AF_INET6, &in6->sin6_addr, text, sizeof(text)), "::1");

	assert_int_equal(vgl_listen_parse(":65535", &a, err, sizeof(err)), 0);
	assert_int_equal(in6->sin6_family, AF_INET6);
	assert_int_equal(ntohs(in6->sin6_port), 65535);
	assert_true(a.any);
}

static void assert_refused(const char *s, const char *want)
{
	struct vgl_listen_addr a;
	char err[256] = "";

	assert_int_equal(vgl_listen_parse(s, &a, err, sizeof(err)), -EINVAL);
	if (!strstr(err, want))
		fail_msg("'%s': error '%s' does not say '%s'", s, err, want);
}

static void test_refused(void **state UNUSED)
{
	assert_refused("8765", "no port");
	assert_refused("", "no port");
	assert_refused("127.0.0.1:", "port '' is not a number from 1 to 65535");
	assert_refused("127.0.0.1:0", "port '0' is not a number from 1 to 65535");
	assert_refused("127.0.0.1:65536", "port '65536' is not");
	assert_refused("127.0.0.1:99999999999999999999", "is not a number");
	assert_refused("127.0.0.1:80x", "port '80x'");
	assert_refused("127.0.0.1:-1", "port '-1'");
	assert_refused("localhost:8765", "'localhost' is not a numeric IPv4 address");
	assert_refused("300.1.1.1:8765", "'300.1.1.1' is not a numeric IPv4 address");
	assert_refused("::1:8765", "an IPv6 address goes in brackets");
	assert_refused("[::1]", "in brackets is followed by :PORT");
	assert_refused("[::1]8765", "in brackets is followed by :PORT");
	assert_refused("[127.0.0.1]:8765", "'127.0.0.1' is not a numeric IPv6 address");
	assert_refused("[]:8765", "is not an IP address");
	assert_refused("[0123456789012345678901234567890123456789012345678901234567890123456789]:1",
		       "is not an IP address");
}

/* In the config file: the error names the file, line and key. */
static void test_config_error(void **state UNUSED)
{
	static const char text[] = "metrics:\n  listen: \"localhost:8765\"\n";
	static const char good[] = "metrics: {listen: \"[::1]:8765\"}\n";
	struct vgl_config c;
	struct vgl_diag d;
	char line[512];

	vgl_diag_init(&d);
	assert_int_equal(vgl_config_parse("vigil.yaml", text, sizeof(text) - 1, &c, &d), -EINVAL);
	assert_int_equal(d.nerrors, 1);
	vgl_diag_format(&d.v[0], line, sizeof(line));
	assert_string_equal(line, "vigil.yaml:2:11: error: metrics.listen: 'localhost:8765': "
				  "'localhost' is not a numeric IPv4 address");
	vgl_diag_free(&d); /* a failed parse leaves @c untouched */

	vgl_diag_init(&d);
	assert_int_equal(vgl_config_parse("vigil.yaml", good, sizeof(good) - 1, &c, &d), 0);
	assert_string_equal(c.metrics_listen, "[::1]:8765");
	vgl_config_free(&c);
	vgl_diag_free(&d);
}

/* A port in use is an error at bind time, with its errno. */
static void test_bind(void **state UNUSED)
{
	struct vgl_listen_addr a;
	struct sockaddr_in bound;
	socklen_t len = sizeof(bound);
	char err[256], spec[32];
	int fd, fd2;

	/* find a free port: bind port 0 with a plain socket, read it back */
	fd = socket(AF_INET, SOCK_STREAM, 0);
	assert_true(fd >= 0);
	bound = (struct sockaddr_in){ .sin_family = AF_INET,
				      .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	assert_int_equal(bind(fd, (struct sockaddr *)&bound, sizeof(bound)), 0);
	assert_int_equal(getsockname(fd, (struct sockaddr *)&bound, &len), 0);
	close(fd);
	snprintf(spec, sizeof(spec), "127.0.0.1:%u", ntohs(bound.sin_port));
	assert_int_equal(vgl_listen_parse(spec, &a, err, sizeof(err)), 0);
	fd = vgl_listen_bind(&a);
	assert_true(fd >= 0);
	fd2 = vgl_listen_bind(&a);
	assert_int_equal(fd2, -EADDRINUSE);
	close(fd);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_accepted),
		cmocka_unit_test(test_refused),
		cmocka_unit_test(test_config_error),
		cmocka_unit_test(test_bind),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
