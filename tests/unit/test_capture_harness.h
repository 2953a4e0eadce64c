/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Test harness for the recorder: the fake live state of
 * test_capture_fake.h, a fake flight recorder, events made by hand and
 * recorded as the pipeline does (the tap, the rules through the recorder's
 * callbacks, the end), and a replay of the records that answers the same
 * questions from the recorded state. The including test provides the
 * capture writer (the real one, or a fake) and T.rules.
 */
#ifndef VIGIL_TESTS_TEST_CAPTURE_HARNESS_H
#define VIGIL_TESTS_TEST_CAPTURE_HARNESS_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "capture/reader.h"
#include "capture/record.h"
#include "capture/recorder.h"
#include "capture/replaystate.h"
#include "test_capture_fake.h"
#include "test_capture_util.h"

#define TS0	   1000000000ull
#define NEV	   256
#define TCAP_CLOCK 1700000000000000000ll /* boot to wall clock, live and replayed */

static const char rules_yaml[] =
	"- rule: all\n"
	"  desc: d\n"
	"  condition: evt.type in (openat, execve, connect, sendto, setuid, dup)\n"
	"  output: \"%proc.name %proc.exe %proc.exepath %proc.cmdline %proc.cwd %proc.pname"
	" %proc.pcmdline %proc.aname[2] %proc.aname[3] %proc.aname %proc.apid %proc.tty %proc.sid"
	" %proc.sname %proc.vpgid %proc.vpgid.name %proc.is_sid_leader %proc.vpid %proc.env"
	" %proc.env[HOME] %proc.is_exe_upper_layer %proc.duration %thread.cap_effective"
	" %container.id %container.name %container.image %container.image.tag"
	" %container.privileged %container.mounts %k8s.ns.name %k8s.pod.name %k8s.pod.labels"
	" %container.cap_added %container.cap_dropped %container.user %container.uid"
	" %container.readonly_rootfs %container.memory.limit %container.seccomp"
	" %container.no_new_privileges %container.host_network %container.ip"
	" %user.name %user.homedir %user.shell %user.loginname %group.name %fd.name"
	" %fd.typechar %evt.hostname %evt.args\"\n"
	"  priority: NOTICE\n"
	"- rule: sock\n"
	"  desc: d\n"
	"  condition: evt.type in (connect, sendto, dup)\n"
	"  output: \"%fd.name %fd.typechar %fd.l4proto %fd.connected %fd.sip %fd.sport %fd.cip"
	" %fd.lport %fd.rport\"\n"
	"  priority: NOTICE\n";

/* proc.exe_ino*: read for the rules only, written when their answer changes. */
static const char exe_yaml[] = "- rule: exe\n"
			       "  desc: d\n"
			       "  condition: evt.type = openat\n"
			       "  output: \"%proc.exe_ino %proc.exe_ino.ctime %proc.exe_ino.mtime"
			       " %proc.exe_ino.ctime_duration_proc_start\"\n"
			       "  priority: NOTICE\n";

/* docker.daemon.*: a config file read for the rules, written when its answer changes. */
static const char cfg_yaml[] = "- rule: cfg\n"
			       "  desc: d\n"
			       "  condition: evt.type = openat\n"
			       "  output: \"%proc.name %docker.daemon.config %docker.daemon.icc"
			       " %docker.daemon.live_restore"
			       " [%docker.daemon.config_error]\"\n"
			       "  priority: NOTICE\n";

/* Reads outside the recorded set: an ancestor deeper than 16, an open's descriptor. */
static const char late_yaml[] =
	"- rule: late\n"
	"  desc: d\n"
	"  condition: evt.type = openat\n"
	"  output: \"%proc.aname[20] %proc.apid[20] l4=%fd.l4proto c=%fd.connected\"\n"
	"  priority: NOTICE\n";

#ifndef TCAP_REAL_FLIGHT
/* The flight recorder as the recorder sees it: what it was given last. */
struct vgl_flight {
	int unused;
};
static struct vgl_flight fake_flight __attribute__((unused));
static struct {
	unsigned char *ctx;
	size_t len;
	char ctr[256];
	uint32_t chain[32];
	size_t nchain;
	int calls;
} FL;

void vgl_flight_event(struct vgl_flight *f, const struct vgl_event *ev, const void *raw,
		      size_t size, const void *ctx, size_t ctx_len, const char *ctr_id,
		      const uint32_t *chain, size_t nchain, uint64_t now_ns)
{
	assert_ptr_equal(f, &fake_flight);
	assert_int_equal(ev->hdr.size, size);
	assert_non_null(raw);
	(void)now_ns;
	FL.calls++;
	free(FL.ctx);
	FL.ctx = malloc(ctx_len + 1);
	memcpy(FL.ctx, ctx, ctx_len);
	FL.len = ctx_len;
	snprintf(FL.ctr, sizeof(FL.ctr), "%s", ctr_id);
	assert_true(nchain <= 32);
	memcpy(FL.chain, chain, nchain * sizeof(*chain));
	FL.nchain = nchain;
}
#endif /* !TCAP_REAL_FLIGHT: else the test links the real flight recorder */

/* One recording: what live answered and printed for each event. */
static struct {
	char dir[64];
	struct vgl_cap_info info;
	struct vgl_capwriter *w;
	struct vgl_recorder *r;
	struct vgl_ruleset *rules;
	struct vgl_match_ctx *mctx;
	struct vgl_replaystate *frs; /* fed the flight contexts */
	bool open_fd;		     /* the rules read an open's descriptor */
	uint32_t depth;		     /* and ancestors this deep */
	int n;
	char *snap[NEV], *out[NEV], *fsnap[NEV];
	unsigned long calls[NEV]; /* live callbacks the recorder made */
} T;

/* A replay, record by record, and what it answered for each event. */
struct play {
	int events;
	char *snap[NEV], *out[NEV], *log[NEV];
	uint64_t loss; /* events LOSS records say are missing */
	struct vgl_replaystate_stats st;
	struct vgl_replaystate *rs;
	struct vgl_match_ctx *mctx;
	FILE *lf;
	char *logbuf;
	size_t loglen;
};

static inline void apply_framed(struct vgl_replaystate *rs, const unsigned char *p, size_t len)
{
	while (len) {
		uint32_t type, n;

		assert_true(len >= 8);
		memcpy(&type, p, 4); /* little-endian hosts only in this test */
		memcpy(&n, p + 4, 4);
		assert_true(n <= len - 8);
		assert_int_equal(vgl_replaystate_apply(rs, type, p + 8, n), 0);
		p += 8 + n;
		len -= 8 + n;
	}
}

/* Record the event of @t as the pipeline does: tap, rules through the proxy, end. */
static inline void record(struct trec *t)
{
	struct vgl_event ev;
	int i = T.n++;
	unsigned long calls = F.calls;

	assert_true(i < NEV);
	tbuild(t, &ev);
	vgl_recorder_event(T.r, &ev, t->rec, t->size, TS0 + (uint64_t)i * 1000);
	T.calls[i] = F.calls - calls;
	T.snap[i] = tsnap(&fake_ops, NULL, &ev, T.open_fd, T.depth);
	T.out[i] = touts(T.rules, T.mctx, &ev, vgl_recorder_ops(), T.r);
	vgl_recorder_event_end(T.r);
#ifndef TCAP_REAL_FLIGHT
	if (FL.calls == T.n) {
		apply_framed(T.frs, FL.ctx, FL.len);
		T.fsnap[i] =
			tsnap(vgl_replaystate_ops(), T.frs, &ev, false, VGL_RECORDER_ANCESTORS);
	}
#endif
	free(t);
}

static inline struct trec *mk(enum vgl_kind kind, uint32_t pid, uint64_t cg, uint32_t euid,
			      int64_t res)
{
	struct tspec s = { kind,
			   pid,
			   F.p[pid].used ? F.p[pid].v.ppid : 1,
			   euid,
			   euid,
			   euid,
			   F.p[pid].db ? UINT32_MAX : euid,
			   cg,
			   TS0 + (uint64_t)T.n,
			   res,
			   F.p[pid].name };

	return tstart(&s);
}

static inline void ev_open(uint32_t pid, uint64_t cg, uint32_t euid, const char *path)
{
	struct trec *t = mk(VGL_EV_OPENAT, pid, cg, euid, 3);

	trec_s64(t, -100);
	trec_str(t, path);
	trec_str(t, path);
	trec_u64(t, 0);
	trec_u64(t, 0);
	record(t);
}

static inline void ev_exec(uint32_t pid, uint64_t cg, uint32_t euid, const char *exe)
{
	struct trec *t = mk(VGL_EV_EXECVE, pid, cg, euid, 0);
	const char *argv[] = { exe, "-n", "file", NULL };

	trec_str(t, exe);
	trec_argv(t, argv);
	trec_str(t, exe);
	trec_str(t, "/tmp");
	record(t);
}

static inline void ev_sock(enum vgl_kind kind, uint32_t pid, uint64_t cg, uint32_t euid, int64_t fd)
{
	struct trec *t = mk(kind, pid, cg, euid, 0);

	trec_s64(t, fd);
	if (kind == VGL_EV_SENDTO)
		trec_u64(t, 10);
	trec_sa4(t, "10.0.0.2", 80);
	if (kind == VGL_EV_CONNECT)
		trec_sa4(t, "10.0.0.1", 4000);
	record(t);
}

static inline void ev_setuid(uint32_t pid, uint64_t cg, uint32_t euid, uint32_t uid)
{
	struct trec *t = mk(VGL_EV_SETUID, pid, cg, euid, 0);

	trec_u64(t, uid);
	trec_u64(t, euid);
	trec_u64(t, euid);
	record(t);
}

static inline void ev_dup(uint32_t pid, uint64_t cg, uint32_t euid, int64_t oldfd, int64_t res)
{
	struct trec *t = mk(VGL_EV_DUP, pid, cg, euid, res);

	trec_s64(t, oldfd);
	record(t);
}

/* "P20 L20 C900/0 U0@40 F-20/3 ..." for the records before one event. */
static inline void log_record(FILE *f, uint32_t type, const void *data, size_t len)
{
	const unsigned char *p = data;
	uint32_t a = 0, b = 0;
	uint64_t cg;

	assert_true(len >= 4);
	memcpy(&a, p, 4);
	if (len >= 8)
		memcpy(&b, p + 4, 4);
	switch (type) {
	case VGL_CAP_REC_PROC:
		fprintf(f, "P%u ", a);
		break;
	case VGL_CAP_REC_PROC_GONE:
		fprintf(f, "P-%u ", a);
		break;
	case VGL_CAP_REC_PROC_LAZY:
		fprintf(f, "L%u ", a);
		break;
	case VGL_CAP_REC_CONTAINER:
		memcpy(&cg, p, 8);
		memcpy(&a, p + 8, 4);
		fprintf(f, "C%llu/%u ", (unsigned long long)cg, a);
		break;
	case VGL_CAP_REC_CTR_POSTURE:
		memcpy(&cg, p, 8);
		memcpy(&a, p + 8, 4);
		fprintf(f, "S%llu/%u ", (unsigned long long)cg, a);
		break;
	case VGL_CAP_REC_USER:
	case VGL_CAP_REC_GROUP:
		fprintf(f, "%c%u@%u ", type == VGL_CAP_REC_USER ? 'U' : 'G', a, b);
		break;
	case VGL_CAP_REC_FD:
	case VGL_CAP_REC_FD_GONE:
		fprintf(f, "F%s%u/%u ", type == VGL_CAP_REC_FD ? "" : "-", a, b);
		break;
	case VGL_CAP_REC_FD_ADDR:
		fprintf(f, "A%u/%u ", a, b);
		break;
	case VGL_CAP_REC_EXE:
		fprintf(f, "X%s%u ", len > 4 && p[4] ? "" : "-", a);
		break;
	case VGL_CAP_REC_CONFIG:
		fprintf(f, "K%s%u ", b ? "-" : "", a);
		break;
	default:
		fprintf(f, "T%u ", type);
	}
}

/* Replay records in file order (play_one() each, after play_begin()). */
static inline void play_begin(struct play *pl, const char *hostname)
{
	memset(pl, 0, sizeof(*pl));
	pl->rs = vgl_replaystate_new(hostname);
	pl->mctx = vgl_match_ctx_new(T.rules);
	vgl_match_ctx_set_clock(pl->mctx, TCAP_CLOCK); /* a capture's header has it */
	pl->lf = open_memstream(&pl->logbuf, &pl->loglen);
}

static inline void play_one(struct play *pl, uint32_t type, const void *data, size_t len)
{
	struct vgl_event ev;
	uint64_t i, n;

	if (type == VGL_CAP_REC_LOSS) {
		assert_int_equal(vgl_caprec_decode_loss(data, len, &n), 0);
		pl->loss += n;
	}
	if (type != VGL_CAP_REC_EVENT) {
		log_record(pl->lf, type, data, len);
		assert_int_equal(vgl_replaystate_apply(pl->rs, type, data, len), 0);
		return;
	}
	assert_int_equal(vgl_decode(data, len, &ev, NULL), 0);
	i = ev.hdr.ts - TS0;
	assert_true(i < NEV && !pl->snap[i]);
	pl->snap[i] = tsnap(vgl_replaystate_ops(), pl->rs, &ev, T.open_fd, T.depth);
	pl->out[i] = touts(T.rules, pl->mctx, &ev, vgl_replaystate_ops(), pl->rs);
	fclose(pl->lf);
	pl->log[i] = pl->logbuf;
	pl->logbuf = NULL;
	pl->lf = open_memstream(&pl->logbuf, &pl->loglen);
	pl->events++;
}

static inline void play_end(struct play *pl)
{
	fclose(pl->lf);
	free(pl->logbuf);
	vgl_replaystate_stats(pl->rs, &pl->st);
	vgl_replaystate_free(pl->rs);
	vgl_match_ctx_free(pl->mctx);
}

/* Replay @path alone: each event's answers and outputs from the recorded state. */
static inline void play(const char *path, struct play *pl)
{
	struct vgl_capreader *rd = NULL;
	const void *data;
	uint32_t type;
	size_t len;
	char err[256];
	int rc;

	assert_int_equal(vgl_capreader_open(path, NULL, NULL, &rd, err, sizeof(err)), 0);
	play_begin(pl, vgl_capreader_info(rd)->hostname);
	while ((rc = vgl_capreader_next(rd, &type, &data, &len)) == 1)
		play_one(pl, type, data, len);
	assert_int_equal(rc, 0);
	play_end(pl);
	vgl_capreader_close(rd);
}

static inline void play_free(struct play *pl)
{
	for (int i = 0; i < NEV; i++) {
		free(pl->snap[i]);
		free(pl->out[i]);
		free(pl->log[i]);
	}
}

/* Event @i replayed answers and prints as it did live. */
static inline void check_one(const struct play *pl, int i)
{
	assert_non_null(pl->snap[i]);
	if (strcmp(T.snap[i], pl->snap[i]))
		fail_msg("event %d: live answered\n%s\nreplay\n%s", i, T.snap[i], pl->snap[i]);
	assert_string_equal(T.out[i], pl->out[i]);
	assert_true(strlen(T.out[i]) > 20); /* the rules matched, fields printed */
}

static inline void check_same(const struct play *pl, int from, int to)
{
	for (int i = from; i < to; i++)
		check_one(pl, i);
	assert_int_equal(pl->st.malformed, 0);
}

#ifndef TCAP_REAL_FLIGHT
static inline void check_flight(int from, int to)
{
	for (int i = from; i < to; i++) {
		assert_non_null(T.fsnap[i]);
		assert_string_equal(T.snap[i], T.fsnap[i]);
	}
}
#endif

/* Host: init, sshd, a login shell with a child; a container with two processes. */
static inline void world(void)
{
	struct fctr *c;

	fp_set(1, 0, "systemd", NULL);
	fp_set(10, 1, "sshd", NULL);
	fp_set(20, 10, "bash", NULL)->v.tty = 34816;
	snprintf(F.p[20].args, sizeof(F.p[20].args), "-l");
	fp_sync(&F.p[20]);
	fp_lazy(20, "HOME=/home/u\0TERM=xterm", 23, 0);
	fp_set(30, 20, "sleep", NULL)->v.sid = 20;
	fp_set(31, 30, "child", NULL);
	fp_set(40, 1, "nginx", "c900aaaaaaaa");
	fp_set(41, 40, "sh", "c900aaaaaaaa");
	F.c[0] = (struct fctr){ true, 100, 0, { .id = "host", .name = "host", .version = 1 } };
	c = &F.c[1];
	*c = (struct fctr){ true, 900, 0, { .id = "c900aaaaaaaa", .type = "docker" } };
	c->v.version = fver();
	fuser_add("host", 0, false, "root", "/root", "/bin/bash");
	fuser_add("host", 1000, false, "u", "/home/u", "/bin/zsh");
	fuser_add("host", 1000, true, "u", NULL, NULL);
	fuser_add("c900aaaaaaaa", 0, false, "root", "/root", "/bin/ash");
	fuser_add("c900aaaaaaaa", 1000, false, "app", "/app", "/sbin/nologin");
	fuser_add("c900aaaaaaaa", 0, true, "root", NULL, NULL);
	F.dbver[0] = fver();
	F.dbver[1] = fver();
	ffd_set(0, 20, 3, '4', "10.0.0.1:4000->10.0.0.2:80", "tcp");
}

/* The container's metadata arrives: the same entry, a new version. */
static inline void resolve_container(void)
{
	static const struct vgl_mount_view mounts[] = {
		{ "/var/lib/docker/volumes/www/_data", "/www", "ro", false, "rprivate" },
	};
	static struct vgl_label labels[] = { { "app", "web" } };
	struct vgl_container_view *v = &F.c[1].v;

	v->name = "web";
	v->image = "nginx:1.25";
	v->image_tag = "1.25";
	v->privileged_known = true;
	v->mounts = mounts;
	v->nmounts = 1;
	v->k8s_ns_name = "prod";
	v->k8s_pod_name = "web-1";
	v->pod_labels = labels;
	v->npod_labels = 1;
	v->posture = (struct vgl_ctr_posture){ .known = VGL_PST_ALL & ~VGL_PST_USERNS,
					       .set = VGL_PST_RO_ROOTFS | VGL_PST_NNP,
					       .cap_effective = 0xa80435fbull,
					       .uid = 101,
					       .memory_limit = 64ll << 20,
					       .user = "nginx",
					       .seccomp = "default",
					       .apparmor = "docker-default",
					       .selinux = "",
					       .ip = "172.17.0.9" };
	v->version = fver();
}

#endif /* VIGIL_TESTS_TEST_CAPTURE_HARNESS_H */
