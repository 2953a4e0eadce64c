/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Runtime hook selection: probe what the running kernel can attach and pick
 * the best hook for each concern, in one place.
 */
#ifndef VIGIL_BPF_HOOKS_H
#define VIGIL_BPF_HOOKS_H

#include <stdbool.h>

struct vigil_bpf;
struct btf;

enum vgl_hook_concern {
	VGL_HOOK_SYSCALLS,  /* syscall entry/exit dispatch */
	VGL_HOOK_EXEC,	    /* exec filename */
	VGL_HOOK_LIFECYCLE, /* fork / exit */
	VGL_HOOK_OPEN_NAME, /* requested name of opens */
	VGL_HOOK_CONNECT,   /* connect address */
	VGL_HOOK_BIND,	    /* bind address */
	VGL_HOOK_MAX,
};

struct vgl_hook_choice {
	const char *concern; /* "open name" */
	const char *hook;    /* "fentry/do_filp_open" */
	const char *why;     /* why better hooks were not used, or "" */
};

struct vgl_hooks {
	struct vgl_hook_choice choice[VGL_HOOK_MAX];
	char why_buf[VGL_HOOK_MAX][320];
};

/*
 * Probe the kernel (whose BTF is @vmlinux) and set the autoload flag of
 * every optional program of @skel (before load). Fills @ret_hooks with the
 * choices.
 */
void vgl_hooks_choose(struct vigil_bpf *skel, const struct btf *vmlinux,
		      struct vgl_hooks *ret_hooks);

#endif /* VIGIL_BPF_HOOKS_H */
