/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The prefilter (daemon/rules/prefilter.h): drop an open no loaded rule can
 * match, once its name and resolved path are in the scratch record and
 * before the header is filled and the record sent; a connect or a socket
 * call, by its class (vgl_pf_conn_class, vgl_pf_sock_class) and process name.
 *
 * The daemon writes a generation's tables, then vgl_pf_gen; an event is
 * judged by the one generation it read. Keys are looked up in place: the 8
 * bytes of key head (prefixlen, generation, kind slot) are written over the
 * bytes just before the path in the record, and put back after.
 */
#ifndef VIGIL_BPF_PREFILTER_H
#define VIGIL_BPF_PREFILTER_H

__u32 vgl_pf_gen = 0; /* 0: no prefilter; written by the daemon only */

struct {
	__uint(type, BPF_MAP_TYPE_LPM_TRIE);
	__uint(max_entries, 16384);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__type(key, struct vgl_pf_key);
	__type(value, struct vgl_pf_val);
} vgl_pf_fwd SEC(".maps"), vgl_pf_rev SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 12288); /* two generations of VGL_PF_MAX_COMMS per slot */
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__type(key, struct vgl_pf_ckey);
	__type(value, struct vgl_pf_val);
} vgl_pf_comm SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, VGL_PF_GENS *VGL_PF_SLOTS);
	__type(key, __u32);
	__type(value, struct vgl_pf_conf);
} vgl_pf_conf SEC(".maps");

static __always_inline bool vgl_pf_has(const __u64 *m, __u32 cls)
{
	return (m[(cls >> 6) & 1] >> (cls & 63)) & 1;
}

#define VGL_PF_BYTES(c) (0x0101010101010101ULL * (c))

/* 0x80 in each byte of @w equal to that of @bytes, 0 in the others (exact: no carries). */
static __always_inline __u64 vgl_pf_eq(__u64 w, __u64 bytes)
{
	__u64 t = w ^ bytes;

	return ~(((t & VGL_PF_BYTES(0x7f)) + VGL_PF_BYTES(0x7f)) | t | VGL_PF_BYTES(0x7f));
}

/* 0x80 in each byte of @w that is '.', 0 in the others. */
static __always_inline __u64 vgl_pf_dots(__u64 w)
{
	return vgl_pf_eq(w, VGL_PF_BYTES('.'));
}

/*
 * Whether the name at [@n0, @n1) of the scratch record holds "../": 1, 0,
 * or -1 when too long to tell. Eight bytes at a time, looking for two
 * adjacent dots (rare in names); only a name that has them is scanned
 * byte by byte. Global: the verifier checks its loops once.
 */
__noinline int vgl_pf_dotdot_g(__u32 n0, __u32 n1)
{
	__u32 zero = 0, len = n1 - n0;
	__u8 *buf = bpf_map_lookup_elem(&vgl_scratch, &zero);
	__u64 w, d, carry = 0, pairs = 0;

	if (!buf || n1 < n0 || len > VGL_PF_PATH)
		return -1;
	for (__u32 i = 0; i < VGL_PF_PATH / 8 + 1; i++) {
		if (8 * i >= len)
			break;
		/* the bytes past the name only add candidates */
		__builtin_memcpy(&w, buf + VGL_OFF(n0 + 8 * i), sizeof(w));
		d = vgl_pf_dots(w);
		pairs |= (d & (d << 8)) | (carry & d & 0x80);
		carry = d >> 56;
	}
	if (!pairs)
		return 0;
	for (__u32 i = 0; i + 2 < VGL_PF_PATH; i++) {
		if (i + 2 >= len)
			break;
		if (buf[VGL_OFF(n0 + i)] == '.' && buf[VGL_OFF(n0 + i + 1)] == '.' &&
		    buf[VGL_OFF(n0 + i + 2)] == '/')
			return 1;
	}
	return 0;
}

/*
 * Whether substring @i of conf @idx starts at one of the 8 positions from
 * @at of the path at @p0 (@len bytes, no NUL): its head compared a word at
 * a time, the rest byte by byte. Global: its loops are verified once.
 */
__noinline int vgl_pf_sub_at_g(__u32 idx, __u32 i, __u32 p0, __u32 at, __u32 len)
{
	__u32 zero = 0;
	__u8 *buf = bpf_map_lookup_elem(&vgl_scratch, &zero);
	struct vgl_pf_conf *conf = bpf_map_lookup_elem(&vgl_pf_conf, &idx);
	struct vgl_pf_sub *s;
	__u64 w;

	if (!buf || !conf)
		return 1;
	s = &conf->sub[i & (VGL_PF_NSUBS - 1)];
	for (__u32 n = 0; n < 8; n++) {
		__u32 pos = at + n, j = 8;

		if (pos + s->len > len)
			return 0;
		__builtin_memcpy(&w, buf + VGL_OFF(p0 + pos), sizeof(w));
		if ((w ^ s->head) & s->head_mask)
			continue;
		for (; j < VGL_PF_SUB_MAX; j++)
			if (j >= s->len || buf[VGL_OFF(p0 + pos + j)] != s->s[j])
				break;
		if (j >= s->len)
			return 1;
	}
	return 0;
}

/*
 * Whether the path at [@p0, @p0 + @len) (no NUL) holds a substring of conf
 * @idx that passes class @cls; a path too long to scan passes. Each word is
 * tested for the substring's first two bytes at once (two loads, one a
 * byte further); only a word where they meet is compared. Global.
 */
__noinline int vgl_pf_subs_g(__u32 idx, __u32 p0, __u32 len, __u32 cls)
{
	__u32 zero = 0;
	__u8 *buf = bpf_map_lookup_elem(&vgl_scratch, &zero);
	struct vgl_pf_conf *conf = bpf_map_lookup_elem(&vgl_pf_conf, &idx);
	__u64 w0, w1;

	if (!buf || !conf || len >= VGL_PF_PATH)
		return 1;
	for (__u32 i = 0; i < VGL_PF_NSUBS; i++) {
		struct vgl_pf_sub *s = &conf->sub[i];
		__u64 b0 = VGL_PF_BYTES(s->head & 0xff), b1 = VGL_PF_BYTES((s->head >> 8) & 0xff);

		if (!s->len || !vgl_pf_has(s->cls, cls) || s->len > len)
			continue;
		for (__u32 k = 0; k < VGL_PF_PATH / 8 + 1; k++) {
			if (8 * k + s->len > len)
				break;
			__builtin_memcpy(&w0, buf + VGL_OFF(p0 + 8 * k), sizeof(w0));
			__builtin_memcpy(&w1, buf + VGL_OFF(p0 + 8 * k + 1), sizeof(w1));
			if ((vgl_pf_eq(w0, b0) & vgl_pf_eq(w1, b1)) &&
			    vgl_pf_sub_at_g(idx, i, p0, 8 * k, len))
				return 1;
		}
	}
	return 0;
}

/* Whether a table's gate lets class @cls with key byte @byte be looked up. */
static __always_inline bool vgl_pf_gate_open(const struct vgl_pf_gate *g, __u32 cls, __u8 byte)
{
	return vgl_pf_has(g->cls, cls) && ((g->bytes[(byte >> 6) & 3] >> (byte & 63)) & 1);
}

/* Look up the key whose path bytes start at @buf + @at, @bits of them. */
static __always_inline bool vgl_pf_lookup(void *map, __u8 *buf, __u32 at, __u32 bits, __u32 gen,
					  __u32 slot, __u32 cls)
{
	struct vgl_pf_key *k = (struct vgl_pf_key *)(buf + VGL_OFF(at - 8));
	struct vgl_pf_val *v;
	__u64 saved;

	__builtin_memcpy(&saved, k, sizeof(saved));
	k->prefixlen = 32 + bits;
	k->gen = gen;
	k->slot = slot;
	v = bpf_map_lookup_elem(map, k);
	__builtin_memcpy(k, &saved, sizeof(saved));
	return v && vgl_pf_has(v->mask, cls);
}

/*
 * The last @n bytes of the path ending at @end (its NUL) in the scratch
 * record, reversed, looked up as suffixes: the mask found, or 0. Global:
 * its loop is verified once.
 */
__noinline __u64 vgl_pf_suffix_g(__u32 end, __u32 n, __u32 gen, __u32 slot, __u32 cls)
{
	__u32 zero = 0;
	__u8 *buf = bpf_map_lookup_elem(&vgl_scratch, &zero);
	struct vgl_pathbuf *pb = bpf_map_lookup_elem(&vgl_pathbuf, &zero);
	struct vgl_pf_key *k;
	struct vgl_pf_val *v;

	if (!buf || !pb || n > VGL_PF_PATH || end < n)
		return 1;
	k = (struct vgl_pf_key *)&pb->buf[VGL_PATH_MAX];
	for (__u32 i = 0; i < VGL_PF_PATH; i++) {
		if (i >= n)
			break;
		k->path[i] = buf[VGL_OFF(end - 1 - i)];
	}
	k->prefixlen = 32 + 8 * n;
	k->gen = gen;
	k->slot = slot;
	v = bpf_map_lookup_elem(&vgl_pf_rev, k);
	return v && vgl_pf_has(v->mask, cls);
}

/* The index (0-7) of the highest byte of @m (not 0) with a bit set. */
static __always_inline __u32 vgl_pf_top_byte(__u64 m)
{
	__u32 i = 0;

	if (m >> 32) {
		i += 4;
		m >>= 32;
	}
	if (m >> 16) {
		i += 2;
		m >>= 16;
	}
	return m >> 8 ? i + 1 : i;
}

/*
 * Whether the directory of the path at [@p0, @p0 + @len) (no NUL), the path
 * up to its last "/", is an entry of conf @idx's directory slot passing
 * class @cls: the last "/" found a word at a time, then that much of the
 * path and a NUL looked up (the byte the NUL covers put back after). A path
 * too long to cut passes. Global: its loop is verified once.
 */
__noinline int vgl_pf_dir_g(__u32 idx, __u32 p0, __u32 len, __u32 gen, __u32 cls)
{
	__u32 zero = 0, last = 0;
	__u8 *buf = bpf_map_lookup_elem(&vgl_scratch, &zero);
	struct vgl_pf_conf *conf = bpf_map_lookup_elem(&vgl_pf_conf, &idx);
	__u64 w, m;
	__u8 saved;
	int hit;

	if (!buf || !conf || !len || len >= VGL_PF_PATH || p0 < 8)
		return 1;
	/* from the last word down: the loop ends at the first word with a "/" */
	for (__u32 i = 0, k = (len - 1) / 8; i < VGL_PF_PATH / 8 + 1; i++, k--) {
		__builtin_memcpy(&w, buf + VGL_OFF(p0 + 8 * k), sizeof(w));
		m = vgl_pf_eq(w, VGL_PF_BYTES('/'));
		if (len - 8 * k < 8) /* the bytes past the path */
			m &= (1ULL << (8 * (len - 8 * k))) - 1;
		if (m) {
			last = 8 * k + vgl_pf_top_byte(m);
			break;
		}
		if (!k)
			return 1; /* no "/": the caller saw one; pass */
	}
	/* the key's second byte: the path's, or the NUL after the root's "/" */
	if (!vgl_pf_gate_open(&conf->gate[VGL_PF_GATE_DIR], cls, last ? buf[VGL_OFF(p0 + 1)] : 0))
		return 0;
	saved = buf[VGL_OFF(p0 + last + 1)];
	buf[VGL_OFF(p0 + last + 1)] = 0;
	hit = vgl_pf_lookup(&vgl_pf_fwd, buf, p0, 8 * (last + 2), gen,
			    idx % VGL_PF_SLOTS + 2 * VGL_PF_SLOTS, cls);
	buf[VGL_OFF(p0 + last + 1)] = saved;
	return hit;
}

/* Whether the current process's name passes class @cls whatever the path. */
static __always_inline bool vgl_pf_comm_passes(const struct vgl_pf_conf *conf, __u32 gen,
					       __u32 slot, __u32 cls)
{
	struct vgl_pf_ckey k = { .gen = gen, .slot = slot };
	struct vgl_pf_val *v;

	if (!vgl_pf_has(conf->gate[VGL_PF_GATE_COMM].cls, cls))
		return false;
	bpf_get_current_comm(k.comm, sizeof(k.comm));
	if (!vgl_pf_gate_open(&conf->gate[VGL_PF_GATE_COMM], cls, k.comm[0]))
		return false;
	v = bpf_map_lookup_elem(&vgl_pf_comm, &k);
	return v && vgl_pf_has(v->mask, cls);
}

/* @kind's settings in generation @gen (0: none), at index *@idx; NULL when it passes whole. */
static __always_inline struct vgl_pf_conf *vgl_pf_conf_of(__u32 kind, __u32 gen, __u32 *idx)
{
	int slot = vgl_pf_slot(kind);
	struct vgl_pf_conf *conf;

	if (!gen || slot < 0)
		return NULL;
	*idx = (gen % VGL_PF_GENS) * VGL_PF_SLOTS + slot;
	conf = bpf_map_lookup_elem(&vgl_pf_conf, idx);
	return conf && (conf->flags & VGL_PFF_ON) ? conf : NULL;
}

static __always_inline void vgl_pf_count(__u32 kind)
{
	struct vgl_kind_stats *st = vgl_stats_of(kind);

	if (st)
		st->prefiltered++;
}

/*
 * Whether to drop a connect or a socket call of class @cls (it has no
 * path): neither its kind's classes nor its process name pass it.
 */
static __always_inline bool vgl_pf_drop_cls(__u32 kind, __u32 cls)
{
	__u32 gen = vgl_pf_gen, idx = 0;
	struct vgl_pf_conf *conf = vgl_pf_conf_of(kind, gen, &idx);

	if (!conf || vgl_pf_has(conf->any, cls))
		return false;
	if ((conf->flags & VGL_PFF_COMM) && vgl_pf_comm_passes(conf, gen, idx % VGL_PF_SLOTS, cls))
		return false;
	vgl_pf_count(kind);
	return true;
}

/*
 * Whether to drop the open being built in @b: its name at [@n0, @n1), its
 * path at [@n1, @p1), both with their NUL. Anything it cannot judge passes.
 */
static __always_inline bool vgl_pf_drop(struct vgl_builder *b, long ret, __u64 flags, __u64 mode,
					__u32 n0, __u32 n1, __u32 p1)
{
	__u32 gen = vgl_pf_gen, idx = 0, cls, plen;
	struct vgl_pf_conf *conf = vgl_pf_conf_of(b->kind, gen, &idx);
	int slot = idx % VGL_PF_SLOTS, dd;

	if (!conf)
		return false;
	if ((b->flags & VGL_EVF_TRUNCATED) || b->read_failed || n1 < n0 + 2 || p1 < n1 + 2 ||
	    n0 < 8 || b->buf[VGL_OFF(n1)] != '/')
		return false;
	cls = vgl_pf_class(flags, mode, ret, VGL_O_DIRECTORY);
	if (conf->flags & VGL_PFF_DOTDOT) {
		dd = vgl_pf_dotdot_g(n0, n1 - 1);
		if (dd < 0)
			return false;
		if (dd)
			cls |= VGL_PFC_DOTDOT;
	}
	if (vgl_pf_has(conf->any, cls))
		return false;
	if ((conf->flags & VGL_PFF_COMM) && vgl_pf_comm_passes(conf, gen, slot, cls))
		return false;
	plen = p1 - n1; /* with its NUL */
	if ((conf->flags & VGL_PFF_FWD) &&
	    vgl_pf_gate_open(&conf->gate[VGL_PF_GATE_FWD], cls, b->buf[VGL_OFF(n1 + 1)]) &&
	    vgl_pf_lookup(&vgl_pf_fwd, b->buf, n1, 8 * (plen < VGL_PF_PATH ? plen : VGL_PF_PATH),
			  gen, slot, cls))
		return false;
	if ((conf->flags & VGL_PFF_NAME) &&
	    vgl_pf_gate_open(&conf->gate[VGL_PF_GATE_NAME], cls, b->buf[VGL_OFF(n0 + 1)]) &&
	    vgl_pf_lookup(&vgl_pf_fwd, b->buf, n0,
			  8 * (n1 - n0 < VGL_PF_PATH ? n1 - n0 : VGL_PF_PATH), gen,
			  slot + VGL_PF_SLOTS, cls))
		return false;
	plen--;
	if ((conf->flags & VGL_PFF_DIR) && vgl_pf_has(conf->gate[VGL_PF_GATE_DIR].cls, cls) &&
	    vgl_pf_dir_g(idx, n1, plen, gen, cls))
		return false;
	if (conf->rev_max &&
	    vgl_pf_gate_open(&conf->gate[VGL_PF_GATE_REV], cls, b->buf[VGL_OFF(p1 - 2)]) &&
	    vgl_pf_suffix_g(p1 - 1, plen < conf->rev_max ? plen : conf->rev_max, gen, slot, cls))
		return false;
	if ((conf->flags & VGL_PFF_SUBS) && vgl_pf_has(conf->sub_cls, cls) &&
	    vgl_pf_subs_g(idx, n1, p1 - n1 - 1, cls))
		return false;
	vgl_pf_count(b->kind);
	return true;
}

#endif /* VIGIL_BPF_PREFILTER_H */
