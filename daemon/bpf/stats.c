// SPDX-License-Identifier: Apache-2.0
/*
 * What userspace reads back from the BPF side: the per-CPU, per-kind
 * counters (summed by kind, and by CPU for the metrics), and whether the
 * programs are attached.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "bpf/loader.h"
#include "bpf/loader_int.h"
#include "vigil.skel.h"

static void add(struct vgl_kind_stats *to, const struct vgl_kind_stats *from)
{
	to->emitted += from->emitted;
	to->rb_full += from->rb_full;
	to->truncated += from->truncated;
	to->read_failed += from->read_failed;
	to->prefiltered += from->prefiltered;
}

int vgl_bpf_read_stats_cpu(const struct vgl_bpf *b, struct vgl_kind_stats *ret_kinds,
			   struct vgl_kind_stats *ret_cpus, size_t max_cpus)
{
	int fd = bpf_map__fd(b->skel->maps.vgl_stats);
	struct vgl_kind_stats *percpu = calloc(b->ncpus, sizeof(*percpu));
	size_t ncpus = (size_t)b->ncpus < max_cpus ? (size_t)b->ncpus : max_cpus;

	if (!percpu)
		return -ENOMEM;
	memset(ret_kinds, 0, sizeof(*ret_kinds) * VGL_EV_MAX);
	if (ret_cpus)
		memset(ret_cpus, 0, sizeof(*ret_cpus) * ncpus);
	for (uint32_t kind = 0; kind < VGL_EV_MAX; kind++) {
		if (bpf_map_lookup_elem(fd, &kind, percpu))
			continue;
		for (int cpu = 0; cpu < b->ncpus; cpu++) {
			add(&ret_kinds[kind], &percpu[cpu]);
			if (ret_cpus && (size_t)cpu < ncpus)
				add(&ret_cpus[cpu], &percpu[cpu]);
		}
	}
	free(percpu);
	return ret_cpus ? (int)ncpus : 0;
}

int vgl_bpf_read_stats(const struct vgl_bpf *b, struct vgl_kind_stats *ret_stats)
{
	return vgl_bpf_read_stats_cpu(b, ret_stats, NULL, 0);
}

bool vgl_bpf_attached(const struct vgl_bpf *b)
{
	return b && b->attached;
}
