/* SPDX-License-Identifier: Apache-2.0 */
/*
 * vigil's config file (`vigil run -c FILE`, default /etc/vigil/vigil.yaml):
 * rules, outputs, rate limit, metrics, and the settings of `vigil run`'s
 * flags (a flag given on the command line wins). Every key is documented in
 * docs/config.md; an unknown key, a bad value or a bad type is an error
 * with the file, line, column and key. Some of Falco's falco.yaml keys are
 * accepted too, with the same meaning (config/falco.c).
 */
#ifndef VIGIL_CONFIG_CONFIG_H
#define VIGIL_CONFIG_CONFIG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "output/outputs.h"
#include "output/sinkconf.h"
#include "rules/diag.h"

#define VGL_CONFIG_DEFAULT   "/etc/vigil/vigil.yaml"
#define VGL_CONFIG_FILE_MAX  (1u << 20)
#define VGL_CONFIG_RULES_MAX 256

/* A setting and whether the file gave it. */
#define VGL_CFG_FIELD(type, name) \
	type name;                \
	bool name##_set

/* capture: writing captures (-w) and the flight recorder; docs/config.md. */
struct vgl_capture_conf {
	char *path;		    /* NULL: no capture file */
	char *filter;		    /* a rule condition; NULL: every event */
	struct vgl_pos filter_pos;  /* where the file gave it (errors); file NULL: not given */
	uint64_t rotate_size;	    /* bytes per file; 0: no rotation by size */
	double rotate_interval;	    /* seconds per file; 0: no rotation by time */
	uint64_t max_files;	    /* files kept; 0: unlimited */
	uint64_t max_size;	    /* bytes kept over all files; 0: unlimited */
	uint64_t queue_size;	    /* bytes waiting for the writer thread; 0: default */
	char *flight_dir;	    /* NULL: no flight recorder */
	double flight_window;	    /* seconds before an alert; 0: default */
	uint64_t flight_ring_size;  /* bytes; 0: default */
	double flight_max_duration; /* seconds; 0: default */
};

struct vgl_config {
	char *file; /* the file read; NULL: none (defaults) */
	char **rules;
	size_t nrules;
	VGL_CFG_FIELD(bool, json_output);
	VGL_CFG_FIELD(bool, first_match);
	VGL_CFG_FIELD(uint64_t, ringbuf_size);
	VGL_CFG_FIELD(uint64_t, wakeup_bytes);
	VGL_CFG_FIELD(int, syscall_hook); /* enum vgl_syscall_hook */
	VGL_CFG_FIELD(int, log_level);	  /* enum vgl_log_level */
	char *host_root;
	int min_priority; /* Falco's `priority`: the default of each output's; -1 unset */
	struct vgl_sink_spec *outputs;
	size_t noutputs;
	bool outputs_given; /* outputs or Falco's *_output keys: else one stdout output */
	struct vgl_outputs_conf alerts; /* drain_timeout, rate_limit */
	char *metrics_listen;		/* "127.0.0.1:8765"; NULL: no HTTP endpoint */
	struct vgl_capture_conf capture;
};

/*
 * Read @path. With @must_exist false a missing file gives the defaults.
 * Returns 0, or -EINVAL with every problem in @diag (file:line:col), or
 * -errno (the file cannot be read: named in @diag too).
 */
int vgl_config_load(const char *path, bool must_exist, struct vgl_config *ret,
		    struct vgl_diag *diag);
/* The same from text (tests, fuzzing). */
int vgl_config_parse(const char *name, const char *text, size_t len, struct vgl_config *ret,
		     struct vgl_diag *diag);
void vgl_config_free(struct vgl_config *c);

/* Append @spec (taken over) to @c's outputs: 0, -E2BIG or -ENOMEM. */
int vgl_config_add_output(struct vgl_config *c, struct vgl_sink_spec *spec);

#endif /* VIGIL_CONFIG_CONFIG_H */
