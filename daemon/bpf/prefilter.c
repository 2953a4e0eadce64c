// SPDX-License-Identifier: Apache-2.0
/*
 * The prefilter's tables in the kernel (bpf/prefilter.h): each generation's
 * entries and per-kind settings are written first, then the generation
 * events read is switched in one store. Tables of older generations are
 * deleted one switch later, when no event can still be reading them.
 */
#include <bpf/bpf.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "bpf/loader_int.h"
#include "rules/prefilter.h"
#include "vigil.skel.h"

/* The key of @e: exact names and directories with their NUL, suffixes reversed. */
static void entry_key(const struct vgl_pf_entry *e, uint16_t gen, int slot, struct vgl_pf_key *key)
{
	size_t len = strlen(e->s);

	memset(key, 0, sizeof(*key));
	if (e->type == VGL_PF_EXACT || e->type == VGL_PF_NAME_EXACT || e->type == VGL_PF_DIR)
		len++; /* finish_kind() and the atoms keep them under VGL_PF_PATH */
	if (len > VGL_PF_PATH)
		len = VGL_PF_PATH;
	key->prefixlen = 32 + 8 * (uint32_t)len;
	key->gen = gen;
	key->slot = (uint16_t)(slot + (e->type >= VGL_PF_NAME_EXACT ? VGL_PF_SLOTS
				       : e->type == VGL_PF_DIR	    ? 2 * VGL_PF_SLOTS
								    : 0));
	for (size_t i = 0; i < len; i++)
		key->path[i] = (uint8_t)(e->type == VGL_PF_SUFFIX ? e->s[len - 1 - i] : e->s[i]);
}

static int map_fd(struct vgl_bpf *b, const struct vgl_pf_entry *e)
{
	return e->type == VGL_PF_SUFFIX ? bpf_map__fd(b->skel->maps.vgl_pf_rev)
					: bpf_map__fd(b->skel->maps.vgl_pf_fwd);
}

/* Write (@del false) or delete the process names of kind @pk, generation @gen. */
static int pf_comms(struct vgl_bpf *b, const struct vgl_pf_kind *pk, uint16_t gen, int slot,
		    bool del)
{
	int fd = bpf_map__fd(b->skel->maps.vgl_pf_comm);

	for (size_t i = 0; i < pk->ncomm; i++) {
		struct vgl_pf_ckey key = { .gen = gen, .slot = (uint16_t)slot };
		struct vgl_pf_val val = { { pk->comm[i].mask.w[0], pk->comm[i].mask.w[1] } };

		memcpy(key.comm, pk->comm[i].comm, sizeof(key.comm));
		if (del)
			bpf_map_delete_elem(fd, &key);
		else if (bpf_map_update_elem(fd, &key, &val, BPF_ANY))
			return -errno;
	}
	return 0;
}

/* Write (@del false) or delete @pf's entries of generation @gen. */
static int pf_entries(struct vgl_bpf *b, const struct vgl_prefilter *pf, uint16_t gen, bool del)
{
	struct vgl_pf_key key;
	int ret;

	for (int k = 1; k < VGL_EV_MAX; k++) {
		const struct vgl_pf_kind *pk = &pf->k[k];
		int slot = vgl_pf_slot(k);

		if (slot >= 0 && pk->filtered && (ret = pf_comms(b, pk, gen, slot, del)))
			return ret;

		for (size_t i = 0; slot >= 0 && pk->filtered && i < pk->n; i++) {
			struct vgl_pf_val val = { { pk->e[i].mask.w[0], pk->e[i].mask.w[1] } };

			entry_key(&pk->e[i], gen, slot, &key);
			if (del)
				bpf_map_delete_elem(map_fd(b, &pk->e[i]), &key);
			else if (bpf_map_update_elem(map_fd(b, &pk->e[i]), &key, &val, BPF_ANY))
				return -errno;
		}
	}
	return 0;
}

/* The table an entry of type @t is in, as its VGL_PFF_* flag. */
static uint32_t pf_flag(enum vgl_pf_atom t)
{
	switch (t) {
	case VGL_PF_EXACT:
	case VGL_PF_PREFIX:
		return VGL_PFF_FWD;
	case VGL_PF_DIR:
		return VGL_PFF_DIR;
	case VGL_PF_NAME_EXACT:
	case VGL_PF_NAME_PREFIX:
		return VGL_PFF_NAME;
	default: /* suffixes: rev_max; substrings: pf_subs() */
		return 0;
	}
}

/* @pk's substrings into @c, for bpf/prefilter.h vgl_pf_subs_g(). */
static void pf_subs(const struct vgl_pf_kind *pk, struct vgl_pf_conf *c)
{
	for (size_t i = 0; i < pk->nsub; i++) {
		struct vgl_pf_sub *s = &c->sub[i];
		size_t len = strlen(pk->sub[i].s), head = len < 8 ? len : 8;

		s->cls[0] = pk->sub[i].mask.w[0];
		s->cls[1] = pk->sub[i].mask.w[1];
		s->len = (uint8_t)len;
		memcpy(s->s, pk->sub[i].s, len);
		memcpy(&s->head, s->s, 8); /* little-endian, as the kernel loads it */
		s->head_mask = head == 8 ? UINT64_MAX : (1ull << (8 * head)) - 1;
		s->head &= s->head_mask;
		c->sub_cls[0] |= s->cls[0];
		c->sub_cls[1] |= s->cls[1];
	}
	if (pk->nsub)
		c->flags |= VGL_PFF_SUBS;
}

/* The settings of each kind slot for @pf as generation @gen. */
static int pf_conf(struct vgl_bpf *b, const struct vgl_prefilter *pf, uint16_t gen)
{
	int fd = bpf_map__fd(b->skel->maps.vgl_pf_conf);

	for (int k = 1; k < VGL_EV_MAX; k++) {
		const struct vgl_pf_kind *pk = &pf->k[k];
		struct vgl_pf_conf c = { .any = { pk->any.w[0], pk->any.w[1] } };
		int slot = vgl_pf_slot(k);
		uint32_t idx;
		bool dd = c.any[0] != c.any[1]; /* classes 64-127 are 0-63 with "../" */

		if (slot < 0)
			continue;
		for (size_t i = 0; i < pk->n; i++)
			dd = dd || pk->e[i].mask.w[0] != pk->e[i].mask.w[1];
		for (size_t i = 0; i < pk->ncomm; i++)
			dd = dd || pk->comm[i].mask.w[0] != pk->comm[i].mask.w[1];
		for (size_t i = 0; i < pk->nsub; i++)
			dd = dd || pk->sub[i].mask.w[0] != pk->sub[i].mask.w[1];
		if (pk->filtered) {
			c.flags = VGL_PFF_ON | (dd ? VGL_PFF_DOTDOT : 0) |
				  (pk->ncomm ? VGL_PFF_COMM : 0);
			for (size_t i = 0; i < pk->n; i++)
				c.flags |= pf_flag(pk->e[i].type);
			c.rev_max = (uint16_t)(pk->max_suffix < VGL_PF_PATH ? pk->max_suffix
									    : VGL_PF_PATH);
			memcpy(c.gate, pk->gate, sizeof(c.gate));
			pf_subs(pk, &c);
		}
		idx = (uint32_t)(gen % VGL_PF_GENS) * VGL_PF_SLOTS + (uint32_t)slot;
		if (bpf_map_update_elem(fd, &idx, &c, BPF_ANY))
			return -errno;
	}
	return 0;
}

/* Drop the tables of every generation but @keep_a and @keep_b. */
static void pf_evict(struct vgl_bpf *b, uint16_t keep_a, uint16_t keep_b)
{
	for (int i = 0; i < VGL_PF_GENS; i++) {
		uint16_t g = b->pf_table_gen[i];

		if (!b->pf_tables[i] || g == keep_a || g == keep_b)
			continue;
		pf_entries(b, b->pf_tables[i], g, true);
		vgl_prefilter_free(b->pf_tables[i]);
		b->pf_tables[i] = NULL;
		b->pf_table_gen[i] = 0;
	}
}

static void pf_switch(struct vgl_bpf *b, uint16_t gen)
{
	b->pf_gen = gen;
	__atomic_store_n(&b->skel->bss->vgl_pf_gen, gen, __ATOMIC_SEQ_CST);
}

int vgl_bpf_set_prefilter(struct vgl_bpf *b, struct vgl_prefilter *pf, char *err, size_t errlen)
{
	uint16_t old = b->pf_gen, gen = (uint16_t)(old + 1 ? old + 1 : 1);
	int ret;

	pf_evict(b, old, 0); /* the one before old: no event reads it any more */
	if (!pf) {
		pf_switch(b, 0);
		return 0;
	}
	b->pf_tables[gen % VGL_PF_GENS] = pf;
	b->pf_table_gen[gen % VGL_PF_GENS] = gen;
	ret = pf_entries(b, pf, gen, false);
	if (!ret)
		ret = pf_conf(b, pf, gen);
	if (ret) {
		snprintf(err, errlen, "prefilter: writing its tables: %s", strerror(-ret));
		pf_switch(b, 0);
		return ret;
	}
	pf_switch(b, gen);
	return 0;
}

void vgl_bpf_prefilter_free(struct vgl_bpf *b)
{
	for (int i = 0; i < VGL_PF_GENS; i++)
		vgl_prefilter_free(b->pf_tables[i]);
}
