// SPDX-License-Identifier: Apache-2.0
/* Container metadata reads on a worker thread: a todo queue and a done queue. */
#include <errno.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include "state/resolver.h"
#include "util/threadsig.h"

struct job_node {
	struct vgl_resolve_job job;
	struct job_node *next;
};

struct job_list {
	struct job_node *head, *tail;
};

struct vgl_resolver {
	struct vgl_runtime_roots roots;
	pthread_t thread;
	pthread_mutex_t lock;
	pthread_cond_t cond;
	struct job_list todo, done;
	size_t inflight, max; /* submitted and not yet taken */
	bool stop, started;
	int efd;
};

static void list_push(struct job_list *l, struct job_node *n)
{
	n->next = NULL;
	if (l->tail)
		l->tail->next = n;
	else
		l->head = n;
	l->tail = n;
}

static struct job_node *list_pop(struct job_list *l)
{
	struct job_node *n = l->head;

	if (n) {
		l->head = n->next;
		if (!l->head)
			l->tail = NULL;
	}
	return n;
}

static void *worker(void *arg)
{
	struct vgl_resolver *r = arg;
	struct job_node *n;
	uint64_t one = 1;

	pthread_mutex_lock(&r->lock);
	for (;;) {
		while (!r->stop && !r->todo.head)
			pthread_cond_wait(&r->cond, &r->lock);
		if (r->stop)
			break;
		n = list_pop(&r->todo);
		pthread_mutex_unlock(&r->lock);
		n->job.rc = vgl_runtime_load(&r->roots, &n->job.ci, &n->job.meta, &n->job.rt,
					     n->job.err);
		pthread_mutex_lock(&r->lock);
		list_push(&r->done, n);
		/* the counter cannot overflow: the reader drains it */
		if (write(r->efd, &one, sizeof(one)) < 0) {
		}
	}
	pthread_mutex_unlock(&r->lock);
	return NULL;
}

/*
 * The worker blocks every signal: signals are the event loop's (a signalfd
 * there, which only works while no other thread can take them).
 */
static int start_worker(struct vgl_resolver *r)
{
	sigset_t all, old;
	int err;

	vgl_sigfill_threads(&all); /* but the privilege drop's */
	pthread_sigmask(SIG_SETMASK, &all, &old);
	err = pthread_create(&r->thread, NULL, worker, r);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	return err;
}

struct vgl_resolver *vgl_resolver_new(const struct vgl_runtime_roots *roots, size_t max_jobs)
{
	struct vgl_resolver *r = calloc(1, sizeof(*r));
	int err;

	if (!r)
		return NULL;
	r->roots = *roots;
	r->max = max_jobs ? max_jobs : VGL_RESOLVER_JOBS_DEFAULT;
	pthread_mutex_init(&r->lock, NULL);
	pthread_cond_init(&r->cond, NULL);
	r->efd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	if (r->efd < 0)
		goto out_free;
	err = start_worker(r);
	if (err) {
		errno = err;
		goto out_free;
	}
	r->started = true;
	return r;

out_free:
	err = errno;
	vgl_resolver_free(r);
	errno = err;
	return NULL;
}

static void free_list(struct job_list *l)
{
	struct job_node *n;

	while ((n = list_pop(l))) {
		vgl_ctr_meta_clear(&n->job.meta);
		free(n);
	}
}

void vgl_resolver_free(struct vgl_resolver *r)
{
	if (!r)
		return;
	if (r->started) {
		pthread_mutex_lock(&r->lock);
		r->stop = true;
		pthread_cond_signal(&r->cond);
		pthread_mutex_unlock(&r->lock);
		pthread_join(r->thread, NULL);
	}
	free_list(&r->todo);
	free_list(&r->done);
	if (r->efd >= 0)
		close(r->efd);
	pthread_cond_destroy(&r->cond);
	pthread_mutex_destroy(&r->lock);
	free(r);
}

int vgl_resolver_fd(const struct vgl_resolver *r)
{
	return r->efd;
}

int vgl_resolver_submit(struct vgl_resolver *r, uint64_t key, uint64_t gen,
			const struct vgl_cgroup_info *ci)
{
	struct job_node *n;

	if (r->inflight >= r->max)
		return -EAGAIN;
	n = calloc(1, sizeof(*n));
	if (!n)
		return -ENOMEM;
	n->job.key = key;
	n->job.gen = gen;
	n->job.ci = *ci;
	r->inflight++;
	pthread_mutex_lock(&r->lock);
	list_push(&r->todo, n);
	pthread_cond_signal(&r->cond);
	pthread_mutex_unlock(&r->lock);
	return 0;
}

bool vgl_resolver_take(struct vgl_resolver *r, struct vgl_resolve_job *ret)
{
	struct job_node *n;
	uint64_t cnt;

	if (!r->inflight)
		return false;
	pthread_mutex_lock(&r->lock);
	n = list_pop(&r->done);
	if (!r->done.head && read(r->efd, &cnt, sizeof(cnt)) < 0) {
		/* EAGAIN: already drained */
	}
	pthread_mutex_unlock(&r->lock);
	if (!n)
		return false;
	r->inflight--;
	*ret = n->job;
	free(n);
	return true;
}

bool vgl_resolver_wait(struct vgl_resolver *r, int timeout_ms)
{
	struct pollfd pfd = { .fd = r->efd, .events = POLLIN };
	bool ready;

	pthread_mutex_lock(&r->lock);
	ready = r->done.head != NULL;
	pthread_mutex_unlock(&r->lock);
	return ready || (r->inflight && poll(&pfd, 1, timeout_ms) > 0);
}
