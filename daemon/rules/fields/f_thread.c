// SPDX-License-Identifier: Apache-2.0
/* thread.* fields: thread id and capability sets. */
#include "output/names.h"
#include "rules/fields/fields.h"

enum {
	T_TID,
	T_VTID,
	T_CAP_PERMITTED,
	T_CAP_EFFECTIVE,
	T_CAP_INHERITABLE,
};

static int caps(struct vgl_xctx *x, uint64_t mask, struct vgl_fval *out)
{
	char tmp[VGL_SYMBOL_MAX];
	size_t n = vgl_fmt_symbol(VGL_PT_CAPS, mask, tmp, sizeof(tmp));

	if (n >= sizeof(tmp))
		n = sizeof(tmp) - 1;
	return xctx_printf(x, out, "%.*s", (int)n, tmp);
}

static int ex_thread(struct vgl_xctx *x, const struct field_ref *ref, struct vgl_fval *out, int max)
{
	const struct vgl_proc_view *v;

	(void)max;
	if (ref->def->id == T_TID)
		return put_int(out, x->ev->hdr.tid);
	v = xctx_proc(x);
	if (!v || (ref->def->id != T_VTID && !v->caps_known))
		return 0;
	switch (ref->def->id) {
	case T_CAP_PERMITTED:
		return caps(x, v->cap_permitted, out);
	case T_CAP_EFFECTIVE:
		return caps(x, v->cap_effective, out);
	case T_CAP_INHERITABLE:
		return caps(x, v->cap_inheritable, out);
	default:
		return 0;
	}
}

const struct field_def vgl_fields_thread[] = {
	{ "thread.tid", FT_INT, 0, ex_thread, T_TID },
	{ "thread.vtid", FT_INT, FF_STATE, ex_thread, T_VTID },
	{ "thread.cap_permitted", FT_STR, FF_STATE, ex_thread, T_CAP_PERMITTED },
	{ "thread.cap_effective", FT_STR, FF_STATE, ex_thread, T_CAP_EFFECTIVE },
	{ "thread.cap_inheritable", FT_STR, FF_STATE, ex_thread, T_CAP_INHERITABLE },
	{ NULL, 0, 0, NULL, 0 },
};
