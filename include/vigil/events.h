/* SPDX-License-Identifier: Apache-2.0 */
/*
 * vigil wire format: the single definition of every record that the BPF
 * programs write into the ring buffer and that userspace decodes.
 *
 * A record is
 *
 *	struct vgl_hdr                  fixed, 96 bytes
 *	__u16 len[hdr.nparams]          one length per parameter
 *	parameter bytes                 concatenated, in schema order
 *
 * Parameter encodings (the schema below says which one each parameter has):
 *	numeric types   4 bytes when they sign-extend to the 64-bit value,
 *	                else 8, little-endian (__u64 / __s64); readers take
 *	                1, 2, 4 or 8; wire versions 1 and 2 always sent 8
 *	strings, paths  the bytes including the terminating NUL (len >= 1); a
 *	                path of length 0 (version 3) is the same bytes as the
 *	                record's previous path present (an open's "path" equal
 *	                to its "name", an exec's "exe" equal to its "filename")
 *	argv            the arguments, each NUL-terminated
 *	sockaddr        struct vgl_sockaddr_hdr then the address (see below)
 * A length of VGL_PARAM_ABSENT means the value is unknown (it could not be
 * read); it carries no bytes.
 *
 * This header is included by BPF C (with vmlinux.h already included) and by
 * userspace C (with <linux/types.h>); keep it free of anything else.
 */
#ifndef VIGIL_EVENTS_H
#define VIGIL_EVENTS_H

#ifndef __VMLINUX_H__
#include <linux/types.h>
#endif

#define VGL_WIRE_VERSION 4

/* Limits shared by both sides. */
#define VGL_COMM_LEN	    16
#define VGL_PATH_MAX	    4096   /* one path or string parameter */
#define VGL_ARGV_MAX	    4096   /* all of exec's argv, NUL-separated */
#define VGL_ARGC_MAX	    64	   /* exec arguments read */
#define VGL_ENV_MAX	    4096   /* exec environment, when captured */
#define VGL_PATH_DEPTH_MAX  64	   /* path components walked in the kernel */
#define VGL_EVENT_MAX	    16384  /* whole record, header included */
#define VGL_MAX_PARAMS	    32	   /* parameters of one record (a power of 2) */
#define VGL_PARAM_ABSENT    0xffff /* len[] value: parameter unknown */
#define VGL_SYSCALL_NR_MAX  512	   /* size of the syscall filter map */
#define VGL_RINGBUF_DEFAULT (8u << 20)
#define VGL_SOCKADDR_MAX    112		 /* normalized socket address param */
#define VGL_KSTASH_MAX	    VGL_PATH_MAX /* kernel copy kept between hooks */

/* vgl_hdr.flags */
#define VGL_EVF_TRUNCATED (1u << 0) /* a parameter was cut at its limit */
#define VGL_EVF_USER_ARGS (1u << 1) /* path/address read from user memory */
#define VGL_EVF_THREAD	  (1u << 2) /* clone: the child is a thread */

struct vgl_hdr {
	__u16 kind;  /* enum vgl_kind */
	__u16 flags; /* VGL_EVF_* */
	__u32 size;  /* whole record in bytes, header included */
	__u64 ts;    /* CLOCK_BOOTTIME, nanoseconds */
	__u64 cgroup_id;
	__s64 res; /* syscall result: >= 0 value, < 0 -errno */
	__u32 pid; /* thread group id */
	__u32 tid;
	__u32 ppid; /* real parent's thread group id */
	__u32 uid;
	__u32 gid;
	__u32 euid;
	__u32 egid;
	__u32 loginuid;
	__u32 mntns; /* mount namespace inode number */
	__u32 pidns; /* pid namespace inode number */
	__u16 nparams;
	__u16 pad0;
	__u32 pad1;
	char comm[VGL_COMM_LEN];
};

/* Normalized socket address (VGL_PT_SOCKADDR). */
struct vgl_sockaddr_hdr {
	__u16 family; /* AF_INET 2, AF_INET6 10, AF_UNIX 1, others as is */
	__u16 port;   /* host byte order; 0 for AF_UNIX */
};
/* Followed by: AF_INET 4 address bytes, AF_INET6 16 address bytes (both in
 * network byte order), AF_UNIX the path bytes without a terminating NUL
 * (abstract names keep their leading NUL), nothing for other families. */

/* Parameter types: how the bytes decode and how they print (not on disk:
 * the numeric ones come before VGL_PT_STR). */
enum vgl_ptype {
	VGL_PT_NONE = 0,
	VGL_PT_S64,	  /* signed integer */
	VGL_PT_U64,	  /* unsigned integer */
	VGL_PT_FD,	  /* file descriptor (s64) */
	VGL_PT_PID,	  /* process id (s64) */
	VGL_PT_UID,	  /* user/group id (u64; -1 printed as -1) */
	VGL_PT_MODE,	  /* file mode, printed in octal */
	VGL_PT_OFLAGS,	  /* open(2) flags */
	VGL_PT_ATFLAGS,	  /* AT_* flags */
	VGL_PT_CLONEFL,	  /* CLONE_* flags */
	VGL_PT_MOUNTFL,	  /* MS_* flags */
	VGL_PT_UMOUNTFL,  /* MNT_* umount2 flags */
	VGL_PT_FAMILY,	  /* socket domain AF_* */
	VGL_PT_SOCKTYPE,  /* SOCK_* type and flags */
	VGL_PT_PTRACEREQ, /* ptrace request */
	VGL_PT_BPFCMD,	  /* bpf(2) command */
	VGL_PT_CAPS,	  /* capability mask */
	VGL_PT_RENAMEFL,  /* RENAME_* flags */
	VGL_PT_MEMFDFL,	  /* MFD_* flags */
	VGL_PT_EXEFL,	  /* VGL_EXE_* exec flags */
	VGL_PT_SIGNAL,	  /* signal number */
	VGL_PT_FCNTLCMD,  /* fcntl(2) command */
	VGL_PT_STR,	  /* string */
	VGL_PT_PATH,	  /* file system path */
	VGL_PT_ARGV,	  /* NUL-separated argument list */
	VGL_PT_SOCKADDR,  /* struct vgl_sockaddr_hdr + address */
	VGL_PT_MAX,
};

/*
 * What the kernel knew of the new image when exec returned, appended to both
 * exec kinds (wire version 1 records end before them: decode.c). Named as
 * Falco's execve exit event names them: `flags` are VGL_EXE_* (Falco's
 * PPM_EXE_* values), `tty` is /proc/PID/stat's tty_nr encoding, `exe_ino_*`
 * are nanoseconds since the epoch, `env` is the environment when a rule
 * asks for it (vgl_env_max bytes), else absent; `vpgid` is the process
 * group as the process's own pid namespace numbers it.
 */
// clang-format off
#define VGL_EXEC_P(P)                                                                  \
	P(ARGV, "env") P(U64, "tty") P(EXEFL, "flags") P(CAPS, "cap_inheritable")      \
	P(CAPS, "cap_permitted") P(CAPS, "cap_effective") P(U64, "exe_ino")            \
	P(U64, "exe_ino_ctime") P(U64, "exe_ino_mtime") P(PID, "sid") P(PID, "vpgid")
// clang-format on
#define VGL_EXEC_NPARAMS 11 /* VGL_EXEC_P */

/* The clone family; child_vpid (the child's pid in its own pid namespace) appended in 2. */
#define VGL_CLONE_P(P) \
	P(PID, "child_pid") P(PID, "child_tid") P(CLONEFL, "flags") P(PID, "child_vpid")

/* The capabilities after a set*id call changed them (appended, as above). */
#define VGL_CRED_CAPS_P(P) P(CAPS, "cap_effective") P(CAPS, "cap_permitted")

/*
 * The dup family: the new descriptor's socket when it is an IP one (absent
 * otherwise), read from the kernel, so that its fd.* do not depend on having
 * followed the socket's own calls (appended in 4).
 */
#define VGL_DUP_SOCK_P(P)    P(SOCKADDR, "addr") P(SOCKADDR, "laddr") P(SOCKTYPE, "type")
#define VGL_DUP_SOCK_NPARAMS 3

/* Exec flags (the exec events' `flags`), Falco's PPM_EXE_* bits. */
#define VGL_EXE_WRITABLE    (1u << 0) /* the caller could write the exe */
#define VGL_EXE_UPPER_LAYER (1u << 1) /* overlayfs: the exe is in the upper layer */
#define VGL_EXE_FROM_MEMFD  (1u << 2) /* the exe is a memfd */
#define VGL_EXE_LOWER_LAYER (1u << 3) /* overlayfs: the exe is in a lower layer */

/*
 * The event table: one entry per event kind, with the Falco event name
 * (evt.type) and its parameters (Falco's evt.arg.* names where Falco has
 * them). Adding a syscall means one entry here, its syscall numbers in
 * daemon/bpf/syscalls.c and its argument extractor in bpf/. New kinds go
 * at the end: a kind's number is stored in capture files.
 *
 * VGL_EVENTS(E, P): E(KIND, "name", params) with params a run of
 * P(TYPE, "name").
 */
#define VGL_EVENTS(E, P)                                                                           \
	/* process lifecycle */                                                                    \
	E(EXECVE, "execve",                                                                        \
	  P(PATH, "filename") P(ARGV, "args") P(PATH, "exe") P(PATH, "cwd") VGL_EXEC_P(P))         \
	E(EXECVEAT, "execveat",                                                                    \
	  P(PATH, "filename") P(ARGV, "args") P(PATH, "exe") P(PATH, "cwd") P(FD, "dirfd")         \
		  P(ATFLAGS, "at_flags") VGL_EXEC_P(P))                                            \
	E(CLONE, "clone", VGL_CLONE_P(P))                                                          \
	E(CLONE3, "clone3", VGL_CLONE_P(P))                                                        \
	E(FORK, "fork", VGL_CLONE_P(P))                                                            \
	E(VFORK, "vfork", VGL_CLONE_P(P))                                                          \
	E(PROCEXIT, "procexit", P(S64, "status") P(S64, "ret") P(SIGNAL, "sig") P(U64, "core"))    \
	/* file opens: res is the new fd or -errno */                                              \
	E(OPEN, "open",                                                                            \
	  P(FD, "dirfd") P(PATH, "name") P(PATH, "path") P(OFLAGS, "flags") P(MODE, "mode"))       \
	E(OPENAT, "openat",                                                                        \
	  P(FD, "dirfd") P(PATH, "name") P(PATH, "path") P(OFLAGS, "flags") P(MODE, "mode"))       \
	E(OPENAT2, "openat2",                                                                      \
	  P(FD, "dirfd") P(PATH, "name") P(PATH, "path") P(OFLAGS, "flags") P(MODE, "mode"))       \
	E(CREAT, "creat",                                                                          \
	  P(FD, "dirfd") P(PATH, "name") P(PATH, "path") P(OFLAGS, "flags") P(MODE, "mode"))       \
	/* network */                                                                              \
	E(CONNECT, "connect", P(FD, "fd") P(SOCKADDR, "addr") P(SOCKADDR, "laddr"))                \
	E(ACCEPT, "accept", P(FD, "fd") P(SOCKADDR, "addr") P(SOCKADDR, "laddr"))                  \
	E(ACCEPT4, "accept4",                                                                      \
	  P(FD, "fd") P(SOCKADDR, "addr") P(SOCKADDR, "laddr") P(OFLAGS, "flags"))                 \
	E(BIND, "bind", P(FD, "fd") P(SOCKADDR, "addr"))                                           \
	E(LISTEN, "listen", P(FD, "fd") P(S64, "backlog") P(SOCKADDR, "laddr"))                    \
	E(SOCKET, "socket", P(FAMILY, "domain") P(SOCKTYPE, "type") P(S64, "proto"))               \
	E(SENDTO, "sendto", P(FD, "fd") P(U64, "size") P(SOCKADDR, "addr"))                        \
	E(SENDMSG, "sendmsg", P(FD, "fd") P(U64, "size") P(SOCKADDR, "addr"))                      \
	E(RECVFROM, "recvfrom", P(FD, "fd") P(U64, "size") P(SOCKADDR, "addr"))                    \
	E(RECVMSG, "recvmsg", P(FD, "fd") P(U64, "size") P(SOCKADDR, "addr"))                      \
	/* credentials: old ids are the caller's before the call */                                \
	E(SETUID, "setuid", P(UID, "uid") P(UID, "old_uid") P(UID, "old_euid") VGL_CRED_CAPS_P(P)) \
	E(SETREUID, "setreuid",                                                                    \
	  P(UID, "ruid") P(UID, "euid") P(UID, "old_uid") P(UID, "old_euid") VGL_CRED_CAPS_P(P))   \
	E(SETRESUID, "setresuid",                                                                  \
	  P(UID, "ruid") P(UID, "euid") P(UID, "suid") P(UID, "old_uid") P(UID, "old_euid")        \
		  P(UID, "old_suid") VGL_CRED_CAPS_P(P))                                           \
	E(SETFSUID, "setfsuid", P(UID, "uid") P(UID, "old_fsuid") VGL_CRED_CAPS_P(P))              \
	E(SETGID, "setgid", P(UID, "gid") P(UID, "old_gid") P(UID, "old_egid"))                    \
	E(SETREGID, "setregid",                                                                    \
	  P(UID, "rgid") P(UID, "egid") P(UID, "old_gid") P(UID, "old_egid"))                      \
	E(SETRESGID, "setresgid",                                                                  \
	  P(UID, "rgid") P(UID, "egid") P(UID, "sgid") P(UID, "old_gid") P(UID, "old_egid")        \
		  P(UID, "old_sgid"))                                                              \
	E(SETFSGID, "setfsgid", P(UID, "gid") P(UID, "old_fsgid"))                                 \
	E(CAPSET, "capset",                                                                        \
	  P(CAPS, "cap_effective") P(CAPS, "cap_permitted") P(CAPS, "cap_inheritable")             \
		  P(CAPS, "old_cap_effective") P(CAPS, "old_cap_permitted")                        \
			  P(CAPS, "old_cap_inheritable"))                                          \
	/* file system changes */                                                                  \
	E(UNLINK, "unlink", P(PATH, "path"))                                                       \
	E(UNLINKAT, "unlinkat", P(FD, "dirfd") P(PATH, "name") P(ATFLAGS, "flags"))                \
	E(RENAME, "rename", P(PATH, "oldpath") P(PATH, "newpath"))                                 \
	E(RENAMEAT, "renameat",                                                                    \
	  P(FD, "olddirfd") P(PATH, "oldpath") P(FD, "newdirfd") P(PATH, "newpath"))               \
	E(RENAMEAT2, "renameat2",                                                                  \
	  P(FD, "olddirfd") P(PATH, "oldpath") P(FD, "newdirfd") P(PATH, "newpath")                \
		  P(RENAMEFL, "flags"))                                                            \
	E(RMDIR, "rmdir", P(PATH, "path"))                                                         \
	E(MKDIR, "mkdir", P(PATH, "path") P(MODE, "mode"))                                         \
	E(MKDIRAT, "mkdirat", P(FD, "dirfd") P(PATH, "path") P(MODE, "mode"))                      \
	E(CHMOD, "chmod", P(PATH, "filename") P(MODE, "mode"))                                     \
	E(FCHMOD, "fchmod", P(FD, "fd") P(MODE, "mode"))                                           \
	E(FCHMODAT, "fchmodat", P(FD, "dirfd") P(PATH, "filename") P(MODE, "mode"))                \
	E(SYMLINK, "symlink", P(PATH, "target") P(PATH, "linkpath"))                               \
	E(SYMLINKAT, "symlinkat", P(PATH, "target") P(FD, "linkdirfd") P(PATH, "linkpath"))        \
	E(LINK, "link", P(PATH, "oldpath") P(PATH, "newpath"))                                     \
	E(LINKAT, "linkat",                                                                        \
	  P(FD, "olddir") P(PATH, "oldpath") P(FD, "newdir") P(PATH, "newpath")                    \
		  P(ATFLAGS, "flags"))                                                             \
	/* descriptors, processes, kernel */                                                       \
	/* the dup family: then the new descriptor's socket, when it is an IP one */               \
	E(DUP, "dup", P(FD, "oldfd") VGL_DUP_SOCK_P(P))                                            \
	E(DUP2, "dup2", P(FD, "oldfd") P(FD, "newfd") VGL_DUP_SOCK_P(P))                           \
	E(DUP3, "dup3", P(FD, "oldfd") P(FD, "newfd") P(OFLAGS, "flags") VGL_DUP_SOCK_P(P))        \
	E(PTRACE, "ptrace", P(PTRACEREQ, "request") P(PID, "pid"))                                 \
	E(INIT_MODULE, "init_module", P(U64, "length") P(STR, "uargs"))                            \
	E(FINIT_MODULE, "finit_module", P(FD, "fd") P(STR, "uargs") P(U64, "flags"))               \
	E(SETNS, "setns", P(FD, "fd") P(CLONEFL, "nstype"))                                        \
	E(UNSHARE, "unshare", P(CLONEFL, "flags"))                                                 \
	E(BPF, "bpf", P(BPFCMD, "cmd"))                                                            \
	E(USERFAULTFD, "userfaultfd", P(OFLAGS, "flags"))                                          \
	E(MEMFD_CREATE, "memfd_create", P(STR, "name") P(MEMFDFL, "flags"))                        \
	E(MOUNT, "mount", P(PATH, "dev") P(PATH, "dir") P(STR, "type") P(MOUNTFL, "flags"))        \
	E(UMOUNT2, "umount2", P(PATH, "name") P(UMOUNTFL, "flags"))                                \
	/* descriptors the fd tracker follows (appended: kind numbers are on disk); */             \
	/* fcntl only for F_DUPFD / F_DUPFD_CLOEXEC, close only of an IP socket */                 \
	E(FCNTL, "fcntl", P(FD, "fd") P(FCNTLCMD, "cmd"))                                          \
	E(CLOSE, "close", P(FD, "fd"))                                                             \
	E(PIPE, "pipe", P(FD, "fd1") P(FD, "fd2"))                                                 \
	E(PIPE2, "pipe2", P(FD, "fd1") P(FD, "fd2") P(OFLAGS, "flags"))                            \
	E(SOCKETPAIR, "socketpair",                                                                \
	  P(FAMILY, "domain") P(SOCKTYPE, "type") P(S64, "proto") P(FD, "fd1") P(FD, "fd2"))       \
	/* no syscall: raised by userspace once per new container (state/ctrnews.c) */             \
	E(CONTAINER, "container", P(STR, "id") P(STR, "type"))

#define VGL_E_ENUM(kind, name, params) VGL_EV_##kind,
#define VGL_P_NONE(type, name)
enum vgl_kind {
	VGL_EV_UNKNOWN = 0,
	VGL_EVENTS(VGL_E_ENUM, VGL_P_NONE) VGL_EV_MAX,
};

/* Per-kind counters, one slot per kind in the per-CPU "vgl_stats" map. */
struct vgl_kind_stats {
	__u64 emitted;	   /* records written to the ring buffer */
	__u64 rb_full;	   /* lost: ring buffer had no room */
	__u64 truncated;   /* delivered with a parameter cut at its limit */
	__u64 read_failed; /* delivered with a parameter unreadable (absent) */
	__u64 prefiltered; /* dropped by the prefilter: no loaded rule can match it */
};

/* Values of the "vgl_syscalls" filter map, indexed by syscall number. */
#define VGL_SC_EMIT  (1u << 0) /* emit an event from tp_btf/sys_exit */
#define VGL_SC_STASH (1u << 1) /* keep the entry arguments and old creds */
#define VGL_SC_TP    (1u << 2) /* emit from its own sys_exit_<name> tracepoint */
struct vgl_syscall_cfg {
	__u16 kind;  /* enum vgl_kind of the event to emit */
	__u16 flags; /* VGL_SC_* */
};

_Static_assert(sizeof(struct vgl_hdr) == 96, "vgl_hdr is part of the wire format");
_Static_assert(sizeof(struct vgl_sockaddr_hdr) == 4, "vgl_sockaddr_hdr layout");
_Static_assert(sizeof(struct vgl_kind_stats) == 40, "vgl_kind_stats layout");
_Static_assert(sizeof(struct vgl_syscall_cfg) == 4, "vgl_syscall_cfg layout");
_Static_assert(VGL_EV_MAX < 128, "kind fits the stats map");

#endif /* VIGIL_EVENTS_H */
