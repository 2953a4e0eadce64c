// SPDX-License-Identifier: Apache-2.0
/*
 * The webhook's start-up check of its TLS files (OpenSSL reads them the way
 * libcurl will): a missing CA file, a certificate without its key or a key
 * that does not match is an error before capture starts, not a retry loop.
 */
#include <dirent.h>
#include <errno.h>
#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include "output/webhook.h"

/* @path opened for reading: a regular file. NULL with @err set. */
static FILE *open_pem(const char *key, const char *path, char *err, size_t errlen)
{
	struct stat st;
	FILE *f = fopen(path, "re");
	int e;

	if (!f) {
		snprintf(err, errlen, "tls.%s %s: cannot read: %s", key, path, strerror(errno));
		return NULL;
	}
	e = fstat(fileno(f), &st) ? errno : S_ISREG(st.st_mode) ? 0 : EINVAL;
	if (e) {
		snprintf(err, errlen, "tls.%s %s: %s", key, path,
			 e == EINVAL ? "not a regular file" : strerror(e));
		fclose(f);
		return NULL;
	}
	return f;
}

/* No passphrase prompt: vigil runs unattended. */
static int no_passphrase(char *buf, int size, int rwflag, void *u)
{
	return -1;
}

/* The first certificate in @path (the leaf of a chain), or NULL with @err set. */
static X509 *read_cert(const char *key, const char *path, char *err, size_t errlen)
{
	FILE *f = open_pem(key, path, err, errlen);
	X509 *x;

	if (!f)
		return NULL;
	x = PEM_read_X509(f, NULL, no_passphrase, NULL);
	if (!x)
		snprintf(err, errlen, "tls.%s %s: no PEM certificate in it", key, path);
	fclose(f);
	ERR_clear_error();
	return x;
}

static EVP_PKEY *read_key(const char *key, const char *path, char *err, size_t errlen)
{
	FILE *f = open_pem(key, path, err, errlen);
	EVP_PKEY *k;

	if (!f)
		return NULL;
	k = PEM_read_PrivateKey(f, NULL, no_passphrase, NULL);
	if (!k)
		snprintf(err, errlen,
			 "tls.%s %s: no PEM private key in it (encrypted keys are not supported)",
			 key, path);
	fclose(f);
	ERR_clear_error();
	return k;
}

/* The client certificate and its key (in tls.key, or after it in tls.cert) match. */
static int check_client(const struct webhook_conf *w, char *err, size_t errlen)
{
	const char *kkey = w->key ? "key" : "cert", *kpath = w->key ? w->key : w->cert;
	X509 *x = read_cert("cert", w->cert, err, errlen);
	EVP_PKEY *k = x ? read_key(kkey, kpath, err, errlen) : NULL;
	int ret = -EINVAL;

	if (k && !X509_check_private_key(x, k))
		snprintf(err, errlen, "tls.%s %s: not the key of tls.cert %s", kkey, kpath,
			 w->cert);
	else if (k)
		ret = 0;
	ERR_clear_error();
	EVP_PKEY_free(k);
	X509_free(x);
	return ret;
}

int vgl_webhook_check_tls(const struct webhook_conf *w, char *err, size_t errlen)
{
	X509 *x;
	DIR *d;

	if (!w->https)
		return 0; /* not used (configure warned) */
	if (w->ca_file) {
		x = read_cert("ca_file", w->ca_file, err, errlen);
		if (!x)
			return -EINVAL;
		X509_free(x);
	}
	if (w->ca_dir) {
		d = opendir(w->ca_dir);
		if (!d) {
			snprintf(err, errlen, "tls.ca_dir %s: cannot read: %s", w->ca_dir,
				 strerror(errno));
			return -EINVAL;
		}
		closedir(d);
	}
	return w->cert ? check_client(w, err, errlen) : 0;
}
