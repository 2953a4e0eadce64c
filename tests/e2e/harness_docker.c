// SPDX-License-Identifier: Apache-2.0
/*
 * Docker for the end-to-end tests: the engine, the offline busybox image,
 * container ids.
 */
#define _GNU_SOURCE
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "harness.h"
#include "harness_docker.h"

/* Start dockerd when `docker info` fails and wait up to 60 s for it. */
static void start_dockerd(void)
{
	if (e2e_sh(NULL, 5000, "command -v docker >/dev/null && command -v dockerd >/dev/null"))
		tu_skip_or_fail("docker is not installed (docker.io)");
	if (!e2e_sh(NULL, 30000, "docker info >/dev/null 2>&1"))
		return;
	print_message("starting dockerd (log: /tmp/vigil-dockerd.log)\n");
	if (e2e_sh(NULL, 5000, "setsid dockerd >/tmp/vigil-dockerd.log 2>&1 &"))
		fail_msg("could not start dockerd");
	for (int i = 0; e2e_sh(NULL, 10000, "docker info >/dev/null 2>&1"); i++) {
		if (i >= 60)
			fail_msg("dockerd did not answer within 60 s; see /tmp/vigil-dockerd.log");
		tu_sleep_ms(1000);
	}
}

void e2e_docker_ready(void)
{
	static bool ready;

	if (ready)
		return;
	start_dockerd();
	if (e2e_sh(NULL, 10000, "docker image inspect " E2E_IMAGE " >/dev/null 2>&1")) {
		if (access("/bin/busybox", X_OK) < 0)
			tu_skip_or_fail("/bin/busybox is missing (busybox-static)");
		if (e2e_sh(NULL, E2E_DOCKER_MS,
			   "d=$(mktemp -d) && mkdir \"$d/bin\" && cp /bin/busybox \"$d/bin/\" && "
			   "for a in $(/bin/busybox --list); do [ \"$a\" = busybox ] || "
			   "ln -s busybox \"$d/bin/$a\"; done && "
			   "tar -C \"$d\" -c . | docker import - " E2E_IMAGE " >/dev/null; "
			   "rc=$?; rm -rf \"$d\"; exit $rc"))
			fail_msg("could not import %s from /bin/busybox", E2E_IMAGE);
	}
	ready = true;
}

static void short_id(const char *id, const char *what, char ret_short_id[13])
{
	size_t n = strspn(id, "0123456789abcdef");

	if (n < 64)
		fail_msg("%s: no container id (64 hex digits) in \"%s\"", what, id);
	snprintf(ret_short_id, 13, "%s", id);
}

void e2e_docker_run_id(char ret_short_id[13], const char *fmt, ...)
{
	char args[2048];
	char *out = NULL;
	va_list ap;
	int rc;

	va_start(ap, fmt);
	vsnprintf(args, sizeof(args), fmt, ap);
	va_end(ap);
	rc = e2e_sh(&out, E2E_DOCKER_MS, "docker %s", args);
	if (rc)
		fail_msg("docker %s: exit %d (output: %s)", args, rc, out);
	short_id(out, args, ret_short_id);
	free(out);
}

void e2e_docker_cidfile(const char *path, char ret_short_id[13])
{
	char *id = tu_read_file(path);

	short_id(id, path, ret_short_id);
	free(id);
}
