// SPDX-License-Identifier: Apache-2.0
/* Symbolic names of flags and enumerations, as docs/events.md prints them. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <linux/capability.h>
#include <sched.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/mount.h>
#include <sys/ptrace.h>
#include <sys/socket.h>

#include <cmocka.h>

#include "output/names.h"

#define UNUSED __attribute__((unused))

static const char *sym(enum vgl_ptype type, uint64_t v)
{
	static char buf[VGL_SYMBOL_MAX];
	size_t n = vgl_fmt_symbol(type, v, buf, sizeof(buf));

	assert_int_equal(n, strlen(buf));
	return buf;
}

#define assert_sym(type, v, want) assert_string_equal(sym(VGL_PT_##type, v), want)

static void test_open_flags(void **state UNUSED)
{
	assert_sym(OFLAGS, 0, "O_RDONLY");
	assert_sym(OFLAGS, O_RDONLY | O_CLOEXEC, "O_RDONLY|O_CLOEXEC");
	assert_sym(OFLAGS, O_WRONLY | O_CREAT | O_TRUNC, "O_WRONLY|O_CREAT|O_TRUNC");
	assert_sym(OFLAGS, O_RDWR | O_CREAT | O_EXCL | O_NOCTTY | O_APPEND | O_NONBLOCK,
		   "O_RDWR|O_CREAT|O_EXCL|O_NOCTTY|O_APPEND|O_NONBLOCK");
	/* composite flags: O_TMPFILE holds O_DIRECTORY, O_SYNC holds O_DSYNC */
	assert_sym(OFLAGS, O_RDWR | O_TMPFILE, "O_RDWR|O_TMPFILE");
	assert_sym(OFLAGS, O_DIRECTORY, "O_RDONLY|O_DIRECTORY");
	assert_sym(OFLAGS, O_WRONLY | O_SYNC, "O_WRONLY|O_SYNC");
	assert_sym(OFLAGS, O_WRONLY | O_DSYNC, "O_WRONLY|O_DSYNC");
	assert_sym(OFLAGS, O_PATH | O_NOFOLLOW | O_NOATIME | O_DIRECT,
		   "O_RDONLY|O_DIRECT|O_NOFOLLOW|O_NOATIME|O_PATH");
	assert_sym(OFLAGS, O_ACCMODE, "0x3"); /* no name for access mode 3 */
	assert_sym(OFLAGS, O_WRONLY | (1ULL << 40) | (1ULL << 63), "O_WRONLY|0x8000010000000000");
#if defined(__x86_64__)
	/* glibc defines O_LARGEFILE as 0 on 64-bit; the kernel's is 0100000 */
	assert_sym(OFLAGS, 0100000, "O_RDONLY|O_LARGEFILE");
	assert_sym(OFLAGS, 0x8000 | O_CLOEXEC, "O_RDONLY|O_LARGEFILE|O_CLOEXEC");
#endif
}

static void test_other_flags(void **state UNUSED)
{
	assert_sym(ATFLAGS, 0, "0");
	assert_sym(ATFLAGS, AT_SYMLINK_NOFOLLOW | AT_EMPTY_PATH,
		   "AT_SYMLINK_NOFOLLOW|AT_EMPTY_PATH");
	assert_sym(ATFLAGS, AT_REMOVEDIR, "AT_REMOVEDIR");
	assert_sym(ATFLAGS, AT_SYMLINK_FOLLOW | AT_NO_AUTOMOUNT | 1,
		   "AT_SYMLINK_FOLLOW|AT_NO_AUTOMOUNT|0x1");
	assert_sym(MOUNTFL, MS_BIND | MS_REC, "MS_BIND|MS_REC");
	assert_sym(MOUNTFL, MS_MGC_VAL | MS_RDONLY | MS_NOSUID, "MS_MGC_VAL|MS_RDONLY|MS_NOSUID");
	assert_sym(MOUNTFL, MS_REMOUNT | MS_PRIVATE, "MS_REMOUNT|MS_PRIVATE");
	assert_sym(MOUNTFL, 0, "0");
	assert_sym(UMOUNTFL, MNT_FORCE | MNT_DETACH | MNT_EXPIRE | UMOUNT_NOFOLLOW,
		   "MNT_FORCE|MNT_DETACH|MNT_EXPIRE|UMOUNT_NOFOLLOW");
	assert_sym(UMOUNTFL, 0x10, "0x10");
	assert_sym(RENAMEFL, RENAME_NOREPLACE, "RENAME_NOREPLACE");
	assert_sym(RENAMEFL, RENAME_EXCHANGE | RENAME_WHITEOUT, "RENAME_EXCHANGE|RENAME_WHITEOUT");
	assert_sym(MEMFDFL, MFD_CLOEXEC | MFD_ALLOW_SEALING, "MFD_CLOEXEC|MFD_ALLOW_SEALING");
	assert_sym(MEMFDFL, 0x8 | 0x10, "MFD_NOEXEC_SEAL|MFD_EXEC");
	assert_sym(MEMFDFL, MFD_HUGETLB | (30u << 26), "MFD_HUGETLB|MFD_HUGE_1GB");
	assert_sym(MEMFDFL, 0, "0");
	assert_sym(SOCKTYPE, SOCK_STREAM, "SOCK_STREAM");
	assert_sym(SOCKTYPE, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC,
		   "SOCK_DGRAM|SOCK_NONBLOCK|SOCK_CLOEXEC");
	assert_sym(SOCKTYPE, SOCK_PACKET, "SOCK_PACKET");
	assert_sym(SOCKTYPE, 7, "0x7");
	assert_sym(SOCKTYPE, 0, "0");
}

static void test_clone_flags(void **state UNUSED)
{
	assert_sym(CLONEFL, 0, "0");
	assert_sym(CLONEFL, SIGCHLD, "SIGCHLD");
	assert_sym(CLONEFL,
		   CLONE_VM | CLONE_FS | CLONE_FILES | CLONE_SIGHAND | CLONE_THREAD |
			   CLONE_SYSVSEM | CLONE_SETTLS | CLONE_PARENT_SETTID |
			   CLONE_CHILD_CLEARTID,
		   "CLONE_VM|CLONE_FS|CLONE_FILES|CLONE_SIGHAND|CLONE_THREAD|CLONE_SYSVSEM|"
		   "CLONE_SETTLS|CLONE_PARENT_SETTID|CLONE_CHILD_CLEARTID");
	assert_sym(CLONEFL, CLONE_VM | CLONE_VFORK | SIGCHLD, "CLONE_VM|CLONE_VFORK|SIGCHLD");
	assert_sym(CLONEFL,
		   CLONE_NEWNS | CLONE_NEWCGROUP | CLONE_NEWUTS | CLONE_NEWIPC | CLONE_NEWUSER |
			   CLONE_NEWPID | CLONE_NEWNET | CLONE_NEWTIME,
		   "CLONE_NEWTIME|CLONE_NEWNS|CLONE_NEWCGROUP|CLONE_NEWUTS|CLONE_NEWIPC|"
		   "CLONE_NEWUSER|CLONE_NEWPID|CLONE_NEWNET");
	assert_sym(CLONEFL, CLONE_PIDFD | (1ULL << 32) | (1ULL << 33),
		   "CLONE_PIDFD|CLONE_CLEAR_SIGHAND|CLONE_INTO_CGROUP");
	assert_sym(CLONEFL, CLONE_PTRACE | 0xc8, "CLONE_PTRACE|0xc8"); /* 200 is no signal */
	assert_sym(CLONEFL, 1ULL << 40, "0x10000000000");
}

static void test_caps(void **state UNUSED)
{
	assert_sym(CAPS, 0, "0");
	assert_sym(CAPS, 1ULL << CAP_CHOWN, "CAP_CHOWN");
	assert_sym(CAPS, (1ULL << CAP_SYS_ADMIN) | (1ULL << CAP_NET_RAW),
		   "CAP_NET_RAW|CAP_SYS_ADMIN");
	assert_sym(CAPS,
		   (1ULL << CAP_CHECKPOINT_RESTORE) | (1ULL << CAP_BPF) | (1ULL << CAP_PERFMON),
		   "CAP_PERFMON|CAP_BPF|CAP_CHECKPOINT_RESTORE");
	assert_sym(CAPS, (1ULL << 41) | (1ULL << 63), "0x8000020000000000");
	assert_true(strstr(sym(VGL_PT_CAPS, (1ULL << 41) - 1), "CAP_CHOWN|CAP_DAC_OVERRIDE|"));
	for (int cap = 0; cap <= CAP_LAST_CAP; cap++) {
		const char *name = vgl_cap_name(cap);

		assert_non_null(name);
		assert_string_equal(sym(VGL_PT_CAPS, 1ULL << cap), name);
	}
	assert_null(vgl_cap_name(CAP_LAST_CAP + 1));
	assert_null(vgl_cap_name(-1));
}

static void test_enumerations(void **state UNUSED)
{
	assert_sym(FAMILY, AF_UNIX, "AF_UNIX");
	assert_sym(FAMILY, AF_INET, "AF_INET");
	assert_sym(FAMILY, AF_INET6, "AF_INET6");
	assert_sym(FAMILY, AF_NETLINK, "AF_NETLINK");
	assert_sym(FAMILY, AF_PACKET, "AF_PACKET");
	assert_sym(FAMILY, AF_VSOCK, "AF_VSOCK");
	assert_sym(FAMILY, 200, "200");
	assert_sym(PTRACEREQ, PTRACE_TRACEME, "PTRACE_TRACEME");
	assert_sym(PTRACEREQ, PTRACE_POKETEXT, "PTRACE_POKETEXT");
	assert_sym(PTRACEREQ, PTRACE_ATTACH, "PTRACE_ATTACH");
	assert_sym(PTRACEREQ, PTRACE_SEIZE, "PTRACE_SEIZE");
	assert_sym(PTRACEREQ, PTRACE_GETEVENTMSG, "PTRACE_GETEVENTMSG");
	assert_sym(PTRACEREQ, (uint64_t)-1, "-1");
	assert_sym(BPFCMD, 0, "BPF_MAP_CREATE");
	assert_sym(BPFCMD, 5, "BPF_PROG_LOAD");
	assert_sym(BPFCMD, 35, "BPF_PROG_BIND_MAP");
	assert_sym(BPFCMD, 36, "BPF_TOKEN_CREATE");
	assert_sym(BPFCMD, 1000, "1000");
	assert_sym(SIGNAL, SIGKILL, "SIGKILL");
	assert_sym(SIGNAL, SIGSYS, "SIGSYS");
	assert_sym(SIGNAL, 0, "0");
	assert_sym(SIGNAL, 40, "40");
	assert_sym(FCNTLCMD, F_DUPFD, "F_DUPFD");
	assert_sym(FCNTLCMD, F_DUPFD_CLOEXEC, "F_DUPFD_CLOEXEC");
	assert_sym(FCNTLCMD, F_GETFL, "3");  /* never captured: the number */
	assert_sym(S64, (uint64_t)-5, "-5"); /* not symbolic: the number */
	assert_true(vgl_ptype_is_symbolic(VGL_PT_OFLAGS));
	assert_true(vgl_ptype_is_symbolic(VGL_PT_SIGNAL));
	assert_false(vgl_ptype_is_symbolic(VGL_PT_MODE));
	assert_false(vgl_ptype_is_symbolic(VGL_PT_PATH));
}

static void test_errno(void **state UNUSED)
{
	assert_string_equal(vgl_errno_name(ENOENT), "ENOENT");
	assert_string_equal(vgl_errno_name(EPERM), "EPERM");
	assert_string_equal(vgl_errno_name(EAGAIN), "EAGAIN");
	assert_string_equal(vgl_errno_name(EOPNOTSUPP), "EOPNOTSUPP");
	assert_string_equal(vgl_errno_name(EHWPOISON), "EHWPOISON");
	assert_string_equal(vgl_errno_name(512), "ERESTARTSYS");
	assert_null(vgl_errno_name(0));
	assert_null(vgl_errno_name(-2));
	assert_null(vgl_errno_name(41)); /* unused number */
	assert_null(vgl_errno_name(4095));
	assert_null(vgl_errno_name(INT64_MIN));
	assert_null(vgl_errno_name(INT64_MAX));
}

/* snprintf semantics: the full length is returned, what fits is stored. */
static void test_bounded(void **state UNUSED)
{
	char buf[32];

	memset(buf, 'z', sizeof(buf));
	assert_int_equal(vgl_fmt_symbol(VGL_PT_OFLAGS, O_CLOEXEC, buf, 4), 18);
	assert_string_equal(buf, "O_R");
	assert_int_equal((uint8_t)buf[4], 'z');
	assert_int_equal(vgl_fmt_symbol(VGL_PT_OFLAGS, O_CLOEXEC, NULL, 0), 18);
	assert_int_equal(vgl_fmt_symbol(VGL_PT_CAPS, 1ULL << 63, buf, 1), 18);
	assert_string_equal(buf, "");
	assert_int_equal(vgl_fmt_symbol(VGL_PT_SIGNAL, 9, buf, 8), 7);
	assert_string_equal(buf, "SIGKILL");
}

/* VGL_SYMBOL_MAX bounds every symbol text. */
static void test_longest(void **state UNUSED)
{
	static const uint64_t values[] = {
		0,	   UINT64_MAX, 0x5555555555555555ULL, 0xaaaaaaaaaaaaaaaaULL, 0xffffffffULL,
		1ULL << 63
	};

	for (int t = VGL_PT_NONE; t < VGL_PT_MAX; t++) {
		for (size_t i = 0; i < sizeof(values) / sizeof(values[0]); i++)
			assert_true(vgl_fmt_symbol(t, values[i], NULL, 0) < VGL_SYMBOL_MAX);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_open_flags),   cmocka_unit_test(test_other_flags),
		cmocka_unit_test(test_clone_flags),  cmocka_unit_test(test_caps),
		cmocka_unit_test(test_enumerations), cmocka_unit_test(test_errno),
		cmocka_unit_test(test_bounded),	     cmocka_unit_test(test_longest),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
