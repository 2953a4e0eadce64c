// SPDX-License-Identifier: Apache-2.0
/*
 * Records as the kernel sends them (wire version 3 and on), read back from a
 * capture file (`-w`), which holds them byte for byte: every number in 4
 * bytes when they sign-extend to it, else 8; an open's "path"
 * sent as length 0 when it equals its "name", an exec's "exe" when it
 * equals its "filename"; a path that differs sent whole. What they decode
 * to is checked too.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <sys/syscall.h>

#include "capture/format.h"
#include "capture/reader.h"
#include "decode/event.h"
#include "harness.h"

#define TARGET "/etc/hostname"

struct wire_ctx {
	char created[PATH_MAX + 16];
	char true_path[PATH_MAX];
};

static void act_wire(void *arg)
{
	const struct wire_ctx *c = arg;
	long fd;

	fd = syscall(SYS_openat, AT_FDCWD, TARGET, O_RDONLY);
	VH_CHECK(fd >= 0 && close(fd) == 0);
	VH_CHECK(chdir("/etc") == 0);
	fd = syscall(SYS_openat, AT_FDCWD, "hostname", O_RDONLY);
	VH_CHECK(fd >= 0 && close(fd) == 0);
	fd = syscall(SYS_openat, AT_FDCWD, c->created, O_WRONLY | O_CREAT | O_EXCL, 0640);
	VH_CHECK(fd >= 0 && close(fd) == 0);
	vh_exec_true(c->true_path, vh_exec_envp);
}

/* 4 bytes when they sign-extend to @v, else 8. */
static size_t num_size(int64_t v)
{
	return v == (int32_t)v ? 4 : 8;
}

/*
 * One of the child's records: its bytes (the decoded strings point into
 * them: the reader's buffer is reused by the next block), its length table
 * and what it decodes to.
 */
struct wire_rec {
	uint8_t raw[VGL_EVENT_MAX];
	uint16_t lens[VGL_MAX_PARAMS];
	struct vgl_event ev;
};

/* Every number of @r is as short as it can be. */
static void assert_short_numbers(const struct wire_rec *r)
{
	for (unsigned int i = 0; i < r->ev.nparams; i++) {
		const struct vgl_param *p = &r->ev.params[i];

		if (p->absent || p->info->type >= VGL_PT_STR)
			continue;
		if (r->lens[i] != num_size(p->num.i))
			fail_msg("%s: %s = %lld sent in %u bytes, not %zu", r->ev.info->name,
				 p->info->name, (long long)p->num.i, r->lens[i],
				 num_size(p->num.i));
	}
}

/* The records of @pid in the capture @path, decoded, into @out (at most @max). */
static size_t read_records(const char *path, pid_t pid, struct wire_rec *out, size_t max)
{
	struct vgl_capreader *rd;
	const void *data;
	uint32_t type;
	size_t len, n = 0;
	char err[256];

	assert_int_equal(vgl_capreader_open(path, NULL, NULL, &rd, err, sizeof(err)), 0);
	assert_int_equal(vgl_capreader_info(rd)->wire_version, VGL_WIRE_VERSION);
	while (vgl_capreader_next(rd, &type, &data, &len) == 1) {
		struct vgl_hdr h;

		if (type != VGL_CAP_REC_EVENT || len < sizeof(h))
			continue;
		memcpy(&h, data, sizeof(h));
		if (h.pid != (uint32_t)pid || n == max || len > sizeof(out[n].raw))
			continue;
		memcpy(out[n].raw, data, len);
		assert_int_equal(vgl_decode(out[n].raw, len, &out[n].ev, NULL), 0);
		memcpy(out[n].lens, out[n].raw + sizeof(h), h.nparams * sizeof(out[n].lens[0]));
		n++;
	}
	vgl_capreader_close(rd);
	return n;
}

/* The child's openat of @name. */
static const struct wire_rec *find_open(const struct wire_rec *r, size_t n, const char *name)
{
	for (size_t i = 0; i < n; i++)
		if (r[i].ev.kind == VGL_EV_OPENAT && !r[i].ev.params[1].absent &&
		    !strcmp(r[i].ev.params[1].str, name))
			return &r[i];
	fail_msg("no openat of %s in the capture", name);
	return NULL;
}

static void test_slim_records(void **state)
{
	struct wire_ctx *c = vh_shared(sizeof(*c));
	struct wire_rec *recs = calloc(64, sizeof(*recs));
	const struct wire_rec *r;
	char dir[PATH_MAX], cap[PATH_MAX + 16];
	struct vh_run *run;
	size_t n, execs = 0;
	pid_t pid;

	(void)state;
	vh_require_root();
	assert_non_null(recs);
	vh_tmpdir(dir, sizeof(dir));
	snprintf(cap, sizeof(cap), "%s/wire.vgc", dir);
	snprintf(c->created, sizeof(c->created), "%s/created", dir);
	assert_int_equal(vh_copy_true(dir, "wire-true", 0755, c->true_path, sizeof(c->true_path)),
			 0);
	run = vh_start_opts(&(struct vh_opts){ .events = "openat,execve", .write = cap });
	pid = vh_spawn("vgl-wire", act_wire, c, NULL);
	vh_stop(run);

	n = read_records(cap, pid, recs, 64);
	for (size_t i = 0; i < n; i++) {
		assert_short_numbers(&recs[i]);
		if (recs[i].ev.kind != VGL_EV_EXECVE || recs[i].ev.hdr.res != 0)
			continue;
		execs++; /* exe is filename: sent as a repeat */
		assert_string_equal(recs[i].ev.params[0].str, c->true_path);
		assert_int_equal(recs[i].lens[2], 0);
		assert_string_equal(recs[i].ev.params[2].str, c->true_path);
	}
	assert_int_equal(execs, 1);

	r = find_open(recs, n, TARGET);	 /* the same path: left out */
	assert_int_equal(r->lens[0], 4); /* AT_FDCWD, -100 */
	assert_int_equal(r->lens[1], sizeof(TARGET));
	assert_int_equal(r->lens[2], 0);
	assert_string_equal(r->ev.params[2].str, TARGET);
	assert_int_equal(r->ev.params[2].len, strlen(TARGET));

	r = find_open(recs, n, "hostname"); /* resolved from the cwd: sent */
	assert_int_equal(r->lens[2], sizeof(TARGET));
	assert_string_equal(r->ev.params[2].str, TARGET);

	r = find_open(recs, n, c->created);
	assert_int_equal(r->lens[2], 0);
	assert_string_equal(r->ev.params[2].str, c->created);
	assert_int_equal(r->ev.params[4].num.u, 0640);
	assert_int_equal(r->lens[4], 4); /* 0640 */
	free(recs);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		vh_test(test_slim_records),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
