// SPDX-License-Identifier: Apache-2.0
/*
 * Lookups among the events of a finished run: by kind, pid and predicate,
 * and the one event a syscall must give, with the candidates listed when
 * there is none or more than one.
 */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "harness.h"

/*
 * A field by its dotted path: "pid", "args.fd", "args.addr.family"; a key
 * with dots of its own is taken whole first: "proc.exepath".
 */
const json_t *vh_field(const json_t *ev, const char *path)
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
	tu_print_json(prefix, ev, VH_DUMP_FLAGS);
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
