// SPDX-License-Identifier: Apache-2.0
/*
 * `vigil run` as a whole: the errors a user meets (no privileges, usage
 * errors), --events selecting what is printed (or "all"), the final counters,
 * loss accounting with a tiny ring buffer, and draining on SIGTERM. The
 * human-readable output is in test_text.c.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <netinet/in.h>
#include <arpa/inet.h>
#include <stddef.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <sys/wait.h>

#include "harness.h"

#define NOBODY 65534

/* Lines of @text that are not empty. */
static unsigned int count_lines(const char *text)
{
	unsigned int n = 0;

	for (const char *p = text; *p;) {
		const char *nl = strchr(p, '\n');
		size_t len = nl ? (size_t)(nl - p) : strlen(p);

		n += len > 0;
		p += len + (nl != NULL);
	}
	return n;
}

/* --- not root: one line naming the privilege, non-zero exit ----------------- */

static void test_not_root(void **state)
{
	char *err;
	int status;

	(void)state;
	vh_require_root(); /* needed to become uid 65534 */
	status = vh_exec_vigil(&err, NOBODY, "run", "--json", "--events", "openat", NULL);
	if (!WIFEXITED(status) || WEXITSTATUS(status) == 0 ||
	    (!strstr(err, "CAP_BPF") && !strstr(err, "root")) || count_lines(err) != 1 ||
	    strstr(err, "libbpf")) {
		print_error("vigil run as uid %d: wait status 0x%x, stderr:\n%s\n", NOBODY, status,
			    err);
		free(err);
		fail_msg("want a non-zero exit and one stderr line naming CAP_BPF or root");
	}
	free(err);
}

/* --- an unknown --events name: usage error, exit 2, the name quoted back ----- */

static void test_unknown_event(void **state)
{
	char *err;
	int status;

	(void)state;
	status = vh_exec_vigil(&err, 0, "run", "--json", "--events", "openat,nosuchevent", NULL);
	if (!WIFEXITED(status) || WEXITSTATUS(status) != 2 || !strstr(err, "nosuchevent")) {
		print_error(
			"vigil run --events openat,nosuchevent: wait status 0x%x, stderr:\n%s\n",
			status, err);
		free(err);
		fail_msg("want exit status 2 and a message naming \"nosuchevent\"");
	}
	free(err);
}

/* --- other usage errors: exit 2, the offending option named ---------------- */

static void expect_usage_error(const char *what, const char *needle, const char *a1, const char *a2,
			       const char *a3)
{
	char *err;
	int status = vh_exec_vigil(&err, 0, a1, a2, a3, NULL);

	if (!WIFEXITED(status) || WEXITSTATUS(status) != 2 || !strstr(err, needle)) {
		print_error("vigil %s %s %s: wait status 0x%x, stderr:\n%s\n", a1, a2, a3 ? a3 : "",
			    status, err);
		free(err);
		fail_msg("%s: want exit status 2 and a message naming \"%s\"", what, needle);
	}
	free(err);
}

static void test_usage_errors(void **state)
{
	(void)state;
	expect_usage_error("bad --ringbuf-size", "ringbuf-size", "run", "--ringbuf-size", "abc");
	expect_usage_error("unknown option", "--no-such-option", "run", "--no-such-option", NULL);
}

/*
 * --- no tracefs: tp_btf/sys_exit instead, or an error if told to use them ----
 * Without tracefs (and no right to mount it) vigil cannot find the
 * per-syscall tracepoints: by default it says why in -v and hooks every
 * syscall's exit; --syscall-hook tracepoints makes that one error line.
 */

static void test_no_tracefs(void **state)
{
	static const char why[] = "(not used: syscalls/sys_exit_<name> tracepoints: no tracefs at "
				  "/sys/kernel/tracing: Operation not permitted";
	static const char want_err[] = "vigil: error: --syscall-hook tracepoints: "
				       "syscalls/sys_exit_<name> tracepoints: no "
				       "tracefs at /sys/kernel/tracing: Operation not permitted\n";
	char *err;
	int status;

	(void)state;
	vh_require_root();
	status = vh_exec_vigil_with(&err, vh_hide_tracefs, "run", "-v", "--events", "openat",
				    "--duration", "0.5", NULL);
	if (!WIFEXITED(status) || WEXITSTATUS(status) != 0 ||
	    !strstr(err, "vigil: hook: syscalls: tp_btf/sys_exit") || !strstr(err, why)) {
		print_error("vigil run -v without tracefs: wait status 0x%x, stderr:\n%s\n", status,
			    err);
		free(err);
		fail_msg("want exit 0 and the hook \"tp_btf/sys_exit\" %s", why);
	}
	free(err);

	status = vh_exec_vigil_with(&err, vh_hide_tracefs, "run", "--syscall-hook", "tracepoints",
				    "--events", "openat", NULL);
	if (!WIFEXITED(status) || WEXITSTATUS(status) != 1 || strcmp(err, want_err) != 0) {
		print_error("vigil run --syscall-hook tracepoints without tracefs: wait status "
			    "0x%x, stderr:\n%s\n",
			    status, err);
		free(err);
		fail_msg("want exit 1 and only: %s", want_err);
	}
	free(err);
}

/*
 * --- perf events refused: tp_btf/sys_exit instead ------------------------------
 * Attaching a tracepoint opens a perf event. Debian's kernels at
 * kernel.perf_event_paranoid=3 refuse that without CAP_SYS_ADMIN (the
 * systemd unit does not grant it) while tracefs is there; a seccomp filter
 * returning EACCES for perf_event_open(2) makes any kernel refuse it alike.
 * vigil must then hook tp_btf/sys_exit, capture, and say why in -v.
 */

static void refuse_perf_events(const void *arg)
{
	struct sock_filter f[] = {
		BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, nr)),
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, __NR_perf_event_open, 0, 1),
		BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ERRNO | EACCES),
		BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
	};
	struct sock_fprog prog = { .len = sizeof(f) / sizeof(f[0]), .filter = f };

	(void)arg;
	if (prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, &prog) < 0)
		_exit(125);
}

static void test_perf_refused(void **state)
{
	static const char why[] = "syscalls/sys_exit_<name> tracepoints: perf_event_open(2) "
				  "refused";
	char *err;
	int status;

	(void)state;
	vh_require_root();
	status = vh_exec_vigil_with(&err, refuse_perf_events, "run", "-v", "--events",
				    "openat,execve", "--duration", "0.5", NULL);
	if (!WIFEXITED(status) || WEXITSTATUS(status) != 0 ||
	    !strstr(err, "vigil: hook: syscalls: tp_btf/sys_exit") || !strstr(err, why) ||
	    !strstr(err, "Permission denied")) {
		print_error("vigil run -v with perf_event_open refused: wait status 0x%x, "
			    "stderr:\n%s\n",
			    status, err);
		free(err);
		fail_msg("want exit 0 and the hook \"tp_btf/sys_exit\" (not used: %s ...)", why);
	}
	free(err);
}

/* --- --events: only the kinds asked for are printed -------------------------- */

static void act_mixed(void *arg)
{
	struct sockaddr_in sin = { .sin_family = AF_INET,
				   .sin_port = htons(1),
				   .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	long *fd = arg;
	int s;

	*fd = syscall(SYS_openat, AT_FDCWD, "/etc/hostname", O_RDONLY);
	VH_CHECK(*fd >= 0);
	s = socket(AF_INET, SOCK_STREAM, 0);
	VH_CHECK(s >= 0);
	connect(s, (struct sockaddr *)&sin, sizeof(sin)); /* refused */
	VH_CHECK(dup(s) >= 0);
}

static void test_events_selects(void **state)
{
	struct vh_run *run = vh_start("openat");
	long *fd = vh_shared(sizeof(*fd));
	pid_t pid = vh_spawn("vgl-select", act_mixed, fd, NULL);
	size_t i, n;
	json_t *ev;

	(void)state;
	vh_stop(run);
	ev = vh_expect_arg_str(run, "openat", pid, "name", "/etc/hostname");
	vh_assert_res(ev, *fd);
	n = vh_count(run, "openat", 0, NULL, NULL);
	if (n != json_array_size(run->events)) {
		json_array_foreach(run->events, i, ev)
		{
			if (strcmp(json_string_value(json_object_get(ev, "type")), "openat") != 0) {
				vh_print_event("printed although not selected: ", ev);
				break;
			}
		}
		fail_msg("--events openat printed %zu events of other kinds",
			 json_array_size(run->events) - n);
	}
	vh_shared_free(fd, sizeof(*fd));
}

/*
 * --- --events all: every kind is printed. (Without --events, `vigil run`
 * evaluates rules and prints alerts: see `vigil run --help`.)
 */

static void test_events_all(void **state)
{
	struct vh_run *run = vh_start("all");
	long *fd = vh_shared(sizeof(*fd));
	pid_t pid = vh_spawn("vgl-default", act_mixed, fd, NULL);
	long long refused = -ECONNREFUSED;
	json_t *ev;

	(void)state;
	vh_stop(run);
	ev = vh_expect_arg_str(run, "openat", pid, "name", "/etc/hostname");
	vh_assert_res(ev, *fd);
	ev = vh_expect(run, "connect", pid, vh_pred_res_eq, &refused);
	vh_assert_arg_inet(ev, "addr", "AF_INET", "127.0.0.1", 1);
	vh_expect(run, "dup", pid, NULL, NULL);
	vh_expect(run, "socket", pid, NULL, NULL);
	vh_expect(run, "clone", getpid(), vh_pred_res_eq, /* the fork of the child */
		  &(long long){ pid });
	vh_expect(run, "procexit", pid, NULL, NULL);
	vh_shared_free(fd, sizeof(*fd));
}

/* --- the counters printed on exit add up ------------------------------------- */

static void act_opens(void *arg)
{
	(void)arg;
	for (int i = 0; i < 100; i++) {
		int fd = open("/etc/hostname", O_RDONLY);

		VH_CHECK(fd >= 0);
		close(fd);
	}
}

/* Fail, showing the counters, unless @ok. */
static void check_stat(const json_t *stats, bool ok, const char *what)
{
	char *s;

	if (ok)
		return;
	s = json_dumps(stats, JSON_COMPACT);
	print_error("vigil_stats: %s\n  %s\n", what, s);
	free(s);
	fail();
}

static void test_stats(void **state)
{
	struct vh_run *run = vh_start("openat");
	pid_t pid = vh_spawn("vgl-stats", act_opens, NULL, NULL);
	const json_t *kinds, *openat, *st;
	long long printed;

	(void)state;
	vh_stop(run);
	st = run->stats;
	assert_int_equal(vh_count(run, "openat", pid, NULL, NULL), 100);
	printed = tu_stat_int(st, NULL, "printed");
	check_stat(st, printed == (long long)json_array_size(run->events),
		   "printed differs from the number of lines on stdout");
	check_stat(st, tu_stat_int(st, NULL, "decode_errors") == 0, "decode_errors != 0");
	check_stat(st, tu_stat_int(st, NULL, "output_errors") == 0, "output_errors != 0");
	check_stat(st, tu_stat_int(st, "kernel", "rb_full") == 0, "kernel.rb_full != 0");
	check_stat(st, tu_stat_int(st, "kernel", "emitted") == tu_stat_int(st, NULL, "received"),
		   "kernel.emitted != received: records vanished without being counted");
	kinds = json_object_get(st, "kinds");
	openat = json_object_get(kinds, "openat");
	check_stat(st, json_is_object(openat), "no kinds.openat object");
	check_stat(st, tu_stat_int(kinds, "openat", "emitted") >= printed,
		   "kinds.openat.emitted < printed");
	check_stat(st, tu_stat_int(kinds, "openat", "rb_full") == 0, "kinds.openat.rb_full != 0");
	check_stat(st,
		   json_is_integer(json_object_get(openat, "truncated")) &&
			   json_is_integer(json_object_get(openat, "read_failed")),
		   "kinds.openat lacks truncated or read_failed");
}

/*
 * --- SIGTERM right after the syscalls, without waiting for the flush timer:
 * vigil drains the ring buffer before it exits, so nothing is missing.
 */

#define DRAIN_OPENS 1000

static void act_drain(void *arg)
{
	(void)arg;
	for (int i = 0; i < DRAIN_OPENS; i++) {
		int fd = open("/dev/null", O_RDONLY);

		VH_CHECK(fd >= 0);
		close(fd);
	}
}

static void test_sigterm_drains(void **state)
{
	struct vh_run *run = vh_start("openat");
	pid_t pid = vh_spawn("vgl-drain", act_drain, NULL, NULL);
	size_t n;

	(void)state;
	vh_stop_ex(run, SIGTERM, 0);
	n = vh_count(run, "openat", pid, NULL, NULL);
	if (n != DRAIN_OPENS)
		fail_msg("vigil stopped by SIGTERM printed %zu of the %d opens made just before", n,
			 DRAIN_OPENS);
}

/*
 * --- a ring buffer too small for a burst: what cannot be delivered is
 * counted, per kind, and the counters add up.
 */

#define BURST 100000

static void act_burst(void *arg)
{
	(void)arg;
	for (int i = 0; i < BURST; i++) {
		int fd = open("/dev/null", O_RDONLY);

		VH_CHECK(fd >= 0);
		close(fd);
	}
}

static void test_loss_accounting(void **state)
{
	struct vh_run *run = vh_start_opts(&(struct vh_opts){
		.events = "openat", .ringbuf_size = "16384", .allow_loss = true });
	pid_t pid = vh_spawn("vgl-burst", act_burst, NULL, NULL);
	const json_t *st, *kinds;
	long long rb_full, lost, mine;

	(void)state;
	vh_stop(run);
	st = run->stats;
	kinds = json_object_get(st, "kinds");
	rb_full = tu_stat_int(st, "kernel", "rb_full");
	lost = tu_stat_int(st, NULL, "lost");
	mine = (long long)vh_count(run, "openat", pid, NULL, NULL);
	check_stat(st, rb_full > 0, "a 16 KiB ring buffer absorbed 100000 opens: no rb_full");
	check_stat(st, rb_full == tu_stat_sum_kinds(st, "rb_full"),
		   "kernel.rb_full is not the sum of kinds.*.rb_full");
	check_stat(st, tu_stat_int(st, "kernel", "emitted") == tu_stat_sum_kinds(st, "emitted"),
		   "kernel.emitted is not the sum of kinds.*.emitted");
	check_stat(st,
		   lost == rb_full + tu_stat_int(st, NULL, "decode_errors") +
				   tu_stat_int(st, NULL, "output_errors"),
		   "lost != kernel.rb_full + decode_errors + output_errors");
	check_stat(st, tu_stat_int(st, "kernel", "emitted") == tu_stat_int(st, NULL, "received"),
		   "kernel.emitted != received");
	check_stat(st, tu_stat_int(st, NULL, "printed") == (long long)json_array_size(run->events),
		   "printed differs from the number of lines on stdout");
	/* Every open of the burst was either delivered or counted as lost. */
	check_stat(st,
		   tu_stat_int(kinds, "openat", "emitted") +
				   tu_stat_int(kinds, "openat", "rb_full") >=
			   BURST,
		   "kinds.openat.emitted + rb_full < the 100000 opens made");
	check_stat(st, mine <= BURST && mine + rb_full >= BURST,
		   "the burst's printed events plus the drops do not cover the 100000 opens");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		vh_test(test_not_root),	       vh_test(test_usage_errors),
		vh_test(test_no_tracefs),      vh_test(test_perf_refused),
		vh_test(test_unknown_event),   vh_test(test_events_selects),
		vh_test(test_events_all),      vh_test(test_stats),
		vh_test(test_loss_accounting), vh_test(test_sigterm_drains),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
