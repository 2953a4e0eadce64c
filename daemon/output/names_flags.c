// SPDX-License-Identifier: Apache-2.0
/* The name tables of the flag-set parameter types. */
#define _GNU_SOURCE
#include <fcntl.h>
#include <sched.h>
#include <stdio.h>
#include <sys/mman.h>
#include <sys/mount.h>
#include <sys/socket.h>

#include "output/names_flags.h"

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

/* glibc hides O_LARGEFILE (defines it 0) on 64-bit; the kernel still sets it. */
#if O_LARGEFILE != 0
#define VGL_O_LARGEFILE O_LARGEFILE
#elif defined(__x86_64__) || defined(__i386__)
#define VGL_O_LARGEFILE 0100000
#elif defined(__aarch64__) || defined(__arm__)
#define VGL_O_LARGEFILE 0400000
#else
#define VGL_O_LARGEFILE 0
#endif

/* Newer than some libc headers; values are the kernel ABI. */
#ifndef CLONE_PIDFD
#define CLONE_PIDFD 0x00001000
#endif
#ifndef CLONE_NEWCGROUP
#define CLONE_NEWCGROUP 0x02000000
#endif
#ifndef CLONE_NEWTIME
#define CLONE_NEWTIME 0x00000080
#endif
#ifndef CLONE_CLEAR_SIGHAND
#define CLONE_CLEAR_SIGHAND 0x100000000ULL
#endif
#ifndef CLONE_INTO_CGROUP
#define CLONE_INTO_CGROUP 0x200000000ULL
#endif
#ifndef MFD_NOEXEC_SEAL
#define MFD_NOEXEC_SEAL 0x0008U
#endif
#ifndef MFD_EXEC
#define MFD_EXEC 0x0010U
#endif
#ifndef MS_NOSYMFOLLOW
#define MS_NOSYMFOLLOW 256
#endif
#ifndef AT_RECURSIVE
#define AT_RECURSIVE 0x8000
#endif
#ifndef RENAME_NOREPLACE
#define RENAME_NOREPLACE (1 << 0)
#endif
#ifndef RENAME_EXCHANGE
#define RENAME_EXCHANGE (1 << 1)
#endif
#ifndef RENAME_WHITEOUT
#define RENAME_WHITEOUT (1 << 2)
#endif
#ifndef UMOUNT_NOFOLLOW
#define UMOUNT_NOFOLLOW 8
#endif

#define VGL_SOCK_TYPE_MASK 0xfULL	   /* socket(): type below the flags */
#define VGL_MS_MGC_MSK	   0xffff0000ULL   /* mount(): old magic in the high half */
#define VGL_MFD_HUGE_MASK  (0x3fULL << 26) /* memfd_create(): log2 of the page size */

// clang-format off
#define FLAG(f) { (uint64_t)(f), (uint64_t)(f), #f }
#define FIELD(v, mask, name) { (uint64_t)(v), (uint64_t)(mask), name }
// clang-format on
#define MFD_HUGE(log2, name) FIELD((uint64_t)(log2) << 26, VGL_MFD_HUGE_MASK, name)

/* Composite flags (O_SYNC, O_TMPFILE) come before the flags they contain. */
static const struct vgl_flag_name open_flags[] = {
	FIELD(O_RDONLY, O_ACCMODE, "O_RDONLY"),
	FIELD(O_WRONLY, O_ACCMODE, "O_WRONLY"),
	FIELD(O_RDWR, O_ACCMODE, "O_RDWR"),
	FLAG(O_CREAT),
	FLAG(O_EXCL),
	FLAG(O_NOCTTY),
	FLAG(O_TRUNC),
	FLAG(O_APPEND),
	FLAG(O_NONBLOCK),
	FLAG(O_SYNC),
	FLAG(O_DSYNC),
	FLAG(O_ASYNC),
	FLAG(O_DIRECT),
	FIELD(VGL_O_LARGEFILE, VGL_O_LARGEFILE, "O_LARGEFILE"),
	FLAG(O_TMPFILE),
	FLAG(O_DIRECTORY),
	FLAG(O_NOFOLLOW),
	FLAG(O_NOATIME),
	FLAG(O_CLOEXEC),
	FLAG(O_PATH),
};

static const struct vgl_flag_name at_flags[] = {
	FLAG(AT_SYMLINK_NOFOLLOW), FLAG(AT_REMOVEDIR),	FLAG(AT_SYMLINK_FOLLOW),
	FLAG(AT_NO_AUTOMOUNT),	   FLAG(AT_EMPTY_PATH), FLAG(AT_RECURSIVE),
};

/* CLONE_NEWTIME shares the exit-signal byte: it is only valid alone there. */
const struct vgl_flag_name vgl_clone_flags[] = {
	FIELD(CLONE_NEWTIME, VGL_CSIGNAL, "CLONE_NEWTIME"),
	FLAG(CLONE_VM),
	FLAG(CLONE_FS),
	FLAG(CLONE_FILES),
	FLAG(CLONE_SIGHAND),
	FLAG(CLONE_PIDFD),
	FLAG(CLONE_PTRACE),
	FLAG(CLONE_VFORK),
	FLAG(CLONE_PARENT),
	FLAG(CLONE_THREAD),
	FLAG(CLONE_NEWNS),
	FLAG(CLONE_SYSVSEM),
	FLAG(CLONE_SETTLS),
	FLAG(CLONE_PARENT_SETTID),
	FLAG(CLONE_CHILD_CLEARTID),
	FLAG(CLONE_DETACHED),
	FLAG(CLONE_UNTRACED),
	FLAG(CLONE_CHILD_SETTID),
	FLAG(CLONE_NEWCGROUP),
	FLAG(CLONE_NEWUTS),
	FLAG(CLONE_NEWIPC),
	FLAG(CLONE_NEWUSER),
	FLAG(CLONE_NEWPID),
	FLAG(CLONE_NEWNET),
	FLAG(CLONE_IO),
	FLAG(CLONE_CLEAR_SIGHAND),
	FLAG(CLONE_INTO_CGROUP),
};

static const struct vgl_flag_name mount_flags[] = {
	FIELD(MS_MGC_VAL, VGL_MS_MGC_MSK, "MS_MGC_VAL"),
	FLAG(MS_RDONLY),
	FLAG(MS_NOSUID),
	FLAG(MS_NODEV),
	FLAG(MS_NOEXEC),
	FLAG(MS_SYNCHRONOUS),
	FLAG(MS_REMOUNT),
	FLAG(MS_MANDLOCK),
	FLAG(MS_DIRSYNC),
	FLAG(MS_NOSYMFOLLOW),
	FLAG(MS_NOATIME),
	FLAG(MS_NODIRATIME),
	FLAG(MS_BIND),
	FLAG(MS_MOVE),
	FLAG(MS_REC),
	FLAG(MS_SILENT),
	FLAG(MS_POSIXACL),
	FLAG(MS_UNBINDABLE),
	FLAG(MS_PRIVATE),
	FLAG(MS_SLAVE),
	FLAG(MS_SHARED),
	FLAG(MS_RELATIME),
	FLAG(MS_KERNMOUNT),
	FLAG(MS_I_VERSION),
	FLAG(MS_STRICTATIME),
	FLAG(MS_LAZYTIME),
	FLAG(MS_ACTIVE),
	FLAG(MS_NOUSER),
};

static const struct vgl_flag_name umount_flags[] = {
	FLAG(MNT_FORCE),
	FLAG(MNT_DETACH),
	FLAG(MNT_EXPIRE),
	FLAG(UMOUNT_NOFOLLOW),
};

static const struct vgl_flag_name rename_flags[] = {
	FLAG(RENAME_NOREPLACE),
	FLAG(RENAME_EXCHANGE),
	FLAG(RENAME_WHITEOUT),
};

static const struct vgl_flag_name memfd_flags[] = {
	FLAG(MFD_CLOEXEC),
	FLAG(MFD_ALLOW_SEALING),
	FLAG(MFD_HUGETLB),
	FLAG(MFD_NOEXEC_SEAL),
	FLAG(MFD_EXEC),
	MFD_HUGE(16, "MFD_HUGE_64KB"),
	MFD_HUGE(19, "MFD_HUGE_512KB"),
	MFD_HUGE(20, "MFD_HUGE_1MB"),
	MFD_HUGE(21, "MFD_HUGE_2MB"),
	MFD_HUGE(23, "MFD_HUGE_8MB"),
	MFD_HUGE(24, "MFD_HUGE_16MB"),
	MFD_HUGE(25, "MFD_HUGE_32MB"),
	MFD_HUGE(28, "MFD_HUGE_256MB"),
	MFD_HUGE(29, "MFD_HUGE_512MB"),
	MFD_HUGE(30, "MFD_HUGE_1GB"),
	MFD_HUGE(31, "MFD_HUGE_2GB"),
	MFD_HUGE(34, "MFD_HUGE_16GB"),
};

/* Falco's names for its PPM_EXE_* bits, which VGL_EXE_* equal. */
static const struct vgl_flag_name exe_flags[] = {
	{ VGL_EXE_WRITABLE, VGL_EXE_WRITABLE, "EXE_WRITABLE" },
	{ VGL_EXE_UPPER_LAYER, VGL_EXE_UPPER_LAYER, "EXE_UPPER_LAYER" },
	{ VGL_EXE_FROM_MEMFD, VGL_EXE_FROM_MEMFD, "EXE_FROM_MEMFD" },
	{ VGL_EXE_LOWER_LAYER, VGL_EXE_LOWER_LAYER, "EXE_LOWER_LAYER" },
};

static const struct vgl_flag_name sock_types[] = {
	FIELD(SOCK_STREAM, VGL_SOCK_TYPE_MASK, "SOCK_STREAM"),
	FIELD(SOCK_DGRAM, VGL_SOCK_TYPE_MASK, "SOCK_DGRAM"),
	FIELD(SOCK_RAW, VGL_SOCK_TYPE_MASK, "SOCK_RAW"),
	FIELD(SOCK_RDM, VGL_SOCK_TYPE_MASK, "SOCK_RDM"),
	FIELD(SOCK_SEQPACKET, VGL_SOCK_TYPE_MASK, "SOCK_SEQPACKET"),
	FIELD(SOCK_DCCP, VGL_SOCK_TYPE_MASK, "SOCK_DCCP"),
	FIELD(SOCK_PACKET, VGL_SOCK_TYPE_MASK, "SOCK_PACKET"),
	FLAG(SOCK_NONBLOCK),
	FLAG(SOCK_CLOEXEC),
};

const size_t vgl_clone_flags_n = ARRAY_SIZE(vgl_clone_flags);

#define TABLE(t)                        \
	do {                            \
		*ret_n = ARRAY_SIZE(t); \
		return t;               \
	} while (0)

/* The name table of a plain flag set, or NULL. */
const struct vgl_flag_name *vgl_flag_table(enum vgl_ptype type, size_t *ret_n)
{
	switch (type) {
	case VGL_PT_OFLAGS:
		TABLE(open_flags);
	case VGL_PT_ATFLAGS:
		TABLE(at_flags);
	case VGL_PT_MOUNTFL:
		TABLE(mount_flags);
	case VGL_PT_UMOUNTFL:
		TABLE(umount_flags);
	case VGL_PT_RENAMEFL:
		TABLE(rename_flags);
	case VGL_PT_MEMFDFL:
		TABLE(memfd_flags);
	case VGL_PT_EXEFL:
		TABLE(exe_flags);
	case VGL_PT_SOCKTYPE:
		TABLE(sock_types);
	default:
		return NULL;
	}
}
