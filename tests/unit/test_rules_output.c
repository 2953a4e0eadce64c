// SPDX-License-Identifier: Apache-2.0
/*
 * What the daemon gets out of the engine: alert text with %fields, Falco-style
 * JSON, priorities, first-match vs all-matches, the event kinds to capture,
 * and `vigil rules check|list` exit codes.
 */
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include <cmocka.h>
#include <jansson.h>

#include "test_rules_util.h"

struct fmt_out {
	char text[1024];
	char *json;
};

static int fmt_cb(void *data, const struct vgl_ruleset *rs, size_t rule, struct vgl_match_ctx *ctx)
{
	struct vgl_alert_meta meta = { .hostname = "node1", .time_ns = 1000000000123 };
	struct fmt_out *o = data;

	(void)rs;
	vgl_alert_format(ctx, rule, o->text, sizeof(o->text));
	o->json = vgl_alert_json(ctx, rule, &meta);
	return 0;
}

static const struct vgl_proc_view parent = { .pid = 1, .ppid = 0, .name = "sshd" };

static const struct vgl_proc_view *st_proc(void *s, uint32_t pid)
{
	(void)s;
	return pid == 1 ? &parent : NULL;
}

static const struct vgl_field_state_ops ops = { .proc = st_proc };

static void run(const char *rules, const struct vgl_event *ev, struct fmt_out *o)
{
	struct vgl_ruleset *rs = rules_from(rules);
	struct vgl_match_ctx *ctx;

	assert_non_null(rs);
	memset(o, 0, sizeof(*o));
	ctx = vgl_match_ctx_new(rs);
	assert_int_equal(vgl_ruleset_eval(rs, ctx, ev, &ops, NULL, fmt_cb, o), 1);
	vgl_match_ctx_free(ctx);
	vgl_ruleset_free(rs);
}

static void test_text(void **state)
{
	struct fmt_out o;
	struct tev t;

	(void)state;
	tev_open(&t, "cat", "/etc/shadow", O_RDONLY, 3);
	run("- rule: r\n  desc: d\n  condition: fd.name = /etc/shadow\n  priority: WARNING\n"
	    "  output: \"read %fd.name by %proc.name[%proc.pid] (%(user.uid)) parent=%proc.pname "
	    "gp=%proc.aname[2] user=%user.name 100% sure, %% %\"\n",
	    &t.ev, &o);
	assert_string_equal(o.text, "read /etc/shadow by cat[4242] (1000) parent=sshd gp=<NA> "
				    "user=<NA> 100% sure, %% %");
	free(o.json);
}

/* %evt.args is every parameter as name=value, and what follows it is kept. */
static void test_evt_args(void **state)
{
	struct fmt_out o;
	struct tev t;

	(void)state;
	tev_open(&t, "cat", "/etc/shadow", O_RDONLY, 3);
	run("- rule: r\n  desc: d\n  condition: fd.name = /etc/shadow\n  priority: WARNING\n"
	    "  output: \"args=[%evt.args] after=%proc.name\"\n",
	    &t.ev, &o);
	assert_string_equal(o.text, "args=[dirfd=-100 name=/etc/shadow path=/etc/shadow "
				    "flags=O_RDONLY mode=0] after=cat");
	free(o.json);
}

static void test_json(void **state)
{
	json_t *j, *f;
	struct fmt_out o;
	struct tev t;

	(void)state;
	tev_open(&t, "cat", "/etc/shadow", O_RDONLY, 3);
	run("- rule: Shadow read\n  desc: d\n  condition: fd.name = /etc/shadow\n"
	    "  priority: WARNING\n  tags: [a, b]\n"
	    "  output: read %fd.name fd=%fd.num ok=%evt.is_open_read p=%proc.pname u=%user.name\n",
	    &t.ev, &o);
	assert_non_null(o.json);
	j = json_loads(o.json, 0, NULL);
	assert_non_null(j);
	assert_string_equal(json_string_value(json_object_get(j, "rule")), "Shadow read");
	assert_string_equal(json_string_value(json_object_get(j, "priority")), "Warning");
	assert_string_equal(json_string_value(json_object_get(j, "source")), "syscall");
	assert_string_equal(json_string_value(json_object_get(j, "hostname")), "node1");
	assert_string_equal(json_string_value(json_object_get(j, "time")),
			    "1970-01-01T00:16:40.000000123Z");
	assert_string_equal(
		json_string_value(json_object_get(j, "output")),
		"00:16:40.000000123: Warning read /etc/shadow fd=3 ok=true p=sshd u=<NA>");
	assert_int_equal(json_array_size(json_object_get(j, "tags")), 2);
	f = json_object_get(j, "output_fields");
	assert_string_equal(json_string_value(json_object_get(f, "fd.name")), "/etc/shadow");
	assert_int_equal(json_integer_value(json_object_get(f, "fd.num")), 3);
	assert_true(json_is_true(json_object_get(f, "evt.is_open_read")));
	assert_true(json_is_null(json_object_get(f, "user.name")));
	assert_int_equal(json_integer_value(json_object_get(f, "evt.time")), 1000000000123);
	json_decref(j);
	free(o.json);
}

static void test_priorities(void **state)
{
	(void)state;
	assert_int_equal(vgl_priority_parse("emergency"), VGL_PRI_EMERGENCY);
	assert_int_equal(vgl_priority_parse("INFO"), VGL_PRI_INFORMATIONAL);
	assert_int_equal(vgl_priority_parse("Informational"), VGL_PRI_INFORMATIONAL);
	assert_int_equal(vgl_priority_parse("debug"), VGL_PRI_DEBUG);
	assert_int_equal(vgl_priority_parse("loud"), -1);
	assert_string_equal(vgl_priority_name(VGL_PRI_CRITICAL), "Critical");
	assert_string_equal(vgl_priority_name(VGL_PRI_NOTICE), "Notice");
}

static void test_first_match_and_kinds(void **state)
{
	const char *text = "- rule: a\n  desc: d\n  condition: proc.name = cat\n  output: o\n"
			   "  priority: INFO\n- rule: b\n  desc: d\n  condition: fd.num = 3\n"
			   "  output: o\n  priority: INFO\n";
	struct vgl_rules_opts o = { .first_match = true };
	struct vgl_ruleset *rs = NULL;
	bool kinds[VGL_EV_MAX];
	struct tev t;
	struct hits h;
	int k;

	(void)state;
	tev_open(&t, "cat", "/x", O_RDONLY, 3);
	rs = rules_from(text);
	assert_int_equal(eval_hits(rs, &t.ev, NULL, NULL, &h), 2);
	/* No evt.type restriction: every kind is needed. */
	vgl_ruleset_kinds(rs, kinds);
	for (k = 1; k < VGL_EV_MAX; k++)
		assert_true(kinds[k]);
	assert_false(kinds[VGL_EV_UNKNOWN]);
	vgl_ruleset_free(rs);
	assert_int_equal(vgl_ruleset_load_text("t", text, strlen(text), &o, &rs, NULL), 0);
	assert_int_equal(eval_hits(rs, &t.ev, NULL, NULL, &h), 1);
	assert_string_equal(h.names[0], "a");
	vgl_ruleset_free(rs);
}

static void test_kind_analysis(void **state)
{
	const char *text = "- rule: a\n  desc: d\n  condition: not evt.type in (open, openat) and "
			   "(evt.type != execve or proc.name = x)\n  output: o\n  priority: INFO\n"
			   "- rule: b\n  desc: d\n  condition: evt.type = write or evt.type = bpf\n"
			   "  output: o\n  priority: INFO\n";
	struct vgl_ruleset *rs = NULL;
	struct vgl_diag d;

	(void)state;
	vgl_diag_init(&d);
	assert_int_equal(vgl_ruleset_load_text("t.yaml", text, strlen(text), NULL, &rs, &d), 0);
	/* 'write' is a Falco event vigil does not capture: a warning, never matches. */
	assert_int_equal(d.nwarnings, 1);
	assert_string_equal(d.v[0].msg,
			    "event type 'write' is not captured by vigil; it never matches");
	assert_int_equal(d.v[0].line, 8);
	assert_false(vgl_ruleset_rule_kind(rs, 0, VGL_EV_OPEN));
	assert_false(vgl_ruleset_rule_kind(rs, 0, VGL_EV_OPENAT));
	assert_true(vgl_ruleset_rule_kind(rs, 0, VGL_EV_EXECVE));
	assert_true(vgl_ruleset_rule_kind(rs, 0, VGL_EV_OPENAT2));
	assert_true(vgl_ruleset_rule_kind(rs, 1, VGL_EV_BPF));
	assert_false(vgl_ruleset_rule_kind(rs, 1, VGL_EV_EXECVE));
	vgl_ruleset_free(rs);
	vgl_diag_free(&d);
}

static int run_cli(const char *sub, const char *file)
{
	char *argv[5] = { "rules", (char *)sub, "-r", (char *)file, NULL };
	int saved = dup(1), saved2 = dup(2), null = open("/dev/null", O_WRONLY), ret;

	fflush(stdout);
	fflush(stderr);
	dup2(null, 1);
	dup2(null, 2);
	ret = vgl_cmd_rules(file ? 4 : 2, argv);
	fflush(stdout);
	fflush(stderr);
	dup2(saved, 1);
	dup2(saved2, 2);
	close(saved);
	close(saved2);
	close(null);
	return ret;
}

static void test_cli(void **state)
{
	char good[] = "/tmp/vigil_rules_good_XXXXXX", bad[] = "/tmp/vigil_rules_bad_XXXXXX";
	int g = mkstemp(good), b = mkstemp(bad);
	const char *gt = "- rule: a\n  desc: d\n  condition: evt.type = execve\n  output: o\n"
			 "  priority: INFO\n";

	(void)state;
	assert_true(g >= 0 && b >= 0);
	assert_int_equal(write(g, gt, strlen(gt)), (ssize_t)strlen(gt));
	assert_int_equal(write(b, "- rule: [\n", 10), 10);
	close(g);
	close(b);
	assert_int_equal(run_cli("check", good), 0);
	assert_int_equal(run_cli("list", good), 0);
	assert_int_equal(run_cli("check", bad), 1);
	assert_int_equal(run_cli("check", "/nonexistent/rules.yaml"), 1);
	assert_int_equal(run_cli("frobnicate", good), 2);
	/* without -r, the default rules, as `vigil run` loads them */
	assert_int_equal(run_cli("check", NULL), 0);
	unlink(good);
	unlink(bad);
}

static struct vgl_proc_view self_view;

static const struct vgl_proc_view *st_self(void *s, uint32_t pid)
{
	(void)s;
	return pid == self_view.pid ? &self_view : NULL;
}

static int64_t ns_of(const struct timespec *t)
{
	return (int64_t)t->tv_sec * 1000000000 + t->tv_nsec;
}

/* proc.exe_ino and its times: the inode of /proc/PID/exe; none once it is gone. */
/* As the live state answers: /proc/PID/exe. */
static bool st_exe_stat(void *s, uint32_t pid, struct vgl_exe_stat *ret)
{
	char path[32];
	struct stat st;

	(void)s;
	snprintf(path, sizeof(path), "/proc/%u/exe", pid);
	if (stat(path, &st))
		return false;
	*ret = (struct vgl_exe_stat){ st.st_ino, ns_of(&st.st_ctim), ns_of(&st.st_mtim) };
	return true;
}

static void test_exe_ino(void **state)
{
	static const char rule[] =
		"- rule: r\n  desc: d\n  condition: proc.name = cat\n  priority: NOTICE\n"
		"  output: \"%proc.exe_ino %proc.exe_ino.ctime %proc.exe_ino.mtime "
		"%proc.exe_ino.ctime_duration_proc_start\"\n";
	const struct vgl_field_state_ops self_ops = { .proc = st_self, .exe_stat = st_exe_stat };
	const struct vgl_field_state_ops replay_ops = { .proc = st_self }; /* no exe_stat */
	struct vgl_ruleset *rs = rules_from(rule);
	struct vgl_match_ctx *ctx = vgl_match_ctx_new(rs);
	struct timespec rt, bt;
	long long ino, ctime, mtime, dur, want_dur;
	struct fmt_out o;
	struct stat st;
	struct tev t;
	pid_t gone;

	(void)state;
	assert_int_equal(stat("/proc/self/exe", &st), 0);
	clock_gettime(CLOCK_REALTIME, &rt);
	clock_gettime(CLOCK_BOOTTIME, &bt);
	self_view = (struct vgl_proc_view){ .pid = (uint32_t)getpid(),
					    .name = "cat",
					    .start_ts = 5000000000 };
	tev_open(&t, "cat", "/etc/hosts", O_RDONLY, 3);
	t.ev.hdr.pid = t.ev.hdr.tid = self_view.pid;
	memset(&o, 0, sizeof(o));
	assert_int_equal(vgl_ruleset_eval(rs, ctx, &t.ev, &self_ops, NULL, fmt_cb, &o), 1);
	free(o.json);
	assert_int_equal(sscanf(o.text, "%lld %lld %lld %lld", &ino, &ctime, &mtime, &dur), 4);
	assert_int_equal(ino, (long long)st.st_ino);
	assert_int_equal(ctime, ns_of(&st.st_ctim));
	assert_int_equal(mtime, ns_of(&st.st_mtim));
	/* start time (boot clock) on the wall clock, minus the change time */
	want_dur = self_view.start_ts + ns_of(&rt) - ns_of(&bt) - ns_of(&st.st_ctim);
	assert_true(llabs(dur - want_dur) < 1000000000LL);

	/* a state that does not know them (replay): <NA>, not this machine's /proc */
	memset(&o, 0, sizeof(o));
	assert_int_equal(vgl_ruleset_eval(rs, ctx, &t.ev, &replay_ops, NULL, fmt_cb, &o), 1);
	free(o.json);
	assert_string_equal(o.text, "<NA> <NA> <NA> <NA>");

	gone = fork();
	if (gone == 0)
		_exit(0);
	assert_int_equal(waitpid(gone, NULL, 0), gone);
	self_view.pid = (uint32_t)gone;
	t.ev.hdr.pid = t.ev.hdr.tid = self_view.pid;
	memset(&o, 0, sizeof(o));
	assert_int_equal(vgl_ruleset_eval(rs, ctx, &t.ev, &self_ops, NULL, fmt_cb, &o), 1);
	free(o.json);
	assert_string_equal(o.text, "<NA> <NA> <NA> <NA>");
	vgl_match_ctx_free(ctx);
	vgl_ruleset_free(rs);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_text),
		cmocka_unit_test(test_evt_args),
		cmocka_unit_test(test_json),
		cmocka_unit_test(test_priorities),
		cmocka_unit_test(test_first_match_and_kinds),
		cmocka_unit_test(test_kind_analysis),
		cmocka_unit_test(test_cli),
		cmocka_unit_test(test_exe_ino),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
