/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Every map of vigil's BPF object, in one place.
 *
 *	vgl_rb           the ring buffer userspace consumes (size set at load)
 *	vgl_stats        per-CPU, per-kind emit and loss counters
 *	vgl_syscalls     syscall number -> event kind and what to capture; the
 *	                 daemon rewrites it when the rule set changes
 *	vgl_exit_progs   event kind -> argument extractor (tail call target)
 *	vgl_enter        per-thread arguments and old credentials kept from
 *	                 syscall entry for the syscalls that need them
 *	vgl_exec_names   per-thread exec filename copied from the bprm
 *	vgl_exited       processes whose end was already reported
 *	vgl_kstash       per-CPU copy of the name do_filp_open copied
 *	vgl_addrstash    per-thread copy of the address socket_connect / socket_bind
 *	                 saw
 *	vgl_scratch      per-CPU event under construction
 *	vgl_unwoken      per-CPU bytes queued since this CPU woke the reader
 *	vgl_pathbuf      per-CPU buffer for walking dentries
 */
#ifndef VIGIL_BPF_MAPS_H
#define VIGIL_BPF_MAPS_H

/* Load-time settings (rodata). */
const volatile __u32 vgl_self_tgid = 0; /* the daemon: never traced */
/* Batch consumer wakeups: each CPU's share of --wakeup-bytes. */
const volatile __u64 vgl_wakeup_bytes_cpu = 32768;

struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, VGL_RINGBUF_DEFAULT);
} vgl_rb SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, VGL_EV_MAX);
	__type(key, __u32);
	__type(value, struct vgl_kind_stats);
} vgl_stats SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, VGL_SYSCALL_NR_MAX);
	__type(key, __u32);
	__type(value, struct vgl_syscall_cfg);
} vgl_syscalls SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PROG_ARRAY);
	__uint(max_entries, VGL_EV_MAX);
	__type(key, __u32);
	__type(value, __u32);
} vgl_exit_progs SEC(".maps");

struct vgl_enter_stash {
	__u16 kind;
	__u16 pad[3];
	__u64 args[6];
	__u32 ids[8];  /* uid euid suid fsuid gid egid sgid fsgid */
	__u64 caps[3]; /* effective permitted inheritable */
};

struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, 16384);
	__type(key, __u32);
	__type(value, struct vgl_enter_stash);
} vgl_enter SEC(".maps");

struct vgl_exec_name {
	char name[VGL_PATH_MAX];
};

struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, 1024);
	__type(key, __u32);
	__type(value, struct vgl_exec_name);
} vgl_exec_names SEC(".maps");

struct vgl_kstash {
	__u32 tid;
	__u32 len;
	__u64 key; /* user pointer or socket the copy belongs to */
	char data[VGL_KSTASH_MAX];
};

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct vgl_kstash);
} vgl_kstash SEC(".maps");

/* Processes whose end was reported: one report however many threads. */
struct vgl_exit_key {
	__u32 tgid;
	__u32 pad;
	__u64 start; /* the group leader's start time: a reused pid differs */
};

struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, 4096);
	__type(key, struct vgl_exit_key);
	__type(value, __u8);
} vgl_exited SEC(".maps");

/* The socket address the kernel copied for a thread's connect or bind. */
struct vgl_addrstash {
	__u64 key; /* the socket it belongs to */
	__u32 len;
	__u32 pad;
	char data[128];
};

struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, 4096);
	__type(key, __u32);
	__type(value, struct vgl_addrstash);
} vgl_addrstash SEC(".maps");

/* Twice the largest record so that masked offsets always stay inside. */
struct vgl_scratch {
	__u8 buf[2 * VGL_EVENT_MAX];
};

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct vgl_scratch);
} vgl_scratch SEC(".maps");

/* Bytes this CPU queued since it last woke the reader. */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, __u64);
} vgl_unwoken SEC(".maps");

struct vgl_pathbuf {
	char buf[2 * VGL_PATH_MAX];
};

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct vgl_pathbuf);
} vgl_pathbuf SEC(".maps");

#endif /* VIGIL_BPF_MAPS_H */
