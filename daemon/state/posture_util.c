// SPDX-License-Identifier: Apache-2.0
/* Capability names and the typed JSON getters the posture parsers share. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "output/names.h"
#include "state/posture_json.h"

uint64_t vgl_caps_all(void)
{
	uint64_t mask = 0;
	unsigned bit;

	for (bit = 0; bit < 64; bit++) {
		if (vgl_cap_name(bit))
			mask |= 1ull << bit;
	}
	return mask;
}

bool vgl_cap_parse(const char *name, uint64_t *ret_mask)
{
	const char *n;
	unsigned bit;

	if (!strcasecmp(name, "ALL")) {
		*ret_mask = vgl_caps_all();
		return true;
	}
	if (!strncasecmp(name, "CAP_", 4))
		name += 4;
	for (bit = 0; bit < 64; bit++) {
		n = vgl_cap_name(bit);
		if (n && !strcasecmp(n + 4, name)) {
			*ret_mask = 1ull << bit;
			return true;
		}
	}
	return false;
}

void vgl_ctr_posture_clear(struct vgl_ctr_posture *p)
{
	free((char *)p->user);
	free((char *)p->seccomp);
	free((char *)p->apparmor);
	free((char *)p->selinux);
	free((char *)p->ip);
	memset(p, 0, sizeof(*p));
}

void vgl_posture_set(struct vgl_ctr_posture *p, uint32_t bit, bool value)
{
	p->known |= bit;
	if (value)
		p->set |= bit;
	else
		p->set &= ~bit;
}

int vgl_posture_str(const char **ret, const char *s)
{
	free((char *)*ret);
	*ret = strdup(s);
	return *ret ? 0 : -ENOMEM;
}

int vgl_json_int(json_t *obj, const char *what, const char *key, int64_t *ret, bool *ret_present,
		 char err[VGL_META_ERR_MAX])
{
	json_t *v = json_object_get(obj, key);

	*ret_present = false;
	if (!v || json_is_null(v))
		return 0;
	if (!json_is_integer(v)) {
		snprintf(err, VGL_META_ERR_MAX, "%s%s%.64s is not an integer", what,
			 what[0] ? "." : "", key);
		return -EINVAL;
	}
	*ret = json_integer_value(v);
	*ret_present = true;
	return 0;
}

int vgl_json_bool(json_t *obj, const char *what, const char *key, bool *ret, bool *ret_present,
		  char err[VGL_META_ERR_MAX])
{
	json_t *v = json_object_get(obj, key);

	*ret_present = false;
	if (!v || json_is_null(v))
		return 0;
	if (!json_is_boolean(v)) {
		snprintf(err, VGL_META_ERR_MAX, "%s%s%.64s is not a boolean", what,
			 what[0] ? "." : "", key);
		return -EINVAL;
	}
	*ret = json_is_true(v);
	*ret_present = true;
	return 0;
}

int vgl_json_caps(json_t *obj, const char *what, const char *key, uint64_t *ret,
		  char err[VGL_META_ERR_MAX])
{
	json_t *arr = json_object_get(obj, key), *v;
	uint64_t bit;
	size_t i;

	if (!arr || json_is_null(arr))
		return 0;
	if (!json_is_array(arr) || json_array_size(arr) > 64) {
		snprintf(err, VGL_META_ERR_MAX, "%s%s%.64s is not an array of at most 64 names",
			 what, what[0] ? "." : "", key);
		return -EINVAL;
	}
	json_array_foreach(arr, i, v)
	{
		if (!json_is_string(v)) {
			snprintf(err, VGL_META_ERR_MAX, "%s%s%.64s[%zu] is not a string", what,
				 what[0] ? "." : "", key, i);
			return -EINVAL;
		}
		/* a name this build does not know (a newer kernel's) adds nothing */
		if (vgl_cap_parse(json_string_value(v), &bit))
			*ret |= bit;
	}
	return 0;
}
