// SPDX-License-Identifier: Apache-2.0
/*
 * The context of event lines (docs/events.md, "Context"), exactly, in both
 * formats, from a fake state behind struct vgl_field_state_ops: a process in
 * a pod with three ancestors, one on the host, one the state does not know,
 * exec events and escaping. Limits: test_eventfmt_ctx_limits.c.
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

static void test_in_pod(void **state UNUSED)
{
	struct trec *r = openat_rec();

	r->hdr.loginuid = 1000;
	decode(r);
	add_tree();
	ctr = &pod;
	check_ctx(TREE_HUMAN " user.name=\"root\" user.loginname=\"alice\" "
			     "container.id=\"3ad7b2c1e9f0\" container.name=\"web\" "
			     "container.image=\"nginx:1.25\" k8s.ns.name=\"prod\" "
			     "k8s.pod.name=\"web-7d4b9\"",
		  TREE_JSON ", \"user.name\": \"root\", \"user.loginname\": \"alice\", "
			    "\"container.id\": \"3ad7b2c1e9f0\", \"container.name\": \"web\", "
			    "\"container.image\": \"nginx:1.25\", \"k8s.ns.name\": \"prod\", "
			    "\"k8s.pod.name\": \"web-7d4b9\"}");
	/* the rest of the line is as without context */
	assert_non_null(strstr(line, "\"mode\": 0}, \"proc.exepath\""));
	vgl_fmt_human(&ev, &opts, line, sizeof(line));
	assert_non_null(strstr(line, "flags=O_RDONLY mode=0 proc.exepath="));
}

static void test_on_host(void **state UNUSED)
{
	decode(openat_rec());
	add_tree();
	ctr = &host;
	check_ctx(TREE_HUMAN " user.name=\"root\" user.loginname=<NA> container.id=\"host\" "
			     "container.name=\"host\" container.image=<NA> k8s.ns.name=<NA> "
			     "k8s.pod.name=<NA>",
		  TREE_JSON ", \"user.name\": \"root\", \"user.loginname\": null, "
			    "\"container.id\": \"host\", \"container.name\": \"host\", "
			    "\"container.image\": null, \"k8s.ns.name\": null, "
			    "\"k8s.pod.name\": null}");
}

#define UNKNOWN_USER_CTR                                                             \
	" user.name=<NA> user.loginname=<NA> container.id=<NA> container.name=<NA> " \
	"container.image=<NA> k8s.ns.name=<NA> k8s.pod.name=<NA>"
#define UNKNOWN_USER_CTR_JSON                                                          \
	", \"user.name\": null, \"user.loginname\": null, \"container.id\": null, "    \
	"\"container.name\": null, \"container.image\": null, \"k8s.ns.name\": null, " \
	"\"k8s.pod.name\": null}"

/* Nothing known: the parent's pid (from the header) and nulls. */
static void test_unknown_process(void **state UNUSED)
{
	struct trec *r = openat_rec();

	r->hdr.euid = 4321;
	decode(r);
	check_ctx(" proc.exepath=<NA> proc.cmdline=<NA> proc.ancestors=<NA>[1000]" UNKNOWN_USER_CTR,
		  ", \"proc.exepath\": null, \"proc.cmdline\": null, \"proc.pname\": null, "
		  "\"proc.ancestors\": [{\"pid\": 1000, \"name\": null}]" UNKNOWN_USER_CTR_JSON);
	/* state ops without any callback: the same */
	opts.sops = &(const struct vgl_field_state_ops){ 0 };
	check_ctx(" proc.exepath=<NA> proc.cmdline=<NA> proc.ancestors=<NA>[1000]" UNKNOWN_USER_CTR,
		  ", \"proc.exepath\": null, \"proc.cmdline\": null, \"proc.pname\": null, "
		  "\"proc.ancestors\": [{\"pid\": 1000, \"name\": null}]" UNKNOWN_USER_CTR_JSON);
	/* no ops: no context at all, the line of before */
	opts.sops = NULL;
	vgl_fmt_json(&ev, &opts, line, sizeof(line));
	assert_non_null(strstr(line, "\"mode\": 0}}"));
	assert_null(strstr(line, "proc."));
	vgl_fmt_human(&ev, &opts, line, sizeof(line));
	assert_null(strstr(line, "proc."));
}

/* A process without a parent (init): no ancestors. */
static void test_no_parent(void **state UNUSED)
{
	struct trec *r = openat_rec();

	r->hdr.ppid = 0;
	r->hdr.euid = 4321; /* no name */
	decode(r);
	add_proc(TREC_PID, 0, "cat", "/usr/bin/cat", NULL, 0);
	check_ctx(" proc.exepath=\"/usr/bin/cat\" proc.cmdline=\"cat\" "
		  "proc.ancestors=<NA>" UNKNOWN_USER_CTR,
		  ", \"proc.exepath\": \"/usr/bin/cat\", \"proc.cmdline\": \"cat\", "
		  "\"proc.pname\": null, \"proc.ancestors\": []" UNKNOWN_USER_CTR_JSON);
}

static struct trec *execve_rec(int64_t res, const char *const *argv)
{
	struct trec *r = trec_new(VGL_EV_EXECVE);

	r->hdr.res = res;
	r->hdr.euid = 4321; /* no name */
	memcpy(r->hdr.comm, "ls", 3);
	trec_str(r, "/bin/ls");
	trec_argv(r, argv);
	trec_str(r, "/usr/bin/ls");
	trec_str(r, "/");
	return r;
}

#define LS_ARGV                         \
	(const char *const[])           \
	{                               \
		"ls", "-l", "a b", NULL \
	}

/* A successful exec: the image its record names, known to the state or not. */
static void test_exec(void **state UNUSED)
{
	struct trec *r;

	decode(execve_rec(0, LS_ARGV));
	add_proc(TREC_PPID, 0, "bash", "/usr/bin/bash", NULL, 0);
	check_ctx(" proc.exepath=\"/usr/bin/ls\" proc.cmdline=\"ls -l a b\" "
		  "proc.ancestors=bash[1000]" UNKNOWN_USER_CTR,
		  ", \"proc.exepath\": \"/usr/bin/ls\", \"proc.cmdline\": \"ls -l a b\", "
		  "\"proc.pname\": \"bash\", \"proc.ancestors\": [{\"pid\": 1000, \"name\": "
		  "\"bash\"}]" UNKNOWN_USER_CTR_JSON);
	add_proc(TREC_PID, TREC_PPID, "cat", "/usr/bin/cat", "/etc/passwd", 11);
	assert_non_null(strstr(ctx_of(VGL_FMT_JSON), "\"proc.cmdline\": \"ls -l a b\""));
	assert_non_null(strstr(line, "\"proc.exepath\": \"/usr/bin/ls\""));

	/* failed: the process is still what it was */
	r = execve_rec(-ENOENT, LS_ARGV);
	memcpy(r->hdr.comm, "cat", 4);
	decode(r);
	assert_non_null(strstr(ctx_of(VGL_FMT_HUMAN), " proc.exepath=\"/usr/bin/cat\" "
						      "proc.cmdline=\"cat /etc/passwd\" "));

	/* argv unreadable: the state's; nothing known: unknown */
	r = trec_new(VGL_EV_EXECVE);
	trec_str(r, "/bin/ls");
	trec_absent(r);
	trec_str(r, "/usr/bin/ls");
	trec_absent(r);
	decode(r);
	assert_non_null(strstr(ctx_of(VGL_FMT_HUMAN), " proc.exepath=\"/usr/bin/ls\" "
						      "proc.cmdline=\"cat /etc/passwd\" "));
	nprocs = 1; /* only bash */
	assert_non_null(strstr(ctx_of(VGL_FMT_JSON), ", \"proc.exepath\": \"/usr/bin/ls\", "
						     "\"proc.cmdline\": null, "));
	/* an empty argv: the name alone */
	decode(execve_rec(0, (const char *const[]){ NULL }));
	assert_non_null(strstr(ctx_of(VGL_FMT_JSON), "\"proc.cmdline\": \"ls\", "));
}

/* Values are escaped as parameters are: control bytes, invalid UTF-8. */
static void test_escaping(void **state UNUSED)
{
	static struct vgl_container_view c = { .id = "x", .name = "we\x1b[31mb", .image = "i\"" };

	decode(openat_rec());
	add_proc(TREC_PID, TREC_PPID, "cat", "/tmp/a\"b\n\xff", "x\ty\0\0\xc3\xa9\0\0", 9);
	add_proc(TREC_PPID, 0, "b\"sh\x7f", NULL, NULL, 0);
	ctr = &c;
	check_ctx(
		" proc.exepath=\"/tmp/a\\\"b\\n\\xff\" proc.cmdline=\"cat x\\ty  \xc3\xa9\" "
		"proc.ancestors=b\\\"sh\\x7f[1000] user.name=\"root\" user.loginname=<NA> "
		"container.id=\"x\" container.name=\"we\\x1b[31mb\" container.image=\"i\\\"\" "
		"k8s.ns.name=<NA> k8s.pod.name=<NA>",
		", \"proc.exepath\": \"/tmp/a\\\"b\\n\xef\xbf\xbd\", \"proc.cmdline\": "
		"\"cat x\\ty  \xc3\xa9\", \"proc.pname\": \"b\\\"sh\\u007f\", \"proc.ancestors\": "
		"[{\"pid\": 1000, \"name\": \"b\\\"sh\\u007f\"}], \"user.name\": \"root\", "
		"\"user.loginname\": null, \"container.id\": \"x\", \"container.name\": "
		"\"we\\u001b[31mb\", \"container.image\": \"i\\\"\", \"k8s.ns.name\": null, "
		"\"k8s.pod.name\": null}");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(test_in_pod, reset),
		cmocka_unit_test_setup(test_on_host, reset),
		cmocka_unit_test_setup(test_unknown_process, reset),
		cmocka_unit_test_setup(test_no_parent, reset),
		cmocka_unit_test_setup(test_exec, reset),
		cmocka_unit_test_setup(test_escaping, reset),
	};

	return cmocka_run_group_tests(tests, NULL, free_record);
}
