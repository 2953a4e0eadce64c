// SPDX-License-Identifier: Apache-2.0
/* Before anything is loaded: may this process load BPF, has the kernel BTF? */
#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <linux/capability.h>

#include "bpf/loader.h"

static bool have_caps(uint64_t need)
{
	struct __user_cap_header_struct hdr = { .version = _LINUX_CAPABILITY_VERSION_3 };
	struct __user_cap_data_struct data[2] = {};
	uint64_t eff;

	if (syscall(SYS_capget, &hdr, data))
		return false;
	eff = data[0].effective | ((uint64_t)data[1].effective << 32);
	return (eff & need) == need;
}

int vgl_bpf_preflight(char *err, size_t errlen)
{
	uint64_t bpf_caps = (1ull << 39) | (1ull << 38); /* CAP_BPF, CAP_PERFMON */

	if (!have_caps(bpf_caps) && !have_caps(1ull << CAP_SYS_ADMIN)) {
		snprintf(err, errlen,
			 "loading BPF programs needs root, or the capabilities CAP_BPF and "
			 "CAP_PERFMON (this process has neither; run as root or grant them)");
		return -EPERM;
	}
	if (access("/sys/kernel/btf/vmlinux", R_OK) != 0) {
		snprintf(err, errlen,
			 "this kernel has no BTF (/sys/kernel/btf/vmlinux: %s): vigil needs a "
			 "kernel >= 5.8 built with CONFIG_DEBUG_INFO_BTF=y",
			 strerror(errno));
		return -ENOTSUP;
	}
	return 0;
}
