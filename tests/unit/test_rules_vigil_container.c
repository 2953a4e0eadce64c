// SPDX-License-Identifier: Apache-2.0
/*
 * vigil's bundled container rules (rules/vigil_rules_container.yaml, loaded
 * after rules/vigil_rules.yaml): both load without a warning, and the parts
 * of the conditions an end-to-end test cannot reach in a --network none
 * busybox container fire or stay quiet as docs/rules.md says: which connect
 * results count as attempts, IPv6 and IPv4-mapped peers, the host staying
 * quiet, the runtime's own init, the terminal and parent of an interactive
 * program.
 */
#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "rules/state.h"
#include "test_rules_util.h"

#define R_PUBLIC "Unusual port to public address from container"
#define R_MINING "Connection to mining pool port from container"
#define R_BRIDGE "Connection to another container on the host bridge"
#define R_TTY	 "Interactive process in container"
#define R_SYSCTL "Kernel tunable write in container"
#define R_MOUNT	 "Mount in container"

static struct vgl_ruleset *rs;

/* The fake state: pid 4242 in container_id, its parent pid 1 named parent_name. */
static const char *container_id = "0123456789ab";
static const char *parent_name = "containerd-shim";
static int64_t tty;
static const char *exepath; /* pid 4242's */

static const struct vgl_container_view *fake_container(void *state, uint64_t cgroup_id,
						       uint32_t pid)
{
	static struct vgl_container_view v;

	(void)state, (void)cgroup_id, (void)pid;
	v = (struct vgl_container_view){ .id = container_id, .name = "web", .image = "busybox" };
	return &v;
}

static const struct vgl_proc_view *fake_proc(void *state, uint32_t pid)
{
	static struct vgl_proc_view v;

	(void)state;
	v = (struct vgl_proc_view){ .pid = pid, .ppid = pid == 1 ? 0 : 1, .tty = tty };
	v.name = pid == 1 ? parent_name : NULL;
	v.exepath = pid == 1 ? NULL : exepath;
	return &v;
}

static const struct vgl_field_state_ops ops = { .proc = fake_proc, .container = fake_container };

static int setup(void **state)
{
	const char *src = getenv("VIGIL_SOURCE_DIR");
	char paths[2][1024];
	const char *files[2] = { paths[0], paths[1] };
	struct vgl_diag d;
	char dir[900];

	(void)state;
	if (src) {
		snprintf(dir, sizeof(dir), "%s/rules", src);
	} else { /* the source tree this file is in */
		snprintf(dir, sizeof(dir), "%s", __FILE__);
		*strrchr(dir, '/') = '\0';
		strcat(dir, "/../../rules");
	}
	snprintf(paths[0], sizeof(paths[0]), "%s/vigil_rules.yaml", dir);
	snprintf(paths[1], sizeof(paths[1]), "%s/vigil_rules_container.yaml", dir);
	vgl_diag_init(&d);
	if (vgl_ruleset_load(files, 2, NULL, &rs, &d) || d.n)
		diag_dump(&d);
	assert_int_equal(d.n, 0); /* no warnings either */
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

	eval_hits(rs, &t->ev, &ops, NULL, &h);
	return hits_has(&h, rule);
}

/* A connect by nc to @ip:@port that returned @res. */
static void connect_ev(struct tev *t, const char *ip, uint16_t port, int64_t res)
{
	tev_init(t, VGL_EV_CONNECT, "nc", 4242, res);
	tev_num(t, "fd", 3);
	tev_sa(t, "addr", ip, port);
}

static void test_connect_attempts(void **state)
{
	static const int64_t attempts[] = { 0, -EINPROGRESS, -ENETUNREACH, -ECONNREFUSED,
					    -ETIMEDOUT };
	static const int64_t repeats[] = { -EALREADY, -EISCONN, -EBADF };
	struct tev t;

	(void)state;
	for (size_t i = 0; i < sizeof(attempts) / sizeof(attempts[0]); i++) {
		connect_ev(&t, "203.0.113.5", 8999, attempts[i]);
		assert_true(fires(&t, R_PUBLIC));
		connect_ev(&t, "203.0.113.5", 3333, attempts[i]);
		assert_true(fires(&t, R_MINING));
		assert_false(fires(&t, R_PUBLIC)); /* the mining rule has it */
	}
	for (size_t i = 0; i < sizeof(repeats) / sizeof(repeats[0]); i++) {
		connect_ev(&t, "203.0.113.5", 8999, repeats[i]);
		assert_false(fires(&t, R_PUBLIC));
	}
}

static void test_connect_addresses(void **state)
{
	static const char *const private[] = {
		"10.1.2.3", "172.16.0.1", "192.168.1.1", "127.0.0.1",	    "169.254.169.254",
		"::1",	    "fd00::1",	  "fe80::1",	 "::ffff:10.1.2.3", "::ffff:127.0.0.1"
	};
	struct tev t;

	(void)state;
	for (size_t i = 0; i < sizeof(private) / sizeof(private[0]); i++) {
		connect_ev(&t, private[i], 8999, -ECONNREFUSED);
		assert_false(fires(&t, R_PUBLIC));
	}
	connect_ev(&t, "2001:db8::1", 8999, -ENETUNREACH);
	assert_true(fires(&t, R_PUBLIC));
	connect_ev(&t, "::ffff:203.0.113.5", 8999, -ENETUNREACH);
	assert_true(fires(&t, R_PUBLIC));
	connect_ev(&t, "203.0.113.5", 443, 0);
	assert_false(fires(&t, R_PUBLIC));
	connect_ev(&t, "::ffff:127.0.0.1", 3333, -ECONNREFUSED);
	assert_false(fires(&t, R_MINING));
	connect_ev(&t, "10.1.2.3", 3333, 0); /* a service on the LAN */
	assert_false(fires(&t, R_MINING));
	connect_ev(&t, "2001:db8::1", 14444, -ENETUNREACH);
	assert_true(fires(&t, R_MINING));
	connect_ev(&t, "203.0.113.5", 8000, 0); /* not a pool port: the other rule's */
	assert_false(fires(&t, R_MINING));
	assert_true(fires(&t, R_PUBLIC));
	connect_ev(&t, "172.17.0.5", 5432, 0);
	assert_true(fires(&t, R_BRIDGE));
	connect_ev(&t, "172.18.0.5", 5432, 0);
	assert_false(fires(&t, R_BRIDGE));
	container_id = "host";
	connect_ev(&t, "203.0.113.5", 3333, 0);
	assert_false(fires(&t, R_MINING));
	container_id = "0123456789ab";
}

static void test_interactive(void **state)
{
	struct tev t;

	(void)state;
	tev_exec(&t, "top", "/usr/bin/top", "top");
	tty = 34816; /* /dev/pts/0 */
	assert_true(fires(&t, R_TTY));
	parent_name = "bash"; /* typed in a shell: the shell's alert has it */
	assert_false(fires(&t, R_TTY));
	parent_name = "containerd-shim";
	tty = 0;
	assert_false(fires(&t, R_TTY));
	tty = 34816;
	tev_exec(&t, "bash", "/bin/bash", "bash");
	assert_false(fires(&t, R_TTY)); /* "Shell in container" has it */
	assert_true(fires(&t, "Shell in container"));
	tty = 0; /* an entrypoint's or a health check's sh -c: how images run */
	assert_false(fires(&t, "Shell in container"));
	parent_name = "nginx"; /* a shell the workload started: a web shell */
	assert_true(fires(&t, "Shell in container"));
	parent_name = "containerd-shim";
}

static void test_runtime_init(void **state)
{
	struct tev t;

	(void)state;
	tev_open(&t, "sysctl", "/proc/sys/kernel/core_pattern", O_WRONLY | O_TRUNC, -EROFS);
	assert_true(fires(&t, R_SYSCTL));
	tev_open(&t, "runc:[2:INIT]", "/proc/sys/kernel/core_pattern", O_WRONLY, 3);
	assert_false(fires(&t, R_SYSCTL));
	tev_open(&t, "sysctl", "/proc/sys/net/ipv4/ip_forward", O_WRONLY, 3);
	assert_false(fires(&t, R_SYSCTL));
	tev_open(&t, "cat", "/proc/sys/kernel/core_pattern", O_RDONLY, 3);
	assert_false(fires(&t, R_SYSCTL));
	tev_init(&t, VGL_EV_MOUNT, "runc:[2:INIT]", 4242, 0);
	assert_false(fires(&t, R_MOUNT));
	tev_init(&t, VGL_EV_MOUNT, "mount", 4242, -EPERM);
	assert_true(fires(&t, R_MOUNT));
	/* runc's init as "/proc/self/exe init" bind-mounts its clone; a copy named exe does not
	 * pass */
	exepath = "/usr/sbin/runc";
	tev_init(&t, VGL_EV_MOUNT, "exe", 4242, 0);
	assert_false(fires(&t, R_MOUNT));
	exepath = "/tmp/exe";
	assert_true(fires(&t, R_MOUNT));
	exepath = NULL;
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_connect_attempts),
		cmocka_unit_test(test_connect_addresses),
		cmocka_unit_test(test_interactive),
		cmocka_unit_test(test_runtime_init),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
