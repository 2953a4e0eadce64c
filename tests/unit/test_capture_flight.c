// SPDX-License-Identifier: Apache-2.0
/*
 * The flight recorder: the ring's bounds (bytes, age) and evictions; a
 * trigger's file, read back with the capture reader: its header, exactly the
 * earlier events of the alerting container (host: process tree) within the
 * window, then the following ones for the duration, each after its context
 * (deduplicated only where that is safe); re-triggers, the open-capture
 * limit, bad options; the alert JSON naming the file through the pipeline.
 */
#include <errno.h>
#include <fcntl.h>
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

#include "testutil.h"

#include "capture/flight.h"
#include "capture/reader.h"
#include "run/pipeline.h"
#include "test_record.h"
#include "test_rules_util.h"

#define S	1000000000ull
#define T0	(1700000000ull * S) /* 2023-11-14T22:13:20Z */
#define CTR_A	"3f2a9c1b7d4e5f60718293a4b5c6d7e8f90a1b2c3d4e5f60718293a4b5c6d7e8"
#define CTR_B	"99887766554433221100aabbccddeeff99887766554433221100aabbccddeeff"
#define RAW_MAX 1024

static char dir[256];

static int setup(void **state)
{
	(void)state;
	tu_mkdtemp("/tmp/vigil-flight-XXXXXX", dir, sizeof(dir));
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	tu_rmtree(dir);
	return 0;
}

static struct vgl_flight *flight(size_t ring, uint64_t window, uint64_t max_dur)
{
	struct vgl_flight_opts o = { .dir = dir, .ring_bytes = ring, .window_ns = window };
	struct vgl_flight *f;
	char err[256] = "";

	o.max_duration_ns = max_dur;
	vgl_cap_info_host(&o.info);
	f = vgl_flight_new(&o, err, sizeof(err));
	if (!f)
		fprintf(stderr, "%s\n", err);
	assert_non_null(f);
	return f;
}

/* Event number @seq (its ts: the reader's view tells them apart) of @pid, @size bytes. */
static void event(struct vgl_flight *f, uint32_t seq, uint32_t pid, const char *ctr,
		  const uint32_t *chain, size_t nchain, const void *ctx, size_t ctx_len,
		  size_t size, uint64_t now)
{
	static uint8_t raw[RAW_MAX];
	struct vgl_event ev = { .kind = VGL_EV_OPENAT };
	struct vgl_hdr h = { .kind = VGL_EV_OPENAT, .size = (uint32_t)size, .ts = seq, .pid = pid };

	assert_true(size >= sizeof(h) && size <= RAW_MAX);
	memset(raw, 0, sizeof(raw));
	memcpy(raw, &h, sizeof(h));
	ev.hdr = h;
	vgl_flight_event(f, &ev, raw, size, ctx, ctx_len, ctr, chain, nchain, now);
}

/* Events with no context, their pid as chain: one of container @ctr. */
static void ev_simple(struct vgl_flight *f, uint32_t seq, uint32_t pid, const char *ctr,
		      uint64_t now)
{
	event(f, seq, pid, ctr, NULL, 0, NULL, 0, sizeof(struct vgl_hdr), now);
}

/* Framed context records: type letter P (PROC), F (FD), G (FD_GONE), then text. */
static size_t ctx_build(const char *const *recs, uint8_t *buf)
{
	size_t n = 0, len;
	uint32_t type, l32;

	for (; *recs; recs++) {
		type = **recs == 'P'   ? VGL_CAP_REC_PROC
		       : **recs == 'F' ? VGL_CAP_REC_FD
				       : VGL_CAP_REC_FD_GONE;
		len = strlen(*recs + 1);
		l32 = (uint32_t)len;
		memcpy(buf + n, &type, 4);
		memcpy(buf + n + 4, &l32, 4);
		memcpy(buf + n + 8, *recs + 1, len);
		n += 8 + len;
	}
	return n;
}

static void ev_ctx(struct vgl_flight *f, uint32_t seq, uint32_t pid, const char *const *recs,
		   uint64_t now)
{
	uint8_t ctx[1024];

	event(f, seq, pid, CTR_A, NULL, 0, ctx, ctx_build(recs, ctx), sizeof(struct vgl_hdr), now);
}

static void warn(void *ctx, const char *msg)
{
	(void)ctx;
	fail_msg("reader: %s", msg);
}

/*
 * The file's records as "E<seq>" for events and "<letter><text>" for
 * context, comma-separated; its header into @info.
 */
static const char *file_records(const char *path, struct vgl_cap_info *info)
{
	static char out[4096];
	struct vgl_capreader *r;
	const void *data;
	uint32_t type;
	size_t len, n = 0;
	char err[256];
	int ret;

	out[0] = '\0';
	assert_int_equal(vgl_capreader_open(path, warn, NULL, &r, err, sizeof(err)), 0);
	*info = *vgl_capreader_info(r);
	while ((ret = vgl_capreader_next(r, &type, &data, &len)) == 1) {
		struct vgl_hdr h;

		if (type == VGL_CAP_REC_EVENT) {
			memcpy(&h, data, sizeof(h));
			n += (size_t)snprintf(out + n, sizeof(out) - n, "%sE%llu", n ? "," : "",
					      (unsigned long long)h.ts);
		} else {
			n += (size_t)snprintf(out + n, sizeof(out) - n, "%s%c%.*s", n ? "," : "",
					      type == VGL_CAP_REC_PROC	    ? 'P'
					      : type == VGL_CAP_REC_FD	    ? 'F'
					      : type == VGL_CAP_REC_FD_GONE ? 'G'
									    : '?',
					      (int)len, (const char *)data);
		}
	}
	assert_int_equal(ret, 0);
	vgl_capreader_close(r);
	return out;
}

static struct vgl_flight_stats stats(struct vgl_flight *f)
{
	struct vgl_flight_stats s;

	vgl_flight_stats(f, &s);
	return s;
}

static void test_ring_bytes(void **state)
{
	/* an event without context: 48 bytes + 4 per pid + the container id + the event, 8-aligned
	 */
	struct vgl_flight *f = flight(8192, 3600 * S, 0);
	uint32_t i;

	(void)state;
	for (i = 0; i < 16; i++)
		event(f, i, 10, "host", NULL, 0, NULL, 0, 512 - 48 - 4 - 4, T0);
	assert_int_equal(stats(f).ring_events, 16);
	assert_int_equal(stats(f).ring_evicted, 0);
	for (; i < 20; i++)
		event(f, i, 10, "host", NULL, 0, NULL, 0, 512 - 48 - 4 - 4, T0);
	assert_int_equal(stats(f).ring_events, 16);
	assert_int_equal(stats(f).ring_evicted, 4);
	/* a bigger entry pushes out as many as its size needs: 1024 bytes, 2 entries */
	event(f, i++, 10, "host", NULL, 0, NULL, 0, 1024 - 48 - 4 - 4, T0);
	assert_int_equal(stats(f).ring_events, 15);
	assert_int_equal(stats(f).ring_evicted, 6);
	vgl_flight_free(f, NULL);
}

/* Entries of many sizes wrap around: the ring holds the latest events, in order. */
static void test_ring_wrap(void **state)
{
	struct vgl_flight *f = flight(8192, 3600 * S, 0);
	struct vgl_cap_info info;
	uint32_t i, lcg = 12345, held;
	char path[512], want[4096];
	size_t n = 0;

	(void)state;
	for (i = 0; i < 2000; i++) {
		lcg = lcg * 1103515245u + 12345u;
		event(f, i, 10, "host", NULL, 0, NULL, 0, 96 + (lcg >> 8) % (RAW_MAX - 96), T0);
	}
	held = (uint32_t)stats(f).ring_events;
	assert_true(held > 8192 / RAW_MAX && held < 8192 / 96);
	assert_int_equal(stats(f).ring_evicted + held, 2000);
	snprintf(path, sizeof(path), "%s", vgl_flight_trigger(f, "wrap", S, T0));
	vgl_flight_free(f, NULL);
	for (i = 2000 - held; i < 2000; i++)
		n += (size_t)snprintf(want + n, sizeof(want) - n, "%sE%u", n ? "," : "", i);
	assert_string_equal(file_records(path, &info), want);
}

static void test_ring_age(void **state)
{
	struct vgl_flight *f = flight(1 << 20, 10 * S, 0);
	uint32_t i;

	(void)state;
	for (i = 0; i < 10; i++)
		ev_simple(f, i, 10, "host", T0 + i * S);
	assert_int_equal(stats(f).ring_events, 10);
	/* at T0+15s the window keeps what is at most 10 s old: T0+5s on */
	ev_simple(f, 10, 10, "host", T0 + 15 * S);
	assert_int_equal(stats(f).ring_events, 6);
	assert_int_equal(stats(f).ring_evicted, 5);
	vgl_flight_free(f, NULL);
}

static void test_trigger_container(void **state)
{
	struct vgl_flight *f = flight(1 << 20, 10 * S, 0);
	struct vgl_cap_info info;
	const char *p;
	char path[512];

	(void)state;
	ev_simple(f, 1, 100, CTR_A, T0 + 1 * S); /* older than the window at the alert */
	ev_simple(f, 2, 100, CTR_A, T0 + 12 * S);
	ev_simple(f, 3, 200, CTR_B, T0 + 13 * S);
	ev_simple(f, 4, 1, "host", T0 + 14 * S);
	ev_simple(f, 5, 101, CTR_A, T0 + 15 * S + 123000000);
	p = vgl_flight_trigger(f, "Terminal shell in container", 2 * S, T0 + 15 * S + 123000000);
	assert_non_null(p);
	snprintf(path, sizeof(path), "%s", p);
	assert_string_equal(strrchr(path, '/') + 1, "terminal-shell-in-container-"
						    "20231114T221335.123Z-3f2a9c1b7d4e.vgc");
	ev_simple(f, 6, 100, CTR_A, T0 + 16 * S);
	ev_simple(f, 7, 200, CTR_B, T0 + 16 * S + S / 2);
	ev_simple(f, 8, 100, CTR_A, T0 + 17 * S + 123000000); /* the duration is over */
	ev_simple(f, 9, 100, CTR_A, T0 + 18 * S);
	assert_int_equal(stats(f).captures, 1);
	assert_int_equal(stats(f).events_written, 3);
	/* closed: the same alert now begins another file */
	assert_non_null(vgl_flight_trigger(f, "Terminal shell in container", 0, T0 + 18 * S));
	assert_int_equal(stats(f).captures, 2);
	vgl_flight_free(f, NULL);

	assert_string_equal(file_records(path, &info), "E2,E5,E6");
	assert_int_equal(info.flags, VGL_CAP_F_FLIGHT);
	assert_string_equal(info.rule, "Terminal shell in container");
	assert_int_equal(info.created_ns, (int64_t)(T0 + 15 * S + 123000000));
}

static void test_host_process_tree(void **state)
{
	const uint32_t sh[] = { 500, 1 }, child[] = { 501, 500, 1 }, other[] = { 600, 1 };
	struct vgl_flight *f = flight(1 << 20, 10 * S, 0);
	struct vgl_cap_info info;
	char path[512];

	(void)state;
	event(f, 1, 600, "host", other, 2, NULL, 0, sizeof(struct vgl_hdr), T0);
	event(f, 2, 501, "host", child, 3, NULL, 0, sizeof(struct vgl_hdr), T0 + 1);
	event(f, 3, 500, "host", sh, 2, NULL, 0, sizeof(struct vgl_hdr), T0 + 2);
	snprintf(path, sizeof(path), "%s", vgl_flight_trigger(f, "Shell on host", S, T0 + 2));
	assert_string_equal(strrchr(path, '/') + 1,
			    "shell-on-host-20231114T221320.000Z-host-500.vgc");
	event(f, 4, 501, "host", child, 3, NULL, 0, sizeof(struct vgl_hdr), T0 + 3);
	event(f, 5, 600, "host", other, 2, NULL, 0, sizeof(struct vgl_hdr), T0 + 4);
	/* the parent (pid 1) is not part of the alerting process's tree */
	event(f, 6, 1, "host", other + 1, 1, NULL, 0, sizeof(struct vgl_hdr), T0 + 5);
	vgl_flight_free(f, NULL);
	assert_string_equal(file_records(path, &info), "E2,E3,E4");
}

static void test_retrigger(void **state)
{
	struct vgl_flight *f = flight(1 << 20, 10 * S, 4 * S);
	char path[512];
	const char *p;

	(void)state;
	ev_simple(f, 1, 100, CTR_A, T0);
	snprintf(path, sizeof(path), "%s", vgl_flight_trigger(f, "R", 2 * S, T0));
	ev_simple(f, 2, 100, CTR_A, T0 + S + S / 2);
	/* the same rule for the same container: the same file, longer */
	p = vgl_flight_trigger(f, "R", 2 * S, T0 + S + S / 2);
	assert_string_equal(p, path);
	/* another rule: a file of its own */
	p = vgl_flight_trigger(f, "Other", 2 * S, T0 + S + S / 2);
	assert_non_null(p);
	assert_string_not_equal(p, path);
	ev_simple(f, 3, 100, CTR_A, T0 + 3 * S);
	/* extended up to max_duration (4 s) after the first alert, not 3 + 5 s */
	assert_string_equal(vgl_flight_trigger(f, "R", 5 * S, T0 + 3 * S), path);
	ev_simple(f, 4, 100, CTR_A, T0 + 4 * S - 1);
	ev_simple(f, 5, 100, CTR_A, T0 + 4 * S);
	assert_int_equal(stats(f).captures, 2);
	vgl_flight_free(f, NULL);
	{
		struct vgl_cap_info info;

		assert_string_equal(file_records(path, &info), "E1,E2,E3,E4");
	}
}

static void test_open_max(void **state)
{
	struct vgl_flight *f = flight(1 << 20, 10 * S, 0);
	char ctr[16];
	int i;

	(void)state;
	for (i = 0; i < VGL_FLIGHT_OPEN_MAX + 1; i++) {
		snprintf(ctr, sizeof(ctr), "c%d", i);
		ev_simple(f, (uint32_t)i, 100 + (uint32_t)i, ctr, T0);
		if (i < VGL_FLIGHT_OPEN_MAX)
			assert_non_null(vgl_flight_trigger(f, "R", S, T0));
		else
			assert_null(vgl_flight_trigger(f, "R", S, T0));
	}
	assert_int_equal(stats(f).captures, VGL_FLIGHT_OPEN_MAX);
	assert_int_equal(stats(f).refused, 1);
	/* once they are over, there is room again */
	ev_simple(f, 99, 100, "c8", T0 + S);
	assert_non_null(vgl_flight_trigger(f, "R", S, T0 + S));
	assert_int_equal(stats(f).captures, VGL_FLIGHT_OPEN_MAX + 1);
	assert_int_equal(stats(f).refused, 1);
	assert_int_equal(stats(f).errors, 0);
	assert_int_equal(stats(f).events_lost, 0);
	vgl_flight_free(f, NULL);
}

static void test_context_dedup(void **state)
{
	static const char *const a1[] = { "Pproc 100", "Ffd 3 /a", NULL };
	static const char *const a2[] = { "Pproc 100", "Gfd 3", NULL };
	static const char *const a3[] = { "Pproc 100", "Ffd 3 /b", NULL };
	struct vgl_flight *f = flight(1 << 20, 10 * S, 0);
	struct vgl_cap_info info;
	char path[512];

	(void)state;
	ev_ctx(f, 1, 100, a1, T0);
	ev_ctx(f, 2, 100, a1, T0 + 1); /* same context: not again */
	snprintf(path, sizeof(path), "%s", vgl_flight_trigger(f, "R", S, T0 + 1));
	ev_ctx(f, 3, 100, a2, T0 + 2); /* fd 3 closed */
	ev_ctx(f, 4, 100, a1, T0 + 3); /* after a *_GONE, everything again */
	ev_ctx(f, 5, 100, a3, T0 + 4);
	ev_ctx(f, 6, 100, a1, T0 + 5); /* fd 3 back on /a: written, the reader holds /b */
	vgl_flight_free(f, NULL);
	assert_string_equal(file_records(path, &info),
			    "Pproc 100,Ffd 3 /a,E1,E2,Gfd 3,E3,Pproc 100,Ffd 3 /a,E4,"
			    "Ffd 3 /b,E5,Ffd 3 /a,E6");
}

static void test_names_and_options(void **state)
{
	struct vgl_flight_opts o = { .dir = NULL };
	struct vgl_flight *f;
	char err[256], file[300], path[512];
	FILE *fp;

	(void)state;
	assert_null(vgl_flight_new(&o, err, sizeof(err)));
	assert_int_equal(errno, EINVAL);
	assert_string_equal(err, "flight recorder: no directory");
	snprintf(file, sizeof(file), "%s/plain", dir);
	fp = fopen(file, "w");
	assert_non_null(fp);
	fclose(fp);
	o.dir = file;
	assert_null(vgl_flight_new(&o, err, sizeof(err)));
	snprintf(path, sizeof(path), "flight recorder: directory %s: Not a directory", file);
	assert_string_equal(err, path);
	o.dir = dir;
	o.ring_bytes = 100;
	assert_null(vgl_flight_new(&o, err, sizeof(err)));
	assert_string_equal(err, "flight recorder: ring size 100 below 4096 bytes");

	/* a directory that is not there yet; a name that is no path; the same millisecond */
	snprintf(file, sizeof(file), "%s/a/b/", dir);
	o.dir = file;
	o.ring_bytes = 0;
	f = vgl_flight_new(&o, err, sizeof(err));
	assert_non_null(f);
	ev_simple(f, 1, 7, NULL, T0);
	snprintf(path, sizeof(path), "%s", vgl_flight_trigger(f, "../../etc/Passwd ÄRule", 0, T0));
	assert_string_equal(path + strlen(dir),
			    "/a/b/etc-passwd-rule-20231114T221320.000Z-host-7.vgc");
	ev_simple(f, 2, 7, NULL, T0 + 6 * S); /* over: closed */
	assert_string_equal(vgl_flight_trigger(f, "../../etc/Passwd ÄRule", 0, T0) + strlen(dir),
			    "/a/b/etc-passwd-rule-20231114T221320.000Z-host-7-2.vgc");
	vgl_flight_free(f, NULL);
}

/* Through the pipeline: a capture: true rule's alert names the file. */
static void on_alert(void *ctx, const struct vgl_alert *a)
{
	char *json = ctx;

	vgl_alert_line(a, VGL_ALERT_JSON, json, 4096);
}

static void test_pipeline_alert(void **state)
{
	static const char rules[] =
		"- rule: Open in container\n  desc: d\n"
		"  condition: evt.type = openat\n  output: o\n"
		"  priority: NOTICE\n  capture: true\n  capture_duration: 100\n";
	struct vgl_kindset none = { 0 };
	struct vgl_pipeline p;
	struct vgl_event ev;
	struct timespec now;
	struct trec *t = trec_new(VGL_EV_OPENAT);
	char json[4096] = "", want[1024];
	const char *key;
	int err;

	(void)state;
	trec_s64(t, -100);
	trec_str(t, "/etc/shadow");
	trec_str(t, "/etc/shadow");
	trec_u64(t, 0);
	trec_u64(t, 0);
	trec_finish(t);
	assert_int_equal(vgl_decode(t->rec, t->size, &ev, NULL), 0);
	assert_int_equal(vgl_pipeline_init(&p, &none, VGL_FMT_HUMAN, stdout), 0);
	p.on_alert = on_alert;
	p.on_alert_ctx = json;
	p.flight = flight(1 << 20, 10 * S, 0);
	assert_null(vgl_pipeline_set_rules(&p, rules_from(rules), &err));
	/* the capture tap gives the recorder each event before the rules see it */
	clock_gettime(CLOCK_REALTIME, &now);
	vgl_flight_event(p.flight, &ev, t->rec, t->size, NULL, 0, CTR_A, NULL, 0,
			 (uint64_t)now.tv_sec * S + (uint64_t)now.tv_nsec);
	vgl_pipeline_record(&p, t->rec, t->size);
	key = strstr(json, "\"capture_file\":\"");
	assert_non_null(key);
	snprintf(want, sizeof(want), "\"capture_file\":\"%s/open-in-container-", dir);
	assert_memory_equal(key, want, strlen(want));
	assert_non_null(strstr(key, "Z-3f2a9c1b7d4e.vgc\","));
	vgl_flight_free(p.flight, NULL);
	vgl_pipeline_fini(&p);
	free(t);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_ring_bytes),	  cmocka_unit_test(test_ring_wrap),
		cmocka_unit_test(test_ring_age),	  cmocka_unit_test(test_trigger_container),
		cmocka_unit_test(test_host_process_tree), cmocka_unit_test(test_retrigger),
		cmocka_unit_test(test_open_max),	  cmocka_unit_test(test_context_dedup),
		cmocka_unit_test(test_names_and_options), cmocka_unit_test(test_pipeline_alert),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
