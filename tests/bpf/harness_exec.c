// SPDX-License-Identifier: Apache-2.0
/*
 * Exec'd files for the exec tests (test_exec*.c): copies of /bin/true with a
 * chosen mode, the exec of one with a known environment, and a child that
 * becomes an unprivileged user first.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <stdio.h>
#include <unistd.h>
#include <sys/stat.h>
#include <sys/syscall.h>

#include "harness.h"

char *const vh_exec_envp[] = { "VIGIL_TEST=1", "B=2", NULL };

int vh_copy_fd(int in, int out)
{
	char buf[65536];
	ssize_t n;

	while ((n = read(in, buf, sizeof(buf))) > 0) {
		for (ssize_t off = 0, w; off < n; off += w) {
			w = write(out, buf + off, (size_t)(n - off));
			if (w < 0)
				return -errno;
		}
	}
	return n < 0 ? -errno : 0;
}

int vh_copy_true(const char *dir, const char *name, mode_t mode, char *ret_path, size_t size)
{
	int in, out, r;

	if ((size_t)snprintf(ret_path, size, "%s/%s", dir, name) >= size)
		return -ENAMETOOLONG;
	in = open("/bin/true", O_RDONLY | O_CLOEXEC);
	if (in < 0)
		return -errno;
	out = open(ret_path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0700);
	if (out < 0) {
		r = -errno;
		close(in);
		return r;
	}
	r = vh_copy_fd(in, out);
	/* the mode exactly, whatever the umask */
	if (r == 0 && fchmod(out, mode) < 0)
		r = -errno;
	close(in);
	if (close(out) < 0 && r == 0)
		r = -errno;
	return r;
}

void vh_exec_true(const char *path, char *const envp[])
{
	char *const argv[] = { "true", NULL };

	execve(path, argv, envp);
	VH_CHECK(!"execve returned");
	_exit(100);
}

void vh_become(uid_t uid)
{
	VH_CHECK(setgroups(0, NULL) == 0);
	VH_CHECK(syscall(SYS_setresgid, uid, uid, uid) == 0);
	VH_CHECK(syscall(SYS_setresuid, uid, uid, uid) == 0);
}
