// SPDX-License-Identifier: Apache-2.0
/*
 * `vigil replay`'s command line, in the style of run/args.c: one small
 * handler per option, each naming the problem with a bad value (exit 2).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "decode/event.h"
#include "run/replay.h"
#include "util/log.h"

const char vgl_replay_usage[] =
	"usage: vigil replay FILE... [options]   run capture files (vigil run -w) through\n"
	"                                        decode, state, rules and outputs; no root\n"
	"\n"
	"  -c, --config FILE      rules, outputs and settings of this config file (without\n"
	"                         -c none is read: default rules, alerts on stdout)\n"
	"  -r, --rules PATH       rule file or directory of *.yaml/*.yml (repeatable; default:\n"
	"                         as vigil run)\n"
	"  --first-match          raise only the first matching rule per event\n"
	"  --json                 JSON alerts and events; the summary as JSON\n"
	"  --events [KINDS]       print the events (all, or these: execve,openat,...); without\n"
	"                         -r, events instead of alerts\n"
	"  --since TIME           only events at or after TIME: RFC 3339\n"
	"                         (2026-12-05T10:00:00Z) or seconds since the epoch\n"
	"  --until TIME           only events before TIME\n"
	"  --container ID|NAME    only events of this container: its id, an id prefix of at\n"
	"                         least 12 characters, its name, or 'host'\n"
	"  --pid PID              only events of this process\n"
	"  --filter EXPR          only events matching this rule condition\n"
	"  -v, --verbose          say more on stderr\n"
	"\n"
	"The recorded state (processes, containers, users) is always applied; the options\n"
	"above select the events that are evaluated and printed.\n"
	"Exit status: 0 everything read; 1 a file could not be read; 2 usage error;\n"
	"3 read to the end, but damaged data was skipped (the summary says how much).\n";

/* Seconds with an optional fraction: "1796379072", "1796379072.25". */
static int parse_epoch(const char *s, int64_t *ret_ns)
{
	long long sec = 0;
	int64_t frac = 0, scale = 100000000;
	const char *p = s;

	if (*p < '0' || *p > '9')
		return -EINVAL;
	for (; *p >= '0' && *p <= '9'; p++) {
		if (sec > (INT64_MAX / 1000000000 - 9) / 10)
			return -ERANGE;
		sec = sec * 10 + (*p - '0');
	}
	if (*p == '.')
		for (p++; *p >= '0' && *p <= '9'; p++, scale /= 10)
			frac += scale * (*p - '0');
	if (*p)
		return -EINVAL;
	*ret_ns = (int64_t)sec * 1000000000 + frac;
	return 0;
}

/* "Z", "+01:00", "-0530" after an RFC 3339 time: the offset in seconds. */
static int parse_zone(const char *p, long *ret_off)
{
	int h, m, n = 0;

	if ((p[0] == 'Z' || p[0] == 'z') && !p[1]) {
		*ret_off = 0;
		return 0;
	}
	if ((p[0] != '+' && p[0] != '-') ||
	    (sscanf(p + 1, "%2d:%2d%n", &h, &m, &n) != 2 &&
	     sscanf(p + 1, "%2d%2d%n", &h, &m, &n) != 2) ||
	    p[1 + n] || h > 23 || m > 59)
		return -EINVAL;
	*ret_off = (p[0] == '-' ? -1 : 1) * (h * 3600L + m * 60L);
	return 0;
}

int vgl_replay_parse_time(const char *s, int64_t *ret_ns)
{
	struct tm tm = { 0 };
	int64_t frac = 0, scale = 100000000;
	const char *p;
	long off;
	time_t t;

	if (!parse_epoch(s, ret_ns))
		return 0;
	p = strptime(s, "%Y-%m-%d", &tm);
	if (!p || (*p != 'T' && *p != 't' && *p != ' '))
		return -EINVAL;
	p = strptime(p + 1, "%H:%M:%S", &tm);
	if (!p)
		return -EINVAL;
	if (*p == '.')
		for (p++; *p >= '0' && *p <= '9'; p++, scale /= 10)
			frac += scale * (*p - '0');
	if (parse_zone(p, &off))
		return -EINVAL;
	t = timegm(&tm);
	if (t == (time_t)-1 || t - off < 0)
		return -EINVAL;
	*ret_ns = (int64_t)(t - off) * 1000000000 + frac;
	return 0;
}

static int opt_time(const char *name, const char *arg, bool *ret_set, int64_t *ret_ns)
{
	if (vgl_replay_parse_time(arg, ret_ns))
		return vgl_usage_error("%s: '%s' is not a time: RFC 3339 (2026-12-05T10:00:00Z) "
				       "or seconds since the epoch",
				       name, arg);
	*ret_set = true;
	return 0;
}

static int opt_pid(struct vgl_replay_opts *o, const char *arg)
{
	unsigned long v;
	char *end;

	errno = 0;
	v = strtoul(arg, &end, 10);
	if (errno || end == arg || *end || arg[0] == '-' || v == 0 || v > UINT32_MAX)
		return vgl_usage_error("--pid: '%s' is not a process id", arg);
	o->pid = (uint32_t)v;
	o->pid_set = true;
	return 0;
}

static int opt_container(struct vgl_replay_opts *o, const char *arg)
{
	if (!arg[0] || strlen(arg) > 256)
		return vgl_usage_error("--container: '%s' is not a container id or name", arg);
	o->container = arg;
	return 0;
}

enum {
	O_RULES = 'r',
	O_CONFIG = 'c',
	O_VERBOSE = 'v',
	O_HELP = 'h',
	O_FIRST = 256,
	O_JSON,
	O_EVENTS,      /* --events, --events=KINDS */
	O_EVENTS_LIST, /* --events KINDS, rewritten by events_argv() */
	O_SINCE,
	O_UNTIL,
	O_CONTAINER,
	O_PID,
	O_FILTER,
};

static const struct option longopts[] = {
	{ "rules", required_argument, NULL, O_RULES },
	{ "config", required_argument, NULL, O_CONFIG },
	{ "first-match", no_argument, NULL, O_FIRST },
	{ "json", no_argument, NULL, O_JSON },
	{ "verbose", no_argument, NULL, O_VERBOSE },
	{ "events", optional_argument, NULL, O_EVENTS },
	{ "\001events-list", required_argument, NULL, O_EVENTS_LIST },
	{ "since", required_argument, NULL, O_SINCE },
	{ "until", required_argument, NULL, O_UNTIL },
	{ "container", required_argument, NULL, O_CONTAINER },
	{ "pid", required_argument, NULL, O_PID },
	{ "filter", required_argument, NULL, O_FILTER },
	{ "help", no_argument, NULL, O_HELP },
	{ 0 },
};

/* One option: 0, or the exit code. */
static int handle(struct vgl_replay_opts *o, int c, const char *arg)
{
	struct vgl_run_opts *r = &o->run;

	switch (c) {
	case O_RULES:
		return vgl_args_rules(r, arg);
	case O_CONFIG:
		r->config = arg;
		return 0;
	case O_FIRST:
		r->first_match = true;
		return r->set |= VGL_OPT_FIRST_MATCH, 0;
	case O_JSON:
		r->json = true;
		return r->set |= VGL_OPT_JSON, 0;
	case O_VERBOSE:
		r->verbose++;
		return r->set |= VGL_OPT_VERBOSE, 0;
	case O_EVENTS:
	case O_EVENTS_LIST:
		return vgl_args_events(r, arg ? arg : "all", true);
	case O_SINCE:
		return opt_time("--since", arg, &o->since_set, &o->since_ns);
	case O_UNTIL:
		return opt_time("--until", arg, &o->until_set, &o->until_ns);
	case O_CONTAINER:
		return opt_container(o, arg);
	case O_PID:
		return opt_pid(o, arg);
	case O_FILTER:
		o->filter = arg;
		return 0;
	case O_HELP:
		fputs(vgl_replay_usage, stdout);
		exit(0);
	default:
		return vgl_usage_error("invalid option for 'vigil replay'");
	}
}

/* "all" or event names separated by commas. */
static bool is_kind_list(const char *s)
{
	char buf[1024], *save = NULL;

	if (strlen(s) >= sizeof(buf) || !s[0])
		return false;
	strcpy(buf, s);
	for (char *t = strtok_r(buf, ",", &save); t; t = strtok_r(NULL, ",", &save)) {
		if (strcmp(t, "all") && vgl_kind_by_name(t) == VGL_EV_UNKNOWN)
			return false;
	}
	return true;
}

/*
 * `--events KINDS` takes the next argument when it is a list of event
 * kinds (else that is a file): getopt's optional arguments only come as
 * `--events=KINDS`, so such a pair is handed to getopt as the hidden
 * option that requires one.
 */
static void events_argv(int argc, char **argv, char **ret)
{
	static char hidden[] = "--\001events-list";

	for (int i = 0; i < argc; i++) {
		ret[i] = argv[i];
		if (i > 0 && !strcmp(argv[i], "--"))
			break;
		if (!strcmp(argv[i], "--events") && i + 1 < argc && is_kind_list(argv[i + 1]))
			ret[i] = hidden;
	}
	for (int i = 0; i < argc; i++)
		ret[i] = ret[i] ? ret[i] : argv[i];
	ret[argc] = NULL;
}

int vgl_replay_parse_args(int argc, char **argv, struct vgl_replay_opts *o)
{
	char **args = calloc((size_t)argc + 1, sizeof(*args));
	int c, ret = 0;

	memset(o, 0, sizeof(*o));
	if (!args)
		return vgl_usage_error("%s", strerror(ENOMEM));
	events_argv(argc, argv, args);
	optind = 1;
	while (!ret && (c = getopt_long(argc, args, "r:c:vh", longopts, NULL)) != -1)
		ret = handle(o, c, optarg);
	/* getopt moved the files to the end, in their order */
	o->files = (const char *const *)argv + optind;
	memcpy(argv + optind, args + optind, (size_t)(argc - optind) * sizeof(*argv));
	free(args);
	if (ret)
		return ret;
	o->nfiles = (size_t)(argc - optind);
	if (!o->nfiles)
		return vgl_usage_error("replay: no capture file given");
	if (o->nfiles > VGL_REPLAY_FILES_MAX)
		return vgl_usage_error("replay: more than %d files", VGL_REPLAY_FILES_MAX);
	if (o->since_set && o->until_set && o->until_ns <= o->since_ns)
		return vgl_usage_error("--until is not after --since");
	o->run.no_default_config = true;
	o->run.rules = !o->run.events || o->run.nrule_args > 0;
	return 0;
}
