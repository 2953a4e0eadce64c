// SPDX-License-Identifier: Apache-2.0
/*
 * vigil's default host rules on wiping tracks (rules/vigil_rules.yaml), end
 * to end as root on the host: shell history truncated, deleted or replaced
 * by a link to /dev/null, and logs below /var/log truncated, deleted or
 * vacuumed. Every file is made by the test (unique names, removed at the
 * end); each case checks the alert and that the benign variant (a shell
 * saving its own history, logrotate) raised nothing.
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <unistd.h>

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
	struct e2e_file_op trunc = { .path = bash_h,
				     .flags = O_WRONLY | O_CREAT | O_TRUNC,
				     .mode = 0666 };
	struct e2e_file_op own = { .path = own_h,
				   .flags = O_WRONLY | O_CREAT | O_TRUNC,
				   .mode = 0600 };
	struct e2e_file_op rm = { .path = zsh_h }, ln = { .path = ash_h, .path2 = "/dev/null" };
	struct e2e_file_op mv = { .path = zsh_own, .path2 = zsh_new };
	const char *ct = e2e_host_name("ht-"), *cu = e2e_host_name("hu-"),
		   *cs = e2e_host_name("hs-");
	const struct e2e_match mt = { .rule = "Shell history tampered",
				      .fields = { { "proc.name", ct } } };
	const json_t *a;

	(void)state;
	snprintf(dir2, sizeof(dir2), "%s/own", tmp);
	e2e_host_make_dir(dir2);
	snprintf(bash_h, sizeof(bash_h), "%s/.bash_history", tmp);
	snprintf(zsh_h, sizeof(zsh_h), "%s/.zsh_history", tmp);
	snprintf(ash_h, sizeof(ash_h), "%s/.ash_history", tmp);
	snprintf(own_h, sizeof(own_h), "%s/.bash_history", dir2);
	snprintf(zsh_own, sizeof(zsh_own), "%s/.zsh_history", dir2);
	snprintf(zsh_new, sizeof(zsh_new), "%s/.zsh_history.new", dir2);
	e2e_host_make_file(bash_h, 0600);
	e2e_host_make_file(zsh_h, 0600);
	e2e_host_make_file(own_h, 0600);
	e2e_host_make_file(zsh_new, 0600);
	e2e_host_made(ash_h);
	e2e_host_made(zsh_own);
	e2e_spawn("bash", e2e_host_do_open, &own);
	e2e_spawn("zsh", e2e_host_do_rename, &mv);
	e2e_spawn(ct, e2e_host_do_open, &trunc);
	e2e_spawn(cu, e2e_host_do_unlink, &rm);
	e2e_spawn(cs, e2e_host_do_symlink, &ln);
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
	const char *log = e2e_host_path("/var/log/", e2e_host_name("vgl-"), ".log");
	const char *log2 = e2e_host_path("/var/log/", e2e_host_name("vgl-"), "-2.log");
	const char *log_ok = e2e_host_path("/var/log/", e2e_host_name("vgl-"), "-ok.log");
	struct e2e_file_op tr = { .path = log, .flags = O_WRONLY | O_TRUNC, .mode = 0 },
			   tr_ok = { .path = log_ok, .flags = O_WRONLY | O_TRUNC, .mode = 0 };
	struct e2e_file_op rm = { .path = log2 };
	const char *ct = e2e_host_name("lt-"), *cu = e2e_host_name("lu-");
	char weeks[32], cmdline[64];
	const json_t *a;

	(void)state;
	e2e_host_make_file(log, 0640);
	e2e_host_make_file(log2, 0640);
	e2e_host_make_file(log_ok, 0640);
	e2e_spawn("logrotate", e2e_host_do_open, &tr_ok);
	e2e_spawn(ct, e2e_host_do_open, &tr);
	e2e_spawn(cu, e2e_host_do_unlink, &rm);
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
		cmocka_unit_test(test_shell_history), cmocka_unit_test(test_log_cleared),
		cmocka_unit_test(e2e_host_test_same_without_prefilter), /* last */
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
