/* SPDX-License-Identifier: Apache-2.0 */
/*
 * What the prefilter's BPF side and its daemon side share: the classes of
 * the events it filters, its map keys and values, the slots of the kinds.
 * Included by BPF C and userspace C after vigil/events.h; keep it free of
 * anything else.
 */
#ifndef VIGIL_PREFILTER_H
#define VIGIL_PREFILTER_H

#include "vigil/events.h"

/*
 * The prefilter (daemon/rules/prefilter.h, bpf/prefilter.h): an open's class
 * is these bits; a set of classes is a 128-bit mask.
 */
#define VGL_PFC_READ   (1u << 0) /* O_RDONLY or O_RDWR: evt.is_open_read */
#define VGL_PFC_WRITE  (1u << 1) /* O_WRONLY or O_RDWR: evt.is_open_write */
#define VGL_PFC_CREATE (1u << 2) /* O_CREAT: evt.is_open_create */
#define VGL_PFC_EXEC   (1u << 3) /* O_CREAT, mode with an x bit: evt.is_open_exec */
#define VGL_PFC_OK     (1u << 4) /* succeeded: fd.num >= 0 */
#define VGL_PFC_DIR    (1u << 5) /* O_DIRECTORY: fd.typechar 'd' */
#define VGL_PFC_DOTDOT (1u << 6) /* the requested name (fd.nameraw) holds "../" */
/*
 * A connect's class: the peer address's family (fd.typechar), both ends
 * loopback, the result. A class with LOOP has INET or INET6 too.
 */
#define VGL_PFC_C_INET	 (1u << 0) /* the peer address is AF_INET: fd.typechar 4 */
#define VGL_PFC_C_INET6	 (1u << 1) /* AF_INET6: 6 */
#define VGL_PFC_C_UNIX	 (1u << 2) /* AF_UNIX: u */
#define VGL_PFC_C_LOOP	 (1u << 3) /* peer and local address both 127.0.0.1, or both ::1 */
#define VGL_PFC_C_OK	 (1u << 4) /* res 0 */
#define VGL_PFC_C_INPROG (1u << 5) /* res -EINPROGRESS */
/* A socket call's class: its domain, and whether it made a socket. */
#define VGL_PFC_S_INET	   (1u << 0) /* AF_INET */
#define VGL_PFC_S_INET6	   (1u << 1) /* AF_INET6 */
#define VGL_PFC_S_UNIX	   (1u << 2) /* AF_UNIX */
#define VGL_PFC_S_PACKET   (1u << 3) /* AF_PACKET */
#define VGL_PFC_S_OK	   (1u << 4) /* res >= 0 */
#define VGL_PF_EINPROGRESS 115	     /* the same on every Linux architecture vigil runs on */
#define VGL_PF_PATH	   252	     /* path bytes in a key: LPM data is at most 256 */
#define VGL_PF_SLOTS	   6	     /* open, openat, openat2, creat; connect, socket */
#define VGL_PF_GENS	   4	     /* generations in flight: vgl_pf_conf slots */
/*
 * "vgl_pf_fwd" (exact names with their NUL, prefixes; requested names in
 * slot + VGL_PF_SLOTS; directories "D/" with a NUL in slot + 2 * VGL_PF_SLOTS)
 * and "vgl_pf_rev" (suffixes, reversed)
 */
struct vgl_pf_key {
	__u32 prefixlen; /* bits: 32 for gen and slot, then 8 per path byte */
	__u16 gen;
	__u16 slot;
	__u8 path[VGL_PF_PATH];
};
struct vgl_pf_val {
	__u64 mask[2]; /* classes passing: this entry's and all its shorter ones' */
};
/* "vgl_pf_conf", indexed by (gen % VGL_PF_GENS) * VGL_PF_SLOTS + slot */
#define VGL_PFF_ON     (1u << 0) /* filter this kind; else it passes whole */
#define VGL_PFF_FWD    (1u << 1) /* look the path up in vgl_pf_fwd */
#define VGL_PFF_DOTDOT (1u << 2) /* some mask tells VGL_PFC_DOTDOT apart: compute it */
#define VGL_PFF_NAME   (1u << 3) /* look the requested name up in vgl_pf_fwd, slot + SLOTS */
#define VGL_PFF_COMM   (1u << 4) /* look the process name up in vgl_pf_comm */
#define VGL_PFF_SUBS   (1u << 5) /* look for the substrings in the path (sub[]) */
#define VGL_PFF_DIR    (1u << 6) /* look the path's directory up in vgl_pf_fwd, slot + 2 * SLOTS */
/*
 * What one table (vgl_pf_fwd paths, its requested names, vgl_pf_rev) can
 * pass: the union of its entries' classes, and the bytes its entries have
 * at one place of the key (paths and names: the second byte, after a
 * path's "/"; suffixes: the last; process names: the first; directories:
 * the second of "D/" and its NUL). A key outside
 * either is not looked up.
 */
#define VGL_PF_GATE_FWD	 0
#define VGL_PF_GATE_NAME 1
#define VGL_PF_GATE_REV	 2
#define VGL_PF_GATE_COMM 3
#define VGL_PF_GATE_DIR	 4
#define VGL_PF_NGATES	 5
struct vgl_pf_gate {
	__u64 cls[2];
	__u64 bytes[4]; /* bit b: some entry has byte b there */
};
/*
 * A substring of the path (fd.name contains S) and the classes it passes.
 * A path of VGL_PF_PATH bytes or more is not scanned: it passes.
 */
#define VGL_PF_NSUBS   4  /* per kind; past them, their classes pass any path */
#define VGL_PF_SUB_MAX 32 /* bytes of one (no NUL); a longer one is cut */
struct vgl_pf_sub {
	__u64 cls[2];
	__u64 head;	 /* its first min(len, 8) bytes, little-endian */
	__u64 head_mask; /* the bytes of head that count */
	__u8 len;	 /* 2..VGL_PF_SUB_MAX; 0: an unused slot */
	__u8 s[VGL_PF_SUB_MAX];
	__u8 pad[7];
};
struct vgl_pf_conf {
	__u64 any[2]; /* classes passing whatever the path */
	struct vgl_pf_gate gate[VGL_PF_NGATES];
	struct vgl_pf_sub sub[VGL_PF_NSUBS];
	__u64 sub_cls[2]; /* the union of sub[]'s classes */
	__u32 flags;	  /* VGL_PFF_* */
	__u16 rev_max;	  /* the longest suffix; 0: no vgl_pf_rev lookup */
	__u16 pad;
};

/* "vgl_pf_comm" (hash): the classes a process name (comm, proc.name) passes */
struct vgl_pf_ckey {
	__u16 gen;
	__u16 slot;
	char comm[VGL_COMM_LEN]; /* NUL-padded, as bpf_get_current_comm() gives it */
};

/* A filtered kind's slot in the prefilter's tables (VGL_PF_SLOTS of them), or -1. */
static inline __attribute__((always_inline)) int vgl_pf_slot(unsigned int kind)
{
	switch (kind) {
	case VGL_EV_OPEN:
		return 0;
	case VGL_EV_OPENAT:
		return 1;
	case VGL_EV_OPENAT2:
		return 2;
	case VGL_EV_CREAT:
		return 3;
	case VGL_EV_CONNECT:
		return 4;
	case VGL_EV_SOCKET:
		return 5;
	default:
		return -1;
	}
}

/*
 * A connect's class (VGL_PFC_C_*): the peer's @family, whether the peer and
 * the local end are both the loopback address (@loop: 127.0.0.1 with
 * 127.0.0.1, ::1 with ::1), and the result @res.
 */
static inline __attribute__((always_inline)) __u32 vgl_pf_conn_class(__u16 family, int loop,
								     __s64 res)
{
	__u32 c = 0;

	if (family == 2) /* AF_INET */
		c |= VGL_PFC_C_INET;
	else if (family == 10) /* AF_INET6 */
		c |= VGL_PFC_C_INET6;
	else if (family == 1) /* AF_UNIX */
		c |= VGL_PFC_C_UNIX;
	if (loop && (c & (VGL_PFC_C_INET | VGL_PFC_C_INET6)))
		c |= VGL_PFC_C_LOOP;
	if (res == 0)
		c |= VGL_PFC_C_OK;
	if (res == -VGL_PF_EINPROGRESS)
		c |= VGL_PFC_C_INPROG;
	return c;
}

/* A socket call's class (VGL_PFC_S_*) from its @domain and result @res. */
static inline __attribute__((always_inline)) __u32 vgl_pf_sock_class(__s64 domain, __s64 res)
{
	__u32 c = res >= 0 ? VGL_PFC_S_OK : 0;

	if (domain == 2)
		c |= VGL_PFC_S_INET;
	else if (domain == 10)
		c |= VGL_PFC_S_INET6;
	else if (domain == 1)
		c |= VGL_PFC_S_UNIX;
	else if (domain == 17) /* AF_PACKET */
		c |= VGL_PFC_S_PACKET;
	return c;
}

/*
 * An open's class, but for VGL_PFC_DOTDOT (the requested name's): @flags
 * and @mode as the open event holds them, @res its result, @o_directory
 * this architecture's O_DIRECTORY.
 */
static inline __attribute__((always_inline)) __u32 vgl_pf_class(__u64 flags, __u64 mode, __s64 res,
								__u64 o_directory)
{
	__u64 acc = flags & 3; /* O_ACCMODE: O_RDONLY 0, O_WRONLY 1, O_RDWR 2 */
	__u32 c = 0;

	if (acc == 0 || acc == 2)
		c |= VGL_PFC_READ;
	if (acc == 1 || acc == 2)
		c |= VGL_PFC_WRITE;
	if (flags & 0100) { /* O_CREAT */
		c |= VGL_PFC_CREATE;
		if (mode & 0111)
			c |= VGL_PFC_EXEC;
	}
	if (res >= 0)
		c |= VGL_PFC_OK;
	if (flags & o_directory)
		c |= VGL_PFC_DIR;
	return c;
}

#endif /* VIGIL_PREFILTER_H */
