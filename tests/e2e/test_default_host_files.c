// SPDX-License-Identifier: Apache-2.0
/*
 * vigil's default host rules on files (rules/vigil_rules.yaml), end to end
 * as root on the host: credential reads, writes below /etc, /usr and /root,
 * the container runtime's configuration and units, shell history and logs.
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

/* What a child does to a file: ctx of the actions below. */
struct file_op {
	const char *path;
	int flags;
	mode_t mode;
	const char *path2; /* rename / symlink target */
};

static void do_open(void *ctx)
{
	const struct file_op *op = ctx;
	int fd = open(op->path, op->flags | O_CLOEXEC, op->mode);

	E2E_CHECK(fd >= 0);
	close(fd);
}

static void do_unlink(void *ctx)
{
	E2E_CHECK(unlink(((const struct file_op *)ctx)->path) == 0);
}

static void do_symlink(void *ctx)
{
	const struct file_op *op = ctx;

	E2E_CHECK(symlink(op->path2, op->path) == 0);
}

static void do_rename(void *ctx)
{
	const struct file_op *op = ctx;

	E2E_CHECK(rename(op->path2, op->path) == 0);
}

/* Run @fn(@op) in a child named @comm whose parent is a child named @parent. */
struct nested {
	const char *comm;
	e2e_action_fn fn;
	void *ctx;
};

static void run_nested(void *ctx)
{
	const struct nested *n = ctx;

	e2e_spawn(n->comm, n->fn, n->ctx);
}

/* Write @path (a new file of this run), recording it for the clean-up. */
static void make_file(const char *path, mode_t mode)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, mode);

	if (fd < 0)
		fail_msg("%s: %s", path, strerror(errno));
	e2e_host_made(path);
	if (write(fd, "# vigil e2e\n", 12) != 12)
		fail_msg("%s: write: %s", path, strerror(errno));
	close(fd);
}

/* mkdir @path unless it exists; removed at the end only when made here. */
static void make_dir(const char *path)
{
	if (mkdir(path, 0700) == 0)
		e2e_host_made(path);
	else if (errno != EEXIST)
		fail_msg("mkdir %s: %s", path, strerror(errno));
}

/* @pre @name @suf, in one of 8 static buffers. */
static const char *pathf(const char *pre, const char *name, const char *suf)
{
	static char bufs[8][PATH_MAX];
	static unsigned int next;
	char *b = bufs[next++ % 8];

	snprintf(b, PATH_MAX, "%s%s%s", pre, name, suf);
	return b;
}

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
	const char *f = pathf("/etc/sudoers.d/", e2e_host_name("vgl-"), "");
	struct file_op op = { .path = f, .flags = O_RDONLY };
	const char *comm = e2e_host_name("rs-");
	const json_t *a;

	(void)state;
	make_dir("/etc/sudoers.d");
	make_file(f, 0440);
	e2e_spawn("sudo", do_open, &op);
	e2e_spawn(comm, do_open, &op);
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
	const char *key = pathf("/root/.ssh/id_", e2e_host_name("vgl"), "");
	const char *pub = pathf(key, ".pub", "");
	const char *kg = pathf("/root/.ssh/id_", e2e_host_name("vgl"), "_kg");
	struct file_op wr = { .path = key, .flags = O_WRONLY | O_CREAT | O_EXCL, .mode = 0600 };
	struct file_op kgw = { .path = kg, .flags = O_WRONLY | O_CREAT | O_EXCL, .mode = 0600 };
	struct file_op rd = { .path = key, .flags = O_RDONLY }, rpub = { .path = pub };
	const char *wcomm = e2e_host_name("wk-"), *rcomm = e2e_host_name("rk-");
	const json_t *a;

	(void)state;
	make_dir("/root/.ssh");
	e2e_host_made(key);
	e2e_host_made(kg);
	make_file(pub, 0644);
	e2e_spawn("ssh-keygen", do_open, &kgw);
	e2e_spawn(wcomm, do_open, &wr);
	a = e2e_host_fired(vigil,
			   (&(struct e2e_match){ .rule = "Write below root",
						 .fields = { { "proc.name", wcomm } } }),
			   "Error");
	e2e_assert_field(a, "fd.name", key);
	e2e_host_none(vigil, (&(struct e2e_match){ .rule = "Write below root",
						   .fields = { { "fd.name", kg } } }));

	e2e_spawn("ssh-add", do_open, &rd);
	e2e_spawn(rcomm, do_open, &rpub);
	e2e_spawn(rcomm, do_open, &rd);
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
	const char *home = pathf("/home/", e2e_host_name("vgl-"), "");
	const char *aws = pathf(home, "/.aws", "");
	const char *cred = pathf(aws, "/credentials", "");
	struct file_op rd = { .path = cred, .flags = O_RDONLY };
	const char *comm = e2e_host_name("cr-");
	const json_t *a;

	(void)state;
	make_dir(home);
	make_dir(aws);
	make_file(cred, 0600);
	e2e_spawn("aws", do_open, &rd);
	e2e_spawn(comm, do_open, &rd);
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
	const char *etc = pathf("/etc/", e2e_host_name("vgl-"), ".conf");
	const char *etc_ok = pathf("/etc/", e2e_host_name("vgl-"), "-ok.conf");
	const char *bin = pathf("/usr/local/bin/", e2e_host_name("vgl-"), "");
	const char *bin_ok = pathf("/usr/local/bin/", e2e_host_name("vgl-"), "-ok");
	struct file_op we = { .path = etc, .flags = O_WRONLY | O_CREAT | O_EXCL, .mode = 0644 };
	struct file_op we_ok = { .path = etc_ok,
				 .flags = O_WRONLY | O_CREAT | O_EXCL,
				 .mode = 0644 };
	struct file_op wb = { .path = bin, .flags = O_WRONLY | O_CREAT | O_EXCL, .mode = 0755 };
	struct file_op wb_ok = { .path = bin_ok,
				 .flags = O_WRONLY | O_CREAT | O_EXCL,
				 .mode = 0755 };
	struct nested dpkg_etc = { "cp", do_open, &we_ok },
		      dpkg_bin = { "install", do_open, &wb_ok };
	const char *comm = e2e_host_name("wr-");
	const json_t *a;

	(void)state;
	e2e_host_made(etc);
	e2e_host_made(etc_ok);
	e2e_host_made(bin);
	e2e_host_made(bin_ok);
	e2e_spawn("dpkg", run_nested, &dpkg_etc);
	e2e_spawn("dpkg", run_nested, &dpkg_bin);
	e2e_spawn(comm, do_open, &we);
	e2e_spawn(comm, do_open, &wb);
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
	const char *cfg = pathf("/etc/docker/", e2e_host_name("vgl-"), ".json");
	const char *cfg_ok = pathf("/etc/docker/", e2e_host_name("vgl-"), "-ok.json");
	const char *unit =
		pathf("/etc/systemd/system/docker.service.d/", e2e_host_name("vgl-"), ".txt");
	const char *unit_ok =
		pathf("/etc/systemd/system/docker.service.d/", e2e_host_name("vgl-"), "-ok.txt");
	struct file_op wc = { .path = cfg, .flags = O_WRONLY | O_CREAT | O_EXCL, .mode = 0644 };
	struct file_op wc_ok = { .path = cfg_ok,
				 .flags = O_WRONLY | O_CREAT | O_EXCL,
				 .mode = 0644 };
	struct file_op wu = { .path = unit, .flags = O_WRONLY | O_CREAT | O_EXCL, .mode = 0644 };
	struct file_op wu_ok = { .path = unit_ok,
				 .flags = O_WRONLY | O_CREAT | O_EXCL,
				 .mode = 0644 };
	const char *comm = e2e_host_name("rt-");
	const json_t *a;

	(void)state;
	make_dir("/etc/docker");
	make_dir(dropins);
	e2e_host_made(cfg);
	e2e_host_made(cfg_ok);
	e2e_host_made(unit);
	e2e_host_made(unit_ok);
	e2e_spawn("dockerd", do_open, &wc_ok);
	e2e_spawn("dpkg", do_open, &wu_ok);
	e2e_spawn(comm, do_open, &wc);
	e2e_spawn(comm, do_open, &wu);
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

/*
 * Shell history in a temporary home: truncated by a redirection (mode
 * 0666), deleted, replaced by a link to /dev/null; not raised for bash
 * saving its history (O_TRUNC, mode 0600) or zsh renaming its new copy.
 */
static void test_shell_history(void **state)
{
	char bash_h[PATH_MAX + 32], zsh_h[PATH_MAX + 32], ash_h[PATH_MAX + 32];
	char own_h[PATH_MAX + 32], zsh_new[PATH_MAX + 32], zsh_own[PATH_MAX + 32],
		dir2[PATH_MAX + 8];
	struct file_op trunc = { .path = bash_h,
				 .flags = O_WRONLY | O_CREAT | O_TRUNC,
				 .mode = 0666 };
	struct file_op own = { .path = own_h, .flags = O_WRONLY | O_CREAT | O_TRUNC, .mode = 0600 };
	struct file_op rm = { .path = zsh_h }, ln = { .path = ash_h, .path2 = "/dev/null" };
	struct file_op mv = { .path = zsh_own, .path2 = zsh_new };
	const char *ct = e2e_host_name("ht-"), *cu = e2e_host_name("hu-"),
		   *cs = e2e_host_name("hs-");
	const struct e2e_match mt = { .rule = "Shell history tampered",
				      .fields = { { "proc.name", ct } } };
	const json_t *a;

	(void)state;
	snprintf(dir2, sizeof(dir2), "%s/own", tmp);
	make_dir(dir2);
	snprintf(bash_h, sizeof(bash_h), "%s/.bash_history", tmp);
	snprintf(zsh_h, sizeof(zsh_h), "%s/.zsh_history", tmp);
	snprintf(ash_h, sizeof(ash_h), "%s/.ash_history", tmp);
	snprintf(own_h, sizeof(own_h), "%s/.bash_history", dir2);
	snprintf(zsh_own, sizeof(zsh_own), "%s/.zsh_history", dir2);
	snprintf(zsh_new, sizeof(zsh_new), "%s/.zsh_history.new", dir2);
	make_file(bash_h, 0600);
	make_file(zsh_h, 0600);
	make_file(own_h, 0600);
	make_file(zsh_new, 0600);
	e2e_host_made(ash_h);
	e2e_host_made(zsh_own);
	e2e_spawn("bash", do_open, &own);
	e2e_spawn("zsh", do_rename, &mv);
	e2e_spawn(ct, do_open, &trunc);
	e2e_spawn(cu, do_unlink, &rm);
	e2e_spawn(cs, do_symlink, &ln);
	a = e2e_host_fired(vigil, &mt, "Warning");
	e2e_assert_field(a, "fd.name", bash_h);
	e2e_host_tag(a, "T1070.003");
	a = e2e_host_fired(vigil,
			   (&(struct e2e_match){ .rule = "Shell history tampered",
						 .fields = { { "proc.name", cu } } }),
			   "Warning");
	e2e_assert_field_has(a, "evt.type", "unlink");
	a = e2e_host_fired(vigil,
			   (&(struct e2e_match){ .rule = "Shell history tampered",
						 .fields = { { "proc.name", cs } } }),
			   "Warning");
	e2e_assert_field(a, "evt.arg.linkpath", ash_h);
	e2e_host_none(vigil, (&(struct e2e_match){ .rule = "Shell history tampered",
						   .fields = { { "proc.name", "bash" },
							       { "fd.name", own_h } } }));
	e2e_host_none(vigil, (&(struct e2e_match){ .rule = "Shell history tampered",
						   .fields = { { "proc.name", "zsh" } } }));
}

/*
 * A log file of this run below /var/log: truncated (O_TRUNC) and deleted by
 * programs of this run, raised; truncated by logrotate, not. And a journal
 * vacuum that removes nothing (archives older than about twenty years).
 */
static void test_log_cleared(void **state)
{
	const char *log = pathf("/var/log/", e2e_host_name("vgl-"), ".log");
	const char *log2 = pathf("/var/log/", e2e_host_name("vgl-"), "-2.log");
	const char *log_ok = pathf("/var/log/", e2e_host_name("vgl-"), "-ok.log");
	struct file_op tr = { .path = log, .flags = O_WRONLY | O_TRUNC, .mode = 0 },
		       tr_ok = { .path = log_ok, .flags = O_WRONLY | O_TRUNC, .mode = 0 };
	struct file_op rm = { .path = log2 };
	const char *ct = e2e_host_name("lt-"), *cu = e2e_host_name("lu-");
	char weeks[32], cmdline[64];
	const json_t *a;

	(void)state;
	make_file(log, 0640);
	make_file(log2, 0640);
	make_file(log_ok, 0640);
	e2e_spawn("logrotate", do_open, &tr_ok);
	e2e_spawn(ct, do_open, &tr);
	e2e_spawn(cu, do_unlink, &rm);
	a = e2e_host_fired(vigil,
			   (&(struct e2e_match){ .rule = "Log files cleared",
						 .fields = { { "proc.name", ct } } }),
			   "Warning");
	e2e_assert_field(a, "fd.name", log);
	e2e_assert_field_has(a, "evt.arg.flags", "O_TRUNC");
	e2e_host_tag(a, "T1070.002");
	e2e_host_fired(vigil,
		       (&(struct e2e_match){
			       .rule = "Log files cleared",
			       .fields = { { "proc.name", cu }, { "evt.arg.path", log2 } } }),
		       "Warning");

	snprintf(weeks, sizeof(weeks), "--vacuum-time=%dw", 1000 + (int)getpid() % 1000);
	snprintf(cmdline, sizeof(cmdline), "journalctl %s", weeks);
	if (e2e_sh(NULL, 30000, "journalctl %s >/dev/null 2>&1", weeks) != 0)
		fail_msg("journalctl %s failed", weeks);
	e2e_host_fired(vigil,
		       (&(struct e2e_match){ .rule = "Log files cleared",
					     .fields = { { "proc.cmdline", cmdline } } }),
		       "Warning");
	e2e_host_none(vigil, (&(struct e2e_match){ .rule = "Log files cleared",
						   .fields = { { "fd.name", log_ok } } }));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_read_sensitive),	  cmocka_unit_test(test_ssh_key),
		cmocka_unit_test(test_cloud_credentials), cmocka_unit_test(test_write_system_dirs),
		cmocka_unit_test(test_container_runtime), cmocka_unit_test(test_shell_history),
		cmocka_unit_test(test_log_cleared),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
