// SPDX-License-Identifier: Apache-2.0
/*
 * The capture-file source (source/capture.c): records to the right
 * callbacks in file order, losses and damage counted, files that cannot be
 * read reported and passed over, open flags of another architecture
 * translated; and the capture filter's compile helper (run/capsetup.c).
 *
 * `test_replay_source gen DIR` writes the captures tests/cli/test_replay.sh
 * replays instead of running the tests.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "decode/event.h"
#include "run/capsetup.h"
#include "source/source.h"
#include "test_capgen.h"

#define BIG_EVENTS 300

/* ---- captures ----------------------------------------------------------------------------- */

static int gen_story(const char *path, const char *arch, uint64_t dir_flags, uint64_t lost)
{
	struct capgen g;

	if (capgen_open(&g, path, arch, VGL_WIRE_VERSION, 0))
		return -1;
	capgen_context(&g);
	capgen_story(&g, dir_flags);
	if (lost) {
		capgen_ctx(&g, VGL_CAP_REC_LOSS, vgl_caprec_loss(&g.b, lost));
	}
	return capgen_close(&g);
}

/* Many small blocks, for damage: BIG_EVENTS opens of /etc/shadow by cat. */
static int gen_big(const char *path)
{
	struct capgen g;

	if (capgen_open(&g, path, NULL, VGL_WIRE_VERSION, 2048))
		return -1;
	capgen_context(&g);
	for (unsigned int i = 0; i < BIG_EVENTS; i++)
		capgen_openat(&g, i, 1234, "cat", CAPGEN_CGROUP, 0, "/etc/shadow", O_RDONLY);
	return capgen_close(&g);
}

static int gen_newwire(const char *path)
{
	struct capgen g;

	if (capgen_open(&g, path, NULL, VGL_WIRE_VERSION + 1, 0))
		return -1;
	capgen_context(&g);
	return capgen_close(&g);
}

static int gen(const char *dir)
{
	char p[4096];
	int err = 0;

	snprintf(p, sizeof(p), "%s/story.vgc", dir);
	err |= gen_story(p, NULL, O_RDONLY | O_DIRECTORY, 0);
	snprintf(p, sizeof(p), "%s/lossy.vgc", dir);
	err |= gen_story(p, NULL, O_RDONLY | O_DIRECTORY, 5);
	snprintf(p, sizeof(p), "%s/arm64.vgc", dir);
	err |= gen_story(p, "aarch64", CAPGEN_ARM_DIR | CAPGEN_ARM_NOFOLL, 0);
	snprintf(p, sizeof(p), "%s/x86_64.vgc", dir);
	err |= gen_story(p, "x86_64", CAPGEN_X86_DIR | CAPGEN_X86_NOFOLL, 0);
	snprintf(p, sizeof(p), "%s/big.vgc", dir);
	err |= gen_big(p);
	snprintf(p, sizeof(p), "%s/newwire.vgc", dir);
	err |= gen_newwire(p);
	return err ? 1 : 0;
}

/* ---- the source ----------------------------------------------------------------------------- */

struct seen {
	size_t events, context, files;
	uint64_t flags[8]; /* openat flags, in order */
	size_t nflags;
	char arch[VGL_CAP_STR_MAX];
};

static int on_event(void *ctx, const void *data, size_t size)
{
	struct seen *s = ctx;
	struct vgl_event ev;

	assert_int_equal(vgl_decode(data, size, &ev, NULL), 0);
	if (ev.kind == VGL_EV_OPENAT && s->nflags < 8)
		s->flags[s->nflags++] = vgl_event_param(&ev, "flags")->num.u;
	s->events++;
	return 0;
}

static int on_context(void *ctx, uint32_t type, const void *data, size_t size)
{
	struct seen *s = ctx;

	(void)data;
	(void)size;
	assert_true(type != VGL_CAP_REC_EVENT && type != VGL_CAP_REC_LOSS);
	s->context++;
	return 0;
}

static int on_file(void *ctx, const char *path, const struct vgl_cap_info *info)
{
	struct seen *s = ctx;

	(void)path;
	assert_int_equal(info->boot_to_realtime_ns, CAPGEN_B2R);
	snprintf(s->arch, sizeof(s->arch), "%s", info->arch);
	s->files++;
	return 0;
}

static void read_all(const char *const *paths, size_t n, struct seen *s,
		     struct vgl_capsrc_stats *st)
{
	struct vgl_capsrc_cbs cbs = { on_event, on_context, on_file, s };
	struct vgl_capsrc *src;

	memset(s, 0, sizeof(*s));
	assert_int_equal(vgl_capsrc_open(paths, n, &cbs, &src), 0);
	while (vgl_capsrc_consume(src, 3) > 0)
		;
	vgl_capsrc_stats(src, st);
	vgl_capsrc_close(src);
}

static char dir[] = "/tmp/vigil-test-replay-XXXXXX";

static int setup_dir(void **state)
{
	(void)state;
	if (!mkdtemp(dir) || gen(dir))
		return -1;
	return 0;
}

static int remove_dir(void **state)
{
	char cmd[256];

	(void)state;
	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	return system(cmd) ? -1 : 0;
}

static void test_source_files_in_order(void **state)
{
	char a[4096], b[4096], missing[4096], newwire[4096];
	const char *paths[] = { a, missing, newwire, b };
	struct vgl_capsrc_stats st;
	struct seen s;

	(void)state;
	snprintf(a, sizeof(a), "%s/story.vgc", dir);
	snprintf(b, sizeof(b), "%s/lossy.vgc", dir);
	snprintf(missing, sizeof(missing), "%s/none.vgc", dir);
	snprintf(newwire, sizeof(newwire), "%s/newwire.vgc", dir);
	read_all(paths, 4, &s, &st);
	assert_int_equal(s.files, 2);
	assert_int_equal(st.files, 2);
	assert_int_equal(st.files_failed, 2); /* the missing one, the newer wire format */
	assert_int_equal(s.events, 10);
	assert_int_equal(st.events, 10);
	assert_int_equal(s.context, 2 * 8);
	assert_int_equal(st.not_recorded, 5);
	assert_int_equal(st.translated, 0);
	assert_int_equal(st.blocks_skipped + st.truncated + st.read_errors, 0);
	assert_int_equal(s.flags[2], O_RDONLY | O_DIRECTORY);
}

static void test_source_translates_arm64(void **state)
{
	char a[4096];
	const char *paths[] = { a };
	struct vgl_capsrc_stats st;
	struct seen s;

	(void)state;
	snprintf(a, sizeof(a), "%s/arm64.vgc", dir);
	read_all(paths, 1, &s, &st);
	assert_string_equal(s.arch, "aarch64");
	assert_int_equal(s.nflags, 3);
#if defined(__x86_64__)
	assert_int_equal(st.translated, 5);
	assert_int_equal(s.flags[2], O_RDONLY | O_DIRECTORY | O_NOFOLLOW);
#endif
	assert_int_equal(s.flags[0], O_RDONLY);
}

static void test_arch_table(void **state)
{
	struct vgl_arch_xlate x;
	struct trec *r = trec_new(VGL_EV_OPENAT);

	(void)state;
	assert_int_equal(vgl_capsrc_arch("sparc64", &x), -ENOTSUP);
#if defined(__x86_64__)
	unsigned char rec[TREC_MAX];
	size_t n;

	assert_int_equal(vgl_capsrc_arch("x86_64", &x), 0);
	assert_int_equal(vgl_capsrc_arch("aarch64", &x), 1);
	trec_s64(r, -100);
	trec_str(r, "/d");
	trec_absent(r);
	trec_u64(r, 040000 | 0400000 | 0200000 | 0100000 | O_CLOEXEC); /* arm: all four */
	trec_u64(r, 0);
	n = trec_finish(r);
	memcpy(rec, r->rec, n);
	assert_true(vgl_capsrc_translate(&x, rec, n));
	assert_int_equal(memcmp(rec, r->rec, sizeof(struct vgl_hdr)), 0);
	{
		struct vgl_event ev;

		assert_int_equal(vgl_decode(rec, n, &ev, NULL), 0);
		assert_int_equal(vgl_event_param(&ev, "flags")->num.u,
				 O_DIRECTORY | O_NOFOLLOW | O_DIRECT | 0100000 | O_CLOEXEC);
	}
	/* a record that does not parse is left alone */
	assert_false(vgl_capsrc_translate(&x, rec, n - 1));
	free(r);
	{ /* wire version 3: flags in 4 bytes, arm's O_DIRECTORY alone */
		struct vgl_event ev;
		int32_t fl = 040000 | O_CLOEXEC;

		r = trec_new(VGL_EV_OPENAT);
		trec_bytes(r, &(int32_t){ -100 }, 4);
		trec_str(r, "/d");
		trec_bytes(r, "", 0);
		trec_bytes(r, &fl, 4);
		trec_bytes(r, &(int32_t){ 0 }, 4);
		n = trec_finish(r);
		memcpy(rec, r->rec, n);
		assert_true(vgl_capsrc_translate(&x, rec, n));
		assert_int_equal(vgl_decode(rec, n, &ev, NULL), 0);
		assert_int_equal(vgl_event_param(&ev, "flags")->num.u, O_DIRECTORY | O_CLOEXEC);
		assert_string_equal(vgl_event_param(&ev, "path")->str, "/d");
	}
#endif
	free(r);
}

/* ---- the capture filter's compile helper ------------------------------------------------ */

static void filter_err(const char *expr, const char *want)
{
	struct vgl_ruleset *rs = NULL;
	char err[512] = "";

	assert_int_equal(vgl_capfilter_compile(expr, &rs, err, sizeof(err)), -EINVAL);
	assert_null(rs);
	assert_string_equal(err, want);
}

static void test_filter_compile(void **state)
{
	static const char *const good[] = {
		"container.id != host",
		"proc.name in (\"a: b\", 'c # d') and fd.name startswith \"/etc\"",
		"  evt.type = openat\n  and not proc.name = cat",
		"proc.name = \"|-\"",
	};
	struct vgl_ruleset *rs;
	char err[512];

	(void)state;
	for (size_t i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
		rs = NULL;
		assert_int_equal(vgl_capfilter_compile(good[i], &rs, err, sizeof(err)), 0);
		assert_int_equal(vgl_ruleset_nrules(rs), 1);
		vgl_ruleset_free(rs);
	}
	filter_err("container.idd != host", "column 1: unknown field 'container.idd'");
	filter_err("proc.name = ", "column 12: expected a value after '='");
	filter_err("evt.type = openat and\nproc.name = ",
		   "line 2, column 12: expected a value after '='");
	filter_err("", "empty condition");
	filter_err("proc.name = a\001", "holds a control character");
}

int main(int argc, char **argv)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_source_files_in_order),
		cmocka_unit_test(test_source_translates_arm64),
		cmocka_unit_test(test_arch_table),
		cmocka_unit_test(test_filter_compile),
	};

	if (argc == 3 && !strcmp(argv[1], "gen"))
		return gen(argv[2]);
	return cmocka_run_group_tests(tests, setup_dir, remove_dir);
}
