/* SPDX-License-Identifier: Apache-2.0 */
/*
 * JSON output of vigil as the BPF and end-to-end tests read it: one value
 * printed as failure context, a failed check on one value of an event or
 * alert, and the final {"vigil_stats": ...} line with its loss counter.
 */
#ifndef VIGIL_TESTS_JSONUTIL_H
#define VIGIL_TESTS_JSONUTIL_H

#include <stdbool.h>
#include <stddef.h>

#include <jansson.h>

/* Print @j as one line (json_dumps @flags) after @prefix on stderr. */
void tu_print_json(const char *prefix, const json_t *j, size_t flags);

/*
 * Fail at @file:@line with "@what, got GOT" (GOT: @got as JSON, or
 * "(absent)"), then @whole as one line after @prefix (json_dumps @flags).
 */
void tu_fail_on(const char *file, int line, const char *what, const json_t *got, const char *prefix,
		const json_t *whole, size_t flags);

/*
 * The object inside the one {"vigil_stats": ...} line of @err_text (a new
 * reference). Fails when there is none, more than one, or "lost" is not 0
 * (any integer with @allow_loss).
 */
json_t *tu_parse_stats(const char *err_text, bool allow_loss);

/* The integer @stats.@obj.@key (@obj NULL: @stats.@key); fails when it is not one. */
long long tu_stat_int(const json_t *stats, const char *obj, const char *key);

/* @stats.kinds.*.@key summed over the kinds. */
long long tu_stat_sum_kinds(const json_t *stats, const char *key);

#endif /* VIGIL_TESTS_JSONUTIL_H */
