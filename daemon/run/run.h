/* SPDX-License-Identifier: Apache-2.0 */
/* `vigil run`: load, attach, consume, deliver, stop cleanly. */
#ifndef VIGIL_RUN_RUN_H
#define VIGIL_RUN_RUN_H

#include <stdbool.h>
#include <stdint.h>

#include "bpf/loader.h"
#include "bpf/syscalls.h"

/*
 * `vigil run`'s settings from the command line. A flag that was given is
 * marked in @set (VGL_OPT_*) and wins over the config file.
 */
enum vgl_run_opt {
	VGL_OPT_JSON = 1u << 0,
	VGL_OPT_FIRST_MATCH = 1u << 1,
	VGL_OPT_RINGBUF = 1u << 2,
	VGL_OPT_WAKEUP = 1u << 3,
	VGL_OPT_HOOK = 1u << 4,
	VGL_OPT_HOST_ROOT = 1u << 5,
	VGL_OPT_VERBOSE = 1u << 6,
};

struct vgl_run_opts {
	unsigned int set; /* enum vgl_run_opt: flags given on the command line */
	bool json;
	struct vgl_kindset print;     /* kinds whose events to print */
	bool events;		      /* --events given */
	bool rules;		      /* evaluate rules and raise alerts */
	const char *const *rule_args; /* -r files or directories; none: config, defaults */
	size_t nrule_args;
	bool first_match;
	bool no_prefilter; /* --no-prefilter */
	uint32_t ringbuf_size;
	uint64_t wakeup_bytes;
	enum vgl_syscall_hook syscall_hook;
	int verbose;
	double duration;	    /* seconds; 0 runs until SIGINT / SIGTERM */
	const char *host_root;	    /* the host's / when vigil runs in a container; NULL "/" */
	const char *config;	    /* -c FILE; NULL: VGL_CONFIG_DEFAULT if it exists */
	bool check_config;	    /* --check-config: validate the config file and exit */
	const char *capture_path;   /* -w PATH; NULL: capture.path of the config */
	const char *capture_filter; /* --capture-filter EXPR; NULL: capture.filter */
	bool no_default_config;	    /* without -c, read no config file (replay) */
};

/* Parse `vigil run`'s arguments (argv[0] is "run"): 0, or the exit code (2). */
int vgl_run_parse_args(int argc, char **argv, struct vgl_run_opts *o);
extern const char vgl_run_usage[];

/*
 * Option handlers `vigil replay` shares (run/args.c): -r, and --events
 * (@any_arch: every kind is known, whatever syscalls this host has).
 * 0, or the exit code (2).
 */
int vgl_args_rules(struct vgl_run_opts *o, const char *arg);
int vgl_args_events(struct vgl_run_opts *o, const char *list, bool any_arch);

/* Returns the process exit code. */
int vgl_run(const struct vgl_run_opts *opts);

/* `vigil run --check-config [-c FILE]`: 0 when valid, 1 otherwise. */
int vgl_run_check_config(const struct vgl_run_opts *opts);

#endif /* VIGIL_RUN_RUN_H */
