// SPDX-License-Identifier: Apache-2.0
/*
 * Names of single values: signals, socket domains, ptrace requests, bpf(2)
 * and fcntl(2) commands and capabilities. errno names are in names_errno.c.
 */
#define _GNU_SOURCE
#include <linux/bpf.h>
#include <fcntl.h>
#include <linux/capability.h>
#include <signal.h>
#include <sys/ptrace.h>
#include <sys/socket.h>

#include "output/names.h"

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))
#define NAME(x)	      [x] = #x

struct value_name {
	int64_t value;
	const char *name;
};

static const char *lookup(const char *const *table, size_t n, int64_t v)
{
	if (v < 0 || (uint64_t)v >= n)
		return NULL;
	return table[v];
}

static const char *const signal_names[] = {
	NAME(SIGHUP),	 NAME(SIGINT),	 NAME(SIGQUIT), NAME(SIGILL),  NAME(SIGTRAP),
	NAME(SIGABRT),	 NAME(SIGBUS),	 NAME(SIGFPE),	NAME(SIGKILL), NAME(SIGUSR1),
	NAME(SIGSEGV),	 NAME(SIGUSR2),	 NAME(SIGPIPE), NAME(SIGALRM), NAME(SIGTERM),
#ifdef SIGSTKFLT
	NAME(SIGSTKFLT),
#endif
	NAME(SIGCHLD),	 NAME(SIGCONT),	 NAME(SIGSTOP), NAME(SIGTSTP), NAME(SIGTTIN),
	NAME(SIGTTOU),	 NAME(SIGURG),	 NAME(SIGXCPU), NAME(SIGXFSZ), NAME(SIGVTALRM),
	NAME(SIGPROF),	 NAME(SIGWINCH), NAME(SIGIO),	NAME(SIGPWR),  NAME(SIGSYS),
};

const char *vgl_signal_name(int64_t sig)
{
	return lookup(signal_names, ARRAY_SIZE(signal_names), sig);
}

static const char *const family_names[] = {
	NAME(AF_UNSPEC),     NAME(AF_UNIX),	 NAME(AF_INET),	    NAME(AF_AX25),
	NAME(AF_IPX),	     NAME(AF_APPLETALK), NAME(AF_NETROM),   NAME(AF_BRIDGE),
	NAME(AF_ATMPVC),     NAME(AF_X25),	 NAME(AF_INET6),    NAME(AF_ROSE),
	NAME(AF_DECnet),     NAME(AF_NETBEUI),	 NAME(AF_SECURITY), NAME(AF_KEY),
	NAME(AF_NETLINK),    NAME(AF_PACKET),	 NAME(AF_ASH),	    NAME(AF_ECONET),
	NAME(AF_ATMSVC),     NAME(AF_RDS),	 NAME(AF_SNA),	    NAME(AF_IRDA),
	NAME(AF_PPPOX),	     NAME(AF_WANPIPE),	 NAME(AF_LLC),	    NAME(AF_IB),
	NAME(AF_MPLS),	     NAME(AF_CAN),	 NAME(AF_TIPC),	    NAME(AF_BLUETOOTH),
	NAME(AF_IUCV),	     NAME(AF_RXRPC),	 NAME(AF_ISDN),	    NAME(AF_PHONET),
	NAME(AF_IEEE802154), NAME(AF_CAIF),	 NAME(AF_ALG),	    NAME(AF_NFC),
	NAME(AF_VSOCK),	     NAME(AF_KCM),	 NAME(AF_QIPCRTR),  NAME(AF_SMC),
#ifdef AF_XDP
	NAME(AF_XDP),
#endif
#ifdef AF_MCTP
	NAME(AF_MCTP),
#endif
};

const char *vgl_family_name(int64_t family)
{
	return lookup(family_names, ARRAY_SIZE(family_names), family);
}

#define REQ(r)        \
	{             \
		r, #r \
	}

/* Requests differ between architectures: list what this one's headers have. */
static const struct value_name ptrace_names[] = {
	REQ(PTRACE_TRACEME),
	REQ(PTRACE_PEEKTEXT),
	REQ(PTRACE_PEEKDATA),
	REQ(PTRACE_PEEKUSER),
	REQ(PTRACE_POKETEXT),
	REQ(PTRACE_POKEDATA),
	REQ(PTRACE_POKEUSER),
	REQ(PTRACE_CONT),
	REQ(PTRACE_KILL),
	REQ(PTRACE_SINGLESTEP),
#ifdef PTRACE_GETREGS
	REQ(PTRACE_GETREGS),
	REQ(PTRACE_SETREGS),
#endif
#ifdef PTRACE_GETFPREGS
	REQ(PTRACE_GETFPREGS),
	REQ(PTRACE_SETFPREGS),
#endif
	REQ(PTRACE_ATTACH),
	REQ(PTRACE_DETACH),
#ifdef PTRACE_GETFPXREGS
	REQ(PTRACE_GETFPXREGS),
	REQ(PTRACE_SETFPXREGS),
#endif
	REQ(PTRACE_SYSCALL),
#ifdef PTRACE_GET_THREAD_AREA
	REQ(PTRACE_GET_THREAD_AREA),
	REQ(PTRACE_SET_THREAD_AREA),
#endif
#ifdef PTRACE_ARCH_PRCTL
	REQ(PTRACE_ARCH_PRCTL),
#endif
#ifdef PTRACE_SYSEMU
	REQ(PTRACE_SYSEMU),
	REQ(PTRACE_SYSEMU_SINGLESTEP),
#endif
#ifdef PTRACE_SINGLEBLOCK
	REQ(PTRACE_SINGLEBLOCK),
#endif
	REQ(PTRACE_SETOPTIONS),
	REQ(PTRACE_GETEVENTMSG),
	REQ(PTRACE_GETSIGINFO),
	REQ(PTRACE_SETSIGINFO),
	REQ(PTRACE_GETREGSET),
	REQ(PTRACE_SETREGSET),
	REQ(PTRACE_SEIZE),
	REQ(PTRACE_INTERRUPT),
	REQ(PTRACE_LISTEN),
	REQ(PTRACE_PEEKSIGINFO),
	REQ(PTRACE_GETSIGMASK),
	REQ(PTRACE_SETSIGMASK),
	REQ(PTRACE_SECCOMP_GET_FILTER),
#ifdef PTRACE_SECCOMP_GET_METADATA
	REQ(PTRACE_SECCOMP_GET_METADATA),
#endif
#ifdef PTRACE_GET_SYSCALL_INFO
	REQ(PTRACE_GET_SYSCALL_INFO),
#endif
#ifdef PTRACE_GET_RSEQ_CONFIGURATION
	REQ(PTRACE_GET_RSEQ_CONFIGURATION),
#endif
};

const char *vgl_ptrace_req_name(int64_t req)
{
	for (size_t i = 0; i < ARRAY_SIZE(ptrace_names); i++) {
		if (ptrace_names[i].value == req)
			return ptrace_names[i].name;
	}
	return NULL;
}

/* The commands vigil captures (the two that duplicate a descriptor). */
const char *vgl_fcntl_cmd_name(int64_t cmd)
{
	switch (cmd) {
	case F_DUPFD:
		return "F_DUPFD";
	case F_DUPFD_CLOEXEC:
		return "F_DUPFD_CLOEXEC";
	default:
		return NULL;
	}
}

/* enum bpf_cmd is append-only ABI; newer commands than the host headers by number. */
static const char *const bpf_cmd_names[] = {
	NAME(BPF_MAP_CREATE),	     NAME(BPF_MAP_LOOKUP_ELEM),
	NAME(BPF_MAP_UPDATE_ELEM),   NAME(BPF_MAP_DELETE_ELEM),
	NAME(BPF_MAP_GET_NEXT_KEY),  NAME(BPF_PROG_LOAD),
	NAME(BPF_OBJ_PIN),	     NAME(BPF_OBJ_GET),
	NAME(BPF_PROG_ATTACH),	     NAME(BPF_PROG_DETACH),
	NAME(BPF_PROG_TEST_RUN),     NAME(BPF_PROG_GET_NEXT_ID),
	NAME(BPF_MAP_GET_NEXT_ID),   NAME(BPF_PROG_GET_FD_BY_ID),
	NAME(BPF_MAP_GET_FD_BY_ID),  NAME(BPF_OBJ_GET_INFO_BY_FD),
	NAME(BPF_PROG_QUERY),	     NAME(BPF_RAW_TRACEPOINT_OPEN),
	NAME(BPF_BTF_LOAD),	     NAME(BPF_BTF_GET_FD_BY_ID),
	NAME(BPF_TASK_FD_QUERY),     NAME(BPF_MAP_LOOKUP_AND_DELETE_ELEM),
	NAME(BPF_MAP_FREEZE),	     NAME(BPF_BTF_GET_NEXT_ID),
	NAME(BPF_MAP_LOOKUP_BATCH),  NAME(BPF_MAP_LOOKUP_AND_DELETE_BATCH),
	NAME(BPF_MAP_UPDATE_BATCH),  NAME(BPF_MAP_DELETE_BATCH),
	NAME(BPF_LINK_CREATE),	     NAME(BPF_LINK_UPDATE),
	NAME(BPF_LINK_GET_FD_BY_ID), NAME(BPF_LINK_GET_NEXT_ID),
	NAME(BPF_ENABLE_STATS),	     NAME(BPF_ITER_CREATE),
	NAME(BPF_LINK_DETACH),	     NAME(BPF_PROG_BIND_MAP),
	[36] = "BPF_TOKEN_CREATE", /* Linux 6.9 */
};

_Static_assert(BPF_PROG_BIND_MAP == 35, "enum bpf_cmd numbering");

const char *vgl_bpf_cmd_name(int64_t cmd)
{
	return lookup(bpf_cmd_names, ARRAY_SIZE(bpf_cmd_names), cmd);
}

/* Bit n of a capability mask is capability n. */
static const char *const cap_names[] = {
	NAME(CAP_CHOWN),
	NAME(CAP_DAC_OVERRIDE),
	NAME(CAP_DAC_READ_SEARCH),
	NAME(CAP_FOWNER),
	NAME(CAP_FSETID),
	NAME(CAP_KILL),
	NAME(CAP_SETGID),
	NAME(CAP_SETUID),
	NAME(CAP_SETPCAP),
	NAME(CAP_LINUX_IMMUTABLE),
	NAME(CAP_NET_BIND_SERVICE),
	NAME(CAP_NET_BROADCAST),
	NAME(CAP_NET_ADMIN),
	NAME(CAP_NET_RAW),
	NAME(CAP_IPC_LOCK),
	NAME(CAP_IPC_OWNER),
	NAME(CAP_SYS_MODULE),
	NAME(CAP_SYS_RAWIO),
	NAME(CAP_SYS_CHROOT),
	NAME(CAP_SYS_PTRACE),
	NAME(CAP_SYS_PACCT),
	NAME(CAP_SYS_ADMIN),
	NAME(CAP_SYS_BOOT),
	NAME(CAP_SYS_NICE),
	NAME(CAP_SYS_RESOURCE),
	NAME(CAP_SYS_TIME),
	NAME(CAP_SYS_TTY_CONFIG),
	NAME(CAP_MKNOD),
	NAME(CAP_LEASE),
	NAME(CAP_AUDIT_WRITE),
	NAME(CAP_AUDIT_CONTROL),
	NAME(CAP_SETFCAP),
	NAME(CAP_MAC_OVERRIDE),
	NAME(CAP_MAC_ADMIN),
	NAME(CAP_SYSLOG),
	NAME(CAP_WAKE_ALARM),
	NAME(CAP_BLOCK_SUSPEND),
	NAME(CAP_AUDIT_READ),
	NAME(CAP_PERFMON),
	NAME(CAP_BPF),
	NAME(CAP_CHECKPOINT_RESTORE),
};

_Static_assert(CAP_CHECKPOINT_RESTORE == 40, "capability numbering");

const char *vgl_cap_name(int64_t cap)
{
	return lookup(cap_names, ARRAY_SIZE(cap_names), cap);
}
