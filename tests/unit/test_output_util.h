/* SPDX-License-Identifier: Apache-2.0 */
/* Test helpers for the output stage: alerts made by hand, temporary directories. */
#ifndef VIGIL_TESTS_TEST_OUTPUT_UTIL_H
#define VIGIL_TESTS_TEST_OUTPUT_UTIL_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "output/alert.h"

/* An alert of rule @rule whose message is @msg, at @ns. */
static inline struct vgl_alert *talert(const char *rule, const char *msg, int64_t ns)
{
	static const char *const tags[] = { "t1", "mitre_discovery" };
	char json[512];
	struct vgl_alert_parts p = {
		.time_ns = ns,
		.priority = 4,
		.rule = rule,
		.source = "syscall",
		.hostname = "host-a",
		.msg = msg,
		.msg_len = strlen(msg),
		.json = json,
		.tags = tags,
		.ntags = 2,
	};
	struct vgl_alert *a;

	snprintf(json, sizeof(json), "{\"rule\":\"%s\",\"n\":%lld}", rule, (long long)ns);
	p.json_len = strlen(json);
	a = vgl_alert_new(&p);
	assert_non_null(a);
	return a;
}

/* A new empty directory under /tmp; rm -rf it with trm(). */
static inline void tmkdir(char *buf, size_t size)
{
	snprintf(buf, size, "/tmp/vigil-unit-XXXXXX");
	assert_non_null(mkdtemp(buf));
}

static inline void trm(const char *dir)
{
	char cmd[512];

	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	assert_int_equal(system(cmd), 0);
}

#endif /* VIGIL_TESTS_TEST_OUTPUT_UTIL_H */
