/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Where the syslog sink sends to, and the plain socket work: parse an
 * address (unix:///dev/log, udp://host:port, tcp://[::1]:514, tls://...),
 * connect and send with deadlines, never blocking past them and giving up
 * early once the sink is aborting (shutdown's drain time ran out).
 *
 * Errors are -errno with the failing step in @err ("connect: Connection
 * refused"); the caller prefixes the address.
 */
#ifndef VIGIL_OUTPUT_SYSLOG_NET_H
#define VIGIL_OUTPUT_SYSLOG_NET_H

#include <stddef.h>

#include "output/sink.h"

#define VGL_SYSLOG_PORT	    "514"
#define VGL_SYSLOG_TLS_PORT "6514"
#define VGL_SYSLOG_ADDR_MAX 300

enum vgl_syslog_transport {
	VGL_SYSLOG_UNIX, /* datagram, or a stream with LF framing when the socket is one */
	VGL_SYSLOG_UDP,	 /* one datagram per message */
	VGL_SYSLOG_TCP,	 /* octet counting (RFC 6587) */
	VGL_SYSLOG_TLS,	 /* octet counting over TLS (RFC 5425) */
};

struct vgl_syslog_addr {
	enum vgl_syslog_transport transport;
	char host[256];			/* a host name or IP address; the path for unix */
	char port[8];			/* "514" */
	char text[VGL_SYSLOG_ADDR_MAX]; /* normalized: "tcp://[::1]:514" */
};

/* Parse @s into *@ret; -EINVAL with what is wrong in @err. */
int vgl_syslog_addr_parse(const char *s, struct vgl_syslog_addr *ret, char *err, size_t errlen);

/*
 * Wait until @fd is ready for @events (POLLIN/POLLOUT) or CLOCK_MONOTONIC
 * @deadline passes: 0, -ETIMEDOUT, or -ECANCELED once @s is aborting.
 */
int vgl_syslog_wait(int fd, short events, double deadline, const struct vgl_sink *s);

/*
 * A non-blocking socket connected to @a (every address the name resolves
 * to, in turn) before @deadline. *@ret_stream tells whether it is a stream
 * (tcp, tls, a unix stream socket).
 */
int vgl_syslog_connect(const struct vgl_syslog_addr *a, double deadline, const struct vgl_sink *s,
		       int *ret_fd, bool *ret_stream, char *err, size_t errlen);

/* Send @len bytes on @fd before @deadline: all of them (a stream), or one datagram. */
int vgl_syslog_send(int fd, const void *buf, size_t len, double deadline, const struct vgl_sink *s,
		    char *err, size_t errlen);

#endif /* VIGIL_OUTPUT_SYSLOG_NET_H */
