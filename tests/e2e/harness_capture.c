// SPDX-License-Identifier: Apache-2.0
/*
 * Capture and replay for the end-to-end tests: `vigil replay` as a child,
 * the test's own alerts and events picked out by markers, and comparisons
 * of replayed output with live output.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>
#include <sys/wait.h>

#include "harness.h"
#include "harness_capture.h"

#define ARGS_MAX 32

static struct e2e_replay *last_replay;

/* In the child: drop to @uid/@uid with no groups, then exec. */
static void exec_as(uid_t uid, char **argv, int out, int err)
{
	int in = open("/dev/null", O_RDONLY);

	if (in < 0)
		_exit(126);
	dup2(in, 0);
	dup2(out, 1);
	dup2(err, 2);
	if (uid != 0 && (setgroups(0, NULL) < 0 || setresgid(uid, uid, uid) < 0 ||
			 setresuid(uid, uid, uid) < 0)) {
		dprintf(2, "harness: cannot become uid %d: %s\n", (int)uid, strerror(errno));
		_exit(126);
	}
	execv(argv[0], argv);
	dprintf(2, "harness: exec %s: %s\n", argv[0], strerror(errno));
	_exit(127);
}

/* Split stdout into alerts and events; fails on any other line. */
static void parse_output(struct e2e_replay *r)
{
	char *text = strdup(r->out), *line = text, *nl;
	unsigned int lineno = 0;

	assert_non_null(text);
	for (; (nl = strchr(line, '\n')); line = nl + 1) {
		json_error_t jerr;
		const char *why = NULL;
		json_t *j;

		*nl = '\0';
		lineno++;
		if (!*line)
			continue;
		j = json_loads(line, 0, &jerr);
		if (!j)
			why = jerr.text;
		else if (json_object_get(j, "rule"))
			why = e2e_alert_problem(j);
		else if (!json_object_get(j, "type") || !json_object_get(j, "ts"))
			why = "neither an alert (rule) nor an event (type, ts)";
		if (why) {
			print_error("vigil replay stdout line %u: %s:\n  %s\nstderr:\n%s\n", lineno,
				    why, line, r->err);
			json_decref(j);
			free(text);
			fail();
		}
		json_array_append_new(json_object_get(j, "rule") ? r->alerts : r->events, j);
	}
	free(text);
}

struct e2e_replay *e2e_replay_as(uid_t uid, const char *const *args)
{
	char dir[64] = "/tmp/vigil-e2e-replay-XXXXXX", out_path[96], err_path[96];
	char *argv[ARGS_MAX + 4];
	struct e2e_replay *r;
	int argc = 0, out, err, status;
	pid_t pid;

	argv[argc++] = (char *)tu_vigil_bin();
	argv[argc++] = "replay";
	argv[argc++] = "--json";
	for (; *args; args++) {
		if (argc >= ARGS_MAX + 3)
			fail_msg("e2e_replay: more than %d arguments", ARGS_MAX);
		argv[argc++] = (char *)*args;
	}
	argv[argc] = NULL;
	if (!mkdtemp(dir))
		fail_msg("mkdtemp: %s", strerror(errno));
	snprintf(out_path, sizeof(out_path), "%s/stdout", dir);
	snprintf(err_path, sizeof(err_path), "%s/stderr", dir);
	out = open(out_path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
	err = open(err_path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
	if (out < 0 || err < 0)
		fail_msg("open %s: %s", dir, strerror(errno));
	fflush(NULL);
	pid = fork();
	if (pid < 0)
		fail_msg("fork: %s", strerror(errno));
	if (pid == 0)
		exec_as(uid, argv, out, err);
	close(out);
	close(err);

	r = calloc(1, sizeof(*r));
	assert_non_null(r);
	e2e_replay_free(last_replay);
	last_replay = r;
	if (!tu_wait_timeout(pid, &status, E2E_REPLAY_MS)) {
		tu_kill_and_reap(pid);
		status = -1;
		print_error("vigil replay did not finish within %d ms\n", E2E_REPLAY_MS);
	}
	r->status = status >= 0 && WIFEXITED(status) ? WEXITSTATUS(status) : -1;
	r->out = tu_read_file(out_path);
	r->err = tu_read_file(err_path);
	r->alerts = json_array();
	r->events = json_array();
	tu_rmtree(dir);
	parse_output(r);
	return r;
}

void e2e_replay_free(struct e2e_replay *r)
{
	if (!r)
		return;
	json_decref(r->alerts);
	json_decref(r->events);
	free(r->out);
	free(r->err);
	free(r);
	if (last_replay == r)
		last_replay = NULL;
}

void _e2e_assert_replay_status(const char *file, int line, const struct e2e_replay *r, int status)
{
	if (r->status == status)
		return;
	print_error("%s:%d: vigil replay exited %d, want %d; its stderr:\n%s\n", file, line,
		    r->status, status, r->err);
	_fail(file, line);
}

int e2e_teardown_capture(void **state)
{
	e2e_replay_free(last_replay);
	return e2e_teardown(state);
}

/* --- markers ---------------------------------------------------------------- */

void e2e_marker_add(struct e2e_markers *m, const char *s)
{
	if (m->n >= E2E_MARKERS_MAX)
		fail_msg("more than %d markers", E2E_MARKERS_MAX);
	m->s[m->n] = strdup(s);
	assert_non_null(m->s[m->n]);
	m->n++;
}

bool e2e_mentions(const json_t *j, const struct e2e_markers *m)
{
	const char *key;
	size_t i;
	json_t *v;

	switch (json_typeof(j)) {
	case JSON_STRING:
		for (i = 0; i < m->n; i++) {
			if (strstr(json_string_value(j), m->s[i]))
				return true;
		}
		return false;
	case JSON_OBJECT:
		json_object_foreach((json_t *)j, key, v)
		{
			if (e2e_mentions(v, m))
				return true;
		}
		return false;
	case JSON_ARRAY:
		json_array_foreach(j, i, v)
		{
			if (e2e_mentions(v, m))
				return true;
		}
		return false;
	default:
		return false;
	}
}

json_t *e2e_select(const json_t *list, const struct e2e_markers *m)
{
	json_t *out = json_array(), *v;
	size_t i;

	assert_non_null(out);
	json_array_foreach(list, i, v)
	{
		if (e2e_mentions(v, m))
			json_array_append(out, v);
	}
	return out;
}

size_t e2e_count_events(const json_t *list, const char *type, const char *needle)
{
	struct e2e_markers m = { .s = { needle }, .n = needle ? 1 : 0 };
	size_t i, n = 0;
	json_t *e;

	json_array_foreach(list, i, e)
	{
		const char *t = json_string_value(json_object_get(e, "type"));

		if (t && strcmp(t, type) == 0 && (!needle || e2e_mentions(e, &m)))
			n++;
	}
	return n;
}

/* --- comparisons ------------------------------------------------------------ */

static char *dump(const json_t *j)
{
	char *s = json_dumps(j, JSON_COMPACT | JSON_SORT_KEYS | JSON_ENCODE_ANY);

	assert_non_null(s);
	return s;
}

/* Print the keys of objects @a and @b (one level, and output_fields) whose values differ. */
static void print_differences(const char *prefix, const json_t *a, const json_t *b)
{
	const char *key;
	json_t *va;

	json_object_foreach((json_t *)a, key, va)
	{
		const json_t *vb = json_object_get(b, key);

		if (json_equal(va, vb))
			continue;
		if (json_is_object(va) && json_is_object(vb)) {
			char sub[128];

			snprintf(sub, sizeof(sub), "%s%s.", prefix, key);
			print_differences(sub, va, vb);
			continue;
		}
		char *sa = dump(va), *sb = vb ? dump(vb) : strdup("(absent)");

		print_error("      %s%s: live %s, replay %s\n", prefix, key, sa, sb);
		free(sa);
		free(sb);
	}
	json_object_foreach((json_t *)b, key, va)
	{
		if (!json_object_get(a, key))
			print_error("      %s%s: only in replay\n", prefix, key);
	}
}

static bool same_rule_and_time(const json_t *a, const json_t *b)
{
	return json_equal(json_object_get(a, "rule"), json_object_get(b, "rule")) &&
	       json_equal(json_object_get(json_object_get(a, "output_fields"), "evt.time"),
			  json_object_get(json_object_get(b, "output_fields"), "evt.time"));
}

/* Remove from @list the first element equal to @x; whether there was one. */
static bool take_equal(json_t *list, const json_t *x)
{
	size_t i;
	json_t *v;

	json_array_foreach(list, i, v)
	{
		if (json_equal(v, x)) {
			json_array_remove(list, i);
			return true;
		}
	}
	return false;
}

void _e2e_assert_same_alerts(const char *file, int line, const json_t *live, const json_t *replayed)
{
	json_t *only_live = json_array(), *only_replay = json_deep_copy(replayed), *a, *b;
	size_t i, j;

	json_array_foreach(live, i, a)
	{
		if (!take_equal(only_replay, a))
			json_array_append(only_live, a);
	}
	if (!json_array_size(only_live) && !json_array_size(only_replay)) {
		json_decref(only_live);
		json_decref(only_replay);
		return;
	}
	print_error("%s:%d: replay's alerts differ from live's (%zu live, %zu replayed)\n", file,
		    line, json_array_size(live), json_array_size(replayed));
	json_array_foreach(only_live, i, a)
	{
		e2e_print_alert("  only live:   ", a);
		json_array_foreach(only_replay, j, b)
		{
			if (same_rule_and_time(a, b)) {
				print_error(
					"    the replayed alert of that rule and time differs:\n");
				print_differences("", a, b);
			}
		}
	}
	json_array_foreach(only_replay, i, b) e2e_print_alert("  only replay: ", b);
	json_decref(only_live);
	json_decref(only_replay);
	_fail(file, line);
}

void _e2e_assert_same_events(const char *file, int line, const json_t *live, const json_t *replayed)
{
	size_t n = json_array_size(live), m = json_array_size(replayed);

	for (size_t i = 0; i < n || i < m; i++) {
		const json_t *a = json_array_get(live, i), *b = json_array_get(replayed, i);

		if (a && b && json_equal(a, b))
			continue;
		print_error("%s:%d: event %zu differs (%zu live, %zu replayed)\n", file, line, i, n,
			    m);
		if (a)
			e2e_print_alert("  live:   ", a);
		if (b)
			e2e_print_alert("  replay: ", b);
		if (a && b)
			print_differences("", a, b);
		_fail(file, line);
	}
}

void e2e_print_events(const char *prefix, const json_t *list)
{
	size_t i;
	json_t *e;

	json_array_foreach(list, i, e)
	{
		const json_t *args = json_object_get(e, "args");
		const char *name = json_string_value(json_object_get(args, "name"));

		print_error("%s%s %s %s[%lld] ppid=%lld ctr=%s %s\n", prefix,
			    json_string_value(json_object_get(e, "time")),
			    json_string_value(json_object_get(e, "type")),
			    json_string_value(json_object_get(e, "comm")),
			    (long long)json_integer_value(json_object_get(e, "pid")),
			    (long long)json_integer_value(json_object_get(e, "ppid")),
			    json_string_value(json_object_get(e, "container.id")),
			    name ? name : "");
	}
}

/* --- files ------------------------------------------------------------------- */

void e2e_copy_file(const char *src, const char *dst)
{
	if (e2e_sh(NULL, 10000, "cp -- '%s' '%s'", src, dst))
		fail_msg("cp %s %s failed", src, dst);
}

long long e2e_file_size(const char *path)
{
	struct stat st;

	if (stat(path, &st) < 0)
		fail_msg("stat(%s): %s", path, strerror(errno));
	return (long long)st.st_size;
}
