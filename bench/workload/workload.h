/* SPDX-License-Identifier: Apache-2.0 */
/* vigil-workload's modes (modes.c) and what they share with its loop (workload.c). */
#ifndef VIGIL_BENCH_WORKLOAD_H
#define VIGIL_BENCH_WORKLOAD_H

#include <netinet/in.h>
#include <stdbool.h>
#include <stdint.h>
#include <limits.h>

#define WL_KINDS_MAX	3
#define WL_FILES_MAX	8 /* files opened in turn by the open modes */
#define WL_DEFAULT_SECS 5.0
#define WL_CLOCK_EVERY	8 /* iterations between two looks at the clock */

struct wl_ctx {
	char dir[PATH_MAX];
	char file[PATH_MAX];
	const char *files[WL_FILES_MAX]; /* open modes: opened in turn */
	size_t nfiles, next;
	int lfd; /* connect mode: the listener */
	int rfd; /* read mode: /dev/zero */
	struct sockaddr_in addr;
	uint64_t sc[WL_KINDS_MAX]; /* calls made, indexed like wl_mode.kinds */
};

struct wl_opts {
	const char *mode;
	const char *tmpdir; /* -t; NULL: the mode's default */
	const char *files[WL_FILES_MAX];
	size_t nfiles;
	double secs;
	uint64_t iters; /* 0: run for secs */
	double rate;	/* operations per second; 0: as fast as possible */
	bool list_kinds;
};
struct wl_mode {
	const char *name;
	const char *kinds[WL_KINDS_MAX]; /* vigil event kinds, NULL-terminated */
	const char *dir;		 /* the private directory's parent; NULL: $TMPDIR or /tmp */
	int (*setup)(struct wl_ctx *ctx, const struct wl_opts *o);
	int (*op)(struct wl_ctx *ctx);
	void (*teardown)(struct wl_ctx *ctx);
};

/* The mode called @name, or NULL. */
const struct wl_mode *wl_find_mode(const char *name);

#endif /* VIGIL_BENCH_WORKLOAD_H */
