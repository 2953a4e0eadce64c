// SPDX-License-Identifier: Apache-2.0
/*
 * container.* posture fields (capabilities, user, limits, LSM profiles,
 * host namespaces) from the container view's posture (rules/state.h): the
 * kernel's view of one of the container's processes where the state tracker
 * read it, else the runtime's state files. docs/fields.md says which source
 * answers each field and when it is unknown.
 */
#include "output/names.h"
#include "rules/fields/fields.h"

enum {
	P_CAP_EFFECTIVE,
	P_CAP_ADDED,
	P_CAP_DROPPED,
	P_USER,
	P_UID,
	P_RO_ROOTFS,
	P_MEMORY,
	P_CPU,
	P_PIDS,
	P_SECCOMP,
	P_APPARMOR,
	P_SELINUX,
	P_NNP,
	P_HOST_NET,
	P_HOST_PID,
	P_HOST_IPC,
	P_USERNS,
	P_IP,
};

/* The boolean bit and the integer of each field that has one. */
static const uint32_t bits[] = {
	[P_CAP_EFFECTIVE] = VGL_PST_CAPS,
	[P_CAP_ADDED] = VGL_PST_CAPS,
	[P_CAP_DROPPED] = VGL_PST_CAPS,
	[P_UID] = VGL_PST_UID,
	[P_RO_ROOTFS] = VGL_PST_RO_ROOTFS,
	[P_MEMORY] = VGL_PST_MEMORY,
	[P_CPU] = VGL_PST_CPU,
	[P_PIDS] = VGL_PST_PIDS,
	[P_NNP] = VGL_PST_NNP,
	[P_HOST_NET] = VGL_PST_HOST_NET,
	[P_HOST_PID] = VGL_PST_HOST_PID,
	[P_HOST_IPC] = VGL_PST_HOST_IPC,
	[P_USERNS] = VGL_PST_USERNS,
};

/* A capability set as thread.cap_effective prints one ("CAP_CHOWN|CAP_KILL"), "" when empty. */
static int caps(struct vgl_xctx *x, uint64_t mask, struct vgl_fval *out)
{
	char tmp[VGL_SYMBOL_MAX];
	size_t n;

	if (!mask)
		return put_str(out, "");
	n = vgl_fmt_symbol(VGL_PT_CAPS, mask, tmp, sizeof(tmp));

	if (n >= sizeof(tmp))
		n = sizeof(tmp) - 1;
	return xctx_printf(x, out, "%.*s", (int)n, tmp);
}

static int ex_posture(struct vgl_xctx *x, const struct field_ref *ref, struct vgl_fval *out,
		      int max)
{
	const struct vgl_container_view *c = xctx_container(x);
	const struct vgl_ctr_posture *p;
	int id = (int)ref->def->id;

	(void)max;
	if (!c)
		return 0;
	p = &c->posture;
	if (id < (int)(sizeof(bits) / sizeof(bits[0])) && bits[id] && !(p->known & bits[id]))
		return 0;
	switch (id) {
	case P_CAP_EFFECTIVE:
		return caps(x, p->cap_effective, out);
	case P_CAP_ADDED:
		return caps(x, p->cap_effective & ~VGL_CAPS_RUNTIME_DEFAULT, out);
	case P_CAP_DROPPED:
		return caps(x, VGL_CAPS_RUNTIME_DEFAULT & ~p->cap_effective, out);
	case P_USER:
		return put_str(out, p->user);
	case P_UID:
		return put_int(out, p->uid);
	case P_MEMORY:
		return put_int(out, p->memory_limit);
	case P_CPU:
		return put_int(out, p->cpu_limit);
	case P_PIDS:
		return put_int(out, p->pids_limit);
	case P_SECCOMP:
		return put_str(out, p->seccomp);
	case P_APPARMOR:
		return put_str(out, p->apparmor);
	case P_SELINUX:
		return put_str(out, p->selinux);
	case P_IP:
		return put_str(out, p->ip);
	default: /* the booleans */
		return put_int(out, (p->set & bits[id]) != 0);
	}
}

#define PST(n, t, id)                          \
	{                                      \
		n, t, FF_STATE, ex_posture, id \
	}

const struct field_def vgl_fields_ctr_posture[] = {
	PST("container.cap_effective", FT_STR, P_CAP_EFFECTIVE),
	PST("container.cap_added", FT_STR, P_CAP_ADDED),
	PST("container.cap_dropped", FT_STR, P_CAP_DROPPED),
	PST("container.user", FT_STR, P_USER),
	PST("container.uid", FT_INT, P_UID),
	PST("container.readonly_rootfs", FT_BOOL, P_RO_ROOTFS),
	PST("container.memory.limit", FT_INT, P_MEMORY),
	PST("container.cpu.limit", FT_INT, P_CPU),
	PST("container.pids.limit", FT_INT, P_PIDS),
	PST("container.seccomp", FT_STR, P_SECCOMP),
	PST("container.apparmor", FT_STR, P_APPARMOR),
	PST("container.selinux", FT_STR, P_SELINUX),
	PST("container.no_new_privileges", FT_BOOL, P_NNP),
	PST("container.host_network", FT_BOOL, P_HOST_NET),
	PST("container.host_pid", FT_BOOL, P_HOST_PID),
	PST("container.host_ipc", FT_BOOL, P_HOST_IPC),
	PST("container.userns", FT_BOOL, P_USERNS),
	PST("container.ip", FT_STR, P_IP),
	{ NULL, 0, 0, NULL, 0 },
};
