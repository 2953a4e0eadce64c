/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Building and emitting records: begin -> put parameters -> submit.
 *
 * A record is assembled in the per-CPU scratch buffer, then copied into the
 * ring buffer with its exact size, so a 20-byte path costs 20 bytes. Every
 * offset is masked to half of the scratch buffer and every write is at most
 * VGL_PATH_MAX, which is what lets the verifier prove the writes in bounds.
 * Every reason a record or a value is lost is counted per kind.
 */
#ifndef VIGIL_BPF_EMIT_H
#define VIGIL_BPF_EMIT_H

/*
 * An offset masked into the scratch record. The barrier keeps clang from
 * dropping the mask after a comparison it thinks makes it redundant: older
 * verifiers (6.1) cannot follow that bound.
 */
#define VGL_OFF(o)                        \
	({                                \
		__u32 __o = (o);          \
		barrier_var(__o);         \
		__o &(VGL_EVENT_MAX - 1); \
	})
#define VGL_LENS_OFF sizeof(struct vgl_hdr)

/*
 * Make @x provably within [0, VGL_PATH_MAX] for the verifier: hide what the
 * compiler knows (it would drop the mask), mask, then clamp.
 */
#define VGL_BOUND(x)                                     \
	({                                               \
		__u32 __v = (x);                         \
		asm volatile("" : "+r"(__v));            \
		__v &= 2 * VGL_PATH_MAX - 1;             \
		__v > VGL_PATH_MAX ? VGL_PATH_MAX : __v; \
	})

struct vgl_builder {
	__u8 *buf;
	__u32 off;   /* next free byte */
	__u32 start; /* first byte of the parameter being written */
	__u16 idx;   /* next parameter */
	__u16 kind;
	__u16 flags;
	bool read_failed;
};

static __always_inline struct vgl_kind_stats *vgl_stats_of(__u32 kind)
{
	return bpf_map_lookup_elem(&vgl_stats, &kind);
}

/* Start a record's parameters; vgl_fill_hdr() must run before vgl_submit(). */
static __always_inline int vgl_begin_params(struct vgl_builder *b, __u16 kind, __u16 nparams)
{
	__u32 zero = 0;

	b->buf = bpf_map_lookup_elem(&vgl_scratch, &zero);
	if (!b->buf)
		return -1;
	/* bounded for the verifier; nparams == VGL_MAX_PARAMS must survive it */
	b->off = VGL_LENS_OFF + 2 * (nparams & (2 * VGL_MAX_PARAMS - 1));
	b->idx = 0;
	b->kind = kind;
	b->flags = 0;
	b->read_failed = false;
	return 0;
}

static __always_inline int vgl_begin(struct vgl_builder *b, __u16 kind, __s64 res, __u16 nparams)
{
	if (vgl_begin_params(b, kind, nparams))
		return -1;
	vgl_fill_hdr((struct vgl_hdr *)b->buf, kind, res);
	return 0;
}

static __always_inline void vgl_set_len(struct vgl_builder *b, __u16 len)
{
	__u32 at = VGL_LENS_OFF + 2 * (b->idx & (VGL_MAX_PARAMS - 1));

	__builtin_memcpy(b->buf + at, &len, sizeof(len));
	b->idx++;
}

static __always_inline void vgl_put_absent(struct vgl_builder *b)
{
	vgl_set_len(b, VGL_PARAM_ABSENT);
}

static __always_inline void vgl_put_failed(struct vgl_builder *b)
{
	b->read_failed = true;
	vgl_put_absent(b);
}

#if __BYTE_ORDER__ != __ORDER_LITTLE_ENDIAN__
#error "numbers are sent as their low-order bytes first: little-endian only"
#endif

/*
 * A number in 4 bytes when they sign-extend back to it, else 8 (wire
 * version 3): all 8 are written, the record keeps the first ones. Not
 * fewer than 4: a replay on another architecture rewrites open flags in
 * place (source/capture_arch.c), and a translated flag can need 4.
 */
static __always_inline void vgl_put_u64(struct vgl_builder *b, __u64 v)
{
	__s64 s = (__s64)v;
	__u16 n = s == (__s32)s ? 4 : 8;

	if (b->off + 8 > VGL_EVENT_MAX) {
		b->flags |= VGL_EVF_TRUNCATED;
		vgl_put_absent(b);
		return;
	}
	__builtin_memcpy(b->buf + VGL_OFF(b->off), &v, sizeof(v));
	b->off += n;
	vgl_set_len(b, n);
}

/* Room left for a parameter of at most @max bytes. */
static __always_inline __u32 vgl_room(struct vgl_builder *b, __u32 max)
{
	__u32 room = b->off < VGL_EVENT_MAX ? VGL_EVENT_MAX - b->off : 0;

	if (max > room) {
		max = room;
		b->flags |= VGL_EVF_TRUNCATED;
	}
	return VGL_BOUND(max);
}

static __always_inline void vgl_param_begin(struct vgl_builder *b)
{
	b->start = b->off;
}

static __always_inline void vgl_param_end(struct vgl_builder *b)
{
	vgl_set_len(b, (__u16)(b->off - b->start));
}

/* Append a NUL-terminated string; returns its length with the NUL or < 0. */
static __always_inline long vgl_append_str(struct vgl_builder *b, const void *src, __u32 max,
					   bool user)
{
	__u32 room = vgl_room(b, max);
	long n;

	if (room == 0)
		return -1;
	if (user)
		n = bpf_probe_read_user_str(b->buf + VGL_OFF(b->off), room, src);
	else
		n = bpf_probe_read_kernel_str(b->buf + VGL_OFF(b->off), room, src);
	if (n <= 0)
		return -1;
	if (n == room && room < max)
		b->flags |= VGL_EVF_TRUNCATED;
	b->off += n;
	return n;
}

/* A string parameter; a NULL pointer is an absent value, not a failure. */
static __always_inline void vgl_put_str(struct vgl_builder *b, const void *src, __u32 max,
					bool user)
{
	if (!src) {
		vgl_put_absent(b);
		return;
	}
	vgl_param_begin(b);
	if (vgl_append_str(b, src, max, user) < 0) {
		vgl_put_failed(b);
		return;
	}
	if (user)
		b->flags |= VGL_EVF_USER_ARGS;
	vgl_param_end(b);
}

/* Append @len raw bytes; returns 0 or < 0. */
static __always_inline int vgl_append_bytes(struct vgl_builder *b, const void *src, __u32 len,
					    bool user)
{
	__u32 room = vgl_room(b, len);
	long err;

	if (room == 0)
		return len ? -1 : 0;
	if (user)
		err = bpf_probe_read_user(b->buf + VGL_OFF(b->off), room, src);
	else
		err = bpf_probe_read_kernel(b->buf + VGL_OFF(b->off), room, src);
	if (err)
		return -1;
	b->off += room;
	return 0;
}

/*
 * Whether the @len bytes at @a and at @c of the scratch record are equal,
 * eight at a time. Global: its loop is verified once.
 */
__noinline int vgl_bytes_equal_g(__u32 a, __u32 c, __u32 len)
{
	__u32 zero = 0;
	__u8 *buf = bpf_map_lookup_elem(&vgl_scratch, &zero);
	__u64 x, y, mask;

	if (!buf || len > VGL_PATH_MAX)
		return 0;
	for (__u32 i = 0; i < VGL_PATH_MAX / 8; i++) {
		if (8 * i >= len)
			break;
		__builtin_memcpy(&x, buf + VGL_OFF(a + 8 * i), sizeof(x));
		__builtin_memcpy(&y, buf + VGL_OFF(c + 8 * i), sizeof(y));
		mask = len - 8 * i >= 8 ? ~0ULL : (1ULL << (8 * (len - 8 * i))) - 1;
		if ((x ^ y) & mask)
			return 0;
	}
	return 1;
}

/*
 * The path parameter just written, at [@p0, b->off), sent as length 0
 * when it holds the same bytes as the earlier path at [@a0, @a1) (wire
 * version 3: "the same as the record's previous path").
 */
static __always_inline void vgl_path_repeat(struct vgl_builder *b, __u32 a0, __u32 a1, __u32 p0)
{
	__u32 len = a1 - a0, at = VGL_LENS_OFF + 2 * ((b->idx - 1) & (VGL_MAX_PARAMS - 1));
	__u16 zero = 0;

	if (a1 < a0 + 2 || b->off != p0 + len || !vgl_bytes_equal_g(a0, p0, len))
		return;
	b->off = p0;
	__builtin_memcpy(b->buf + at, &zero, sizeof(zero));
}

static __always_inline void vgl_count(struct vgl_kind_stats *st, struct vgl_builder *b)
{
	if (!st)
		return;
	if (b->flags & VGL_EVF_TRUNCATED)
		st->truncated++;
	if (b->read_failed)
		st->read_failed++;
}

/*
 * Wake the reader once this CPU has queued its share of --wakeup-bytes since
 * it last did. A per-CPU count: asking the ring how much it holds would read
 * the reader's position, a cache line the reader writes, at every record.
 */
static __always_inline __u64 vgl_wake_flags(__u32 size)
{
	__u32 zero = 0;
	__u64 *unwoken = bpf_map_lookup_elem(&vgl_unwoken, &zero);

	if (!unwoken)
		return 0; /* the ring's own rule: wake when the reader caught up */
	*unwoken += size;
	if (*unwoken < vgl_wakeup_bytes_cpu)
		return BPF_RB_NO_WAKEUP;
	*unwoken = 0;
	return BPF_RB_FORCE_WAKEUP;
}

static __always_inline void vgl_submit(struct vgl_builder *b)
{
	struct vgl_hdr *h = (struct vgl_hdr *)b->buf;
	struct vgl_kind_stats *st = vgl_stats_of(b->kind);
	__u32 size = b->off;

	if (size > VGL_EVENT_MAX)
		return;
	h->size = size;
	h->flags = b->flags;
	h->nparams = b->idx;
	if (bpf_ringbuf_output(&vgl_rb, b->buf, size, vgl_wake_flags(size))) {
		if (st)
			st->rb_full++;
		return;
	}
	if (st)
		st->emitted++;
	vgl_count(st, b);
}

#endif /* VIGIL_BPF_EMIT_H */
