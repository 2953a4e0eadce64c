/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Loading rule sets: once at start, and again on SIGHUP in a thread of its
 * own so that capture and evaluation never wait for a compile. The event
 * loop polls vgl_reload_fd() and swaps the new set in when it is ready; a
 * broken set leaves the running one in place.
 */
#ifndef VIGIL_RUN_RELOAD_H
#define VIGIL_RUN_RELOAD_H

#include <stdbool.h>
#include <stddef.h>

#include "rules/rules.h"

/* Expand @args (files, directories; none: the defaults) and load them. */
int vgl_rules_load(const char *const *args, size_t nargs, const struct vgl_rules_opts *opts,
		   struct vgl_ruleset **ret_rs, struct vgl_diag *diag, char *err, size_t errlen);

/* Print @diag's entries on stderr, one per line. */
void vgl_rules_print_diag(const struct vgl_diag *diag);

struct vgl_reload;

int vgl_reload_new(const char *const *args, size_t nargs, const struct vgl_rules_opts *opts,
		   struct vgl_reload **ret);
void vgl_reload_free(struct vgl_reload *r);

/* Readable when a started load has finished. */
int vgl_reload_fd(const struct vgl_reload *r);

/* Start loading in the background; -EBUSY while a load is running. */
int vgl_reload_start(struct vgl_reload *r);

/*
 * Collect the finished load: 0 and the new set in *@ret_rs, or < 0 with the
 * problems printed on stderr.
 */
int vgl_reload_collect(struct vgl_reload *r, struct vgl_ruleset **ret_rs);

/* How long the last collected load took, in seconds. */
double vgl_reload_seconds(const struct vgl_reload *r);

#endif /* VIGIL_RUN_RELOAD_H */
