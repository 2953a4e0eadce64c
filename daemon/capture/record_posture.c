// SPDX-License-Identifier: Apache-2.0
/*
 * The CTR_POSTURE context record (record.h): a container view's posture
 * (struct vgl_ctr_posture: container.cap_effective, .readonly_rootfs, ...),
 * written right after the CONTAINER record of the same view, so that replay
 * answers the posture fields as live did. A capture without it (written
 * before it existed) replays them as unknown.
 *
 *	u64 cgroup_id, u32 pid, u32 known, u32 set (VGL_PST_* bits),
 *	u64 cap_effective, i64 uid memory_limit cpu_limit pids_limit,
 *	str user seccomp apparmor selinux ip
 *
 * Little-endian; str is u32 length then the bytes, 0xffffffff: NULL.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "capture/format_int.h"
#include "capture/record_int.h"

#define FIXED_LEN (8 + 4 + 4 + 4 + 8 + 4 * 8)
#define NSTR	  5

int vgl_caprec_ctr_posture(struct vgl_capbuf *b, uint64_t cgroup_id, uint32_t pid,
			   const struct vgl_ctr_posture *p)
{
	vgl_capbuf_reset(b);
	if (!p->known && !p->user && !p->seccomp && !p->apparmor && !p->selinux && !p->ip)
		return -EINVAL; /* nothing known: no record */
	caprec_put_u64(b, cgroup_id);
	caprec_put_u32(b, pid);
	caprec_put_u32(b, p->known);
	caprec_put_u32(b, p->set);
	caprec_put_u64(b, p->cap_effective);
	caprec_put_u64(b, (uint64_t)p->uid);
	caprec_put_u64(b, (uint64_t)p->memory_limit);
	caprec_put_u64(b, (uint64_t)p->cpu_limit);
	caprec_put_u64(b, (uint64_t)p->pids_limit);
	caprec_put_str(b, p->user);
	caprec_put_str(b, p->seccomp);
	caprec_put_str(b, p->apparmor);
	caprec_put_str(b, p->selinux);
	caprec_put_str(b, p->ip);
	return b->err;
}

/* The strings' lengths (VGL_CAPREC_NULL: NULL); false when they overrun @len or hold a NUL. */
static bool str_lens(const uint8_t *p, size_t len, uint32_t lens[NSTR], size_t *ret_total)
{
	size_t off = FIXED_LEN, total = 0, i;

	for (i = 0; i < NSTR; i++) {
		if (len - off < 4)
			return false;
		lens[i] = vgl_le32_get(p + off);
		off += 4;
		if (lens[i] == VGL_CAPREC_NULL)
			continue;
		if (lens[i] > len - off || memchr(p + off, '\0', lens[i]))
			return false;
		off += lens[i];
		total += lens[i] + 1;
	}
	*ret_total = total;
	return off == len;
}

int vgl_caprec_decode_ctr_posture(const void *data, size_t len, uint64_t *ret_cg, uint32_t *ret_pid,
				  struct vgl_ctr_posture *ret, void **ret_mem)
{
	const char **strs[NSTR];
	const uint8_t *p = data;
	struct vgl_ctr_posture t = { 0 };
	uint32_t lens[NSTR];
	size_t total, off = FIXED_LEN, i;
	char *mem, *w;

	if (!p || len < FIXED_LEN || !str_lens(p, len, lens, &total))
		return -EINVAL;
	t.known = vgl_le32_get(p + 12);
	t.set = vgl_le32_get(p + 16);
	if ((t.known | t.set) & ~(uint32_t)VGL_PST_ALL || t.set & ~t.known)
		return -EINVAL;
	t.cap_effective = vgl_le64_get(p + 20);
	t.uid = (int64_t)vgl_le64_get(p + 28);
	t.memory_limit = (int64_t)vgl_le64_get(p + 36);
	t.cpu_limit = (int64_t)vgl_le64_get(p + 44);
	t.pids_limit = (int64_t)vgl_le64_get(p + 52);
	mem = w = malloc(total ? total : 1);
	if (!mem)
		return -ENOMEM;
	strs[0] = &t.user;
	strs[1] = &t.seccomp;
	strs[2] = &t.apparmor;
	strs[3] = &t.selinux;
	strs[4] = &t.ip;
	for (i = 0; i < NSTR; i++) {
		off += 4;
		if (lens[i] == VGL_CAPREC_NULL)
			continue;
		memcpy(w, p + off, lens[i]);
		w[lens[i]] = '\0';
		*strs[i] = w;
		w += lens[i] + 1;
		off += lens[i];
	}
	*ret_cg = vgl_le64_get(p);
	*ret_pid = vgl_le32_get(p + 8);
	*ret = t;
	*ret_mem = mem;
	return 0;
}
