// SPDX-License-Identifier: Apache-2.0
/*
 * The recorder (capture/recorder.h) with a live state changed by hand
 * between events (test_capture_fake.h), the real capture writer and reader:
 * replaying the file answers every state question of every event as the
 * live state answered it when it was recorded, and the rules print the same
 * alerts; context is written once until it changes; a new file (rotation)
 * holds its own; the capture filter keeps other events and their context
 * out; the flight recorder gets each event's whole context; a rule's lookup
 * outside the recorded set (a deep ancestor, an open's descriptor) is
 * written before its event.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include "capture/recorder.h"
#include "capture/writer.h"
#include "test_capfile_util.h"
#include "test_capture_fake.h"
#include "test_capture_util.h"
#include "test_rules_util.h"

#define UNUSED __attribute__((unused))
#define TS0    1000000000ull
#define NEV    64

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
	" %user.name %user.homedir %user.shell %user.loginname %group.name %evt.args %fd.name"
	" %fd.typechar %evt.hostname\"\n"
	"  priority: NOTICE\n"
	"- rule: sock\n"
	"  desc: d\n"
	"  condition: evt.type in (connect, sendto, dup)\n"
	"  output: \"%fd.name %fd.typechar %fd.l4proto %fd.connected\"\n"
	"  priority: NOTICE\n";

/* Reads outside the recorded set: an ancestor deeper than 16, an open's descriptor. */
static const char late_yaml[] =
	"- rule: late\n"
	"  desc: d\n"
	"  condition: evt.type = openat\n"
	"  output: \"%proc.aname[20] %proc.apid[20] l4=%fd.l4proto c=%fd.connected\"\n"
	"  priority: NOTICE\n";

/* The flight recorder as the recorder sees it: what it was given last. */
struct vgl_flight {
	int unused;
};
static struct vgl_flight fake_flight;
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

/* The records of one replay, and what it answered for each event. */
struct play {
	int events;
	char *snap[NEV], *out[NEV], *log[NEV];
	struct vgl_replaystate_stats st;
};

static void apply_framed(struct vgl_replaystate *rs, const unsigned char *p, size_t len)
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

static void start(const char *yaml, const struct vgl_ruleset *filter, uint64_t rotate_ns,
		  bool flight)
{
	struct vgl_capwriter_opts wo = { 0 };
	struct vgl_recorder_opts ro = { 0 };
	char path[128], err[256];

	memset(&T, 0, sizeof(T));
	memset(&F, 0, sizeof(F));
	memset(&FL, 0, sizeof(FL));
	tmkdir_cap(T.dir, sizeof(T.dir));
	snprintf(path, sizeof(path), "%s/cap.vgc", T.dir);
	vgl_cap_info_host(&T.info);
	snprintf(F.host, sizeof(F.host), "%s", T.info.hostname);
	wo.path = path;
	wo.info = T.info;
	wo.rotate_ns = rotate_ns;
	assert_int_equal(vgl_capwriter_open(&wo, &T.w, err, sizeof(err)), 0);
	ro.writer = T.w;
	ro.flight = flight ? &fake_flight : NULL;
	ro.filter = filter;
	ro.ops = &fake_ops;
	T.r = vgl_recorder_new(&ro);
	assert_non_null(T.r);
	T.rules = rules_from(yaml);
	assert_non_null(T.rules);
	T.mctx = vgl_match_ctx_new(T.rules);
	T.frs = vgl_replaystate_new(F.host);
	T.open_fd = yaml == late_yaml;
	T.depth = T.open_fd ? 20 : VGL_RECORDER_ANCESTORS;
}

static void stop(void)
{
	vgl_recorder_free(T.r);
	if (T.w)
		assert_int_equal(vgl_capwriter_close(T.w), 0);
	vgl_match_ctx_free(T.mctx);
	vgl_ruleset_free(T.rules);
	vgl_replaystate_free(T.frs);
	for (int i = 0; i < T.n; i++) {
		free(T.snap[i]);
		free(T.out[i]);
		free(T.fsnap[i]);
	}
	trm_cap(T.dir);
	free(FL.ctx);
	FL.ctx = NULL;
}

/* Record the event of @t as the pipeline does: tap, rules through the proxy, end. */
static void record(struct trec *t)
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
	if (FL.calls == T.n) {
		apply_framed(T.frs, FL.ctx, FL.len);
		T.fsnap[i] =
			tsnap(vgl_replaystate_ops(), T.frs, &ev, false, VGL_RECORDER_ANCESTORS);
	}
	free(t);
}

static struct trec *mk(enum vgl_kind kind, uint32_t pid, uint64_t cg, uint32_t euid, int64_t res)
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

static void ev_open(uint32_t pid, uint64_t cg, uint32_t euid, const char *path)
{
	struct trec *t = mk(VGL_EV_OPENAT, pid, cg, euid, 3);

	trec_s64(t, -100);
	trec_str(t, path);
	trec_str(t, path);
	trec_u64(t, 0);
	trec_u64(t, 0);
	record(t);
}

static void ev_exec(uint32_t pid, uint64_t cg, uint32_t euid, const char *exe)
{
	struct trec *t = mk(VGL_EV_EXECVE, pid, cg, euid, 0);
	const char *argv[] = { exe, "-n", "file", NULL };

	trec_str(t, exe);
	trec_argv(t, argv);
	trec_str(t, exe);
	trec_str(t, "/tmp");
	record(t);
}

static void ev_sock(enum vgl_kind kind, uint32_t pid, uint64_t cg, uint32_t euid, int64_t fd)
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

static void ev_setuid(uint32_t pid, uint64_t cg, uint32_t euid, uint32_t uid)
{
	struct trec *t = mk(VGL_EV_SETUID, pid, cg, euid, 0);

	trec_u64(t, uid);
	trec_u64(t, euid);
	trec_u64(t, euid);
	record(t);
}

static void ev_dup(uint32_t pid, uint64_t cg, uint32_t euid, int64_t oldfd, int64_t res)
{
	struct trec *t = mk(VGL_EV_DUP, pid, cg, euid, res);

	trec_s64(t, oldfd);
	record(t);
}

/* "P20 L20 C900/0 U0@40 F-20/3 ..." for the records before one event. */
static void log_record(FILE *f, uint32_t type, const void *data, size_t len)
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
	case VGL_CAP_REC_USER:
	case VGL_CAP_REC_GROUP:
		fprintf(f, "%c%u@%u ", type == VGL_CAP_REC_USER ? 'U' : 'G', a, b);
		break;
	case VGL_CAP_REC_FD:
	case VGL_CAP_REC_FD_GONE:
		fprintf(f, "F%s%u/%u ", type == VGL_CAP_REC_FD ? "" : "-", a, b);
		break;
	default:
		fprintf(f, "T%u ", type);
	}
}

/* Replay @path alone: each event's answers and outputs from the recorded state. */
static void play(const char *path, struct play *pl)
{
	struct vgl_capreader *rd = NULL;
	struct vgl_replaystate *rs;
	struct vgl_match_ctx *mctx = vgl_match_ctx_new(T.rules);
	char err[256], *log = NULL;
	size_t loglen = 0;
	FILE *lf = open_memstream(&log, &loglen);
	const void *data;
	uint32_t type;
	size_t len;
	int rc;

	memset(pl, 0, sizeof(*pl));
	assert_int_equal(vgl_capreader_open(path, NULL, NULL, &rd, err, sizeof(err)), 0);
	rs = vgl_replaystate_new(vgl_capreader_info(rd)->hostname);
	while ((rc = vgl_capreader_next(rd, &type, &data, &len)) == 1) {
		struct vgl_event ev;
		uint64_t i;

		if (type != VGL_CAP_REC_EVENT) {
			log_record(lf, type, data, len);
			assert_int_equal(vgl_replaystate_apply(rs, type, data, len), 0);
			continue;
		}
		assert_int_equal(vgl_decode(data, len, &ev, NULL), 0);
		i = ev.hdr.ts - TS0;
		assert_true(i < NEV && !pl->snap[i]);
		pl->snap[i] = tsnap(vgl_replaystate_ops(), rs, &ev, T.open_fd, T.depth);
		pl->out[i] = touts(T.rules, mctx, &ev, vgl_replaystate_ops(), rs);
		fclose(lf);
		pl->log[i] = log;
		log = NULL;
		lf = open_memstream(&log, &loglen);
		pl->events++;
	}
	assert_int_equal(rc, 0);
	fclose(lf);
	free(log);
	vgl_replaystate_stats(rs, &pl->st);
	vgl_replaystate_free(rs);
	vgl_match_ctx_free(mctx);
	vgl_capreader_close(rd);
}

static void play_free(struct play *pl)
{
	for (int i = 0; i < NEV; i++) {
		free(pl->snap[i]);
		free(pl->out[i]);
		free(pl->log[i]);
	}
}

/* Event @i replayed answers and prints as it did live. */
static void check_one(const struct play *pl, int i)
{
	assert_non_null(pl->snap[i]);
	if (strcmp(T.snap[i], pl->snap[i]))
		fail_msg("event %d: live answered\n%s\nreplay\n%s", i, T.snap[i], pl->snap[i]);
	assert_string_equal(T.out[i], pl->out[i]);
	assert_true(strlen(T.out[i]) > 20); /* the rules matched, fields printed */
}

static void check_same(const struct play *pl, int from, int to)
{
	for (int i = from; i < to; i++)
		check_one(pl, i);
	assert_int_equal(pl->st.malformed, 0);
}

static void check_flight(int from, int to)
{
	for (int i = from; i < to; i++) {
		assert_non_null(T.fsnap[i]);
		assert_string_equal(T.snap[i], T.fsnap[i]);
	}
}

/* Host: init, sshd, a login shell with a child; a container with two processes. */
static void world(void)
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
static void resolve_container(void)
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
	v->version = fver();
}

static void test_replay_as_live(void **state UNUSED)
{
	struct vgl_recorder_stats rst;
	struct play pl;
	char path[128];

	start(rules_yaml, NULL, 0, true);
	world();
	ev_open(20, 100, 1000, "/etc/passwd"); /* 0 */
	ev_open(20, 100, 1000, "/etc/hosts");  /* 1: nothing changed */
	snprintf(F.p[30].name, sizeof(F.p[30].name), "cat");
	snprintf(F.p[30].exepath, sizeof(F.p[30].exepath), "/usr/bin/cat");
	fp_sync(&F.p[30]);
	fp_lazy(30, "A=1", 3, 0);
	ev_exec(30, 100, 1000, "/usr/bin/cat");	   /* 2: the exec */
	ev_sock(VGL_EV_CONNECT, 20, 100, 1000, 3); /* 3 */
	F.fd[0].v.connected = true;
	F.fd[0].v.version = fver();
	ev_sock(VGL_EV_SENDTO, 20, 100, 1000, 3); /* 4: connected now */
	F.fd[0].used = false;
	ev_sock(VGL_EV_SENDTO, 20, 100, 1000, 3); /* 5: closed */
	ev_open(40, 900, 0, "/www/index.html");	  /* 6: no metadata yet */
	resolve_container();
	ev_open(41, 900, 0, "/etc/passwd"); /* 7: another process of the cgroup */
	ev_setuid(41, 900, 0, 1000);	    /* 8: names from the container's passwd */
	F.u[3].shell = "/bin/sh";	    /* the container's passwd changed */
	F.dbver[1] = fver();
	ev_open(40, 900, 0, "/etc/shadow"); /* 9 */
	F.p[30].used = false;		    /* reaped */
	ev_open(31, 100, 1000, "/x");	    /* 10: its parent is gone */
	snprintf(F.p[20].name, sizeof(F.p[20].name), "bash2");
	fp_sync(&F.p[20]);
	ev_open(20, 100, 1000, "/y"); /* 11: renamed */
	ev_dup(20, 100, 1000, 3, 5);  /* 12: no such descriptor */
	ffd_set(1, 20, 5, 'f', "/y", NULL);
	ev_dup(20, 100, 1000, 3, 5); /* 13: now there is */
	/* one cgroup, two answers (cgroup v1): each process its own */
	F.c[2] = (struct fctr){ true, 555, 0, { .id = "host", .name = "host", .version = 1 } };
	F.c[3] = (struct fctr){ true, 555, 51, { .id = "c51", .name = "other" } };
	F.c[3].v.version = fver();
	fp_set(50, 1, "hostd", NULL);
	fp_set(51, 1, "ctrd", NULL);
	ev_open(50, 555, 0, "/a"); /* 14 */
	ev_open(51, 555, 0, "/b"); /* 15 */
	ev_open(50, 555, 0, "/c"); /* 16 */
	ev_open(51, 555, 0, "/d"); /* 17 */
	vgl_recorder_stats(T.r, &rst);
	assert_int_equal(vgl_capwriter_close(T.w), 0);
	T.w = NULL;

	snprintf(path, sizeof(path), "%s/cap.vgc", T.dir);
	play(path, &pl);
	assert_int_equal(pl.events, T.n);
	check_same(&pl, 0, T.n);
	check_flight(0, T.n);
	/* what was written, and only when it changed */
	assert_non_null(strstr(pl.log[0], "P20 L20 "));
	assert_non_null(strstr(pl.log[0], "P10 P1 "));
	assert_non_null(strstr(pl.log[0], "C100/0 "));
	assert_non_null(strstr(pl.log[0], "U1000@20 G1000@20"));
	assert_string_equal(pl.log[1], "");
	assert_string_equal(pl.log[2], "P30 L30 U1000@30 "); /* which names pid 30 sees */
	assert_string_equal(pl.log[3], "F20/3 ");
	assert_string_equal(pl.log[4], "F20/3 ");
	assert_string_equal(pl.log[5], "F-20/3 ");
	assert_string_equal(pl.log[7], "C900/0 P41 L41 U0@41 ");
	assert_string_equal(pl.log[8], "U1000@41 ");
	assert_string_equal(pl.log[9], "U0@40 ");
	assert_string_equal(pl.log[10], "P31 L31 P-30 U1000@31 ");
	assert_string_equal(pl.log[11], "P20 ");
	assert_string_equal(pl.log[12], "F-20/5 ");
	assert_string_equal(pl.log[13], "F20/5 ");
	assert_string_equal(pl.log[15], "C555/51 P51 L51 U0@51 ");
	assert_string_equal(pl.log[16], "");
	assert_string_equal(pl.log[17], "");
	assert_int_equal(rst.events, T.n);
	assert_int_equal(rst.written, T.n);
	assert_int_equal(rst.filtered, 0);
	assert_int_equal(rst.lost, 0);
	assert_int_equal(rst.late_records, 0);
	assert_int_equal(rst.ctx_records, pl.st.applied);
	/* the flight recorder: the whole chain and the container */
	assert_int_equal(FL.calls, T.n);
	play_free(&pl);
	stop();
}

/* Each file of a rotated series holds the context of its own events. */
static void test_rotation(void **state UNUSED)
{
	struct play pl;
	char path[128];
	int files = 0, seen = 0;

	start(rules_yaml, NULL, 2500, false); /* a new file every third event */
	world();
	for (int i = 0; i < 9; i++) {
		if (i % 3 == 1)
			ev_open(40, 900, 0, "/w");
		else
			ev_open(20, 100, 1000, "/x");
	}
	assert_int_equal(vgl_capwriter_close(T.w), 0);
	T.w = NULL;
	for (;; files++) {
		snprintf(path, sizeof(path), "%s/cap.%06d.vgc", T.dir, files);
		if (access(path, F_OK))
			break;
		play(path, &pl); /* alone, as if the others were gone */
		assert_int_equal(pl.events, 3);
		for (int i = 0; i < NEV; i++) {
			if (pl.snap[i]) {
				check_one(&pl, i);
				seen++;
			}
		}
		/* its first event brings the whole context again */
		assert_non_null(strstr(pl.log[files * 3], "P20 L20 "));
		assert_non_null(strstr(pl.log[files * 3], "C100/0 "));
		assert_non_null(strstr(pl.log[files * 3 + 1], "P40 L40 "));
		assert_string_equal(pl.log[files * 3 + 2], "");
		play_free(&pl);
	}
	assert_int_equal(files, 3);
	assert_int_equal(seen, 9);
	stop();
}

/* Events the capture filter does not keep leave no trace, context included. */
static void test_filter(void **state UNUSED)
{
	struct vgl_ruleset *filter = rules_from("- rule: f\n  desc: d\n"
						"  condition: container.id = host\n"
						"  output: x\n  priority: NOTICE\n");
	struct vgl_recorder_stats rst;
	struct play pl;
	char path[128];

	start(rules_yaml, filter, 0, true);
	world();
	ev_open(20, 100, 1000, "/a");
	ev_open(40, 900, 0, "/b");
	ev_setuid(41, 900, 0, 1000);
	ev_open(20, 100, 1000, "/c");
	vgl_recorder_stats(T.r, &rst);
	assert_int_equal(rst.events, 4);
	assert_int_equal(rst.filtered, 2);
	assert_int_equal(rst.written, 2);
	assert_int_equal(FL.calls, 4); /* the flight recorder sees everything */
	check_flight(0, 4);
	assert_int_equal(vgl_capwriter_close(T.w), 0);
	T.w = NULL;
	snprintf(path, sizeof(path), "%s/cap.vgc", T.dir);
	play(path, &pl);
	assert_int_equal(pl.events, 2);
	check_one(&pl, 0);
	check_one(&pl, 3);
	for (int i = 0; i < 4; i++) {
		const char *log = pl.log[i] ? pl.log[i] : "";

		assert_null(strstr(log, "P40"));
		assert_null(strstr(log, "P41"));
		assert_null(strstr(log, "C900"));
		assert_null(strstr(log, "@41"));
	}
	assert_null(pl.snap[1]);
	assert_null(pl.snap[2]);
	play_free(&pl);
	stop();
	vgl_ruleset_free(filter);
}

/* What a rule reads outside the recorded set is in the file before its event. */
static void test_late(void **state UNUSED)
{
	struct vgl_recorder_stats rst;
	struct play pl;
	char path[128];

	start(late_yaml, NULL, 0, false);
	world();
	for (uint32_t p = 100; p <= 125; p++)
		fp_set(p, p == 100 ? 1 : p - 1, "n", NULL);
	ffd_set(2, 125, 3, 'f', "/etc/hosts", NULL);
	ev_open(125, 100, 0, "/etc/hosts");
	ev_open(125, 100, 0, "/etc/hosts");
	vgl_recorder_stats(T.r, &rst);
	assert_int_equal(rst.late_records, 5); /* ancestors 17 to 20, the descriptor */
	assert_int_equal(vgl_capwriter_close(T.w), 0);
	T.w = NULL;
	snprintf(path, sizeof(path), "%s/cap.vgc", T.dir);
	play(path, &pl);
	check_same(&pl, 0, 2);
	assert_non_null(strstr(pl.out[0], "n 105 l4=<NA> c=false"));
	/* after the set (the 16th ancestor is 109), before the event */
	assert_non_null(strstr(pl.log[0], "P110 P109 U0@125 "));
	assert_non_null(strstr(pl.log[0], " P108 P107 P106 P105 F125/3 "));
	assert_string_equal(strstr(pl.log[0], " P108 "), " P108 P107 P106 P105 F125/3 ");
	assert_string_equal(pl.log[1], "");
	play_free(&pl);
	stop();
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_replay_as_live),
		cmocka_unit_test(test_rotation),
		cmocka_unit_test(test_filter),
		cmocka_unit_test(test_late),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
