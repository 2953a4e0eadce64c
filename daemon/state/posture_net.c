// SPDX-License-Identifier: Apache-2.0
/*
 * The kernel's view of a container's addresses (container.ip): the local
 * IPv4 addresses of its network namespace, from /proc/PID/net/fib_trie,
 * loopback left out. A Docker container's state file is written before its
 * network is set up, so the kernel is where its address is.
 *
 * fib_trie lists each address as a "|-- 172.17.0.6" line followed by its
 * routes, "/32 host LOCAL" for an address of the namespace.
 */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "state/posture.h"
#include "state/util.h"

#define FIB_MAX (64u << 10) /* fib_trie bytes read: a container's is ~1 KiB */
#define IPS_MAX 16

static bool listed(const char *list, const char *ip)
{
	size_t n = strlen(ip);
	const char *p;

	for (p = strstr(list, ip); p; p = strstr(p + 1, ip)) {
		if ((p == list || p[-1] == ',') && (p[n] == ',' || p[n] == '\0'))
			return true;
	}
	return false;
}

int vgl_posture_ips(const char *proc_root, const char *pid, char *buf, size_t size)
{
	char path[PATH_MAX], last[16] = "", *text, *line, *save = NULL;
	size_t len, used = 0, n = 0;
	int rc;

	snprintf(path, sizeof(path), "%s/%s/net/fib_trie", proc_root, pid);
	if ((rc = vgl_read_file(path, FIB_MAX, &text, &len)))
		return rc;
	buf[0] = '\0';
	for (line = strtok_r(text, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		const char *leaf = strstr(line, "|-- ");

		if (leaf) {
			snprintf(last, sizeof(last), "%.15s", leaf + 4);
			continue;
		}
		if (!strstr(line, "/32 host LOCAL") || !last[0] || !strncmp(last, "127.", 4) ||
		    listed(buf, last) || n >= IPS_MAX || used + strlen(last) + 2 > size)
			continue;
		used += (size_t)snprintf(buf + used, size - used, "%s%s", used ? "," : "", last);
		n++;
	}
	free(text);
	return 0;
}
