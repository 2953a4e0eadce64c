/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Test helper: capture files with known content, written with the capture
 * writer and the context record encoders the way `vigil run -w` writes
 * them, the events built byte by byte (test_record.h). tests/cli/
 * test_replay.sh replays them (`test_replay_source gen DIR`).
 *
 * The story (host "capture-host", events at 2026-12-05T10:00:00Z + 10 s
 * steps): bash (1000, uid 1000 "alice") on the host runs cat (1234) in
 * container 0123456789ab "web" (nginx:1.25, uid 0 "root"), which reads
 * /etc/shadow; then curl (2000, host) reads /etc/shadow, connects to
 * 10.0.0.1:443 and opens /var/tmp with O_DIRECTORY.
 */
#ifndef VIGIL_TESTS_TEST_CAPGEN_H
#define VIGIL_TESTS_TEST_CAPGEN_H

#include <fcntl.h>
#include <stdio.h>
#include <string.h>

#include "capture/record.h"
#include "capture/writer.h"
#include "test_record.h"

#define CAPGEN_T0_S	  1796464800ll /* 2026-12-05T10:00:00Z: the first event */
#define CAPGEN_B2R	  ((CAPGEN_T0_S - 10) * 1000000000ll)
#define CAPGEN_CGROUP	  4242ull
#define CAPGEN_CTR_ID	  "0123456789ab"
#define CAPGEN_ARM_DIR	  040000ull  /* O_DIRECTORY on aarch64 */
#define CAPGEN_ARM_NOFOLL 0100000ull /* O_NOFOLLOW on aarch64 */
#define CAPGEN_X86_DIR	  0200000ull /* O_DIRECTORY on x86_64 */
#define CAPGEN_X86_NOFOLL 0400000ull /* O_NOFOLLOW on x86_64 */

struct capgen {
	struct vgl_capwriter *w;
	struct vgl_capbuf b;
	int err;
};

static inline void capgen_put(struct capgen *g, uint32_t type, const void *data, size_t len)
{
	if (!g->err)
		g->err = vgl_capwriter_put(g->w, type, data, len);
}

static inline void capgen_ctx(struct capgen *g, uint32_t type, int enc_ret)
{
	if (enc_ret && !g->err)
		g->err = enc_ret;
	capgen_put(g, type, g->b.data, g->b.len);
}

/* Open @path with the header of a capture made on @arch (NULL: this host's). */
static inline int capgen_open(struct capgen *g, const char *path, const char *arch,
			      uint32_t wire_version, size_t block_bytes)
{
	struct vgl_capwriter_opts o = { .path = path, .block_bytes = block_bytes };
	char err[512];

	memset(g, 0, sizeof(*g));
	vgl_cap_info_host(&o.info);
	snprintf(o.info.hostname, sizeof(o.info.hostname), "capture-host");
	if (arch) /* else this host's */
		snprintf(o.info.arch, sizeof(o.info.arch), "%s", arch);
	snprintf(o.info.kernel_release, sizeof(o.info.kernel_release), "6.1.0-test");
	o.info.wire_version = wire_version;
	o.info.boot_to_realtime_ns = CAPGEN_B2R;
	o.info.boot_time_ns = CAPGEN_B2R;
	if (vgl_capwriter_open(&o, &g->w, err, sizeof(err))) {
		fprintf(stderr, "%s\n", err);
		return -1;
	}
	return 0;
}

static inline void capgen_proc(struct capgen *g, uint32_t pid, uint32_t ppid, const char *name,
			       const char *exepath, const char *args, size_t args_len)
{
	struct vgl_proc_view v = {
		.pid = pid,
		.ppid = ppid,
		.vpid = pid,
		.name = name,
		.exe = exepath,
		.exepath = exepath,
		.args = args,
		.args_len = args_len,
		.cwd = "/",
		.tty = 0,
		.version = pid,
	};

	capgen_ctx(g, VGL_CAP_REC_PROC, vgl_caprec_proc(&g->b, &v));
}

/* The processes, the container and the users of the story. */
static inline void capgen_context(struct capgen *g)
{
	struct vgl_container_view c = {
		.id = CAPGEN_CTR_ID,
		.name = "web",
		.type = "docker",
		.image = "nginx:1.25",
		.image_repository = "nginx",
		.image_tag = "1.25",
		.version = 1,
	};
	struct vgl_container_view host = { .id = "host", .name = "host", .version = 1 };

	capgen_proc(g, 1, 0, "systemd", "/usr/lib/systemd/systemd", "", 0);
	capgen_proc(g, 1000, 1, "bash", "/usr/bin/bash", "", 0);
	capgen_proc(g, 1234, 1000, "cat", "/usr/bin/cat", "/etc/shadow", 12);
	capgen_proc(g, 2000, 1000, "curl", "/usr/bin/curl", "https://10.0.0.1/", 18);
	capgen_ctx(g, VGL_CAP_REC_CONTAINER, vgl_caprec_container(&g->b, CAPGEN_CGROUP, 0, &c));
	capgen_ctx(g, VGL_CAP_REC_CONTAINER, vgl_caprec_container(&g->b, 1, 0, &host));
	capgen_ctx(g, VGL_CAP_REC_USER,
		   vgl_caprec_user(&g->b, 0, 1234, CAPGEN_CTR_ID, "root", "/root", "/bin/sh"));
	capgen_ctx(g, VGL_CAP_REC_USER,
		   vgl_caprec_user(&g->b, 1000, 2000, "host", "alice", "/home/alice", "/bin/bash"));
}

/* Event @i of the story happens at 10:00:00Z + 10 s * @i. */
static inline struct trec *capgen_rec(unsigned int kind, unsigned int i, uint32_t pid,
				      const char *comm, uint64_t cgroup, uint32_t uid)
{
	struct trec *r = trec_new(kind);

	r->hdr.ts = (10ull + 10ull * i) * 1000000000ull;
	r->hdr.pid = r->hdr.tid = pid;
	r->hdr.ppid = 1000;
	r->hdr.cgroup_id = cgroup;
	r->hdr.uid = r->hdr.euid = uid;
	r->hdr.gid = r->hdr.egid = uid;
	memset(r->hdr.comm, 0, sizeof(r->hdr.comm));
	snprintf(r->hdr.comm, sizeof(r->hdr.comm), "%s", comm);
	return r;
}

static inline void capgen_event(struct capgen *g, struct trec *r)
{
	size_t n = trec_finish(r);

	capgen_put(g, VGL_CAP_REC_EVENT, r->rec, n);
	free(r);
}

static inline void capgen_openat(struct capgen *g, unsigned int i, uint32_t pid, const char *comm,
				 uint64_t cgroup, uint32_t uid, const char *path, uint64_t flags)
{
	struct trec *r = capgen_rec(VGL_EV_OPENAT, i, pid, comm, cgroup, uid);

	r->hdr.res = 3;
	trec_s64(r, -100);
	trec_str(r, path);
	trec_str(r, path);
	trec_u64(r, flags);
	trec_u64(r, 0);
	capgen_event(g, r);
}

/* The story's five events; @dir_flags: O_DIRECTORY as the capture's arch encodes it. */
static inline void capgen_story(struct capgen *g, uint64_t dir_flags)
{
	static const char *const argv[] = { "cat", "/etc/shadow", NULL };
	struct trec *r = capgen_rec(VGL_EV_EXECVE, 0, 1234, "cat", CAPGEN_CGROUP, 0);

	trec_str(r, "/usr/bin/cat");
	trec_argv(r, argv);
	trec_str(r, "/usr/bin/cat");
	trec_str(r, "/");
	capgen_event(g, r);
	capgen_openat(g, 1, 1234, "cat", CAPGEN_CGROUP, 0, "/etc/shadow", O_RDONLY);
	capgen_openat(g, 2, 2000, "curl", 1, 1000, "/etc/shadow", O_RDONLY);
	r = capgen_rec(VGL_EV_CONNECT, 3, 2000, "curl", 1, 1000);
	trec_s64(r, 5);
	trec_sa4(r, "10.0.0.1", 443);
	trec_sa4(r, "192.168.1.2", 40000);
	capgen_event(g, r);
	capgen_openat(g, 4, 2000, "curl", 1, 1000, "/var/tmp", dir_flags);
}

static inline int capgen_close(struct capgen *g)
{
	int err = vgl_capwriter_close(g->w, NULL);

	vgl_capbuf_free(&g->b);
	return g->err ? g->err : err;
}

#endif /* VIGIL_TESTS_TEST_CAPGEN_H */
