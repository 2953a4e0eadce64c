// SPDX-License-Identifier: Apache-2.0
#include <errno.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <time.h>
#include <unistd.h>

#include "run/reload.h"
#include "rules/rulefiles.h"
#include "util/log.h"

struct vgl_reload {
	const char *const *args;
	size_t nargs;
	struct vgl_rules_opts opts;
	int efd;
	bool busy;
	pthread_t thread;
	/* written by the thread, read after join */
	struct vgl_ruleset *rs;
	struct vgl_diag diag;
	char err[512];
	int ret;
	double seconds; /* the load took */
};

int vgl_rules_load(const char *const *args, size_t nargs, const struct vgl_rules_opts *opts,
		   struct vgl_ruleset **ret_rs, struct vgl_diag *diag, char *err, size_t errlen)
{
	struct vgl_rule_files files;
	int ret = vgl_rule_files_expand(args, nargs, &files, err, errlen);

	if (ret)
		return ret;
	ret = vgl_ruleset_load((const char *const *)files.path, files.n, opts, ret_rs, diag);
	if (ret == -EINVAL)
		snprintf(err, errlen, "invalid rules: %zu error(s)", diag->nerrors);
	else if (ret)
		snprintf(err, errlen, "loading rules: %s", strerror(-ret));
	vgl_rule_files_free(&files);
	return ret;
}

void vgl_rules_print_diag(const struct vgl_diag *diag)
{
	char line[1400];

	for (size_t i = 0; i < diag->n; i++) {
		vgl_diag_format(&diag->v[i], line, sizeof(line));
		fprintf(stderr, "vigil: %s\n", line);
	}
	if (diag->dropped)
		fprintf(stderr, "vigil: ... and %zu more\n", diag->dropped);
}

int vgl_reload_new(const char *const *args, size_t nargs, const struct vgl_rules_opts *opts,
		   struct vgl_reload **ret)
{
	struct vgl_reload *r = calloc(1, sizeof(*r));

	if (!r)
		return -ENOMEM;
	r->args = args;
	r->nargs = nargs;
	r->opts = *opts;
	r->efd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	if (r->efd < 0) {
		free(r);
		return -errno;
	}
	*ret = r;
	return 0;
}

static void *reload_thread(void *arg)
{
	struct vgl_reload *r = arg;
	struct timespec t0, t1;
	uint64_t one = 1;

	clock_gettime(CLOCK_MONOTONIC, &t0);
	r->ret = vgl_rules_load(r->args, r->nargs, &r->opts, &r->rs, &r->diag, r->err,
				sizeof(r->err));
	clock_gettime(CLOCK_MONOTONIC, &t1);
	r->seconds = (double)(t1.tv_sec - t0.tv_sec) + (t1.tv_nsec - t0.tv_nsec) / 1e9;
	if (write(r->efd, &one, sizeof(one)) != sizeof(one))
		r->ret = r->ret ? r->ret : -EIO;
	return NULL;
}

double vgl_reload_seconds(const struct vgl_reload *r)
{
	return r->seconds;
}

int vgl_reload_fd(const struct vgl_reload *r)
{
	return r->efd;
}

int vgl_reload_start(struct vgl_reload *r)
{
	int ret;

	if (r->busy)
		return -EBUSY;
	r->rs = NULL;
	r->err[0] = '\0';
	vgl_diag_init(&r->diag);
	ret = pthread_create(&r->thread, NULL, reload_thread, r);
	if (ret) {
		vgl_diag_free(&r->diag);
		return -ret;
	}
	r->busy = true;
	return 0;
}

int vgl_reload_collect(struct vgl_reload *r, struct vgl_ruleset **ret_rs)
{
	uint64_t n;
	int ret;

	if (!r->busy || read(r->efd, &n, sizeof(n)) != sizeof(n))
		return -EAGAIN;
	pthread_join(r->thread, NULL);
	r->busy = false;
	ret = r->ret;
	if (ret) {
		vgl_rules_print_diag(&r->diag);
		vgl_err("reload failed, keeping the running rules: %s", r->err);
	} else {
		*ret_rs = r->rs;
	}
	vgl_diag_free(&r->diag);
	return ret;
}

void vgl_reload_free(struct vgl_reload *r)
{
	if (!r)
		return;
	if (r->busy) {
		pthread_join(r->thread, NULL);
		vgl_ruleset_free(r->rs);
		vgl_diag_free(&r->diag);
	}
	close(r->efd);
	free(r);
}
