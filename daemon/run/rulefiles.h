/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Rule file arguments: each -r names a file or a directory (its *.yaml files
 * in name order, as Falco reads rules.d). Without -r, the installed
 * rules.d, or the source tree's rules/ when running from a build directory.
 */
#ifndef VIGIL_RUN_RULEFILES_H
#define VIGIL_RUN_RULEFILES_H

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

#endif /* VIGIL_RUN_RULEFILES_H */
