/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Docker for the end-to-end tests: a running engine (dockerd is started when
 * `docker info` fails, and left running) and the image E2E_IMAGE, imported
 * offline from /bin/busybox (package busybox-static), so that no registry is
 * needed. Containers the tests start run with --network none and without
 * --privileged so that hosts without iptables or full capabilities can run
 * them. Without docker or busybox the tests skip, except with CI=true,
 * where they fail.
 */
#ifndef VIGIL_TESTS_E2E_HARNESS_DOCKER_H
#define VIGIL_TESTS_E2E_HARNESS_DOCKER_H

#include <stddef.h>

#define E2E_IMAGE      "vigil-e2e/busybox:1.0"
#define E2E_IMAGE_REPO "vigil-e2e/busybox"
#define E2E_IMAGE_TAG  "1.0"
#define E2E_DOCKER_MS  60000 /* one docker command, at most */

/* Docker answers and E2E_IMAGE exists; skips or fails (CI=true) otherwise. */
void e2e_docker_ready(void);

/*
 * Run `docker ...` (printf-style arguments after "docker "), expecting a
 * container id (64 hex digits) as its first output line, e.g. from
 * `run -d`; its first 12 digits (Falco's container.id) into @ret_short_id.
 */
void e2e_docker_run_id(char ret_short_id[13], const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/* The short id written by `docker run --cidfile @path`. */
void e2e_docker_cidfile(const char *path, char ret_short_id[13]);

#endif /* VIGIL_TESTS_E2E_HARNESS_DOCKER_H */
