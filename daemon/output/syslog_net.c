// SPDX-License-Identifier: Apache-2.0
/* The syslog sink's sockets: addresses, connecting and sending with deadlines. */
#include <errno.h>
#include <netdb.h>
#include <stdbool.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "output/syslog_net.h"

/* Longest single poll(), so that an abort is seen soon. */
#define POLL_SLICE_MS 200

static const struct {
	const char *scheme;
	enum vgl_syslog_transport transport;
	const char *port;
} schemes[] = {
	{ "unix://", VGL_SYSLOG_UNIX, "" },
	{ "udp://", VGL_SYSLOG_UDP, VGL_SYSLOG_PORT },
	{ "tcp://", VGL_SYSLOG_TCP, VGL_SYSLOG_PORT },
	{ "tls://", VGL_SYSLOG_TLS, VGL_SYSLOG_TLS_PORT },
};

/* Whether the @n bytes at @s can be a host name or an IP address. */
static bool host_ok(const char *s, size_t n)
{
	if (n == 0 || n >= sizeof(((struct vgl_syslog_addr *)0)->host))
		return false;
	for (size_t i = 0; i < n; i++) {
		if (s[i] <= ' ' || s[i] > '~' || strchr("/?#@[]", s[i]))
			return false;
	}
	return true;
}

/* "host", "host:port", "[v6]" or "[v6]:port" into @a. */
static int parse_host_port(const char *s, struct vgl_syslog_addr *a, char *err, size_t errlen)
{
	const char *host = s, *end, *port = NULL;
	char *num_end;
	unsigned long n;

	if (*s == '[') {
		host = s + 1;
		end = strchr(host, ']');
		if (!end || (end[1] && end[1] != ':')) {
			snprintf(err, errlen,
				 "'%s': an IPv6 address is written [addr] or [addr]:port", s);
			return -EINVAL;
		}
		port = end[1] ? end + 2 : NULL;
	} else {
		end = strchr(s, ':');
		if (end && strchr(end + 1, ':')) {
			snprintf(err, errlen, "'%s': write an IPv6 address in brackets: [%s]", s,
				 s);
			return -EINVAL;
		}
		port = end ? end + 1 : NULL;
		end = end ? end : s + strlen(s);
	}
	if (!host_ok(host, (size_t)(end - host))) {
		snprintf(err, errlen, "'%s': no valid host name or address", s);
		return -EINVAL;
	}
	memcpy(a->host, host, (size_t)(end - host));
	a->host[end - host] = '\0';
	if (!port)
		return 0;
	errno = 0;
	n = strtoul(port, &num_end, 10);
	if (!*port || *num_end || errno || n < 1 || n > 65535 || *port == '+' || *port == '-') {
		snprintf(err, errlen, "'%s': the port is a number in 1..65535", s);
		return -EINVAL;
	}
	snprintf(a->port, sizeof(a->port), "%lu", n);
	return 0;
}

int vgl_syslog_addr_parse(const char *s, struct vgl_syslog_addr *ret, char *err, size_t errlen)
{
	struct vgl_syslog_addr a = { 0 };
	const char *rest = NULL, *scheme = NULL;
	int r;

	for (size_t i = 0; i < sizeof(schemes) / sizeof(schemes[0]) && !rest; i++) {
		if (!strncmp(s, schemes[i].scheme, strlen(schemes[i].scheme))) {
			scheme = schemes[i].scheme;
			rest = s + strlen(scheme);
			a.transport = schemes[i].transport;
			snprintf(a.port, sizeof(a.port), "%s", schemes[i].port);
		}
	}
	if (!rest) {
		snprintf(err, errlen,
			 "'%s' is not unix:///PATH, udp://HOST[:PORT], tcp://HOST[:PORT] or "
			 "tls://HOST[:PORT]",
			 s);
		return -EINVAL;
	}
	if (a.transport == VGL_SYSLOG_UNIX) {
		if (rest[0] != '/' || strlen(rest) >= sizeof(((struct sockaddr_un *)0)->sun_path)) {
			snprintf(err, errlen,
				 "'%s': the socket is an absolute path of at most %zu bytes", s,
				 sizeof(((struct sockaddr_un *)0)->sun_path) - 1);
			return -EINVAL;
		}
		snprintf(a.host, sizeof(a.host), "%s", rest);
		snprintf(a.text, sizeof(a.text), "unix://%s", a.host);
		*ret = a;
		return 0;
	}
	r = parse_host_port(rest, &a, err, errlen);
	if (r)
		return r;
	snprintf(a.text, sizeof(a.text), strchr(a.host, ':') ? "%s[%s]:%s" : "%s%s:%s", scheme,
		 a.host, a.port);
	*ret = a;
	return 0;
}

int vgl_syslog_wait(int fd, short events, double deadline, const struct vgl_sink *s)
{
	struct pollfd pfd = { .fd = fd, .events = events };

	for (;;) {
		double left = deadline - vgl_mono_now();
		int ms = left * 1000 < POLL_SLICE_MS ? (int)(left * 1000) + 1 : POLL_SLICE_MS;
		int n;

		if (s && vgl_sink_aborting(s))
			return -ECANCELED;
		if (left <= 0)
			return -ETIMEDOUT;
		n = poll(&pfd, 1, ms);
		if (n > 0)
			return 0; /* ready, or an error the next call reports */
		if (n < 0 && errno != EINTR)
			return -errno;
	}
}

/* Connect non-blocking socket @fd to @sa before @deadline. */
static int connect_fd(int fd, const struct sockaddr *sa, socklen_t salen, double deadline,
		      const struct vgl_sink *s)
{
	socklen_t len = sizeof(int);
	int soerr = 0, r;

	if (!connect(fd, sa, salen))
		return 0;
	if (errno != EINPROGRESS)
		return -errno;
	r = vgl_syslog_wait(fd, POLLOUT, deadline, s);
	if (r)
		return r;
	if (getsockopt(fd, SOL_SOCKET, SO_ERROR, &soerr, &len))
		return -errno;
	return -soerr;
}

/* /dev/log and the like: a datagram socket, or a stream one (EPROTOTYPE). */
static int connect_unix(const struct vgl_syslog_addr *a, double deadline, const struct vgl_sink *s,
			int *ret_fd, bool *ret_stream)
{
	struct sockaddr_un sun = { .sun_family = AF_UNIX };
	int types[] = { SOCK_DGRAM, SOCK_STREAM }, r = -EPROTOTYPE;

	memcpy(sun.sun_path, a->host, strnlen(a->host, sizeof(sun.sun_path) - 1)); /* checked */
	for (size_t i = 0; i < 2 && r == -EPROTOTYPE; i++) {
		int fd = socket(AF_UNIX, types[i] | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);

		if (fd < 0)
			return -errno;
		r = connect_fd(fd, (struct sockaddr *)&sun, sizeof(sun), deadline, s);
		if (!r) {
			*ret_fd = fd;
			*ret_stream = types[i] == SOCK_STREAM;
			return 0;
		}
		close(fd);
	}
	return r;
}

/* Each address @a's host resolves to, in turn, until one connects. */
static int connect_inet(const struct vgl_syslog_addr *a, double deadline, const struct vgl_sink *s,
			int *ret_fd, char *err, size_t errlen)
{
	struct addrinfo hints = { .ai_family = AF_UNSPEC };
	struct addrinfo *res = NULL, *ai;
	int r, fd;

	hints.ai_socktype = a->transport == VGL_SYSLOG_UDP ? SOCK_DGRAM : SOCK_STREAM;
	r = getaddrinfo(a->host, a->port, &hints, &res);
	if (r) {
		snprintf(err, errlen, "resolving %s: %s", a->host,
			 r == EAI_SYSTEM ? strerror(errno) : gai_strerror(r));
		return r == EAI_SYSTEM ? -errno : -EHOSTUNREACH;
	}
	r = -EHOSTUNREACH;
	for (ai = res; ai; ai = ai->ai_next) {
		fd = socket(ai->ai_family, ai->ai_socktype | SOCK_NONBLOCK | SOCK_CLOEXEC,
			    ai->ai_protocol);
		if (fd < 0) {
			r = -errno;
			continue;
		}
		r = connect_fd(fd, ai->ai_addr, ai->ai_addrlen, deadline, s);
		if (!r) {
			*ret_fd = fd;
			break;
		}
		close(fd);
		if (r == -ECANCELED)
			break;
	}
	freeaddrinfo(res);
	if (r)
		snprintf(err, errlen, "connect: %s", strerror(-r));
	return r;
}

int vgl_syslog_connect(const struct vgl_syslog_addr *a, double deadline, const struct vgl_sink *s,
		       int *ret_fd, bool *ret_stream, char *err, size_t errlen)
{
	int r;

	if (a->transport != VGL_SYSLOG_UNIX) {
		*ret_stream = a->transport != VGL_SYSLOG_UDP;
		return connect_inet(a, deadline, s, ret_fd, err, errlen);
	}
	r = connect_unix(a, deadline, s, ret_fd, ret_stream);
	if (r)
		snprintf(err, errlen, "connect: %s", strerror(-r));
	return r;
}

int vgl_syslog_send(int fd, const void *buf, size_t len, double deadline, const struct vgl_sink *s,
		    char *err, size_t errlen)
{
	size_t off = 0;
	int r;

	while (off < len) {
		ssize_t k = send(fd, (const char *)buf + off, len - off, MSG_NOSIGNAL);

		if (k >= 0) {
			off += (size_t)k;
			continue;
		}
		if (errno == EINTR)
			continue;
		r = -errno;
		if (r == -EAGAIN)
			r = vgl_syslog_wait(fd, POLLOUT, deadline, s);
		if (r) {
			snprintf(err, errlen, "send: %s", strerror(-r));
			return r;
		}
	}
	return 0;
}
