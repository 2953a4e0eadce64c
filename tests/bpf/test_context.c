// SPDX-License-Identifier: Apache-2.0
/*
 * The context of real events (docs/events.md, "Context"): `vigil run --json
 * --events execve,openat` while a child of this test, renamed "vgl-ctx",
 * forks and execs `/bin/true "a b" c`. The exec of true and true's own opens
 * carry true's exepath and cmdline, vgl-ctx and this test as its ancestors
 * (the rest of the chain as /proc has it), root as the user and the host as
 * the container. No other program is involved (busybox and coreutils tools
 * fork and exec differently).
 */
#define _GNU_SOURCE
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <elf.h>
#include <fcntl.h>
#include <sys/wait.h>
#include <unistd.h>

#include "harness.h"

/* In the renamed child: fork, exec true in the grandchild, wait for it. */
static void act_fork_true(void *arg)
{
	char *const argv[] = { "true", "a b", "c", NULL };
	int status;
	pid_t pid;

	(void)arg;
	pid = fork();
	VH_CHECK(pid >= 0);
	if (pid == 0) {
		execv("/bin/true", argv);
		_exit(127);
	}
	VH_CHECK(waitpid(pid, &status, 0) == pid);
	VH_CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 0);
}

/* Does @path have a program interpreter (a dynamic loader that opens libc)? */
static bool has_interp(const char *path)
{
	Elf64_Ehdr eh;
	Elf64_Phdr ph;
	bool interp = false;
	int fd = open(path, O_RDONLY | O_CLOEXEC);

	if (fd < 0 || pread(fd, &eh, sizeof(eh), 0) != sizeof(eh) ||
	    memcmp(eh.e_ident, ELFMAG, SELFMAG) || eh.e_ident[EI_CLASS] != ELFCLASS64)
		fail_msg("%s: not a 64-bit ELF file", path);
	for (unsigned int i = 0; i < eh.e_phnum && !interp; i++) {
		if (pread(fd, &ph, sizeof(ph), (off_t)(eh.e_phoff + i * eh.e_phentsize)) !=
		    sizeof(ph))
			fail_msg("%s: program header %u unreadable", path, i);
		interp = ph.p_type == PT_INTERP;
	}
	close(fd);
	return interp;
}

/* true's exec: filename /bin/true, run by the renamed child (@arg: its pid). */
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
	assert_non_null(realpath("/bin/true", true_path));
	tpid = vh_spawn("vgl-ctx", act_fork_true, NULL, NULL);
	vh_stop(run);

	/* the renamed child, then this test, then this test's ancestors */
	m = vh_proc_chain(getpid(), self, 8);
	chain[0].pid = tpid;
	snprintf(chain[0].name, sizeof(chain[0].name), "vgl-ctx");
	n = 1 + (m < 7 ? m : 7);
	memcpy(chain + 1, self, (n - 1) * sizeof(self[0]));

	ev = vh_expect(run, "execve", 0, pred_true_exec, &tpid);
	true_pid = (pid_t)json_integer_value(json_object_get(ev, "pid"));
	vh_assert_str(ev, "comm", "true");
	vh_assert_str(ev, "proc.exepath", true_path);
	vh_assert_str(ev, "proc.cmdline", "true a b c");
	vh_assert_str(ev, "proc.pname", "vgl-ctx");
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
	/* a static true (busybox in the qemu guests) opens nothing */
	if (!opens && has_interp(true_path))
		fail_msg("no openat event from true (pid %d): its loader opens libc",
			 (int)true_pid);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		vh_test(test_exec_context),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
