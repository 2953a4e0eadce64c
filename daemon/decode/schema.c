// SPDX-License-Identifier: Apache-2.0
/*
 * The event table, expanded from VGL_EVENTS in include/vigil/events.h: one
 * entry per event kind with its name and its parameters in wire order.
 */
#include <string.h>

#include "decode/event.h"

/* Parameter lists expand to initializers with commas: pass them on as __VA_ARGS__. */
#define VGL_P_INFO(type, pname) { VGL_PT_##type, pname },
#define VGL_PARAMS(...)		((const struct vgl_param_info[]){ __VA_ARGS__ })
#define VGL_NPARAMS(...)	(sizeof(VGL_PARAMS(__VA_ARGS__)) / sizeof(struct vgl_param_info))

#define VGL_E_INFO(kind, kname, plist)                     \
	[VGL_EV_##kind] = { .name = kname,                 \
			    .nparams = VGL_NPARAMS(plist), \
			    .params = VGL_PARAMS(plist) },

const struct vgl_kind_info vgl_kind_info[VGL_EV_MAX] = { VGL_EVENTS(VGL_E_INFO, VGL_P_INFO) };

/* Every record must fit struct vgl_event: check each kind at build time. */
#define VGL_E_CHECK(kind, kname, plist) \
	_Static_assert(VGL_NPARAMS(plist) <= VGL_MAX_PARAMS, kname ": too many parameters");
VGL_EVENTS(VGL_E_CHECK, VGL_P_INFO)

enum vgl_kind vgl_kind_by_name(const char *name)
{
	if (!name)
		return VGL_EV_UNKNOWN;
	for (unsigned int k = VGL_EV_UNKNOWN + 1; k < VGL_EV_MAX; k++) {
		if (!strcmp(vgl_kind_info[k].name, name))
			return (enum vgl_kind)k;
	}
	return VGL_EV_UNKNOWN;
}

int vgl_param_index(enum vgl_kind kind, const char *name)
{
	const struct vgl_kind_info *info;

	if (kind <= VGL_EV_UNKNOWN || kind >= VGL_EV_MAX || !name)
		return -1;
	info = &vgl_kind_info[kind];
	for (unsigned int i = 0; i < info->nparams; i++) {
		if (!strcmp(info->params[i].name, name))
			return (int)i;
	}
	return -1;
}
