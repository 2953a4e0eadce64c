/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Internal to sink_nats*.c: the nats output's settings (sink_nats_conf.c
 * reads and checks them) and its connection (sink_nats.c publishes).
 */
#ifndef VIGIL_OUTPUT_SINK_NATS_H
#define VIGIL_OUTPUT_SINK_NATS_H

#include <nats/nats.h>
#include <signal.h>

#include "output/sinks.h"

#define NATS_URLS_MAX 32

enum nats_js_mode {
	NATS_JS_AUTO, /* JetStream when a stream captures the subject (looked up on connect) */
	NATS_JS_ON,   /* always JetStream: no stream is an error */
	NATS_JS_OFF,  /* core NATS, flushed: the server has received it */
};

struct nats_sink {
	/* settings */
	char **urls;
	size_t nurls;
	char *subject;
	enum nats_js_mode jetstream;
	char *user, *password, *token, *creds;
	bool tls;
	char *ca_file, *cert, *key;
	bool verify;
	double connect_timeout, timeout; /* seconds */
	char *servers;			 /* "nats://a:4222,nats://b:4222", no passwords */
	char *desc;			 /* servers and " subject vigil.alerts" */
	/* libnats state: built by check() in the main thread, then the worker's */
	bool lib;	    /* holds a reference on the library */
	natsOptions *opts;  /* NULL until check() */
	natsConnection *nc; /* NULL: connect on the next deliver */
	jsCtx *js;	    /* non-NULL: publish through JetStream, acknowledged */
	char *url;	    /* the server connected to (no password), for messages */
};

/* The type's keys and configure (sink_nats_conf.c). */
extern const char *const vgl_nats_keys[];
int vgl_nats_configure(struct vgl_cfg_ctx *c, const struct ynode *map, struct vgl_sink_conf *conf,
		       void **ret_priv);
/* Free the settings and the options; the connection must be closed. */
void vgl_nats_free(struct nats_sink *n);

/* Startup (sink_nats_opts.c): files readable, libnats opened, options built. */
int vgl_nats_check(void *priv, char *err, size_t errlen);
/* Destroy the options and drop the reference on libnats (closed with the last). */
void vgl_nats_opts_free(struct nats_sink *n);
/* Block every signal in this thread (before libnats starts threads); the old mask in *@ret_old. */
void vgl_nats_block_signals(sigset_t *ret_old);
/* libnats' account of the last error in this thread, or the text of @s. */
const char *vgl_nats_error(natsStatus s);

#endif /* VIGIL_OUTPUT_SINK_NATS_H */
