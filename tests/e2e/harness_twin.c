// SPDX-License-Identifier: Apache-2.0
/* The twin without the prefilter (harness_twin.h). */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "harness_twin.h"

#define ARGS_MAX 32
#define KEYS_MAX 512

static struct e2e_vigil *twin;

void e2e_twin_start(const char *const *args)
{
	const char *all[ARGS_MAX + 2];
	size_t n = 0;

	while (args[n] && n < ARGS_MAX) {
		all[n] = args[n];
		n++;
	}
	assert_null(args[n]);
	all[n++] = "--no-prefilter";
	all[n] = NULL;
	twin = e2e_start_other(all, NULL, NULL);
}

bool e2e_twin_running(void)
{
	return twin != NULL;
}

static int cmp_key(const void *x, const void *y)
{
	return strcmp(*(char *const *)x, *(char *const *)y);
}

/*
 * The alerts of @v that @ours accepts, as "rule|evt.type|fd.name|proc.name",
 * sorted; their number. Not the time: each vigil's programs stamp their own.
 */
static size_t alert_keys(const struct e2e_vigil *v, e2e_twin_ours_fn ours, char **keys)
{
	const json_t *a;
	size_t i, n = 0;

	json_array_foreach(v->alerts, i, a)
	{
		const json_t *f = json_object_get(a, "output_fields");

		if (ours(a) && n < KEYS_MAX &&
		    asprintf(&keys[n], "%s|%s|%s|%s", json_string_value(json_object_get(a, "rule")),
			     json_string_value(json_object_get(f, "evt.type")),
			     json_string_value(json_object_get(f, "fd.name")),
			     json_string_value(json_object_get(f, "proc.name"))) > 0)
			n++;
	}
	qsort(keys, n, sizeof(*keys), cmp_key);
	return n;
}

bool e2e_twin_compare(struct e2e_vigil *v, e2e_twin_ours_fn ours)
{
	static char *a[KEYS_MAX], *b[KEYS_MAX];
	size_t na, nb, i;
	bool same;

	if (!twin)
		return false;
	if (v && v->pid)
		e2e_stop(v);
	e2e_stop(twin);
	na = v ? alert_keys(v, ours, a) : 0;
	nb = alert_keys(twin, ours, b);
	same = na == nb;
	for (i = 0; same && i < na; i++)
		same = !strcmp(a[i], b[i]);
	if (!same) {
		print_error("prefilter: %zu alerts with it, %zu with --no-prefilter:\n", na, nb);
		for (i = 0; i < na || i < nb; i++)
			print_error("  %-70s | %s\n", i < na ? a[i] : "", i < nb ? b[i] : "");
	}
	printf("prefilter: %zu alerts with it and %zu with --no-prefilter, %s\n", na, nb,
	       same ? "the same" : "different");
	for (i = 0; i < na; i++)
		free(a[i]);
	for (i = 0; i < nb; i++)
		free(b[i]);
	e2e_twin_free();
	return same;
}

void e2e_twin_free(void)
{
	e2e_free(twin);
	twin = NULL;
}
