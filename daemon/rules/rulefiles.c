// SPDX-License-Identifier: Apache-2.0
/* Rule path arguments -> rule files, the same for run, replay, reload and `rules`. */
#include <dirent.h>
#include <stdbool.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "rules/rulefiles.h"

static int add_path(struct vgl_rule_files *f, const char *path, char *err, size_t errlen)
{
	if (f->n >= VGL_RULE_FILES_MAX) {
		snprintf(err, errlen, "more than %d rule files", VGL_RULE_FILES_MAX);
		return -E2BIG;
	}
	f->path[f->n] = strdup(path);
	if (!f->path[f->n])
		return -ENOMEM;
	f->n++;
	return 0;
}

static bool has_suffix(const char *s, size_t len, const char *suffix)
{
	size_t n = strlen(suffix);

	return len > n && strcmp(s + len - n, suffix) == 0;
}

static int yaml_filter(const struct dirent *d)
{
	size_t len = strlen(d->d_name);

	return d->d_name[0] != '.' &&
	       (has_suffix(d->d_name, len, ".yaml") || has_suffix(d->d_name, len, ".yml"));
}

static int add_dir(struct vgl_rule_files *f, const char *dir, char *err, size_t errlen)
{
	struct dirent **names;
	char path[4096];
	int n = scandir(dir, &names, yaml_filter, alphasort);
	size_t dlen = strlen(dir);
	int ret = 0;

	if (n < 0) {
		snprintf(err, errlen, "rules directory %s: %s", dir, strerror(errno));
		return -errno;
	}
	/* "rules/" names its files "rules/a.yaml", as the shell would */
	while (dlen > 1 && dir[dlen - 1] == '/')
		dlen--;
	for (int i = 0; i < n; i++) {
		int len = snprintf(path, sizeof(path), "%.*s/%s", (int)dlen, dir, names[i]->d_name);

		if (!ret && (len < 0 || (size_t)len >= sizeof(path))) {
			snprintf(err, errlen, "rules directory %s: path too long", dir);
			ret = -ENAMETOOLONG;
		}
		if (!ret)
			ret = add_path(f, path, err, errlen);
		free(names[i]);
	}
	free(names);
	return ret;
}

static int add_arg(struct vgl_rule_files *f, const char *arg, char *err, size_t errlen)
{
	struct stat st;

	if (stat(arg, &st)) {
		snprintf(err, errlen, "rules %s: %s", arg, strerror(errno));
		return -errno;
	}
	if (S_ISDIR(st.st_mode))
		return add_dir(f, arg, err, errlen);
	return add_path(f, arg, err, errlen);
}

static const char *default_dir(void)
{
	struct stat st;

	if (stat(VIGIL_RULES_DIR, &st) == 0 && S_ISDIR(st.st_mode))
		return VIGIL_RULES_DIR;
	return VIGIL_SOURCE_RULES_DIR;
}

int vgl_rule_files_expand(const char *const *args, size_t nargs, struct vgl_rule_files *ret,
			  char *err, size_t errlen)
{
	const char *dflt = default_dir();
	int rc = 0;

	memset(ret, 0, sizeof(*ret));
	if (nargs == 0)
		rc = add_arg(ret, dflt, err, errlen);
	for (size_t i = 0; i < nargs && !rc; i++)
		rc = add_arg(ret, args[i], err, errlen);
	if (!rc && ret->n == 0) {
		snprintf(err, errlen, "no rule files (*.yaml, *.yml) in %s",
			 nargs ? args[0] : dflt);
		rc = -ENOENT;
	}
	if (rc)
		vgl_rule_files_free(ret);
	return rc;
}

void vgl_rule_files_free(struct vgl_rule_files *f)
{
	for (size_t i = 0; i < f->n; i++)
		free(f->path[i]);
	f->n = 0;
}
