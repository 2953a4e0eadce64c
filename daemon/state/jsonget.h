/* SPDX-License-Identifier: Apache-2.0 */
/* Typed, bounded getters over jansson values for the runtime state parsers. */
#ifndef VIGIL_STATE_JSONGET_H
#define VIGIL_STATE_JSONGET_H

#include <jansson.h>

#include "state/meta.h"

/* Parse @len bytes of JSON that must be an object; NULL and @err on failure. */
json_t *vgl_json_load_object(const char *text, size_t len, char err[VGL_META_ERR_MAX]);

/*
 * Member @key of @obj as an owned string in *@ret (NULL when absent or
 * null). -EINVAL and @err ("<what>.<key> is not a string") on a wrong type or
 * a string longer than VGL_META_STR_MAX; -ENOMEM.
 */
int vgl_json_str(json_t *obj, const char *what, const char *key, char **ret,
		 char err[VGL_META_ERR_MAX]);

/* Borrowed string member, NULL when absent; -EINVAL on a wrong type. */
int vgl_json_cstr(json_t *obj, const char *what, const char *key, const char **ret,
		  char err[VGL_META_ERR_MAX]);

/* Member @key that must be an object (or absent: *@ret NULL). */
int vgl_json_obj(json_t *obj, const char *what, const char *key, json_t **ret,
		 char err[VGL_META_ERR_MAX]);

/* String -> string object @labels appended to m->labels (bounded). */
int vgl_json_labels(json_t *labels, const char *what, struct vgl_ctr_meta *m,
		    char err[VGL_META_ERR_MAX]);

#endif /* VIGIL_STATE_JSONGET_H */
