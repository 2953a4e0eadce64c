// SPDX-License-Identifier: Apache-2.0
/*
 * Falco's stock rules, unmodified, end to end (issue 13): the rules that one
 * command in a busybox container triggers. Each case runs the command for
 * real in a running container and checks that the stock rule is the first
 * match (vigil run --first-match, as Falco) with the output fields Falco
 * gives, and that a benign variant of the command does not raise it.
 * test_stock_rules.c has the cases that need more than one command.
 *
 * One vigil and two containers serve the whole file; each case finds its
 * alerts by a value unique to this run (harness_stock.h). The scripts in
 * the container's /e2e are named like a web server, a database and
 * anything else, to be the parent of the processes they start.
 *
 * Needs root, docker and /bin/busybox (harness_docker.h) and the stock
 * files (../shared/compat/falco); without them the tests skip, except
 * with CI=true, where they fail.
 */
#define _GNU_SOURCE
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include "harness.h"
#include "harness_docker.h"
#include "harness_stock.h"

#define T     E2E_TOKEN
#define IN    E2E_IN_C
#define SH(s) IN "sh -c '" s "'"

/* A case: see struct e2e_stock_case. */
#define CASE(r, rn, w, b, bw, k)                                                          \
	{                                                                                 \
		.rule = r, .run = rn, .want = w, .benign = b, .benign_want = bw, .key = k \
	}

/* A case and the output fields its alert must have (values expanded). */
struct table_case {
	struct e2e_stock_case c;
	const char *expect[4][2];
};

static const struct table_case cases[] = {
	{ CASE("Write below etc", SH("echo x > /etc/" T ".conf"), "/etc/" T ".conf",
	       SH("echo x > /tmp/" T ".conf"), "/tmp/" T ".conf", "fd.name"),
	  { { "evt.type", "openat" }, { "proc.name", "sh" } } },
	{ CASE("Read sensitive file untrusted",
	       SH("echo root:x: > /etc/shadow && /bin/grep -q " T " /etc/shadow; true"),
	       "grep -q " T " /etc/shadow", SH("/bin/grep -q " T " /etc/hostname; true"),
	       "grep -q " T " /etc/hostname", "proc.cmdline"),
	  { { "fd.name", "/etc/shadow" }, { "proc.name", "grep" }, { "proc.pname", "sh" } } },
	{ CASE("Create Symlink Over Sensitive Files", IN "/bin/ln -s /etc/shadow /tmp/" T "-sl",
	       "ln -s /etc/shadow /tmp/" T "-sl", IN "/bin/ln -s /etc/hostname /tmp/" T "-sl2",
	       "ln -s /etc/hostname /tmp/" T "-sl2", "proc.cmdline"),
	  { { "evt.arg.target", "/etc/shadow" }, { "evt.arg.linkpath", "/tmp/" T "-sl" } } },
	{ CASE("Create Hardlink Over Sensitive Files",
	       SH("echo x >> /etc/shadow && /bin/ln /etc/shadow /tmp/" T "-hl"),
	       "ln /etc/shadow /tmp/" T "-hl",
	       SH("echo x > /tmp/" T "-f && /bin/ln /tmp/" T "-f /tmp/" T "-hl2"),
	       "ln /tmp/" T "-f /tmp/" T "-hl2", "proc.cmdline"),
	  { { "evt.arg.oldpath", "/etc/shadow" }, { "evt.arg.newpath", "/tmp/" T "-hl" } } },
	{ CASE("Search Private Keys or Passwords", IN "/bin/find /tmp -name id_rsa -name " T,
	       "find /tmp -name id_rsa -name " T, IN "/bin/find /tmp -name id_rsb -name " T,
	       "find /tmp -name id_rsb -name " T, "proc.cmdline"),
	  { { "evt.type", "execve" }, { "proc.name", "find" } } },
	{ CASE("Find AWS Credentials", IN "/bin/find /tmp -name " T " -path /.aws/credentials",
	       "find /tmp -name " T " -path /.aws/credentials",
	       IN "/bin/find /tmp -name " T " -path /.aws/config",
	       "find /tmp -name " T " -path /.aws/config", "proc.cmdline"),
	  { { "evt.type", "execve" }, { "proc.name", "find" } } },
	{ CASE("Directory traversal monitored file read",
	       SH("mkdir -p /tmp/" T " && /bin/cat /tmp/" T "/../../etc/hostname"),
	       "cat /tmp/" T "/../../etc/hostname",
	       SH("mkdir -p /tmp/" T " && echo x > /tmp/" T "-f && /bin/cat /tmp/" T "/../" T "-f"),
	       "cat /tmp/" T "/../" T "-f", "proc.cmdline"),
	  { { "fd.name", "/etc/hostname" }, { "fd.nameraw", "/tmp/" T "/../../etc/hostname" } } },
	{ CASE("Clear Log Activities", SH("mkdir -p /var/log && echo " T " > /var/log/syslog"),
	       "sh -c mkdir -p /var/log && echo " T " > /var/log/syslog",
	       SH("mkdir -p /var/log && echo " T " >> /var/log/syslog"),
	       "sh -c mkdir -p /var/log && echo " T " >> /var/log/syslog", "proc.cmdline"),
	  { { "fd.name", "/var/log/syslog" } } },
	{ CASE("Create files below dev", IN "/bin/touch /dev/" T, "touch /dev/" T,
	       IN "/bin/touch /tmp/" T "-t", "touch /tmp/" T "-t", "proc.cmdline"),
	  { { "fd.name", "/dev/" T } } },
	{ CASE("Set Setuid or Setgid bit",
	       SH("echo x > /tmp/" T "-s && /bin/chmod u+s /tmp/" T "-s"), "chmod u+s /tmp/" T "-s",
	       SH("echo x > /tmp/" T "-x && /bin/chmod u+x /tmp/" T "-x"), "chmod u+x /tmp/" T "-x",
	       "proc.cmdline"),
	  { { "evt.type", "chmod" }, { "evt.arg.filename", "/tmp/" T "-s" } } },
	{ CASE("Read environment variable from /proc files",
	       SH("/bin/cat /proc/1/environ /" T " >/dev/null 2>&1; true"),
	       "cat /proc/1/environ /" T,
	       SH("/bin/cat /proc/1/status /" T " >/dev/null 2>&1; true"), "cat /proc/1/status /" T,
	       "proc.cmdline"),
	  { { "fd.name", "/proc/1/environ" } } },
	{ CASE("Adding ssh keys to authorized_keys",
	       SH("mkdir -p /root/.ssh && echo " T " > /root/.ssh/authorized_keys"),
	       "sh -c mkdir -p /root/.ssh && echo " T " > /root/.ssh/authorized_keys",
	       SH("mkdir -p /root/.ssh && echo " T " > /root/.ssh/known_hosts"),
	       "sh -c mkdir -p /root/.ssh && echo " T " > /root/.ssh/known_hosts", "proc.cmdline"),
	  { { "fd.name", "/root/.ssh/authorized_keys" } } },
	{ CASE("Write below monitored dir",
	       SH("mkdir -p /root/.ssh && echo " T " > /root/.ssh/config"),
	       "sh -c mkdir -p /root/.ssh && echo " T " > /root/.ssh/config",
	       SH("mkdir -p /root/" T " && echo " T " > /root/" T "/config"),
	       "sh -c mkdir -p /root/" T " && echo " T " > /root/" T "/config", "proc.cmdline"),
	  { { "fd.name", "/root/.ssh/config" } } },
	{ CASE("Write below root", SH("echo " T " > /" T "-root"), "/" T "-root",
	       SH("echo " T " > /tmp/" T "-root"), "/tmp/" T "-root", "fd.name"),
	  { { "proc.name", "sh" } } },
	{ CASE("Write below binary dir", SH("echo " T " > /bin/" T), "/bin/" T,
	       SH("echo " T " > /tmp/" T "-bin"), "/tmp/" T "-bin", "fd.name"),
	  { { "proc.name", "sh" } } },
	{ CASE("Mkdir binary dirs", IN "/bin/mkdir /bin/" T "-d", "mkdir /bin/" T "-d",
	       IN "/bin/mkdir /tmp/" T "-d", "mkdir /tmp/" T "-d", "proc.cmdline"),
	  { { "evt.arg.path", "/bin/" T "-d" } } },
	{ CASE("Delete or rename shell history",
	       SH("mkdir -p /root/" T " && /bin/touch /root/" T "/.ash_history && /bin/rm /root/" T
		  "/.ash_history"),
	       "rm /root/" T "/.ash_history",
	       SH("mkdir -p /root/" T " && /bin/touch /root/" T "/.ash_notes && /bin/rm /root/" T
		  "/.ash_notes"),
	       "rm /root/" T "/.ash_notes", "proc.cmdline"),
	  { { "evt.type", "unlink" } } },
	{ CASE("Decoding Payload in Container",
	       SH("echo aGkK > /tmp/" T "-b64 && /bin/base64 -d /tmp/" T "-b64"),
	       "base64 -d /tmp/" T "-b64",
	       SH("echo aGkK > /tmp/" T "-e && /bin/base64 /tmp/" T "-e"), "base64 /tmp/" T "-e",
	       "proc.cmdline"),
	  { { "evt.type", "execve" } } },
	{ CASE("Launch Ingress Remote File Copy Tools in Container",
	       SH("/bin/wget -q -T 1 http://127.0.0.1:1/" T "; true"),
	       "wget -q -T 1 http://127.0.0.1:1/" T,
	       SH("/bin/ftpget -P 1 127.0.0.1 /tmp/" T " x 2>/dev/null; true"),
	       "ftpget -P 1 127.0.0.1 /tmp/" T " x", "proc.cmdline"),
	  { { "proc.name", "wget" } } },
	{ CASE("Program run with disallowed http proxy env",
	       "docker exec -e HTTP_PROXY=http://127.0.0.1:1 " E2E_STOCK_C
	       " sh -c '/bin/wget -q -T 1 http://127.0.0.1:1/proxy-" T "; true'",
	       "wget -q -T 1 http://127.0.0.1:1/proxy-" T,
	       SH("/bin/wget -q -T 1 http://127.0.0.1:1/noproxy-" T "; true"),
	       "wget -q -T 1 http://127.0.0.1:1/noproxy-" T, "proc.cmdline"),
	  { { "proc.name", "wget" } } },
	{ CASE("Schedule Cron Jobs", SH("/bin/crontab -l -c /tmp/" T " 2>/dev/null; true"),
	       "crontab -l -c /tmp/" T, SH("echo x > /etc/" T "-cron"),
	       "sh -c echo x > /etc/" T "-cron", "proc.cmdline"),
	  { { "proc.name", "crontab" } } },
	{ CASE("Launch Package Management Process in Container",
	       SH("/bin/dpkg -l " T " >/dev/null 2>&1; true"), "dpkg -l " T,
	       SH("/bin/dpkg-deb -c " T " >/dev/null 2>&1; true"), "dpkg-deb -c " T,
	       "proc.cmdline"),
	  { { "proc.name", "dpkg" } } },
	{ CASE("Execution from /dev/shm",
	       SH("echo : > /dev/shm/" T ".sh && /bin/sh /dev/shm/" T ".sh"),
	       "sh /dev/shm/" T ".sh", SH("echo : > /tmp/" T ".sh && /bin/sh /tmp/" T ".sh"),
	       "sh /tmp/" T ".sh", "proc.cmdline"),
	  { { "proc.name", "sh" } } },
	{ CASE("Packet socket created in container",
	       SH("/bin/arping -c 1 -w 1 -I " T " 127.0.0.1 >/dev/null 2>&1; true"),
	       "arping -c 1 -w 1 -I " T " 127.0.0.1",
	       SH("/bin/ping -c 1 -W 1 -I " T " 127.0.0.1 >/dev/null 2>&1; true"),
	       "ping -c 1 -W 1 -I " T " 127.0.0.1", "proc.cmdline"),
	  { { "evt.type", "socket" } } },
	{ CASE("Potential Local Privilege Escalation via Environment Variables Misuse",
	       "docker exec -e GLIBC_TUNABLES=glibc.malloc.check=0 " E2E_STOCK_C
	       " /bin/true env-" T,
	       "true env-" T, IN "/bin/true noenv-" T, "true noenv-" T, "proc.cmdline"),
	  { { "evt.type", "execve" } } },
	{ CASE("Detect crypto miners using the Stratum protocol",
	       IN "/bin/true stratum+tcp://127.0.0.1:1 " T, "true stratum+tcp://127.0.0.1:1 " T,
	       IN "/bin/true tcp://127.0.0.1:1 " T, "true tcp://127.0.0.1:1 " T, "proc.cmdline"),
	  { { "evt.type", "execve" } } },
	{ CASE("Known Cryptominer Process Executed",
	       SH("mkdir -p /tmp/" T " && ln -sf /bin/busybox /tmp/" T "/xmrig && /tmp/" T
		  "/xmrig " T " 2>/dev/null; true"),
	       "xmrig " T,
	       SH("mkdir -p /tmp/" T " && ln -sf /bin/busybox /tmp/" T "/xmrig2 && /tmp/" T
		  "/xmrig2 " T " 2>/dev/null; true"),
	       "xmrig2 " T, "proc.cmdline"),
	  { { "proc.name", "xmrig" } } },
	{ CASE("Run shell untrusted", IN "/e2e/nginx shell-" T, "sh -c : shell-" T,
	       IN "/e2e/worker shell-w-" T, "sh -c : shell-w-" T, "proc.cmdline"),
	  { { "proc.pname", "nginx" }, { "proc.name", "sh" } } },
	{ CASE("Web Server Spawned Suspicious Child Process", IN "/e2e/nginx web-" T,
	       "base64 /tmp/web-" T, IN "/e2e/worker web-w-" T, "base64 /tmp/web-w-" T,
	       "proc.cmdline"),
	  { { "proc.pname", "nginx" }, { "proc.name", "base64" } } },
	{ CASE("DB program spawned process", IN "/e2e/mysqld db-" T, "true db-" T,
	       IN "/e2e/worker db-w-" T, "true db-w-" T, "proc.cmdline"),
	  { { "proc.pname", "mysqld" }, { "proc.name", "true" } } },
	{ CASE("Read ssh information",
	       SH("mkdir -p /root/.ssh && echo x > /root/.ssh/" T " && /bin/cat /root/.ssh/" T),
	       "cat /root/.ssh/" T,
	       SH("mkdir -p /root/" T " && echo x > /root/" T "/f && /bin/cat /root/" T "/f"),
	       "cat /root/" T "/f", "proc.cmdline"),
	  { { "fd.name", "/root/.ssh/" T } } },
	{ CASE("Modify Shell Configuration File",
	       SH("mkdir -p /root/" T " && /bin/touch /root/" T "/.bashrc"),
	       "touch /root/" T "/.bashrc",
	       SH("mkdir -p /root/" T " && /bin/touch /root/" T "/.bashrc.old"),
	       "touch /root/" T "/.bashrc.old", "proc.cmdline"),
	  { { "fd.name", "/root/" T "/.bashrc" } } },
	{ CASE("Update Package Repository",
	       SH("mkdir -p /etc/apt/sources.list.d && echo x > /etc/apt/sources.list.d/" T
		  ".list"),
	       "/etc/apt/sources.list.d/" T ".list", SH("echo x > /etc/" T ".list"),
	       "/etc/" T ".list", "fd.name"),
	  { { "proc.name", "sh" } } },
	{ CASE("Modify binary dirs", SH("echo x > /bin/" T "-m && /bin/rm /bin/" T "-m"),
	       "rm /bin/" T "-m", SH("echo x > /tmp/" T "-m && /bin/rm /tmp/" T "-m"),
	       "rm /tmp/" T "-m", "proc.cmdline"),
	  { { "proc.name", "rm" } } },
	{ CASE("Write below rpm database", SH("mkdir -p /var/lib/rpm && echo x > /var/lib/rpm/" T),
	       "/var/lib/rpm/" T, SH("mkdir -p /var/lib/" T " && echo x > /var/lib/" T "/rpm"),
	       "/var/lib/" T "/rpm", "fd.name"),
	  { { "proc.name", "sh" } } },
	{ CASE("Sudo Potential Privilege Escalation",
	       SH("mkdir -p /tmp/" T " && ln -sf /bin/busybox /tmp/" T "/sudo && /tmp/" T "/sudo " T
		  " -s x\\\\ 2>/dev/null; true"),
	       "sudo " T " -s x\\",
	       SH("mkdir -p /tmp/" T " && ln -sf /bin/busybox /tmp/" T "/sudo && /tmp/" T "/sudo " T
		  " -s x 2>/dev/null; true"),
	       "sudo " T " -s x", "proc.cmdline"),
	  { { "proc.name", "sudo" } } },
	{ CASE("Polkit Local Privilege Escalation Vulnerability (CVE-2021-4034)",
	       SH("mkdir -p /tmp/" T " && ln -sf /bin/busybox /tmp/" T "/pkexec && /tmp/" T
		  "/pkexec 2>/dev/null; true"),
	       "pkexec",
	       SH("mkdir -p /tmp/" T " && ln -sf /bin/busybox /tmp/" T "/pkexec && /tmp/" T
		  "/pkexec " T " 2>/dev/null; true"),
	       "pkexec " T, "proc.cmdline"),
	  { { "proc.name", "pkexec" } } },
	{ CASE("Kubernetes Client Tool Launched in Container",
	       SH("mkdir -p /tmp/" T " && ln -sf /bin/busybox /tmp/" T "/kubectl && /tmp/" T
		  "/kubectl " T " 2>/dev/null; true"),
	       "kubectl " T,
	       SH("mkdir -p /tmp/" T " && ln -sf /bin/busybox /tmp/" T "/kubectx && /tmp/" T
		  "/kubectx " T " 2>/dev/null; true"),
	       "kubectx " T, "proc.cmdline"),
	  { { "proc.name", "kubectl" } } },
	{ CASE("Launch Remote File Copy Tools in Container",
	       SH("mkdir -p /tmp/" T " && ln -sf /bin/busybox /tmp/" T "/scp && /tmp/" T "/scp " T
		  " 2>/dev/null; true"),
	       "scp " T,
	       SH("mkdir -p /tmp/" T " && ln -sf /bin/busybox /tmp/" T "/cp2 && /tmp/" T "/cp2 " T
		  " 2>/dev/null; true"),
	       "cp2 " T, "proc.cmdline"),
	  { { "proc.name", "scp" } } },
	{ CASE("Container Access to Host Sensitive Paths",
	       SH("mkdir -p /host && echo x > /host/" T " && /bin/cat /host/" T), "cat /host/" T,
	       SH("mkdir -p /hostx && echo x > /hostx/" T " && /bin/cat /hostx/" T),
	       "cat /hostx/" T, "proc.cmdline"),
	  { { "fd.name", "/host/" T } } },
	{ CASE("Exfiltrating Artifacts via Kubernetes Control Plane",
	       SH("echo x > /tmp/" T "-tar && exec /bin/tar -cf /dev/null /tmp/" T "-tar"),
	       "/tmp/" T "-tar",
	       SH("echo x > /tmp/" T "-tar2 && /bin/tar -cf /dev/null /tmp/" T "-tar2; true"),
	       "/tmp/" T "-tar2", "fd.name"),
	  { { "proc.name", "tar" } } },
	{ CASE("Reverse Shell from Web Server", IN "/e2e/nginx /dev/tcp/" T, "true /dev/tcp/" T,
	       IN "/e2e/worker /dev/tcp/w-" T, "true /dev/tcp/w-" T, "proc.cmdline"),
	  { { "proc.pname", "nginx" } } },
	{ CASE("Change thread namespace", E2E_IN_SA "/bin/nsenter -t 1 -m /bin/true " T,
	       "nsenter -t 1 -m /bin/true " T, E2E_IN_SA "/bin/nsenter -t 1 /bin/true b-" T,
	       "nsenter -t 1 /bin/true b-" T, "proc.cmdline"),
	  { { "evt.type", "setns" } } },
	{ CASE("Remove Bulk Data from Disk",
	       SH("echo x > /tmp/" T "-shred && /bin/shred -u /tmp/" T "-shred"),
	       "shred -u /tmp/" T "-shred", SH("echo x > /tmp/" T "-rm && /bin/rm /tmp/" T "-rm"),
	       "rm /tmp/" T "-rm", "proc.cmdline"),
	  { { "proc.name", "shred" } } },
	{ CASE("Privileged Container Device Access", IN "/bin/cat /dev/vd-" T, "cat /dev/vd-" T,
	       SH("/bin/cat /dev/null /dev/vd-" T "-none 2>/dev/null; true"),
	       "cat /dev/null /dev/vd-" T "-none", "proc.cmdline"),
	  { { "fd.name", "/dev/vd-" T } } },
	{ CASE("Web Server Spawned Shell", IN "/e2e/gunicorn gshell-" T, "sh -c : gshell-" T,
	       IN "/e2e/worker gshell-w-" T, "sh -c : gshell-w-" T, "proc.cmdline"),
	  { { "proc.pname", "gunicorn" } } },
	{ CASE("Backdoored library loaded into SSHD (CVE-2024-3094)", IN "/e2e/sshd " T "-lzma",
	       "/tmp/liblzma.so.5.6.0-" T "-lzma", IN "/e2e/worker w-" T "-lzma",
	       "/tmp/liblzma.so.5.6.0-w-" T "-lzma", "fd.name"),
	  { { "proc.name", "sshd" } } },
	{ CASE("Read sensitive file trusted after startup", IN "/e2e/nginx late-" T "-shadow",
	       "nginx /e2e/nginx late-" T "-shadow",
	       SH("echo x >> /etc/shadow && /e2e/nginx early-" T "-shadow"),
	       "nginx /e2e/nginx early-" T "-shadow", "proc.cmdline"),
	  { { "fd.name", "/etc/shadow" }, { "proc.name", "nginx" } } },
};

/*
 * Named like the program it stands for, a script reads /etc/shadow (after
 * 6 s for late-*), or a file named like a backdoored liblzma, or starts a
 * shell, base64 and true with its argument, as a server's children.
 */
#define SCRIPT                                                                           \
	"#!/bin/sh\n"                                                                    \
	"case $1 in late-*) /bin/sleep 6 ;; esac\n"                                      \
	"case $1 in\n"                                                                   \
	"*-shadow) read x < /etc/shadow; exit 0 ;;\n"                                    \
	"*-lzma) echo x > /tmp/liblzma.so.5.6.0-$1; read x < /tmp/liblzma.so.5.6.0-$1; " \
	"exit 0 ;;\n"                                                                    \
	"esac\n"                                                                         \
	"/bin/sh -c \": $1\"\n"                                                          \
	"/bin/base64 /tmp/$1 2>/dev/null\n"                                              \
	"/bin/true $1\n"                                                                 \
	"exit 0\n"

static struct e2e_vigil *vigil;

static int setup(void **state)
{
	static const char *const names[] = { "nginx", "mysqld", "gunicorn", "sshd", "worker" };
	char dir[PATH_MAX];

	(void)state;
	vigil = e2e_stock_start();
	e2e_tmpdir(dir, sizeof(dir));
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		const char *path = tu_join(dir, names[i]);

		e2e_write_file(path, SCRIPT);
		if (chmod(path, 0755))
			fail_msg("chmod %s failed", path);
	}
	e2e_stock_containers(dir);
	return 0;
}

static int teardown(void **state)
{
	e2e_stock_containers_remove();
	e2e_twin_free(); /* a test failed before the comparison */
	return e2e_teardown(state);
}

static void run_case(void **state)
{
	const struct table_case *tc = *state;
	const json_t *a = e2e_stock_check(vigil, &tc->c);

	for (size_t i = 0; i < 4 && tc->expect[i][0]; i++)
		e2e_assert_field(a, tc->expect[i][0], e2e_stock_expand(tc->expect[i][1]));
}

/* Last: vigil stops having lost nothing, and its twin without the prefilter raised the same. */
static void test_stop(void **state)
{
	(void)state;
	assert_true(e2e_stock_same_without_prefilter(vigil));
}

int main(void)
{
	enum { N = sizeof(cases) / sizeof(cases[0]) };
	struct CMUnitTest tests[N + 1];

	for (size_t i = 0; i < N; i++)
		tests[i] = (struct CMUnitTest){ .name = cases[i].c.rule,
						.test_func = run_case,
						.initial_state = (void *)&cases[i] };
	tests[N] = (struct CMUnitTest){
		.name = "vigil stops having lost nothing, same alerts without the prefilter",
		.test_func = test_stop
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
