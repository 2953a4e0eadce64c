// SPDX-License-Identifier: Apache-2.0
/*
 * `vigil run`'s command line: one small handler per option, each naming
 * the problem with a bad value (exit 2).
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config/config.h"
#include "decode/event.h"
#include "rules/rulefiles.h"
#include "run/run.h"
#include "util/log.h"

const char vgl_run_usage[] =
	"usage: vigil run [options]             evaluate rules, deliver alerts (and print events)\n"
	"       vigil run --check-config [-c FILE] validate the config file\n"
	"       vigil replay FILE... [options]  run a capture through the rules (no root; see\n"
	"                                       'vigil replay --help')\n"
	"       vigil rules check|list|explain [-r RULES]... [-v]\n"
	"                                       validate or list rules; explain: the\n"
	"                                       in-kernel prefilter they give\n"
	"       vigil reload [--timeout S] PID  reload the rules of the vigil run PID and wait:\n"
	"                                       exit 0 once the new rules run, 1 if they\n"
	"                                       could not be loaded (the old ones are kept)\n"
	"       vigil version                   print the version\n"
	"\n"
	"run options (a flag wins over the config file):\n"
	"  -c, --config FILE      config file (default " VGL_CONFIG_DEFAULT ", if it exists)\n"
	"  --check-config         validate the config file and its outputs, exit 0 or 1\n"
	"  -r, --rules PATH       rule file or directory of *.yaml/*.yml (repeatable; default:\n"
	"                         the config's rules, " VIGIL_RULES_DIR ", else the source\n"
	"                         tree's rules/)\n"
	"  --first-match          raise only the first matching rule per event\n"
	"  --no-prefilter         send every open to userspace, not only those a rule may\n"
	"                         match (diagnosis; 'vigil rules explain' shows the filter)\n"
	"  --json                 JSON lines: Falco-compatible alerts, events as in "
	"docs/events.md\n"
	"  -v, --verbose          log hook choices (-vv: also libbpf's messages)\n"
	"  --events KIND,...      print these events (Falco names: execve,openat,...; 'all');\n"
	"                         without -r, print events instead of alerts\n"
	"  --ringbuf-size BYTES   kernel ring buffer size, power of two (default 8M)\n"
	"  --wakeup-bytes BYTES   wake the reader once this much is queued (default 64K)\n"
	"  --duration SECONDS     stop after this long (default: until SIGINT/SIGTERM)\n"
	"  -w, --write PATH       record every event (with the state rules read) to a\n"
	"                         capture file for 'vigil replay'; rotation: config capture:\n"
	"  --capture-filter EXPR  record only the events matching this rule condition,\n"
	"                         e.g. 'container.id != host' (with -w)\n"
	"  --host-root DIR        the host's / is mounted at DIR (in a container): runtime\n"
	"                         state, /etc/passwd and overlay layers are read under it\n"
	"  --syscall-hook MODE    auto (default): each wanted syscall's own exit tracepoint\n"
	"                         where the kernel allows, else tp_btf/sys_exit; tracepoints:\n"
	"                         those or fail; raw: tp_btf/sys_exit for every syscall\n";

/* "64K", "8M", "1G" or plain bytes. */
static int parse_size(const char *s, uint64_t *ret)
{
	unsigned long long v;
	char *end;
	int shift = 0;

	errno = 0;
	v = strtoull(s, &end, 10);
	if (errno || end == s || s[0] == '-')
		return -EINVAL;
	switch (*end) {
	case 'K':
	case 'k':
		shift = 10;
		break;
	case 'M':
	case 'm':
		shift = 20;
		break;
	case 'G':
	case 'g':
		shift = 30;
		break;
	}
	if (shift)
		end++;
	if (*end || v > (UINT64_MAX >> shift))
		return -EINVAL;
	*ret = v << shift;
	return 0;
}

int vgl_args_events(struct vgl_run_opts *o, const char *list, bool any_arch)
{
	struct vgl_kindset *set = &o->print;
	char buf[1024], *save = NULL;

	if (strlen(list) >= sizeof(buf))
		return vgl_usage_error("--events: list too long");
	strcpy(buf, list);
	memset(set, 0, sizeof(*set));
	o->events = true;
	if (strcmp(list, "all") == 0) {
		for (int k = 1; k < VGL_EV_MAX; k++)
			set->has[k] =
				any_arch || vgl_kind_has_syscall(k) || vgl_kind_from_userspace(k);
		return 0;
	}
	for (char *tok = strtok_r(buf, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
		enum vgl_kind kind = vgl_kind_by_name(tok);

		if (kind == VGL_EV_UNKNOWN)
			return vgl_usage_error("--events: unknown event '%s'", tok);
		if (any_arch || vgl_kind_from_userspace(kind)) {
			set->has[kind] = true;
			continue;
		}
		if (!vgl_kind_has_extractor(kind) && kind != VGL_EV_PROCEXIT &&
		    !(kind >= VGL_EV_CLONE && kind <= VGL_EV_VFORK))
			return vgl_usage_error("--events: '%s' cannot be captured here", tok);
		if (!vgl_kind_has_syscall(kind)) {
			/* one list serves x86_64 and arm64 (no open, unlink, fork...) */
			vgl_warn("--events: this architecture has no '%s' syscall; ignored", tok);
			continue;
		}
		set->has[kind] = true;
	}
	return 0;
}

static int opt_ringbuf(struct vgl_run_opts *o, const char *arg)
{
	uint64_t size;

	if (parse_size(arg, &size) || !vgl_bpf_ringbuf_size_ok(size))
		return vgl_usage_error(
			"--ringbuf-size: '%s' is not a power of two between 4K and 1G", arg);
	o->ringbuf_size = (uint32_t)size;
	return 0;
}

static int opt_wakeup(struct vgl_run_opts *o, const char *arg)
{
	if (parse_size(arg, &o->wakeup_bytes) || o->wakeup_bytes == 0)
		return vgl_usage_error("--wakeup-bytes: '%s' is not a size", arg);
	return 0;
}

static int opt_duration(struct vgl_run_opts *o, const char *arg)
{
	char *end;

	o->duration = strtod(arg, &end);
	if (*end || end == arg || !(o->duration > 0) || o->duration > 1e9)
		return vgl_usage_error("--duration: '%s' is not a positive number of seconds", arg);
	return 0;
}

static int opt_host_root(struct vgl_run_opts *o, const char *arg)
{
	if (arg[0] != '/')
		return vgl_usage_error("--host-root: '%s' is not an absolute path", arg);
	o->host_root = arg;
	return 0;
}

static int opt_hook(struct vgl_run_opts *o, const char *arg)
{
	static const char *const names[] = { "auto", "tracepoints", "raw" };
	static const enum vgl_syscall_hook hooks[] = { VGL_SYSCALL_HOOK_AUTO,
						       VGL_SYSCALL_HOOK_TRACEPOINTS,
						       VGL_SYSCALL_HOOK_RAW };

	for (size_t i = 0; i < 3; i++) {
		if (!strcmp(arg, names[i])) {
			o->syscall_hook = hooks[i];
			return 0;
		}
	}
	return vgl_usage_error("--syscall-hook: '%s' is not auto, tracepoints or raw", arg);
}

int vgl_args_rules(struct vgl_run_opts *o, const char *arg)
{
	static const char *rule_args[VGL_RULE_FILES_MAX];

	if (o->nrule_args >= VGL_RULE_FILES_MAX)
		return vgl_usage_error("too many -r options");
	rule_args[o->nrule_args++] = arg;
	o->rule_args = rule_args;
	return 0;
}

static int opt_write(struct vgl_run_opts *o, const char *arg)
{
	if (!arg[0])
		return vgl_usage_error("-w: an empty path");
	o->capture_path = arg;
	return 0;
}

enum {
	O_RULES = 'r',
	O_CONFIG = 'c',
	O_WRITE = 'w',
	O_VERBOSE = 'v',
	O_HELP = 'h',
	O_FIRST = 256,
	O_JSON,
	O_EVENTS,
	O_RINGBUF,
	O_WAKEUP,
	O_DURATION,
	O_HOST_ROOT,
	O_HOOK,
	O_CHECK,
	O_CAPTURE_FILTER,
	O_NO_PREFILTER,
};

static const struct option longopts[] = {
	{ "rules", required_argument, NULL, O_RULES },
	{ "config", required_argument, NULL, O_CONFIG },
	{ "check-config", no_argument, NULL, O_CHECK },
	{ "first-match", no_argument, NULL, O_FIRST },
	{ "json", no_argument, NULL, O_JSON },
	{ "verbose", no_argument, NULL, O_VERBOSE },
	{ "events", required_argument, NULL, O_EVENTS },
	{ "ringbuf-size", required_argument, NULL, O_RINGBUF },
	{ "wakeup-bytes", required_argument, NULL, O_WAKEUP },
	{ "duration", required_argument, NULL, O_DURATION },
	{ "host-root", required_argument, NULL, O_HOST_ROOT },
	{ "syscall-hook", required_argument, NULL, O_HOOK },
	{ "write", required_argument, NULL, O_WRITE },
	{ "capture-filter", required_argument, NULL, O_CAPTURE_FILTER },
	{ "no-prefilter", no_argument, NULL, O_NO_PREFILTER },
	{ "help", no_argument, NULL, O_HELP },
	{ 0 },
};

/* One option: 0, or the exit code. */
static int handle(struct vgl_run_opts *o, int c, const char *arg)
{
	switch (c) {
	case O_RULES:
		return vgl_args_rules(o, arg);
	case O_CONFIG:
		o->config = arg;
		return 0;
	case O_CHECK:
		o->check_config = true;
		return 0;
	case O_FIRST:
		o->first_match = true;
		return o->set |= VGL_OPT_FIRST_MATCH, 0;
	case O_JSON:
		o->json = true;
		return o->set |= VGL_OPT_JSON, 0;
	case O_VERBOSE:
		o->verbose++;
		return o->set |= VGL_OPT_VERBOSE, 0;
	case O_EVENTS:
		return vgl_args_events(o, arg, false);
	case O_RINGBUF:
		return o->set |= VGL_OPT_RINGBUF, opt_ringbuf(o, arg);
	case O_WAKEUP:
		return o->set |= VGL_OPT_WAKEUP, opt_wakeup(o, arg);
	case O_DURATION:
		return opt_duration(o, arg);
	case O_HOST_ROOT:
		return o->set |= VGL_OPT_HOST_ROOT, opt_host_root(o, arg);
	case O_HOOK:
		return o->set |= VGL_OPT_HOOK, opt_hook(o, arg);
	case O_WRITE:
		return opt_write(o, arg);
	case O_CAPTURE_FILTER:
		o->capture_filter = arg;
		return 0;
	case O_NO_PREFILTER:
		o->no_prefilter = true;
		return 0;
	case O_HELP:
		fputs(vgl_run_usage, stdout);
		exit(0);
	default:
		return vgl_usage_error("invalid option for 'vigil run'");
	}
}

int vgl_run_parse_args(int argc, char **argv, struct vgl_run_opts *o)
{
	int c, ret;

	memset(o, 0, sizeof(*o));
	o->ringbuf_size = VGL_RINGBUF_DEFAULT;
	o->wakeup_bytes = 64 << 10;
	optind = 1;
	while ((c = getopt_long(argc, argv, "r:c:w:vh", longopts, NULL)) != -1) {
		ret = handle(o, c, optarg);
		if (ret)
			return ret;
	}
	if (optind < argc)
		return vgl_usage_error("unexpected argument '%s'", argv[optind]);
	o->rules = !o->events || o->nrule_args > 0;
	return 0;
}
