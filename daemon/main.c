// SPDX-License-Identifier: Apache-2.0
/*
 * vigil's command line:
 *
 *	vigil run [-c FILE] [-r RULES]... [--json] [-v] [--events KIND,...] [--first-match]
 *	          [--ringbuf-size BYTES] [--wakeup-bytes BYTES] [--duration SECONDS]
 *	          [--host-root DIR] [--syscall-hook auto|tracepoints|raw]
 *	          [-w CAPTURE] [--capture-filter EXPR]
 *	vigil run --check-config [-c FILE]
 *	vigil replay FILE... [-c FILE] [-r RULES]... [--json] [--events [KINDS]] [--first-match]
 *	             [--since T] [--until T] [--container ID|NAME] [--pid PID] [--filter EXPR]
 *	vigil rules check|list|explain [-r RULES]... [-v]
 *	vigil version
 *
 * `vigil run` evaluates rules and delivers alerts to the configured outputs
 * (run/args.c parses its options); with --events (and no -r) it prints the
 * captured events instead, with both it does both. `vigil replay` runs
 * capture files (-w) through the same stages (run/replay_args.c).
 *
 * Exit codes: 0 success, 1 runtime failure, 2 usage error; replay: 3 when
 * damaged data was skipped.
 */
#include <errno.h>
#include <getopt.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <bpf/libbpf.h>

#include "bpf/loader.h"
#include "decode/event.h"
#include "rules/rules.h"
#include "run/reloadreq.h"
#include "run/replay.h"
#include "run/run.h"
#include "util/log.h"

static int __attribute__((format(printf, 2, 0)))
libbpf_print(enum libbpf_print_level level, const char *fmt, va_list ap)
{
	if (vgl_log_get_level() < VGL_LOG_DEBUG)
		return 0;
	return vfprintf(stderr, fmt, ap);
}

static int cmd_replay(int argc, char **argv)
{
	struct vgl_replay_opts opts;
	int ret = vgl_replay_parse_args(argc, argv, &opts);

	return ret ? ret : vgl_replay(&opts);
}

int main(int argc, char **argv)
{
	struct vgl_run_opts opts;
	int ret;

	libbpf_set_print(libbpf_print);
	if (argc < 2)
		return vgl_usage_error("no command given");
	if (strcmp(argv[1], "version") == 0 || strcmp(argv[1], "--version") == 0) {
		printf("vigil %s (wire format %d)\n", VIGIL_VERSION, VGL_WIRE_VERSION);
		return 0;
	}
	if (strcmp(argv[1], "help") == 0 || strcmp(argv[1], "--help") == 0 ||
	    strcmp(argv[1], "-h") == 0) {
		fputs(vgl_run_usage, stdout);
		return 0;
	}
	if (strcmp(argv[1], "rules") == 0)
		return vgl_cmd_rules(argc - 1, argv + 1);
	if (strcmp(argv[1], "reload") == 0)
		return vgl_cmd_reload(argc - 1, argv + 1);
	if (strcmp(argv[1], "replay") == 0)
		return cmd_replay(argc - 1, argv + 1);
	if (strcmp(argv[1], "run") == 0) {
		ret = vgl_run_parse_args(argc - 1, argv + 1, &opts);
		if (ret)
			return ret;
		return opts.check_config ? vgl_run_check_config(&opts) : vgl_run(&opts);
	}
	return vgl_usage_error("unknown command '%s'", argv[1]);
}
