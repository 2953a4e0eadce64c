// SPDX-License-Identifier: Apache-2.0
/*
 * vigil's default container rules (rules/vigil_rules_container.yaml, loaded
 * with rules/vigil_rules.yaml as installed) end to end: each case performs
 * the behaviour for real in a busybox container, most of them with `docker
 * exec CONTAINER BINARY ARGS`, and checks the rule's alert (priority, the
 * container's id, name and image) and that a benign variant does not raise
 * it. Escape steps and connections are attempts that fail in a container
 * with Docker's default capabilities and seccomp profile and --network none
 * (EPERM, EROFS, ENETUNREACH): the rules fire on attempts, and no packet
 * leaves the container. A last case runs ordinary commands in a container
 * started with good-practice flags and checks that no rule of the file fires.
 *
 * Busybox has no program that connects to a unix socket, calls ptrace, bpf
 * or setuid(0): a small static helper (PROBE_SRC) is compiled with the C
 * compiler at setup and mounted read-only on /e2e, with a unix socket the
 * test listens on, mounted as /var/run/docker.sock and /var/run/app.sock.
 *
 * Needs root, docker, /bin/busybox (harness_docker.h) and a C compiler with
 * a static libc (libc6-dev); without them the tests skip, except with
 * CI=true, where they fail.
 */
#define _GNU_SOURCE
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <sys/socket.h>
#include <sys/un.h>

#include "harness.h"
#include "harness_docker.h"
#include "harness_stock.h"

#define T	E2E_TOKEN
#define CTR	"vigil-e2e-ctrrules"
#define CTR_Q	"vigil-e2e-ctrrules-quiet"
#define IN	"docker exec " CTR " "
#define QUIET2	" >/dev/null 2>&1; true"
#define PUBLIC	"203.0.113.5" /* TEST-NET-3: unreachable from --network none */
#define RULES_F "rules/vigil_rules_container.yaml"

/* argv[1] says what to do; the other arguments only tag the command line. */
#define PROBE_SRC                                                                 \
	"#define _GNU_SOURCE\n"                                                   \
	"#include <stdio.h>\n#include <stdlib.h>\n#include <string.h>\n"          \
	"#include <unistd.h>\n#include <sys/ptrace.h>\n#include <sys/socket.h>\n" \
	"#include <sys/syscall.h>\n#include <sys/un.h>\n#include <sys/wait.h>\n"  \
	"int main(int argc, char **argv)\n{\n"                                    \
	"	char attr[128] = { 0 };\n"                                              \
	"	if (argc > 2 && !strcmp(argv[1], \"unix\")) {\n"                        \
	"		struct sockaddr_un a = { .sun_family = AF_UNIX };\n"                   \
	"		snprintf(a.sun_path, sizeof(a.sun_path), \"%s\", argv[2]);\n"          \
	"		return connect(socket(AF_UNIX, SOCK_STREAM, 0),\n"                     \
	"			       (struct sockaddr *)&a, sizeof(a)) != 0;\n"                     \
	"	}\n"                                                                    \
	"	if (argc > 2 && !strcmp(argv[1], \"ptrace\")) {\n"                      \
	"		pid_t p = atoi(argv[2]);\n"                                            \
	"		if (ptrace(PTRACE_ATTACH, p, 0, 0) == 0) {\n"                          \
	"			waitpid(p, 0, __WALL);\n"                                             \
	"			ptrace(PTRACE_DETACH, p, 0, 0);\n"                                    \
	"		}\n"                                                                   \
	"		return 0;\n"                                                           \
	"	}\n"                                                                    \
	"	if (argc > 1 && !strcmp(argv[1], \"traceme\"))\n"                       \
	"		return ptrace(PTRACE_TRACEME, 0, 0, 0) != 0;\n"                        \
	"	if (argc > 1 && !strcmp(argv[1], \"bpf\"))\n"                           \
	"		return syscall(SYS_bpf, 5, attr, sizeof(attr)), 0;\n"                  \
	"	if (argc > 1 && !strcmp(argv[1], \"setuid0\"))\n"                       \
	"		return setuid(0) != 0;\n"                                              \
	"	return 2;\n}\n"

struct ctr_case {
	struct e2e_stock_case c;
	const char *priority;
};

#define CASE(r, p, rn, w, b, bw, k)                                                              \
	{                                                                                        \
		{ .rule = r, .run = rn, .want = w, .benign = b, .benign_want = bw, .key = k }, p \
	}

static const struct ctr_case cases[] = {
	{ { .rule = "Interactive process in container",
	    .run = "docker exec -t " CTR " /bin/true tty-" T,
	    .want = "true tty-" T,
	    .benign = IN "/bin/true notty-" T,
	    .benign_want = "true notty-" T,
	    .key = "proc.cmdline",
	    .tty = true },
	  "Notice" },
	CASE("Package manager run in container", "Warning", IN "/bin/dpkg -l " T QUIET2,
	     "dpkg -l " T, IN "/bin/dpkg-deb -c " T QUIET2, "dpkg-deb -c " T, "proc.cmdline"),
	/* a copy of busybox in the writable layer; the benign one reaches the image's */
	CASE("Drifted binary executed in container", "Critical",
	     IN "/bin/mkdir -p /opt/" T " && " IN "/bin/cp /bin/busybox /opt/" T "/true && " IN
		"/opt/" T "/true drift-" T,
	     "true drift-" T,
	     IN "/bin/mkdir -p /opt/l-" T " && " IN "/bin/ln -s /bin/busybox /opt/l-" T
		"/true && " IN "/opt/l-" T "/true nodrift-" T,
	     "true nodrift-" T, "proc.cmdline"),
	CASE("Executable file created in container", "Warning", IN "/bin/cp /bin/busybox /tmp/x-" T,
	     "cp /bin/busybox /tmp/x-" T, IN "/bin/cp /etc/hostname /tmp/f-" T,
	     "cp /etc/hostname /tmp/f-" T, "proc.cmdline"),
	CASE("Container runtime socket accessed in container", "Critical",
	     IN "/e2e/probe unix /var/run/docker.sock " T, "probe unix /var/run/docker.sock " T,
	     IN "/e2e/probe unix /var/run/app.sock " T, "probe unix /var/run/app.sock " T,
	     "proc.cmdline"),
	/* uid 1000 runs a setuid-root copy, which calls setuid(0); root's call is benign */
	CASE("Setuid to root in container", "Warning",
	     IN "/bin/cp /e2e/probe /tmp/" T "-su && " IN "/bin/chmod 4755 /tmp/" T
		"-su && docker exec -u 1000 " CTR " /tmp/" T "-su setuid0 " T,
	     T "-su setuid0 " T, IN "/e2e/probe setuid0 root-" T, "probe setuid0 root-" T,
	     "proc.cmdline"),
	CASE("Mount in container", "Warning", IN "/bin/mount -t tmpfs " T " /tmp" QUIET2,
	     "mount -t tmpfs " T " /tmp", IN "/bin/mount " T "-fstab" QUIET2, "mount " T "-fstab",
	     "proc.cmdline"),
	CASE("Namespace change in container", "Warning", IN "/bin/unshare -m /bin/true " T QUIET2,
	     "unshare -m /bin/true " T, IN "/bin/setsid /bin/true " T, "true " T, "proc.cmdline"),
	CASE("Namespace change in container", "Warning",
	     IN "/bin/nsenter -t 1 -n /bin/true " T QUIET2, "nsenter -t 1 -n /bin/true " T,
	     IN "/bin/nsenter --help " T QUIET2, "nsenter --help " T, "proc.cmdline"),
	CASE("Ptrace in container", "Warning", IN "/e2e/probe ptrace 1 " T, "probe ptrace 1 " T,
	     IN "/e2e/probe traceme " T, "probe traceme " T, "proc.cmdline"),
	{ { .rule = "Kernel module load in container",
	    .run = IN "/bin/insmod /e2e/mod.ko " T QUIET2,
	    .want = "insmod /e2e/mod.ko " T,
	    .benign = IN "/bin/modinfo /e2e/mod.ko " T QUIET2,
	    .benign_want = "modinfo /e2e/mod.ko " T,
	    .key = "proc.cmdline",
	    .count = E2E_STOCK_ANY }, /* busybox tries finit_module, then init_module */
	  "Critical" },
	/* the same call by a program named like a BPF tool is left alone */
	CASE("BPF call in container", "Warning", IN "/e2e/probe bpf " T, "probe bpf " T,
	     IN "/bin/mkdir -p /tmp/b-" T " && " IN "/bin/cp /e2e/probe /tmp/b-" T "/bpftool && " IN
		"/tmp/b-" T "/bpftool bpf " T,
	     "bpftool bpf " T, "proc.cmdline"),
	CASE("Kernel tunable write in container", "Critical",
	     IN "/bin/sysctl -w kernel.core_pattern=" T QUIET2, "sysctl -w kernel.core_pattern=" T,
	     IN "/bin/sysctl -w net.ipv4.tcp_keepalive_time=" T QUIET2,
	     "sysctl -w net.ipv4.tcp_keepalive_time=" T, "proc.cmdline"),
	CASE("Kernel tunable write in container", "Critical",
	     IN "/bin/tee /proc/sysrq-trigger " T " </dev/null" QUIET2,
	     "tee /proc/sysrq-trigger " T, IN "/bin/cat /proc/sysrq-trigger " T QUIET2,
	     "cat /proc/sysrq-trigger " T, "proc.cmdline"),
	CASE("Cgroup release_agent write in container", "Critical",
	     IN "/bin/tee /sys/fs/cgroup/release_agent " T " </dev/null" QUIET2,
	     "tee /sys/fs/cgroup/release_agent " T,
	     IN "/bin/tee /tmp/agent-" T " </dev/null" QUIET2, "tee /tmp/agent-" T, "proc.cmdline"),
	CASE("Host root accessed through procfs in container", "Warning",
	     IN "/bin/cat /proc/1/root/etc/hostname " T QUIET2, "cat /proc/1/root/etc/hostname " T,
	     IN "/bin/cat /proc/1/cmdline " T QUIET2, "cat /proc/1/cmdline " T, "proc.cmdline"),
	CASE("Unusual port to public address from container", "Notice",
	     IN "/bin/nc -w 1 " PUBLIC " 8999" QUIET2, "nc -w 1 " PUBLIC " 8999",
	     IN "/bin/nc -w 1 " PUBLIC " 443" QUIET2, "nc -w 1 " PUBLIC " 443", "proc.cmdline"),
	CASE("Connection to mining pool port from container", "Critical",
	     IN "/bin/nc -w 1 " PUBLIC " 3333" QUIET2, "nc -w 1 " PUBLIC " 3333",
	     IN "/bin/nc -w 1 10.1.2.3 3333" QUIET2, "nc -w 1 10.1.2.3 3333", "proc.cmdline"),
	/* a bind shell: the listener puts the accepted connection on 0 and 1 */
	{ { .rule = "Network connection as standard stream in container",
	    .run = "docker exec -d " CTR
		   " /bin/nc -l -p 7001 -e /bin/true && for i in 1 2 3 4 5 6 7 8; "
		   "do " IN "/bin/nc -w 1 127.0.0.1 7001 </dev/null >/dev/null 2>&1 && break; "
		   "sleep 0.3; done",
	    .want = "nc -l -p 7001 -e /bin/true",
	    .benign = "docker exec -d " CTR " /bin/nc -l -p 7002 && for i in 1 2 3 4 5 6 7 8; "
		      "do " IN "/bin/nc -w 1 127.0.0.1 7002 </dev/null >/dev/null 2>&1 && break; "
		      "sleep 0.3; done",
	    .benign_want = "nc -l -p 7002",
	    .key = "proc.cmdline",
	    .count = 2 }, /* stdin and stdout */
	  "Warning" },
	CASE("Connection to another container on the host bridge", "Notice",
	     IN "/bin/nc -w 1 172.17.0.9 8080" QUIET2, "nc -w 1 172.17.0.9 8080",
	     IN "/bin/nc -w 1 10.1.2.3 8080" QUIET2, "nc -w 1 10.1.2.3 8080", "proc.cmdline"),
};

static struct e2e_vigil *vigil;
static char ctr_id[13];
static int sock_fd = -1;

/* The helper, a junk module and the socket the container sees as docker.sock. */
static void make_files(const char *dir)
{
	struct sockaddr_un a = { .sun_family = AF_UNIX };

	e2e_write_file(tu_join(dir, "probe.c"), PROBE_SRC);
	e2e_write_file(tu_join(dir, "mod.ko"), "not a module\n");
	if (e2e_sh(NULL, 60000, "${CC:-cc} -static -O1 -o %s %s", tu_join(dir, "probe"),
		   tu_join(dir, "probe.c")))
		tu_skip_or_fail("cannot build a static helper with ${CC:-cc} -static "
				"(a C compiler and libc6-dev are needed)");
	snprintf(a.sun_path, sizeof(a.sun_path), "%s", tu_join(dir, "docker.sock"));
	sock_fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (sock_fd < 0 || bind(sock_fd, (struct sockaddr *)&a, sizeof(a)) || listen(sock_fd, 16))
		fail_msg("unix socket %s failed", a.sun_path);
}

static void remove_containers(void)
{
	e2e_sh(NULL, E2E_DOCKER_MS, "docker rm -f " CTR " " CTR_Q " >/dev/null 2>&1");
}

static int setup(void **state)
{
	const char *rules[] = { e2e_source_path("rules/vigil_rules.yaml"), e2e_source_path(RULES_F),
				NULL };
	char dir[PATH_MAX];

	(void)state;
	e2e_require_root();
	e2e_docker_ready();
	e2e_tmpdir(dir, sizeof(dir));
	make_files(dir);
	vigil = e2e_start(rules);
	remove_containers();
	e2e_docker_run_id(ctr_id,
			  "run -d --name " CTR " --network none -v %s:/e2e:ro "
			  "-v %s/docker.sock:/var/run/docker.sock "
			  "-v %s/docker.sock:/var/run/app.sock " E2E_IMAGE
			  " sh -c 'mkdir -p /tmp && exec sleep 600' c-%s",
			  dir, dir, dir, e2e_stock_token());
	if (e2e_sh(NULL, E2E_DOCKER_MS, IN "mkdir -p /tmp"))
		fail_msg("mkdir -p /tmp in " CTR " failed");
	return 0;
}

static int teardown(void **state)
{
	remove_containers();
	if (sock_fd >= 0)
		close(sock_fd);
	return e2e_teardown(state);
}

static void run_case(void **state)
{
	const struct ctr_case *tc = *state;
	const json_t *a = e2e_stock_check(vigil, &tc->c);

	e2e_assert_top(a, "priority", tc->priority);
	e2e_assert_field(a, "container.id", ctr_id);
	e2e_assert_field(a, "container.name", CTR);
	e2e_assert_field(a, "container.image.repository", E2E_IMAGE_REPO);
	e2e_assert_field_null(a, "k8s.pod.name");
}

/*
 * A container started with good-practice flags, and what an operator or a
 * health check runs in it: no rule of the file fires for it.
 */
static void test_quiet(void **state)
{
	char id[13];

	(void)state;
	e2e_docker_run_id(id, "run -d --name " CTR_Q " --network none --read-only --cap-drop ALL "
			      "--security-opt no-new-privileges --user 1000 --tmpfs /tmp " E2E_IMAGE
			      " sleep 600");
	if (e2e_sh(NULL, E2E_DOCKER_MS,
		   "c='docker exec " CTR_Q "'; $c /bin/ls / && $c /bin/cat /etc/hostname && "
		   "$c /bin/id && $c /bin/ps && $c /bin/sh -c 'echo x > /tmp/f && cat /tmp/f' && "
		   "$c /bin/wget -q -T 1 -O /dev/null http://127.0.0.1:1/ ; $c /bin/true") < 0)
		fail_msg("docker exec in " CTR_Q " failed");
	tu_sleep_ms(400); /* longer than vigil's wait for a new container's metadata */
	e2e_refresh(vigil);
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct e2e_match m = { .rule = cases[i].c.rule,
				       .fields = { { "container.id", id } } };

		if (e2e_count(vigil, &m))
			fail_msg("\"%s\" fired for " CTR_Q, m.rule);
	}
}

static void test_stop(void **state)
{
	(void)state;
	e2e_stop(vigil);
}

int main(void)
{
	enum { N = sizeof(cases) / sizeof(cases[0]) };
	struct CMUnitTest tests[N + 2];

	for (size_t i = 0; i < N; i++)
		tests[i] = (struct CMUnitTest){ .name = cases[i].c.rule,
						.test_func = run_case,
						.initial_state = (void *)&cases[i] };
	tests[N] = (struct CMUnitTest){ .name = "ordinary commands raise none",
					.test_func = test_quiet };
	tests[N + 1] = (struct CMUnitTest){ .name = "vigil stops having lost nothing",
					    .test_func = test_stop };
	return cmocka_run_group_tests(tests, setup, teardown);
}
