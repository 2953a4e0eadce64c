/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Rule file arguments: each -r names a file or a directory (its *.yaml and
 * *.yml files in name order, as Falco reads rules.d). Without -r, the
 * installed rules.d, or the source tree's rules/ when running from a build
 * directory. Every command that takes -r (run, replay, rules check|list, the
 * SIGHUP reload) expands its arguments here, so they all load the same files
 * in the same order.
 */
#ifndef VIGIL_RULES_RULEFILES_H
#define VIGIL_RULES_RULEFILES_H

#include <stddef.h>

#define VGL_RULE_FILES_MAX 256

struct vgl_rule_files {
	char *path[VGL_RULE_FILES_MAX];
	size_t n;
};

/* Expand @args (files or directories); @nargs 0 means the defaults. */
int vgl_rule_files_expand(const char *const *args, size_t nargs, struct vgl_rule_files *ret,
			  char *err, size_t errlen);
void vgl_rule_files_free(struct vgl_rule_files *f);

#endif /* VIGIL_RULES_RULEFILES_H */
