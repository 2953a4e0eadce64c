/* SPDX-License-Identifier: Apache-2.0 */
/*
 * What the rule engine asks of the state tracker (issue 4): process,
 * container, user and descriptor views by id. Every callback may be NULL and
 * may return NULL; the fields that need the missing information are then
 * unknown for the event (comparisons false, output "<NA>"), as in Falco.
 *
 * Returned pointers must stay valid until the evaluation of the current event
 * (vgl_ruleset_eval() and its callbacks) returns. Strings are NUL-terminated;
 * NULL members mean "unknown".
 *
 * Versions are for a capture (capture/recorder.h), which writes a view only
 * when it changed: a view's version differs whenever its content does and
 * never repeats, for any key (a process with a reused pid gets a new one).
 * 0 means "not tracked": the recorder then writes the view every time.
 */
#ifndef VIGIL_RULES_STATE_H
#define VIGIL_RULES_STATE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct vgl_proc_view {
	uint32_t pid;
	uint32_t ppid;	     /* 0 when unknown */
	uint32_t vpid;	     /* pid in its own pid namespace; 0 when unknown */
	uint32_t sid;	     /* session leader pid; 0 when unknown */
	uint32_t vpgid;	     /* process group id in its namespace; 0 when unknown */
	const char *name;    /* comm */
	const char *exe;     /* argv[0] */
	const char *exepath; /* resolved executable path */
	const char *args;    /* argv[1..], NUL-separated, args_len bytes */
	size_t args_len;
	const char *cwd;
	const char *env; /* NUL-separated KEY=VALUE, env_len bytes */
	size_t env_len;
	int64_t tty;	  /* controlling tty device number, 0 when none, -1 unknown */
	int64_t start_ts; /* ns, same clock as event timestamps; 0 unknown */
	bool caps_known;
	uint64_t cap_permitted;
	uint64_t cap_effective;
	uint64_t cap_inheritable;
	bool exe_upper_layer; /* executable from a container's writable layer */
	bool exe_from_memfd;
	uint64_t version;      /* of everything above */
	uint64_t lazy_version; /* of the proc_env() and exe_upper_layer() answers */
};

struct vgl_label {
	char *key;
	char *value;
};

struct vgl_mount_view {
	const char *source;
	const char *dest;
	const char *mode;
	bool rw;
	const char *propagation;
};

/*
 * A container's security posture (container.cap_effective, .readonly_rootfs,
 * ...): the kernel's view of one of its processes where it was read, else the
 * runtime's state. @known says which members are known; booleans are bits of
 * @set; NULL strings are unknown.
 */
enum {
	VGL_PST_CAPS = 1u << 0,
	VGL_PST_UID = 1u << 1,
	VGL_PST_RO_ROOTFS = 1u << 2,
	VGL_PST_MEMORY = 1u << 3,
	VGL_PST_CPU = 1u << 4,
	VGL_PST_PIDS = 1u << 5,
	VGL_PST_NNP = 1u << 6,
	VGL_PST_HOST_NET = 1u << 7,
	VGL_PST_HOST_PID = 1u << 8,
	VGL_PST_HOST_IPC = 1u << 9,
	VGL_PST_USERNS = 1u << 10,
	VGL_PST_ALL = (1u << 11) - 1,
};

/*
 * The capabilities Docker and containerd give a container by default:
 * CHOWN DAC_OVERRIDE FOWNER FSETID KILL SETGID SETUID SETPCAP
 * NET_BIND_SERVICE NET_RAW SYS_CHROOT MKNOD AUDIT_WRITE SETFCAP.
 */
#define VGL_CAPS_RUNTIME_DEFAULT 0xa80425fbull

struct vgl_ctr_posture {
	uint32_t known; /* VGL_PST_* */
	uint32_t set;	/* VGL_PST_* booleans that are true */
	uint64_t cap_effective;
	int64_t uid;
	int64_t memory_limit; /* bytes, 0 none */
	int64_t cpu_limit;    /* millicpus, 0 none */
	int64_t pids_limit;   /* 0 none */
	const char *user;     /* as configured, "" none given */
	const char *seccomp;
	const char *apparmor;
	const char *selinux;
	const char *ip; /* comma-separated */
};

struct vgl_container_view {
	const char *id; /* "host" for the host */
	const char *name;
	const char *type;
	const char *image;
	const char *image_id;
	const char *image_repository;
	const char *image_tag;
	const char *image_digest;
	bool privileged_known;
	bool privileged;
	int64_t start_ts;
	const struct vgl_mount_view *mounts;
	size_t nmounts;
	const char *k8s_ns_name;
	const char *k8s_pod_name;
	const char *k8s_pod_uid;
	const struct vgl_label *pod_labels; /* sorted by key; NULL unknown */
	size_t npod_labels;
	struct vgl_ctr_posture posture;
	uint64_t version;
};

/* One end of an IP socket: fam 4 or 6 (ip: the first 4 bytes for 4); 0 unknown. */
struct vgl_fd_end {
	uint8_t fam;
	uint16_t port;	/* host byte order */
	uint8_t ip[16]; /* network byte order */
};

struct vgl_fd_view {
	char typechar; /* 'f' file, '4' '6' ip sockets, 'u' unix, ... 0 unknown */
	const char *name;
	const char *l4proto; /* "tcp" "udp" "raw" "icmp"; NULL unknown */
	bool connected;
	uint64_t version;
	/*
	 * IP sockets the state tracker followed from their socket events
	 * (fd.sip, fd.lport, ... of a dup): the ends, and whether the local
	 * one is the server's (accepted, bound). Unknown (zero) for views read
	 * from /proc. A capture records them (FD_ADDR).
	 */
	struct vgl_fd_end local, remote;
	bool local_is_server;
};

/* Bytes of a config file config_file() returns, at most. */
#define VGL_STATE_CONFIG_FILE_MAX (64 * 1024)

/* The executable file of a process (proc.exe_ino*). */
struct vgl_exe_stat {
	uint64_t ino;
	int64_t ctime_ns; /* ns since the epoch */
	int64_t mtime_ns;
};

struct vgl_field_state_ops {
	const struct vgl_proc_view *(*proc)(void *state, uint32_t pid);
	const struct vgl_container_view *(*container)(void *state, uint64_t cgroup_id,
						      uint32_t pid);
	/* Names as seen by @pid (its container's passwd/group when it has one). */
	const char *(*user_name)(void *state, uint32_t uid, uint32_t pid);
	const char *(*group_name)(void *state, uint32_t gid, uint32_t pid);
	const char *(*user_home)(void *state, uint32_t uid, uint32_t pid);
	const char *(*user_shell)(void *state, uint32_t uid, uint32_t pid);
	const struct vgl_fd_view *(*fd)(void *state, uint32_t pid, int64_t fd);
	const char *(*hostname)(void *state);
	/* proc.env of @pid: NUL-separated KEY=VALUE, *ret_len bytes; NULL unknown. */
	const char *(*proc_env)(void *state, uint32_t pid, size_t *ret_len);
	/* proc.is_exe_upper_layer of @pid: 1, 0, or -1 unknown. */
	int (*exe_upper_layer)(void *state, uint32_t pid);
	/*
	 * proc.exe_ino*: the inode and times of @pid's executable now; false
	 * unknown (the process is gone). A capture records a rule's answers (EXE).
	 */
	bool (*exe_stat)(void *state, uint32_t pid, struct vgl_exe_stat *ret);
	/*
	 * docker.daemon.*: the bytes of the config file @path (absolute) as
	 * process @pid sees it, at most VGL_STATE_CONFIG_FILE_MAX of them, in
	 * *@ret_len; read once per process and path. NULL with *@ret_err
	 * -ENOENT (no such file), -EFBIG (too large) or another -errno
	 * (unknown). A capture records a rule's answers (CONFIG).
	 */
	const char *(*config_file)(void *state, uint32_t pid, const char *path, size_t *ret_len,
				   int *ret_err);
	/*
	 * For a capture's change detection (may be NULL): the container id whose
	 * passwd and group answer user_* and group_name for @pid ("host": the
	 * host's), and in *@ret_version a number that changes whenever any of
	 * those answers may (0: not tracked).
	 */
	const char *(*users_of)(void *state, uint32_t pid, uint64_t *ret_version);
	/*
	 * For a capture's fast path (may be NULL): a number that differs
	 * whenever an answer proc, container, proc_env or exe_upper_layer gave
	 * (but NULL, or -1 for the upper layer) or users_of's version may
	 * differ now, asked again or not; 0: not tracked. Not for fd, whose
	 * answers a capture asks for every event.
	 */
	uint64_t (*changes)(void *state);
};

#endif /* VIGIL_RULES_STATE_H */
