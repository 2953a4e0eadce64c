// SPDX-License-Identifier: Apache-2.0
/*
 * Exact checks on one Falco JSON alert; a failure prints the alert.
 */
#define _GNU_SOURCE
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "harness.h"

static void fail_on(const char *file, int line, const json_t *a, const char *what,
		    const json_t *got)
{
	tu_fail_on(file, line, what, got, "  in alert: ", a, E2E_DUMP_FLAGS);
}

void _e2e_assert_top(const char *file, int line, const json_t *a, const char *key, const char *want)
{
	const json_t *got = json_object_get(a, key);
	char what[PATH_MAX + 64];

	if (json_is_string(got) && strcmp(json_string_value(got), want) == 0)
		return;
	snprintf(what, sizeof(what), "%s: want \"%s\"", key, want);
	fail_on(file, line, a, what, got);
}

void _e2e_assert_field(const char *file, int line, const json_t *a, const char *field,
		       const char *want)
{
	const json_t *got = json_object_get(json_object_get(a, "output_fields"), field);
	char what[PATH_MAX + 64];

	if (json_is_string(got) && strcmp(json_string_value(got), want) == 0)
		return;
	snprintf(what, sizeof(what), "output_fields[\"%s\"]: want \"%s\"", field, want);
	fail_on(file, line, a, what, got);
}

void _e2e_assert_field_bool(const char *file, int line, const json_t *a, const char *field,
			    bool want)
{
	const json_t *got = json_object_get(json_object_get(a, "output_fields"), field);
	char what[160];

	if (json_is_boolean(got) && json_is_true(got) == want)
		return;
	snprintf(what, sizeof(what), "output_fields[\"%s\"]: want %s", field,
		 want ? "true" : "false");
	fail_on(file, line, a, what, got);
}

void _e2e_assert_field_null(const char *file, int line, const json_t *a, const char *field)
{
	const json_t *got = json_object_get(json_object_get(a, "output_fields"), field);
	char what[160];

	if (json_is_null(got))
		return;
	snprintf(what, sizeof(what), "output_fields[\"%s\"]: want null (<NA>)", field);
	fail_on(file, line, a, what, got);
}

void _e2e_assert_field_has(const char *file, int line, const json_t *a, const char *field,
			   const char *needle)
{
	const json_t *got = json_object_get(json_object_get(a, "output_fields"), field);
	char what[PATH_MAX + 64];

	if (json_is_string(got) && strstr(json_string_value(got), needle))
		return;
	snprintf(what, sizeof(what), "output_fields[\"%s\"]: want a string holding \"%s\"", field,
		 needle);
	fail_on(file, line, a, what, got);
}

void _e2e_assert_field_int(const char *file, int line, const json_t *a, const char *field,
			   long long min, long long max)
{
	const json_t *got = json_object_get(json_object_get(a, "output_fields"), field);
	char what[160];

	if (json_is_integer(got) && json_integer_value(got) >= min &&
	    json_integer_value(got) <= max)
		return;
	snprintf(what, sizeof(what), "output_fields[\"%s\"]: want an integer from %lld to %lld",
		 field, min, max);
	fail_on(file, line, a, what, got);
}
