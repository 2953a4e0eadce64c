/* SPDX-License-Identifier: Apache-2.0 */
/*
 * A run's settings: the command line over the config file over the
 * defaults; and the output stage built from them.
 */
#ifndef VIGIL_RUN_SETUP_H
#define VIGIL_RUN_SETUP_H

#include "config/config.h"
#include "output/outputs.h"
#include "run/run.h"

/*
 * Read the config file (-c, else the default one if it exists), print its
 * problems, and merge: *@ret_eff is @cli with every setting the command
 * line left out taken from the file. Returns 0 or 1 (the exit code).
 */
int vgl_setup_load(const struct vgl_run_opts *cli, struct vgl_config *ret_cfg,
		   struct vgl_run_opts *ret_eff);

/*
 * The output stage from @cfg's outputs (one stdout output when it has none),
 * each checked against the system (files, CA files, programs). @json is the
 * format of outputs that do not name one. The specs are taken over. Prints
 * what is wrong; returns 0 or 1.
 */
int vgl_setup_outputs(struct vgl_config *cfg, bool json, const char *hostname,
		      struct vgl_outputs **ret);

#endif /* VIGIL_RUN_SETUP_H */
