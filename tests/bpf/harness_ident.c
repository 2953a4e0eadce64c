// SPDX-License-Identifier: Apache-2.0
/*
 * The test process's identity, which its children share (namespaces,
 * cgroup, login uid), read independently of vigil to check the header of
 * an event; and whether the user_args flag tells the truth about where
 * vigil read an argument from.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "harness.h"

static long long ns_inode(const char *ns)
{
	char path[64];
	struct stat st;

	snprintf(path, sizeof(path), "/proc/self/ns/%s", ns);
	if (stat(path, &st) < 0)
		fail_msg("stat(%s): %s", path, strerror(errno));
	return (long long)st.st_ino;
}

bool vh_cgroup2_mount(char *buf, size_t size)
{
	char line[PATH_MAX], m[PATH_MAX];
	FILE *f = fopen("/proc/self/mountinfo", "r");
	bool found = false;

	while (f && !found && fgets(line, sizeof(line), f)) {
		if (strstr(line, " - cgroup2 ") && sscanf(line, "%*s %*s %*s %*s %4095s", m) == 1) {
			snprintf(buf, size, "%s", m);
			found = true;
		}
	}
	if (f)
		fclose(f);
	return found;
}

/* cgroup v2 id of this process: the inode of its cgroup2 directory, or -1. */
static long long cgroup2_id(void)
{
	char mnt[PATH_MAX] = "", rel[PATH_MAX] = "", line[PATH_MAX], path[PATH_MAX * 2];
	FILE *f;
	struct stat st;

	if (!vh_cgroup2_mount(mnt, sizeof(mnt)))
		return -1;
	f = fopen("/proc/self/cgroup", "r");
	while (f && fgets(line, sizeof(line), f)) {
		if (strncmp(line, "0::", 3) == 0) {
			snprintf(rel, sizeof(rel), "%s", line + 3);
			rel[strcspn(rel, "\n")] = '\0';
		}
	}
	if (f)
		fclose(f);
	if (!*mnt || !*rel)
		return -1;
	snprintf(path, sizeof(path), "%s%s", mnt, strcmp(rel, "/") ? rel : "");
	return stat(path, &st) < 0 ? -1 : (long long)st.st_ino;
}

static long long loginuid(void)
{
	char *s = tu_read_file("/proc/self/loginuid");
	long long v = *s ? strtoll(s, NULL, 10) : -1;

	free(s);
	return v == 4294967295LL ? -1 : v;
}

void _vh_assert_hdr(const char *file, int line, const json_t *ev, const struct vh_hdr_want *w)
{
	long long cg = cgroup2_id();

	_vh_assert_int(file, line, ev, "pid", w->pid);
	_vh_assert_int(file, line, ev, "tid", w->tid ? w->tid : w->pid);
	_vh_assert_int(file, line, ev, "ppid", w->ppid);
	_vh_assert_str(file, line, ev, "comm", w->comm);
	_vh_assert_int(file, line, ev, "uid", w->uid);
	_vh_assert_int(file, line, ev, "gid", w->gid);
	_vh_assert_int(file, line, ev, "euid", w->euid);
	_vh_assert_int(file, line, ev, "egid", w->egid);
	_vh_assert_int(file, line, ev, "loginuid", w->loginuid_given ? w->loginuid : loginuid());
	if (!w->other_pidns)
		_vh_assert_int(file, line, ev, "pidns", ns_inode("pid"));
	if (!w->other_mntns)
		_vh_assert_int(file, line, ev, "mntns", ns_inode("mnt"));
	if (w->cgroup_id)
		_vh_assert_int(file, line, ev, "cgroup_id", w->cgroup_id);
	else if (cg >= 0)
		_vh_assert_int(file, line, ev, "cgroup_id", cg);
}

/*
 * "vigil: hook: open name: user memory at ..." (-v): whether vigil reads
 * @what from the kernel's own copy (1), from user memory (0), or did not
 * say (-1).
 */
static int hook_kernel_copy(const struct vh_run *run, const char *what)
{
	char key[96];
	const char *p;

	snprintf(key, sizeof(key), "hook: %s: ", what);
	p = run->err_text ? strstr(run->err_text, key) : NULL;
	if (!p)
		return -1;
	return strncmp(p + strlen(key), "user memory", 11) != 0;
}

void _vh_assert_user_args(const char *file, int line, const struct vh_run *run, const json_t *ev,
			  const char *what)
{
	int kernel = hook_kernel_copy(run, what);
	const json_t *flag = json_object_get(ev, "user_args");

	/* vigil -v logs every concern's hook: a missing line is a failure, or
	 * this check could never fail. */
	if (kernel < 0)
		fail_msg("%s:%d: vigil -v did not say where it reads the %s from: want a line "
			 "\"vigil: hook: %s: ...\" in its log:\n%s",
			 file, line, what, what, run->err_text ? run->err_text : "(no log)");
	if (kernel && flag)
		vh_fail_on(file, line, ev,
			   "user_args: want absent (vigil reads this from the kernel's copy)",
			   flag);
	if (!kernel && !json_is_true(flag))
		vh_fail_on(file, line, ev,
			   "user_args: want true (vigil reads this from user memory)", flag);
}
