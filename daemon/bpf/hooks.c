// SPDX-License-Identifier: Apache-2.0
/*
 * Hook probing, after libbpf-tools' fentry_can_attach(): load a two-
 * instruction program of the wanted type against the wanted kernel function
 * and attach it. What loads and attaches here will for vigil too.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <unistd.h>

#include <bpf/bpf.h>
#include <bpf/btf.h>
#include <bpf/libbpf.h>

#include "bpf/hooks.h"
#include "vigil.skel.h"

#define SECURITYFS "/sys/kernel/security"

/* The running kernel's BTF, parsed once: reading it can take seconds. */
static const struct btf *probe_btf;

/* 0 if a @type program can attach to @func, else -errno. */
static int probe_attach(enum bpf_prog_type type, enum bpf_attach_type at, const char *func)
{
	struct bpf_insn insns[] = {
		{ .code = BPF_ALU64 | BPF_MOV | BPF_K, .dst_reg = BPF_REG_0, .imm = 0 },
		{ .code = BPF_JMP | BPF_EXIT },
	};
	char name[128];
	int btf_id, prog_fd, link_fd, err = 0;

	snprintf(name, sizeof(name), "%s%s", at == BPF_LSM_MAC ? "bpf_lsm_" : "", func);
	btf_id = probe_btf ? btf__find_by_name_kind(probe_btf, name, BTF_KIND_FUNC) : -ENOENT;

	if (btf_id < 0)
		return btf_id;
	LIBBPF_OPTS(bpf_prog_load_opts, opts, .expected_attach_type = at, .attach_btf_id = btf_id);
	prog_fd = bpf_prog_load(type, NULL, "GPL", insns, 2, &opts);
	if (prog_fd < 0)
		return -errno;
	link_fd = bpf_raw_tracepoint_open(NULL, prog_fd);
	if (link_fd < 0)
		err = -errno;
	else
		close(link_fd);
	close(prog_fd);
	return err;
}

/* Is the BPF LSM in the active list? Mounts securityfs if needed. */
static int bpf_lsm_active(void)
{
	char buf[512] = "";
	FILE *f = fopen(SECURITYFS "/lsm", "r");

	if (!f && errno == ENOENT &&
	    mount("securityfs", SECURITYFS, "securityfs", MS_NOSUID | MS_NODEV | MS_NOEXEC, NULL) ==
		    0)
		f = fopen(SECURITYFS "/lsm", "r");
	if (!f)
		return -errno;
	if (!fgets(buf, sizeof(buf), f))
		buf[0] = '\0';
	fclose(f);
	for (char *tok = strtok(buf, ",\n"); tok; tok = strtok(NULL, ",\n"))
		if (strcmp(tok, "bpf") == 0)
			return 1;
	return 0;
}

/* strerror(), naming the kernel's internal ENOTSUPP (524) that BPF returns */
static const char *hook_strerror(int err)
{
	if (err == -524)
		return "ENOTSUPP: not supported by this kernel";
	return strerror(-err);
}

static void set_choice(struct vgl_hooks *h, enum vgl_hook_concern c, const char *concern,
		       const char *hook)
{
	h->choice[c].concern = concern;
	h->choice[c].hook = hook;
	h->choice[c].why = h->why_buf[c];
}

/*
 * Kernel-copy hooks for an address argument: BPF LSM, else fentry on the
 * security_ function, else the user buffer at syscall exit.
 */
static void choose_sock_hook(struct vgl_hooks *h, enum vgl_hook_concern c, const char *concern,
			     struct bpf_program *lsm, struct bpf_program *fentry,
			     const char *lsm_name, const char *fentry_name, int lsm_active)
{
	static char hook_buf[VGL_HOOK_MAX][64];
	int err;

	bpf_program__set_autoload(lsm, false);
	bpf_program__set_autoload(fentry, false);
	err = lsm_active == 1 ? probe_attach(BPF_PROG_TYPE_LSM, BPF_LSM_MAC, lsm_name) : -ENOENT;
	if (err == 0) {
		bpf_program__set_autoload(lsm, true);
		snprintf(hook_buf[c], sizeof(hook_buf[c]), "lsm/%s", lsm_name);
		set_choice(h, c, concern, hook_buf[c]);
		return;
	}
	snprintf(h->why_buf[c], sizeof(h->why_buf[c]), "lsm/%s: %s; ", lsm_name,
		 lsm_active == 1 ? hook_strerror(err) : "BPF LSM not active");
	err = probe_attach(BPF_PROG_TYPE_TRACING, BPF_TRACE_FENTRY, fentry_name);
	if (err == 0) {
		bpf_program__set_autoload(fentry, true);
		snprintf(hook_buf[c], sizeof(hook_buf[c]), "fentry/%s", fentry_name);
		set_choice(h, c, concern, hook_buf[c]);
		return;
	}
	snprintf(h->why_buf[c] + strlen(h->why_buf[c]),
		 sizeof(h->why_buf[c]) - strlen(h->why_buf[c]), "fentry/%s: %s", fentry_name,
		 hook_strerror(err));
	set_choice(h, c, concern, "user memory at syscall exit");
}

void vgl_hooks_choose(struct vigil_bpf *skel, const struct btf *vmlinux,
		      struct vgl_hooks *ret_hooks)
{
	struct vgl_hooks *h = ret_hooks;
	int lsm_active = bpf_lsm_active();
	int err;

	probe_btf = vmlinux;
	memset(h, 0, sizeof(*h));
	set_choice(h, VGL_HOOK_SYSCALLS, "syscalls", "tp_btf/sys_enter + tp_btf/sys_exit");
	set_choice(h, VGL_HOOK_EXEC, "exec filename", "tp_btf/sched_process_exec (bprm)");
	set_choice(h, VGL_HOOK_LIFECYCLE, "fork/exit",
		   "tp_btf/sched_process_fork + tp_btf/sched_process_exit");

	err = probe_attach(BPF_PROG_TYPE_TRACING, BPF_TRACE_FENTRY, "do_filp_open");
	bpf_program__set_autoload(skel->progs.vgl_k_filp_open, err == 0);
	if (err == 0) {
		set_choice(h, VGL_HOOK_OPEN_NAME, "open name", "fentry/do_filp_open");
	} else {
		snprintf(h->why_buf[VGL_HOOK_OPEN_NAME], sizeof(h->why_buf[0]),
			 "fentry/do_filp_open: %s", hook_strerror(err));
		set_choice(h, VGL_HOOK_OPEN_NAME, "open name", "user memory at syscall exit");
	}
	choose_sock_hook(h, VGL_HOOK_CONNECT, "connect address", skel->progs.vgl_lsm_connect,
			 skel->progs.vgl_fentry_connect, "socket_connect",
			 "security_socket_connect", lsm_active);
	choose_sock_hook(h, VGL_HOOK_BIND, "bind address", skel->progs.vgl_lsm_bind,
			 skel->progs.vgl_fentry_bind, "socket_bind", "security_socket_bind",
			 lsm_active);
}
