// SPDX-License-Identifier: Apache-2.0
/*
 * The capture writer's blocks are plain zlib data (RFC 1950), as
 * docs/capture-format.md says: zlib itself inflates every block of a file
 * the writer made to exactly the length its header gives, the data CRC is
 * zlib's crc32(), and the largest block that does not compress at all
 * stays within the format's limit on a compressed length. So files written
 * before and after the writer changed compressors read the same anywhere.
 * (That vigil's reader takes zlib's own output is test_capture_reader's
 * crafted blocks.)
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <zlib.h>

#include <cmocka.h>

#include "capture/format_int.h"
#include "test_capfile_util.h"

#define UNUSED	   __attribute__((unused))
#define NOISE_TYPE 99			  /* a record type readers skip */
#define T0	   1700000000000000000ull /* a wall clock for ticks */

/* Events that compress, then four records of noise: one full block that does not. */
static struct vgl_capwriter_stats write_file(const char *path, int level)
{
	struct vgl_capwriter_opts o = { .path = path, .level = level };
	size_t noise_len = VGL_CAP_RECORD_MAX - VGL_CAP_REC_HDR;
	uint8_t *buf = malloc(VGL_CAP_RECORD_MAX);
	struct vgl_capwriter_stats st;
	struct vgl_capwriter *w = NULL;
	char err[256] = "";
	uint32_t x = 12345;

	assert_non_null(buf);
	vgl_cap_info_host(&o.info);
	o.block_bytes = VGL_CAP_BLOCK_RAW_MAX;
	assert_int_equal(vgl_capwriter_open(&o, &w, err, sizeof(err)), 0);
	vgl_capwriter_tick(w, T0);
	for (uint32_t i = 0; i < 3000; i++) {
		size_t size = 64 + (i * 37) % 400;

		tev_make(buf, i, size);
		assert_int_equal(vgl_capwriter_put(w, VGL_CAP_REC_EVENT, buf, size), 0);
	}
	vgl_capwriter_tick(w, T0 + 2 * VGL_CAP_FLUSH_NS_DEFAULT); /* the events: a block */
	for (int r = 0; r < 4; r++) {
		for (size_t k = 0; k < noise_len; k++) {
			x = x * 1103515245u + 12345u;
			buf[k] = (uint8_t)(x >> 23);
		}
		assert_int_equal(vgl_capwriter_put(w, NOISE_TYPE, buf, noise_len), 0);
	}
	assert_int_equal(vgl_capwriter_close(w, &st), 0);
	free(buf);
	return st;
}

/* Check every block of @file with zlib; the number of blocks. */
static uint64_t zlib_check_blocks(const uint8_t *file, size_t len, uint32_t *ret_max_comp)
{
	struct vgl_cap_info info;
	size_t off = 0;
	uint64_t n = 0;
	char why[128];

	assert_int_equal(vgl_cap_hdr_decode(file, len, &info, &off, why, sizeof(why)), 0);
	*ret_max_comp = 0;
	while (off < len) {
		struct vgl_cap_blkhdr h;
		const uint8_t *comp = file + off + VGL_CAP_BLKHDR_LEN;
		uint8_t *raw;
		uLongf raw_len;

		assert_true(len - off >= VGL_CAP_BLKHDR_LEN);
		assert_null(vgl_cap_blkhdr_decode(file + off, &h));
		assert_true(len - off - VGL_CAP_BLKHDR_LEN >= h.comp_len);
		assert_int_equal((uint32_t)crc32(0, comp, h.comp_len), h.data_crc);
		raw = malloc(h.raw_len + 1);
		raw_len = h.raw_len + 1; /* room for one byte more than the header says */
		assert_int_equal(uncompress(raw, &raw_len, comp, h.comp_len), Z_OK);
		assert_int_equal(raw_len, h.raw_len);
		free(raw);
		if (h.comp_len > *ret_max_comp)
			*ret_max_comp = h.comp_len;
		off += VGL_CAP_BLKHDR_LEN + h.comp_len;
		n++;
	}
	return n;
}

static void check_level(int level)
{
	char dir[64], path[128];
	struct vgl_capwriter_stats st;
	uint32_t max_comp;
	uint8_t *file;
	size_t len = 0;
	struct tread t;

	tmkdir_cap(dir, sizeof(dir));
	snprintf(path, sizeof(path), "%s/z.vgc", dir);
	st = write_file(path, level);
	assert_int_equal(st.events, 3000);
	assert_int_equal(st.events_lost, 0);
	assert_int_equal(st.write_errors, 0);
	assert_int_equal(st.blocks, 2);
	file = tslurp(path, &len);
	assert_non_null(file);
	assert_int_equal(zlib_check_blocks(file, len, &max_comp), st.blocks);
	/* the noise block: about 4 MiB, not compressed, within the limit */
	assert_true(max_comp > VGL_CAP_BLOCK_RAW_MAX - VGL_CAP_BLOCK_RAW_MAX / 100);
	assert_true(max_comp <= VGL_CAP_COMP_MAX);
	free(file);
	/* and vigil's reader: the events, no warning */
	tread_file(&t, path);
	assert_int_equal(t.nwarn, 0);
	assert_int_equal(t.nseen, 3000);
	assert_true(tread_run(&t, 0, 0, 3000));
	assert_int_equal(t.other, 4);
	tread_free(&t);
	trm_cap(dir);
}

static void test_zlib_reads_level1(void **state UNUSED)
{
	check_level(1);
}

static void test_zlib_reads_level9(void **state UNUSED)
{
	check_level(9);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_zlib_reads_level1),
		cmocka_unit_test(test_zlib_reads_level9),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
