/* SPDX-License-Identifier: Apache-2.0 */
/* `vigil run`: load, attach, consume, print, stop cleanly. */
#ifndef VIGIL_RUN_RUN_H
#define VIGIL_RUN_RUN_H

#include <stdbool.h>
#include <stdint.h>

#include "bpf/loader.h"
#include "bpf/syscalls.h"

struct vgl_run_opts {
	bool json;
	struct vgl_kindset print;     /* kinds whose events to print */
	bool rules;		      /* evaluate rules and print alerts */
	const char *const *rule_args; /* -r files or directories; none: defaults */
	size_t nrule_args;
	bool first_match;
	uint32_t ringbuf_size;
	uint64_t wakeup_bytes;
	enum vgl_syscall_hook syscall_hook;
	double duration;       /* seconds; 0 runs until SIGINT / SIGTERM */
	const char *host_root; /* the host's / when vigil runs in a container; NULL "/" */
};

/* Returns the process exit code. */
int vgl_run(const struct vgl_run_opts *opts);

#endif /* VIGIL_RUN_RUN_H */
