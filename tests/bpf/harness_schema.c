// SPDX-License-Identifier: Apache-2.0
/*
 * vigil's output in the BPF integration tests, checked as a whole when it
 * stops: every stdout line a JSON event that follows docs/events.md (the
 * kinds and parameters of include/vigil/events.h), the final counters, and
 * no event from vigil itself.
 */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "vigil/events.h"
#include "harness.h"

struct vh_param_def {
	enum vgl_ptype type;
	const char *name;
};

struct vh_kind_def {
	const char *name;
	struct vh_param_def params[VGL_MAX_PARAMS];
};

#define VH_P(type, name)	 { VGL_PT_##type, name },
#define VH_E(kind, name, params) { name, { params } },
static const struct vh_kind_def vh_kinds[] = { VGL_EVENTS(VH_E, VH_P) };

static const struct vh_kind_def *kind_def(const char *name)
{
	for (size_t i = 0; i < sizeof(vh_kinds) / sizeof(vh_kinds[0]); i++) {
		if (strcmp(vh_kinds[i].name, name) == 0)
			return &vh_kinds[i];
	}
	return NULL;
}

static char vh_why[256];

#define BAD(...)                                               \
	do {                                                   \
		snprintf(vh_why, sizeof(vh_why), __VA_ARGS__); \
		return false;                                  \
	} while (0)

/* "2026-11-22T08:10:00.123456789Z" */
static bool valid_time(const char *s)
{
	static const char pat[] = "dddd-dd-ddTdd:dd:dd.dddddddddZ";

	if (strlen(s) != sizeof(pat) - 1)
		return false;
	for (size_t i = 0; pat[i]; i++) {
		if (pat[i] == 'd' ? (s[i] < '0' || s[i] > '9') : s[i] != pat[i])
			return false;
	}
	return true;
}

static bool valid_sockaddr(const json_t *v, const char *name)
{
	const char *fam = json_string_value(json_object_get(v, "family"));

	if (!json_is_object(v) || !fam)
		BAD("args.%s: not an address object with a family", name);
	if (!strcmp(fam, "AF_INET") || !strcmp(fam, "AF_INET6")) {
		if (!json_is_string(json_object_get(v, "ip")) ||
		    !json_is_integer(json_object_get(v, "port")))
			BAD("args.%s: %s address without ip and port", name, fam);
	} else if (!strcmp(fam, "AF_UNIX")) {
		if (!json_is_string(json_object_get(v, "path")))
			BAD("args.%s: AF_UNIX address without path", name);
	}
	return true;
}

static bool valid_param(const struct vh_param_def *p, const json_t *v)
{
	if (!v)
		BAD("args.%s is missing", p->name);
	if (json_is_null(v))
		return true;
	switch (p->type) {
	case VGL_PT_S64:
	case VGL_PT_U64:
	case VGL_PT_FD:
	case VGL_PT_PID:
	case VGL_PT_UID:
	case VGL_PT_MODE:
		if (!json_is_integer(v))
			BAD("args.%s: want an integer", p->name);
		return true;
	case VGL_PT_ARGV: {
		size_t i;
		json_t *a;

		if (!json_is_array(v))
			BAD("args.%s: want an array of strings", p->name);
		json_array_foreach(v, i, a)
		{
			if (!json_is_string(a))
				BAD("args.%s[%zu]: want a string", p->name, i);
		}
		return true;
	}
	case VGL_PT_SOCKADDR:
		return valid_sockaddr(v, p->name);
	default: /* flag sets, enumerations, strings and paths */
		if (!json_is_string(v))
			BAD("args.%s: want a string", p->name);
		return true;
	}
}

static bool valid_header(const json_t *ev)
{
	static const char *const ints[] = { "ts",    "pid",   "tid",  "ppid",	  "uid",
					    "gid",   "euid",  "egid", "loginuid", "cgroup_id",
					    "mntns", "pidns", "res" };
	const char *comm = json_string_value(json_object_get(ev, "comm"));
	const char *t = json_string_value(json_object_get(ev, "time"));

	for (size_t i = 0; i < sizeof(ints) / sizeof(ints[0]); i++) {
		if (!json_is_integer(json_object_get(ev, ints[i])))
			BAD("field %s: missing or not an integer", ints[i]);
	}
	if (!t || !valid_time(t))
		BAD("field time: missing or not RFC 3339 UTC with nanoseconds");
	if (!comm || strlen(comm) > VGL_COMM_LEN - 1)
		BAD("field comm: missing or longer than %d bytes", VGL_COMM_LEN - 1);
	if (!json_is_object(json_object_get(ev, "args")))
		BAD("field args: missing or not an object");
	for (const char *const *f = (const char *const[]){ "truncated", "user_args", NULL }; *f;
	     f++) {
		const json_t *v = json_object_get(ev, *f);

		if (v && !json_is_true(v))
			BAD("field %s: present but not true", *f);
	}
	return true;
}

/* The context keys: always there (vigil prints events with their context). */
static bool valid_context(const json_t *ev)
{
	static const char *const strs[] = { "proc.exepath",
					    "proc.cmdline",
					    "proc.pname",
					    "user.name",
					    "user.loginname",
					    "container.id",
					    "container.name",
					    "container.image",
					    "k8s.ns.name",
					    "k8s.pod.name",
					    NULL };
	const json_t *anc = json_object_get(ev, "proc.ancestors"), *a, *v;
	size_t i;

	for (const char *const *f = strs; *f; f++) {
		v = json_object_get(ev, *f);
		if (!v || !(json_is_string(v) || json_is_null(v)))
			BAD("field %s: missing or neither a string nor null", *f);
	}
	if (!json_is_array(anc) || json_array_size(anc) > 8)
		BAD("field proc.ancestors: missing, not an array or longer than 8");
	json_array_foreach(anc, i, a)
	{
		v = json_object_get(a, "name");
		if (!json_is_integer(json_object_get(a, "pid")) || !v ||
		    !(json_is_string(v) || json_is_null(v)))
			BAD("proc.ancestors[%zu]: want {\"pid\": integer, \"name\": string or "
			    "null}",
			    i);
	}
	v = json_object_get(ev, "context_truncated");
	if (v && !json_is_true(v))
		BAD("field context_truncated: present but not true");
	return true;
}

static bool valid_error(const json_t *ev)
{
	long long res = json_integer_value(json_object_get(ev, "res"));
	const json_t *err = json_object_get(ev, "error");
	const char *want;

	if (res >= 0) {
		if (err)
			BAD("field error present although res %lld >= 0", res);
		return true;
	}
	if (!json_is_string(err))
		BAD("field error: missing or not a string although res %lld < 0", res);
	want = res >= -4095 ? strerrorname_np((int)-res) : NULL;
	if (want && strcmp(want, json_string_value(err)) != 0)
		BAD("field error: res %lld is %s", res, want);
	return true;
}

/* Check one event against the documented schema; on error vh_why says why. */
static bool valid_event(const json_t *ev)
{
	const char *type = json_string_value(json_object_get(ev, "type"));
	const struct vh_kind_def *k;
	const json_t *args;

	if (!json_is_object(ev))
		BAD("not a JSON object");
	if (!type)
		BAD("field type: missing or not a string");
	k = kind_def(type);
	if (!k)
		BAD("type \"%s\" is not in VGL_EVENTS", type);
	if (!valid_header(ev) || !valid_error(ev) || !valid_context(ev))
		return false;
	args = json_object_get(ev, "args");
	for (size_t i = 0; i < VGL_MAX_PARAMS && k->params[i].name; i++) {
		if (!valid_param(&k->params[i], json_object_get(args, k->params[i].name)))
			return false;
	}
	return true;
}

static void parse_events(struct vh_run *run)
{
	char *text = tu_read_file(run->files.out_path), *line, *save = NULL;
	unsigned int lineno = 0;

	run->events = json_array();
	for (line = strtok_r(text, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		json_error_t jerr;
		json_t *ev;

		lineno++;
		ev = json_loads(line, JSON_REJECT_DUPLICATES, &jerr);
		if (!ev) {
			print_error("stdout line %u is not JSON (%s): %s\n", lineno, jerr.text,
				    line);
			free(text);
			fail();
		}
		if (!json_object_get(ev, "rule") && !valid_event(ev)) { /* alerts: -r */
			print_error("stdout line %u breaks docs/events.md: %s\n  %s\n", lineno,
				    vh_why, line);
			json_decref(ev);
			free(text);
			fail();
		}
		json_array_append_new(run->events, ev);
	}
	free(text);
}

/* vigil filters itself out in the kernel: none of its events may appear. */
static void check_self_filter(const struct vh_run *run)
{
	pid_t self = run->pid < 0 ? -run->pid : run->pid;
	json_t *ev = vh_find(run, NULL, self, NULL, NULL);

	if (ev) {
		vh_print_event("event from vigil itself: ", ev);
		fail_msg("vigil (pid %d) did not filter its own events out", (int)self);
	}
}

void vh_parse_output(struct vh_run *run)
{
	parse_events(run);
	run->stats = tu_parse_stats(run->err_text, run->allow_loss);
	check_self_filter(run);
}
