/* SPDX-License-Identifier: Apache-2.0 */
/*
 * What the prefilter's differential tests share (test_rules_prefilter*.c):
 * the rule sets they derive a filter from, and the matcher's verdict on an
 * event on the host or in a container.
 */
#ifndef VIGIL_TEST_PREFILTER_UTIL_H
#define VIGIL_TEST_PREFILTER_UTIL_H

#include <errno.h>
#include <unistd.h>

#include "rules/compile/compile.h"
#include "rules/prefilter.h"
#include "test_rules_util.h"
#include "testutil.h"

#define PFU_PATH 1024

/* vigil's default rule files (4) and Falco's three stock files. */
struct pfu_files {
	char paths[4][PFU_PATH];
	const char *files[4];
	size_t n;
};

static inline void pfu_default_files(struct pfu_files *f)
{
	static const char *const names[] = { "vigil_rules.yaml", "vigil_rules_container.yaml",
					     "vigil_rules_daemon.yaml",
					     "vigil_rules_posture.yaml" };

	for (size_t i = 0; i < 4; i++) {
		char rel[128];

		snprintf(rel, sizeof(rel), "rules/%s", names[i]);
		tu_source_path(f->paths[i], sizeof(f->paths[i]), rel);
		f->files[i] = f->paths[i];
	}
	f->n = 4;
}

/* Skipped outside CI when ../shared is not there. */
static inline void pfu_stock_files(struct pfu_files *f)
{
	static const char *const names[] = { "falco_rules.yaml", "falco-incubating_rules.yaml",
					     "falco-sandbox_rules.yaml" };

	for (size_t i = 0; i < 3; i++) {
		char rel[128];

		snprintf(rel, sizeof(rel), "../shared/compat/falco/%s", names[i]);
		tu_source_path(f->paths[i], sizeof(f->paths[i]), rel);
		f->files[i] = f->paths[i];
		if (access(f->paths[i], R_OK))
			tu_skip_or_fail("Falco stock rule file %s: %s", f->paths[i],
					strerror(errno));
	}
	f->n = 3;
}

/* The first @n files of @files, loaded (the diagnostics printed on failure). */
static inline struct vgl_ruleset *pfu_load(const char *const *files, size_t n)
{
	struct vgl_ruleset *rs = NULL;
	struct vgl_diag d;

	vgl_diag_init(&d);
	if (vgl_ruleset_load(files, n, NULL, &rs, &d))
		diag_dump(&d);
	vgl_diag_free(&d);
	assert_non_null(rs);
	return rs;
}

static inline const struct vgl_container_view *pfu_in_container(void *state, uint64_t cgroup_id,
								uint32_t pid)
{
	static const struct vgl_container_view v = { .id = "0123456789ab",
						     .name = "web",
						     .image = "busybox" };

	(void)state, (void)cgroup_id, (void)pid;
	return &v;
}

/* The name of a rule that matches @ev on the host or in a container, or NULL. */
static inline const char *pfu_matches(const struct vgl_ruleset *rs, struct vgl_match_ctx *ctx,
				      const struct vgl_event *ev)
{
	static const struct vgl_field_state_ops in_ctr = { .container = pfu_in_container };
	static struct hits h;

	h.n = 0;
	vgl_ruleset_eval(rs, ctx, ev, NULL, NULL, hits_cb, &h);
	if (!h.n)
		vgl_ruleset_eval(rs, ctx, ev, &in_ctr, NULL, hits_cb, &h);
	return h.n ? h.names[0] : NULL;
}

#endif /* VIGIL_TEST_PREFILTER_UTIL_H */
