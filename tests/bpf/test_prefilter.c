// SPDX-License-Identifier: Apache-2.0
/*
 * The in-kernel prefilter (bpf/prefilter.h) on real opens, in rules mode:
 * the opens a rule matches pass, judged by the resolved path (through a
 * symlink, a "..") or the requested name, by prefix, exact path, suffix,
 * substring or directory, by the open's flags and by the process's name; the others are dropped in
 * the kernel and counted as kinds.openat.prefiltered. The same rules with --no-prefilter
 * raise the same alerts and drop nothing.
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

#define MISSES	200  /* opens no rule matches, per round */
#define OTHERS	2000 /* writes "pf comm" drops by the process's name */
#define DOTDOTS 8    /* opens through "../", each a byte further on */
#define SUBS	8    /* writes of a path holding "pf sub"'s string, a byte further on */
#define SUB	"pfsub_long_marker" /* longer than the kernel's 8-byte head */
#define DIRS	8 /* "pf dir"'s directories, pd to pdxxxxxxx: its last "/" a byte further on */

struct pf_ctx {
	char dir[PATH_MAX];
	char rules[PATH_MAX + 16];
	char comm[16];
	char other[16]; /* a process no rule names */
};

static void write_text(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");

	assert_non_null(f);
	fputs(text, f);
	assert_int_equal(fclose(f), 0);
}

static void touch(const char *path)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);

	assert_true(fd >= 0);
	close(fd);
}

/* Rules on the test's directory @d; "../" and "pfcomm" only for processes named @comm. */
static void make_rules(struct pf_ctx *c)
{
	static char dirs[DIRS * (PATH_MAX + 16)], text[8 * PATH_MAX + sizeof(dirs)];
	const char *d = c->dir;
	size_t off = 0;

	for (int i = 0; i < DIRS; i++)
		off += (size_t)snprintf(dirs + off, sizeof(dirs) - off, "%s%s/pd%.*s",
					i ? ", " : "", d, i, "xxxxxxx");

	snprintf(text, sizeof(text),
		 "- macro: pf_open\n  condition: evt.type in (open, openat, openat2, creat)\n"
		 "- rule: pf exact\n  desc: d\n  condition: pf_open and fd.name = %s/exact\n"
		 "  output: \"exact %%fd.name\"\n  priority: WARNING\n"
		 "- rule: pf prefix\n  desc: d\n  condition: pf_open and fd.name startswith "
		 "%s/pre-\n"
		 "  output: \"prefix %%fd.name\"\n  priority: WARNING\n"
		 "- rule: pf suffix\n  desc: d\n  condition: pf_open and fd.name endswith "
		 ".pfsuffix\n"
		 "  output: \"suffix %%fd.name\"\n  priority: WARNING\n"
		 "- rule: pf name\n  desc: d\n"
		 "  condition: pf_open and evt.arg.name startswith %s/byname/\n"
		 "  output: \"name %%evt.arg.name %%fd.name\"\n  priority: WARNING\n"
		 "- rule: pf write\n  desc: d\n"
		 "  condition: pf_open and evt.is_open_write=true and fd.name startswith %s/w-\n"
		 "  output: \"write %%fd.name\"\n  priority: WARNING\n"
		 "- rule: pf dotdot\n  desc: d\n"
		 "  condition: pf_open and fd.nameraw contains \"../\" and proc.name = %s\n"
		 "  output: \"dotdot %%evt.arg.name %%fd.name\"\n  priority: WARNING\n"
		 "- rule: pf comm\n  desc: d\n"
		 "  condition: pf_open and evt.is_open_write=true and fd.name contains pfcomm"
		 " and proc.name in (%s, vgl-nobody)\n"
		 "  output: \"comm %%proc.name %%fd.name\"\n  priority: WARNING\n"
		 "- rule: pf sub\n  desc: d\n"
		 "  condition: pf_open and evt.is_open_write=true and (fd.name contains " SUB
		 " or fd.name contains \"~Q\")\n"
		 "  output: \"sub %%fd.name\"\n  priority: WARNING\n"
		 "- rule: pf dir\n  desc: d\n"
		 "  condition: pf_open and evt.is_open_write=true and fd.directory in (%s)\n"
		 "  output: \"dir %%fd.name\"\n  priority: WARNING\n",
		 d, d, d, d, c->comm, c->comm, dirs);
	snprintf(c->rules, sizeof(c->rules), "%s/rules.yaml", d);
	write_text(c->rules, text);
}

static int open_at(const char *dir, const char *rel, int flags)
{
	char path[2 * PATH_MAX];
	int fd;

	snprintf(path, sizeof(path), "%s/%s", dir, rel);
	fd = open(path, flags | O_CLOEXEC);
	if (fd >= 0)
		close(fd);
	return fd;
}

/* Five opens that raise one alert each, the rest none. */
static void act(void *arg)
{
	const struct pf_ctx *c = arg;

	for (int i = 0; i < MISSES; i++) {
		VH_CHECK(open_at(c->dir, "miss", O_RDONLY) >= 0);
		VH_CHECK(open_at(c->dir, "pre", O_RDONLY) >= 0);    /* not "pre-" */
		VH_CHECK(open_at(c->dir, "w-file", O_RDONLY) >= 0); /* a read */
		VH_CHECK(open_at(c->dir, "other/f", O_RDONLY) >= 0);
	}
	VH_CHECK(open_at(c->dir, "link", O_RDONLY) >= 0);	/* -> exact */
	VH_CHECK(open_at(c->dir, "pre-1", O_RDONLY) >= 0);	/* prefix */
	VH_CHECK(open_at(c->dir, "a.pfsuffix", O_RDONLY) >= 0); /* suffix */
	VH_CHECK(open_at(c->dir, "byname/f", O_RDONLY) >= 0);	/* -> other/f */
	VH_CHECK(open_at(c->dir, "w-file", O_WRONLY) >= 0);	/* write */
	/* "../" at each offset from a word's start, for the kernel's 8-byte scan */
	for (int i = 0; i < DOTDOTS; i++) {
		char rel[32];

		snprintf(rel, sizeof(rel), "other/%.*s../miss", i, "////////");
		VH_CHECK(open_at(c->dir, rel, O_RDONLY) >= 0);
	}
	VH_CHECK(open_at(c->dir, "c-pfcomm", O_WRONLY) >= 0); /* its name */
}

/*
 * Writes that "pf comm" would match but for the process's name; writes
 * "pf sub" matches by their path alone, and some it does not.
 */
static void act_other(void *arg)
{
	const struct pf_ctx *c = arg;

	for (int i = 0; i < SUBS; i++) { /* the substring at each offset from a word's start */
		char rel[64];

		snprintf(rel, sizeof(rel), "sub/%.*s" SUB, i, "aaaaaaaa");
		VH_CHECK(open_at(c->dir, rel, O_WRONLY) >= 0);
	}
	VH_CHECK(open_at(c->dir, "sub/a~Q", O_WRONLY) >= 0); /* the two-byte one */
	for (int i = 0; i < DIRS; i++) {
		char rel[64];

		snprintf(rel, sizeof(rel), "pd%.*s/f", i, "xxxxxxx");
		VH_CHECK(open_at(c->dir, rel, O_WRONLY) >= 0);
	}
	for (int i = 0; i < OTHERS; i++)
		VH_CHECK(open_at(c->dir, "c-pfcomm", O_WRONLY) >= 0);
	for (int i = 0; i < MISSES; i++) { /* one byte off, its head alone; "~" */
		VH_CHECK(open_at(c->dir, "sub/pfsub_long_markeX", O_WRONLY) >= 0);
		VH_CHECK(open_at(c->dir, "sub/pfsub_lonG_marker", O_WRONLY) >= 0);
		VH_CHECK(open_at(c->dir, "sub/pfsub_lo", O_WRONLY) >= 0);
		VH_CHECK(open_at(c->dir, "sub/a~", O_WRONLY) >= 0);
		VH_CHECK(open_at(c->dir, "pd/sub/f", O_WRONLY) >= 0); /* below a directory */
		VH_CHECK(open_at(c->dir, "pdy/f", O_WRONLY) >= 0);    /* beside them */
	}
}

static struct pf_ctx *setup_dir(void)
{
	struct pf_ctx *c = vh_shared(sizeof(*c));
	char p[2 * PATH_MAX], t[2 * PATH_MAX];

	vh_tmpdir(c->dir, sizeof(c->dir));
	snprintf(c->comm, sizeof(c->comm), "vgl-pf%d", (int)getpid() % 100000);
	snprintf(c->other, sizeof(c->other), "vgl-pfo%d", (int)getpid() % 100000);
	for (const char *const *f =
		     (const char *const[]){ "exact", "miss", "pre", "pre-1", "a.pfsuffix", "w-file",
					    "c-pfcomm", NULL };
	     *f; f++) {
		snprintf(p, sizeof(p), "%s/%s", c->dir, *f);
		touch(p);
	}
	snprintf(p, sizeof(p), "%s/other", c->dir);
	assert_int_equal(mkdir(p, 0755), 0);
	snprintf(p, sizeof(p), "%s/other/f", c->dir);
	touch(p);
	snprintf(p, sizeof(p), "%s/sub", c->dir);
	assert_int_equal(mkdir(p, 0755), 0);
	for (const char *const *f = (const char *const[]){ "pfsub_long_markeX", "pfsub_lonG_marker",
							   "pfsub_lo", "a~", "a~Q", NULL };
	     *f; f++) {
		snprintf(p, sizeof(p), "%s/sub/%s", c->dir, *f);
		touch(p);
	}
	for (int i = 0; i < SUBS; i++) {
		snprintf(p, sizeof(p), "%s/sub/%.*s" SUB, c->dir, i, "aaaaaaaa");
		touch(p);
	}
	for (int i = 0; i < DIRS; i++) {
		snprintf(p, sizeof(p), "%s/pd%.*s", c->dir, i, "xxxxxxx");
		assert_int_equal(mkdir(p, 0755), 0);
		snprintf(p, sizeof(p), "%s/pd%.*s/f", c->dir, i, "xxxxxxx");
		touch(p);
	}
	for (const char *const *f = (const char *const[]){ "pd/sub", "pdy", NULL }; *f; f++) {
		snprintf(p, sizeof(p), "%s/%s", c->dir, *f);
		assert_int_equal(mkdir(p, 0755), 0);
		snprintf(p, sizeof(p), "%s/%s/f", c->dir, *f);
		touch(p);
	}
	snprintf(p, sizeof(p), "%s/link", c->dir);
	snprintf(t, sizeof(t), "%s/exact", c->dir);
	assert_int_equal(symlink(t, p), 0);
	snprintf(p, sizeof(p), "%s/byname", c->dir);
	snprintf(t, sizeof(t), "%s/other", c->dir);
	assert_int_equal(symlink(t, p), 0);
	make_rules(c);
	return c;
}

/* The alerts of @rule whose fd.name is @dir/@rel: exactly @want. */
static void expect_alerts(const struct vh_run *run, const char *rule, const char *dir,
			  const char *rel, size_t want)
{
	char path[2 * PATH_MAX];
	size_t n = 0, i;
	json_t *a;

	snprintf(path, sizeof(path), "%s/%s", dir, rel);
	json_array_foreach(run->events, i, a)
	{
		const char *r = json_string_value(json_object_get(a, "rule"));
		const json_t *f = json_object_get(a, "output_fields");

		if (r && !strcmp(r, rule) &&
		    !strcmp(json_string_value(json_object_get(f, "fd.name")) ?: "", path))
			n++;
	}
	if (n != want)
		fail_msg("%zu alerts of \"%s\" for %s, want %zu", n, rule, path, want);
}

static void expect_alert(const struct vh_run *run, const char *rule, const char *dir,
			 const char *rel)
{
	expect_alerts(run, rule, dir, rel, 1);
}

static long long openat_prefiltered(const struct vh_run *run)
{
	const json_t *k = json_object_get(json_object_get(run->stats, "kinds"), "openat");

	return json_integer_value(json_object_get(k, "prefiltered"));
}

static void run_once(const struct pf_ctx *c, bool no_prefilter)
{
	struct vh_run *run =
		vh_start_opts(&(struct vh_opts){ .rules = c->rules, .no_prefilter = no_prefilter });
	int status;

	vh_spawn(c->comm, act, (void *)c, &status);
	assert_int_equal(status, 0);
	vh_spawn(c->other, act_other, (void *)c, &status);
	assert_int_equal(status, 0);
	vh_stop(run);
	expect_alert(run, "pf exact", c->dir, "exact");
	expect_alert(run, "pf prefix", c->dir, "pre-1");
	expect_alert(run, "pf suffix", c->dir, "a.pfsuffix");
	expect_alert(run, "pf name", c->dir, "other/f");
	expect_alert(run, "pf write", c->dir, "w-file");
	expect_alerts(run, "pf dotdot", c->dir, "miss", DOTDOTS);
	expect_alert(run, "pf comm", c->dir, "c-pfcomm"); /* not the other's */
	for (int i = 0; i < SUBS; i++) {
		char rel[64];

		snprintf(rel, sizeof(rel), "sub/%.*s" SUB, i, "aaaaaaaa");
		expect_alert(run, "pf sub", c->dir, rel);
	}
	expect_alert(run, "pf sub", c->dir, "sub/a~Q");
	expect_alerts(run, "pf sub", c->dir, "sub/pfsub_long_markeX", 0);
	for (int i = 0; i < DIRS; i++) {
		char rel[64];

		snprintf(rel, sizeof(rel), "pd%.*s/f", i, "xxxxxxx");
		expect_alert(run, "pf dir", c->dir, rel);
	}
	expect_alerts(run, "pf dir", c->dir, "pd/sub/f", 0);
	printf("%s: %zu alerts, kinds.openat.prefiltered %lld\n",
	       no_prefilter ? "--no-prefilter" : "prefilter", json_array_size(run->events),
	       openat_prefiltered(run));
	if (no_prefilter)
		assert_int_equal(openat_prefiltered(run), 0);
	else if (openat_prefiltered(run) < 10 * MISSES + OTHERS) /* the children's misses */
		fail_msg("prefiltered %lld < %d opens no rule matches", openat_prefiltered(run),
			 10 * MISSES + OTHERS);
}

static void test_prefilter(void **state)
{
	struct pf_ctx *c = setup_dir();

	(void)state;
	run_once(c, false);
	run_once(c, true);
	vh_shared_free(c, sizeof(*c));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_teardown(test_prefilter, vh_teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
