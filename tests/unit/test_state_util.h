/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Test helper: a pipeline with rules and a state tracker, fed hand-made
 * openat records, whose alert lines the tests read back as a user sees them.
 *
 *	struct trun r;
 *	trun_start(&r, &state_opts, RULES_YAML);
 *	trun_open(&r, pid, cgroup_id, "/path");
 *	assert_string_equal(trun_alerts(&r), "first alert|second alert");
 *	trun_stop(&r);
 */
#ifndef VIGIL_TESTS_TEST_STATE_UTIL_H
#define VIGIL_TESTS_TEST_STATE_UTIL_H

#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "run/pipeline.h"
#include "test_record.h"
#include "test_rules_util.h"
#include "testutil.h"

struct trun {
	struct vgl_pipeline p;
	char *text;
	size_t len;
	FILE *out;
};

/* The pipeline's alerts as text lines, at once (no output stage: no threads). */
static inline void trun_on_alert(void *ctx, const struct vgl_alert *a)
{
	struct trun *r = ctx;
	char line[4096];

	fwrite(line, 1, vgl_alert_line(a, VGL_ALERT_TEXT, line, sizeof(line)), r->out);
}

/* trun_start() with a rule set already loaded (the pipeline takes it). */
static inline void trun_start_rs(struct trun *r, const struct vgl_state_opts *o,
				 struct vgl_ruleset *rs)
{
	struct vgl_kindset none = { 0 };
	int err;

	r->out = open_memstream(&r->text, &r->len);
	assert_int_equal(vgl_pipeline_init(&r->p, &none, VGL_FMT_HUMAN, r->out), 0);
	r->p.on_alert = trun_on_alert;
	r->p.on_alert_ctx = r;
	r->p.state = vgl_state_new(o);
	assert_non_null(r->p.state);
	vgl_pipeline_set_state_ops(&r->p, vgl_state_ops(), r->p.state);
	assert_null(vgl_pipeline_set_rules(&r->p, rs, &err));
	assert_int_equal(err, 0);
}

/*
 * Falco's stock rule file @name (falco_rules.yaml, ...) from ../shared beside
 * the source tree; a missing file skips, or fails under CI=true.
 */
static inline struct vgl_ruleset *trun_load_stock(const char *name, bool first_match)
{
	struct vgl_rules_opts o = { .first_match = first_match };
	struct vgl_ruleset *rs = NULL;
	char path[4096];
	const char *f[1] = { path };
	struct vgl_diag d;

	snprintf(path, sizeof(path), "%s/../shared/compat/falco/%s",
		 getenv("VIGIL_SOURCE_DIR") ?: ".", name);
	if (access(path, R_OK))
		tu_skip_or_fail("Falco stock rule file %s: %s (the compatibility target "
				"../shared/compat/falco is missing)",
				path, strerror(errno));
	vgl_diag_init(&d);
	if (vgl_ruleset_load(f, 1, &o, &rs, &d))
		diag_dump(&d);
	assert_int_equal(d.nerrors, 0);
	vgl_diag_free(&d);
	assert_non_null(rs);
	return rs;
}

static inline void trun_start(struct trun *r, const struct vgl_state_opts *o, const char *rules)
{
	trun_start_rs(r, o, rules_from(rules));
}

static inline void trun_stop(struct trun *r)
{
	vgl_state_free(r->p.state);
	vgl_pipeline_fini(&r->p);
	fclose(r->out);
	free(r->text);
}

/* An openat of @path by @pid in cgroup @cgid. */
static inline void trun_open(struct trun *r, uint32_t pid, uint64_t cgid, const char *path)
{
	struct trec *t = trec_new(VGL_EV_OPENAT);

	t->hdr.pid = t->hdr.tid = pid;
	t->hdr.cgroup_id = cgid;
	t->hdr.res = 3;
	trec_s64(t, -100);
	trec_str(t, path);
	trec_str(t, path);
	trec_u64(t, 0);
	trec_u64(t, 0);
	trec_finish(t);
	vgl_pipeline_record(&r->p, t->rec, t->size);
	free(t);
}

/* The outputs of the alerts printed so far, "|"-joined (time and priority cut). */
static inline const char *trun_alerts(struct trun *r)
{
	static char buf[16384];
	const char *p, *nl;
	size_t n = 0;

	fflush(r->out);
	buf[0] = '\0';
	for (p = r->text; p && (p = strstr(p, "Notice ")); p = nl) {
		nl = strchr(p, '\n');
		n += (size_t)snprintf(buf + n, sizeof(buf) - n, "%s%.*s", n ? "|" : "",
				      (int)((nl ? nl : p + strlen(p)) - p - 7), p + 7);
		if (!nl || n >= sizeof(buf))
			break;
	}
	return buf;
}

#endif /* VIGIL_TESTS_TEST_STATE_UTIL_H */
