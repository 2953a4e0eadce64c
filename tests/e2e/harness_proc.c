// SPDX-License-Identifier: Apache-2.0
/*
 * Files and commands of the end-to-end tests: this process's comm, files
 * written atomically, shell commands with a timeout. (The forked children
 * that trigger rules are tests/common/child.c's.)
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/prctl.h>
#include <sys/wait.h>

#include "harness.h"

const char *e2e_self_comm(void)
{
	static char comm[17];

	if (prctl(PR_GET_NAME, comm, 0, 0, 0) < 0)
		fail_msg("prctl(PR_GET_NAME): %s", strerror(errno));
	return comm;
}

void e2e_write_file(const char *path, const char *text)
{
	char tmp[PATH_MAX + 16];
	FILE *f;

	snprintf(tmp, sizeof(tmp), "%s.new", path);
	f = fopen(tmp, "w");
	if (!f)
		fail_msg("fopen(%s): %s", tmp, strerror(errno));
	if (fputs(text, f) == EOF || fclose(f) != 0)
		fail_msg("write %s: %s", tmp, strerror(errno));
	if (rename(tmp, path) < 0)
		fail_msg("rename(%s, %s): %s", tmp, path, strerror(errno));
}

int e2e_sh(char **ret_out, long timeout_ms, const char *fmt, ...)
{
	char cmd[4096], out_path[64];
	int fd, status;
	va_list ap;
	pid_t pid;

	va_start(ap, fmt);
	vsnprintf(cmd, sizeof(cmd), fmt, ap);
	va_end(ap);
	strcpy(out_path, "/tmp/vigil-e2e-sh-XXXXXX");
	fd = mkstemp(out_path);
	if (fd < 0)
		fail_msg("mkstemp: %s", strerror(errno));
	pid = tu_fork();
	if (pid == 0) {
		int in = open("/dev/null", O_RDONLY);

		dup2(in, 0);
		dup2(fd, 1);
		execl("/bin/sh", "sh", "-c", cmd, (char *)NULL);
		_exit(127);
	}
	close(fd);
	if (!tu_wait_timeout(pid, &status, timeout_ms)) {
		tu_kill_and_reap(pid);
		print_error("command timed out after %ld ms: %s\n", timeout_ms, cmd);
		status = -1;
	} else {
		status = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
	}
	if (ret_out) {
		char *out = tu_read_file(out_path);
		size_t len = strlen(out);

		while (len && out[len - 1] == '\n')
			out[--len] = '\0';
		*ret_out = out;
	}
	unlink(out_path);
	return status;
}
