// SPDX-License-Identifier: Apache-2.0
/*
 * What the context of an event (docs/events.md, "Context") must say of the
 * test's own processes, read independently of vigil: from /proc and passwd.
 */
#define _GNU_SOURCE
#include <limits.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "harness.h"

/* comm and ppid from /proc/PID/stat; the comm may hold ')' and spaces. */
static bool read_stat(pid_t pid, struct vh_proc *ret, pid_t *ret_ppid)
{
	char path[64], buf[1024];
	FILE *f;
	size_t n;
	char *open, *close;
	int ppid;

	snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
	f = fopen(path, "r");
	if (!f)
		return false;
	n = fread(buf, 1, sizeof(buf) - 1, f);
	fclose(f);
	buf[n] = '\0';
	open = strchr(buf, '(');
	close = strrchr(buf, ')');
	if (!open || !close || close < open || sscanf(close + 1, " %*c %d", &ppid) != 1)
		return false;
	ret->pid = pid;
	snprintf(ret->name, sizeof(ret->name), "%.*s", (int)(close - open - 1), open + 1);
	*ret_ppid = ppid;
	return true;
}

size_t vh_proc_chain(pid_t pid, struct vh_proc *out, size_t max)
{
	size_t n = 0;
	pid_t ppid;

	while (pid > 0 && n < max && read_stat(pid, &out[n], &ppid)) {
		n++;
		if (ppid == pid)
			break;
		pid = ppid;
	}
	return n;
}

void vh_chain_text(const struct vh_proc *c, size_t n, char *buf, size_t size)
{
	size_t len = 0;

	buf[0] = '\0';
	for (size_t i = 0; i < n && len < size; i++)
		len += (size_t)snprintf(buf + len, size - len, "%s%s[%d]", i ? "," : "", c[i].name,
					(int)c[i].pid);
}

const char *vh_loginname(void)
{
	static char name[256];
	unsigned long uid = 0;
	struct passwd *pw;
	FILE *f = fopen("/proc/self/loginuid", "r");
	int got = f ? fscanf(f, "%lu", &uid) : 0;

	if (f)
		fclose(f);
	if (got != 1 || uid == 4294967295UL)
		return NULL;
	pw = getpwuid((uid_t)uid);
	if (!pw)
		return NULL;
	snprintf(name, sizeof(name), "%s", pw->pw_name);
	return name;
}

void _vh_assert_ancestors(const char *file, int line, const json_t *ev, const struct vh_proc *c,
			  size_t n)
{
	const json_t *a = json_object_get(ev, "proc.ancestors");
	size_t i;

	for (i = 0; json_is_array(a) && i < n && i < json_array_size(a); i++) {
		const json_t *e = json_array_get(a, i);
		const char *name = json_string_value(json_object_get(e, "name"));

		if (json_integer_value(json_object_get(e, "pid")) != c[i].pid || !name ||
		    strcmp(name, c[i].name) != 0)
			break;
	}
	if (json_is_array(a) && i == n && json_array_size(a) == n)
		return;
	print_error("%s:%d: proc.ancestors: want, from /proc:\n  ", file, line);
	for (i = 0; i < n; i++)
		print_error("%s{\"pid\": %d, \"name\": \"%s\"}", i ? ", " : "", (int)c[i].pid,
			    c[i].name);
	vh_print_event("\nin the event:\n  ", ev);
	_fail(file, line);
}

void vh_self_args(char *buf, size_t size)
{
	char cmd[4096];
	FILE *f = fopen("/proc/self/cmdline", "r");
	size_t n = f ? fread(cmd, 1, sizeof(cmd), f) : 0, len = 0;
	size_t i = strnlen(cmd, n) + 1; /* after argv[0] */

	if (f)
		fclose(f);
	buf[0] = '\0';
	while (i < n && len < size) {
		size_t l = strnlen(cmd + i, n - i);

		len += (size_t)snprintf(buf + len, size - len, " %.*s", (int)l, cmd + i);
		i += l + 1;
	}
}
