// SPDX-License-Identifier: Apache-2.0
/* The capture stage of `vigil run`: filter, writer, flight recorder, tap. */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "bpf/syscalls.h"
#include "run/capsetup.h"
#include "run/reload.h"
#include "util/log.h"

#define FILTER_MAX    65536 /* bytes of a filter expression */
#define FILTER_HEAD   "- rule: filter\n  desc: filter\n  condition: |4-\n"
#define FILTER_TAIL   "  output: filter\n  priority: DEBUG\n"
#define FILTER_LINE0  4 /* the expression's first line in the text */
#define FILTER_INDENT 6

/*
 * The expression as a literal block scalar with an explicit indentation, so
 * that no quoting is needed and nothing in it (quotes, '#', ': ', leading
 * blanks) can end the scalar. Control characters other than tab and
 * newline are refused: YAML does not allow them.
 */
static int filter_yaml(const char *expr, char **ret, size_t *ret_len)
{
	size_t n = strlen(expr), lines = 1, len;
	char *text, *o;

	for (size_t i = 0; i < n; i++) {
		unsigned char ch = (unsigned char)expr[i];

		if ((ch < 0x20 && ch != '\t' && ch != '\n') || ch == 0x7f)
			return -EINVAL;
		lines += ch == '\n';
	}
	len = sizeof(FILTER_HEAD) + n + lines * (FILTER_INDENT + 1) + sizeof(FILTER_TAIL);
	text = malloc(len);
	if (!text)
		return -ENOMEM;
	o = text + sprintf(text, "%s%*s", FILTER_HEAD, FILTER_INDENT, "");
	for (size_t i = 0; i < n; i++) {
		*o++ = expr[i];
		if (expr[i] == '\n')
			o += sprintf(o, "%*s", FILTER_INDENT, "");
	}
	o += sprintf(o, "\n%s", FILTER_TAIL);
	*ret = text;
	*ret_len = (size_t)(o - text);
	return 0;
}

/* The first error, its position made relative to the expression. */
static void filter_error(const struct vgl_diag *d, bool multiline, char *err, size_t errlen)
{
	for (size_t i = 0; i < d->n; i++) {
		const struct vgl_diag_entry *e = &d->v[i];

		if (e->warning)
			continue;
		if (e->line < FILTER_LINE0 || e->col <= FILTER_INDENT)
			snprintf(err, errlen, "%s", e->msg);
		else if (multiline)
			snprintf(err, errlen, "line %u, column %u: %s", e->line - FILTER_LINE0 + 1,
				 e->col - FILTER_INDENT, e->msg);
		else
			snprintf(err, errlen, "column %u: %s", e->col - FILTER_INDENT, e->msg);
		return;
	}
	snprintf(err, errlen, "not a valid condition");
}

int vgl_capfilter_compile(const char *expr, struct vgl_ruleset **ret, char *err, size_t errlen)
{
	struct vgl_rules_opts ro = { .first_match = true };
	struct vgl_diag diag;
	char *text = NULL;
	size_t len = 0;
	int r;

	if (strlen(expr) > FILTER_MAX) {
		snprintf(err, errlen, "longer than %d bytes", FILTER_MAX);
		return -EINVAL;
	}
	r = filter_yaml(expr, &text, &len);
	if (r) {
		snprintf(err, errlen, "%s",
			 r == -ENOMEM ? strerror(ENOMEM) : "holds a control character");
		return r;
	}
	vgl_diag_init(&diag);
	r = vgl_ruleset_load_text("filter", text, len, &ro, ret, &diag);
	if (r == -EINVAL)
		filter_error(&diag, strchr(expr, '\n') != NULL, err, errlen);
	else if (r)
		snprintf(err, errlen, "%s", strerror(-r));
	vgl_diag_free(&diag);
	free(text);
	return r;
}

bool vgl_capfilter_match(const struct vgl_ruleset *filter, struct vgl_match_ctx *mctx,
			 const struct vgl_event *ev, const struct vgl_field_state_ops *ops,
			 void *state)
{
	return vgl_ruleset_eval(filter, mctx, ev, ops, state, NULL, NULL) > 0;
}

/* "FILE:LINE:COL: error: capture.filter: ...", as the config file's other errors. */
static void config_error(const struct vgl_pos *pos, const char *err)
{
	struct vgl_diag d;

	vgl_diag_init(&d);
	vgl_diag_error(&d, pos, "capture.filter: %s", err);
	vgl_rules_print_diag(&d);
	vgl_diag_free(&d);
}

int vgl_capsetup_prepare(const struct vgl_run_opts *eff, const struct vgl_config *cfg,
			 struct vgl_run_capture *c)
{
	const struct vgl_capture_conf *cc = &cfg->capture;
	char err[512] = "";

	memset(c, 0, sizeof(*c));
	c->path = eff->capture_path ? eff->capture_path : cc->path;
	c->filter_src = eff->capture_filter ? eff->capture_filter : cc->filter;
	if (!c->filter_src)
		return 0;
	if (!c->path) {
		if (eff->capture_filter)
			return vgl_usage_error("--capture-filter: only with -w PATH (or "
					       "capture.path in the config file)");
		vgl_warn("%s: capture.filter without capture.path (or -w): nothing to filter",
			 cfg->file ? cfg->file : "config");
		return 0;
	}
	if (!vgl_capfilter_compile(c->filter_src, &c->filter, err, sizeof(err)))
		return 0;
	if (eff->capture_filter)
		return vgl_usage_error("--capture-filter: %s", err);
	config_error(&cc->filter_pos, err);
	return 1;
}

bool vgl_capsetup_active(const struct vgl_run_capture *c, const struct vgl_config *cfg)
{
	return c->path || cfg->capture.flight_dir;
}

void vgl_capsetup_kinds(const struct vgl_run_capture *c, const struct vgl_config *cfg,
			struct vgl_kindset *set)
{
	bool kinds[VGL_EV_MAX] = { false };

	if (!vgl_capsetup_active(c, cfg))
		return;
	/* the flight recorder keeps what led to an alert: everything */
	if (c->filter && !cfg->capture.flight_dir)
		vgl_ruleset_kinds(c->filter, kinds);
	else
		memset(kinds, 1, sizeof(kinds));
	for (int k = 1; k < VGL_EV_MAX; k++)
		set->has[k] = set->has[k] || (kinds[k] && vgl_kind_has_syscall(k));
}

static int open_writer(struct vgl_run_capture *c, const struct vgl_capture_conf *cc,
		       const struct vgl_cap_info *info)
{
	struct vgl_capwriter_opts o = {
		.path = c->path,
		.rotate_bytes = cc->rotate_size,
		.rotate_ns = (uint64_t)(cc->rotate_interval * 1e9),
		.max_files = (size_t)cc->max_files,
		.max_total_bytes = cc->max_size,
		.queue_bytes = (size_t)cc->queue_size,
	};
	char err[512] = "";
	int r;

	o.info = *info;
	r = vgl_capwriter_open(&o, &c->writer, err, sizeof(err));
	if (r) {
		vgl_err("capture: %s", err[0] ? err : strerror(-r));
		return 1;
	}
	vgl_info("capture: writing %s%s%s", vgl_capwriter_path(c->writer),
		 c->filter ? ", filter: " : "", c->filter ? c->filter_src : "");
	return 0;
}

static int open_flight(struct vgl_run_capture *c, const struct vgl_capture_conf *cc,
		       const struct vgl_cap_info *info)
{
	struct vgl_flight_opts o = {
		.dir = cc->flight_dir,
		.ring_bytes = (size_t)cc->flight_ring_size,
		.window_ns = (uint64_t)(cc->flight_window * 1e9),
		.max_duration_ns = (uint64_t)(cc->flight_max_duration * 1e9),
	};
	char err[512] = "";

	o.info = *info;
	o.info.flags |= VGL_CAP_F_FLIGHT;
	c->flight = vgl_flight_new(&o, err, sizeof(err));
	if (!c->flight) {
		vgl_err("capture.flight: %s", err[0] ? err : strerror(errno));
		return 1;
	}
	vgl_info("capture: flight recorder in %s", cc->flight_dir);
	return 0;
}

int vgl_capsetup_open(struct vgl_run_capture *c, const struct vgl_config *cfg,
		      const struct vgl_field_state_ops *ops, void *state, const char *hostname,
		      int64_t boot_to_realtime_ns)
{
	struct vgl_recorder_opts ro = { .filter = c->filter, .ops = ops, .state = state };
	struct vgl_cap_info info;

	vgl_cap_info_host(&info);
	snprintf(info.hostname, sizeof(info.hostname), "%s", hostname);
	info.boot_to_realtime_ns = boot_to_realtime_ns;
	if (c->path && open_writer(c, &cfg->capture, &info))
		return 1;
	if (cfg->capture.flight_dir && open_flight(c, &cfg->capture, &info))
		return 1;
	if (!c->writer && !c->flight)
		return 0;
	ro.writer = c->writer;
	ro.flight = c->flight;
	c->rec = vgl_recorder_new(&ro);
	if (!c->rec) {
		vgl_err("capture: %s", strerror(errno));
		return 1;
	}
	return 0;
}

void vgl_capsetup_tick(struct vgl_run_capture *c, uint64_t now_ns)
{
	if (c->writer)
		vgl_capwriter_tick(c->writer, now_ns);
}

void vgl_capsetup_counts(const struct vgl_run_capture *c, struct vgl_capture_counts *ret)
{
	memset(ret, 0, sizeof(*ret));
	ret->writing = c->writer != NULL;
	ret->flight = c->flight != NULL;
	ret->filtered = c->filter != NULL;
	if (c->writer)
		vgl_capwriter_stats(c->writer, &ret->w);
	if (c->rec)
		vgl_recorder_stats(c->rec, &ret->r);
	if (c->flight)
		vgl_flight_stats(c->flight, &ret->f);
	/* the recorder's lost are events the writer refused: in events_lost already */
	ret->lost = ret->w.events_lost + ret->f.events_lost;
}

/* The final counters: closing writes the last block. */
static void close_writer(struct vgl_run_capture *c)
{
	struct vgl_capture_counts *n = &c->last;
	int r;

	vgl_capsetup_counts(c, n);
	vgl_recorder_free(c->rec); /* the pipeline ended its last event */
	c->rec = NULL;
	r = vgl_capwriter_close(c->writer, &n->w);
	c->writer = NULL;
	if (r)
		vgl_err("capture: closing %s: %s", c->path, strerror(-r));
}

void vgl_capsetup_close(struct vgl_run_capture *c)
{
	if (!c->rec && !c->writer && !c->flight && !c->filter)
		return; /* closed already, or never opened */
	if (c->writer)
		close_writer(c);
	else
		vgl_capsetup_counts(c, &c->last);
	vgl_recorder_free(c->rec); /* the pipeline ended its last event */
	c->rec = NULL;
	if (c->flight)
		vgl_flight_free(c->flight, &c->last.f);
	c->flight = NULL;
	c->last.lost = c->last.w.events_lost + c->last.f.events_lost;
	vgl_ruleset_free(c->filter);
	c->filter = NULL;
}
