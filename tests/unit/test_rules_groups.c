// SPDX-License-Identifier: Apache-2.0
/*
 * The matcher's shared machinery, seen from the alerts: comparisons on one
 * field answered together (hash set, prefix / suffix / contains tries, globs
 * by their literal prefix or suffix), guards that decide which rules an event
 * wakes, and candidates visited in rule order. Each test puts several rules
 * on the same field so that they share a group, and checks that exactly the
 * rules whose conditions hold raise alerts.
 */
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "test_rules_util.h"

/* One rule per condition, named r0, r1, ...; the set, or a failed test. */
static struct vgl_ruleset *rules(const char *const *conds, size_t n)
{
	static char text[65536];
	struct vgl_ruleset *rs;
	size_t i, off = 0;

	for (i = 0; i < n; i++)
		off += (size_t)snprintf(text + off, sizeof(text) - off,
					"- rule: r%zu\n  desc: d\n  condition: >\n    %s\n"
					"  output: o\n  priority: WARNING\n",
					i, conds[i]);
	assert_true(off < sizeof(text));
	rs = rules_from(text);
	assert_non_null(rs);
	return rs;
}

/* The names of the rules @ev raises, space-separated, in order. */
static const char *fired(const struct vgl_ruleset *rs, const struct vgl_event *ev)
{
	static char out[4096];
	struct hits h;
	size_t i, off = 0;

	eval_hits(rs, ev, NULL, NULL, &h);
	out[0] = '\0';
	for (i = 0; i < h.n; i++)
		off += (size_t)snprintf(out + off, sizeof(out) - off, "%s%s", i ? " " : "",
					h.names[i]);
	return out;
}

static const char *open_fires(const struct vgl_ruleset *rs, const char *comm, const char *path)
{
	static struct tev t;

	tev_open(&t, comm, path, O_RDONLY, 3);
	return fired(rs, &t.ev);
}

static void test_set_group(void **state)
{
	static const char *const c[] = {
		"proc.name in (tar, zip)",
		"proc.name = cat",
		"proc.name = a or proc.name in (cat, b)", /* merged into one set */
		"not proc.name in (cat, tar)",
	};
	struct vgl_ruleset *rs = rules(c, 4);

	(void)state;
	assert_string_equal(open_fires(rs, "cat", "/x"), "r1 r2");
	assert_string_equal(open_fires(rs, "tar", "/x"), "r0");
	assert_string_equal(open_fires(rs, "b", "/x"), "r2 r3");
	assert_string_equal(open_fires(rs, "ca", "/x"), "r3");
	vgl_ruleset_free(rs);
}

static void test_prefix_group(void **state)
{
	static const char *const c[] = {
		"fd.name startswith /etc/",
		"fd.name startswith /etc/ssh",
		"fd.name pmatch (/usr/lib, /opt/x/)",
		"fd.name startswith /var/a or fd.name startswith /var/b", /* merged trie */
		"fd.name pmatch (/)",
	};
	struct vgl_ruleset *rs = rules(c, 5);

	(void)state;
	assert_string_equal(open_fires(rs, "cat", "/etc/ssh/sshd_config"), "r0 r1 r4");
	assert_string_equal(open_fires(rs, "cat", "/etc/passwd"), "r0 r4");
	assert_string_equal(open_fires(rs, "cat", "/etc"), "r4");
	/* pmatch stops at path components: /usr/libexec is not under /usr/lib. */
	assert_string_equal(open_fires(rs, "cat", "/usr/lib"), "r2 r4");
	assert_string_equal(open_fires(rs, "cat", "/usr/lib/x.so"), "r2 r4");
	assert_string_equal(open_fires(rs, "cat", "/usr/libexec/x"), "r4");
	assert_string_equal(open_fires(rs, "cat", "/opt/x"), "r2 r4");
	assert_string_equal(open_fires(rs, "cat", "/opt/xy"), "r4");
	assert_string_equal(open_fires(rs, "cat", "/var/b/1"), "r3 r4");
	assert_string_equal(open_fires(rs, "cat", "/var/c"), "r4");
	vgl_ruleset_free(rs);
}

static void test_suffix_group(void **state)
{
	static const char *const c[] = {
		"fd.name endswith .so",
		"fd.name endswith /libc.so",
		"fd.name endswith .pem or fd.name endswith .key", /* merged trie */
		"not fd.name endswith .so",
	};
	struct vgl_ruleset *rs = rules(c, 4);

	(void)state;
	assert_string_equal(open_fires(rs, "cat", "/lib/libc.so"), "r0 r1");
	assert_string_equal(open_fires(rs, "cat", "/lib/xlibc.so"), "r0");
	assert_string_equal(open_fires(rs, "cat", "/k/a.key"), "r2 r3");
	assert_string_equal(open_fires(rs, "cat", "so"), "r3");
	vgl_ruleset_free(rs);
}

static void test_contains_group(void **state)
{
	static const char *const c[] = {
		"fd.name contains /.ssh/", "fd.name contains id_rsa", "fd.name contains ssh",
		"fd.name contains sh",	   "not fd.name contains ab",
	};
	struct vgl_ruleset *rs = rules(c, 5);

	(void)state;
	assert_string_equal(open_fires(rs, "cat", "/home/u/.ssh/id_rsa"), "r0 r1 r2 r3 r4");
	/* At the very start and the very end of the value. */
	assert_string_equal(open_fires(rs, "cat", "/.ssh/"), "r0 r2 r3 r4");
	assert_string_equal(open_fires(rs, "cat", "id_rsa"), "r1 r4");
	assert_string_equal(open_fires(rs, "cat", "xsh"), "r3 r4");
	assert_string_equal(open_fires(rs, "cat", "/.ssh"), "r2 r3 r4");
	assert_string_equal(open_fires(rs, "cat", "s"), "r4");
	assert_string_equal(open_fires(rs, "cat", ""), "r4");
	assert_string_equal(open_fires(rs, "cat", "xxab"), "");
	vgl_ruleset_free(rs);
}

/* The shift table must not skip an occurrence of any constant. */
static void test_contains_shifts(void **state)
{
	static const char *const c[] = {
		"fd.name contains abcdef",
		"fd.name contains cdxy",
		"fd.name contains fab",
	};
	struct vgl_ruleset *rs = rules(c, 3);

	(void)state;
	assert_string_equal(open_fires(rs, "cat", "abcdecdxyfabcdef"), "r0 r1 r2");
	assert_string_equal(open_fires(rs, "cat", "zzzzzzzzzzcdxy"), "r1");
	assert_string_equal(open_fires(rs, "cat", "fabcdxabcdefab"), "r0 r2");
	assert_string_equal(open_fires(rs, "cat", "abcdeabcdxyab"), "r1");
	assert_string_equal(open_fires(rs, "cat", "fa"), "");
	vgl_ruleset_free(rs);
}

/*
 * A glob joins the trie at its literal prefix (suffix): reaching that node
 * means "maybe"; the rule must still test the glob itself.
 */
static void test_glob_group(void **state)
{
	static const char *const c[] = {
		"fd.name glob /proc/*/environ",
		"fd.name glob /proc/*/cmdline",
		"fd.name startswith /proc/",
		"fd.name glob '*.pem'",
		"fd.name glob '*/id_*.pub'",
		"fd.name endswith .pub",
		"not fd.name glob /proc/*/environ and fd.name startswith /proc",
	};
	struct vgl_ruleset *rs = rules(c, 7);

	(void)state;
	assert_string_equal(open_fires(rs, "cat", "/proc/12/environ"), "r0 r2");
	assert_string_equal(open_fires(rs, "cat", "/proc/12/status"), "r2 r6");
	assert_string_equal(open_fires(rs, "cat", "/proc/environ"), "r2 r6");
	assert_string_equal(open_fires(rs, "cat", "/home/u/.ssh/id_rsa.pub"), "r4 r5");
	assert_string_equal(open_fires(rs, "cat", "/home/u/x.pub"), "r5");
	assert_string_equal(open_fires(rs, "cat", "/a.pem"), "r3");
	vgl_ruleset_free(rs);
}

/* Rules whose only hope is a grouped guard, mixed with rules that have none. */
static void test_guards_and_order(void **state)
{
	static const char *const c[] = {
		"proc.name = cat and fd.name startswith /etc/",
		"fd.num >= 0",
		"fd.name startswith /etc/ and not proc.name = cat",
		"proc.name = cat or fd.name = /etc/passwd",
		"evt.is_open_read = true and fd.name contains pass",
	};
	struct vgl_ruleset *rs = rules(c, 5);

	(void)state;
	assert_string_equal(open_fires(rs, "cat", "/etc/passwd"), "r0 r1 r3 r4");
	assert_string_equal(open_fires(rs, "vi", "/etc/passwd"), "r1 r2 r3 r4");
	assert_string_equal(open_fires(rs, "cat", "/tmp/x"), "r1 r3");
	assert_string_equal(open_fires(rs, "vi", "/tmp/x"), "r1");
	vgl_ruleset_free(rs);
}

/* More candidates for one event kind than one bitmap word holds. */
static void test_many_candidates(void **state)
{
	static char conds[150][64];
	const char *c[150];
	struct vgl_ruleset *rs;
	char comm[16], want[64];
	size_t i;

	(void)state;
	for (i = 0; i < 150; i++) {
		if (i % 50 == 7)
			snprintf(conds[i], sizeof(conds[i]), "fd.num >= 0");
		else
			snprintf(conds[i], sizeof(conds[i]), "proc.name in (n%zu, all)", i);
		c[i] = conds[i];
	}
	rs = rules(c, 150);
	for (i = 0; i < 150; i += 13) {
		snprintf(comm, sizeof(comm), "n%zu", i);
		if (i % 50 == 7)
			snprintf(want, sizeof(want), "r7 r57 r107");
		else if (i < 7)
			snprintf(want, sizeof(want), "r%zu r7 r57 r107", i);
		else if (i < 57)
			snprintf(want, sizeof(want), "r7 r%zu r57 r107", i);
		else if (i < 107)
			snprintf(want, sizeof(want), "r7 r57 r%zu r107", i);
		else
			snprintf(want, sizeof(want), "r7 r57 r107 r%zu", i);
		assert_string_equal(open_fires(rs, comm, "/x"), want);
	}
	assert_int_equal(eval_hits(rs, &(struct tev){ 0 }.ev, NULL, NULL, &(struct hits){ 0 }), 0);
	vgl_ruleset_free(rs);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_set_group),	 cmocka_unit_test(test_prefix_group),
		cmocka_unit_test(test_suffix_group),	 cmocka_unit_test(test_contains_group),
		cmocka_unit_test(test_contains_shifts),	 cmocka_unit_test(test_glob_group),
		cmocka_unit_test(test_guards_and_order), cmocka_unit_test(test_many_candidates),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
