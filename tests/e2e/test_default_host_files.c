// SPDX-License-Identifier: Apache-2.0
/*
 * vigil's default host rules on files (rules/vigil_rules.yaml), end to end
 * as root on the host: credential reads, writes below /etc, /usr and /root,
 * the container runtime's configuration and units (test_default_host_wipe.c
 * has shell history and logs).
 * Each case makes its own files (unique names for this run, removed at the
 * end: nothing existing is touched), performs the behaviour from a child
 * named for this run, checks the alert, and checks that the benign variant
 * (an expected program, or a harmless file) raised nothing.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>

#include "harness.h"
#include "harness_host.h"

static struct e2e_vigil *vigil;
static char tmp[PATH_MAX];

static int setup(void **state)
{
	(void)state;
	vigil = e2e_host_start();
	e2e_tmpdir(tmp, sizeof(tmp));
	return 0;
}

static int teardown(void **state)
{
	e2e_host_cleanup();
	return e2e_teardown(state);
}

/* Reading a sudoers.d entry: sudo may, a program of another name may not. */
static void test_read_sensitive(void **state)
{
	const char *f = e2e_host_path("/etc/sudoers.d/", e2e_host_name("vgl-"), "");
	struct e2e_file_op op = { .path = f, .flags = O_RDONLY };
	const char *comm = e2e_host_name("rs-");
	const json_t *a;

	(void)state;
	e2e_host_make_dir("/etc/sudoers.d");
	e2e_host_make_file(f, 0440);
	e2e_spawn("sudo", e2e_host_do_open, &op);
	e2e_spawn(comm, e2e_host_do_open, &op);
	a = e2e_host_fired(vigil,
			   (&(struct e2e_match){ .rule = "Read sensitive file",
						 .fields = { { "proc.name", comm } } }),
			   "Warning");
	e2e_assert_field(a, "fd.name", f);
	e2e_assert_field(a, "user.name", "root");
	e2e_assert_field(a, "proc.pname", e2e_self_comm());
	e2e_host_none(vigil, (&(struct e2e_match){
				     .rule = "Read sensitive file",
				     .fields = { { "proc.name", "sudo" }, { "fd.name", f } } }));
}

/* Root's SSH keys: a program writes one, another reads it; ssh-keygen and ssh-add may. */
static void test_ssh_key(void **state)
{
	const char *key = e2e_host_path("/root/.ssh/id_", e2e_host_name("vgl"), "");
	const char *pub = e2e_host_path(key, ".pub", "");
	const char *kg = e2e_host_path("/root/.ssh/id_", e2e_host_name("vgl"), "_kg");
	struct e2e_file_op wr = { .path = key, .flags = O_WRONLY | O_CREAT | O_EXCL, .mode = 0600 };
	struct e2e_file_op kgw = { .path = kg, .flags = O_WRONLY | O_CREAT | O_EXCL, .mode = 0600 };
	struct e2e_file_op rd = { .path = key, .flags = O_RDONLY }, rpub = { .path = pub };
	const char *wcomm = e2e_host_name("wk-"), *rcomm = e2e_host_name("rk-");
	const json_t *a;

	(void)state;
	e2e_host_make_dir("/root/.ssh");
	e2e_host_made(key);
	e2e_host_made(kg);
	e2e_host_make_file(pub, 0644);
	e2e_spawn("ssh-keygen", e2e_host_do_open, &kgw);
	e2e_spawn(wcomm, e2e_host_do_open, &wr);
	a = e2e_host_fired(vigil,
			   (&(struct e2e_match){ .rule = "Write below root",
						 .fields = { { "proc.name", wcomm } } }),
			   "Error");
	e2e_assert_field(a, "fd.name", key);
	e2e_host_none(vigil, (&(struct e2e_match){ .rule = "Write below root",
						   .fields = { { "fd.name", kg } } }));

	e2e_spawn("ssh-add", e2e_host_do_open, &rd);
	e2e_spawn(rcomm, e2e_host_do_open, &rpub);
	e2e_spawn(rcomm, e2e_host_do_open, &rd);
	a = e2e_host_fired(vigil,
			   (&(struct e2e_match){ .rule = "Read SSH private key",
						 .fields = { { "proc.name", rcomm } } }),
			   "Warning");
	e2e_assert_field(a, "fd.name", key);
	e2e_host_tag(a, "T1552.004");
	e2e_host_none(vigil, (&(struct e2e_match){ .rule = "Read SSH private key",
						   .fields = { { "fd.name", pub } } }));
	e2e_host_none(vigil, (&(struct e2e_match){ .rule = "Read SSH private key",
						   .fields = { { "proc.name", "ssh-add" },
							       { "fd.name", key } } }));
}

/* A user's AWS credentials: the aws client may read them, another program may not. */
static void test_cloud_credentials(void **state)
{
	const char *home = e2e_host_path("/home/", e2e_host_name("vgl-"), "");
	const char *aws = e2e_host_path(home, "/.aws", "");
	const char *cred = e2e_host_path(aws, "/credentials", "");
	struct e2e_file_op rd = { .path = cred, .flags = O_RDONLY };
	const char *comm = e2e_host_name("cr-");
	const json_t *a;

	(void)state;
	e2e_host_make_dir(home);
	e2e_host_make_dir(aws);
	e2e_host_make_file(cred, 0600);
	e2e_spawn("aws", e2e_host_do_open, &rd);
	e2e_spawn(comm, e2e_host_do_open, &rd);
	a = e2e_host_fired(vigil,
			   (&(struct e2e_match){ .rule = "Read cloud credentials",
						 .fields = { { "proc.name", comm } } }),
			   "Warning");
	e2e_assert_field(a, "fd.name", cred);
	e2e_host_tag(a, "T1552.001");
	e2e_host_none(vigil, (&(struct e2e_match){
				     .rule = "Read cloud credentials",
				     .fields = { { "proc.name", "aws" }, { "fd.name", cred } } }));
}

/*
 * A new file below /etc, /usr/local/bin: written by a program of this run,
 * raised; by a child of a process named dpkg (a maintainer script), not.
 */
static void test_write_system_dirs(void **state)
{
	const char *etc = e2e_host_path("/etc/", e2e_host_name("vgl-"), ".conf");
	const char *etc_ok = e2e_host_path("/etc/", e2e_host_name("vgl-"), "-ok.conf");
	const char *bin = e2e_host_path("/usr/local/bin/", e2e_host_name("vgl-"), "");
	const char *bin_ok = e2e_host_path("/usr/local/bin/", e2e_host_name("vgl-"), "-ok");
	struct e2e_file_op we = { .path = etc, .flags = O_WRONLY | O_CREAT | O_EXCL, .mode = 0644 };
	struct e2e_file_op we_ok = { .path = etc_ok,
				     .flags = O_WRONLY | O_CREAT | O_EXCL,
				     .mode = 0644 };
	struct e2e_file_op wb = { .path = bin, .flags = O_WRONLY | O_CREAT | O_EXCL, .mode = 0755 };
	struct e2e_file_op wb_ok = { .path = bin_ok,
				     .flags = O_WRONLY | O_CREAT | O_EXCL,
				     .mode = 0755 };
	struct e2e_nested dpkg_etc = { "cp", e2e_host_do_open, &we_ok },
			  dpkg_bin = { "install", e2e_host_do_open, &wb_ok };
	const char *comm = e2e_host_name("wr-");
	const json_t *a;

	(void)state;
	e2e_host_made(etc);
	e2e_host_made(etc_ok);
	e2e_host_made(bin);
	e2e_host_made(bin_ok);
	e2e_spawn("dpkg", e2e_host_run_nested, &dpkg_etc);
	e2e_spawn("dpkg", e2e_host_run_nested, &dpkg_bin);
	e2e_spawn(comm, e2e_host_do_open, &we);
	e2e_spawn(comm, e2e_host_do_open, &wb);
	a = e2e_host_fired(vigil,
			   (&(struct e2e_match){ .rule = "Write below etc",
						 .fields = { { "proc.name", comm } } }),
			   "Error");
	e2e_assert_field(a, "fd.name", etc);
	e2e_assert_field(a, "container.id", "host");
	a = e2e_host_fired(vigil,
			   (&(struct e2e_match){ .rule = "Write below binary directory",
						 .fields = { { "proc.name", comm } } }),
			   "Error");
	e2e_assert_field(a, "fd.name", bin);
	e2e_assert_field_has(a, "evt.arg.flags", "O_CREAT");
	e2e_host_none(vigil, (&(struct e2e_match){ .rule = "Write below etc",
						   .fields = { { "fd.name", etc_ok } } }));
	e2e_host_none(vigil, (&(struct e2e_match){ .rule = "Write below binary directory",
						   .fields = { { "fd.name", bin_ok } } }));
}

/*
 * The runtime's configuration (a new file in /etc/docker, which dockerd
 * does not read) and a docker.service drop-in directory entry (not a .conf:
 * systemd ignores it): raised for a program of this run, with the CIS
 * Docker Benchmark ids; dockerd and dpkg may. Neither is "Write below etc".
 */
static void test_container_runtime(void **state)
{
	const char *dropins = "/etc/systemd/system/docker.service.d";
	const char *cfg = e2e_host_path("/etc/docker/", e2e_host_name("vgl-"), ".json");
	const char *cfg_ok = e2e_host_path("/etc/docker/", e2e_host_name("vgl-"), "-ok.json");
	const char *unit = e2e_host_path("/etc/systemd/system/docker.service.d/",
					 e2e_host_name("vgl-"), ".txt");
	const char *unit_ok = e2e_host_path("/etc/systemd/system/docker.service.d/",
					    e2e_host_name("vgl-"), "-ok.txt");
	struct e2e_file_op wc = { .path = cfg, .flags = O_WRONLY | O_CREAT | O_EXCL, .mode = 0644 };
	struct e2e_file_op wc_ok = { .path = cfg_ok,
				     .flags = O_WRONLY | O_CREAT | O_EXCL,
				     .mode = 0644 };
	struct e2e_file_op wu = { .path = unit,
				  .flags = O_WRONLY | O_CREAT | O_EXCL,
				  .mode = 0644 };
	struct e2e_file_op wu_ok = { .path = unit_ok,
				     .flags = O_WRONLY | O_CREAT | O_EXCL,
				     .mode = 0644 };
	const char *comm = e2e_host_name("rt-");
	const json_t *a;

	(void)state;
	e2e_host_make_dir("/etc/docker");
	e2e_host_make_dir(dropins);
	e2e_host_made(cfg);
	e2e_host_made(cfg_ok);
	e2e_host_made(unit);
	e2e_host_made(unit_ok);
	e2e_spawn("dockerd", e2e_host_do_open, &wc_ok);
	e2e_spawn("dpkg", e2e_host_do_open, &wu_ok);
	e2e_spawn(comm, e2e_host_do_open, &wc);
	e2e_spawn(comm, e2e_host_do_open, &wu);
	a = e2e_host_fired(vigil,
			   (&(struct e2e_match){ .rule = "Container runtime configuration modified",
						 .fields = { { "proc.name", comm } } }),
			   "Error");
	e2e_assert_field(a, "fd.name", cfg);
	e2e_host_tag(a, "CIS_DOCKER_1.1.6");
	e2e_host_tag(a, "T1562.001");
	a = e2e_host_fired(
		vigil,
		(&(struct e2e_match){ .rule = "Container runtime binary or unit modified",
				      .fields = { { "proc.name", comm } } }),
		"Critical");
	e2e_assert_field(a, "fd.name", unit);
	e2e_host_tag(a, "CIS_DOCKER_1.1.7");
	e2e_host_none(vigil,
		      (&(struct e2e_match){ .rule = "Container runtime configuration modified",
					    .fields = { { "fd.name", cfg_ok } } }));
	e2e_host_none(vigil,
		      (&(struct e2e_match){ .rule = "Container runtime binary or unit modified",
					    .fields = { { "fd.name", unit_ok } } }));
	e2e_host_none(vigil, (&(struct e2e_match){ .rule = "Write below etc",
						   .fields = { { "proc.name", comm } } }));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_read_sensitive),
		cmocka_unit_test(test_ssh_key),
		cmocka_unit_test(test_cloud_credentials),
		cmocka_unit_test(test_write_system_dirs),
		cmocka_unit_test(test_container_runtime),
		cmocka_unit_test(e2e_host_test_same_without_prefilter), /* last */
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
