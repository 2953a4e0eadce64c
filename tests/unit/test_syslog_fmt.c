// SPDX-License-Identifier: Apache-2.0
/*
 * Syslog messages of alerts, byte for byte, as docs/outputs/syslog.md
 * specifies them: RFC 5424 and RFC 3164 headers, the SD element and its
 * escaping, MSG escaped (text) or made printable ASCII (JSON), the cut at
 * max_message on a UTF-8 boundary, and the octet-counting frame.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <cmocka.h>

#include "output/syslog_fmt.h"

#define UNUSED __attribute__((unused))

/* 2026-11-22T08:10:00.123456789Z */
#define WALL_NS 1795335000123456789LL

static const char *const tags[] = { "vigil_test", "filesystem", "T1005" };
static char buf[VGL_SYSLOG_MESSAGE_MAX + 1];

static struct vgl_alert *alert(const char *rule, const char *msg, const char *json)
{
	struct vgl_alert_parts p = {
		.time_ns = WALL_NS,
		.priority = 4, /* Warning */
		.rule = rule,
		.source = "syscall",
		.hostname = "node-7",
		.msg = msg,
		.msg_len = strlen(msg),
		.json = json,
		.json_len = strlen(json),
		.tags = tags,
		.ntags = 3,
	};
	struct vgl_alert *a = vgl_alert_new(&p);

	assert_non_null(a);
	return a;
}

static struct vgl_syslog_fmt fmt5424(void)
{
	return (struct vgl_syslog_fmt){
		.protocol = VGL_SYSLOG_RFC5424,
		.facility = 19, /* local3 */
		.hostname = "web-1",
		.app_name = "vigil",
		.procid = 812,
		.msg = VGL_ALERT_TEXT,
		.max_message = 8192,
	};
}

/* Format @a with @f, check the exact bytes against @want, free @a. */
static void expect(const struct vgl_syslog_fmt *f, struct vgl_alert *a, const char *want)
{
	size_t n = vgl_syslog_format(f, a, buf, sizeof(buf));

	assert_string_equal(buf, want);
	assert_int_equal(n, strlen(want));
	vgl_alert_unref(a);
}

static void test_rfc5424(void **state UNUSED)
{
	struct vgl_syslog_fmt f = fmt5424();

	expect(&f, alert("Write below etc", "File below /etc opened (file=/etc/x)", "{}"),
	       "<156>1 2026-11-22T08:10:00.123456Z web-1 vigil 812 alert "
	       "[vigil@32473 rule=\"Write below etc\" priority=\"Warning\" source=\"syscall\" "
	       "tags=\"vigil_test,filesystem,T1005\"] File below /etc opened (file=/etc/x)");
}

static void test_pri_and_nil(void **state UNUSED)
{
	struct vgl_syslog_fmt f = fmt5424();
	struct vgl_alert *a = alert("r", "m", "{}");

	/* kern.emerg is 0, local7.debug 191; no procid and no host name: NILVALUE */
	f.facility = 0;
	f.procid = 0;
	f.hostname = NULL;
	a->priority = 0;
	a->hostname = "";
	a->ntags = 0;
	expect(&f, a,
	       "<0>1 2026-11-22T08:10:00.123456Z - vigil - alert [vigil@32473 rule=\"r\" "
	       "priority=\"Emergency\" source=\"syscall\" tags=\"\"] m");
	f.facility = 23;
	a = alert("r", "", "{}");
	a->priority = 7;
	a->ntags = 1;
	expect(&f, a,
	       "<191>1 2026-11-22T08:10:00.123456Z node-7 vigil - alert [vigil@32473 rule=\"r\" "
	       "priority=\"Debug\" source=\"syscall\" tags=\"vigil_test\"]");
}

static void test_hostname_printable(void **state UNUSED)
{
	struct vgl_syslog_fmt f = fmt5424();
	struct vgl_alert *a = alert("r", "m", "{}");

	f.hostname = NULL;
	a->hostname = "bad host\n\xc3\xa9";
	a->ntags = 0;
	expect(&f, a,
	       "<156>1 2026-11-22T08:10:00.123456Z bad_host___ vigil 812 alert "
	       "[vigil@32473 rule=\"r\" priority=\"Warning\" source=\"syscall\" tags=\"\"] m");
}

static void test_sd_escaping(void **state UNUSED)
{
	static const char *const evil_tags[] = { "a\"b", "c]d", "e\\f", "g\nh" };
	struct vgl_syslog_fmt f = fmt5424();
	struct vgl_alert *a = alert("say \"hi\" \\ [x] \x1b[0m", "m", "{}");

	a->tags = evil_tags;
	a->ntags = 4;
	/* '"', '\\' and ']' escaped by a backslash; a control character as \xNN first */
	expect(&f, a,
	       "<156>1 2026-11-22T08:10:00.123456Z web-1 vigil 812 alert "
	       "[vigil@32473 rule=\"say \\\"hi\\\" \\\\ [x\\] \\\\x1b[0m\" priority=\"Warning\" "
	       "source=\"syscall\" tags=\"a\\\"b,c\\]d,e\\\\f,g\\\\nh\"] m");
}

/* A long value is cut to its limit, never between a backslash and what it escapes. */
static void test_sd_value_limit(void **state UNUSED)
{
	struct vgl_syslog_fmt f = fmt5424();
	char rule[1001], want[600];
	struct vgl_alert *a;

	memset(rule, '"', 1000);
	rule[1000] = '\0';
	a = alert(rule, "m", "{}");
	a->ntags = 0;
	strcpy(want, "rule=\"");
	for (int i = 0; i < VGL_SYSLOG_SD_RULE_MAX / 2; i++)
		strcat(want, "\\\"");
	strcat(want, "\" priority=");
	vgl_syslog_format(&f, a, buf, sizeof(buf));
	assert_non_null(strstr(buf, want));
	vgl_alert_unref(a);

	/* "x" and 127 escaped quotes are 255 bytes: the next pair does not fit */
	rule[0] = 'x';
	a = alert(rule, "m", "{}");
	strcpy(want, "rule=\"x");
	for (int i = 0; i < (VGL_SYSLOG_SD_RULE_MAX - 1) / 2; i++)
		strcat(want, "\\\"");
	strcat(want, "\" priority=");
	vgl_syslog_format(&f, a, buf, sizeof(buf));
	assert_non_null(strstr(buf, want));
	vgl_alert_unref(a);
}

static void test_msg_escaping(void **state UNUSED)
{
	struct vgl_syslog_fmt f = fmt5424();
	struct vgl_alert *a;

	f.protocol = VGL_SYSLOG_RFC3164;
	/* newline, ESC, C1 (U+0085), DEL and bytes that are not UTF-8; '"' and '\\' as they are */
	a = alert("r", "x\nFAKE <13>1 \x1b[31m\xc2\x85\x7f\xff\xc3 \"q\" \\ \xc3\xa9", "{}");
	expect(&f, a,
	       "<156>Nov 22 08:10:00 web-1 vigil[812]: x\\nFAKE <13>1 \\x1b[31m\\xc2\\x85\\x7f"
	       "\\xff\\xc3 \"q\" \\ \xc3\xa9");
}

static void test_json_msg(void **state UNUSED)
{
	struct vgl_syslog_fmt f = fmt5424();
	const char *json = "{\"output\":\"a\\nb\x7f\",\"rule\":\"r\"}";

	f.msg = VGL_ALERT_JSON;
	f.protocol = VGL_SYSLOG_RFC3164;
	f.procid = 0;
	expect(&f, alert("r", "m", json),
	       "<156>Nov 22 08:10:00 web-1 vigil: {\"output\":\"a\\nb\\u007f\",\"rule\":\"r\"}");
}

static void test_rfc3164_date(void **state UNUSED)
{
	struct vgl_syslog_fmt f = fmt5424();
	struct vgl_alert *a = alert("r", "m", "{}");

	f.protocol = VGL_SYSLOG_RFC3164;
	f.facility = 1;
	f.hostname = NULL;
	a->time_ns = 1799193599999999999LL; /* 2027-01-05T23:59:59.999999999Z */
	a->priority = 2;
	expect(&f, a, "<10>Jan  5 23:59:59 node-7 vigil[812]: m");

	/* local time, as syslog(3) writes it */
	setenv("TZ", "JST-9", 1);
	tzset();
	a = alert("r", "m", "{}");
	expect(&f, a, "<12>Nov 22 17:10:00 node-7 vigil[812]: m");
	setenv("TZ", "UTC", 1);
	tzset();

	/* to the local socket, as syslog(3): the daemon there adds the host */
	f.local = true;
	expect(&f, alert("r", "m", "{}"), "<12>Nov 22 08:10:00 vigil[812]: m");
}

/* MSG cut at max_message: ASCII exactly, a two-byte character not split. */
static void test_truncation(void **state UNUSED)
{
	struct vgl_syslog_fmt f = fmt5424();
	char *msg = malloc(8001);
	struct vgl_alert *a;
	size_t n, head, pre;

	assert_non_null(msg);
	memset(msg, 'a', 8000);
	msg[8000] = '\0';
	f.max_message = 2048;
	a = alert("r", msg, "{}");
	n = vgl_syslog_format(&f, a, buf, sizeof(buf));
	assert_int_equal(n, 2048);
	assert_int_equal(strlen(buf), 2048);
	head = (size_t)(strstr(buf, "] a") + 2 - buf);
	vgl_alert_unref(a);

	/* "é" (2 bytes) after 1 or 2 ASCII bytes, so that the last one would be split */
	pre = (2048 - head) % 2 ? 2 : 1;
	for (size_t i = pre; i + 1 < 8000; i += 2)
		memcpy(msg + i, "\xc3\xa9", 2);
	msg[7999] = '\0';
	a = alert("r", msg, "{}");
	n = vgl_syslog_format(&f, a, buf, sizeof(buf));
	vgl_alert_unref(a);
	assert_int_equal(n, 2047);
	assert_int_equal((unsigned char)buf[n - 1], 0xa9);
	assert_int_equal((unsigned char)buf[n - 2], 0xc3);

	/* an escape cut short leaves no control character behind */
	memset(msg, '\n', 7999);
	a = alert("r", msg, "{}");
	n = vgl_syslog_format(&f, a, buf, sizeof(buf));
	vgl_alert_unref(a);
	assert_int_equal(n, 2048);
	assert_null(memchr(buf, '\n', n));
	free(msg);
}

/* A buffer smaller than max_message bounds the message too. */
static void test_small_buffer(void **state UNUSED)
{
	struct vgl_syslog_fmt f = fmt5424();
	struct vgl_alert *a = alert("r", "0123456789", "{}");
	char small[40];

	f.protocol = VGL_SYSLOG_RFC3164;
	assert_int_equal(vgl_syslog_format(&f, a, small, sizeof(small)), 39);
	assert_string_equal(small, "<156>Nov 22 08:10:00 web-1 vigil[812]: ");
	vgl_alert_unref(a);
}

static void test_frame_prefix(void **state UNUSED)
{
	char p[VGL_SYSLOG_FRAME_PREFIX_MAX];

	assert_int_equal(vgl_syslog_frame_prefix(87, p, sizeof(p)), 3);
	assert_memory_equal(p, "87 ", 3);
	assert_int_equal(vgl_syslog_frame_prefix(VGL_SYSLOG_MESSAGE_MAX, p, sizeof(p)), 7);
	assert_memory_equal(p, "266240 ", 7);
}

static void test_names(void **state UNUSED)
{
	size_t i;

	assert_true(vgl_syslog_name_ok("web-1.example.org", VGL_SYSLOG_HOSTNAME_MAX));
	assert_false(vgl_syslog_name_ok("", 48));
	assert_false(vgl_syslog_name_ok("a b", 48));
	assert_false(vgl_syslog_name_ok("caf\xc3\xa9", 48));
	assert_false(vgl_syslog_name_ok("0123456789", 9));
	for (i = 0; vgl_syslog_facility_names[i]; i++) {
		if (!strcmp(vgl_syslog_facility_names[i], "local3"))
			assert_int_equal(vgl_syslog_facility_codes[i], 19);
		if (!strcmp(vgl_syslog_facility_names[i], "authpriv"))
			assert_int_equal(vgl_syslog_facility_codes[i], 10);
	}
	assert_int_equal(i, 20);
	assert_int_equal(vgl_syslog_facility_codes[i - 1], 23);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_rfc5424),
		cmocka_unit_test(test_pri_and_nil),
		cmocka_unit_test(test_hostname_printable),
		cmocka_unit_test(test_sd_escaping),
		cmocka_unit_test(test_sd_value_limit),
		cmocka_unit_test(test_msg_escaping),
		cmocka_unit_test(test_json_msg),
		cmocka_unit_test(test_rfc3164_date),
		cmocka_unit_test(test_truncation),
		cmocka_unit_test(test_small_buffer),
		cmocka_unit_test(test_frame_prefix),
		cmocka_unit_test(test_names),
	};

	setenv("TZ", "UTC", 1); /* RFC 3164 timestamps are local time */
	tzset();
	return cmocka_run_group_tests(tests, NULL, NULL);
}
