/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The capture benchmark's baseline: the least a ring-buffer monitor of opens
 * can do. One fixed 40-byte record per openat (pid, time, result, comm), no
 * arguments, no paths, wakeups batched as vigil batches them. Two hooks:
 * the raw sys_exit tracepoint vigil uses (every syscall runs the program)
 * and the per-syscall sys_exit_openat tracepoint (only openat does).
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>

char LICENSE[] SEC("license") = "GPL";

const volatile __u32 openat_nr = 257;
const volatile __u32 self_tgid = 0;
const volatile __u64 wakeup_bytes_cpu = 32768;

struct record {
	__u64 pid_tgid;
	__u64 ts;
	__s64 ret;
	char comm[16];
};

struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 8 << 20);
} rb SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, __u64);
} unwoken SEC(".maps");

static __always_inline void emit(long ret)
{
	struct record r;
	__u32 zero = 0;
	__u64 *u = bpf_map_lookup_elem(&unwoken, &zero);
	__u64 flags = BPF_RB_NO_WAKEUP;

	r.pid_tgid = bpf_get_current_pid_tgid();
	if ((__u32)(r.pid_tgid >> 32) == self_tgid || !u)
		return;
	r.ts = bpf_ktime_get_boot_ns();
	r.ret = ret;
	bpf_get_current_comm(r.comm, sizeof(r.comm));
	*u += sizeof(r);
	if (*u >= wakeup_bytes_cpu) {
		*u = 0;
		flags = BPF_RB_FORCE_WAKEUP;
	}
	bpf_ringbuf_output(&rb, &r, sizeof(r), flags);
}

SEC("tp_btf/sys_exit")
int BPF_PROG(base_sys_exit, struct pt_regs *regs, long ret)
{
#if defined(__TARGET_ARCH_arm64)
	if ((__u32)regs->syscallno == openat_nr)
#else
	if ((__u32)regs->orig_ax == openat_nr)
#endif
		emit(ret);
	return 0;
}

SEC("tracepoint/syscalls/sys_exit_openat")
int base_exit_openat(struct trace_event_raw_sys_exit *ctx)
{
	emit(ctx->ret);
	return 0;
}
