// SPDX-License-Identifier: Apache-2.0
/* What userspace reads back from the BPF side: the per-CPU, per-kind counters. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "bpf/loader.h"
#include "bpf/loader_int.h"
#include "vigil.skel.h"

int vgl_bpf_read_stats(const struct vgl_bpf *b, struct vgl_kind_stats *ret_stats)
{
	int fd = bpf_map__fd(b->skel->maps.vgl_stats);
	struct vgl_kind_stats *percpu = calloc(b->ncpus, sizeof(*percpu));

	if (!percpu)
		return -ENOMEM;
	memset(ret_stats, 0, sizeof(*ret_stats) * VGL_EV_MAX);
	for (uint32_t kind = 0; kind < VGL_EV_MAX; kind++) {
		if (bpf_map_lookup_elem(fd, &kind, percpu))
			continue;
		for (int cpu = 0; cpu < b->ncpus; cpu++) {
			ret_stats[kind].emitted += percpu[cpu].emitted;
			ret_stats[kind].rb_full += percpu[cpu].rb_full;
			ret_stats[kind].truncated += percpu[cpu].truncated;
			ret_stats[kind].read_failed += percpu[cpu].read_failed;
		}
	}
	free(percpu);
	return 0;
}
