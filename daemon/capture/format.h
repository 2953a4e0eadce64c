/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The capture file format (docs/capture-format.md): a header that describes
 * where the capture was made, then zlib-compressed blocks of records, each
 * block with its length and checksum so that damage is confined to it.
 *
 * Records inside a block: struct vgl_cap_rec then @len payload bytes. An
 * EVENT record's payload is a ring-buffer record exactly as the kernel wrote
 * it (include/vigil/events.h, little-endian); context records (PROC ...)
 * describe what the state tracker knew, so that replay answers every field
 * as live mode did (capture/record.h encodes them).
 */
#ifndef VIGIL_CAPTURE_FORMAT_H
#define VIGIL_CAPTURE_FORMAT_H

#include <stdint.h>

#define VGL_CAP_MAGIC	      "VIGILCAP"  /* 8 bytes, no NUL */
#define VGL_CAP_VERSION	      1		  /* format version this build writes and reads */
#define VGL_CAP_BLOCK_MAGIC   0x4b4c4256u /* "VBLK" little-endian */
#define VGL_CAP_BLOCK_RAW_MAX (4u << 20)  /* uncompressed bytes of one block */
#define VGL_CAP_RECORD_MAX    (1u << 20)  /* payload bytes of one record */
#define VGL_CAP_STR_MAX	      256	  /* header strings, NUL included */

enum vgl_cap_rec_type {
	VGL_CAP_REC_EVENT = 1,	   /* a ring-buffer record */
	VGL_CAP_REC_PROC = 2,	   /* a process view (struct vgl_proc_view) */
	VGL_CAP_REC_PROC_GONE = 3, /* the process is no longer known */
	VGL_CAP_REC_PROC_LAZY = 4, /* proc.env / proc.is_exe_upper_layer of a process */
	VGL_CAP_REC_CONTAINER = 5, /* a container view by cgroup id */
	VGL_CAP_REC_USER = 6,	   /* uid as seen in a container -> name, home, shell */
	VGL_CAP_REC_GROUP = 7,	   /* gid as seen in a container -> name */
	VGL_CAP_REC_FD = 8,	   /* a file descriptor's view */
	VGL_CAP_REC_FD_GONE = 9,   /* the descriptor is no longer known */
	VGL_CAP_REC_LOSS = 10,	   /* events not written here: u64 count */
	VGL_CAP_REC_EXE = 11,	   /* proc.exe_ino* of a process: its executable's inode, times */
	VGL_CAP_REC_FD_ADDR = 12,  /* the ends of an IP socket the state followed, after its FD */
	VGL_CAP_REC_CONFIG = 13,   /* a config file a rule read (docker.daemon.*) */
	VGL_CAP_REC_CTR_POSTURE = 14, /* a container view's posture, after its CONTAINER */
	VGL_CAP_REC_MAX
};

/* Framing of one record inside a block (little-endian). */
struct vgl_cap_rec {
	uint32_t type; /* enum vgl_cap_rec_type; readers skip types they do not know */
	uint32_t len;  /* payload bytes that follow, <= VGL_CAP_RECORD_MAX */
};

#define VGL_CAP_F_FLIGHT 0x1u /* written by the flight recorder for one alert */

/* What the header says (decoded; strings NUL-terminated, possibly empty). */
struct vgl_cap_info {
	uint32_t format_version;
	uint32_t wire_version; /* VGL_WIRE_VERSION of the event records */
	uint32_t flags;	       /* VGL_CAP_F_* */
	char vigil_version[VGL_CAP_STR_MAX];
	char hostname[VGL_CAP_STR_MAX];
	char kernel_release[VGL_CAP_STR_MAX];
	char arch[VGL_CAP_STR_MAX];  /* uname machine: "x86_64", "aarch64" */
	int64_t boot_time_ns;	     /* wall clock at boot, ns since the epoch */
	int64_t boot_to_realtime_ns; /* CLOCK_REALTIME - CLOCK_BOOTTIME when the file began */
	int64_t created_ns;	     /* wall clock when the file began */
	uint32_t seq;		     /* file number in a rotated series, from 0 */
	char rule[VGL_CAP_STR_MAX];  /* flight files: the rule that triggered it */
};

/* This host's values (uname, gethostname, clocks, VIGIL_VERSION); flags, seq, rule 0. */
void vgl_cap_info_host(struct vgl_cap_info *ret);

#endif /* VIGIL_CAPTURE_FORMAT_H */
