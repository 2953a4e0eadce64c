// SPDX-License-Identifier: Apache-2.0
#include <errno.h>
#include <netdb.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "metrics/listen.h"

#define HOST_MAX 64 /* the longest numeric address, with an IPv6 scope */
#define EXPECTED "expected ADDRESS:PORT, [IPV6]:PORT or :PORT"

static int parse_port(const char *s, unsigned int *ret, char *err, size_t errlen)
{
	unsigned long v = 0;
	const char *p;

	for (p = s; *p >= '0' && *p <= '9' && v <= 65535; p++)
		v = v * 10 + (unsigned long)(*p - '0');
	if (p == s || *p || v < 1 || v > 65535) {
		snprintf(err, errlen, "port '%s' is not a number from 1 to 65535", s);
		return -EINVAL;
	}
	*ret = (unsigned int)v;
	return 0;
}

/* Split @s into a host (may be empty) and a port. */
static int split(const char *s, char *host, const char **ret_port, char *err, size_t errlen)
{
	const char *colon, *h = s;
	size_t hlen;

	if (s[0] == '[') {
		const char *end = strchr(s, ']');

		if (!end || end[1] != ':') {
			snprintf(err, errlen,
				 "%s: an IPv6 address in brackets is followed by :PORT", EXPECTED);
			return -EINVAL;
		}
		h = s + 1;
		hlen = (size_t)(end - h);
		colon = end + 1;
	} else {
		colon = strrchr(s, ':');
		if (!colon) {
			snprintf(err, errlen, "%s: no port", EXPECTED);
			return -EINVAL;
		}
		hlen = (size_t)(colon - s);
		if (memchr(s, ':', hlen)) {
			snprintf(err, errlen, "%s: an IPv6 address goes in brackets, [::1]:8765",
				 EXPECTED);
			return -EINVAL;
		}
	}
	if (hlen >= HOST_MAX || (s[0] == '[' && !hlen)) {
		snprintf(err, errlen, "%s: '%.*s' is not an IP address", EXPECTED,
			 (int)(hlen < HOST_MAX ? hlen : HOST_MAX), h);
		return -EINVAL;
	}
	memcpy(host, h, hlen);
	host[hlen] = '\0';
	*ret_port = colon + 1;
	return 0;
}

int vgl_listen_parse(const char *s, struct vgl_listen_addr *ret, char *err, size_t errlen)
{
	struct addrinfo hints = { .ai_socktype = SOCK_STREAM,
				  .ai_flags = AI_NUMERICHOST | AI_NUMERICSERV };
	struct addrinfo *ai = NULL;
	char host[HOST_MAX], port_s[12];
	const char *port;
	unsigned int pn;
	int ret_ai;

	if (split(s, host, &port, err, errlen) || parse_port(port, &pn, err, errlen))
		return -EINVAL;
	memset(ret, 0, sizeof(*ret));
	snprintf(port_s, sizeof(port_s), "%u", pn);
	if (!host[0]) { /* every address: IPv6 with IPv4 mapped, or IPv4 alone */
		struct sockaddr_in6 *a = (struct sockaddr_in6 *)&ret->sa;

		a->sin6_family = AF_INET6;
		a->sin6_addr = in6addr_any;
		a->sin6_port = htons((uint16_t)pn);
		ret->len = sizeof(*a);
		ret->any = 1;
		return 0;
	}
	hints.ai_family = s[0] == '[' ? AF_INET6 : AF_INET;
	ret_ai = getaddrinfo(host, port_s, &hints, &ai);
	if (ret_ai || !ai || ai->ai_addrlen > sizeof(ret->sa)) {
		snprintf(err, errlen, "'%s' is not a numeric %s address", host,
			 s[0] == '[' ? "IPv6" : "IPv4");
		if (ai)
			freeaddrinfo(ai);
		return -EINVAL;
	}
	memcpy(&ret->sa, ai->ai_addr, ai->ai_addrlen);
	ret->len = ai->ai_addrlen;
	freeaddrinfo(ai);
	return 0;
}

static int bind_one(const struct sockaddr *sa, socklen_t len, int v6only)
{
	int one = 1, fd = socket(sa->sa_family, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);

	if (fd < 0)
		return -errno;
	/* a restarted vigil binds while the old connections are in TIME_WAIT */
	if (setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)) ||
	    (sa->sa_family == AF_INET6 &&
	     setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &v6only, sizeof(v6only))) ||
	    bind(fd, sa, len) || listen(fd, 64)) {
		int err = -errno;

		close(fd);
		return err;
	}
	return fd;
}

int vgl_listen_bind(const struct vgl_listen_addr *a)
{
	struct sockaddr_in any4 = { .sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_ANY) };
	int fd = bind_one((const struct sockaddr *)&a->sa, a->len, !a->any);

	/* ":PORT" on a host without IPv6: every IPv4 address */
	if (fd == -EAFNOSUPPORT && a->any) {
		any4.sin_port = ((const struct sockaddr_in6 *)&a->sa)->sin6_port;
		fd = bind_one((const struct sockaddr *)&any4, sizeof(any4), 0);
	}
	return fd;
}
