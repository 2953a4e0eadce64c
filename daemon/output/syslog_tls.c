// SPDX-License-Identifier: Apache-2.0
/* TLS for the syslog sink: the tls: keys, the client context, sessions. */
#include <arpa/inet.h>
#include <errno.h>
#include <openssl/err.h>
#include <openssl/x509v3.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "output/syslog_net.h"
#include "output/syslog_tls.h"

static const char *const tls_keys[] = {
	"ca_file", "ca_dir", "cert", "key", "verify", "server_name", NULL,
};

/* An absolute path under @key, or an error naming it. */
static int read_path(struct vgl_cfg_ctx *c, const struct ynode *m, const char *key, char **ret)
{
	int r = vgl_cfg_str(c, m, key, ret);

	if (r > 0 && (*ret)[0] != '/') {
		vgl_cfg_error(c, ynode_get(m, key), key, "'%s' is not an absolute path", *ret);
		return -EINVAL;
	}
	return r < 0 ? r : 0;
}

int vgl_syslog_tls_configure(struct vgl_cfg_ctx *c, const struct ynode *map,
			     struct vgl_syslog_tls_conf *ret)
{
	const struct ynode *m = NULL;
	struct vgl_cfg_ctx tc;
	int err = 0, r;

	ret->verify = true;
	r = vgl_cfg_map(c, map, "tls", &m);
	if (r <= 0)
		return r;
	vgl_cfg_sub(c, "tls", &tc);
	err |= vgl_cfg_check_keys(&tc, m, tls_keys, NULL);
	err |= read_path(&tc, m, "ca_file", &ret->ca_file);
	err |= read_path(&tc, m, "ca_dir", &ret->ca_dir);
	err |= read_path(&tc, m, "cert", &ret->cert);
	err |= read_path(&tc, m, "key", &ret->key);
	err |= vgl_cfg_bool(&tc, m, "verify", &ret->verify) < 0;
	err |= vgl_cfg_str(&tc, m, "server_name", &ret->server_name) < 0;
	if (!err && !ret->cert != !ret->key) {
		vgl_cfg_error(&tc, m, ret->cert ? "key" : "cert",
			      "missing: a client certificate needs both cert and key");
		err = 1;
	}
	if (!err && ret->server_name && (!ret->server_name[0] || strlen(ret->server_name) > 253)) {
		vgl_cfg_error(&tc, ynode_get(m, "server_name"), "server_name",
			      "not a host name (1..253 characters)");
		err = 1;
	}
	return err ? -EINVAL : 0;
}

void vgl_syslog_tls_conf_free(struct vgl_syslog_tls_conf *t)
{
	free(t->ca_file);
	free(t->ca_dir);
	free(t->cert);
	free(t->key);
	free(t->server_name);
	memset(t, 0, sizeof(*t));
}

/* OpenSSL's reason for the last failure ("no start line"), and clear its queue. */
static const char *ssl_reason(char *buf, size_t size)
{
	unsigned long e = ERR_peek_last_error();
	const char *why = e ? ERR_reason_error_string(e) : NULL;

	snprintf(buf, size, "%s", why ? why : "unknown error");
	ERR_clear_error();
	return buf;
}

/* @path readable, else -errno with the key and path in @err. */
static int readable(const char *key, const char *path, char *err, size_t errlen)
{
	if (access(path, R_OK)) {
		int r = -errno;

		snprintf(err, errlen, "tls.%s %s: %s", key, path, strerror(errno));
		return r;
	}
	return 0;
}

static int load_ca(SSL_CTX *ctx, const struct vgl_syslog_tls_conf *t, char *err, size_t errlen)
{
	char why[128];
	int r = 0;

	if (!t->ca_file && !t->ca_dir) {
		SSL_CTX_set_default_verify_paths(ctx);
		return 0;
	}
	if (t->ca_file)
		r = readable("ca_file", t->ca_file, err, errlen);
	if (!r && t->ca_dir)
		r = readable("ca_dir", t->ca_dir, err, errlen);
	if (r)
		return r;
	if (SSL_CTX_load_verify_locations(ctx, t->ca_file, t->ca_dir) != 1) {
		snprintf(err, errlen, "tls.%s %s: no CA certificate loaded (%s)",
			 t->ca_file ? "ca_file" : "ca_dir", t->ca_file ? t->ca_file : t->ca_dir,
			 ssl_reason(why, sizeof(why)));
		return -EINVAL;
	}
	return 0;
}

static int load_cert(SSL_CTX *ctx, const struct vgl_syslog_tls_conf *t, char *err, size_t errlen)
{
	char why[128];
	int r;

	if (!t->cert)
		return 0;
	r = readable("cert", t->cert, err, errlen);
	if (!r)
		r = readable("key", t->key, err, errlen);
	if (r)
		return r;
	if (SSL_CTX_use_certificate_chain_file(ctx, t->cert) != 1) {
		snprintf(err, errlen, "tls.cert %s: no certificate loaded (%s)", t->cert,
			 ssl_reason(why, sizeof(why)));
		return -EINVAL;
	}
	if (SSL_CTX_use_PrivateKey_file(ctx, t->key, SSL_FILETYPE_PEM) != 1) {
		snprintf(err, errlen, "tls.key %s: no private key loaded (%s)", t->key,
			 ssl_reason(why, sizeof(why)));
		return -EINVAL;
	}
	if (SSL_CTX_check_private_key(ctx) != 1) {
		snprintf(err, errlen, "tls.key %s: does not match the certificate %s", t->key,
			 t->cert);
		ERR_clear_error();
		return -EINVAL;
	}
	return 0;
}

int vgl_syslog_tls_ctx(const struct vgl_syslog_tls_conf *t, SSL_CTX **ret, char *err, size_t errlen)
{
	SSL_CTX *ctx = SSL_CTX_new(TLS_client_method());
	int r;

	if (!ctx) {
		snprintf(err, errlen, "cannot create a TLS context");
		return -ENOMEM;
	}
	SSL_CTX_set_min_proto_version(ctx, TLS1_2_VERSION);
	SSL_CTX_set_verify(ctx, t->verify ? SSL_VERIFY_PEER : SSL_VERIFY_NONE, NULL);
	r = load_ca(ctx, t, err, errlen);
	if (!r)
		r = load_cert(ctx, t, err, errlen);
	if (r) {
		SSL_CTX_free(ctx);
		return r;
	}
	*ret = ctx;
	return 0;
}

/* The server name to check: an IP address against the IP SANs, a name with SNI. */
static int set_name(SSL *ssl, const char *name)
{
	unsigned char ip[16];

	if (inet_pton(AF_INET, name, ip) == 1 || inet_pton(AF_INET6, name, ip) == 1)
		return X509_VERIFY_PARAM_set1_ip_asc(SSL_get0_param(ssl), name) == 1 ? 0 : -EINVAL;
	if (SSL_set_tlsext_host_name(ssl, name) != 1 || SSL_set1_host(ssl, name) != 1)
		return -EINVAL;
	return 0;
}

/*
 * After SSL_connect/SSL_write returned @ret <= 0: wait for the socket
 * (0: call again), or -errno with what went wrong in @err.
 */
static int ssl_wait(SSL *ssl, int fd, int ret, double deadline, const struct vgl_sink *s,
		    const char *what, char *err, size_t errlen)
{
	int e = SSL_get_error(ssl, ret), r;
	long vr;
	char why[128];

	if (e == SSL_ERROR_WANT_READ || e == SSL_ERROR_WANT_WRITE) {
		r = vgl_syslog_wait(fd, e == SSL_ERROR_WANT_READ ? POLLIN : POLLOUT, deadline, s);
		if (r)
			snprintf(err, errlen, "%s: %s", what, strerror(-r));
		return r;
	}
	vr = SSL_get_verify_result(ssl);
	if (vr != X509_V_OK) {
		snprintf(err, errlen, "%s: certificate verify failed: %s", what,
			 X509_verify_cert_error_string(vr));
		ERR_clear_error();
		return -EPROTO;
	}
	if (e == SSL_ERROR_SYSCALL && errno && !ERR_peek_last_error()) {
		r = -errno;
		snprintf(err, errlen, "%s: %s", what, strerror(errno));
		return r;
	}
	if (e == SSL_ERROR_ZERO_RETURN || (e == SSL_ERROR_SYSCALL && !ERR_peek_last_error())) {
		snprintf(err, errlen, "%s: connection closed by the server", what);
		return -ECONNRESET;
	}
	snprintf(err, errlen, "%s: %s", what, ssl_reason(why, sizeof(why)));
	return -EPROTO;
}

int vgl_syslog_tls_connect(SSL_CTX *ctx, int fd, const char *name, double deadline,
			   const struct vgl_sink *s, SSL **ret, char *err, size_t errlen)
{
	SSL *ssl = SSL_new(ctx);
	int r = 0, k;

	ERR_clear_error();
	if (!ssl || SSL_set_fd(ssl, fd) != 1 || set_name(ssl, name)) {
		snprintf(err, errlen, "TLS setup for %s failed", name);
		SSL_free(ssl);
		ERR_clear_error();
		return -ENOMEM;
	}
	while (!r && (k = SSL_connect(ssl)) != 1)
		r = ssl_wait(ssl, fd, k, deadline, s, "TLS handshake", err, errlen);
	if (r) {
		SSL_free(ssl);
		return r;
	}
	*ret = ssl;
	return 0;
}

int vgl_syslog_tls_write(SSL *ssl, int fd, const void *buf, size_t len, double deadline,
			 const struct vgl_sink *s, char *err, size_t errlen)
{
	size_t done = 0;
	int r = 0;

	ERR_clear_error();
	while (!r && done < len) {
		size_t k = 0;
		int w = SSL_write_ex(ssl, (const char *)buf + done, len - done, &k);

		if (w == 1)
			done += k;
		else
			r = ssl_wait(ssl, fd, w, deadline, s, "send", err, errlen);
	}
	return r;
}

bool vgl_syslog_tls_closed(SSL *ssl)
{
	char buf[256];
	int k = SSL_read(ssl, buf, sizeof(buf));
	bool closed = k <= 0 && SSL_get_error(ssl, k) != SSL_ERROR_WANT_READ;

	ERR_clear_error();
	return closed;
}

void vgl_syslog_tls_close(SSL *ssl)
{
	if (!ssl)
		return;
	SSL_shutdown(ssl); /* close_notify; the reply is not waited for */
	SSL_free(ssl);
	ERR_clear_error();
}
