// SPDX-License-Identifier: Apache-2.0
/*
 * The prefilter's verdict in userspace, as the BPF side gives it
 * (bpf/prefilter.h): the reference its tests compare the matcher with.
 */
#define _GNU_SOURCE /* memmem */
#include <fcntl.h>
#include <string.h>

#include "rules/prefilter.h"

bool vgl_pf_mask_has(const struct vgl_pf_mask *m, unsigned int cls)
{
	return cls < 128 && (m->w[cls / 64] >> (cls % 64)) & 1;
}

unsigned int vgl_pf_open_class(uint64_t flags, uint64_t mode, int64_t res, const char *name)
{
	unsigned int c = vgl_pf_class(flags, mode, res, O_DIRECTORY);

	if (name && strstr(name, "../"))
		c |= VGL_PFC_DOTDOT;
	return c;
}

static bool entry_matches(const struct vgl_pf_entry *e, const char *path, size_t len)
{
	size_t n = strlen(e->s);

	switch (e->type) {
	case VGL_PF_EXACT:
	case VGL_PF_NAME_EXACT:
		return n == len && !memcmp(e->s, path, n);
	case VGL_PF_PREFIX:
	case VGL_PF_NAME_PREFIX:
		return n <= len && !memcmp(e->s, path, n);
	case VGL_PF_SUFFIX:
		return n <= len && !memcmp(e->s, path + len - n, n);
	case VGL_PF_DIR: /* the path up to its last "/" */
		return n && n <= len && e->s[n - 1] == '/' && !memchr(path + n, '/', len - n) &&
		       !memcmp(e->s, path, n);
	default:
		return false;
	}
}

/* Whether @g lets class @cls with key byte @byte be looked up. */
static bool gate_open(const struct vgl_pf_gate *g, unsigned int cls, unsigned char byte)
{
	return cls < 128 && ((g->cls[cls / 64] >> (cls % 64)) & 1) &&
	       ((g->bytes[byte / 64] >> (byte % 64)) & 1);
}

/* Whether process @comm passes class @cls whatever the path. */
static bool comm_passes(const struct vgl_pf_kind *pk, const char *comm, unsigned int cls)
{
	if (!comm || !gate_open(&pk->gate[VGL_PF_GATE_COMM], cls, (unsigned char)comm[0]))
		return false;
	for (size_t i = 0; i < pk->ncomm; i++)
		if (!strncmp(pk->comm[i].comm, comm, VGL_COMM_LEN))
			return vgl_pf_mask_has(&pk->comm[i].mask, cls);
	return false;
}

/* Whether path @path (@len bytes) holds a substring of @pk passing class @cls. */
static bool subs_pass(const struct vgl_pf_kind *pk, const char *path, size_t len, unsigned int cls)
{
	for (size_t i = 0; i < pk->nsub; i++)
		if (vgl_pf_mask_has(&pk->sub[i].mask, cls) &&
		    (len >= VGL_PF_PATH || memmem(path, len, pk->sub[i].s, strlen(pk->sub[i].s))))
			return true; /* a path too long to scan passes */
	return false;
}

bool vgl_prefilter_pass(const struct vgl_prefilter *pf, enum vgl_kind k, const char *path,
			const char *name, unsigned int cls, const char *comm)
{
	const struct vgl_pf_kind *pk;
	bool open[VGL_PF_NGATES];
	size_t len;

	if ((unsigned int)k >= VGL_EV_MAX || !pf->k[k].filtered)
		return true;
	pk = &pf->k[k];
	if (vgl_pf_mask_has(&pk->any, cls) || comm_passes(pk, comm, cls))
		return true;
	if (!vgl_pf_kind_has_paths(k))
		return false; /* connect, socket: their class and process alone */
	if (!path || path[0] != '/' || !name || !name[0])
		return true; /* the kernel cannot judge it either */
	len = strlen(path);
	open[VGL_PF_GATE_FWD] = gate_open(&pk->gate[VGL_PF_GATE_FWD], cls, (unsigned char)path[1]);
	open[VGL_PF_GATE_NAME] =
		gate_open(&pk->gate[VGL_PF_GATE_NAME], cls, (unsigned char)name[1]);
	open[VGL_PF_GATE_REV] =
		gate_open(&pk->gate[VGL_PF_GATE_REV], cls, (unsigned char)path[len - 1]);
	open[VGL_PF_GATE_DIR] =
		gate_open(&pk->gate[VGL_PF_GATE_DIR], cls,
			  (unsigned char)(strrchr(path, '/') == path ? 0 : path[1]));
	/* a path too long for the kernel to cut passes where a directory could */
	if (len >= VGL_PF_PATH && cls < 128 &&
	    (pk->gate[VGL_PF_GATE_DIR].cls[cls / 64] >> (cls % 64)) & 1)
		return true;
	for (size_t i = 0; i < pk->n; i++) {
		enum vgl_pf_atom t = pk->e[i].type;
		bool by_name = t >= VGL_PF_NAME_EXACT;
		int gate = t == VGL_PF_SUFFIX ? VGL_PF_GATE_REV
			   : t == VGL_PF_DIR  ? VGL_PF_GATE_DIR
			   : by_name	      ? VGL_PF_GATE_NAME
					      : VGL_PF_GATE_FWD;

		if (open[gate] && vgl_pf_mask_has(&pk->e[i].mask, cls) &&
		    entry_matches(&pk->e[i], by_name ? name : path, by_name ? strlen(name) : len))
			return true;
	}
	return subs_pass(pk, path, len, cls);
}
