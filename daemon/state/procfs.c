// SPDX-License-Identifier: Apache-2.0
/* /proc readers for the process table. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "state/procfs.h"
#include "state/util.h"

#define PF_KTHREAD 0x00200000
#define STAT_MAX   4096
#define STATUS_MAX 16384

int vgl_procfs_parse_stat(const char *text, struct vgl_procfs_info *ret)
{
	const char *open = strchr(text, '('), *close = strrchr(text, ')');
	unsigned long long start;
	unsigned int ppid, pgid, sid, flags;
	long long tty_nr;
	size_t n;
	char st;

	if (!open || !close || close < open)
		return -EINVAL;
	if (sscanf(text, "%" SCNu32, &ret->pid) != 1)
		return -EINVAL;
	n = (size_t)(close - open - 1);
	if (n >= VGL_COMM_LEN)
		n = VGL_COMM_LEN - 1;
	memset(ret->comm, 0, sizeof(ret->comm));
	memcpy(ret->comm, open + 1, n);
	/* state ppid pgrp session tty_nr tpgid flags minflt cminflt majflt cmajflt utime
	 * stime cutime cstime priority nice num_threads itrealvalue starttime */
	if (sscanf(close + 1,
		   " %c %u %u %u %lld %*d %u %*u %*u %*u %*u %*u %*u %*d %*d %*d %*d %*d %*d %llu",
		   &st, &ppid, &pgid, &sid, &tty_nr, &flags, &start) != 7)
		return -EINVAL;
	ret->ppid = ppid;
	ret->pgid = pgid;
	ret->sid = sid;
	ret->tty = tty_nr;
	ret->kthread = flags & PF_KTHREAD;
	ret->start_ts = start * (1000000000ull / (uint64_t)sysconf(_SC_CLK_TCK));
	return 0;
}

/* Last number of a "Key:\tA\tB..." status line; false when absent. */
static bool last_num(const char *status, const char *key, uint32_t *ret)
{
	const char *p = strstr(status, key), *end;
	unsigned long v = 0;
	bool any = false;
	char *q;

	if (!p)
		return false;
	p += strlen(key);
	end = strchr(p, '\n');
	while (p && (!end || p < end)) {
		v = strtoul(p, &q, 10);
		if (q == p)
			break;
		any = true;
		*ret = (uint32_t)v;
		p = q;
	}
	return any;
}

static bool hex_field(const char *status, const char *key, uint64_t *ret)
{
	const char *p = strstr(status, key);

	return p && sscanf(p + strlen(key), "%" SCNx64, ret) == 1;
}

/* First number of a "Key:\tA\tB..." status line. */
static void first_num(const char *status, const char *key, uint32_t *ret)
{
	const char *p = strstr(status, key);
	unsigned int v;

	if (p && sscanf(p + strlen(key), "%u", &v) == 1)
		*ret = v;
}

static void parse_status(const char *s, struct vgl_procfs_info *ret)
{
	first_num(s, "\nUid:", &ret->uid);
	first_num(s, "\nGid:", &ret->gid);
	last_num(s, "\nNSpid:", &ret->vpid);
	last_num(s, "\nNSpgid:", &ret->vpgid);
	ret->caps_known = hex_field(s, "\nCapInh:", &ret->cap_inheritable) &&
			  hex_field(s, "\nCapPrm:", &ret->cap_permitted) &&
			  hex_field(s, "\nCapEff:", &ret->cap_effective);
}

static char *read_link(int dirfd, const char *name)
{
	char buf[PATH_MAX];
	ssize_t n = readlinkat(dirfd, name, buf, sizeof(buf) - 1);

	if (n <= 0)
		return NULL;
	buf[n] = '\0';
	return strdup(buf);
}

/* argv, cut at @max bytes (unlike vgl_read_fileat, a long one is not an error). */
static void read_cmdline(int dirfd, size_t max, struct vgl_procfs_info *ret)
{
	int fd = openat(dirfd, "cmdline", O_RDONLY | O_CLOEXEC);
	char *buf = malloc(max + 1);
	ssize_t n = -1;
	size_t len = 0;

	while (fd >= 0 && buf && len < max && (n = read(fd, buf + len, max - len)) > 0)
		len += (size_t)n;
	if (fd >= 0)
		close(fd);
	if (!buf || len == 0) {
		free(buf);
		return;
	}
	if (buf[len - 1] == '\0') /* the final NUL is not counted */
		len--;
	buf[len] = '\0';
	ret->cmdline = buf;
	ret->cmdline_len = len;
}

int vgl_procfs_read(const char *proc_root, uint32_t pid, size_t args_max,
		    struct vgl_procfs_info *ret)
{
	struct vgl_procfs_info info = { .loginuid = (uint32_t)-1 };
	char path[PATH_MAX], *buf;
	size_t len;
	int dirfd, rc;

	snprintf(path, sizeof(path), "%s/%u", proc_root, pid);
	dirfd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (dirfd < 0)
		return -errno;
	rc = vgl_read_fileat(dirfd, "stat", STAT_MAX, &buf, &len);
	if (!rc) {
		rc = vgl_procfs_parse_stat(buf, &info);
		free(buf);
	}
	if (rc)
		goto out_close;
	if (!vgl_read_fileat(dirfd, "status", STATUS_MAX, &buf, &len)) {
		parse_status(buf, &info);
		free(buf);
	}
	if (!vgl_read_fileat(dirfd, "loginuid", 64, &buf, &len)) {
		info.loginuid = (uint32_t)strtoul(buf, NULL, 10);
		free(buf);
	}
	info.exepath = read_link(dirfd, "exe");
	info.cwd = read_link(dirfd, "cwd");
	read_cmdline(dirfd, args_max, &info);
	*ret = info;
out_close:
	close(dirfd);
	return rc;
}

void vgl_procfs_info_clear(struct vgl_procfs_info *info)
{
	free(info->exepath);
	free(info->cwd);
	free(info->cmdline);
	info->exepath = info->cwd = info->cmdline = NULL;
}

int vgl_procfs_scan(const char *proc_root, size_t max, int (*cb)(uint32_t pid, void *data),
		    void *data)
{
	DIR *dir = opendir(proc_root);
	struct dirent *de;
	size_t n = 0;
	char *end;
	unsigned long pid;

	if (!dir)
		return -errno;
	while (n < max && (de = readdir(dir))) {
		pid = strtoul(de->d_name, &end, 10);
		if (*end || !pid || pid > UINT32_MAX)
			continue;
		n++;
		if (cb((uint32_t)pid, data))
			break;
	}
	closedir(dir);
	return (int)n;
}
