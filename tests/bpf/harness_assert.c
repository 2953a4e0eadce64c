// SPDX-License-Identifier: Apache-2.0
/*
 * Exact assertions on one event of the BPF integration tests: fields by
 * dotted path, results and errno names, flag sets, argv arrays, socket
 * addresses. A failure prints the event's JSON line.
 */
#define _GNU_SOURCE
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "harness.h"

void vh_fail_on(const char *file, int line, const json_t *ev, const char *what, const json_t *got)
{
	tu_fail_on(file, line, what, got, "  in event: ", ev, VH_DUMP_FLAGS);
}

void _vh_assert_int(const char *file, int line, const json_t *ev, const char *f, long long want)
{
	const json_t *v = vh_field(ev, f);
	char what[160];

	if (json_is_integer(v) && json_integer_value(v) == want)
		return;
	snprintf(what, sizeof(what), "%s: want %lld", f, want);
	vh_fail_on(file, line, ev, what, v);
}

void _vh_assert_str(const char *file, int line, const json_t *ev, const char *f, const char *want)
{
	const json_t *v = vh_field(ev, f);
	char what[PATH_MAX + 64];

	if (!want && json_is_null(v))
		return;
	if (want && json_is_string(v) && strcmp(json_string_value(v), want) == 0)
		return;
	if (!want)
		snprintf(what, sizeof(what), "%s: want null", f);
	else
		snprintf(what, sizeof(what), "%s: want \"%s\"", f, want);
	vh_fail_on(file, line, ev, what, v);
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
	vh_fail_on(file, line, ev, what, v);
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
	vh_fail_on(file, line, ev, what, v);
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
	vh_fail_on(file, line, ev, what, v);
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
	vh_fail_on(file, line, ev, what, v);
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
	vh_fail_on(file, line, ev, what, v);
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
	vh_fail_on(file, line, ev, what, v);
}

void _vh_assert_absent(const char *file, int line, const json_t *ev, const char *f)
{
	char what[96];

	if (!json_object_get(ev, f))
		return;
	snprintf(what, sizeof(what), "%s: want absent", f);
	vh_fail_on(file, line, ev, what, json_object_get(ev, f));
}

void _vh_assert_arg_null(const char *file, int line, const json_t *ev, const char *arg)
{
	const json_t *v = json_object_get(json_object_get(ev, "args"), arg);
	char what[96];

	if (json_is_null(v))
		return;
	snprintf(what, sizeof(what), "args.%s: want null (unknown)", arg);
	vh_fail_on(file, line, ev, what, v);
}

void _vh_assert_res(const char *file, int line, const json_t *ev, long long res)
{
	_vh_assert_int(file, line, ev, "res", res);
	if (res < 0) {
		_vh_assert_str(file, line, ev, "error", strerrorname_np((int)-res));
	} else if (json_object_get(ev, "error")) {
		vh_fail_on(file, line, ev, "error: want absent (res >= 0)",
			   json_object_get(ev, "error"));
	}
}
