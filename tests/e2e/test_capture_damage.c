// SPDX-License-Identifier: Apache-2.0
/*
 * Damaged captures, end to end: a real capture with the test's opens spread
 * over several blocks is cut short in the middle of a block (power lost
 * while writing) or has one byte flipped inside a block. `vigil replay`
 * goes on past the damage, prints the alerts of the intact blocks (and not
 * the damaged one's), says on stderr which file and offset and how much it
 * skipped, and exits 3. A file that is not a capture is refused with a
 * message naming it.
 *
 * The test finds the blocks with vigil's own capture reader
 * (capture/reader.h): which block holds which of its events, where each
 * block begins.
 *
 * Needs root; without it the tests skip, except with CI=true, where they fail.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>

#include "capture/reader.h"
#include "harness.h"
#include "harness_activity.h"
#include "harness_capture.h"

#define NMARKS	     4
#define BLOCK_GAP    1300 /* ms between the marks: more than the writer's 1 s flush */
#define RULE_MARK    "capture e2e mark"
#define EXIT_SKIPPED 3

struct damage_fixture {
	char dir[PATH_MAX];
	char cap[PATH_MAX + 16];
	char rules[PATH_MAX + 16];
	char marks[NMARKS][PATH_MAX + 16];
	uint64_t mark_block[NMARKS]; /* offset of the block holding mark i's open */
	uint64_t blocks[256];	     /* offsets of every block, ascending */
	size_t nblocks;
	long long size;
};

static struct damage_fixture fx;
static struct e2e_once fx_once;

static void ignore_warning(void *ctx, const char *msg)
{
	(void)ctx;
	(void)msg;
}

/* Whether @len bytes at @data hold @s. */
static bool holds(const void *data, size_t len, const char *s)
{
	return memmem(data, len, s, strlen(s)) != NULL;
}

/* Read the capture with vigil's reader: block offsets and each mark's block. */
static void map_blocks(void)
{
	struct vgl_capreader *r;
	char err[512];
	uint32_t type;
	const void *data;
	size_t len;
	int rc;

	if (vgl_capreader_open(fx.cap, ignore_warning, NULL, &r, err, sizeof(err)))
		fail_msg("capture reader: %s", err);
	for (size_t i = 0; i < NMARKS; i++)
		fx.mark_block[i] = UINT64_MAX;
	while ((rc = vgl_capreader_next(r, &type, &data, &len)) == 1) {
		uint64_t off = vgl_capreader_offset(r);

		if (!fx.nblocks || fx.blocks[fx.nblocks - 1] != off) {
			if (fx.nblocks == sizeof(fx.blocks) / sizeof(fx.blocks[0]))
				break;
			fx.blocks[fx.nblocks++] = off;
		}
		for (size_t i = 0; type == VGL_CAP_REC_EVENT && i < NMARKS; i++) {
			if (fx.mark_block[i] == UINT64_MAX && holds(data, len, fx.marks[i]))
				fx.mark_block[i] = off;
		}
	}
	vgl_capreader_close(r);
	if (rc < 0)
		fail_msg("capture reader: error %d reading %s", rc, fx.cap);
	for (size_t i = 0; i < NMARKS; i++) {
		if (fx.mark_block[i] == UINT64_MAX)
			fail_msg("no open of %s in %s", fx.marks[i], fx.cap);
		if (i && fx.mark_block[i] == fx.mark_block[i - 1])
			fail_msg("marks %zu and %zu share a block (the writer's flush is over %d "
				 "ms?)",
				 i - 1, i, BLOCK_GAP);
	}
}

static void record(void)
{
	char text[PATH_MAX + 512];
	struct e2e_vigil *v;

	tu_mkdtemp("/tmp/vigil-e2e-capdmg-XXXXXX", fx.dir, sizeof(fx.dir));
	snprintf(fx.cap, sizeof(fx.cap), "%s/cap.vgc", fx.dir);
	snprintf(fx.rules, sizeof(fx.rules), "%s/rules.yaml", fx.dir);
	snprintf(text, sizeof(text),
		 "- rule: " RULE_MARK "\n"
		 "  desc: one of the test's marks was opened\n"
		 "  condition: evt.type in (open, openat, openat2) and fd.name startswith %s/mark\n"
		 "  output: mark (file=%%fd.name proc=%%proc.name parent=%%proc.pname)\n"
		 "  priority: NOTICE\n",
		 fx.dir);
	e2e_write_file(fx.rules, text);
	for (size_t i = 0; i < NMARKS; i++) {
		snprintf(fx.marks[i], sizeof(fx.marks[i]), "%s/mark%zu", fx.dir, i);
		e2e_write_file(fx.marks[i], "mark\n");
	}
	v = e2e_start_args((const char *[]){ "-r", fx.rules, "-w", fx.cap, NULL });
	for (size_t i = 0; i < NMARKS; i++) {
		if (i)
			tu_sleep_ms(BLOCK_GAP);
		e2e_do_open("vcap-mark", fx.marks[i]);
	}
	e2e_stop(v);
	assert_int_equal(e2e_count(v, &(struct e2e_match){ .rule = RULE_MARK }), NMARKS);
	fx.size = e2e_file_size(fx.cap);
	map_blocks();
	print_message("%s: %lld bytes, %zu blocks\n", fx.cap, fx.size, fx.nblocks);
}

static const struct damage_fixture *fixture(void)
{
	e2e_once(&fx_once, false, record);
	return &fx;
}

static int teardown_group(void **state)
{
	(void)state;
	tu_rmtree(fx.dir);
	return 0;
}

/* Where the block at @off ends (the next block, or the end of the file). */
static uint64_t block_end(const struct damage_fixture *f, uint64_t off)
{
	for (size_t i = 0; i < f->nblocks; i++) {
		if (f->blocks[i] > off)
			return f->blocks[i];
	}
	return (uint64_t)f->size;
}

/* The alerts: every mark but @missing (NMARKS: none missing). */
static void expect_marks(const struct e2e_replay *rp, const struct damage_fixture *f,
			 size_t missing)
{
	for (size_t i = 0; i < NMARKS; i++) {
		struct e2e_match m = { .rule = RULE_MARK,
				       .fields = { { "fd.name", f->marks[i] } } };
		size_t n = e2e_count_in(rp->alerts, &m);

		if (n != (i == missing ? 0u : 1u))
			fail_msg("%zu alerts for %s (want %u); stdout:\n%s\nstderr:\n%s", n,
				 f->marks[i], i == missing ? 0u : 1u, rp->out, rp->err);
	}
}

/* stderr names @file and says something was skipped. */
static void expect_report(const struct e2e_replay *rp, const char *file)
{
	if (!strstr(rp->err, file) || !strstr(rp->err, "skipped"))
		fail_msg("replay's stderr does not name %s and what it skipped:\n%s", file,
			 rp->err);
}

/* Cut in the middle of the last mark's block: the others' alerts, exit 3. */
static void test_truncated(void **state)
{
	const struct damage_fixture *f = fixture();
	const char *cut = tu_join(f->dir, "cut.vgc");
	uint64_t off = f->mark_block[NMARKS - 1], end = block_end(f, off);
	struct e2e_replay *rp;

	(void)state;
	e2e_copy_file(f->cap, cut);
	if (truncate(cut, (off_t)(off + (end - off) / 2)) < 0)
		fail_msg("truncate %s: %s", cut, strerror(errno));
	rp = e2e_replay("-r", f->rules, cut);
	e2e_assert_replay_status(rp, EXIT_SKIPPED);
	expect_marks(rp, f, NMARKS - 1);
	expect_report(rp, cut);
}

/* One byte flipped inside the second mark's block: that block alone is lost. */
static void test_flipped_byte(void **state)
{
	const struct damage_fixture *f = fixture();
	const char *bad = tu_join(f->dir, "flipped.vgc");
	uint64_t off = f->mark_block[1], at = off + (block_end(f, off) - off) / 2;
	struct e2e_replay *rp;
	unsigned char byte = 0;
	char offset[32];
	int fd;

	(void)state;
	e2e_copy_file(f->cap, bad);
	fd = open(bad, O_RDWR);
	if (fd < 0 || pread(fd, &byte, 1, (off_t)at) != 1)
		fail_msg("read %s at %llu: %s", bad, (unsigned long long)at, strerror(errno));
	byte ^= 0x5a;
	if (pwrite(fd, &byte, 1, (off_t)at) != 1 || close(fd) < 0)
		fail_msg("write %s: %s", bad, strerror(errno));
	rp = e2e_replay("-r", f->rules, bad);
	e2e_assert_replay_status(rp, EXIT_SKIPPED);
	expect_marks(rp, f, 1);
	expect_report(rp, bad);
	snprintf(offset, sizeof(offset), "offset %llu", (unsigned long long)off);
	if (!strstr(rp->err, offset))
		fail_msg("replay's stderr does not name the damaged block's %s:\n%s", offset,
			 rp->err);
}

/* The intact capture: every alert, exit 0; a file that is not one: refused. */
static void test_intact_and_foreign(void **state)
{
	const struct damage_fixture *f = fixture();
	struct e2e_replay *rp;

	(void)state;
	rp = e2e_replay("-r", f->rules, f->cap);
	e2e_assert_replay_status(rp, 0);
	expect_marks(rp, f, NMARKS);
	rp = e2e_replay("-r", f->rules, f->rules);
	if (rp->status == 0 || rp->status == EXIT_SKIPPED || !strstr(rp->err, f->rules))
		fail_msg("replay of a YAML file: exit %d (want an error), stderr naming it:\n%s",
			 rp->status, rp->err);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_teardown(test_intact_and_foreign, e2e_teardown_capture),
		cmocka_unit_test_teardown(test_truncated, e2e_teardown_capture),
		cmocka_unit_test_teardown(test_flipped_byte, e2e_teardown_capture),
	};

	return cmocka_run_group_tests(tests, NULL, teardown_group);
}
