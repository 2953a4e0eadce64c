/* SPDX-License-Identifier: Apache-2.0 */
/*
 * `metrics.listen`: the address the endpoint listens on, and its socket.
 * Numeric addresses only, so that what is checked is what is bound:
 *
 *	127.0.0.1:8765    one IPv4 address
 *	[::1]:8765        one IPv6 address (brackets required)
 *	:8765             every address, IPv6 and IPv4
 */
#ifndef VIGIL_METRICS_LISTEN_H
#define VIGIL_METRICS_LISTEN_H

#include <stddef.h>
#include <sys/socket.h>

struct vgl_listen_addr {
	struct sockaddr_storage sa;
	socklen_t len;
	int any; /* ":PORT": every address */
};

/* Parse @s: 0, or -EINVAL with @err saying what is wrong (without @s itself). */
int vgl_listen_parse(const char *s, struct vgl_listen_addr *ret, char *err, size_t errlen);

/* A listening TCP socket on @a (close-on-exec, non-blocking), or -errno. */
int vgl_listen_bind(const struct vgl_listen_addr *a);

#endif /* VIGIL_METRICS_LISTEN_H */
