/* SPDX-License-Identifier: Apache-2.0 */
/*
 * vigil's BPF object: one compilation unit built from one file per concern,
 * layered read -> build -> emit. Which programs load is decided at runtime
 * by the daemon (daemon/bpf/hooks.c); the maps are documented in maps.h.
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>
#include <bpf/bpf_core_read.h>
#include <bpf/bpf_endian.h>

#include "vigil/events.h"
#include "vigil/prefilter.h"

#include "maps.h"
#include "read.h"
#include "emit.h"
#include "path.h"
#include "execinfo.h"
#include "sockaddr.h"

#include "syscall.bpf.c"
#include "proc.bpf.c"
#include "file.bpf.c"
#include "net.bpf.c"
#include "cred.bpf.c"
#include "misc.bpf.c"

char LICENSE[] SEC("license") = "Dual BSD/GPL";
