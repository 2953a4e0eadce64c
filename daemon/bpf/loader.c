// SPDX-License-Identifier: Apache-2.0
/*
 * The BPF object's life: open and configure the skeleton, load it with the
 * kernel's BTF, attach and re-sync the hooks as the wanted kinds change,
 * destroy. Preflight checks are in preflight.c, the tracepoint choice in
 * tracepoints.c, the -v text in describe.c, hook probing in hooks.c.
 */
#define _GNU_SOURCE /* memfd_create */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include <bpf/bpf.h>
#include <bpf/btf.h>
#include <bpf/libbpf.h>

#include "bpf/loader.h"
#include "bpf/loader_int.h"
#include "decode/event.h"
#include "vigil.skel.h"

#define VGL_RINGBUF_MIN	  4096u
#define VGL_RINGBUF_LIMIT (1u << 30)

bool vgl_bpf_ringbuf_size_ok(uint64_t size)
{
	return size >= VGL_RINGBUF_MIN && size <= VGL_RINGBUF_LIMIT && (size & (size - 1)) == 0;
}

static int configure(struct vgl_bpf *b, const struct vgl_bpf_opts *opts, char *err, size_t errlen)
{
	int ret = bpf_map__set_max_entries(b->skel->maps.vgl_rb, opts->ringbuf_size);

	if (ret) {
		snprintf(err, errlen, "ring buffer size %u: %s", opts->ringbuf_size,
			 strerror(-ret));
		return ret;
	}
	b->skel->rodata->vgl_self_tgid = (uint32_t)getpid();
	/* each CPU wakes the reader after its share: at most this much waits */
	b->skel->rodata->vgl_wakeup_bytes_cpu = opts->wakeup_bytes / (uint64_t)b->ncpus ?: 1;
	vgl_hooks_choose(b->skel, b->vmlinux, &b->hooks);
	return 0;
}

/* Point every kind's slot of the tail-call map at its extractor program. */
static int fill_exit_progs(struct vgl_bpf *b, char *err, size_t errlen)
{
	int map_fd = bpf_map__fd(b->skel->maps.vgl_exit_progs);
	char name[64];

	for (uint32_t kind = 1; kind < VGL_EV_MAX; kind++) {
		struct bpf_program *prog;
		int prog_fd;

		if (!vgl_kind_has_extractor(kind) || !vgl_kind_has_syscall(kind))
			continue;
		snprintf(name, sizeof(name), "vgl_x_%s", vgl_kind_info[kind].name);
		prog = bpf_object__find_program_by_name(b->skel->obj, name);
		if (prog && !bpf_program__autoload(prog))
			continue; /* its syscalls all have their own tracepoint */
		prog_fd = prog ? bpf_program__fd(prog) : -1;
		if (prog_fd < 0) {
			snprintf(err, errlen, "no loaded BPF extractor %s for event %s", name,
				 vgl_kind_info[kind].name);
			return -ENOENT;
		}
		if (bpf_map_update_elem(map_fd, &kind, &prog_fd, BPF_ANY)) {
			snprintf(err, errlen, "tail-call map update for %s: %s", name,
				 strerror(errno));
			return -errno;
		}
	}
	return 0;
}

/*
 * Each kind's extractor comes as vgl_x_<name>, tail-called by vgl_sys_exit,
 * and vgl_xt_<name>, attached to tracepoints by sync_exit(): load the ones
 * this kernel's syscalls need. Those of syscalls this architecture lacks
 * (arm64: open, rename...) are not loaded at all.
 */
static void prepare_extractors(struct vgl_bpf *b)
{
	bool any_raw = false;
	char name[64];

	for (uint32_t kind = 1; kind < VGL_EV_MAX; kind++) {
		struct bpf_program *x, *xt;
		bool raw = false, tp = false;

		if (!vgl_kind_has_extractor(kind))
			continue;
		for (size_t i = 0; i < vgl_syscall_slots(); i++) {
			if (vgl_syscall_slot(i, NULL) != kind)
				continue;
			if (b->exit_tp && b->on_tp[i])
				tp = true;
			else
				raw = true;
		}
		snprintf(name, sizeof(name), "vgl_x_%s", vgl_kind_info[kind].name);
		x = bpf_object__find_program_by_name(b->skel->obj, name);
		snprintf(name, sizeof(name), "vgl_xt_%s", vgl_kind_info[kind].name);
		xt = bpf_object__find_program_by_name(b->skel->obj, name);
		if (x) {
			bpf_program__set_autoattach(x, false);
			bpf_program__set_autoload(x, raw);
		}
		if (xt) {
			bpf_program__set_autoattach(xt, false);
			bpf_program__set_autoload(xt, tp);
		}
		any_raw = any_raw || raw;
	}
	bpf_program__set_autoload(b->skel->progs.vgl_sys_exit, !b->exit_tp || any_raw);
	/* with per-syscall tracepoints, attached by sync_exit() while needed */
	bpf_program__set_autoattach(b->skel->progs.vgl_sys_exit, !b->exit_tp);
}

/*
 * Parse the kernel's BTF once and keep a copy in a memfd for libbpf's CO-RE
 * relocation: /sys/kernel/btf/vmlinux can take seconds to read.
 */
static int load_vmlinux_btf(struct vgl_bpf *b, char *err, size_t errlen)
{
	const void *raw;
	uint32_t size;

	b->vmlinux = btf__load_vmlinux_btf();
	if (!b->vmlinux) {
		snprintf(err, errlen, "cannot read the kernel's BTF: %s", strerror(errno));
		return -errno;
	}
	raw = btf__raw_data(b->vmlinux, &size);
	b->btf_fd = memfd_create("vigil-vmlinux-btf", MFD_CLOEXEC);
	if (!raw || b->btf_fd < 0 || write(b->btf_fd, raw, size) != (ssize_t)size) {
		snprintf(err, errlen, "cannot keep a copy of the kernel's BTF: %s",
			 strerror(errno));
		return -EIO;
	}
	return 0;
}

static int open_skeleton(struct vgl_bpf *b, char *err, size_t errlen)
{
	char path[64];

	snprintf(path, sizeof(path), "/proc/self/fd/%d", b->btf_fd);
	LIBBPF_OPTS(bpf_object_open_opts, opts, .btf_custom_path = path);
	b->skel = vigil_bpf__open_opts(&opts);
	if (!b->skel || b->ncpus <= 0) {
		snprintf(err, errlen, "cannot open the BPF object: %s", strerror(errno));
		return errno ? -errno : -EINVAL;
	}
	return 0;
}

int vgl_bpf_load(const struct vgl_bpf_opts *opts, struct vgl_bpf **ret_bpf, char *err,
		 size_t errlen)
{
	struct vgl_bpf *b = calloc(1, sizeof(*b));
	int ret;

	if (!b)
		return -ENOMEM;
	b->btf_fd = -1;
	b->ncpus = libbpf_num_possible_cpus();
	ret = load_vmlinux_btf(b, err, errlen);
	if (ret)
		goto out_destroy;
	ret = open_skeleton(b, err, errlen);
	if (ret)
		goto out_destroy;
	ret = configure(b, opts, err, errlen);
	if (!ret)
		ret = vgl_tp_choose_exit(b, opts->syscall_hook, err, errlen);
	if (ret)
		goto out_destroy;
	prepare_extractors(b);
	ret = vigil_bpf__load(b->skel);
	if (ret) {
		snprintf(err, errlen,
			 "the kernel rejected vigil's BPF programs: %s (run with -v -v for the "
			 "verifier's log)",
			 strerror(-ret));
		goto out_destroy;
	}
	ret = fill_exit_progs(b, err, errlen);
	if (ret)
		goto out_destroy;
	b->have_task_regs =
		libbpf_probe_bpf_helper(BPF_PROG_TYPE_KPROBE, BPF_FUNC_task_pt_regs, NULL) == 1;
	b->need_enter = true;
	*ret_bpf = b;
	return 0;

out_destroy:
	vgl_bpf_destroy(b);
	return ret;
}

/*
 * Attach the extractor of each wanted syscall to its sys_exit tracepoint
 * and detach those no longer wanted. The new ones go first and a syscall
 * wanted before and after keeps its link: none is left without a hook,
 * none is attached twice (it would report each call twice). The
 * tp_btf/sys_exit dispatcher runs only while a wanted syscall has no
 * tracepoint here.
 */
static int sync_exit(struct vgl_bpf *b)
{
	struct bpf_link *added[VGL_EXIT_SLOTS] = { NULL };
	struct bpf_link **raw = &b->skel->links.vgl_sys_exit;
	bool need_raw = false;
	char name[64], tp[64];
	int ret;

	if (!b->exit_tp)
		return 0;
	for (size_t i = 0; i < vgl_syscall_slots(); i++)
		if (vgl_kindset_exit_slot(&b->exit_set, i) && !b->on_tp[i])
			need_raw = true;
	b->need_raw_exit = need_raw; /* for -v, which logs before attaching */
	if (!b->attached)
		return 0;
	for (size_t i = 0; i < vgl_syscall_slots(); i++) {
		struct bpf_program *prog;
		const char *tpname;
		enum vgl_kind kind = vgl_syscall_slot(i, &tpname);

		if (!vgl_kindset_exit_slot(&b->exit_set, i) || !b->on_tp[i] || b->exit_links[i])
			continue;
		snprintf(name, sizeof(name), "vgl_xt_%s", vgl_kind_info[kind].name);
		snprintf(tp, sizeof(tp), "sys_exit_%s", tpname);
		prog = bpf_object__find_program_by_name(b->skel->obj, name);
		added[i] = prog ? bpf_program__attach_tracepoint(prog, "syscalls", tp) : NULL;
		if (!added[i]) {
			ret = prog && errno ? -errno : -ENOENT;
			snprintf(b->attach_what, sizeof(b->attach_what), "syscalls/%s", tp);
			vgl_bpf_drop_links(added, i);
			return ret;
		}
	}
	if (need_raw && !*raw) {
		*raw = bpf_program__attach(b->skel->progs.vgl_sys_exit);
		if (!*raw) {
			ret = errno ? -errno : -EINVAL;
			snprintf(b->attach_what, sizeof(b->attach_what), "tp_btf/sys_exit");
			vgl_bpf_drop_links(added, vgl_syscall_slots());
			return ret;
		}
	}
	for (size_t i = 0; i < vgl_syscall_slots(); i++) {
		if (added[i]) {
			b->exit_links[i] = added[i];
		} else if (b->exit_links[i] && !vgl_kindset_exit_slot(&b->exit_set, i)) {
			bpf_link__destroy(b->exit_links[i]);
			b->exit_links[i] = NULL;
		}
	}
	if (!need_raw && *raw) {
		bpf_link__destroy(*raw);
		*raw = NULL;
	}
	return 0;
}

/*
 * A sys_enter program runs for every syscall of the system: attach one only
 * while a wanted syscall needs what it keeps, and then, where tracefs
 * allows, to those syscalls' own tracepoints rather than to all syscalls.
 * The new hooks are attached before the old ones go, so that a reload
 * leaves no gap.
 */
static int sync_enter(struct vgl_bpf *b)
{
	struct bpf_link **raw = &b->skel->links.vgl_sys_enter;
	struct bpf_link *tps[VGL_ENTER_TP_MAX];
	size_t n = 0;
	int ret = 0;

	if (!b->need_enter) {
		vgl_bpf_describe_syscalls(b, " (sys_enter not needed by the wanted syscalls)", 0);
	} else {
		ret = b->attached ? vgl_tp_attach_enter(b, tps, &n) : 0;
		vgl_bpf_describe_syscalls(
			b,
			ret ? " + tp_btf/sys_enter (old ids, arguments)"
			    : " + syscalls/sys_enter_<name> tracepoints of the syscalls "
			      "that need old ids or arguments",
			ret);
	}
	if (!b->attached)
		return 0;
	if (b->need_enter && ret && !*raw) {
		*raw = bpf_program__attach(b->skel->progs.vgl_sys_enter);
		if (!*raw) {
			snprintf(b->attach_what, sizeof(b->attach_what), "tp_btf/sys_enter");
			return errno ? -errno : -EINVAL;
		}
	}
	vgl_bpf_drop_links(b->enter_tp, b->n_enter_tp);
	memcpy(b->enter_tp, tps, n * sizeof(tps[0]));
	b->n_enter_tp = n;
	if ((!b->need_enter || !ret) && *raw) {
		bpf_link__destroy(*raw);
		*raw = NULL;
	}
	return 0;
}

int vgl_bpf_set_kinds(struct vgl_bpf *b, const struct vgl_kindset *set,
		      const struct vgl_kindset *wanted)
{
	struct vgl_kindset enter = *wanted;

	static struct vgl_syscall_cfg cfg[VGL_SYSCALL_NR_MAX];
	int fd = bpf_map__fd(b->skel->maps.vgl_syscalls);
	int ret;

	b->attach_what[0] = '\0';
	vgl_syscall_filter(set, b->exit_tp ? b->on_tp : NULL, cfg);
	for (uint32_t nr = 0; nr < VGL_SYSCALL_NR_MAX; nr++)
		if (bpf_map_update_elem(fd, &nr, &cfg[nr], BPF_ANY))
			return -errno;
	/* forks feed the process table: their flags come from sys_enter or the
	 * parent's registers; a state-only execveat may pass for an execve */
	for (int k = VGL_EV_CLONE; k <= VGL_EV_VFORK; k++)
		enter.has[k] = set->has[k];
	b->need_enter = vgl_kindset_needs_enter(&enter, b->have_task_regs);
	b->enter_set = enter;
	b->exit_set = *set;
	ret = sync_exit(b);
	return ret ? ret : sync_enter(b);
}

void vgl_bpf_set_env_bytes(struct vgl_bpf *b, uint32_t bytes)
{
	b->skel->bss->vgl_env_max = bytes < VGL_ENV_MAX ? bytes : VGL_ENV_MAX;
}

int vgl_bpf_attach(struct vgl_bpf *b, char *err, size_t errlen)
{
	int ret = vigil_bpf__attach(b->skel);

	b->attach_what[0] = '\0';
	if (!ret) {
		b->attached = true;
		ret = sync_exit(b);
		if (!ret)
			ret = sync_enter(b);
	}
	if (ret)
		snprintf(err, errlen, "attaching %s failed: %s",
			 b->attach_what[0] ? b->attach_what : "vigil's BPF programs",
			 strerror(-ret));
	return ret;
}

void vgl_bpf_detach(struct vgl_bpf *b)
{
	if (!b)
		return;
	vgl_bpf_drop_links(b->enter_tp, b->n_enter_tp);
	b->n_enter_tp = 0;
	vgl_bpf_drop_links(b->exit_links, VGL_EXIT_SLOTS);
	memset(b->exit_links, 0, sizeof(b->exit_links));
	b->attached = false;
	if (b->skel)
		vigil_bpf__detach(b->skel);
}

const char *vgl_bpf_failed_hook(const struct vgl_bpf *b)
{
	return b->attach_what;
}

const struct vgl_hooks *vgl_bpf_hooks(const struct vgl_bpf *b)
{
	return &b->hooks;
}

int vgl_bpf_ringbuf_fd(const struct vgl_bpf *b)
{
	return bpf_map__fd(b->skel->maps.vgl_rb);
}

void vgl_bpf_destroy(struct vgl_bpf *b)
{
	if (!b)
		return;
	vgl_bpf_drop_links(b->enter_tp, b->n_enter_tp);
	vgl_bpf_drop_links(b->exit_links, VGL_EXIT_SLOTS);
	vgl_bpf_prefilter_free(b);
	vigil_bpf__destroy(b->skel);
	btf__free(b->vmlinux);
	if (b->btf_fd >= 0)
		close(b->btf_fd);
	free(b);
}
