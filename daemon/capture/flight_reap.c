// SPDX-License-Identifier: Apache-2.0
/*
 * Closing a capture waits for its writer thread to compress and write what
 * is queued (after a trigger, up to the whole ring): that happens here, on
 * a thread of its own, not in the pipeline.
 */
#include <errno.h>
#include <string.h>

#include "capture/flight_int.h"

static void close_one(struct fl_reaper *r, struct vgl_capwriter *w)
{
	struct vgl_capwriter_stats s;

	if (vgl_capwriter_close(w, &s))
		atomic_fetch_add(&r->errors, 1);
	atomic_fetch_add(&r->events_lost, s.events_lost);
}

static void *reap_main(void *arg)
{
	struct fl_reaper *r = arg;
	struct vgl_capwriter *w;

	pthread_mutex_lock(&r->mu);
	for (;;) {
		while (!r->n && !r->stop)
			pthread_cond_wait(&r->more, &r->mu);
		if (!r->n)
			break; /* stopping, and nothing is left */
		w = r->q[0];
		memmove(r->q, r->q + 1, --r->n * sizeof(r->q[0]));
		pthread_mutex_unlock(&r->mu);
		close_one(r, w);
		pthread_mutex_lock(&r->mu);
	}
	pthread_mutex_unlock(&r->mu);
	return NULL;
}

int fl_reap_init(struct fl_reaper *r)
{
	int err;

	memset(r, 0, sizeof(*r));
	atomic_init(&r->events_lost, 0);
	atomic_init(&r->errors, 0);
	pthread_mutex_init(&r->mu, NULL);
	pthread_cond_init(&r->more, NULL);
	err = pthread_create(&r->thread, NULL, reap_main, r);
	if (err) {
		pthread_cond_destroy(&r->more);
		pthread_mutex_destroy(&r->mu);
		return -err;
	}
	r->started = true;
	return 0;
}

void fl_reap(struct fl_reaper *r, struct vgl_capwriter *w)
{
	/* its losses, closing included, are added once it is closed */
	pthread_mutex_lock(&r->mu);
	if (r->n < FL_REAP_MAX) {
		r->q[r->n++] = w;
		pthread_cond_signal(&r->more);
		w = NULL;
	}
	pthread_mutex_unlock(&r->mu);
	if (w)
		close_one(r, w); /* the thread is far behind: wait here rather than leak */
}

void fl_reap_fini(struct fl_reaper *r)
{
	if (!r->started)
		return;
	pthread_mutex_lock(&r->mu);
	r->stop = true;
	pthread_cond_signal(&r->more);
	pthread_mutex_unlock(&r->mu);
	pthread_join(r->thread, NULL);
	pthread_cond_destroy(&r->more);
	pthread_mutex_destroy(&r->mu);
	r->started = false;
}
