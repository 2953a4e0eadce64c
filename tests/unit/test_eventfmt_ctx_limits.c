// SPDX-License-Identifier: Apache-2.0
/*
 * The limits of the context of event lines (docs/events.md, "Context"): long
 * values cut between characters and flagged, the ancestor walk bounded, the
 * costliest context within VGL_FMT_BUF_MAX, small buffers never overrun.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>

#include <cmocka.h>

#include "test_eventfmt_ctx_util.h"

static char *repeat(const char *unit, size_t n)
{
	size_t l = strlen(unit);
	char *s = malloc(n * l + 1);

	assert_non_null(s);
	for (size_t i = 0; i < n; i++)
		memcpy(s + i * l, unit, l);
	s[n * l] = '\0';
	return s;
}

/* A JSON string member of the line, parsed back. */
static char *json_member(const char *key)
{
	json_t *o = json_loads(line, 0, NULL);
	char *v;

	assert_non_null(o);
	v = strdup(json_string_value(json_object_get(o, key)));
	json_decref(o);
	return v;
}

/* Long values are cut at their limit, between characters, and say so. */
static void test_cut(void **state UNUSED)
{
	char *euro = repeat("\xe2\x82\xac", 2000), *args = malloc(6003), *path = repeat("p", 5000);
	char *name = repeat("n", 100), *image = repeat("i", 1100), *v;
	struct vgl_container_view c = { .id = "x", .image = image };

	/* "cat x " then 1363 whole euro signs: 4095 of the 4096 bytes */
	memcpy(args, "x\0", 2);
	memcpy(args + 2, euro, 6001);
	decode(openat_rec());
	add_proc(TREC_PID, TREC_PPID, "cat", "/usr/bin/cat", NULL, 0);
	add_proc(TREC_PPID, 0, name, NULL, NULL, 0);
	procs[1].name = "sh";
	ctx_of(VGL_FMT_JSON);
	assert_null(strstr(line, "context_truncated")); /* nothing long yet */
	procs[1].name = name;
	ctr = &c;
	procs[0].args = args;
	procs[0].args_len = 5000;
	procs[0].exepath = path;
	ctx_of(VGL_FMT_JSON);
	v = json_member("proc.cmdline");
	assert_int_equal(strlen(v), 4095);
	assert_memory_equal(v, "cat x \xe2\x82\xac", 9);
	assert_memory_equal(v + 4092, "\xe2\x82\xac", 3);
	free(v);
	v = json_member("proc.exepath");
	assert_int_equal(strlen(v), VGL_FMT_EXEPATH_MAX);
	free(v);
	v = json_member("container.image");
	assert_int_equal(strlen(v), VGL_FMT_CTX_STR_MAX);
	free(v);
	v = json_member("proc.pname");
	assert_int_equal(strlen(v), VGL_FMT_ANAME_MAX);
	free(v);
	assert_non_null(strstr(line, "\"k8s.pod.name\": null, \"context_truncated\": true}"));
	/* human: "..." after each cut value */
	ctx_of(VGL_FMT_HUMAN);
	assert_non_null(strstr(line, "\xe2\x82\xac\"... proc.ancestors="));
	assert_non_null(strstr(line, "ppp\"... proc.cmdline="));
	assert_non_null(strstr(line, "nnn...[1000] user.name="));
	assert_non_null(strstr(line, "iii\"... k8s.ns.name="));
	free(euro);
	free(args);
	free(path);
	free(name);
	free(image);
}

/* At most VGL_FMT_ANCESTORS_MAX ancestors, however long or looped the chain. */
static void test_ancestor_bounds(void **state UNUSED)
{
	json_t *o;

	decode(openat_rec());
	for (uint32_t pid = TREC_PPID; pid < TREC_PPID + 12; pid++)
		add_proc(pid, pid + 1, "p", NULL, NULL, 0);
	ctx_of(VGL_FMT_JSON);
	o = json_loads(line, 0, NULL);
	assert_int_equal(json_array_size(json_object_get(o, "proc.ancestors")),
			 VGL_FMT_ANCESTORS_MAX);
	assert_int_equal(json_integer_value(json_object_get(
				 json_array_get(json_object_get(o, "proc.ancestors"), 7), "pid")),
			 TREC_PPID + 7);
	json_decref(o);
	assert_non_null(strstr(ctx_of(VGL_FMT_HUMAN),
			       " proc.ancestors=p[1000],p[1001],p[1002],p[1003],p[1004],p[1005],"
			       "p[1006],p[1007] user.name="));
	/* a loop, and a process its own parent */
	nprocs = 0;
	add_proc(TREC_PPID, 900, "a", NULL, NULL, 0);
	add_proc(900, TREC_PPID, "b", NULL, NULL, 0);
	lookups = 0;
	assert_non_null(strstr(ctx_of(VGL_FMT_HUMAN), " proc.ancestors=a[1000],b[900],a[1000],"
						      "b[900],a[1000],b[900],a[1000],b[900] "));
	assert_true(lookups <= VGL_FMT_ANCESTORS_MAX + 2);
	procs[1].ppid = 900;
	assert_non_null(strstr(ctx_of(VGL_FMT_HUMAN), " proc.ancestors=a[1000],b[900] "));
}

/* The costliest context (every byte 6 in JSON) on the largest records fits. */
static void test_worst_case(void **state UNUSED)
{
	size_t room = VGL_EVENT_MAX - sizeof(struct vgl_hdr) - 2 * 2 - 8;
	char *big = malloc(2 * VGL_FMT_CMDLINE_MAX + 1), *nul = calloc(1, room);
	struct vgl_container_view c;
	struct trec *r;

	memset(big, 0x01, 2 * VGL_FMT_CMDLINE_MAX);
	big[2 * VGL_FMT_CMDLINE_MAX] = '\0';
	c = (struct vgl_container_view){
		.id = big, .name = big, .image = big, .k8s_ns_name = big, .k8s_pod_name = big
	};
	ctr = &c;
	for (uint32_t pid = TREC_PID; pid < TREC_PID + 10; pid++)
		add_proc(pid, pid == TREC_PID ? TREC_PPID : pid + 1, big, big, big,
			 2 * VGL_FMT_CMDLINE_MAX);
	procs[1].pid = TREC_PPID;
	user_names = big;
	r = trec_new(VGL_EV_INIT_MODULE);
	r->hdr.loginuid = 1000;
	memset(r->hdr.comm, 0x02, sizeof(r->hdr.comm));
	memset(nul, 0x01, room - 1);
	trec_u64(r, INT64_MAX);
	trec_str(r, nul);
	decode(r);
	assert_int_equal(r->size, VGL_EVENT_MAX);
	for (int style = VGL_FMT_HUMAN; style <= VGL_FMT_JSON; style++) {
		int n = vgl_fmt_event(&ev, (enum vgl_fmt_style)style, &opts, line, sizeof(line));

		assert_in_range(n, 1, VGL_FMT_BUF_MAX - 1);
		assert_non_null(strstr(line, style == VGL_FMT_JSON ? "\"context_truncated\": true}"
								   : " k8s.pod.name=\""));
	}
	free(big);
	free(nul);
}

/* Every buffer size below the line's gives -ENOSPC and stays in bounds. */
static void check_small_buffers(enum vgl_fmt_style style)
{
	int len = vgl_fmt_event(&ev, style, &opts, line, sizeof(line));
	char *full = strdup(line);

	assert_true(len > 0);
	for (int size = 0; size <= len + 1; size++) {
		char *buf = malloc((size_t)size + 16);
		int n;

		memset(buf, 0x5a, (size_t)size + 16);
		n = vgl_fmt_event(&ev, style, &opts, buf, (size_t)size);
		for (int i = size; i < size + 16; i++)
			assert_int_equal((uint8_t)buf[i], 0x5a);
		if (size <= len) {
			assert_int_equal(n, -ENOSPC);
			if (size)
				assert_true(strlen(buf) < (size_t)size);
		} else {
			assert_int_equal(n, len);
			assert_string_equal(buf, full);
		}
		free(buf);
	}
	free(full);
}

static void test_small_buffer(void **state UNUSED)
{
	decode(openat_rec());
	add_tree();
	ctr = &pod;
	check_small_buffers(VGL_FMT_HUMAN);
	check_small_buffers(VGL_FMT_JSON);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(test_cut, reset),
		cmocka_unit_test_setup(test_ancestor_bounds, reset),
		cmocka_unit_test_setup(test_worst_case, reset),
		cmocka_unit_test_setup(test_small_buffer, reset),
	};

	return cmocka_run_group_tests(tests, NULL, free_record);
}
