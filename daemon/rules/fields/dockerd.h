/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The Docker daemon's posture (docker.daemon.* fields, f_docker.c): what its
 * command line and its config file (daemon.json) say about the settings the
 * CIS Docker Benchmark checks. Pure parsing: the file's bytes come from the
 * state tracker (rules/state.h config_file), so a capture replays them.
 *
 * dockerd refuses to start when a setting is given both as a flag and in the
 * file, so the flag, when given, is the daemon's setting, else the file's,
 * else Docker's default.
 */
#ifndef VIGIL_RULES_FIELDS_DOCKERD_H
#define VIGIL_RULES_FIELDS_DOCKERD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "rules/state.h"

#define VGL_DOCKERD_CONFIG     "/etc/docker/daemon.json" /* dockerd's default */
#define VGL_DOCKERD_CONFIG_MAX VGL_STATE_CONFIG_FILE_MAX
#define VGL_DOCKERD_HOSTS_MAX  8   /* listen addresses kept */
#define VGL_DOCKERD_STR_MAX    256 /* a string setting of the file, NUL included */
#define VGL_DOCKERD_NOT_SAID   (-1)

struct vgl_dockerd_str {
	const char *s; /* NULL: not said */
	size_t len;
};

/* What one source (command line or file) says; tri-states are -1 (not said), 0, 1. */
struct vgl_dockerd_says {
	int8_t icc, live_restore, tls, tlsverify;
	struct vgl_dockerd_str userns_remap;
	struct vgl_dockerd_str config_file; /* --config-file (command line only) */
	struct vgl_dockerd_str hosts[VGL_DOCKERD_HOSTS_MAX];
	size_t nhosts;
	bool hosts_said;
};

/*
 * The settings of dockerd's arguments (argv[1..], NUL-separated, @len
 * bytes) as Go's pflag reads them: --name=value, --name value, -H value,
 * -Hvalue, bool flags alone (true) or --name=bool. Strings point into @args.
 */
void vgl_dockerd_parse_args(const char *args, size_t len, struct vgl_dockerd_says *ret);

/*
 * The settings of a daemon.json (@len bytes, at most VGL_DOCKERD_CONFIG_MAX).
 * Strings are copied into @buf (@bufsz bytes). Returns 0, or -EINVAL with
 * a message in @err (not JSON, not an object, a setting of the wrong type,
 * too large).
 */
int vgl_dockerd_parse_json(const char *data, size_t len, struct vgl_dockerd_says *ret, char *buf,
			   size_t bufsz, char *err, size_t errlen);

/* true when @host (-H value) is a TCP listen address (tcp://, or host:port). */
bool vgl_dockerd_host_is_tcp(const char *host, size_t len);

#endif /* VIGIL_RULES_FIELDS_DOCKERD_H */
