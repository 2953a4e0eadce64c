/* SPDX-License-Identifier: Apache-2.0 */
/*
 * `vigil replay FILE...`: capture files through the stages live mode uses
 * after its source (decode -> state -> rules -> output stage, and the event
 * printer), with the state the capture recorded instead of the host's. No
 * root, no BPF (docs/replay.md).
 */
#ifndef VIGIL_RUN_REPLAY_H
#define VIGIL_RUN_REPLAY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "run/run.h"

#define VGL_REPLAY_FILES_MAX 100000

/* Exit codes besides 0, 1 (a file could not be read) and 2 (usage). */
#define VGL_REPLAY_EXIT_SKIPPED 3 /* read to the end, but damaged data was skipped */

struct vgl_replay_opts {
	struct vgl_run_opts run; /* -c, -r, --json, --events, --first-match, -v */
	const char *const *files;
	size_t nfiles;
	bool since_set, until_set;
	int64_t since_ns, until_ns; /* wall clock, ns since the epoch */
	const char *container;	    /* id, id prefix (>= 12), name, or "host" */
	bool pid_set;
	uint32_t pid;
	const char *filter; /* a rule condition */
};

extern const char vgl_replay_usage[];

/* Parse `vigil replay`'s arguments (argv[0] is "replay"): 0, or the exit code (2). */
int vgl_replay_parse_args(int argc, char **argv, struct vgl_replay_opts *o);

/* RFC 3339 ("2026-12-05T10:00:00Z", "...10:00:00.5+01:00") or seconds since the epoch. */
int vgl_replay_parse_time(const char *s, int64_t *ret_ns);

/* Returns the process exit code. */
int vgl_replay(const struct vgl_replay_opts *o);

#endif /* VIGIL_RUN_REPLAY_H */
