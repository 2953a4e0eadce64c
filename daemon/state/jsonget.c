// SPDX-License-Identifier: Apache-2.0
/* Typed, bounded getters over jansson values for the runtime state parsers. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "state/jsonget.h"

json_t *vgl_json_load_object(const char *text, size_t len, char err[VGL_META_ERR_MAX])
{
	json_error_t jerr;
	json_t *root = json_loadb(text, len, JSON_REJECT_DUPLICATES, &jerr);

	if (!root) {
		snprintf(err, VGL_META_ERR_MAX, "line %d column %d: %.120s", jerr.line, jerr.column,
			 jerr.text);
		return NULL;
	}
	if (!json_is_object(root)) {
		snprintf(err, VGL_META_ERR_MAX, "top level is not an object");
		json_decref(root);
		return NULL;
	}
	return root;
}

int vgl_json_cstr(json_t *obj, const char *what, const char *key, const char **ret,
		  char err[VGL_META_ERR_MAX])
{
	json_t *v = obj ? json_object_get(obj, key) : NULL;

	*ret = NULL;
	if (!v || json_is_null(v))
		return 0;
	if (!json_is_string(v)) {
		snprintf(err, VGL_META_ERR_MAX, "%s%s%s is not a string", what, *what ? "." : "",
			 key);
		return -EINVAL;
	}
	if (json_string_length(v) > VGL_META_STR_MAX ||
	    strlen(json_string_value(v)) != json_string_length(v)) {
		snprintf(err, VGL_META_ERR_MAX, "%s%s%s is too long or holds NUL", what,
			 *what ? "." : "", key);
		return -EINVAL;
	}
	*ret = json_string_value(v);
	return 0;
}

int vgl_json_str(json_t *obj, const char *what, const char *key, char **ret,
		 char err[VGL_META_ERR_MAX])
{
	const char *s;
	int rc = vgl_json_cstr(obj, what, key, &s, err);

	*ret = NULL;
	if (rc || !s)
		return rc;
	*ret = strdup(s);
	return *ret ? 0 : -ENOMEM;
}

int vgl_json_obj(json_t *obj, const char *what, const char *key, json_t **ret,
		 char err[VGL_META_ERR_MAX])
{
	json_t *v = obj ? json_object_get(obj, key) : NULL;

	*ret = NULL;
	if (!v || json_is_null(v))
		return 0;
	if (!json_is_object(v)) {
		snprintf(err, VGL_META_ERR_MAX, "%s%s%s is not an object", what, *what ? "." : "",
			 key);
		return -EINVAL;
	}
	*ret = v;
	return 0;
}

int vgl_json_labels(json_t *labels, const char *what, struct vgl_ctr_meta *m,
		    char err[VGL_META_ERR_MAX])
{
	const char *key, *val;
	json_t *v;
	int rc;

	if (!labels)
		return 0;
	if (json_object_size(labels) > VGL_META_LABELS_MAX) {
		snprintf(err, VGL_META_ERR_MAX, "%s has more than %u labels", what,
			 VGL_META_LABELS_MAX);
		return -EINVAL;
	}
	m->labels = calloc(json_object_size(labels) + 1, sizeof(*m->labels));
	if (!m->labels)
		return -ENOMEM;
	json_object_foreach(labels, key, v)
	{
		if ((rc = vgl_json_cstr(labels, what, key, &val, err)))
			return rc;
		if (strlen(key) > VGL_META_STR_MAX) {
			snprintf(err, VGL_META_ERR_MAX, "%s has a key too long", what);
			return -EINVAL;
		}
		m->labels[m->nlabels].key = strdup(key);
		m->labels[m->nlabels].value = strdup(val ? val : "");
		if (!m->labels[m->nlabels].key || !m->labels[m->nlabels].value) {
			free(m->labels[m->nlabels].key);
			free(m->labels[m->nlabels].value);
			return -ENOMEM;
		}
		m->nlabels++;
	}
	return 0;
}
