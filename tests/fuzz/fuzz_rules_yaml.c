// SPDX-License-Identifier: Apache-2.0
/*
 * libFuzzer target for the whole loader: YAML text -> items -> expansion ->
 * compilation -> the prefilter derived from it. Any input must load or fail
 * cleanly.
 */
#include <stddef.h>
#include <stdint.h>

#include "rules/prefilter.h"
#include "rules/rules.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct vgl_rules_opts o = { .max_items = 200, .max_list_items = 256 };
	struct vgl_ruleset *rs = NULL;
	struct vgl_diag d;

	if (size > 65536)
		return 0;
	vgl_diag_init(&d);
	if (!vgl_ruleset_load_text("fuzz.yaml", (const char *)data, size, &o, &rs, &d)) {
		struct vgl_match_ctx *ctx = vgl_match_ctx_new(rs);
		const struct vgl_ruleset *sets[1] = { rs };
		struct vgl_prefilter *pf = NULL;

		if (!vgl_prefilter_derive(sets, 1, NULL, NULL, &pf))
			vgl_prefilter_free(pf);
		vgl_match_ctx_free(ctx);
		vgl_ruleset_free(rs);
	}
	vgl_diag_free(&d);
	return 0;
}
