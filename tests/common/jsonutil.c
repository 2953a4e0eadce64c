// SPDX-License-Identifier: Apache-2.0
/* vigil's JSON output as the tests read it (see jsonutil.h). */
#define _GNU_SOURCE
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "jsonutil.h"

#define STATS_KEY "{\"vigil_stats\""

void tu_print_json(const char *prefix, const json_t *j, size_t flags)
{
	char *s = json_dumps(j, flags);

	print_error("%s%s\n", prefix, s ? s : "(null)");
	free(s);
}

void tu_fail_on(const char *file, int line, const char *what, const json_t *got, const char *prefix,
		const json_t *whole, size_t flags)
{
	char *s = got ? json_dumps(got, JSON_ENCODE_ANY | JSON_COMPACT) : NULL;

	print_error("%s:%d: %s, got %s\n", file, line, what, s ? s : "(absent)");
	free(s);
	tu_print_json(prefix, whole, flags);
	_fail(file, line);
}

json_t *tu_parse_stats(const char *err_text, bool allow_loss)
{
	const char *p = strstr(err_text, STATS_KEY), *end;
	const json_t *lost;
	json_error_t jerr;
	json_t *root, *stats;

	if (!p) {
		fail_msg("no {\"vigil_stats\": ...} line on vigil's stderr:\n%s", err_text);
		return NULL; /* not reached: cmocka's fail does not return */
	}
	if (strstr(p + 1, STATS_KEY))
		fail_msg("more than one vigil_stats line on stderr:\n%s", err_text);
	end = strchr(p, '\n');
	root = json_loadb(p, end ? (size_t)(end - p) : strlen(p), 0, &jerr);
	if (!root || !json_is_object(json_object_get(root, "vigil_stats")))
		fail_msg("vigil_stats line is not a JSON object (%s):\n%s",
			 root ? "no object" : jerr.text, p);
	stats = json_incref(json_object_get(root, "vigil_stats"));
	json_decref(root);
	lost = json_object_get(stats, "lost");
	if (!json_is_integer(lost) || (!allow_loss && json_integer_value(lost) != 0)) {
		tu_print_json("vigil lost events (want \"lost\": 0): ", stats, JSON_COMPACT);
		json_decref(stats);
		fail();
	}
	return stats;
}

long long tu_stat_int(const json_t *stats, const char *obj, const char *key)
{
	const json_t *v = json_object_get(obj ? json_object_get(stats, obj) : stats, key);

	if (!json_is_integer(v)) {
		tu_print_json("vigil_stats: ", stats, JSON_COMPACT);
		fail_msg("vigil_stats: %s%s%s missing or not an integer", obj ? obj : "",
			 obj ? "." : "", key);
	}
	return json_integer_value(v);
}

long long tu_stat_sum_kinds(const json_t *stats, const char *key)
{
	const json_t *kinds = json_object_get(stats, "kinds"), *k;
	const char *name;
	long long sum = 0;

	json_object_foreach((json_t *)kinds, name, k)
	{
		sum += tu_stat_int(kinds, name, key);
	}
	return sum;
}
