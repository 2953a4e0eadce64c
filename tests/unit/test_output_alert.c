// SPDX-License-Identifier: Apache-2.0
/*
 * Alerts as the sinks write them: Falco's text line with untrusted text
 * escaped, the JSON line, cutting an overlong message, and the spool's
 * encoding (round trip, and refusal of malformed bytes).
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "test_output_util.h"

#define UNUSED __attribute__((unused))

/* 2026-12-04T10:11:12.123456789Z */
#define T0 1796379072123456789ll

static const char *line(const struct vgl_alert *a, enum vgl_alert_format f, size_t size)
{
	static char buf[8192];
	size_t n = vgl_alert_line(a, f, buf, size);

	assert_true(n < size);
	assert_int_equal(buf[n - 1], '\n');
	buf[n] = '\0';
	return buf;
}

static void test_text_line(void **state UNUSED)
{
	struct vgl_alert *a = talert("r", "Sensitive file opened (file=/etc/shadow)", T0);

	assert_string_equal(
		line(a, VGL_ALERT_TEXT, 4096),
		"10:11:12.123456789: Warning Sensitive file opened (file=/etc/shadow)\n");
	assert_string_equal(line(a, VGL_ALERT_JSON, 4096), "{\"rule\":\"r\",\"n\":"
							   "1796379072123456789}\n");
	vgl_alert_unref(a);
}

/* A monitored process cannot forge a line or send escapes to a terminal. */
static void test_text_escapes(void **state UNUSED)
{
	struct vgl_alert *a = talert("r",
				     "f=x\n15:00:00.000000000: Critical FAKE \x1b[31m"
				     "\x9b\x7f\xc2\x85\xff \"q\" \\ \xc3\xa9 tab\t",
				     T0);

	assert_string_equal(line(a, VGL_ALERT_TEXT, 4096),
			    "10:11:12.123456789: Warning f=x\\n15:00:00.000000000: Critical FAKE "
			    "\\x1b[31m\\x9b\\x7f\\xc2\\x85\\xff \"q\" \\ \xc3\xa9 tab\\t\n");
	vgl_alert_unref(a);
}

/* A message longer than the buffer is cut on a character boundary, with "...". */
static void test_text_cut(void **state UNUSED)
{
	char msg[300];
	struct vgl_alert *a;
	const char *l;

	memset(msg, 'a', sizeof(msg));
	memcpy(msg + 60, "\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9", 8);
	msg[sizeof(msg) - 1] = '\0';
	a = talert("r", msg, T0);
	l = line(a, VGL_ALERT_TEXT, 100);
	/* 98 bytes fit: the prefix, 60 'a', three é and "..."; the 4th é would be split */
	assert_int_equal(strlen(l), 98);
	assert_memory_equal(l + 28 + 60, "\xc3\xa9\xc3\xa9\xc3\xa9...\n", 10);
	vgl_alert_unref(a);
}

/* A cut in the middle of one long run keeps every byte before the "...". */
static void test_text_cut_long_run(void **state UNUSED)
{
	char msg[400];
	struct vgl_alert *a;
	const char *l;

	memset(msg, 'z', sizeof(msg));
	msg[sizeof(msg) - 1] = '\0';
	a = talert("r", msg, T0);
	l = line(a, VGL_ALERT_TEXT, 100);
	assert_int_equal(strlen(l), 99);
	for (size_t i = 28; i < 95; i++)
		assert_int_equal(l[i], 'z');
	assert_string_equal(l + 95, "...\n");
	vgl_alert_unref(a);
}

static void test_encode_roundtrip(void **state UNUSED)
{
	struct vgl_alert *a = talert("rule \"one\"", "msg\nwith newline", T0), *b = NULL;
	uint8_t *buf;
	size_t len;

	assert_int_equal(vgl_alert_encode(a, &buf, &len), 0);
	assert_int_equal(vgl_alert_decode(buf, len, &b), 0);
	assert_int_equal(b->time_ns, T0);
	assert_int_equal(b->priority, 4);
	assert_string_equal(b->rule, "rule \"one\"");
	assert_string_equal(b->source, "syscall");
	assert_string_equal(b->hostname, "host-a");
	assert_string_equal(b->msg, "msg\nwith newline");
	assert_int_equal(b->msg_len, a->msg_len);
	assert_string_equal(b->json, a->json);
	assert_int_equal(b->ntags, 2);
	assert_string_equal(b->tags[1], "mitre_discovery");
	assert_true(vgl_alert_has_tag(b, "t1"));
	assert_false(vgl_alert_has_tag(b, "t"));
	vgl_alert_unref(b);
	/* every truncation and a flipped priority are refused, never read past the end */
	for (size_t n = 0; n < len; n++)
		assert_int_equal(vgl_alert_decode(buf, n, &b), -EINVAL);
	buf[8] = 9;
	assert_int_equal(vgl_alert_decode(buf, len, &b), -EINVAL);
	free(buf);
	vgl_alert_unref(a);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_text_line),	 cmocka_unit_test(test_text_escapes),
		cmocka_unit_test(test_text_cut),	 cmocka_unit_test(test_text_cut_long_run),
		cmocka_unit_test(test_encode_roundtrip),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
