/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Credential changes: the requested ids (arguments), the caller's ids
 * before the call (kept at sys_enter), and in the header the ids after it.
 */

enum {
	VGL_ID_UID,
	VGL_ID_EUID,
	VGL_ID_SUID,
	VGL_ID_FSUID,
	VGL_ID_GID,
	VGL_ID_EGID,
	VGL_ID_SGID,
	VGL_ID_FSGID
};

static __always_inline void vgl_put_old_id(struct vgl_builder *b, struct vgl_enter_stash *st,
					   int which)
{
	if (st)
		vgl_put_u64(b, st->ids[which & 7]);
	else
		vgl_put_failed(b);
}

#define PUT_OLD(which) vgl_put_old_id(&b, st, which)
#define VGL_CRED_BEGIN(kind, n)                   \
	struct vgl_enter_stash *st = vgl_stash(); \
	VGL_BEGIN(kind, n)
#define VGL_CRED_END()            \
	vgl_submit(&b);           \
	if (st)                   \
		vgl_stash_drop(); \
	return 0

VGL_EXIT_PROG(setuid)
{
	VGL_CRED_BEGIN(VGL_EV_SETUID, 5);
	PUT_U32(0);
	PUT_OLD(VGL_ID_UID);
	PUT_OLD(VGL_ID_EUID);
	vgl_put_cred_caps(&b);
	VGL_CRED_END();
}

VGL_EXIT_PROG(setreuid)
{
	VGL_CRED_BEGIN(VGL_EV_SETREUID, 6);
	PUT_U32(0);
	PUT_U32(1);
	PUT_OLD(VGL_ID_UID);
	PUT_OLD(VGL_ID_EUID);
	vgl_put_cred_caps(&b);
	VGL_CRED_END();
}

VGL_EXIT_PROG(setresuid)
{
	VGL_CRED_BEGIN(VGL_EV_SETRESUID, 8);
	PUT_U32(0);
	PUT_U32(1);
	PUT_U32(2);
	PUT_OLD(VGL_ID_UID);
	PUT_OLD(VGL_ID_EUID);
	PUT_OLD(VGL_ID_SUID);
	vgl_put_cred_caps(&b);
	VGL_CRED_END();
}

VGL_EXIT_PROG(setfsuid)
{
	VGL_CRED_BEGIN(VGL_EV_SETFSUID, 4);
	PUT_U32(0);
	PUT_OLD(VGL_ID_FSUID);
	vgl_put_cred_caps(&b);
	VGL_CRED_END();
}

VGL_EXIT_PROG(setgid)
{
	VGL_CRED_BEGIN(VGL_EV_SETGID, 3);
	PUT_U32(0);
	PUT_OLD(VGL_ID_GID);
	PUT_OLD(VGL_ID_EGID);
	VGL_CRED_END();
}

VGL_EXIT_PROG(setregid)
{
	VGL_CRED_BEGIN(VGL_EV_SETREGID, 4);
	PUT_U32(0);
	PUT_U32(1);
	PUT_OLD(VGL_ID_GID);
	PUT_OLD(VGL_ID_EGID);
	VGL_CRED_END();
}

VGL_EXIT_PROG(setresgid)
{
	VGL_CRED_BEGIN(VGL_EV_SETRESGID, 6);
	PUT_U32(0);
	PUT_U32(1);
	PUT_U32(2);
	PUT_OLD(VGL_ID_GID);
	PUT_OLD(VGL_ID_EGID);
	PUT_OLD(VGL_ID_SGID);
	VGL_CRED_END();
}

VGL_EXIT_PROG(setfsgid)
{
	VGL_CRED_BEGIN(VGL_EV_SETFSGID, 2);
	PUT_U32(0);
	PUT_OLD(VGL_ID_FSGID);
	VGL_CRED_END();
}

/* capset(hdr, data): data is two __user_cap_data_struct for 64-bit caps. */
VGL_EXIT_PROG(capset)
{
	struct __user_cap_data_struct d[2] = {};
	bool have = !bpf_probe_read_user(&d, sizeof(d), ARG_PTR(1));

	VGL_CRED_BEGIN(VGL_EV_CAPSET, 6);
	if (have) {
		vgl_put_u64(&b, d[0].effective | ((__u64)d[1].effective << 32));
		vgl_put_u64(&b, d[0].permitted | ((__u64)d[1].permitted << 32));
		vgl_put_u64(&b, d[0].inheritable | ((__u64)d[1].inheritable << 32));
	} else {
		vgl_put_failed(&b);
		vgl_put_failed(&b);
		vgl_put_failed(&b);
	}
	for (int i = 0; i < 3; i++) {
		if (st)
			vgl_put_u64(&b, st->caps[i]);
		else
			vgl_put_failed(&b);
	}
	VGL_CRED_END();
}
