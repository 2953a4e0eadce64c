// SPDX-License-Identifier: Apache-2.0
/*
 * rules/vigil_rules_daemon.yaml end to end: a second dockerd started for
 * real (tests/soak/dockerd.sh: its own data root, exec root, socket, pid
 * file and network namespace), once with bad settings (a TCP listener on
 * loopback without TLS, icc on, no userns-remap), once with good ones
 * (--icc=false --userns-remap=default), which must raise none of the rules.
 * One vigil serves both cases.
 *
 * Needs root and dockerd; without them the test skips, except with CI=true.
 */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "harness.h"

#define E2E_MS 90000

static const char *const rule_names[] = {
	"Docker daemon allows inter-container communication",
	"Docker daemon listening on TCP without TLS verification",
	"Docker daemon without user namespace remapping",
};

/* Alerts of the daemon rules whose cmdline holds @needle (the daemon's own socket). */
static size_t daemon_alerts(struct e2e_vigil *v, const char *needle, const json_t **ret_by_rule)
{
	size_t i, r, n = 0;
	json_t *a;

	e2e_refresh(v);
	json_array_foreach(v->alerts, i, a)
	{
		const char *rule = json_string_value(json_object_get(a, "rule"));
		const char *cmd = json_string_value(
			json_object_get(json_object_get(a, "output_fields"), "proc.cmdline"));

		for (r = 0; r < 3; r++) {
			if (rule && !strcmp(rule, rule_names[r]) && cmd && strstr(cmd, needle)) {
				n++;
				if (ret_by_rule)
					ret_by_rule[r] = a;
			}
		}
	}
	return n;
}

static void dockerd(const char *verb, const char *name, const char *flags)
{
	char *out = NULL;

	if (e2e_sh(&out, E2E_MS, "bash %s %s %s %s", e2e_source_path("tests/soak/dockerd.sh"), verb,
		   name, flags))
		fail_msg("dockerd.sh %s %s %s failed: %s", verb, name, flags, out);
	free(out);
}

static void test_daemon_posture(void **state)
{
	const char *const rules[] = { e2e_source_path("rules/vigil_rules_daemon.yaml"), NULL };
	const json_t *by_rule[3] = { NULL };
	char bad[64], good[64], port[16], flags[128], sock[128];
	struct e2e_vigil *v;

	(void)state;
	e2e_require_root();
	if (e2e_sh(NULL, 5000, "command -v dockerd >/dev/null && command -v unshare >/dev/null"))
		tu_skip_or_fail("dockerd or unshare is missing (docker.io, util-linux)");
	snprintf(bad, sizeof(bad), "soakbad%d", (int)getpid());
	snprintf(good, sizeof(good), "soakgood%d", (int)getpid());
	snprintf(port, sizeof(port), "%d", 23000 + (int)(getpid() % 2000));
	v = e2e_start(rules);

	/* bad: a TCP listener on loopback (in its own network namespace) without TLS */
	snprintf(flags, sizeof(flags), "-H tcp://127.0.0.1:%s --tls=false", port);
	snprintf(sock, sizeof(sock), "vigil-%s-docker.sock", bad);
	dockerd("start", bad, flags);
	for (int i = 0; i < 100 && daemon_alerts(v, sock, by_rule) < 3; i++)
		tu_sleep_ms(100);
	dockerd("stop", bad, "");
	for (int r = 0; r < 3; r++) {
		if (!by_rule[r])
			fail_msg("no alert \"%s\" for the dockerd of %s", rule_names[r], sock);
		e2e_assert_field(by_rule[r], "proc.name", "dockerd");
		e2e_assert_field_has(by_rule[r], "proc.cmdline", "tcp://127.0.0.1:");
		e2e_assert_field(by_rule[r], "docker.daemon.config", "/etc/docker/daemon.json");
	}
	e2e_assert_top(by_rule[0], "priority", "Notice");
	e2e_assert_field_bool(by_rule[0], "docker.daemon.icc", true);
	e2e_assert_top(by_rule[1], "priority", "Error");
	e2e_assert_field_bool(by_rule[1], "docker.daemon.tlsverify", false);
	e2e_assert_top(by_rule[2], "priority", "Notice");
	e2e_assert_field(by_rule[2], "docker.daemon.userns_remap", "");

	/* good: no TCP, icc off, userns-remap: none of the rules */
	snprintf(sock, sizeof(sock), "vigil-%s-docker.sock", good);
	dockerd("start", good, "--icc=false --userns-remap=default");
	tu_sleep_ms(2000);
	dockerd("stop", good, "");
	assert_int_equal(daemon_alerts(v, sock, NULL), 0);
	e2e_stop(v);
	e2e_free(v);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_daemon_posture),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
