// SPDX-License-Identifier: Apache-2.0
/*
 * Replayed output compared with live output: alerts as multisets, events
 * in order, every field; a failure names what differs, field by field.
 */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "harness.h"
#include "harness_capture.h"

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

void _e2e_assert_replayed_as_live(const char *file, int line, const struct e2e_replay *r,
				  const json_t *live, const struct e2e_markers *m, bool events)
{
	json_t *mine;

	_e2e_assert_replay_status(file, line, r, 0);
	mine = e2e_select(events ? r->events : r->alerts, m);
	if (events)
		_e2e_assert_same_events(file, line, live, mine);
	else
		_e2e_assert_same_alerts(file, line, live, mine);
	json_decref(mine);
}
