// SPDX-License-Identifier: Apache-2.0
/*
 * Harness for the end-to-end tests: vigil as a child process (started,
 * waited for and stopped by tests/common's child.c, as in the BPF tests),
 * its alerts (and --events lines) read while it runs, its final counters.
 * Checks on one alert are in harness_assert.c; children, files and shell
 * commands in harness_proc.c.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/wait.h>

#include "harness.h"

#define E2E_READY_TIMEOUT_MS 20000
#define E2E_STOP_TIMEOUT_MS  15000
#define E2E_FLUSH_MS	     500
#define E2E_READY_LINE	     "vigil: ready"

static struct e2e_vigil *current;

const char *e2e_source_path(const char *rel)
{
	const char *src = getenv("VIGIL_SOURCE_DIR");

	if (!src || !*src)
		fail_msg("VIGIL_SOURCE_DIR is not set: it must name vigil's source tree");
	return tu_join(src, rel);
}

void e2e_require_root(void)
{
	if (geteuid() != 0)
		tu_skip_or_fail("end-to-end tests need root to run vigil (euid %d)",
				(int)geteuid());
}

static void refresh_stderr(struct e2e_vigil *v)
{
	free(v->err_text);
	v->err_text = tu_read_file(v->files.err_path);
}

size_t e2e_stderr_count(struct e2e_vigil *v, const char *needle)
{
	refresh_stderr(v);
	return tu_count_text(v->err_text, needle);
}

/* vigil is still running; fails with its stderr when it exited. */
static void check_alive(struct e2e_vigil *v)
{
	int status;

	if (v->pid > 0 && waitpid(v->pid, &status, WNOHANG) == v->pid) {
		v->pid = 0;
		print_error("vigil exited unexpectedly (wait status 0x%x)\n", status);
		tu_fail_with_stderr(v->files.err_path, "stopped on its own");
	}
}

void e2e_wait_stderr(struct e2e_vigil *v, const char *needle, size_t n, long ms)
{
	int status = 0;
	int r = tu_wait_text(v->pid, v->files.err_path, needle, n, ms, &status);

	refresh_stderr(v);
	if (r > 0)
		return;
	if (r == 0) {
		v->pid = 0; /* reaped */
		print_error("vigil exited unexpectedly (wait status 0x%x)\n", status);
	} else {
		print_error("vigil did not print \"%s\" (%zu times) within %ld ms\n", needle, n,
			    ms);
	}
	tu_fail_with_stderr(v->files.err_path, "missed a line");
}

struct e2e_vigil *e2e_start_args(const char *const *args)
{
	return e2e_start_setup(args, NULL, NULL);
}

struct e2e_vigil *e2e_start_setup(const char *const *args, tu_setup_fn setup, const void *arg)
{
	e2e_free(current);
	current = NULL;
	current = e2e_start_other(args, setup, arg);
	return current;
}

struct e2e_vigil *e2e_start_other(const char *const *args, tu_setup_fn setup, const void *arg)
{
	char *argv[E2E_ARGS_MAX + 4];
	int argc = 0;
	struct e2e_vigil *v;

	e2e_require_root();
	v = calloc(1, sizeof(*v));
	assert_non_null(v);
	v->alerts = json_array();
	v->events = json_array();
	tu_outdir_make(&v->files, "/tmp/vigil-e2e-run-XXXXXX");

	argv[argc++] = (char *)tu_vigil_bin();
	argv[argc++] = "run";
	argv[argc++] = "--json";
	for (; *args; args++) {
		if (argc >= E2E_ARGS_MAX + 3)
			fail_msg("e2e_start_args: more than %d arguments", E2E_ARGS_MAX);
		argv[argc++] = (char *)*args;
	}
	argv[argc] = NULL;

	v->pid = tu_exec_redirected(argv, &v->files, setup, arg);
	e2e_wait_stderr(v, E2E_READY_LINE, 1, E2E_READY_TIMEOUT_MS);
	return v;
}

struct e2e_vigil *e2e_start(const char *const *rules)
{
	const char *args[E2E_ARGS_MAX + 1];
	int n = 0;

	for (; *rules; rules++) {
		if (n + 2 > E2E_ARGS_MAX)
			fail_msg("e2e_start: too many rule files");
		args[n++] = "-r";
		args[n++] = *rules;
	}
	args[n] = NULL;
	return e2e_start_args(args);
}

void e2e_signal(struct e2e_vigil *v, int sig)
{
	check_alive(v);
	if (kill(v->pid, sig) < 0)
		fail_msg("kill(vigil %d, %d): %s", (int)v->pid, sig, strerror(errno));
}

const char *e2e_alert_problem(const json_t *a)
{
	static const char *const strs[] = { "time",   "rule",	  "priority",
					    "source", "hostname", "output" };

	if (!json_is_object(a))
		return "not a JSON object";
	for (size_t i = 0; i < sizeof(strs) / sizeof(strs[0]); i++) {
		if (!json_is_string(json_object_get(a, strs[i])))
			return "a string field (time, rule, priority, source, hostname, output) "
			       "is missing";
	}
	if (!json_is_array(json_object_get(a, "tags")))
		return "tags is missing or not an array";
	if (!json_is_object(json_object_get(a, "output_fields")))
		return "output_fields is missing or not an object";
	return NULL;
}

/*
 * One stdout line: an alert (it has a "rule" key; checked to be a Falco
 * alert), else an event line of --events (it has "type" and "ts").
 */
static const char *take_line(struct e2e_vigil *v, const char *line)
{
	static json_error_t jerr;
	const char *why;
	json_t *a = json_loads(line, 0, &jerr);

	if (!a)
		return jerr.text;
	if (json_is_object(a) && !json_object_get(a, "rule") && json_object_get(a, "type") &&
	    json_object_get(a, "ts")) {
		json_array_append_new(v->events, a);
		return NULL;
	}
	why = e2e_alert_problem(a);
	if (why) {
		json_decref(a);
		return why;
	}
	json_array_append_new(v->alerts, a);
	return NULL;
}

/* What vigil wrote to @path past @off, NUL-terminated (NULL when nothing new). */
static char *read_from(const char *path, long off)
{
	FILE *f = fopen(path, "r");
	char *text = NULL;
	long end;

	if (!f)
		return NULL;
	if (fseek(f, 0, SEEK_END) == 0 && (end = ftell(f)) > off && fseek(f, off, SEEK_SET) == 0) {
		text = malloc((size_t)(end - off) + 1);
		assert_non_null(text);
		text[fread(text, 1, (size_t)(end - off), f)] = '\0';
	}
	fclose(f);
	return text;
}

/*
 * Parse the complete lines vigil has added to stdout since the last call
 * into v->alerts or v->events (only new ones: with Falco's stock rules a
 * busy host makes a long stdout).
 */
static void read_alerts(struct e2e_vigil *v)
{
	char *text = read_from(v->files.out_path, v->out_off), *line = text, *nl;

	for (; text && (nl = strchr(line, '\n')); line = nl + 1) {
		const char *why;

		*nl = '\0';
		v->out_lines++;
		v->out_off += nl + 1 - line;
		if (!*line)
			continue;
		why = take_line(v, line);
		if (why) {
			print_error("vigil stdout line %u is not a Falco JSON alert nor an event "
				    "(%s):\n  %s\n",
				    v->out_lines, why, line);
			free(text);
			fail();
		}
	}
	free(text);
}

static bool alert_matches(const json_t *a, const struct e2e_match *m)
{
	const json_t *of = json_object_get(a, "output_fields");

	if (m->rule && strcmp(json_string_value(json_object_get(a, "rule")), m->rule) != 0)
		return false;
	for (size_t i = 0; i < E2E_MAX_FIELDS && m->fields[i][0]; i++) {
		const char *got = json_string_value(json_object_get(of, m->fields[i][0]));

		if (!got || strcmp(got, m->fields[i][1]) != 0)
			return false;
	}
	return true;
}

static const json_t *find(const json_t *alerts, const struct e2e_match *m, size_t *ret_n)
{
	const json_t *found = NULL;
	size_t i, n = 0;
	json_t *a;

	json_array_foreach(alerts, i, a)
	{
		if (alert_matches(a, m)) {
			found = found ? found : a;
			n++;
		}
	}
	*ret_n = n;
	return found;
}

size_t e2e_count_in(const json_t *alerts, const struct e2e_match *m)
{
	size_t n;

	find(alerts, m, &n);
	return n;
}

size_t e2e_count(const struct e2e_vigil *v, const struct e2e_match *m)
{
	return e2e_count_in(v->alerts, m);
}

void e2e_print_alert(const char *prefix, const json_t *a)
{
	tu_print_json(prefix, a, E2E_DUMP_FLAGS);
}

static void describe_match(const struct e2e_match *m)
{
	print_error("  wanted: rule \"%s\"", m->rule ? m->rule : "(any)");
	for (size_t i = 0; i < E2E_MAX_FIELDS && m->fields[i][0]; i++)
		print_error(", %s = \"%s\"", m->fields[i][0], m->fields[i][1]);
	print_error("\n");
}

/* List the alerts of @m's rule (up to 20) as failure context. */
static void list_candidates(const json_t *alerts, const struct e2e_match *m)
{
	struct e2e_match rule_only = { .rule = m->rule };
	unsigned int shown = 0;
	size_t i;
	json_t *a;

	describe_match(m);
	print_error("  %zu alerts in all; those of that rule:\n", json_array_size(alerts));
	json_array_foreach(alerts, i, a)
	{
		if (alert_matches(a, &rule_only) && shown++ < 20)
			e2e_print_alert("    ", a);
	}
}

void e2e_refresh(struct e2e_vigil *v)
{
	check_alive(v);
	read_alerts(v);
}

static long mono_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000L + ts.tv_nsec / 1000000L;
}

const json_t *_e2e_wait_alert(const char *file, int line, struct e2e_vigil *v,
			      const struct e2e_match *m, long ms)
{
	long deadline = mono_ms() + ms;
	const json_t *found;
	size_t n;

	for (;;) {
		read_alerts(v);
		found = find(v->alerts, m, &n);
		if (found)
			return found;
		if (mono_ms() > deadline)
			break;
		check_alive(v);
		tu_sleep_ms(20);
	}
	print_error("%s:%d: no matching alert within %ld ms\n", file, line, ms);
	list_candidates(v->alerts, m);
	_fail(file, line);
	return NULL;
}

const json_t *_e2e_expect_one_in(const char *file, int line, const json_t *alerts,
				 const struct e2e_match *m)
{
	size_t n;
	const json_t *found = find(alerts, m, &n);

	if (n == 1)
		return found;
	print_error("%s:%d: %zu matching alerts, want exactly one\n", file, line, n);
	list_candidates(alerts, m);
	_fail(file, line);
	return NULL;
}

const json_t *_e2e_expect_one(const char *file, int line, const struct e2e_vigil *v,
			      const struct e2e_match *m)
{
	return _e2e_expect_one_in(file, line, v->alerts, m);
}

void e2e_stop(struct e2e_vigil *v)
{
	pid_t pid = v->pid;

	check_alive(v);
	v->pid = 0; /* reaped by the stop */
	tu_stop_child(pid, SIGINT, E2E_FLUSH_MS, E2E_STOP_TIMEOUT_MS, v->files.err_path);
	refresh_stderr(v);
	read_alerts(v);
	v->stats = tu_parse_stats(v->err_text, v->allow_loss);
}

void e2e_free(struct e2e_vigil *v)
{
	if (!v)
		return;
	tu_kill_and_reap(v->pid);
	tu_rmtree(v->files.dir);
	json_decref(v->alerts);
	json_decref(v->events);
	json_decref(v->stats);
	free(v->err_text);
	free(v);
	if (current == v)
		current = NULL;
}

struct e2e_vigil *e2e_current(void)
{
	return current;
}

int e2e_teardown(void **state)
{
	(void)state;
	e2e_free(current);
	tu_tmpdirs_remove();
	return 0;
}

void e2e_tmpdir(char *buf, size_t size)
{
	tu_tmpdir("/tmp/vigil-e2e-XXXXXX", buf, size);
}
