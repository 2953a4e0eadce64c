// SPDX-License-Identifier: Apache-2.0
/* uid/gid -> names from passwd/group files, malformed lines, refresh on change. */
#include <errno.h>
#include <limits.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "state/users.h"

#define UNUSED __attribute__((unused))
#define SEC    1000000000ull

static char fixture_pw[PATH_MAX / 2], fixture_gr[PATH_MAX / 2];

static int setup(void **state UNUSED)
{
	const char *src = getenv("VIGIL_SOURCE_DIR");

	snprintf(fixture_pw, sizeof(fixture_pw), "%s/tests/data/state/etc/passwd", src ?: ".");
	snprintf(fixture_gr, sizeof(fixture_gr), "%s/tests/data/state/etc/group", src ?: ".");
	return 0;
}

static void test_lookup(void **state UNUSED)
{
	struct vgl_userdb *db = vgl_userdb_new(fixture_pw, fixture_gr, 0);
	const struct vgl_user *u;

	assert_non_null(db);
	u = vgl_userdb_user(db, 0);
	assert_non_null(u);
	assert_string_equal(u->name, "root");
	assert_string_equal(u->home, "/root");
	assert_string_equal(u->shell, "/bin/bash");
	u = vgl_userdb_user(db, 1000); /* duplicate uid: the first line wins */
	assert_string_equal(u->name, "alice");
	assert_string_equal(u->shell, "/bin/zsh");
	u = vgl_userdb_user(db, 1001); /* too few fields: name, no home or shell */
	assert_string_equal(u->name, "short");
	assert_null(u->home);
	assert_null(vgl_userdb_user(db, 4242));
	assert_string_equal(vgl_userdb_group(db, 999)->name, "docker");
	assert_string_equal(vgl_userdb_group(db, 0)->name, "root");
	assert_null(vgl_userdb_group(db, 5));
	assert_int_equal(vgl_userdb_loads(db), 2);
	vgl_userdb_free(db);
}

static void write_file(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");

	assert_non_null(f);
	fputs(text, f);
	fclose(f);
}

static void test_refresh(void **state UNUSED)
{
	char dir[] = "/tmp/vgl-users-XXXXXX", pw[64], gr[64];
	struct vgl_userdb *db;
	const char *before;

	assert_non_null(mkdtemp(dir));
	snprintf(pw, sizeof(pw), "%s/passwd", dir);
	snprintf(gr, sizeof(gr), "%s/group", dir);
	write_file(pw, "root:x:0:0::/root:/bin/sh\n");
	db = vgl_userdb_new(pw, gr, 10 * SEC); /* group missing: empty table */
	assert_non_null(db);
	assert_null(vgl_userdb_group(db, 0));
	before = vgl_userdb_user(db, 0)->name;
	assert_null(vgl_userdb_user(db, 1500));
	write_file(pw, "root:x:0:0::/root:/bin/sh\nbob:x:1500:1500::/home/bob:/bin/sh\n");
	write_file(gr, "bob:x:1500:\n");
	/* not checked before the interval */
	assert_int_equal(vgl_userdb_refresh(db, 5 * SEC), 0);
	assert_null(vgl_userdb_user(db, 1500));
	assert_int_equal(vgl_userdb_refresh(db, 11 * SEC), 0);
	assert_string_equal(vgl_userdb_user(db, 1500)->name, "bob");
	assert_string_equal(vgl_userdb_group(db, 1500)->name, "bob");
	assert_string_equal(before, "root"); /* the previous table lives until the next reload */
	assert_int_equal(vgl_userdb_loads(db), 3);
	/* unchanged files are not read again */
	assert_int_equal(vgl_userdb_refresh(db, 30 * SEC), 0);
	assert_int_equal(vgl_userdb_loads(db), 3);
	/* a deleted file keeps the last table */
	unlink(pw);
	assert_int_equal(vgl_userdb_refresh(db, 60 * SEC), 0);
	assert_string_equal(vgl_userdb_user(db, 1500)->name, "bob");
	vgl_userdb_free(db);
	unlink(gr);
	rmdir(dir);
}

static void test_missing_files(void **state UNUSED)
{
	struct vgl_userdb *db = vgl_userdb_new("/nonexistent/passwd", "/nonexistent/group", 0);

	assert_non_null(db);
	assert_null(vgl_userdb_user(db, 0));
	assert_int_equal(vgl_userdb_loads(db), 0);
	vgl_userdb_free(db);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_lookup),
		cmocka_unit_test(test_refresh),
		cmocka_unit_test(test_missing_files),
	};

	return cmocka_run_group_tests(tests, setup, NULL);
}
