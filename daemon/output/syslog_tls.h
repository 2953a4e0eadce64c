/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Syslog over TLS (RFC 5425) for the syslog sink, with OpenSSL: the `tls:`
 * keys, a context with the CA, certificate and key loaded (at start-up, so
 * that an unreadable file stops vigil with a clear message), and a session
 * on a connected non-blocking socket whose handshake and writes keep to a
 * deadline.
 */
#ifndef VIGIL_OUTPUT_SYSLOG_TLS_H
#define VIGIL_OUTPUT_SYSLOG_TLS_H

#include <openssl/ssl.h>
#include <stdbool.h>
#include <stddef.h>

#include "config/cfg.h"
#include "output/sink.h"

struct vgl_syslog_tls_conf {
	char *ca_file;	   /* PEM CA bundle; neither it nor ca_dir: the system's CAs */
	char *ca_dir;	   /* a c_rehash'ed directory of CA certificates */
	char *cert;	   /* client certificate (chain), PEM; with key */
	char *key;	   /* its private key, PEM */
	char *server_name; /* name (or IP address) the server's certificate must carry */
	bool verify;	   /* check the server's certificate; default true */
};

/* Read the `tls:` mapping of @map, if any, into @ret (defaults first). */
int vgl_syslog_tls_configure(struct vgl_cfg_ctx *c, const struct ynode *map,
			     struct vgl_syslog_tls_conf *ret);
void vgl_syslog_tls_conf_free(struct vgl_syslog_tls_conf *t);

/* A client context from @t: 0, or -errno with the file and the reason in @err. */
int vgl_syslog_tls_ctx(const struct vgl_syslog_tls_conf *t, SSL_CTX **ret, char *err,
		       size_t errlen);

/*
 * The TLS handshake on connected socket @fd with the server @name (checked
 * against its certificate when the context verifies) before @deadline.
 */
int vgl_syslog_tls_connect(SSL_CTX *ctx, int fd, const char *name, double deadline,
			   const struct vgl_sink *s, SSL **ret, char *err, size_t errlen);

/* Write all of @buf before @deadline. */
int vgl_syslog_tls_write(SSL *ssl, int fd, const void *buf, size_t len, double deadline,
			 const struct vgl_sink *s, char *err, size_t errlen);

/*
 * Whether the server closed the session (called when the socket is
 * readable: session tickets and the like are read and do not count).
 */
bool vgl_syslog_tls_closed(SSL *ssl);

/* Send close_notify (without waiting for the reply) and free @ssl. Accepts NULL. */
void vgl_syslog_tls_close(SSL *ssl);

#endif /* VIGIL_OUTPUT_SYSLOG_TLS_H */
