// SPDX-License-Identifier: Apache-2.0
#define _GNU_SOURCE
#include <errno.h>
#include <ftw.h>
#include <limits.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/stat.h>
#include <sys/wait.h>

#include <cmocka.h>

#include "testutil.h"

void tu_sleep_ms(long ms)
{
	struct timespec ts = { .tv_sec = ms / 1000, .tv_nsec = (ms % 1000) * 1000000L };

	while (nanosleep(&ts, &ts) < 0 && errno == EINTR)
		;
}

char *tu_read_file(const char *path)
{
	FILE *f = fopen(path, "r");
	size_t cap = 4096, len = 0, n;
	char *buf = malloc(cap);

	assert_non_null(buf);
	if (!f) {
		buf[0] = '\0';
		return buf;
	}
	while ((n = fread(buf + len, 1, cap - len - 1, f)) > 0) {
		len += n;
		if (cap - len < 2) {
			cap *= 2;
			buf = realloc(buf, cap);
			assert_non_null(buf);
		}
	}
	buf[len] = '\0';
	fclose(f);
	return buf;
}

const char *tu_vigil_bin(void)
{
	const char *bin = getenv("VIGIL_BIN");

	if (!bin || !*bin)
		fail_msg("VIGIL_BIN is not set: it must name the vigil binary under test");
	if (access(bin, X_OK) < 0)
		fail_msg("VIGIL_BIN=%s is not executable: %s", bin, strerror(errno));
	return bin;
}

void tu_skip_or_fail(const char *fmt, ...)
{
	const char *ci = getenv("CI");
	char msg[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (ci && strcmp(ci, "true") == 0)
		fail_msg("%s, and CI=true forbids skipping", msg);
	print_message("SKIP: %s\n", msg);
	skip();
}

bool tu_wait_timeout(pid_t pid, int *status, long ms)
{
	for (long waited = 0; waited <= ms; waited += 10) {
		pid_t r = waitpid(pid, status, WNOHANG);

		if (r == pid)
			return true;
		if (r < 0 && errno != EINTR)
			fail_msg("waitpid(%d): %s", (int)pid, strerror(errno));
		tu_sleep_ms(10);
	}
	return false;
}

void tu_kill_and_reap(pid_t pid)
{
	int status;

	if (pid <= 0)
		return;
	kill(pid, SIGKILL);
	waitpid(pid, &status, 0);
}

void tu_mkdtemp(const char *tmpl, char *buf, size_t size)
{
	char path[PATH_MAX];

	snprintf(path, sizeof(path), "%s", tmpl);
	if (!mkdtemp(path))
		fail_msg("mkdtemp(%s): %s", tmpl, strerror(errno));
	chmod(path, 0755);
	if (!realpath(path, buf) || strlen(buf) >= size)
		fail_msg("realpath(%s) failed", path);
}

static int rm_entry(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)st;
	(void)flag;
	(void)ftw;
	remove(path);
	return 0;
}

void tu_rmtree(const char *dir)
{
	if (dir && *dir)
		nftw(dir, rm_entry, 16, FTW_DEPTH | FTW_PHYS);
}

const char *tu_join(const char *dir, const char *name)
{
	static char buf[8][PATH_MAX + 256];
	static unsigned int i;

	i = (i + 1) % 8;
	snprintf(buf[i], sizeof(buf[i]), "%s/%s", dir, name);
	return buf[i];
}

void tu_source_path(char *buf, size_t size, const char *rel)
{
	const char *src = getenv("VIGIL_SOURCE_DIR");

	if (src) {
		snprintf(buf, size, "%s/%s", src, rel);
	} else {
		snprintf(buf, size, "%s", __FILE__);
		*strrchr(buf, '/') = '\0';
		strncat(buf, "/../../", size - strlen(buf) - 1);
		strncat(buf, rel, size - strlen(buf) - 1);
	}
}
