// SPDX-License-Identifier: Apache-2.0
/*
 * The capture reader on damaged files, as a user of `vigil replay` sees
 * it: files cut short, a corrupted byte anywhere, garbage between blocks,
 * foreign and newer files. Each gets the message naming the file and
 * offset, only the damaged block is lost, and the counts say how much.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <unistd.h>
#include <zlib.h>

#include <cmocka.h>

#include "capture/format_int.h"
#include "test_capfile_util.h"

#define UNUSED	   __attribute__((unused))
#define NAME	   "cap.vgc"
#define MAX_BLOCKS 4096
#define BLKHDR	   VGL_CAP_BLKHDR_LEN

/* A capture of @n events of 200 bytes in blocks of ~2 KiB, and where its blocks are. */
struct tcap {
	uint8_t *data;
	size_t len, hdr_len;
	size_t nblocks;
	uint64_t boff[MAX_BLOCKS + 1]; /* boff[nblocks] = len */
	uint32_t bfirst[MAX_BLOCKS + 1];
	uint32_t n;
};

static void tcap_make(struct tcap *c, uint32_t n, uint32_t other_type)
{
	char dir[64], path[128];
	struct vgl_capwriter_opts o = { .path = path, .block_bytes = 2048 };
	struct vgl_capwriter *w = NULL;
	struct vgl_capreader *r = NULL;
	uint8_t buf[200];
	char err[256];
	uint32_t type;
	const void *d;
	size_t len, i = 0;

	memset(c, 0, sizeof(*c));
	tmkdir_cap(dir, sizeof(dir));
	snprintf(path, sizeof(path), "%s/" NAME, dir);
	vgl_cap_info_host(&o.info);
	assert_int_equal(vgl_capwriter_open(&o, &w, err, sizeof(err)), 0);
	for (uint32_t k = 0; k < n; k++) {
		tev_make(buf, k, sizeof(buf));
		assert_int_equal(vgl_capwriter_put(w, VGL_CAP_REC_EVENT, buf, sizeof(buf)), 0);
		if (other_type && k % 10 == 0)
			assert_int_equal(vgl_capwriter_put(w, other_type, "future", 6), 0);
	}
	assert_int_equal(vgl_capwriter_close(w, NULL), 0);
	c->data = tslurp(path, &c->len);
	c->n = n;
	trm_cap(dir);
	/* where the blocks are, as the reader reports them */
	assert_int_equal(
		vgl_capreader_open_mem(c->data, c->len, NAME, NULL, NULL, &r, err, sizeof(err)), 0);
	while (vgl_capreader_next(r, &type, &d, &len) == 1) {
		uint64_t off = vgl_capreader_offset(r);

		if (!c->nblocks || c->boff[c->nblocks - 1] != off) {
			assert_true(c->nblocks < MAX_BLOCKS);
			c->boff[c->nblocks] = off;
			c->bfirst[c->nblocks++] = (uint32_t)i;
		}
		i += type == VGL_CAP_REC_EVENT;
	}
	vgl_capreader_close(r);
	c->boff[c->nblocks] = c->len;
	c->bfirst[c->nblocks] = n;
	c->hdr_len = c->boff[0];
	assert_true(c->nblocks >= 10);
}

/* Events in block @k. */
static uint32_t brecs(const struct tcap *c, size_t k)
{
	return c->bfirst[k + 1] - c->bfirst[k];
}

/* @t saw every event but those of block @k. */
static void assert_all_but(const struct tread *t, const struct tcap *c, size_t k)
{
	assert_int_equal(t->nseen, c->n - brecs(c, k));
	assert_true(tread_run(t, 0, 0, c->bfirst[k]));
	assert_true(tread_run(t, c->bfirst[k], c->bfirst[k + 1], c->n));
}

static void test_intact(void **state UNUSED)
{
	char dir[64], path[128];
	struct tcap c;
	struct tread t;
	FILE *f;

	tcap_make(&c, 1000, 0);
	tread_mem(&t, c.data, c.len, NAME);
	assert_int_equal(t.ret, 0);
	assert_int_equal(t.next_ret, 0);
	assert_int_equal(t.nwarn, 0);
	assert_true(tread_run(&t, 0, 0, 1000));
	assert_int_equal(t.st.blocks, c.nblocks);
	assert_int_equal(t.st.records, 1000);
	assert_int_equal(t.st.events, 1000);
	assert_int_equal(t.st.blocks_skipped + t.st.records_skipped + t.st.bytes_skipped, 0);
	tread_free(&t);
	/* the same from a file */
	tmkdir_cap(dir, sizeof(dir));
	snprintf(path, sizeof(path), "%s/" NAME, dir);
	f = fopen(path, "wb");
	assert_int_equal(fwrite(c.data, 1, c.len, f), c.len);
	fclose(f);
	tread_file(&t, path);
	assert_int_equal(t.nwarn, 0);
	assert_true(tread_run(&t, 0, 0, 1000));
	assert_int_equal(t.st.blocks, c.nblocks);
	tread_free(&t);
	trm_cap(dir);
	free(c.data);
}

/* Cut in the header, at a block boundary, inside a block header, inside a block. */
static void test_truncated(void **state UNUSED)
{
	char msg[256];
	struct tcap c;
	struct tread t;
	size_t k = 4;

	tcap_make(&c, 1000, 0);
	for (size_t cut = 0; cut < c.hdr_len; cut += c.hdr_len / 7 + 1) {
		tread_mem(&t, c.data, cut, NAME);
		assert_int_equal(t.ret, -EINVAL);
		snprintf(msg, sizeof(msg),
			 NAME ": file ends inside the header (truncated at %zu bytes)", cut);
		assert_string_equal(t.err, msg);
	}
	/* a header alone is an empty capture */
	tread_mem(&t, c.data, c.hdr_len, NAME);
	assert_int_equal(t.ret, 0);
	assert_int_equal(t.nseen + t.nwarn, 0);
	assert_false(t.st.truncated);
	/* cut between blocks: nothing to say */
	tread_mem(&t, c.data, c.boff[k], NAME);
	assert_int_equal(t.nwarn, 0);
	assert_true(tread_run(&t, 0, 0, c.bfirst[k]));
	assert_int_equal(t.nseen, c.bfirst[k]);
	tread_free(&t);
	/* inside a block */
	tread_mem(&t, c.data, c.boff[k] + 100, NAME);
	assert_int_equal(t.nwarn, 1);
	snprintf(msg, sizeof(msg),
		 NAME ": offset %llu: file ends inside a block (truncated); %u records lost",
		 (unsigned long long)c.boff[k], brecs(&c, k));
	assert_string_equal(t.warn[0], msg);
	assert_int_equal(t.nseen, c.bfirst[k]);
	assert_true(t.st.truncated);
	assert_int_equal(t.st.records_skipped, brecs(&c, k));
	assert_int_equal(t.st.bytes_skipped, 100);
	assert_int_equal(t.st.blocks_skipped, 0);
	assert_int_equal(t.next_ret, 0);
	tread_free(&t);
	/* inside a block header */
	tread_mem(&t, c.data, c.boff[k] + 10, NAME);
	snprintf(msg, sizeof(msg),
		 NAME ": offset %llu: file ends inside a block header (truncated)",
		 (unsigned long long)c.boff[k]);
	assert_int_equal(t.nwarn, 1);
	assert_string_equal(t.warn[0], msg);
	assert_int_equal(t.nseen, c.bfirst[k]);
	assert_true(t.st.truncated);
	tread_free(&t);
	/* one byte short of the last block */
	tread_mem(&t, c.data, c.len - 1, NAME);
	assert_int_equal(t.nseen, c.bfirst[c.nblocks - 1]);
	assert_true(t.st.truncated);
	tread_free(&t);
	free(c.data);
}

/* One byte changed in the data, in the header, in the magic of a middle block. */
static void test_corrupt_middle(void **state UNUSED)
{
	char msg[256];
	struct tcap c;
	struct tread t;
	size_t k = 5;
	uint64_t blen;

	tcap_make(&c, 1000, 0);
	blen = c.boff[k + 1] - c.boff[k];
	c.data[c.boff[k] + BLKHDR + 20] ^= 0x40;
	tread_mem(&t, c.data, c.len, NAME);
	assert_int_equal(t.nwarn, 1);
	snprintf(msg, sizeof(msg),
		 NAME ": offset %llu: block data checksum mismatch; skipped block (%u records)",
		 (unsigned long long)c.boff[k], brecs(&c, k));
	assert_string_equal(t.warn[0], msg);
	assert_all_but(&t, &c, k);
	assert_int_equal(t.st.blocks_skipped, 1);
	assert_int_equal(t.st.records_skipped, brecs(&c, k));
	assert_int_equal(t.st.bytes_skipped, blen);
	assert_int_equal(t.st.blocks, c.nblocks - 1);
	assert_false(t.st.truncated);
	tread_free(&t);
	c.data[c.boff[k] + BLKHDR + 20] ^= 0x40;

	c.data[c.boff[k] + 9] ^= 0x01; /* raw length */
	tread_mem(&t, c.data, c.len, NAME);
	snprintf(msg, sizeof(msg),
		 NAME ": offset %llu: damaged block header (checksum mismatch); skipped %llu bytes "
		      "to the next block",
		 (unsigned long long)c.boff[k], (unsigned long long)blen);
	assert_int_equal(t.nwarn, 1);
	assert_string_equal(t.warn[0], msg);
	assert_all_but(&t, &c, k);
	assert_int_equal(t.st.blocks_skipped, 1);
	assert_int_equal(t.st.records_skipped, 0); /* unknown */
	assert_int_equal(t.st.bytes_skipped, blen);
	tread_free(&t);
	c.data[c.boff[k] + 9] ^= 0x01;

	c.data[c.boff[k]] = 'X';
	tread_mem(&t, c.data, c.len, NAME);
	snprintf(msg, sizeof(msg),
		 NAME ": offset %llu: no block here (bad block magic); skipped %llu bytes to the "
		      "next block",
		 (unsigned long long)c.boff[k], (unsigned long long)blen);
	assert_string_equal(t.warn[0], msg);
	assert_all_but(&t, &c, k);
	tread_free(&t);
	/* the last block: skipped to the end of the file */
	k = c.nblocks - 1;
	c.data[c.boff[k] + 1] ^= 0x01;
	tread_mem(&t, c.data, c.len, NAME);
	snprintf(msg, sizeof(msg),
		 NAME ": offset %llu: no block here (bad block magic); skipped %llu bytes to the "
		      "end of the file",
		 (unsigned long long)c.boff[k], (unsigned long long)(c.len - c.boff[k]));
	assert_string_equal(t.warn[1], msg);
	assert_int_equal(t.nwarn, 2);
	tread_free(&t);
	free(c.data);
}

/* Any one byte changed after the header costs exactly the block it is in. */
static void test_corrupt_any_byte(void **state UNUSED)
{
	struct tcap c;
	struct tread t;
	size_t k = 0;

	tcap_make(&c, 150, 0);
	for (uint64_t at = c.hdr_len; at < c.len; at += 3) {
		while (at >= c.boff[k + 1])
			k++;
		c.data[at] ^= 0x10;
		tread_mem(&t, c.data, c.len, NAME);
		assert_int_equal(t.nwarn, 1);
		assert_all_but(&t, &c, k);
		assert_int_equal(t.st.blocks_skipped, 1);
		tread_free(&t);
		c.data[at] ^= 0x10;
	}
	free(c.data);
}

/* Bytes that are no block, between two blocks: skipped, the rest read. */
static void test_garbage_between(void **state UNUSED)
{
	char msg[256];
	struct tcap c;
	struct tread t;
	size_t k = 3, glen = 1000;
	uint8_t *d;

	tcap_make(&c, 1000, 0);
	d = malloc(c.len + glen);
	memcpy(d, c.data, c.boff[k]);
	for (size_t i = 0; i < glen; i++)
		d[c.boff[k] + i] = (uint8_t)(i * 7 + 1);
	memcpy(d + c.boff[k] + glen, c.data + c.boff[k], c.len - c.boff[k]);
	/* a block magic in the garbage whose header does not check is passed over */
	memcpy(d + c.boff[k] + 500, "VBLK", 4);
	tread_mem(&t, d, c.len + glen, NAME);
	snprintf(msg, sizeof(msg),
		 NAME ": offset %llu: no block here (bad block magic); skipped %zu bytes to the "
		      "next block",
		 (unsigned long long)c.boff[k], glen);
	assert_int_equal(t.nwarn, 1);
	assert_string_equal(t.warn[0], msg);
	assert_true(tread_run(&t, 0, 0, 1000));
	assert_int_equal(t.st.bytes_skipped, glen);
	tread_free(&t);
	free(d);
	free(c.data);
}

static void test_foreign_files(void **state UNUSED)
{
	static const char text[] = "- rule: not a capture\n  condition: evt.type = open\n";
	struct tcap c;
	struct tread t;

	tread_mem(&t, text, sizeof(text) - 1, NAME);
	assert_int_equal(t.ret, -EINVAL);
	assert_string_equal(t.err, NAME ": not a vigil capture file (bad magic)");
	tread_mem(&t, "VIGX", 4, NAME);
	assert_string_equal(t.err, NAME ": not a vigil capture file (bad magic)");
	tread_file(&t, "/nonexistent/" NAME);
	assert_int_equal(t.ret, -ENOENT);
	assert_string_equal(t.err, "/nonexistent/" NAME ": cannot open: No such file or directory");

	tcap_make(&c, 100, 0);
	c.data[8] = 2; /* a later format: its header may be laid out differently */
	tread_mem(&t, c.data, c.len, NAME);
	assert_int_equal(t.ret, -EPROTONOSUPPORT);
	assert_string_equal(t.err,
			    NAME ": capture format version 2 is newer than this vigil reads (1)");
	c.data[8] = 1;
	c.data[20] ^= 0x01;
	tread_mem(&t, c.data, c.len, NAME);
	assert_int_equal(t.ret, -EINVAL);
	assert_string_equal(t.err, NAME ": damaged header (checksum mismatch)");
	free(c.data);
}

/* A later version's header fields are skipped; its record types are yielded. */
static void test_forward_compatible(void **state UNUSED)
{
	struct vgl_cap_info info, want;
	uint8_t hdr[2048], ext[2048];
	size_t n, flen;
	struct tcap c;
	struct tread t;

	vgl_cap_info_host(&want);
	want.seq = 7;
	n = vgl_cap_hdr_encode(&want, hdr, sizeof(hdr));
	/* insert field 300 (12 bytes) before the CRC, fix the length and the CRC */
	memcpy(ext, hdr, n - 4);
	vgl_le16_put(ext + n - 4, 300);
	vgl_le16_put(ext + n - 2, 12);
	memset(ext + n, 0xab, 12);
	flen = vgl_le16_get(hdr + 10) + 16;
	vgl_le16_put(ext + 10, (uint16_t)flen);
	vgl_le32_put(ext + n + 12, (uint32_t)crc32(0, ext, (uInt)(n + 12)));
	tread_mem(&t, ext, n + 16, NAME);
	assert_int_equal(t.ret, 0);
	info = t.info;
	assert_int_equal(info.seq, 7);
	assert_string_equal(info.hostname, want.hostname);
	assert_int_equal(info.created_ns, want.created_ns);

	tcap_make(&c, 300, 99);
	tread_mem(&t, c.data, c.len, NAME);
	assert_int_equal(t.nwarn, 0);
	assert_true(tread_run(&t, 0, 0, 300));
	assert_int_equal(t.other, 30);
	assert_int_equal(t.st.records, 330);
	assert_int_equal(t.st.events, 300);
	tread_free(&t);
	free(c.data);
}

/* A block whose checksums are right but whose contents are not what its header says. */
struct craft {
	const char *msg; /* expected problem */
	int raw_delta;	 /* added to the raw length in the header */
	int rec_delta;	 /* added to the record count */
	uint32_t rec2_len;
	size_t trailing; /* bytes after the zlib stream */
	bool garbage;	 /* data that is not zlib */
	bool bad_adler;	 /* zlib data whose Adler-32 is wrong */
	bool bad_btype;	 /* deflate data with the reserved block type */
	size_t keep;	 /* the first bytes of the zlib stream only */
	bool huge;	 /* a compressed length beyond the limit */
};

static size_t craft_block(uint8_t *out, const struct craft *cr)
{
	uint8_t raw[512], comp[1024];
	uLongf clen = sizeof(comp);
	struct vgl_cap_blkhdr h = { 0 };
	size_t rlen = 0;

	vgl_le32_put(raw, VGL_CAP_REC_EVENT);
	vgl_le32_put(raw + 4, 100);
	tev_make(raw + 8, 7, 100);
	vgl_le32_put(raw + 108, 99);
	vgl_le32_put(raw + 112, cr ? cr->rec2_len : 1);
	raw[116] = 'x';
	rlen = 117;
	assert_int_equal(compress2(comp, &clen, raw, rlen, 1), Z_OK);
	if (cr && cr->garbage)
		memset(comp, 0x5a, clen);
	if (cr && cr->bad_adler)
		comp[clen - 1] ^= 1;
	if (cr && cr->bad_btype)
		comp[2] |= 0x06; /* BTYPE 11 */
	if (cr && cr->keep)
		clen = cr->keep;
	if (cr && cr->trailing) {
		memset(comp + clen, 0, cr->trailing);
		clen += cr->trailing;
	}
	h.comp_len = (uint32_t)clen;
	h.raw_len = (uint32_t)((int)rlen + (cr ? cr->raw_delta : 0));
	h.nrecords = (uint32_t)(2 + (cr ? cr->rec_delta : 0));
	h.nevents = 1;
	h.data_crc = (uint32_t)crc32(0, comp, (uInt)clen);
	if (cr && cr->huge)
		h.comp_len = VGL_CAP_COMP_MAX + 1;
	vgl_cap_blkhdr_encode(&h, out);
	memcpy(out + BLKHDR, comp, clen);
	return BLKHDR + clen;
}

static void test_crafted_blocks(void **state UNUSED)
{
	static const struct craft cases[] = {
		{ "block inflates to 117 bytes, its header says 127; skipped block (2 records)",
		  .raw_delta = 10, .rec2_len = 1 },
		{ "block inflates to more than the 107 bytes its header says; skipped block (2 "
		  "records)",
		  .raw_delta = -10, .rec2_len = 1 },
		{ "record 2 overruns the block; skipped block (2 records)", .rec2_len = 2 },
		{ "record 2 overruns the block; skipped block (2 records)",
		  .rec2_len = 0xffffffff },
		{ "block holds 2 records (1 events), its header says 3 (1); skipped block (3 "
		  "records)",
		  .rec_delta = 1, .rec2_len = 1 },
		{ "5 bytes follow the block's compressed data; skipped block (2 records)",
		  .trailing = 5, .rec2_len = 1 },
		{ "block does not inflate (zlib: incorrect header check); skipped block (2 "
		  "records)",
		  .garbage = true, .rec2_len = 1 },
		{ "block does not inflate (zlib: incorrect data check); skipped block (2 "
		  "records)",
		  .bad_adler = true, .rec2_len = 1 },
		{ "block does not inflate (zlib: invalid or incomplete deflate data); skipped "
		  "block (2 records)",
		  .bad_btype = true, .rec2_len = 1 },
		{ "block does not inflate (zlib: invalid or incomplete deflate data); skipped "
		  "block (2 records)",
		  .keep = 20, .rec2_len = 1 },
		{ "block does not inflate (zlib: data cut short); skipped block (2 records)",
		  .keep = 5, .rec2_len = 1 },
		{ "block lengths beyond the limits; skipped", .huge = true, .rec2_len = 1 },
	};
	struct vgl_cap_info info;
	uint8_t file[8192];
	char msg[256];

	vgl_cap_info_host(&info);
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		size_t hlen = vgl_cap_hdr_encode(&info, file, sizeof(file)), n = hlen, blen;
		struct tread t;

		n += blen = craft_block(file + n, &cases[i]);
		n += craft_block(file + n, NULL);
		tread_mem(&t, file, n, NAME);
		snprintf(msg, sizeof(msg), NAME ": offset %zu: %s", hlen, cases[i].msg);
		if (cases[i].huge) /* the block header cannot be trusted: up to the next block */
			snprintf(msg + strlen(msg), sizeof(msg) - strlen(msg),
				 " %zu bytes to the next block", blen);
		assert_int_equal(t.nwarn, 1);
		assert_string_equal(t.warn[0], msg);
		/* the good block after it */
		assert_int_equal(t.nseen, 1);
		assert_int_equal(t.seen[0], 7);
		assert_int_equal(t.other, 1);
		assert_int_equal(t.last_type, 99);
		tread_free(&t);
	}
}

/*
 * A file read from disk goes through a window of a few hundred KiB: damage
 * and resynchronisation across its refills give what reading it from
 * memory gives.
 */
static void test_file_window(void **state UNUSED)
{
	char dir[64], path[128];
	struct tcap c;
	struct tread tm, tf;
	FILE *f;

	tcap_make(&c, 20000, 0);
	assert_true(c.len > 3 * (256u << 10));
	for (size_t k = 7; k < c.nblocks; k += 97)
		c.data[c.boff[k] + (k % 2 ? 3 : BLKHDR + 9)] ^= 0x08; /* a header, or data */
	tmkdir_cap(dir, sizeof(dir));
	snprintf(path, sizeof(path), "%s/" NAME, dir);
	f = fopen(path, "wb");
	assert_int_equal(fwrite(c.data, 1, c.len - 50, f), c.len - 50);
	fclose(f);
	tread_file(&tf, path);
	tread_mem(&tm, c.data, c.len - 50, path);
	assert_int_equal(tf.nseen, tm.nseen);
	assert_memory_equal(tf.seen, tm.seen, tm.nseen * sizeof(*tm.seen));
	assert_int_equal(tf.nwarn, tm.nwarn);
	assert_int_equal(tf.nwarn, (c.nblocks - 7 + 96) / 97 + 1);
	for (int i = 0; i < tm.nwarn && i < TEV_MAXWARN; i++)
		assert_string_equal(tf.warn[i], tm.warn[i]);
	assert_memory_equal(&tf.st, &tm.st, sizeof(tm.st));
	assert_true(tf.st.truncated);
	tread_free(&tf);
	tread_free(&tm);
	trm_cap(dir);
	free(c.data);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_intact),
		cmocka_unit_test(test_truncated),
		cmocka_unit_test(test_corrupt_middle),
		cmocka_unit_test(test_corrupt_any_byte),
		cmocka_unit_test(test_garbage_between),
		cmocka_unit_test(test_foreign_files),
		cmocka_unit_test(test_forward_compatible),
		cmocka_unit_test(test_crafted_blocks),
		cmocka_unit_test(test_file_window),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
