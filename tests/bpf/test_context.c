// SPDX-License-Identifier: Apache-2.0
/*
 * The context of real events (docs/events.md, "Context"): `vigil run --json
 * --events execve,openat` while a child of this test runs
 * `timeout 10 /bin/true "a b" c`; timeout forks and execs true. The exec of
 * true and true's own opens carry true's exepath and cmdline, timeout and
 * this test as its ancestors (the rest of the chain as /proc has it), root as
 * the user and the host as the container.
 */
#define _GNU_SOURCE
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "harness.h"

#define TIMEOUT_BIN "/usr/bin/timeout"

static void act_timeout(void *arg)
{
	char *const argv[] = { "timeout", "10", "/bin/true", "a b", "c", NULL };

	(void)arg;
	execv(TIMEOUT_BIN, argv);
	VH_CHECK(!"execv returned");
}

/* true's exec: filename /bin/true, run by timeout (@arg: its pid). */
static bool pred_true_exec(const json_t *ev, const void *arg)
{
	const char *f = json_string_value(json_object_get(json_object_get(ev, "args"), "filename"));

	return json_integer_value(json_object_get(ev, "ppid")) == *(const pid_t *)arg && f &&
	       strcmp(f, "/bin/true") == 0 && json_integer_value(json_object_get(ev, "res")) == 0;
}

/* Where the user and container keys must say: root, on the host. */
static void assert_user_host(const json_t *ev)
{
	vh_assert_str(ev, "user.name", "root");
	vh_assert_str(ev, "user.loginname", vh_loginname());
	vh_assert_str(ev, "container.id", "host");
	vh_assert_str(ev, "container.name", "host");
	vh_assert_str(ev, "container.image", NULL);
	vh_assert_str(ev, "k8s.ns.name", NULL);
	vh_assert_str(ev, "k8s.pod.name", NULL);
	vh_assert_absent(ev, "context_truncated");
}

static void test_exec_context(void **state)
{
	struct vh_run *run = vh_start("execve,openat");
	struct vh_proc chain[8], self[8];
	char true_path[PATH_MAX];
	size_t n, m, i, opens = 0;
	pid_t tpid, true_pid;
	json_t *ev;

	(void)state;
	if (access(TIMEOUT_BIN, X_OK) != 0)
		fail_msg("%s is needed (coreutils)", TIMEOUT_BIN);
	assert_non_null(realpath("/bin/true", true_path));
	tpid = vh_spawn("vgl-ctx", act_timeout, NULL, NULL);
	vh_stop(run);

	/* timeout, then this test, then this test's ancestors */
	m = vh_proc_chain(getpid(), self, 8);
	chain[0].pid = tpid;
	snprintf(chain[0].name, sizeof(chain[0].name), "timeout");
	n = 1 + (m < 7 ? m : 7);
	memcpy(chain + 1, self, (n - 1) * sizeof(self[0]));

	ev = vh_expect(run, "execve", 0, pred_true_exec, &tpid);
	true_pid = (pid_t)json_integer_value(json_object_get(ev, "pid"));
	vh_assert_str(ev, "comm", "true");
	vh_assert_str(ev, "proc.exepath", true_path);
	vh_assert_str(ev, "proc.cmdline", "true a b c");
	vh_assert_str(ev, "proc.pname", "timeout");
	vh_assert_ancestors(ev, chain, n);
	assert_user_host(ev);

	/* true's opens: the same, from the state the exec updated */
	json_array_foreach(run->events, i, ev)
	{
		if (json_integer_value(json_object_get(ev, "pid")) != true_pid ||
		    strcmp(json_string_value(json_object_get(ev, "type")), "openat") != 0)
			continue;
		vh_assert_str(ev, "proc.exepath", true_path);
		vh_assert_str(ev, "proc.cmdline", "true a b c");
		vh_assert_ancestors(ev, chain, n);
		assert_user_host(ev);
		opens++;
	}
	if (!opens)
		fail_msg("no openat event from true (pid %d): its loader opens libc",
			 (int)true_pid);

	/* timeout's own exec: its image, this test as its parent */
	ev = vh_expect(run, "execve", tpid, NULL, NULL);
	vh_assert_str(ev, "proc.exepath", TIMEOUT_BIN);
	vh_assert_str(ev, "proc.cmdline", "timeout 10 /bin/true a b c");
	vh_assert_str(ev, "proc.pname", self[0].name);
	vh_assert_ancestors(ev, self, m);
	assert_user_host(ev);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		vh_test(test_exec_context),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
