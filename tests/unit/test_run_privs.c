// SPDX-License-Identifier: Apache-2.0
/* The capabilities `vigil run` needs and keeps, and what it says of a missing one. */
#include <errno.h>
#include <linux/capability.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cmocka.h>

#include "run/privs.h"

#define UNUSED __attribute__((unused))
#define BIT(c) (1ull << (c))

static void test_keep_is_the_documented_set(void **state UNUSED)
{
	uint64_t four =
		BIT(CAP_BPF) | BIT(CAP_PERFMON) | BIT(CAP_SYS_PTRACE) | BIT(CAP_DAC_READ_SEARCH);

	/* packaging/systemd/vigil.service and the README name these four */
	assert_int_equal(vgl_privs_keep(~0ull, false), four);
	assert_int_equal(vgl_privs_keep(four, false), four);
	/* kernel.perf_event_paranoid 3 (Debian): perf events need CAP_SYS_ADMIN */
	assert_int_equal(vgl_privs_keep(~0ull, true), four | BIT(CAP_SYS_ADMIN));
	/* given CAP_SYS_ADMIN instead of CAP_BPF and CAP_PERFMON (dockerd 20.10) */
	assert_int_equal(
		vgl_privs_keep(BIT(CAP_SYS_ADMIN) | BIT(CAP_SYS_PTRACE) | BIT(CAP_DAC_READ_SEARCH),
			       false),
		BIT(CAP_SYS_ADMIN) | BIT(CAP_SYS_PTRACE) | BIT(CAP_DAC_READ_SEARCH));
}

static void test_missing_names_the_first_lacking(void **state UNUSED)
{
	uint64_t all = vgl_privs_keep(~0ull, false);
	const char *why = NULL;

	assert_int_equal(vgl_privs_missing(~0ull, &why), -1);
	assert_int_equal(vgl_privs_missing(all, &why), -1);
	assert_int_equal(vgl_privs_missing(all & ~BIT(CAP_BPF), &why), CAP_BPF);
	assert_string_equal(why, "needed to load the BPF programs");
	assert_int_equal(vgl_privs_missing(all & ~BIT(CAP_PERFMON), &why), CAP_PERFMON);
	assert_non_null(strstr(why, "attach"));
	assert_int_equal(vgl_privs_missing(all & ~BIT(CAP_SYS_PTRACE), &why), CAP_SYS_PTRACE);
	assert_non_null(strstr(why, "/proc/PID"));
	assert_int_equal(vgl_privs_missing(all & ~BIT(CAP_DAC_READ_SEARCH), &why),
			 CAP_DAC_READ_SEARCH);
	assert_non_null(strstr(why, "runtimes' state"));
	/* CAP_SYS_ADMIN stands in for CAP_BPF and CAP_PERFMON, as in the kernel */
	assert_int_equal(vgl_privs_missing(BIT(CAP_SYS_ADMIN), &why), CAP_SYS_PTRACE);
	assert_int_equal(vgl_privs_missing(BIT(CAP_SYS_ADMIN) | BIT(CAP_SYS_PTRACE) |
						   BIT(CAP_DAC_READ_SEARCH),
					   &why),
			 -1);
	assert_int_equal(vgl_privs_missing(0, &why), CAP_BPF);
	/* CAP_SYS_ADMIN is not required where perf events need it: tp_btf needs none */
	assert_int_equal(vgl_privs_missing(all, &why), -1);
}

static int set_effective(uint64_t eff)
{
	struct __user_cap_header_struct hdr = { .version = _LINUX_CAPABILITY_VERSION_3 };
	struct __user_cap_data_struct data[2] = { 0 };

	if (syscall(SYS_capget, &hdr, data))
		return -errno;
	data[0].effective = (uint32_t)eff;
	data[1].effective = (uint32_t)(eff >> 32);
	return syscall(SYS_capset, &hdr, data) ? -errno : 0;
}

/* Root or not: with CAP_BPF (and CAP_SYS_ADMIN, its stand-in) out of the
 * effective set, that is what it names. */
static void test_check_message(void **state UNUSED)
{
	uint64_t eff = vgl_privs_effective();
	char err[256] = "";

	assert_int_equal(set_effective(eff & ~(BIT(CAP_BPF) | BIT(CAP_SYS_ADMIN))), 0);
	assert_int_equal(vgl_privs_check(err, sizeof(err)), -EPERM);
	assert_int_equal(set_effective(eff), 0);
	assert_string_equal(err, "missing capability CAP_BPF: needed to load the BPF programs");
	if (vgl_privs_missing(eff, &(const char *){ NULL }) < 0)
		assert_int_equal(vgl_privs_check(err, sizeof(err)), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_keep_is_the_documented_set),
		cmocka_unit_test(test_missing_names_the_first_lacking),
		cmocka_unit_test(test_check_message),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
