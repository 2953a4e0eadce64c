// SPDX-License-Identifier: Apache-2.0
/* user.* and group.* fields: ids from the event, names from the state tracker. */
#include "rules/fields/fields.h"

enum {
	U_UID,
	U_NAME,
	U_LOGINUID,
	U_LOGINNAME,
	U_HOMEDIR,
	U_SHELL,
	G_GID,
	G_NAME,
};

static int name_of(struct vgl_xctx *x, int id, uint32_t uid, struct vgl_fval *out)
{
	const struct vgl_field_state_ops *o = x->ops;
	uint32_t pid = x->ev->hdr.pid;

	if (!o)
		return 0;
	switch (id) {
	case U_NAME:
	case U_LOGINNAME:
		return o->user_name ? put_str(out, o->user_name(x->state, uid, pid)) : 0;
	case U_HOMEDIR:
		return o->user_home ? put_str(out, o->user_home(x->state, uid, pid)) : 0;
	case U_SHELL:
		return o->user_shell ? put_str(out, o->user_shell(x->state, uid, pid)) : 0;
	default:
		return o->group_name ? put_str(out, o->group_name(x->state, uid, pid)) : 0;
	}
}

static int ex_user(struct vgl_xctx *x, const struct field_ref *ref, struct vgl_fval *out, int max)
{
	const struct vgl_hdr *h = &x->ev->hdr;
	int id = ref->def->id;

	(void)max;
	switch (id) {
	case U_UID:
		return put_int(out, h->euid);
	case U_LOGINUID:
		return put_int(out, h->loginuid == (uint32_t)-1 ? -1 : (int64_t)h->loginuid);
	case G_GID:
		return put_int(out, h->egid);
	case U_LOGINNAME:
		if (h->loginuid == (uint32_t)-1)
			return 0;
		return name_of(x, id, h->loginuid, out);
	case G_NAME:
		return name_of(x, id, h->egid, out);
	default:
		return name_of(x, id, h->euid, out);
	}
}

const struct field_def vgl_fields_user[] = {
	{ "user.uid", FT_INT, 0, ex_user, U_UID },
	{ "user.name", FT_STR, FF_STATE, ex_user, U_NAME },
	{ "user.loginuid", FT_INT, 0, ex_user, U_LOGINUID },
	{ "user.loginname", FT_STR, FF_STATE, ex_user, U_LOGINNAME },
	{ "user.homedir", FT_STR, FF_STATE, ex_user, U_HOMEDIR },
	{ "user.shell", FT_STR, FF_STATE, ex_user, U_SHELL },
	{ "group.gid", FT_INT, 0, ex_user, G_GID },
	{ "group.name", FT_STR, FF_STATE, ex_user, G_NAME },
	{ NULL, 0, 0, NULL, 0 },
};
