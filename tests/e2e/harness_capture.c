// SPDX-License-Identifier: Apache-2.0
/*
 * Capture and replay for the end-to-end tests: `vigil replay` as a child,
 * the recording a test file shares, the test's own alerts and events picked
 * out by markers. Comparisons of replayed with live output are in
 * harness_compare.c.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>
#include <sys/wait.h>

#include "harness.h"
#include "harness_capture.h"
#include "harness_docker.h"

#define ARGS_MAX 32

static struct e2e_replay *last_replay;

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
	char *argv[ARGS_MAX + 4];
	struct tu_outdir o;
	struct e2e_replay *r;
	int argc = 0, status;
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
	tu_outdir_make(&o, "/tmp/vigil-e2e-replay-XXXXXX");
	pid = tu_exec_redirected(argv, &o, tu_setup_uid, &uid);

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
	r->out = tu_read_file(o.out_path);
	r->err = tu_read_file(o.err_path);
	r->alerts = json_array();
	r->events = json_array();
	tu_rmtree(o.dir);
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

void e2e_once(struct e2e_once *once, bool docker, void (*make)(void))
{
	e2e_require_root();
	if (docker)
		e2e_docker_ready();
	if (!once->tried) {
		once->tried = true;
		make();
		once->ok = true;
	}
	if (!once->ok)
		fail_msg("the recording failed (see the first test's messages)");
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

void e2e_markers_free(struct e2e_markers *m)
{
	for (size_t i = 0; i < m->n; i++)
		free((char *)m->s[i]);
	m->n = 0;
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
