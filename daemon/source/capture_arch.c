// SPDX-License-Identifier: Apache-2.0
/*
 * A capture made on another architecture: the wire format is the same
 * everywhere (little-endian, fixed layout), but a few values carry the
 * kernel's architecture-specific encoding. Of what vigil records, only the
 * open(2) flags do: four bits are permuted between the generic layout
 * (x86_64, riscv64) and arm's (aarch64) or powerpc's. Signal numbers,
 * errno values, socket, clone, mount, AT_*, ptrace request and capability
 * values are the same on the architectures vigil runs on; event kinds are
 * vigil's own, not syscall numbers (docs/replay.md lists this).
 */
#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#include "decode/event.h"
#include "source/source.h"

/* The four open flags that move, in this order, per architecture family. */
enum { F_DIRECTORY, F_NOFOLLOW, F_DIRECT, F_LARGEFILE, F_MAX };

struct oflags_abi {
	const char *const *arch; /* uname machine names, NULL-terminated */
	uint64_t bit[F_MAX];
};

static const char *const generic_names[] = { "x86_64", "i386",	  "i486",	 "i586",
					     "i686",   "riscv64", "loongarch64", NULL };
static const char *const arm_names[] = { "aarch64", "arm64",  "aarch64_be", "armv7l",
					 "armv8l",  "armv6l", "arm",	    NULL };
static const char *const ppc_names[] = { "ppc64le", "ppc64", "ppc", NULL };

static const struct oflags_abi abis[] = {
	/* include/uapi/asm-generic/fcntl.h */
	{ generic_names, { 0200000, 0400000, 040000, 0100000 } },
	/* arch/arm64/include/uapi/asm/fcntl.h (and arm's) */
	{ arm_names, { 040000, 0100000, 0200000, 0400000 } },
	/* arch/powerpc/include/uapi/asm/fcntl.h */
	{ ppc_names, { 040000, 0100000, 0400000, 0200000 } },
};

#if defined(__x86_64__) || defined(__i386__) || defined(__riscv) || defined(__loongarch__)
#define HOST_ABI 0
#elif defined(__aarch64__) || defined(__arm__)
#define HOST_ABI 1
#elif defined(__powerpc__)
#define HOST_ABI 2
#else
#define HOST_ABI -1
#endif

static int abi_of(const char *arch)
{
	for (size_t i = 0; i < sizeof(abis) / sizeof(abis[0]); i++) {
		for (const char *const *n = abis[i].arch; *n; n++) {
			if (!strcmp(*n, arch))
				return (int)i;
		}
	}
	return -1;
}

int vgl_capsrc_arch(const char *arch, struct vgl_arch_xlate *ret)
{
	int from = abi_of(arch);

	memset(ret, 0, sizeof(*ret));
	if (from < 0 || HOST_ABI < 0)
		return -ENOTSUP;
	if (from == HOST_ABI)
		return 0;
	for (int f = 0; f < F_MAX; f++) {
		ret->from[f] = abis[from].bit[f];
		ret->to[f] = abis[HOST_ABI].bit[f];
		ret->mask |= ret->from[f];
	}
	return 1;
}

static uint64_t translate_oflags(const struct vgl_arch_xlate *x, uint64_t v)
{
	uint64_t out = v & ~x->mask;

	for (int f = 0; f < F_MAX; f++) {
		if (v & x->from[f])
			out |= x->to[f];
	}
	return out;
}

bool vgl_capsrc_translate(const struct vgl_arch_xlate *x, void *rec, size_t size)
{
	unsigned char *p = rec;
	const struct vgl_kind_info *ki;
	struct vgl_hdr h;
	size_t off;

	if (size < sizeof(h))
		return false;
	memcpy(&h, p, sizeof(h));
	if (h.kind == VGL_EV_UNKNOWN || h.kind >= VGL_EV_MAX || h.size != size)
		return false;
	ki = &vgl_kind_info[h.kind];
	if (!vgl_kind_nparams_ok(h.kind, h.nparams))
		return false;
	off = sizeof(h) + h.nparams * sizeof(uint16_t);
	for (unsigned int i = 0; i < h.nparams && off <= size; i++) {
		uint16_t len;
		uint64_t v;

		memcpy(&len, p + sizeof(h) + i * sizeof(uint16_t), sizeof(len));
		if (len == VGL_PARAM_ABSENT)
			continue;
		if (len > size - off)
			return false;
		if (ki->params[i].type == VGL_PT_OFLAGS && len == sizeof(v)) {
			memcpy(&v, p + off, sizeof(v));
			v = translate_oflags(x, v);
			memcpy(p + off, &v, sizeof(v));
		} else if (ki->params[i].type == VGL_PT_OFLAGS && len == sizeof(int32_t)) {
			int32_t w; /* wire version 3: sign-extends; the moved bits fit in 32 */

			memcpy(&w, p + off, sizeof(w));
			w = (int32_t)translate_oflags(x, (uint64_t)(int64_t)w);
			memcpy(p + off, &w, sizeof(w));
		}
		off += len;
	}
	return off <= size;
}
