/* SPDX-License-Identifier: Apache-2.0 */
/* Internal to sink*.c: a sink's state, shared by submit and the worker. */
#ifndef VIGIL_OUTPUT_SINK_IMPL_H
#define VIGIL_OUTPUT_SINK_IMPL_H

#include <pthread.h>

#include "output/sink.h"
#include "output/spool.h"

struct vgl_sink {
	const struct vgl_sink_ops *ops;
	struct vgl_sink_conf conf;
	void *priv;
	struct vgl_spool *spool; /* NULL: none */
	pthread_t thread;
	bool started;
	pthread_mutex_t mu;   /* everything below */
	pthread_cond_t cv;    /* work arrived, reopen, stop, worker exited */
	struct vgl_alert **q; /* ring of qcap, qlen from qhead */
	size_t qcap, qhead, qlen;
	bool spooling; /* the spool holds alerts: new ones go behind them */
	bool stopping; /* deliver what is queued, then exit */
	bool abort;    /* atomic: the drain time ran out */
	bool exited;
	bool stopped; /* after vgl_sink_stop(): submits are lost */
	bool reopen;
	/* the batch the worker is delivering */
	struct vgl_alert **batch;
	size_t nbatch;
	bool batch_from_queue; /* else from the spool, which still holds it */
	struct vgl_sink_stats st;
	double fail_since; /* monotonic time of the first failure in a row; 0: ok */
	double last_loss;  /* monotonic time of the last lost alert; 0: none */
	enum vgl_sink_loss last_loss_why;
	char last_logged[256]; /* the last failure written to the log */
	unsigned int seed;     /* for jitter */
};

void *vgl_sink_worker(void *arg);
void sink_lost(struct vgl_sink *s, enum vgl_sink_loss why, uint64_t n);

#endif /* VIGIL_OUTPUT_SINK_IMPL_H */
