/* SPDX-License-Identifier: Apache-2.0 */
/*
 * vigil's rule engine: Falco-compatible YAML rule files compiled into a
 * matcher indexed by event kind.
 *
 *	vgl_ruleset_load()      read and compile rule files (all errors at once)
 *	vgl_ruleset_kinds()     which event kinds the enabled rules need
 *	vgl_match_ctx_new()     per-thread evaluation state (field cache)
 *	vgl_ruleset_eval()      run one event through the candidate rules
 *	vgl_alert_format/json() render a matching rule's output
 *
 * A loaded rule set is immutable: any number of threads may evaluate it at
 * once, each with its own struct vgl_match_ctx. Evaluation does not allocate.
 */
#ifndef VIGIL_RULES_RULES_H
#define VIGIL_RULES_RULES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "decode/event.h"
#include "rules/diag.h"
#include "rules/state.h"

/* Rule-language version vigil implements (required_engine_version). */
#define VGL_ENGINE_VERSION "0.57.0"

enum vgl_priority {
	VGL_PRI_EMERGENCY = 0,
	VGL_PRI_ALERT,
	VGL_PRI_CRITICAL,
	VGL_PRI_ERROR,
	VGL_PRI_WARNING,
	VGL_PRI_NOTICE,
	VGL_PRI_INFORMATIONAL,
	VGL_PRI_DEBUG,
};

/* Falco's name: "Emergency" ... "Informational", "Debug". */
const char *vgl_priority_name(enum vgl_priority p);
/* Parse a priority name, case-insensitive ("info" too); -1 if unknown. */
int vgl_priority_parse(const char *s);

/* Load options; zero values mean the defaults in brackets. */
struct vgl_rules_opts {
	bool first_match;      /* stop at the first matching rule per event [false] */
	size_t max_depth;      /* condition nesting depth [64] */
	size_t max_cond_len;   /* bytes of one condition after appends [65536] */
	size_t max_list_items; /* items of one list after flattening [16384] */
	size_t max_items;      /* rule/macro/list items over all files [20000] */
	size_t max_file_size;  /* bytes of one rule file [16 MiB] */
};

struct vgl_ruleset;
struct vgl_match_ctx;

struct vgl_rule_info {
	const char *name;
	const char *desc;
	const char *output;
	const char *source;
	enum vgl_priority priority;
	const char *const *tags;
	size_t ntags;
	bool enabled;
	bool capture;		      /* Falco's `capture: true`: the flight recorder saves it */
	uint64_t capture_duration_ns; /* `capture_duration` (ms in the file); 0: the default */
	const char *file;
	unsigned int line;
};

/*
 * Load and compile @nfiles rule files in order. Returns 0 and the rule set,
 * or -EINVAL with every error (and warning) in @diag, or -ENOMEM / -errno.
 * Warnings may be reported on success too. *@ret is untouched on failure.
 */
int vgl_ruleset_load(const char *const *files, size_t nfiles, const struct vgl_rules_opts *opts,
		     struct vgl_ruleset **ret, struct vgl_diag *diag);
/* The same from in-memory text named @name (tests, fuzzing). */
int vgl_ruleset_load_text(const char *name, const char *text, size_t len,
			  const struct vgl_rules_opts *opts, struct vgl_ruleset **ret,
			  struct vgl_diag *diag);
void vgl_ruleset_free(struct vgl_ruleset *rs);

/*
 * Set @kinds[k] for every event kind some enabled rule can match. A rule
 * without an evt.type restriction needs every kind.
 */
void vgl_ruleset_kinds(const struct vgl_ruleset *rs, bool kinds[VGL_EV_MAX]);

/* Whether a condition of some rule reads the field @name (as "proc.env"). */
bool vgl_ruleset_uses_field(const struct vgl_ruleset *rs, const char *name);

/* Rules in load order (enabled or not), and the rule set's counts. */
size_t vgl_ruleset_nrules(const struct vgl_ruleset *rs);
const struct vgl_rule_info *vgl_ruleset_rule(const struct vgl_ruleset *rs, size_t idx);
/* Whether rule @idx is a candidate for events of @kind. */
bool vgl_ruleset_rule_kind(const struct vgl_ruleset *rs, size_t idx, enum vgl_kind kind);
size_t vgl_ruleset_nmacros(const struct vgl_ruleset *rs);
size_t vgl_ruleset_nlists(const struct vgl_ruleset *rs);

/* Evaluation state for one thread; free with vgl_match_ctx_free(). */
struct vgl_match_ctx *vgl_match_ctx_new(const struct vgl_ruleset *rs);
void vgl_match_ctx_free(struct vgl_match_ctx *ctx);
/*
 * Wall-clock time is an event's timestamp (since boot) + @boot_to_wall_ns:
 * evt.time and friends, proc.exe_ino.ctime_duration_proc_start. Default:
 * this host's offset when @ctx was made; a replay sets the capture's.
 */
void vgl_match_ctx_set_clock(struct vgl_match_ctx *ctx, int64_t boot_to_wall_ns);

/*
 * Called for each matching enabled rule (index for vgl_ruleset_rule());
 * return nonzero to stop evaluating this event.
 */
typedef int (*vgl_match_cb)(void *data, const struct vgl_ruleset *rs, size_t rule,
			    struct vgl_match_ctx *ctx);

/*
 * Evaluate @ev against the candidate rules for its kind, in load order. @ctx
 * must come from vgl_match_ctx_new(@rs) (0 is returned otherwise). @ops and
 * @state describe the state tracker (NULL: state fields unknown). Returns the
 * number of matching rules (1 at most with first_match).
 *
 * Reload: load the new set with vgl_ruleset_load() off the hot path, publish
 * the pointer atomically, give each evaluating thread a new context, free the
 * old set once no thread uses it. A failed load leaves the old set untouched.
 */
int vgl_ruleset_eval(const struct vgl_ruleset *rs, struct vgl_match_ctx *ctx,
		     const struct vgl_event *ev, const struct vgl_field_state_ops *ops, void *state,
		     vgl_match_cb cb, void *cb_data);

/* What an alert carries besides the event (see vgl_alert_json()). */
struct vgl_alert_meta {
	const char *hostname;	  /* NULL: the state's hostname or "" */
	int64_t time_ns;	  /* wall clock of the event, ns since the epoch */
	const char *capture_file; /* the flight recorder's file for this alert; NULL: none */
};

/*
 * Falco's prefix of an alert's text, "HH:MM:SS.nnnnnnnnn: Priority " (UTC),
 * into @buf of at least VGL_ALERT_PREFIX_MAX bytes; returns its length. The
 * text line and the JSON's "output" both start with it.
 */
#define VGL_ALERT_PREFIX_MAX 48
size_t vgl_alert_prefix(int64_t time_ns, enum vgl_priority p, char *buf, size_t size);

/* The JSON's "time": "2026-12-04T10:11:12.123456789Z" (RFC 3339, UTC), >= 32 bytes. */
void vgl_alert_rfc3339(int64_t time_ns, char *buf, size_t size);

/*
 * Within a match callback: the rule's output with %fields substituted
 * (unknown values as "<NA>"). snprintf semantics; returns the full length.
 */
size_t vgl_alert_format(struct vgl_match_ctx *ctx, size_t rule, char *buf, size_t size);

/*
 * Within a match callback: a Falco-compatible JSON alert (time, rule,
 * priority, source, hostname, output, tags, output_fields; and vigil's
 * "capture_file" when meta->capture_file is set), one line, malloc'd
 * (free()), or NULL on allocation failure.
 */
char *vgl_alert_json(struct vgl_match_ctx *ctx, size_t rule, const struct vgl_alert_meta *meta);

/* `vigil rules check|list|explain [-r PATH]... [-v]`; the default rules when no -r is given. */
int vgl_cmd_rules(int argc, char **argv);

#endif /* VIGIL_RULES_RULES_H */
