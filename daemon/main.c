// SPDX-License-Identifier: Apache-2.0
/*
 * vigil's command line:
 *
 *	vigil run [-r RULES]... [--json] [-v] [--events KIND,...] [--first-match]
 *	          [--ringbuf-size BYTES] [--wakeup-bytes BYTES] [--duration SECONDS]
 *	          [--host-root DIR] [--syscall-hook auto|tracepoints|raw]
 *	vigil rules check|list [-r RULES]...
 *	vigil version
 *
 * `vigil run` evaluates rules and prints alerts; with --events (and no -r)
 * it prints the captured events instead, with both it prints both.
 *
 * Exit codes: 0 success, 1 runtime failure, 2 usage error.
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
#include "run/rulefiles.h"
#include "run/run.h"
#include "util/log.h"

#define EXIT_USAGE 2

static const char usage_text[] =
	"usage: vigil run [options]             evaluate rules, print alerts (and events)\n"
	"       vigil rules check|list [-r RULES]... validate or list rules\n"
	"       vigil version                   print the version\n"
	"\n"
	"run options:\n"
	"  -r, --rules PATH       rule file or directory of *.yaml (repeatable; default:\n"
	"                         " VIGIL_RULES_DIR ", else the source tree's rules/)\n"
	"  --first-match          raise only the first matching rule per event\n"
	"  --json                 JSON lines: Falco-compatible alerts, events as in "
	"docs/events.md\n"
	"  -v, --verbose          log hook choices (-vv: also libbpf's messages)\n"
	"  --events KIND,...      print these events (Falco names: execve,openat,...; 'all');\n"
	"                         without -r, print events instead of alerts\n"
	"  --ringbuf-size BYTES   kernel ring buffer size, power of two (default 8M)\n"
	"  --wakeup-bytes BYTES   wake the reader once this much is queued (default 64K)\n"
	"  --duration SECONDS     stop after this long (default: until SIGINT/SIGTERM)\n"
	"  --host-root DIR        the host's / is mounted at DIR (in a container): runtime\n"
	"                         state, /etc/passwd and overlay layers are read under it\n"
	"  --syscall-hook MODE    auto (default): each wanted syscall's own exit tracepoint\n"
	"                         where the kernel allows, else tp_btf/sys_exit; tracepoints:\n"
	"                         those or fail; raw: tp_btf/sys_exit for every syscall\n";

static int __attribute__((format(printf, 1, 2))) usage_error(const char *fmt, ...)
{
	va_list ap;

	fputs("vigil: error: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputs("\n(see 'vigil --help')\n", stderr);
	return EXIT_USAGE;
}

static int __attribute__((format(printf, 2, 0)))
libbpf_print(enum libbpf_print_level level, const char *fmt, va_list ap)
{
	if (vgl_log_get_level() < VGL_LOG_DEBUG)
		return 0;
	return vfprintf(stderr, fmt, ap);
}

/* "64K", "8M", "1G" or plain bytes. */
static int parse_size(const char *s, uint64_t *ret)
{
	char *end;
	unsigned long long v;

	errno = 0;
	v = strtoull(s, &end, 10);
	if (errno || end == s || s[0] == '-')
		return -EINVAL;
	switch (*end) {
	case 'K':
	case 'k':
		v <<= 10;
		end++;
		break;
	case 'M':
	case 'm':
		v <<= 20;
		end++;
		break;
	case 'G':
	case 'g':
		v <<= 30;
		end++;
		break;
	}
	if (*end)
		return -EINVAL;
	*ret = v;
	return 0;
}

static int parse_events(const char *list, struct vgl_kindset *set)
{
	char buf[1024], *save = NULL;

	if (strlen(list) >= sizeof(buf))
		return usage_error("--events: list too long");
	strcpy(buf, list);
	memset(set, 0, sizeof(*set));
	if (strcmp(list, "all") == 0) {
		for (int k = 1; k < VGL_EV_MAX; k++)
			set->has[k] = vgl_kind_has_syscall(k);
		return 0;
	}
	for (char *tok = strtok_r(buf, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
		enum vgl_kind kind = vgl_kind_by_name(tok);

		if (kind == VGL_EV_UNKNOWN)
			return usage_error("--events: unknown event '%s'", tok);
		if (!vgl_kind_has_extractor(kind) && kind != VGL_EV_PROCEXIT &&
		    !(kind >= VGL_EV_CLONE && kind <= VGL_EV_VFORK))
			return usage_error("--events: '%s' cannot be captured here", tok);
		if (!vgl_kind_has_syscall(kind)) {
			/* one list serves x86_64 and arm64 (no open, unlink, fork...) */
			vgl_warn("--events: this architecture has no '%s' syscall; ignored", tok);
			continue;
		}
		set->has[kind] = true;
	}
	return 0;
}

static int parse_run(int argc, char **argv, struct vgl_run_opts *o)
{
	static const struct option longopts[] = {
		{ "rules", required_argument, NULL, 'R' },
		{ "first-match", no_argument, NULL, 'f' },
		{ "json", no_argument, NULL, 'j' },
		{ "verbose", no_argument, NULL, 'v' },
		{ "events", required_argument, NULL, 'e' },
		{ "ringbuf-size", required_argument, NULL, 'b' },
		{ "wakeup-bytes", required_argument, NULL, 'w' },
		{ "duration", required_argument, NULL, 'd' },
		{ "host-root", required_argument, NULL, 'H' },
		{ "syscall-hook", required_argument, NULL, 'S' },
		{ "help", no_argument, NULL, 'h' },
		{ 0 },
	};
	static const char *rule_args[VGL_RULE_FILES_MAX];
	int c, verbose = 0, ret;
	bool events = false;
	uint64_t size;
	char *end;

	memset(o, 0, sizeof(*o));
	o->ringbuf_size = VGL_RINGBUF_DEFAULT;
	o->wakeup_bytes = 64 << 10;
	o->rule_args = rule_args;
	optind = 1;
	while ((c = getopt_long(argc, argv, "r:vh", longopts, NULL)) != -1) {
		switch (c) {
		case 'r':
		case 'R':
			if (o->nrule_args >= VGL_RULE_FILES_MAX)
				return usage_error("too many -r options");
			rule_args[o->nrule_args++] = optarg;
			break;
		case 'f':
			o->first_match = true;
			break;
		case 'j':
			o->json = true;
			break;
		case 'v':
			verbose++;
			break;
		case 'e':
			ret = parse_events(optarg, &o->print);
			if (ret)
				return ret;
			events = true;
			break;
		case 'b':
			if (parse_size(optarg, &size) || !vgl_bpf_ringbuf_size_ok(size))
				return usage_error("--ringbuf-size: '%s' is not a power of two "
						   "between 4K and 1G",
						   optarg);
			o->ringbuf_size = (uint32_t)size;
			break;
		case 'w':
			if (parse_size(optarg, &size) || size == 0)
				return usage_error("--wakeup-bytes: '%s' is not a size", optarg);
			o->wakeup_bytes = size;
			break;
		case 'd':
			o->duration = strtod(optarg, &end);
			if (*end || end == optarg || !(o->duration > 0) || o->duration > 1e9)
				return usage_error("--duration: '%s' is not a positive number of "
						   "seconds",
						   optarg);
			break;
		case 'H':
			if (optarg[0] != '/')
				return usage_error("--host-root: '%s' is not an absolute path",
						   optarg);
			o->host_root = optarg;
			break;
		case 'S':
			if (strcmp(optarg, "auto") == 0)
				o->syscall_hook = VGL_SYSCALL_HOOK_AUTO;
			else if (strcmp(optarg, "tracepoints") == 0)
				o->syscall_hook = VGL_SYSCALL_HOOK_TRACEPOINTS;
			else if (strcmp(optarg, "raw") == 0)
				o->syscall_hook = VGL_SYSCALL_HOOK_RAW;
			else
				return usage_error("--syscall-hook: '%s' is not auto, tracepoints "
						   "or raw",
						   optarg);
			break;
		case 'h':
			fputs(usage_text, stdout);
			exit(0);
		default:
			return usage_error("invalid option for 'vigil run'");
		}
	}
	if (optind < argc)
		return usage_error("unexpected argument '%s'", argv[optind]);
	o->rules = !events || o->nrule_args > 0;
	vgl_log_set_level(verbose >= 2 ? VGL_LOG_DEBUG : verbose ? VGL_LOG_INFO : VGL_LOG_WARN);
	return 0;
}

/* `vigil rules ...` with the default rule files when no -r is given. */
static int cmd_rules(int argc, char **argv)
{
	struct vgl_rule_files dflt;
	char err[512];
	int ret;

	if (vgl_rule_files_expand(NULL, 0, &dflt, err, sizeof(err))) {
		dflt.n = 0;
		if (!(argc > 2 && (strcmp(argv[2], "-r") == 0 || strcmp(argv[2], "--rules") == 0)))
			vgl_warn("%s", err);
	}
	ret = vgl_cmd_rules(argc, argv, (const char *const *)dflt.path, dflt.n);
	vgl_rule_files_free(&dflt);
	return ret;
}

int main(int argc, char **argv)
{
	struct vgl_run_opts opts;
	int ret;

	libbpf_set_print(libbpf_print);
	if (argc < 2)
		return usage_error("no command given");
	if (strcmp(argv[1], "version") == 0 || strcmp(argv[1], "--version") == 0) {
		printf("vigil %s (wire format %d)\n", VIGIL_VERSION, VGL_WIRE_VERSION);
		return 0;
	}
	if (strcmp(argv[1], "help") == 0 || strcmp(argv[1], "--help") == 0 ||
	    strcmp(argv[1], "-h") == 0) {
		fputs(usage_text, stdout);
		return 0;
	}
	if (strcmp(argv[1], "rules") == 0)
		return cmd_rules(argc - 1, argv + 1);
	if (strcmp(argv[1], "run") == 0) {
		ret = parse_run(argc - 1, argv + 1, &opts);
		if (ret)
			return ret;
		return vgl_run(&opts);
	}
	return usage_error("unknown command '%s'", argv[1]);
}
