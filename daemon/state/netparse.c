// SPDX-License-Identifier: Apache-2.0
/* /proc/PID/net/{tcp,tcp6,udp,udp6,raw,raw6,unix} parsing and fd link classification. */
#include <arpa/inet.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "state/fdtable.h"

char vgl_fd_link_type(const char *link, uint64_t *ret_sock_ino)
{
	static const struct {
		const char *prefix;
		char c;
	} anon[] = {
		{ "anon_inode:[eventfd]", 'e' },
		{ "anon_inode:inotify", 'i' },
		{ "anon_inode:[timerfd]", 't' },
		{ "anon_inode:[signalfd]", 's' },
		{ "anon_inode:[eventpoll]", 'l' },
		{ "anon_inode:bpf", 'b' },
		{ "anon_inode:", 'o' },
		{ "pipe:[", 'p' },
	};
	size_t i;

	if (link[0] == '/')
		return 'f';
	if (sscanf(link, "socket:[%" SCNu64 "]", ret_sock_ino) == 1)
		return 0;
	for (i = 0; i < sizeof(anon) / sizeof(anon[0]); i++) {
		if (!strncmp(link, anon[i].prefix, strlen(anon[i].prefix)))
			return anon[i].c;
	}
	return 0;
}

/* "0100007F:0050" (IPv4 as a host-order word) or 32 hex digits (four host-order words). */
static bool addr(const char *hex, bool v6, char *out, size_t outlen, unsigned int *ret_port,
		 bool *ret_zero)
{
	uint32_t w[4] = { 0 };
	unsigned int port;
	int i, n = v6 ? 4 : 1;

	for (i = 0; i < n; i++) {
		if (sscanf(hex + i * 8, "%8" SCNx32, &w[i]) != 1)
			return false;
	}
	if (hex[n * 8] != ':' || sscanf(hex + n * 8 + 1, "%x", &port) != 1)
		return false;
	*ret_zero = !w[0] && !w[1] && !w[2] && !w[3] && !port;
	*ret_port = port;
	if (v6) { /* the words are in host order, the address bytes in network order */
		if (!inet_ntop(AF_INET6, w, out, (socklen_t)outlen))
			return false;
	} else if (!inet_ntop(AF_INET, &w[0], out, (socklen_t)outlen)) {
		return false;
	}
	return true;
}

/* One line of tcp/udp/raw: "sl: local rem st tx:rx tr:when retr uid timeout inode". */
static bool inet_line(const char *line, bool v6, const char *proto, uint64_t ino,
		      struct vgl_sock_info *ret)
{
	char l[72], r[72], la[INET6_ADDRSTRLEN], ra[INET6_ADDRSTRLEN];
	unsigned int st, lp, rp;
	uint64_t inode;
	bool lz, rz;

	if (sscanf(line, " %*[^:]: %71s %71s %x %*s %*s %*s %*u %*u %" SCNu64, l, r, &st, &inode) !=
		    4 ||
	    inode != ino)
		return false;
	if (!addr(l, v6, la, sizeof(la), &lp, &lz) || !addr(r, v6, ra, sizeof(ra), &rp, &rz))
		return false;
	ret->typechar = v6 ? '6' : '4';
	ret->l4proto = proto;
	/* tcp: ESTABLISHED (1); udp / raw: a peer is set */
	ret->connected = strcmp(proto, "tcp") ? !rz : st == 1;
	if (ret->connected)
		snprintf(ret->name, sizeof(ret->name), v6 ? "[%s]:%u->[%s]:%u" : "%s:%u->%s:%u", la,
			 lp, ra, rp);
	else
		snprintf(ret->name, sizeof(ret->name), v6 ? "[%s]:%u" : "%s:%u", la, lp);
	return true;
}

/* "Num RefCount Protocol Flags Type St Inode [Path]"; St 3 is SS_CONNECTED. */
static bool unix_line(const char *line, uint64_t ino, struct vgl_sock_info *ret)
{
	unsigned int st;
	uint64_t inode;
	int off = 0;

	if (sscanf(line, "%*s %*s %*s %*s %*s %x %" SCNu64 " %n", &st, &inode, &off) != 2 ||
	    inode != ino)
		return false;
	ret->typechar = 'u';
	ret->l4proto = NULL;
	ret->connected = st == 3;
	snprintf(ret->name, sizeof(ret->name), "%.*s", (int)strcspn(line + off, "\n"), line + off);
	return true;
}

bool vgl_net_find(const char *table, const char *text, uint64_t ino, struct vgl_sock_info *ret)
{
	bool v6 = strchr(table, '6') != NULL, unx = !strcmp(table, "unix");
	const char *line = strchr(text, '\n'); /* skip the heading */
	char proto[4];

	snprintf(proto, sizeof(proto), "%.3s", table);
	for (; line && *++line; line = strchr(line, '\n')) {
		if (unx ? unix_line(line, ino, ret)
			: inet_line(line, v6,
				    !strcmp(proto, "tcp")   ? "tcp"
				    : !strcmp(proto, "udp") ? "udp"
							    : "raw",
				    ino, ret))
			return true;
	}
	return false;
}
