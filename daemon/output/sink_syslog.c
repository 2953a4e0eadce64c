// SPDX-License-Identifier: Apache-2.0
/*
 * type: syslog — each alert as one syslog message (RFC 5424, or RFC 3164),
 * to the local socket (unix:///dev/log) or to a collector over UDP, TCP or
 * TLS (octet-counted framing). Connects on the first delivery, and again
 * after any error: a failed send is retried by the sink's worker.
 * docs/outputs/syslog.md has the keys and the message format.
 */
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include "output/sinks.h"
#include "output/syslog_fmt.h"
#include "output/syslog_net.h"
#include "output/syslog_tls.h"

#define UDP_MESSAGE_MAX 65507 /* an IPv4 datagram's payload */

struct syslog_sink {
	struct vgl_syslog_addr addr;
	struct vgl_syslog_fmt fmt;
	char *app_name, *hostname;
	struct vgl_syslog_tls_conf tls;
	double connect_timeout, send_timeout;
	SSL_CTX *ctx; /* tls: made by check */
	SSL *ssl;
	int fd; /* -1: connect on the next delivery */
	bool stream;
	char *buf; /* frame prefix, message, '\n' */
};

static const char *const syslog_keys[] = {
	"address",     "protocol", "facility",	      "app_name",     "hostname",
	"max_message", "tls",	   "connect_timeout", "send_timeout", NULL,
};
static const char *const protocol_names[] = { "rfc5424", "rfc3164", NULL };

static void disconnect(struct syslog_sink *g)
{
	vgl_syslog_tls_close(g->ssl);
	g->ssl = NULL;
	if (g->fd >= 0)
		close(g->fd);
	g->fd = -1;
}

static void syslog_close(void *priv)
{
	struct syslog_sink *g = priv;

	if (!g)
		return;
	disconnect(g);
	SSL_CTX_free(g->ctx);
	vgl_syslog_tls_conf_free(&g->tls);
	free(g->app_name);
	free(g->hostname);
	free(g->buf);
	free(g);
}

static int read_address(struct vgl_cfg_ctx *c, const struct ynode *map, struct syslog_sink *g)
{
	char *s = NULL, err[VGL_SYSLOG_ADDR_MAX + 128];
	int r = vgl_cfg_str(c, map, "address", &s);

	if (r <= 0)
		return r < 0 ? r
			     : vgl_syslog_addr_parse("unix:///dev/log", &g->addr, err, sizeof(err));
	r = vgl_syslog_addr_parse(s, &g->addr, err, sizeof(err));
	if (r)
		vgl_cfg_error(c, ynode_get(map, "address"), "address", "%s", err);
	free(s);
	return r;
}

/* HOSTNAME and APP-NAME: printable US-ASCII within the RFCs' lengths. */
static int read_names(struct vgl_cfg_ctx *c, const struct ynode *map, struct syslog_sink *g)
{
	size_t app_max =
		g->fmt.protocol == VGL_SYSLOG_RFC3164 ? VGL_SYSLOG_TAG_MAX : VGL_SYSLOG_APPNAME_MAX;
	int err = 0;

	err |= vgl_cfg_str(c, map, "app_name", &g->app_name) < 0;
	err |= vgl_cfg_str(c, map, "hostname", &g->hostname) < 0;
	if (err)
		return -EINVAL;
	if (!g->app_name && !(g->app_name = strdup("vigil")))
		return -ENOMEM;
	if (!vgl_syslog_name_ok(g->app_name, app_max) || strpbrk(g->app_name, ":[]")) {
		vgl_cfg_error(c, ynode_get(map, "app_name"), "app_name",
			      "'%s': 1..%zu printable ASCII characters, no space, ':', '[' or ']'",
			      g->app_name, app_max);
		err = 1;
	}
	if (g->hostname && !vgl_syslog_name_ok(g->hostname, VGL_SYSLOG_HOSTNAME_MAX)) {
		vgl_cfg_error(c, ynode_get(map, "hostname"), "hostname",
			      "'%s': 1..%d printable ASCII characters, no space", g->hostname,
			      VGL_SYSLOG_HOSTNAME_MAX);
		err = 1;
	} else if (g->hostname && g->fmt.local && g->fmt.protocol == VGL_SYSLOG_RFC3164) {
		vgl_cfg_error(c, ynode_get(map, "hostname"), "hostname",
			      "not sent to a unix socket in RFC 3164 (the daemon there adds its "
			      "own); use protocol: rfc5424");
		err = 1;
	}
	return err ? -EINVAL : 0;
}

static int read_format(struct vgl_cfg_ctx *c, const struct ynode *map, struct syslog_sink *g)
{
	uint64_t max =
		g->addr.transport == VGL_SYSLOG_UDP ? UDP_MESSAGE_MAX : VGL_SYSLOG_MESSAGE_MAX;
	bool local = g->addr.transport == VGL_SYSLOG_UNIX;
	uint64_t size = 8192;
	int v = local, err = 0, r;

	/* the local socket's daemon (journald, imuxsock) reads syslog(3)'s RFC 3164 */
	r = vgl_cfg_enum(c, map, "protocol", protocol_names, &v);
	g->fmt.protocol = v ? VGL_SYSLOG_RFC3164 : VGL_SYSLOG_RFC5424;
	g->fmt.local = local;
	err |= r < 0;
	v = 1; /* user, as syslog(3) (and so Falco) uses */
	r = vgl_cfg_enum(c, map, "facility", vgl_syslog_facility_names, &v);
	g->fmt.facility = vgl_syslog_facility_codes[v];
	err |= r < 0;
	err |= vgl_cfg_size(c, map, "max_message", VGL_SYSLOG_MESSAGE_MIN, max, &size) < 0;
	g->fmt.max_message = (size_t)size;
	return err ? -EINVAL : 0;
}

static int syslog_configure(struct vgl_cfg_ctx *c, const struct ynode *map,
			    struct vgl_sink_conf *conf, void **ret_priv)
{
	struct syslog_sink *g = calloc(1, sizeof(*g));
	int err = 0, r;

	if (!g)
		return -ENOMEM;
	g->fd = -1;
	g->connect_timeout = 5;
	g->send_timeout = 10;
	err |= read_address(c, map, g) < 0;
	err |= read_format(c, map, g) < 0;
	r = read_names(c, map, g);
	err |= r < 0;
	err |= vgl_syslog_tls_configure(c, map, &g->tls) < 0;
	if (!err && ynode_get(map, "tls") && g->addr.transport != VGL_SYSLOG_TLS) {
		vgl_cfg_error(c, ynode_get(map, "tls"), "tls", "only for a tls:// address");
		err = 1;
	}
	err |= vgl_cfg_duration(c, map, "connect_timeout", 0.001, 3600, &g->connect_timeout) < 0;
	err |= vgl_cfg_duration(c, map, "send_timeout", 0.001, 3600, &g->send_timeout) < 0;
	if (err) {
		syslog_close(g);
		return r == -ENOMEM ? -ENOMEM : -EINVAL;
	}
	g->buf = malloc(g->fmt.max_message + VGL_SYSLOG_FRAME_PREFIX_MAX + 2);
	if (!g->buf) {
		syslog_close(g);
		return -ENOMEM;
	}
	g->fmt.app_name = g->app_name;
	g->fmt.hostname = g->hostname;
	g->fmt.procid = (int)getpid();
	*ret_priv = g;
	return 0;
}

static int syslog_check(void *priv, char *err, size_t errlen)
{
	struct syslog_sink *g = priv;
	struct stat st;

	if (g->addr.transport == VGL_SYSLOG_UNIX) {
		if (stat(g->addr.host, &st)) {
			int r = -errno;

			snprintf(err, errlen, "%s: %s", g->addr.text, strerror(-r));
			return r;
		}
		if (!S_ISSOCK(st.st_mode)) {
			snprintf(err, errlen, "%s: not a socket", g->addr.text);
			return -ENOTSOCK;
		}
	}
	if (g->addr.transport == VGL_SYSLOG_TLS && !g->ctx)
		return vgl_syslog_tls_ctx(&g->tls, &g->ctx, err, errlen);
	return 0;
}

/* Whether the collector closed the stream (it sends nothing otherwise). */
static bool peer_closed(struct syslog_sink *g)
{
	struct pollfd pfd = { .fd = g->fd, .events = POLLIN };
	ssize_t k;
	char c;

	if (poll(&pfd, 1, 0) == 0)
		return false;
	if (g->ssl)
		return vgl_syslog_tls_closed(g->ssl);
	k = recv(g->fd, &c, 1, MSG_PEEK | MSG_DONTWAIT);
	return k == 0 || (k < 0 && errno != EAGAIN && errno != EINTR);
}

static int connect_sink(struct syslog_sink *g, const struct vgl_sink *s, char *err, size_t errlen)
{
	double deadline = vgl_mono_now() + g->connect_timeout;
	const char *name = g->tls.server_name ? g->tls.server_name : g->addr.host;
	int r;

	if (g->fd >= 0 && g->stream && peer_closed(g))
		disconnect(g);
	if (g->fd >= 0)
		return 0;
	if (g->addr.transport == VGL_SYSLOG_TLS && !g->ctx) {
		r = vgl_syslog_tls_ctx(&g->tls, &g->ctx, err, errlen);
		if (r)
			return r;
	}
	r = vgl_syslog_connect(&g->addr, deadline, s, &g->fd, &g->stream, err, errlen);
	if (!r && g->addr.transport == VGL_SYSLOG_TLS)
		r = vgl_syslog_tls_connect(g->ctx, g->fd, name, deadline, s, &g->ssl, err, errlen);
	if (r)
		disconnect(g);
	return r;
}

/*
 * One message, framed for the transport: octet counting on tcp and tls, a
 * '\n' after it on a unix stream (RFC 6587 3.4.2: messages never hold
 * one), nothing around a datagram.
 */
static int send_one(struct syslog_sink *g, const struct vgl_sink *s, const struct vgl_alert *a,
		    char *err, size_t errlen)
{
	double deadline = vgl_mono_now() + g->send_timeout;
	char *msg = g->buf + VGL_SYSLOG_FRAME_PREFIX_MAX, prefix[VGL_SYSLOG_FRAME_PREFIX_MAX];
	size_t len = vgl_syslog_format(&g->fmt, a, msg, g->fmt.max_message + 1);
	size_t plen = 0;

	if (g->addr.transport == VGL_SYSLOG_TCP || g->addr.transport == VGL_SYSLOG_TLS) {
		plen = vgl_syslog_frame_prefix(len, prefix, sizeof(prefix));
		memcpy(msg - plen, prefix, plen);
	} else if (g->stream) {
		msg[len++] = '\n';
	}
	if (g->ssl)
		return vgl_syslog_tls_write(g->ssl, g->fd, msg - plen, len + plen, deadline, s, err,
					    errlen);
	return vgl_syslog_send(g->fd, msg - plen, len + plen, deadline, s, err, errlen);
}

static void syslog_deliver(void *priv, struct vgl_sink *s, struct vgl_alert *const *alerts,
			   size_t n, struct vgl_deliver_result *r)
{
	struct syslog_sink *g = priv;
	char err[200] = "";
	int ret = 0;

	g->fmt.msg = vgl_sink_conf(s)->format;
	for (size_t i = 0; !ret && i < n; i++) {
		ret = connect_sink(g, s, err, sizeof(err));
		if (!ret)
			ret = send_one(g, s, alerts[i], err, sizeof(err));
	}
	if (!ret) {
		r->status = VGL_DELIVER_OK;
		return;
	}
	disconnect(g);
	snprintf(r->error, sizeof(r->error), "%.100s: %.150s", g->addr.text, err);
	/* a datagram larger than the socket takes never will fit */
	r->status = ret == -EMSGSIZE ? VGL_DELIVER_FAIL : VGL_DELIVER_RETRY;
	r->loss = VGL_LOSS_TOO_LARGE;
}

/* SIGUSR1: connect afresh (the collector's name may point elsewhere now). */
static void syslog_reopen(void *priv)
{
	disconnect(priv);
}

static const char *syslog_describe(void *priv)
{
	return ((struct syslog_sink *)priv)->addr.text;
}

const struct vgl_sink_ops vgl_sink_syslog_ops = {
	.type = "syslog",
	.keys = syslog_keys,
	.configure = syslog_configure,
	.check = syslog_check,
	.deliver = syslog_deliver,
	.reopen = syslog_reopen,
	.close = syslog_close,
	.describe = syslog_describe,
};
