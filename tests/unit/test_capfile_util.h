/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Test helpers for capture files: event records made by hand (numbered, of
 * varied content), reading a whole capture back with its warnings, and
 * temporary directories.
 */
#ifndef VIGIL_TESTS_TEST_CAPFILE_UTIL_H
#define VIGIL_TESTS_TEST_CAPFILE_UTIL_H

#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "capture/reader.h"
#include "capture/writer.h"
#include "vigil/events.h"

#define TEV_MAXWARN 16

/*
 * Event record number @i of @size bytes (>= 64) as the kernel writes one: a
 * header (hdr.ts = 1000 + i) then path-like strings; the number is in
 * hdr.pid so that a reader can tell which record it got.
 */
static inline void tev_make(uint8_t *buf, uint32_t i, size_t size)
{
	struct vgl_hdr h = { 0 };
	static const char *const dirs[] = { "/usr/lib/x86_64-linux-gnu", "/etc", "/proc/self",
					    "/var/lib/docker/overlay2", "/home/user/.cache" };
	size_t off = sizeof(h);

	h.kind = (uint16_t)(1 + i % 7);
	h.size = (uint32_t)size;
	h.ts = 1000 + (uint64_t)i;
	h.cgroup_id = 4000 + i % 5;
	h.pid = i;
	h.tid = 100 + i % 13;
	h.uid = i % 3 ? 0 : 1000;
	memcpy(h.comm, i % 2 ? "bash" : "python3", i % 2 ? 5 : 8);
	memcpy(buf, &h, size < sizeof(h) ? size : sizeof(h));
	while (off < size) {
		char path[128];
		int n = snprintf(path, sizeof(path), "%s/file-%u.%x;", dirs[(i + off) % 5],
				 (unsigned)((i * 2654435761u + off) % 9973), (unsigned)(i ^ off));
		size_t k = size - off < (size_t)n ? size - off : (size_t)n;

		memcpy(buf + off, path, k);
		off += k;
	}
}

/* The record number of an event made by tev_make(), if it is one. */
static inline bool tev_check(const void *data, size_t len, uint32_t *ret)
{
	uint8_t *buf;
	uint32_t i;
	bool ok;

	if (len < 64)
		return false;
	memcpy(&i, (const uint8_t *)data + offsetof(struct vgl_hdr, pid), 4);
	buf = malloc(len);
	tev_make(buf, i, len);
	ok = !memcmp(buf, data, len);
	free(buf);
	*ret = i;
	return ok;
}

/* A whole capture read back. */
struct tread {
	int ret;	/* of open */
	char err[256];	/* of open */
	int next_ret;	/* last vgl_capreader_next() */
	uint32_t *seen; /* numbers of the tev_make() events, in order */
	size_t nseen;
	uint64_t other; /* records that are not tev_make() events */
	uint32_t last_type;
	struct vgl_cap_info info;
	struct vgl_capreader_stats st;
	char warn[TEV_MAXWARN][256];
	int nwarn;
};

static inline void tread_warn(void *ctx, const char *msg)
{
	struct tread *t = ctx;

	if (t->nwarn < TEV_MAXWARN)
		snprintf(t->warn[t->nwarn], sizeof(t->warn[0]), "%s", msg);
	t->nwarn++;
}

static inline void tread_all(struct tread *t, struct vgl_capreader *r)
{
	uint32_t type, n;
	const void *data;
	size_t len, cap = 0;

	t->info = *vgl_capreader_info(r);
	while ((t->next_ret = vgl_capreader_next(r, &type, &data, &len)) == 1) {
		t->last_type = type;
		if (type != VGL_CAP_REC_EVENT || !tev_check(data, len, &n)) {
			t->other++;
			continue;
		}
		if (t->nseen == cap) {
			cap = cap ? 2 * cap : 1024;
			t->seen = realloc(t->seen, cap * sizeof(*t->seen));
		}
		t->seen[t->nseen++] = n;
	}
	vgl_capreader_stats(r, &t->st);
	vgl_capreader_close(r);
}

/* Read the file at @path (@name for messages) into @t. */
static inline void tread_file(struct tread *t, const char *path)
{
	struct vgl_capreader *r = NULL;

	memset(t, 0, sizeof(*t));
	t->ret = vgl_capreader_open(path, tread_warn, t, &r, t->err, sizeof(t->err));
	if (!t->ret)
		tread_all(t, r);
}

static inline void tread_mem(struct tread *t, const void *data, size_t len, const char *name)
{
	struct vgl_capreader *r = NULL;

	memset(t, 0, sizeof(*t));
	t->ret = vgl_capreader_open_mem(data, len, name, tread_warn, t, &r, t->err, sizeof(t->err));
	if (!t->ret)
		tread_all(t, r);
}

static inline void tread_free(struct tread *t)
{
	free(t->seen);
	t->seen = NULL;
}

/* Whether @t saw events @from .. @to - 1, in order, at t->seen[@at ...]. */
static inline bool tread_run(const struct tread *t, size_t at, uint32_t from, uint32_t to)
{
	if (at + (to - from) > t->nseen)
		return false;
	for (uint32_t i = from; i < to; i++)
		if (t->seen[at + i - from] != i)
			return false;
	return true;
}

static inline uint8_t *tslurp(const char *path, size_t *ret_len)
{
	FILE *f = fopen(path, "rb");
	struct stat st;
	uint8_t *buf;

	if (!f || fstat(fileno(f), &st))
		return NULL;
	buf = malloc((size_t)st.st_size + 1);
	*ret_len = fread(buf, 1, (size_t)st.st_size, f);
	fclose(f);
	return buf;
}

static inline void tmkdir_cap(char *buf, size_t size)
{
	snprintf(buf, size, "/tmp/vigil-capfile-XXXXXX");
	if (!mkdtemp(buf))
		abort();
}

static inline void trm_cap(const char *dir)
{
	char cmd[512];

	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	if (system(cmd))
		abort();
}

#endif /* VIGIL_TESTS_TEST_CAPFILE_UTIL_H */
