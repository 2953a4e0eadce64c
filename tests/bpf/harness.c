// SPDX-License-Identifier: Apache-2.0
/*
 * Harness for the BPF integration tests: process control (vigil and the
 * children that perform the syscalls under test), then parsing, validation
 * of every event against docs/events.md, lookups and exact assertions.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <grp.h>
#include <sched.h>
#include <linux/capability.h>
#include <sys/mman.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>

#include "vigil/events.h"
#include "harness.h"

#define VH_READY_TIMEOUT_MS 20000
#define VH_STOP_TIMEOUT_MS  15000
#define VH_FLUSH_MS	    300
#define VH_READY_LINE	    "vigil: ready"

/* The run whose vigil may still be alive; vh_teardown() cleans it up. */
static struct vh_run *vh_current;

/* Directories made by vh_tmpdir(), removed by vh_teardown(). */
#define VH_TMPDIRS_MAX 16
static char vh_tmpdirs[VH_TMPDIRS_MAX][PATH_MAX];

static void vh_parse_output(struct vh_run *run);

void vh_require_root(void)
{
	if (geteuid() != 0)
		tu_skip_or_fail("BPF tests need root to load vigil's programs (euid %d)",
				(int)geteuid());
}

static void make_run_dir(struct vh_run *run)
{
	strcpy(run->dir, "/tmp/vigil-run-XXXXXX");
	if (!mkdtemp(run->dir))
		fail_msg("mkdtemp: %s", strerror(errno));
	snprintf(run->out_path, sizeof(run->out_path), "%s/stdout", run->dir);
	snprintf(run->err_path, sizeof(run->err_path), "%s/stderr", run->dir);
}

/* In the forked child: redirect and exec @argv; never returns. */
static void exec_redirected(char *const argv[], const char *out, const char *err)
{
	int in_fd = open("/dev/null", O_RDONLY);
	int out_fd = open(out, O_WRONLY | O_CREAT | O_TRUNC, 0644);
	int err_fd = open(err, O_WRONLY | O_CREAT | O_TRUNC, 0644);

	if (in_fd < 0 || out_fd < 0 || err_fd < 0)
		_exit(126);
	dup2(in_fd, 0);
	dup2(out_fd, 1);
	dup2(err_fd, 2);
	execv(argv[0], argv);
	dprintf(2, "harness: exec %s: %s\n", argv[0], strerror(errno));
	_exit(127);
}

static void fail_with_stderr(struct vh_run *run, const char *what)
{
	char *err = tu_read_file(run->err_path);

	print_error("vigil %s; its stderr:\n%s\n", what, err);
	free(err);
	fail();
}

static void wait_ready(struct vh_run *run)
{
	for (long waited = 0; waited <= VH_READY_TIMEOUT_MS; waited += 10) {
		char *err = tu_read_file(run->err_path);
		bool ready = strstr(err, VH_READY_LINE) != NULL;
		int status;

		free(err);
		if (ready)
			return;
		if (waitpid(run->pid, &status, WNOHANG) == run->pid) {
			run->pid = -run->pid;
			if (WIFEXITED(status))
				print_error("vigil exited with status %d before ready\n",
					    WEXITSTATUS(status));
			else
				print_error("vigil killed by signal %d before ready\n",
					    WTERMSIG(status));
			fail_with_stderr(run, "did not start (failed to load or attach?)");
		}
		tu_sleep_ms(10);
	}
	tu_kill_and_reap(run->pid);
	run->pid = -run->pid;
	fail_with_stderr(run, "did not print \"" VH_READY_LINE "\" within 20 s");
}

const char *vh_syscall_hook(void)
{
	const char *mode = getenv("VIGIL_TEST_SYSCALL_HOOK");

	return mode && mode[0] ? mode : NULL;
}

struct vh_run *vh_start_opts(const struct vh_opts *opts)
{
	char *argv[14];
	int argc = 0;
	struct vh_run *run;

	vh_require_root();
	vh_free(vh_current);
	run = calloc(1, sizeof(*run));
	assert_non_null(run);
	vh_current = run;
	run->text = opts->text;
	run->allow_loss = opts->allow_loss;
	make_run_dir(run);

	argv[argc++] = (char *)tu_vigil_bin();
	argv[argc++] = "run";
	if (!opts->text)
		argv[argc++] = "--json";
	argv[argc++] = "-v"; /* logs the hooks chosen: see vh_assert_user_args() */
	if (opts->events) {
		argv[argc++] = "--events";
		argv[argc++] = (char *)opts->events;
	}
	if (opts->ringbuf_size) {
		argv[argc++] = "--ringbuf-size";
		argv[argc++] = (char *)opts->ringbuf_size;
	}
	if (vh_syscall_hook()) {
		argv[argc++] = "--syscall-hook";
		argv[argc++] = (char *)vh_syscall_hook();
	}
	argv[argc] = NULL;

	fflush(NULL);
	run->pid = fork();
	if (run->pid < 0)
		fail_msg("fork: %s", strerror(errno));
	if (run->pid == 0)
		exec_redirected(argv, run->out_path, run->err_path);
	wait_ready(run);
	return run;
}

struct vh_run *vh_start(const char *events)
{
	return vh_start_opts(&(struct vh_opts){ .events = events });
}

void vh_stop(struct vh_run *run)
{
	vh_stop_ex(run, SIGINT, VH_FLUSH_MS);
}

void vh_stop_ex(struct vh_run *run, int sig, long flush_ms)
{
	int status;
	pid_t pid = run->pid;

	assert_true(pid > 0);
	tu_sleep_ms(flush_ms);
	if (kill(pid, sig) < 0)
		fail_msg("kill(vigil %d, %s): %s", (int)pid, strsignal(sig), strerror(errno));
	if (!tu_wait_timeout(pid, &status, VH_STOP_TIMEOUT_MS)) {
		tu_kill_and_reap(pid);
		run->pid = -pid;
		print_error("vigil ignored signal %d (%s)\n", sig, strsignal(sig));
		fail_with_stderr(run, "did not exit within 15 s of the signal");
	}
	run->pid = -pid; /* reaped: keep the number for the self-filter check */
	run->err_text = tu_read_file(run->err_path);
	if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
		if (WIFEXITED(status))
			print_error("vigil exited with status %d after signal %d (want 0)\n",
				    WEXITSTATUS(status), sig);
		else
			print_error("vigil was killed by signal %d after signal %d\n",
				    WTERMSIG(status), sig);
		fail_with_stderr(run, "did not shut down cleanly");
	}
	if (run->text)
		run->out_text = tu_read_file(run->out_path);
	else
		vh_parse_output(run);
}

void vh_free(struct vh_run *run)
{
	if (!run)
		return;
	if (run->pid > 0)
		tu_kill_and_reap(run->pid);
	tu_rmtree(run->dir);
	json_decref(run->events);
	json_decref(run->stats);
	free(run->out_text);
	free(run->err_text);
	free(run);
	if (vh_current == run)
		vh_current = NULL;
}

int vh_teardown(void **state)
{
	(void)state;
	vh_free(vh_current);
	for (size_t i = 0; i < VH_TMPDIRS_MAX; i++) {
		tu_rmtree(vh_tmpdirs[i]);
		vh_tmpdirs[i][0] = '\0';
	}
	return 0;
}

/* In the child of vh_exec_vigil: become @uid with no capabilities left. */
static void drop_to(uid_t uid)
{
	if (uid == 0)
		return;
	if (setgroups(0, NULL) < 0 || setgid(uid) < 0 || setuid(uid) < 0)
		_exit(125);
}

/*
 * In the child of vh_exec_vigil_no_tracefs: a mount namespace without
 * tracefs, and no CAP_SYS_ADMIN left (bounding set) to mount it again.
 */
static void hide_tracefs(uid_t uid)
{
	(void)uid;
	if (unshare(CLONE_NEWNS) < 0 || mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) < 0)
		_exit(125);
	while (umount2("/sys/kernel/tracing", MNT_DETACH) == 0)
		; /* mounted more than once, perhaps */
	if (prctl(PR_CAPBSET_DROP, CAP_SYS_ADMIN, 0, 0, 0) < 0)
		_exit(125);
}

static int exec_vigil(char **ret_err_text, void (*setup)(uid_t), uid_t uid, const char *arg,
		      va_list ap)
{
	struct vh_run tmp = { 0 };
	char *argv[16];
	int argc = 0, status;
	pid_t pid;

	argv[argc++] = (char *)tu_vigil_bin();
	for (; arg && argc < 15; arg = va_arg(ap, const char *))
		argv[argc++] = (char *)arg;
	argv[argc] = NULL;
	make_run_dir(&tmp);
	chmod(tmp.dir, 0777);

	fflush(NULL);
	pid = fork();
	if (pid < 0)
		fail_msg("fork: %s", strerror(errno));
	if (pid == 0) {
		setup(uid);
		exec_redirected(argv, tmp.out_path, tmp.err_path);
	}
	if (!tu_wait_timeout(pid, &status, VH_READY_TIMEOUT_MS)) {
		tu_kill_and_reap(pid);
		tu_rmtree(tmp.dir);
		fail_msg("vigil %s did not exit within 20 s", arg ? arg : "");
	}
	*ret_err_text = tu_read_file(tmp.err_path);
	tu_rmtree(tmp.dir);
	if (WIFEXITED(status) && WEXITSTATUS(status) == 125)
		fail_msg("could not set up vigil's process (uid %d, or hiding tracefs)", (int)uid);
	return status;
}

int vh_exec_vigil(char **ret_err_text, uid_t uid, const char *arg, ...)
{
	va_list ap;
	int status;

	va_start(ap, arg);
	status = exec_vigil(ret_err_text, drop_to, uid, arg, ap);
	va_end(ap);
	return status;
}

int vh_exec_vigil_no_tracefs(char **ret_err_text, const char *arg, ...)
{
	va_list ap;
	int status;

	va_start(ap, arg);
	status = exec_vigil(ret_err_text, hide_tracefs, 0, arg, ap);
	va_end(ap);
	return status;
}

void *vh_shared(size_t size)
{
	void *p = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);

	if (p == MAP_FAILED)
		fail_msg("mmap(%zu): %s", size, strerror(errno));
	return p;
}

void vh_shared_free(void *p, size_t size)
{
	if (p)
		munmap(p, size);
}

void vh_child_fail(const char *file, int line, const char *what)
{
	dprintf(2, "%s:%d: in child %d: check failed: %s (errno %d: %s)\n", file, line,
		(int)getpid(), what, errno, strerror(errno));
	_exit(100);
}

pid_t vh_spawn(const char *comm, vh_action_fn fn, void *ctx, int *ret_status)
{
	int status;
	pid_t pid;

	fflush(NULL);
	pid = fork();
	if (pid < 0)
		fail_msg("fork: %s", strerror(errno));
	if (pid == 0) {
		if (prctl(PR_SET_NAME, comm, 0, 0, 0) < 0)
			vh_child_fail(__FILE__, __LINE__, "prctl(PR_SET_NAME)");
		fn(ctx);
		_exit(0);
	}
	if (waitpid(pid, &status, 0) != pid)
		fail_msg("waitpid(%d): %s", (int)pid, strerror(errno));
	if (ret_status) {
		*ret_status = status;
		return pid;
	}
	if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
		fail_msg("child %s (%d) failed: wait status 0x%x (see its message above)", comm,
			 (int)pid, status);
	return pid;
}

struct vh_run *vh_run_child(const char *events, const char *comm, vh_action_fn fn, void *ctx,
			    pid_t *ret_pid)
{
	struct vh_run *run = vh_start(events);

	*ret_pid = vh_spawn(comm, fn, ctx, NULL);
	vh_stop(run);
	return run;
}

void vh_tmpdir(char *buf, size_t size)
{
	tu_mkdtemp("/tmp/vigil-test-XXXXXX", buf, size);
	for (size_t i = 0; i < VH_TMPDIRS_MAX; i++) {
		if (!vh_tmpdirs[i][0]) {
			snprintf(vh_tmpdirs[i], sizeof(vh_tmpdirs[i]), "%s", buf);
			break;
		}
	}
}

/* --- output validation (docs/events.md) ----------------------------------- */

struct vh_param_def {
	enum vgl_ptype type;
	const char *name;
};

struct vh_kind_def {
	const char *name;
	struct vh_param_def params[VGL_MAX_PARAMS];
};

#define VH_P(type, name)	 { VGL_PT_##type, name },
#define VH_E(kind, name, params) { name, { params } },
static const struct vh_kind_def vh_kinds[] = { VGL_EVENTS(VH_E, VH_P) };

static const struct vh_kind_def *kind_def(const char *name)
{
	for (size_t i = 0; i < sizeof(vh_kinds) / sizeof(vh_kinds[0]); i++) {
		if (strcmp(vh_kinds[i].name, name) == 0)
			return &vh_kinds[i];
	}
	return NULL;
}

static char vh_why[256];

#define BAD(...)                                               \
	do {                                                   \
		snprintf(vh_why, sizeof(vh_why), __VA_ARGS__); \
		return false;                                  \
	} while (0)

/* "2026-11-22T08:10:00.123456789Z" */
static bool valid_time(const char *s)
{
	static const char pat[] = "dddd-dd-ddTdd:dd:dd.dddddddddZ";

	if (strlen(s) != sizeof(pat) - 1)
		return false;
	for (size_t i = 0; pat[i]; i++) {
		if (pat[i] == 'd' ? (s[i] < '0' || s[i] > '9') : s[i] != pat[i])
			return false;
	}
	return true;
}

static bool valid_sockaddr(const json_t *v, const char *name)
{
	const char *fam = json_string_value(json_object_get(v, "family"));

	if (!json_is_object(v) || !fam)
		BAD("args.%s: not an address object with a family", name);
	if (!strcmp(fam, "AF_INET") || !strcmp(fam, "AF_INET6")) {
		if (!json_is_string(json_object_get(v, "ip")) ||
		    !json_is_integer(json_object_get(v, "port")))
			BAD("args.%s: %s address without ip and port", name, fam);
	} else if (!strcmp(fam, "AF_UNIX")) {
		if (!json_is_string(json_object_get(v, "path")))
			BAD("args.%s: AF_UNIX address without path", name);
	}
	return true;
}

static bool valid_param(const struct vh_param_def *p, const json_t *v)
{
	if (!v)
		BAD("args.%s is missing", p->name);
	if (json_is_null(v))
		return true;
	switch (p->type) {
	case VGL_PT_S64:
	case VGL_PT_U64:
	case VGL_PT_FD:
	case VGL_PT_PID:
	case VGL_PT_UID:
	case VGL_PT_MODE:
		if (!json_is_integer(v))
			BAD("args.%s: want an integer", p->name);
		return true;
	case VGL_PT_ARGV: {
		size_t i;
		json_t *a;

		if (!json_is_array(v))
			BAD("args.%s: want an array of strings", p->name);
		json_array_foreach(v, i, a)
		{
			if (!json_is_string(a))
				BAD("args.%s[%zu]: want a string", p->name, i);
		}
		return true;
	}
	case VGL_PT_SOCKADDR:
		return valid_sockaddr(v, p->name);
	default: /* flag sets, enumerations, strings and paths */
		if (!json_is_string(v))
			BAD("args.%s: want a string", p->name);
		return true;
	}
}

static bool valid_header(const json_t *ev)
{
	static const char *const ints[] = { "ts",    "pid",   "tid",  "ppid",	  "uid",
					    "gid",   "euid",  "egid", "loginuid", "cgroup_id",
					    "mntns", "pidns", "res" };
	const char *comm = json_string_value(json_object_get(ev, "comm"));
	const char *t = json_string_value(json_object_get(ev, "time"));

	for (size_t i = 0; i < sizeof(ints) / sizeof(ints[0]); i++) {
		if (!json_is_integer(json_object_get(ev, ints[i])))
			BAD("field %s: missing or not an integer", ints[i]);
	}
	if (!t || !valid_time(t))
		BAD("field time: missing or not RFC 3339 UTC with nanoseconds");
	if (!comm || strlen(comm) > VGL_COMM_LEN - 1)
		BAD("field comm: missing or longer than %d bytes", VGL_COMM_LEN - 1);
	if (!json_is_object(json_object_get(ev, "args")))
		BAD("field args: missing or not an object");
	for (const char *const *f = (const char *const[]){ "truncated", "user_args", NULL }; *f;
	     f++) {
		const json_t *v = json_object_get(ev, *f);

		if (v && !json_is_true(v))
			BAD("field %s: present but not true", *f);
	}
	return true;
}

/* The context keys: always there (vigil prints events with their context). */
static bool valid_context(const json_t *ev)
{
	static const char *const strs[] = { "proc.exepath",
					    "proc.cmdline",
					    "proc.pname",
					    "user.name",
					    "user.loginname",
					    "container.id",
					    "container.name",
					    "container.image",
					    "k8s.ns.name",
					    "k8s.pod.name",
					    NULL };
	const json_t *anc = json_object_get(ev, "proc.ancestors"), *a, *v;
	size_t i;

	for (const char *const *f = strs; *f; f++) {
		v = json_object_get(ev, *f);
		if (!v || !(json_is_string(v) || json_is_null(v)))
			BAD("field %s: missing or neither a string nor null", *f);
	}
	if (!json_is_array(anc) || json_array_size(anc) > 8)
		BAD("field proc.ancestors: missing, not an array or longer than 8");
	json_array_foreach(anc, i, a)
	{
		v = json_object_get(a, "name");
		if (!json_is_integer(json_object_get(a, "pid")) || !v ||
		    !(json_is_string(v) || json_is_null(v)))
			BAD("proc.ancestors[%zu]: want {\"pid\": integer, \"name\": string or "
			    "null}",
			    i);
	}
	v = json_object_get(ev, "context_truncated");
	if (v && !json_is_true(v))
		BAD("field context_truncated: present but not true");
	return true;
}

static bool valid_error(const json_t *ev)
{
	long long res = json_integer_value(json_object_get(ev, "res"));
	const json_t *err = json_object_get(ev, "error");
	const char *want;

	if (res >= 0) {
		if (err)
			BAD("field error present although res %lld >= 0", res);
		return true;
	}
	if (!json_is_string(err))
		BAD("field error: missing or not a string although res %lld < 0", res);
	want = res >= -4095 ? strerrorname_np((int)-res) : NULL;
	if (want && strcmp(want, json_string_value(err)) != 0)
		BAD("field error: res %lld is %s", res, want);
	return true;
}

/* Check one event against the documented schema; on error vh_why says why. */
static bool valid_event(const json_t *ev)
{
	const char *type = json_string_value(json_object_get(ev, "type"));
	const struct vh_kind_def *k;
	const json_t *args;

	if (!json_is_object(ev))
		BAD("not a JSON object");
	if (!type)
		BAD("field type: missing or not a string");
	k = kind_def(type);
	if (!k)
		BAD("type \"%s\" is not in VGL_EVENTS", type);
	if (!valid_header(ev) || !valid_error(ev) || !valid_context(ev))
		return false;
	args = json_object_get(ev, "args");
	for (size_t i = 0; i < VGL_MAX_PARAMS && k->params[i].name; i++) {
		if (!valid_param(&k->params[i], json_object_get(args, k->params[i].name)))
			return false;
	}
	return true;
}

static void parse_events(struct vh_run *run)
{
	char *text = tu_read_file(run->out_path), *line, *save = NULL;
	unsigned int lineno = 0;

	run->events = json_array();
	for (line = strtok_r(text, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		json_error_t jerr;
		json_t *ev;

		lineno++;
		ev = json_loads(line, JSON_REJECT_DUPLICATES, &jerr);
		if (!ev) {
			print_error("stdout line %u is not JSON (%s): %s\n", lineno, jerr.text,
				    line);
			free(text);
			fail();
		}
		if (!valid_event(ev)) {
			print_error("stdout line %u breaks docs/events.md: %s\n  %s\n", lineno,
				    vh_why, line);
			json_decref(ev);
			free(text);
			fail();
		}
		json_array_append_new(run->events, ev);
	}
	free(text);
}

/* The one {"vigil_stats": ...} line of stderr, and lost == 0. */
static void parse_stats(struct vh_run *run)
{
	const char *key = "{\"vigil_stats\"";
	char *p = strstr(run->err_text, key), *end;
	const json_t *lost;
	json_error_t jerr;
	json_t *root;

	if (!p) {
		fail_msg("no {\"vigil_stats\": ...} line on vigil's stderr:\n%s", run->err_text);
		return; /* not reached: cmocka's fail does not return */
	}
	if (strstr(p + 1, key))
		fail_msg("more than one vigil_stats line on stderr:\n%s", run->err_text);
	end = strchr(p, '\n');
	root = json_loadb(p, end ? (size_t)(end - p) : strlen(p), 0, &jerr);
	if (!root || !json_is_object(json_object_get(root, "vigil_stats")))
		fail_msg("vigil_stats line is not a JSON object (%s):\n%s",
			 root ? "no object" : jerr.text, p);
	run->stats = json_incref(json_object_get(root, "vigil_stats"));
	json_decref(root);
	lost = json_object_get(run->stats, "lost");
	if (!json_is_integer(lost) || (!run->allow_loss && json_integer_value(lost) != 0)) {
		char *s = json_dumps(run->stats, JSON_COMPACT);

		print_error("vigil lost events (want \"lost\": 0): %s\n", s);
		free(s);
		fail();
	}
}

/* vigil filters itself out in the kernel: none of its events may appear. */
static void check_self_filter(const struct vh_run *run)
{
	pid_t self = run->pid < 0 ? -run->pid : run->pid;
	json_t *ev = vh_find(run, NULL, self, NULL, NULL);

	if (ev) {
		vh_print_event("event from vigil itself: ", ev);
		fail_msg("vigil (pid %d) did not filter its own events out", (int)self);
	}
}

static void vh_parse_output(struct vh_run *run)
{
	parse_events(run);
	parse_stats(run);
	check_self_filter(run);
}

/* --- lookups --------------------------------------------------------------- */

/*
 * A field by its dotted path: "pid", "args.fd", "args.addr.family"; a key
 * with dots of its own is taken whole first: "proc.exepath".
 */
static const json_t *field(const json_t *ev, const char *path)
{
	const json_t *v = ev;
	char key[64];

	while (v && *path) {
		size_t n = strcspn(path, ".");

		if (json_object_get(v, path))
			return json_object_get(v, path);

		if (n >= sizeof(key))
			return NULL;
		memcpy(key, path, n);
		key[n] = '\0';
		v = json_object_get(v, key);
		path += n + (path[n] == '.');
	}
	return v;
}

bool vh_pred_arg_eq(const json_t *ev, const void *arg)
{
	const struct vh_arg_eq *m = arg;
	const json_t *v = json_object_get(json_object_get(ev, "args"), m->name);

	if (m->str)
		return json_is_string(v) && strcmp(json_string_value(v), m->str) == 0;
	return json_is_integer(v) && json_integer_value(v) == m->num;
}

bool vh_pred_res_eq(const json_t *ev, const void *arg)
{
	return json_integer_value(json_object_get(ev, "res")) == *(const long long *)arg;
}

static bool matches(const json_t *ev, const char *type, pid_t pid, vh_pred_fn pred, const void *arg)
{
	if (type && strcmp(json_string_value(json_object_get(ev, "type")), type) != 0)
		return false;
	if (pid && json_integer_value(json_object_get(ev, "pid")) != pid)
		return false;
	return !pred || pred(ev, arg);
}

json_t *vh_find(const struct vh_run *run, const char *type, pid_t pid, vh_pred_fn pred,
		const void *arg)
{
	size_t i;
	json_t *ev;

	json_array_foreach(run->events, i, ev)
	{
		if (matches(ev, type, pid, pred, arg))
			return ev;
	}
	return NULL;
}

size_t vh_count(const struct vh_run *run, const char *type, pid_t pid, vh_pred_fn pred,
		const void *arg)
{
	size_t i, n = 0;
	json_t *ev;

	json_array_foreach(run->events, i, ev)
	{
		n += matches(ev, type, pid, pred, arg);
	}
	return n;
}

void vh_print_event(const char *prefix, const json_t *ev)
{
	char *s = json_dumps(ev, JSON_COMPACT | JSON_PRESERVE_ORDER);

	print_error("%s%s\n", prefix, s ? s : "(null)");
	free(s);
}

/* More than one event matched where one syscall must give exactly one. */
static void fail_duplicates(const char *file, int line, const struct vh_run *run, const char *type,
			    pid_t pid, vh_pred_fn pred, const void *arg, size_t n)
{
	size_t i;
	json_t *ev;

	print_error("%s:%d: %zu %s events from pid %d match, want exactly one:\n", file, line, n,
		    type ? type : "(any)", (int)pid);
	json_array_foreach(run->events, i, ev)
	{
		if (matches(ev, type, pid, pred, arg))
			vh_print_event("  ", ev);
	}
	_fail(file, line);
}

json_t *_vh_expect(const char *file, int line, const struct vh_run *run, const char *type,
		   pid_t pid, vh_pred_fn pred, const void *arg)
{
	json_t *found = vh_find(run, type, pid, pred, arg), *ev;
	unsigned int shown = 0;
	size_t i, n;

	if (found) {
		n = vh_count(run, type, pid, pred, arg);
		if (n > 1)
			fail_duplicates(file, line, run, type, pid, pred, arg, n);
		return found;
	}
	print_error("%s:%d: no matching %s event from pid %d among %zu events; events of that "
		    "pid:\n",
		    file, line, type ? type : "(any)", (int)pid, json_array_size(run->events));
	json_array_foreach(run->events, i, ev)
	{
		if (matches(ev, NULL, pid, NULL, NULL) && shown++ < 60)
			vh_print_event("  ", ev);
	}
	if (!shown && type) {
		print_error("none; %zu %s events from any pid, e.g.:\n",
			    vh_count(run, type, 0, NULL, NULL), type);
		json_array_foreach(run->events, i, ev)
		{
			if (matches(ev, type, 0, NULL, NULL) && shown++ < 5)
				vh_print_event("  ", ev);
		}
	}
	/* the hooks vigil chose and its final counters tell a lost event from
	 * one never captured */
	print_error("vigil's stderr:\n%s\n", run->err_text ? run->err_text : "(none)");
	_fail(file, line);
	return NULL;
}

/* --- assertions -------------------------------------------------------------- */

static void fail_on(const char *file, int line, const json_t *ev, const char *what,
		    const json_t *got)
{
	char *s = got ? json_dumps(got, JSON_ENCODE_ANY | JSON_COMPACT) : NULL;

	print_error("%s:%d: %s, got %s\n", file, line, what, s ? s : "(absent)");
	free(s);
	vh_print_event("  in event: ", ev);
	_fail(file, line);
}

void _vh_assert_int(const char *file, int line, const json_t *ev, const char *f, long long want)
{
	const json_t *v = field(ev, f);
	char what[160];

	if (json_is_integer(v) && json_integer_value(v) == want)
		return;
	snprintf(what, sizeof(what), "%s: want %lld", f, want);
	fail_on(file, line, ev, what, v);
}

void _vh_assert_str(const char *file, int line, const json_t *ev, const char *f, const char *want)
{
	const json_t *v = field(ev, f);
	char what[PATH_MAX + 64];

	if (!want && json_is_null(v))
		return;
	if (want && json_is_string(v) && strcmp(json_string_value(v), want) == 0)
		return;
	if (!want)
		snprintf(what, sizeof(what), "%s: want null", f);
	else
		snprintf(what, sizeof(what), "%s: want \"%s\"", f, want);
	fail_on(file, line, ev, what, v);
}

void _vh_assert_arg_str_oneof(const char *file, int line, const json_t *ev, const char *arg,
			      size_t n, const char *const *want)
{
	const json_t *v = json_object_get(json_object_get(ev, "args"), arg);
	char what[PATH_MAX + 64];
	size_t len;

	for (size_t i = 0; i < n && json_is_string(v); i++) {
		if (strcmp(json_string_value(v), want[i]) == 0)
			return;
	}
	len = (size_t)snprintf(what, sizeof(what), "args.%s: want one of", arg);
	for (size_t i = 0; i < n && len < sizeof(what); i++)
		len += (size_t)snprintf(what + len, sizeof(what) - len, " \"%s\"", want[i]);
	fail_on(file, line, ev, what, v);
}

/* Whether '|'-separated @set contains the name @flag. */
static bool has_flag(const char *set, const char *flag)
{
	size_t n = strlen(flag);

	for (const char *p = set; p; p = strchr(p, '|') ? strchr(p, '|') + 1 : NULL) {
		if (strncmp(p, flag, n) == 0 && (p[n] == '|' || p[n] == '\0'))
			return true;
	}
	return false;
}

static size_t count_flags(const char *set)
{
	size_t n = *set ? 1 : 0;

	for (; *set; set++)
		n += *set == '|';
	return n;
}

void _vh_assert_arg_flags(const char *file, int line, const json_t *ev, const char *arg,
			  const char *want)
{
	const json_t *v = json_object_get(json_object_get(ev, "args"), arg);
	const char *got = json_string_value(v);
	char what[1400], copy[1024], *tok, *save = NULL;
	bool ok = got && count_flags(got) == count_flags(want);

	if (strlen(want) >= sizeof(copy))
		fail_msg("flag set too long for the harness: %s", want);
	snprintf(copy, sizeof(copy), "%s", want);
	for (tok = strtok_r(copy, "|", &save); ok && tok; tok = strtok_r(NULL, "|", &save))
		ok = has_flag(got, tok);
	if (ok)
		return;
	snprintf(what, sizeof(what), "args.%s: want the flags \"%s\" (in any order)", arg, want);
	fail_on(file, line, ev, what, v);
}

void _vh_assert_arg_has_flag(const char *file, int line, const json_t *ev, const char *arg,
			     const char *flag, bool has)
{
	const json_t *v = json_object_get(json_object_get(ev, "args"), arg);
	char what[160];

	if (json_is_string(v) && has_flag(json_string_value(v), flag) == has)
		return;
	snprintf(what, sizeof(what), "args.%s: want a flag set %s %s", arg,
		 has ? "containing" : "without", flag);
	fail_on(file, line, ev, what, v);
}

void _vh_assert_arg_argv(const char *file, int line, const json_t *ev, const char *arg,
			 const char *const *want)
{
	const json_t *v = json_object_get(json_object_get(ev, "args"), arg);
	json_t *w = json_array();
	char what[1024], *ws;

	for (; *want; want++)
		json_array_append_new(w, json_string(*want));
	if (json_equal((json_t *)v, w)) {
		json_decref(w);
		return;
	}
	ws = json_dumps(w, JSON_COMPACT);
	snprintf(what, sizeof(what), "args.%s: want %s", arg, ws);
	free(ws);
	json_decref(w);
	fail_on(file, line, ev, what, v);
}

void _vh_assert_arg_inet(const char *file, int line, const json_t *ev, const char *arg,
			 const char *family, const char *ip, int port)
{
	const json_t *v = json_object_get(json_object_get(ev, "args"), arg);
	const char *fam = json_string_value(json_object_get(v, "family"));
	const char *got_ip = json_string_value(json_object_get(v, "ip"));
	const json_t *got_port = json_object_get(v, "port");
	char what[160];

	if (fam && !strcmp(fam, family) && got_ip && !strcmp(got_ip, ip) &&
	    json_is_integer(got_port) && json_integer_value(got_port) == port)
		return;
	snprintf(what, sizeof(what),
		 "args.%s: want {\"family\": \"%s\", \"ip\": \"%s\", "
		 "\"port\": %d}",
		 arg, family, ip, port);
	fail_on(file, line, ev, what, v);
}

void _vh_assert_arg_unix(const char *file, int line, const json_t *ev, const char *arg,
			 const char *path)
{
	const json_t *v = json_object_get(json_object_get(ev, "args"), arg);
	const char *fam = json_string_value(json_object_get(v, "family"));
	const char *got = json_string_value(json_object_get(v, "path"));
	char what[PATH_MAX + 96];

	if (fam && !strcmp(fam, "AF_UNIX") && got && !strcmp(got, path))
		return;
	snprintf(what, sizeof(what), "args.%s: want {\"family\": \"AF_UNIX\", \"path\": \"%s\"}",
		 arg, path);
	fail_on(file, line, ev, what, v);
}

void _vh_assert_absent(const char *file, int line, const json_t *ev, const char *f)
{
	char what[96];

	if (!json_object_get(ev, f))
		return;
	snprintf(what, sizeof(what), "%s: want absent", f);
	fail_on(file, line, ev, what, json_object_get(ev, f));
}

void _vh_assert_arg_null(const char *file, int line, const json_t *ev, const char *arg)
{
	const json_t *v = json_object_get(json_object_get(ev, "args"), arg);
	char what[96];

	if (json_is_null(v))
		return;
	snprintf(what, sizeof(what), "args.%s: want null (unknown)", arg);
	fail_on(file, line, ev, what, v);
}

void _vh_assert_res(const char *file, int line, const json_t *ev, long long res)
{
	_vh_assert_int(file, line, ev, "res", res);
	if (res < 0) {
		_vh_assert_str(file, line, ev, "error", strerrorname_np((int)-res));
	} else if (json_object_get(ev, "error")) {
		fail_on(file, line, ev, "error: want absent (res >= 0)",
			json_object_get(ev, "error"));
	}
}

/* --- the test process's identity, which its children share ------------------ */

static long long ns_inode(const char *ns)
{
	char path[64];
	struct stat st;

	snprintf(path, sizeof(path), "/proc/self/ns/%s", ns);
	if (stat(path, &st) < 0)
		fail_msg("stat(%s): %s", path, strerror(errno));
	return (long long)st.st_ino;
}

bool vh_cgroup2_mount(char *buf, size_t size)
{
	char line[PATH_MAX], m[PATH_MAX];
	FILE *f = fopen("/proc/self/mountinfo", "r");
	bool found = false;

	while (f && !found && fgets(line, sizeof(line), f)) {
		if (strstr(line, " - cgroup2 ") && sscanf(line, "%*s %*s %*s %*s %4095s", m) == 1) {
			snprintf(buf, size, "%s", m);
			found = true;
		}
	}
	if (f)
		fclose(f);
	return found;
}

/* cgroup v2 id of this process: the inode of its cgroup2 directory, or -1. */
static long long cgroup2_id(void)
{
	char mnt[PATH_MAX] = "", rel[PATH_MAX] = "", line[PATH_MAX], path[PATH_MAX * 2];
	FILE *f;
	struct stat st;

	if (!vh_cgroup2_mount(mnt, sizeof(mnt)))
		return -1;
	f = fopen("/proc/self/cgroup", "r");
	while (f && fgets(line, sizeof(line), f)) {
		if (strncmp(line, "0::", 3) == 0) {
			snprintf(rel, sizeof(rel), "%s", line + 3);
			rel[strcspn(rel, "\n")] = '\0';
		}
	}
	if (f)
		fclose(f);
	if (!*mnt || !*rel)
		return -1;
	snprintf(path, sizeof(path), "%s%s", mnt, strcmp(rel, "/") ? rel : "");
	return stat(path, &st) < 0 ? -1 : (long long)st.st_ino;
}

static long long loginuid(void)
{
	char *s = tu_read_file("/proc/self/loginuid");
	long long v = *s ? strtoll(s, NULL, 10) : -1;

	free(s);
	return v == 4294967295LL ? -1 : v;
}

void _vh_assert_hdr(const char *file, int line, const json_t *ev, const struct vh_hdr_want *w)
{
	long long cg = cgroup2_id();

	_vh_assert_int(file, line, ev, "pid", w->pid);
	_vh_assert_int(file, line, ev, "tid", w->tid ? w->tid : w->pid);
	_vh_assert_int(file, line, ev, "ppid", w->ppid);
	_vh_assert_str(file, line, ev, "comm", w->comm);
	_vh_assert_int(file, line, ev, "uid", w->uid);
	_vh_assert_int(file, line, ev, "gid", w->gid);
	_vh_assert_int(file, line, ev, "euid", w->euid);
	_vh_assert_int(file, line, ev, "egid", w->egid);
	_vh_assert_int(file, line, ev, "loginuid", w->loginuid_given ? w->loginuid : loginuid());
	if (!w->other_pidns)
		_vh_assert_int(file, line, ev, "pidns", ns_inode("pid"));
	if (!w->other_mntns)
		_vh_assert_int(file, line, ev, "mntns", ns_inode("mnt"));
	if (w->cgroup_id)
		_vh_assert_int(file, line, ev, "cgroup_id", w->cgroup_id);
	else if (cg >= 0)
		_vh_assert_int(file, line, ev, "cgroup_id", cg);
}

/*
 * "vigil: hook: open name: user memory at ..." (-v): whether vigil reads
 * @what from the kernel's own copy (1), from user memory (0), or did not
 * say (-1).
 */
static int hook_kernel_copy(const struct vh_run *run, const char *what)
{
	char key[96];
	const char *p;

	snprintf(key, sizeof(key), "hook: %s: ", what);
	p = run->err_text ? strstr(run->err_text, key) : NULL;
	if (!p)
		return -1;
	return strncmp(p + strlen(key), "user memory", 11) != 0;
}

void _vh_assert_user_args(const char *file, int line, const struct vh_run *run, const json_t *ev,
			  const char *what)
{
	int kernel = hook_kernel_copy(run, what);
	const json_t *flag = json_object_get(ev, "user_args");

	if (kernel < 0) {
		print_message("note: vigil -v did not say where it reads the %s from\n", what);
		return;
	}
	if (kernel && flag)
		fail_on(file, line, ev,
			"user_args: want absent (vigil reads this from the kernel's copy)", flag);
	if (!kernel && !json_is_true(flag))
		fail_on(file, line, ev, "user_args: want true (vigil reads this from user memory)",
			flag);
}
