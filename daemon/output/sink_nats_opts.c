// SPDX-License-Identifier: Apache-2.0
/*
 * The nats output's startup: its files read (creds, CA, certificate, key),
 * libnats opened and its connection options built, in the main thread
 * before capture starts, so that a missing or broken file is an error at
 * startup rather than a retry forever.
 */
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "output/sink_nats.h"
#include "util/threadsig.h"

#define LIB_CLOSE_WAIT_MS 2000

/*
 * libnats is opened once for every nats output and closed with the last
 * (its timer and GC threads stopped). It starts threads of its own, here
 * and on connect: they are created with every signal blocked, so that
 * vigil's signals reach its event loop only.
 */
static pthread_mutex_t lib_mu = PTHREAD_MUTEX_INITIALIZER;
static unsigned int lib_users;

void vgl_nats_block_signals(sigset_t *ret_old)
{
	sigset_t all;

	vgl_sigfill_threads(&all); /* but the privilege drop's */
	pthread_sigmask(SIG_SETMASK, &all, ret_old);
}

static natsStatus lib_get(void)
{
	natsStatus s = NATS_OK;
	sigset_t old;

	pthread_mutex_lock(&lib_mu);
	if (!lib_users) {
		vgl_nats_block_signals(&old);
		s = nats_Open(-1);
		pthread_sigmask(SIG_SETMASK, &old, NULL);
	}
	if (s == NATS_OK)
		lib_users++;
	pthread_mutex_unlock(&lib_mu);
	return s;
}

static void lib_put(void)
{
	pthread_mutex_lock(&lib_mu);
	if (lib_users && !--lib_users)
		nats_CloseAndWait(LIB_CLOSE_WAIT_MS);
	pthread_mutex_unlock(&lib_mu);
}

/* libnats' own account of its last error, or the status' text. */
const char *vgl_nats_error(natsStatus s)
{
	const char *e = nats_GetLastError(NULL), *end;

	if (!e || !*e)
		return natsStatus_GetText(s);
	/* "(conn.c:2088): No server available": where in libnats is no help */
	end = e[0] == '(' ? strstr(e, "): ") : NULL;
	return end && end[3] ? end + 3 : e;
}

static natsStatus set_auth(struct nats_sink *n, natsOptions *o)
{
	if (n->user)
		return natsOptions_SetUserInfo(o, n->user, n->password);
	if (n->token)
		return natsOptions_SetToken(o, n->token);
	if (n->creds)
		return natsOptions_SetUserCredentialsFromFiles(o, n->creds, NULL);
	return NATS_OK;
}

/* TLS: the CA and client certificate are read and parsed here, at startup. */
static natsStatus set_tls(struct nats_sink *n, natsOptions *o, const char **ret_what)
{
	natsStatus s;

	*ret_what = "tls";
	s = natsOptions_SetSecure(o, true);
	if (s == NATS_OK && n->ca_file) {
		*ret_what = n->ca_file;
		s = natsOptions_LoadCATrustedCertificates(o, n->ca_file);
	}
	if (s == NATS_OK && n->cert) {
		*ret_what = n->cert;
		s = natsOptions_LoadCertificatesChain(o, n->cert, n->key);
	}
	if (s == NATS_OK && !n->verify)
		s = natsOptions_SkipServerVerification(o, true);
	return s;
}

static int build_opts(struct nats_sink *n, char *err, size_t errlen)
{
	const char *what = "connection options";
	natsOptions *o = NULL;
	natsStatus s;

	s = natsOptions_Create(&o);
	if (s == NATS_OK)
		s = natsOptions_SetServers(o, (const char **)n->urls, (int)n->nurls);
	if (s == NATS_OK)
		s = natsOptions_SetTimeout(o, (int64_t)(n->connect_timeout * 1000));
	/* vigil reconnects on the next delivery, after the retry backoff */
	if (s == NATS_OK)
		s = natsOptions_SetAllowReconnect(o, false);
	if (s == NATS_OK)
		s = natsOptions_SetName(o, "vigil");
	if (s == NATS_OK)
		s = natsOptions_SetFailRequestsOnDisconnect(o, true);
	if (s == NATS_OK)
		s = set_auth(n, o);
	if (s == NATS_OK && n->tls)
		s = set_tls(n, o, &what);
	if (s != NATS_OK) {
		snprintf(err, errlen, "%s: %s", what, vgl_nats_error(s));
		natsOptions_Destroy(o);
		return -EINVAL;
	}
	n->opts = o;
	return 0;
}

static int check_readable(const char *key, const char *path, char *err, size_t errlen)
{
	FILE *f;

	if (!path)
		return 0;
	f = fopen(path, "re");
	if (!f) {
		int ret = -errno;

		snprintf(err, errlen, "cannot read the %s file %s: %s", key, path, strerror(-ret));
		return ret;
	}
	fclose(f);
	return 0;
}

int vgl_nats_check(void *priv, char *err, size_t errlen)
{
	struct nats_sink *n = priv;
	natsStatus s;
	int ret = 0;

	ret = check_readable("creds", n->creds, err, errlen);
	if (!ret)
		ret = check_readable("tls.ca_file", n->ca_file, err, errlen);
	if (!ret)
		ret = check_readable("tls.cert", n->cert, err, errlen);
	if (!ret)
		ret = check_readable("tls.key", n->key, err, errlen);
	if (ret || n->opts)
		return ret;
	if (!n->lib) {
		s = lib_get();
		if (s != NATS_OK) {
			snprintf(err, errlen, "cannot start libnats: %s", vgl_nats_error(s));
			return -EIO;
		}
		n->lib = true;
	}
	return build_opts(n, err, errlen);
}

void vgl_nats_opts_free(struct nats_sink *n)
{
	natsOptions_Destroy(n->opts);
	n->opts = NULL;
	if (n->lib)
		lib_put();
	n->lib = false;
}
