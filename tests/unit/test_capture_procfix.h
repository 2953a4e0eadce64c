/* SPDX-License-Identifier: Apache-2.0 */
/*
 * A fixture /proc for tests of vigil's real state tracker (state/state.h):
 * from tests/data/state, a host tree init 300 -> sshd 301 -> bash 302 ->
 * sleep 303 -> child 304 (cgroup of fixture 104, the host) and nginx 308
 * in a container (fixture 108) whose root holds its own passwd.
 * procfix_state_opts() points a state at it.
 */
#ifndef VIGIL_TESTS_TEST_CAPTURE_PROCFIX_H
#define VIGIL_TESTS_TEST_CAPTURE_PROCFIX_H

#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>

#include "state/state.h"

static char src[PATH_MAX / 4], tmp[64], proc[PATH_MAX / 2];
static char docker[PATH_MAX / 2], containerd[PATH_MAX / 2], crio[PATH_MAX / 2];

static inline void __attribute__((format(printf, 1, 2))) sh(const char *fmt, ...)
{
	char cmd[4 * PATH_MAX];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(cmd, sizeof(cmd), fmt, ap);
	va_end(ap);
	assert_int_equal(system(cmd), 0);
}

/* Process @pid of the cgroup of fixture process @cg_of, running @exe. */
static inline void mkproc(int pid, const char *comm, int ppid, int sid, int tty, int cg_of,
			  const char *exe, const char *root)
{
	sh("mkdir -p %s/%d/fd && cp %s/proc/%d/cgroup %s/proc/100/environ %s/%d/ && "
	   "ln -s '%s' %s/%d/exe && ln -s /tmp %s/%d/cwd && ln -s '%s' %s/%d/root && "
	   "printf '%s\\0-x\\0' > %s/%d/cmdline && "
	   "echo '%d (%s) S %d %d %d %d -1 4194560 0 0 0 0 0 0 0 0 20 0 1 0 100' > %s/%d/stat && "
	   "printf 'Name:\\t%s\\nUid:\\t0\\t0\\t0\\t0\\nNSpid:\\t%d\\nNSpgid:\\t%d\\n"
	   "CapInh:\\t0000000000000000\\nCapPrm:\\t000001ffffffffff\\n"
	   "CapEff:\\t00000000a80425fb\\n' > %s/%d/status && "
	   "sed 's|@UPPER@|%s/upper|g' %s/proc/100/mountinfo > %s/%d/mountinfo",
	   proc, pid, src, cg_of, src, proc, pid, exe, proc, pid, proc, pid, root, proc, pid, exe,
	   proc, pid, pid, comm, ppid, pid, sid, tty, proc, pid, comm, pid, pid, proc, pid, tmp,
	   src, proc, pid);
}

/* The fixture /proc under a new directory: a host process tree and a container's nginx. */
static inline int procfix_setup(void **state)
{
	(void)state;
	snprintf(src, sizeof(src), "%s/tests/data/state", getenv("VIGIL_SOURCE_DIR") ?: ".");
	snprintf(docker, sizeof(docker), "%s/docker", src);
	snprintf(containerd, sizeof(containerd), "%s/containerd", src);
	snprintf(crio, sizeof(crio), "%s/crio", src);
	snprintf(tmp, sizeof(tmp), "/tmp/vigil-caprec-XXXXXX");
	assert_non_null(mkdtemp(tmp));
	snprintf(proc, sizeof(proc), "%s/proc", tmp);
	sh("mkdir -p %s/upper/diff/bin %s/ctr/etc && cp -r %s/proc %s/ && "
	   "touch %s/upper/diff/bin/nginx && "
	   "printf 'root:x:0:0:root:/root:/bin/ash\\napp:x:1000:1000::/app:/sbin/nologin\\n'"
	   " > %s/ctr/etc/passwd && printf 'root:x:0:\\nnginx:x:101:\\n' > %s/ctr/etc/group",
	   tmp, tmp, src, tmp, tmp, tmp, tmp);
	mkproc(300, "init", 0, 300, 0, 104, "/sbin/init", "/");
	mkproc(301, "sshd", 300, 301, 0, 104, "/usr/sbin/sshd", "/");
	mkproc(302, "bash", 301, 302, 34816, 104, "/bin/bash", "/");
	mkproc(303, "sleep", 302, 302, 34816, 104, "/bin/sleep", "/");
	mkproc(304, "child", 303, 302, 34816, 104, "/bin/child", "/");
	mkproc(308, "nginx", 300, 308, 0, 108, "/bin/nginx", tmp);
	sh("ln -s /etc/hosts %s/302/fd/3 && ln -s /etc/passwd %s/302/fd/4 && "
	   "rm %s/308/root && ln -s %s/ctr %s/308/root",
	   proc, proc, proc, tmp, proc);
	return 0;
}

static inline int procfix_teardown(void **state)
{
	(void)state;
	sh("rm -rf %s", tmp);
	return 0;
}

/* @so (defaults set) reads the fixture; @pw and @gr (PATH_MAX) hold the passwd paths. */
static inline void procfix_state_opts(struct vgl_state_opts *so, char *pw, char *gr)
{
	so->proc_root = proc;
	so->roots = (struct vgl_runtime_roots){ docker, containerd, crio, NULL };
	so->scan_proc = false;
	snprintf(pw, PATH_MAX, "%s/etc/passwd", src);
	so->passwd_path = pw;
	snprintf(gr, PATH_MAX, "%s/etc/group", src);
	so->group_path = gr;
}

#endif /* VIGIL_TESTS_TEST_CAPTURE_PROCFIX_H */
