/* SPDX-License-Identifier: Apache-2.0 */
/*
 * One output sink: a driver (stdout, file, syslog, webhook, program, nats)
 * behind a worker thread of its own with a bounded queue and, when
 * configured, an on-disk spool. The pipeline only ever calls
 * vgl_sink_submit(), which never waits for the driver.
 *
 *	submit -> filter -> queue (bounded) -> worker -> driver->deliver()
 *	                     \ full: spool (bounded, on disk) -/  \ retry with backoff
 *
 * Order is kept per sink: once the spool holds anything, new alerts go
 * behind it until the worker has delivered it all. An alert that cannot be
 * kept anywhere is counted as dropped with its reason; one the receiver
 * refused (or that ran out of retries) as failed.
 *
 * A driver implements struct vgl_sink_ops and is listed in registry.c; it
 * knows nothing of queues, spools, retries or other sinks.
 */
#ifndef VIGIL_OUTPUT_SINK_H
#define VIGIL_OUTPUT_SINK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "config/cfg.h"
#include "output/alert.h"

/* Why an alert was lost for one sink. */
enum vgl_sink_loss {
	VGL_LOSS_QUEUE_FULL,  /* queue full and no spool configured */
	VGL_LOSS_SPOOL_FULL,  /* queue and spool full */
	VGL_LOSS_SPOOL_ERROR, /* the spool could not be written or read back */
	VGL_LOSS_SHUTDOWN,    /* still queued when the drain time ran out, no spool */
	VGL_LOSS_REJECTED,    /* the receiver refused it (e.g. HTTP 4xx): not retried */
	VGL_LOSS_RETRIES,     /* retry.max_attempts reached */
	VGL_LOSS_TOO_LARGE,   /* larger than the receiver or spool takes */
	VGL_LOSS_MAX,
};

/* "queue_full", "spool_full", ... (the metrics' reason label). */
const char *vgl_sink_loss_name(enum vgl_sink_loss r);

/* What one delivery attempt came to. */
enum vgl_deliver_status {
	VGL_DELIVER_OK,	   /* every alert of the batch delivered */
	VGL_DELIVER_RETRY, /* transient (connection, timeout, 5xx, 429): try again later */
	VGL_DELIVER_FAIL,  /* permanent: counted as lost (@loss), not retried */
};

struct vgl_deliver_result {
	enum vgl_deliver_status status;
	enum vgl_sink_loss loss; /* with VGL_DELIVER_FAIL: REJECTED or TOO_LARGE */
	double retry_after;	 /* seconds the receiver asked us to wait; 0: backoff */
	char error[256];	 /* what went wrong, for the log, /healthz and the stats */
};

struct vgl_sink;

/* Settings every sink has (the common keys of an `outputs:` item). */
struct vgl_sink_conf {
	char *name; /* for logs and metrics; default "TYPE[INDEX]" */
	/* What the sink delivers; default: text, or json with json_output. A
	 * driver that sends the JSON whatever the key says (webhook, nats) sets
	 * json in configure(): alerts carry their JSON only when some sink's
	 * format is json (vgl_outputs_need_json()), and is "" otherwise. */
	enum vgl_alert_format format;
	bool format_set;  /* format given in the file */
	int min_priority; /* enum vgl_priority; default VGL_PRI_DEBUG: all */
	char **rules, **rules_exclude, **tags, **tags_exclude; /* include/exclude lists */
	size_t nrules, nrules_exclude, ntags, ntags_exclude;
	size_t queue_size;	     /* alerts; default 10000 */
	char *spool;		     /* spool directory, NULL: none */
	uint64_t spool_max;	     /* bytes; default 256 MiB */
	double retry_initial;	     /* seconds; default 0.5 */
	double retry_max;	     /* seconds; default 30 */
	uint64_t retry_max_attempts; /* 0: retry until delivered (or shutdown) */
	size_t batch_max;	     /* alerts per deliver(); set by the driver, default 1 */
	double batch_linger;	     /* seconds to wait for a fuller batch; driver sets */
	double unhealthy_after;	     /* failing this long makes /healthz 503; default 30 */
};

struct vgl_sink_ops {
	const char *type;	 /* the `type:` of an output */
	const char *const *keys; /* the type's own keys, NULL-terminated */
	/*
	 * Read the type's keys from the output's mapping @map into a new
	 * private state (*@ret_priv). May change @conf (batching, the default
	 * format). Errors through @c; returns 0 or -EINVAL / -ENOMEM. Called
	 * by --check-config too: do not connect or open anything here.
	 */
	int (*configure)(struct vgl_cfg_ctx *c, const struct ynode *map, struct vgl_sink_conf *conf,
			 void **ret_priv);
	/*
	 * Start-up checks that need the system (a CA file readable, a port
	 * free, a program that exists): 0, or -errno with @err set. Runs in
	 * the main thread before capture starts; may be NULL.
	 */
	int (*check)(void *priv, char *err, size_t errlen);
	/*
	 * Worker thread from here on. Deliver @n alerts (n <= conf.batch_max)
	 * in order; connect first if needed. @s answers vgl_sink_aborting()
	 * for a driver that blocks for long (retry loops, slow transfers).
	 */
	void (*deliver)(void *priv, struct vgl_sink *s, struct vgl_alert *const *alerts, size_t n,
			struct vgl_deliver_result *r);
	/* SIGUSR1: reopen files (logrotate). May be NULL. */
	void (*reopen)(void *priv);
	/* Idle: push out anything buffered. May be NULL. */
	void (*flush)(void *priv);
	/* Disconnect and free @priv (worker stopped, or never started). */
	void (*close)(void *priv);
	/* A short description for messages: "https://host:2801/". May be NULL. */
	const char *(*describe)(void *priv);
};

/* The driver for @type, or NULL; the known type names, comma-separated. */
const struct vgl_sink_ops *vgl_sink_ops_find(const char *type);
const char *vgl_sink_types(void);

/* While delivering: true once shutdown's drain time has run out. */
bool vgl_sink_aborting(const struct vgl_sink *s);
/* The sink's settings (from a driver's deliver, for the format). */
const struct vgl_sink_conf *vgl_sink_conf(const struct vgl_sink *s);

/* Counters of one sink; every lost alert is in exactly one of lost[]. */
struct vgl_sink_stats {
	uint64_t submitted;	     /* handed to the sink after its filters */
	uint64_t filtered;	     /* not for this sink (priority, rule, tag) */
	uint64_t sent;		     /* delivered */
	uint64_t retries;	     /* failed attempts that were retried */
	uint64_t spooled;	     /* written to the spool */
	uint64_t unspooled;	     /* read back from the spool and delivered or lost */
	uint64_t lost[VGL_LOSS_MAX]; /* by reason */
	uint64_t queue_depth;	     /* alerts in the queue now */
	uint64_t queue_size;
	uint64_t spool_depth; /* alerts in the spool now */
	uint64_t spool_bytes; /* bytes in the spool now */
	bool failing;	      /* the last attempt failed */
	double failing_for;   /* seconds since the first failure of this streak */
	char last_error[256]; /* of the last failed attempt, "" */
};

/* A sink from a parsed config: @conf and @priv are taken over. */
int vgl_sink_new(const struct vgl_sink_ops *ops, struct vgl_sink_conf *conf, void *priv,
		 struct vgl_sink **ret, char *err, size_t errlen);
/* Start the worker (after the spool is opened). */
int vgl_sink_start(struct vgl_sink *s, char *err, size_t errlen);
/* Queue @a for delivery (takes a reference of its own) unless filtered out. */
void vgl_sink_submit(struct vgl_sink *s, struct vgl_alert *a);
/* Ask the worker to reopen its files (SIGUSR1). */
void vgl_sink_reopen(struct vgl_sink *s);
/* Tell the worker to exit once its queue is empty (vgl_sink_stop() waits). */
void vgl_sink_stop_request(struct vgl_sink *s);
/*
 * Stop: deliver what is queued until @deadline (CLOCK_MONOTONIC seconds),
 * then abort, spool what is left (or count it lost), join the worker.
 */
void vgl_sink_stop(struct vgl_sink *s, double deadline);
/* Free (stops first, with no drain time, when still running). Accepts NULL. */
void vgl_sink_free(struct vgl_sink *s);

const char *vgl_sink_name(const struct vgl_sink *s);
const char *vgl_sink_type(const struct vgl_sink *s);
const char *vgl_sink_describe(const struct vgl_sink *s);
void vgl_sink_get_stats(struct vgl_sink *s, struct vgl_sink_stats *ret);
/* Healthy: not failing for longer than unhealthy_after, nothing lost lately. */
bool vgl_sink_healthy(struct vgl_sink *s, char *why, size_t whylen);

void vgl_sink_conf_init(struct vgl_sink_conf *c);
void vgl_sink_conf_free(struct vgl_sink_conf *c);

/* CLOCK_MONOTONIC in seconds. */
double vgl_mono_now(void);

#endif /* VIGIL_OUTPUT_SINK_H */
