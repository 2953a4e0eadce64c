// SPDX-License-Identifier: Apache-2.0
/*
 * Event lines exactly as docs/events.md specifies them, human and JSON; every
 * JSON line is parsed back with jansson and checked against the documented
 * field names and types.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <sched.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <time.h>

#include <cmocka.h>

#include "decode/event.h"
#include "output/eventfmt.h"
#include "test_record.h"

#define UNUSED __attribute__((unused))

/* hdr.ts = TREC_TS is 2026-11-22T08:10:00.123456789Z */
#define WALL_NS 1795335000123456789LL
static const struct vgl_fmt_opts opts = { .boot_to_realtime_ns = WALL_NS - (int64_t)TREC_TS };

#define IDS                                                                                   \
	"\"pid\": 1234, \"tid\": 1234, \"ppid\": 1000, \"uid\": 0, \"gid\": 0, \"euid\": 0, " \
	"\"egid\": 0, \"loginuid\": -1, \"comm\": \"cat\", \"cgroup_id\": 4242, "             \
	"\"mntns\": 4026531841, \"pidns\": 4026531836"
#define JSON_HEAD(type)                                                                        \
	"{\"time\": \"2026-11-22T08:10:00.123456789Z\", \"ts\": 5000000000, \"type\": \"" type \
	"\", " IDS
#define HUMAN_HEAD(type) "08:10:00.123456789 " type " cat[1234/1234] ppid=1000 uid=0 "

static struct vgl_event ev;
static char line[VGL_FMT_BUF_MAX];

static void check_arg(json_t *v, const struct vgl_param *prm)
{
	if (prm->absent) {
		assert_true(json_is_null(v));
		return;
	}
	switch (prm->info->type) {
	case VGL_PT_S64:
	case VGL_PT_U64:
	case VGL_PT_FD:
	case VGL_PT_PID:
	case VGL_PT_UID:
	case VGL_PT_MODE:
		assert_true(json_is_integer(v));
		break;
	case VGL_PT_ARGV:
		assert_true(json_is_array(v));
		for (size_t i = 0; i < json_array_size(v); i++)
			assert_true(json_is_string(json_array_get(v, i)));
		break;
	case VGL_PT_SOCKADDR:
		assert_true(json_is_object(v));
		assert_true(json_is_string(json_object_get(v, "family")));
		if (prm->sa.family == AF_INET || prm->sa.family == AF_INET6) {
			assert_true(json_is_string(json_object_get(v, "ip")));
			assert_true(json_is_integer(json_object_get(v, "port")));
		} else if (prm->sa.family == AF_UNIX) {
			assert_true(json_is_string(json_object_get(v, "path")));
		}
		break;
	default: /* strings, paths, flag sets, enumerations */
		assert_true(json_is_string(v));
		break;
	}
}

static void check_json_schema(const char *text, const struct vgl_event *e)
{
	static const char *const ints[] = { "ts",    "pid",   "tid",  "ppid",	  "uid",
					    "gid",   "euid",  "egid", "loginuid", "cgroup_id",
					    "mntns", "pidns", "res" };
	json_error_t jerr;
	json_t *o = json_loads(text, JSON_REJECT_DUPLICATES | JSON_ALLOW_NUL, &jerr);
	json_t *args;

	if (!o)
		fail_msg("invalid JSON (%s): %s", jerr.text, text);
	assert_true(json_is_object(o));
	for (size_t i = 0; i < sizeof(ints) / sizeof(ints[0]); i++) {
		if (!json_is_integer(json_object_get(o, ints[i])))
			fail_msg("%s is not an integer: %s", ints[i], text);
	}
	assert_true(json_is_string(json_object_get(o, "time")));
	assert_int_equal(strlen(json_string_value(json_object_get(o, "time"))), 30);
	assert_string_equal(json_string_value(json_object_get(o, "type")), e->info->name);
	assert_true(json_is_string(json_object_get(o, "comm")));
	if (e->hdr.res < 0 && e->hdr.res >= -4095)
		assert_true(json_is_string(json_object_get(o, "error")));
	else
		assert_null(json_object_get(o, "error"));
	assert_true(!json_object_get(o, "truncated") ||
		    json_is_true(json_object_get(o, "truncated")));
	assert_true(!json_object_get(o, "user_args") ||
		    json_is_true(json_object_get(o, "user_args")));
	args = json_object_get(o, "args");
	assert_true(json_is_object(args));
	assert_int_equal(json_object_size(args), e->nparams);
	for (unsigned int i = 0; i < e->nparams; i++)
		check_arg(json_object_get(args, e->params[i].info->name), &e->params[i]);
	json_decref(o);
}

static struct trec *cur; /* the record ev points into */

/* Decode @r into ev; @r is freed with the next decode. */
static void decode(struct trec *r)
{
	size_t size = trec_finish(r);

	free(cur);
	cur = r;
	assert_int_equal(vgl_decode(r->rec, size, &ev, NULL), 0);
}

static int free_record(void **state UNUSED)
{
	free(cur);
	cur = NULL;
	return 0;
}

static const char *json_line(void)
{
	int n = vgl_fmt_json(&ev, &opts, line, sizeof(line));

	assert_int_equal(n, strlen(line));
	check_json_schema(line, &ev);
	return line;
}

static const char *human_line(void)
{
	int n = vgl_fmt_human(&ev, &opts, line, sizeof(line));

	assert_int_equal(n, strlen(line));
	assert_null(strchr(line, '\n'));
	return line;
}

/* Decode @r and compare both lines. */
static void check_lines(struct trec *r, const char *human, const char *json)
{
	decode(r);
	assert_string_equal(human_line(), human);
	assert_string_equal(json_line(), json);
}

static struct trec *openat_rec(int64_t res, const char *name, const char *path, uint64_t flags)
{
	struct trec *r = trec_new(VGL_EV_OPENAT);

	r->hdr.res = res;
	trec_s64(r, AT_FDCWD);
	trec_str(r, name);
	trec_str(r, path);
	trec_u64(r, flags);
	trec_u64(r, 0);
	return r;
}

static void test_openat(void **state UNUSED)
{
	check_lines(openat_rec(3, "/etc/passwd", "/etc/passwd", O_RDONLY | O_CLOEXEC),
		    HUMAN_HEAD("openat") "res=3 dirfd=-100 name=\"/etc/passwd\" "
					 "path=\"/etc/passwd\" flags=O_RDONLY|O_CLOEXEC mode=0",
		    JSON_HEAD("openat") ", \"res\": 3, \"args\": {\"dirfd\": -100, "
					"\"name\": \"/etc/passwd\", \"path\": \"/etc/passwd\", "
					"\"flags\": \"O_RDONLY|O_CLOEXEC\", \"mode\": 0}}");
}

static void test_openat_enoent(void **state UNUSED)
{
	struct trec *r = openat_rec(-ENOENT, "nope", "/root/nope", O_RDONLY);

	r->hdr.ts += 543211; /* docs/events.md: 08:10:00.124000000 */
	decode(r);
	assert_string_equal(
		human_line(),
		"08:10:00.124000000 openat cat[1234/1234] ppid=1000 uid=0 res=-2(ENOENT) "
		"dirfd=-100 name=\"nope\" path=\"/root/nope\" flags=O_RDONLY mode=0");
	assert_string_equal(json_line(),
			    "{\"time\": \"2026-11-22T08:10:00.124000000Z\", \"ts\": 5000543211, "
			    "\"type\": \"openat\", " IDS ", \"res\": -2, \"error\": \"ENOENT\", "
			    "\"args\": {\"dirfd\": -100, \"name\": \"nope\", \"path\": "
			    "\"/root/nope\", \"flags\": \"O_RDONLY\", \"mode\": 0}}");
}

static void test_open_flags_in_line(void **state UNUSED)
{
	struct trec *r = openat_rec(4, "f", "/f", O_WRONLY | O_CREAT | O_TRUNC);

	r->data[r->dlen - 8] = 0xa4; /* mode 0644 */
	r->data[r->dlen - 7] = 0x01;
	check_lines(r,
		    HUMAN_HEAD("openat") "res=4 dirfd=-100 name=\"f\" path=\"/f\" "
					 "flags=O_WRONLY|O_CREAT|O_TRUNC mode=0644",
		    JSON_HEAD("openat") ", \"res\": 4, \"args\": {\"dirfd\": -100, \"name\": "
					"\"f\", \"path\": \"/f\", \"flags\": "
					"\"O_WRONLY|O_CREAT|O_TRUNC\", \"mode\": 420}}");
	check_lines(openat_rec(5, ".", "/tmp", O_RDWR | O_TMPFILE | (1ULL << 40)),
		    HUMAN_HEAD("openat") "res=5 dirfd=-100 name=\".\" path=\"/tmp\" "
					 "flags=O_RDWR|O_TMPFILE|0x10000000000 mode=0",
		    JSON_HEAD("openat") ", \"res\": 5, \"args\": {\"dirfd\": -100, \"name\": "
					"\".\", \"path\": \"/tmp\", \"flags\": "
					"\"O_RDWR|O_TMPFILE|0x10000000000\", \"mode\": 0}}");
}

static void test_execve(void **state UNUSED)
{
	static const char *const argv[] = { "ls", "-l", "a b", NULL };
	struct trec *r = trec_new(VGL_EV_EXECVE);

	r->hdr.flags = VGL_EVF_TRUNCATED;
	trec_str(r, "/bin/ls");
	trec_argv(r, argv);
	trec_str(r, "/usr/bin/ls");
	trec_absent(r);
	check_lines(
		r,
		HUMAN_HEAD("execve") "res=0 filename=\"/bin/ls\" args=[\"ls\", \"-l\", \"a b\"] "
				     "exe=\"/usr/bin/ls\" cwd=<NA>",
		JSON_HEAD("execve") ", \"res\": 0, \"truncated\": true, \"args\": {\"filename\": "
				    "\"/bin/ls\", \"args\": [\"ls\", \"-l\", \"a b\"], "
				    "\"exe\": \"/usr/bin/ls\", \"cwd\": null}}");
}

static void test_execve_empty_argv(void **state UNUSED)
{
	static const char *const none[] = { NULL };
	static const char *const empty[] = { "", NULL };
	struct trec *r = trec_new(VGL_EV_EXECVE);

	trec_str(r, "/x");
	trec_argv(r, none);
	trec_str(r, "/x");
	trec_str(r, "/");
	check_lines(
		r, HUMAN_HEAD("execve") "res=0 filename=\"/x\" args=[] exe=\"/x\" cwd=\"/\"",
		JSON_HEAD("execve") ", \"res\": 0, \"args\": {\"filename\": \"/x\", \"args\": [], "
				    "\"exe\": \"/x\", \"cwd\": \"/\"}}");
	r = trec_new(VGL_EV_EXECVE);
	trec_str(r, "/x");
	trec_argv(r, empty);
	trec_str(r, "/x");
	trec_str(r, "/");
	check_lines(r,
		    HUMAN_HEAD("execve") "res=0 filename=\"/x\" args=[\"\"] exe=\"/x\" cwd=\"/\"",
		    JSON_HEAD("execve") ", \"res\": 0, \"args\": {\"filename\": \"/x\", \"args\": "
					"[\"\"], \"exe\": \"/x\", \"cwd\": \"/\"}}");
}

static struct trec *connect_rec(int64_t res)
{
	struct trec *r = trec_new(VGL_EV_CONNECT);

	r->hdr.res = res;
	trec_s64(r, 3);
	return r;
}

static void test_connect_inet(void **state UNUSED)
{
	struct trec *r = connect_rec(0);

	trec_sa4(r, "127.0.0.1", 80);
	trec_sa4(r, "10.1.2.255", 54321);
	check_lines(
		r, HUMAN_HEAD("connect") "res=0 fd=3 addr=127.0.0.1:80 laddr=10.1.2.255:54321",
		JSON_HEAD("connect") ", \"res\": 0, \"args\": {\"fd\": 3, \"addr\": {\"family\": "
				     "\"AF_INET\", \"ip\": \"127.0.0.1\", \"port\": 80}, "
				     "\"laddr\": {\"family\": \"AF_INET\", \"ip\": "
				     "\"10.1.2.255\", \"port\": 54321}}}");
	r = connect_rec(-ECONNREFUSED);
	r->hdr.flags = VGL_EVF_USER_ARGS;
	trec_sa6(r, "::1", 80);
	trec_absent(r);
	check_lines(
		r, HUMAN_HEAD("connect") "res=-111(ECONNREFUSED) fd=3 addr=[::1]:80 laddr=<NA>",
		JSON_HEAD("connect") ", \"res\": -111, \"error\": \"ECONNREFUSED\", "
				     "\"user_args\": true, \"args\": {\"fd\": 3, \"addr\": "
				     "{\"family\": \"AF_INET6\", \"ip\": \"::1\", \"port\": 80}, "
				     "\"laddr\": null}}");
}

static void test_connect_unix(void **state UNUSED)
{
	struct trec *r = connect_rec(0);

	trec_unix(r, "/run/x.sock", 11);
	trec_unix(r, "\0name", 5);
	check_lines(
		r, HUMAN_HEAD("connect") "res=0 fd=3 addr=unix:/run/x.sock laddr=unix:@name",
		JSON_HEAD("connect") ", \"res\": 0, \"args\": {\"fd\": 3, \"addr\": {\"family\": "
				     "\"AF_UNIX\", \"path\": \"/run/x.sock\"}, \"laddr\": "
				     "{\"family\": \"AF_UNIX\", \"path\": \"@name\"}}}");
	r = connect_rec(0);
	trec_sa(r, AF_NETLINK, 0, NULL, 0);
	trec_sa(r, 77, 0, NULL, 0);
	check_lines(
		r, HUMAN_HEAD("connect") "res=0 fd=3 addr=AF_NETLINK laddr=77",
		JSON_HEAD("connect") ", \"res\": 0, \"args\": {\"fd\": 3, \"addr\": {\"family\": "
				     "\"AF_NETLINK\"}, \"laddr\": {\"family\": \"77\"}}}");
}

static void test_setresuid(void **state UNUSED)
{
	struct trec *r = trec_new(VGL_EV_SETRESUID);

	trec_u64(r, UINT32_MAX); /* (uid_t)-1: unchanged */
	trec_u64(r, 1000);
	trec_u64(r, UINT64_MAX);
	trec_u64(r, 0);
	trec_u64(r, 0);
	trec_u64(r, 0);
	check_lines(r,
		    HUMAN_HEAD("setresuid") "res=0 ruid=-1 euid=1000 suid=-1 old_uid=0 old_euid=0 "
					    "old_suid=0",
		    JSON_HEAD("setresuid") ", \"res\": 0, \"args\": {\"ruid\": -1, \"euid\": 1000, "
					   "\"suid\": -1, \"old_uid\": 0, \"old_euid\": 0, "
					   "\"old_suid\": 0}}");
}

static void test_clone_and_caps(void **state UNUSED)
{
	struct trec *r = trec_new(VGL_EV_CLONE);

	r->hdr.res = 4321;
	trec_s64(r, 4321);
	trec_s64(r, 4321);
	trec_u64(r, CLONE_CHILD_CLEARTID | CLONE_CHILD_SETTID | SIGCHLD);
	check_lines(r,
		    HUMAN_HEAD("clone") "res=4321 child_pid=4321 child_tid=4321 "
					"flags=CLONE_CHILD_CLEARTID|CLONE_CHILD_SETTID|SIGCHLD",
		    JSON_HEAD("clone") ", \"res\": 4321, \"args\": {\"child_pid\": 4321, "
				       "\"child_tid\": 4321, \"flags\": "
				       "\"CLONE_CHILD_CLEARTID|CLONE_CHILD_SETTID|SIGCHLD\"}}");
	r = trec_new(VGL_EV_CAPSET);
	trec_u64(r, (1ULL << 21) | (1ULL << 13) | 1);
	trec_u64(r, 0);
	trec_u64(r, 1ULL << 63);
	trec_absent(r);
	trec_u64(r, 1ULL << 40);
	trec_u64(r, (1ULL << 39) | (1ULL << 41));
	check_lines(
		r,
		HUMAN_HEAD(
			"capset") "res=0 cap_effective=CAP_CHOWN|CAP_NET_RAW|CAP_SYS_ADMIN "
				  "cap_permitted=0 cap_inheritable=0x8000000000000000 "
				  "old_cap_effective=<NA> old_cap_permitted=CAP_CHECKPOINT_RESTORE "
				  "old_cap_inheritable=CAP_BPF|0x20000000000",
		JSON_HEAD("capset") ", \"res\": 0, \"args\": {\"cap_effective\": "
				    "\"CAP_CHOWN|CAP_NET_RAW|CAP_SYS_ADMIN\", \"cap_permitted\": "
				    "\"0\", \"cap_inheritable\": \"0x8000000000000000\", "
				    "\"old_cap_effective\": null, \"old_cap_permitted\": "
				    "\"CAP_CHECKPOINT_RESTORE\", \"old_cap_inheritable\": "
				    "\"CAP_BPF|0x20000000000\"}}");
}

static void test_enumerations(void **state UNUSED)
{
	struct trec *r = trec_new(VGL_EV_SOCKET);

	r->hdr.res = 5;
	trec_u64(r, AF_PACKET);
	trec_u64(r, SOCK_RAW | SOCK_CLOEXEC);
	trec_s64(r, 768);
	check_lines(
		r,
		HUMAN_HEAD("socket") "res=5 domain=AF_PACKET type=SOCK_RAW|SOCK_CLOEXEC proto=768",
		JSON_HEAD("socket") ", \"res\": 5, \"args\": {\"domain\": \"AF_PACKET\", \"type\": "
				    "\"SOCK_RAW|SOCK_CLOEXEC\", \"proto\": 768}}");
	r = trec_new(VGL_EV_PTRACE);
	r->hdr.res = -EPERM;
	trec_u64(r, 16); /* PTRACE_ATTACH */
	trec_s64(r, 1);
	check_lines(r, HUMAN_HEAD("ptrace") "res=-1(EPERM) request=PTRACE_ATTACH pid=1",
		    JSON_HEAD("ptrace") ", \"res\": -1, \"error\": \"EPERM\", \"args\": "
					"{\"request\": \"PTRACE_ATTACH\", \"pid\": 1}}");
	r = trec_new(VGL_EV_PROCEXIT);
	trec_s64(r, 9);
	trec_s64(r, 0);
	trec_u64(r, 9);
	trec_u64(r, 0);
	check_lines(r, HUMAN_HEAD("procexit") "res=0 status=9 ret=0 sig=SIGKILL core=0",
		    JSON_HEAD("procexit") ", \"res\": 0, \"args\": {\"status\": 9, \"ret\": 0, "
					  "\"sig\": \"SIGKILL\", \"core\": 0}}");
	r = trec_new(VGL_EV_BPF);
	r->hdr.res = -600; /* no name: number only */
	trec_u64(r, 999);
	check_lines(r, HUMAN_HEAD("bpf") "res=-600 cmd=999",
		    JSON_HEAD("bpf") ", \"res\": -600, \"error\": \"600\", \"args\": {\"cmd\": "
				     "\"999\"}}");
	r = trec_new(VGL_EV_BPF);
	r->hdr.res = -5000; /* not an errno */
	trec_u64(r, 5);
	check_lines(r, HUMAN_HEAD("bpf") "res=-5000 cmd=BPF_PROG_LOAD",
		    JSON_HEAD("bpf") ", \"res\": -5000, \"args\": {\"cmd\": \"BPF_PROG_LOAD\"}}");
}

/* A path with every kind of byte that needs care. */
#define NASTY                                      \
	"a\"b\\c\nd\x01\x7f"                       \
	"\xff"		   /* invalid byte */      \
	"\xc3\xa9"	   /* U+00E9 */            \
	"\xc2\x9b"	   /* C1 control U+009B */ \
	"\xf0\x9f\x98\x80" /* U+1F600 */           \
	"\xc0\xaf"	   /* overlong '/' */      \
	"\xed\xa0\x80"	   /* surrogate */         \
	"\xe2\x82"	   /* cut sequence */
#define FFFD "\xef\xbf\xbd"
#define NASTY_JSON                                      \
	"a\\\"b\\\\c\\nd\\u0001\\u007f" FFFD "\xc3\xa9" \
	"\\u009b\xf0\x9f\x98\x80" FFFD FFFD FFFD FFFD FFFD FFFD FFFD
#define NASTY_HUMAN                                                        \
	"a\\\"b\\\\c\\nd\\x01\\x7f\\xff\xc3\xa9\\xc2\\x9b\xf0\x9f\x98\x80" \
	"\\xc0\\xaf\\xed\\xa0\\x80\\xe2\\x82"
/* what a JSON parser reads back */
#define NASTY_VALUE               \
	"a\"b\\c\nd\x01\x7f" FFFD \
	"\xc3\xa9\xc2\x9b\xf0\x9f\x98\x80" FFFD FFFD FFFD FFFD FFFD FFFD FFFD

static void test_escaping(void **state UNUSED)
{
	struct trec *r = trec_new(VGL_EV_UNLINK);
	json_t *o, *path;

	memcpy(r->hdr.comm, "a\tb\x1b[31m\xff", 10);
	trec_str(r, NASTY);
	decode(r);
	assert_string_equal(human_line(),
			    "08:10:00.123456789 unlink a\\tb\\x1b[31m\\xff[1234/1234] "
			    "ppid=1000 uid=0 res=0 path=\"" NASTY_HUMAN "\"");
	o = json_loads(json_line(), 0, NULL);
	assert_non_null(o);
	assert_string_equal(json_string_value(json_object_get(o, "comm")), "a\tb\x1b[31m" FFFD);
	path = json_object_get(json_object_get(o, "args"), "path");
	assert_string_equal(json_string_value(path), NASTY_VALUE);
	json_decref(o);
	assert_non_null(strstr(line, "\"path\": \"" NASTY_JSON "\"}}"));
	assert_non_null(strstr(line, "\"comm\": \"a\\tb\\u001b[31m" FFFD "\""));
}

static void test_escaping_unix_and_argv(void **state UNUSED)
{
	static const char *const argv[] = { "sh", "-c", "echo \"$x\"\n", NULL };
	struct trec *r = connect_rec(0);

	trec_unix(r, "\0a\0\n", 4);
	trec_unix(r, "/t\"\\", 4);
	check_lines(
		r, HUMAN_HEAD("connect") "res=0 fd=3 addr=unix:@a\\x00\\n laddr=unix:/t\\\"\\\\",
		JSON_HEAD("connect") ", \"res\": 0, \"args\": {\"fd\": 3, \"addr\": {\"family\": "
				     "\"AF_UNIX\", \"path\": \"@a\\u0000\\n\"}, \"laddr\": "
				     "{\"family\": \"AF_UNIX\", \"path\": \"/t\\\"\\\\\"}}}");
	r = trec_new(VGL_EV_EXECVE);
	trec_str(r, "/bin/sh");
	trec_argv(r, argv);
	trec_str(r, "/bin/dash");
	trec_str(r, "/");
	check_lines(r,
		    HUMAN_HEAD("execve") "res=0 filename=\"/bin/sh\" args=[\"sh\", \"-c\", "
					 "\"echo \\\"$x\\\"\\n\"] exe=\"/bin/dash\" cwd=\"/\"",
		    JSON_HEAD("execve") ", \"res\": 0, \"args\": {\"filename\": \"/bin/sh\", "
					"\"args\": [\"sh\", \"-c\", \"echo \\\"$x\\\"\\n\"], "
					"\"exe\": \"/bin/dash\", \"cwd\": \"/\"}}");
}

/* comm is at most 15 bytes even when the record's has no NUL. */
static void test_comm_limit(void **state UNUSED)
{
	struct trec *r = trec_new(VGL_EV_UNLINK);

	memcpy(r->hdr.comm, "0123456789abcdef", 16);
	trec_str(r, "/x");
	decode(r);
	assert_non_null(strstr(human_line(), " 0123456789abcde[1234/1234] "));
	assert_non_null(strstr(json_line(), "\"comm\": \"0123456789abcde\","));
}

static void check_time(int64_t wall_ns, const char *want)
{
	/* modular, like the formatter: INT64_MIN - TREC_TS wraps */
	struct vgl_fmt_opts o = { .boot_to_realtime_ns = (int64_t)((uint64_t)wall_ns - TREC_TS) };
	char buf[512];

	assert_true(vgl_fmt_json(&ev, &o, buf, sizeof(buf)) > 0);
	assert_memory_equal(buf, "{\"time\": \"", 10);
	assert_memory_equal(buf + 10, want, 30);
}

static void test_time(void **state UNUSED)
{
	struct trec *r = trec_new(VGL_EV_UNLINK);
	int n;

	trec_str(r, "/x");
	decode(r);
	check_time(0, "1970-01-01T00:00:00.000000000Z");
	check_time(-1, "1969-12-31T23:59:59.999999999Z");
	check_time(1709251199999999999LL, "2024-02-29T23:59:59.999999999Z");
	check_time(951782400000000000LL, "2000-02-29T00:00:00.000000000Z");
	check_time(4107542400000000000LL, "2100-03-01T00:00:00.000000000Z");
	check_time(INT64_MAX, "2262-04-11T23:47:16.854775807Z");
	check_time(INT64_MIN, "1677-09-21T00:12:43.145224192Z");
	n = vgl_fmt_json(&ev, NULL, line, sizeof(line));
	assert_int_equal(n, strlen(line));
	assert_non_null(strstr(line, "\"time\": \"1970-01-01T00:00:05.000000000Z\""));
}

static void test_boot_offset(void **state UNUSED)
{
	struct timespec rt, bt;
	int64_t off = vgl_boot_to_realtime_ns();
	int64_t want;

	clock_gettime(CLOCK_REALTIME, &rt);
	clock_gettime(CLOCK_BOOTTIME, &bt);
	want = (rt.tv_sec - bt.tv_sec) * 1000000000LL + (rt.tv_nsec - bt.tv_nsec);
	assert_true(off > 0);
	assert_true(llabs(off - want) < 100000000LL); /* 100 ms */
}

static void check_ip6(const uint8_t *addr)
{
	struct vgl_param prm = { .info = &vgl_kind_info[VGL_EV_CONNECT].params[1] };
	char want[INET6_ADDRSTRLEN + 8] = "[";
	char got[64];

	prm.sa.family = AF_INET6;
	memcpy(prm.sa.addr, addr, 16);
	assert_non_null(inet_ntop(AF_INET6, addr, want + 1, INET6_ADDRSTRLEN));
	strcat(want, "]:0");
	assert_true(vgl_fmt_param(&prm, VGL_FMT_HUMAN, got, sizeof(got)) > 0);
	assert_string_equal(got, want);
}

/* IPv6 text is the same as inet_ntop()'s (RFC 5952 and glibc's IPv4 forms). */
static void test_ipv6_text(void **state UNUSED)
{
	static const char *const fixed[] = { "::",
					     "::1",
					     "1::",
					     "1::2",
					     "::ffff:1.2.3.4",
					     "::1.2.3.4",
					     "1:0:0:2::3",
					     "fe80::1:0:0:1",
					     "1:2:3:4:5:6:7:8",
					     "0:1::",
					     "2001:db8::ff00:42:8329" };
	static const uint16_t groups[] = { 0, 0, 0, 1, 0xffff, 0x10, 0xabc };
	uint32_t seed = 12345;
	uint8_t a[16];

	for (size_t i = 0; i < sizeof(fixed) / sizeof(fixed[0]); i++) {
		assert_int_equal(inet_pton(AF_INET6, fixed[i], a), 1);
		check_ip6(a);
	}
	for (int n = 0; n < 100000; n++) {
		for (int g = 0; g < 8; g++) {
			uint16_t v;

			seed = seed * 1103515245 + 12345;
			v = groups[(seed >> 16) % 7];
			if (v == 0xabc)
				v = (uint16_t)(seed >> 3);
			a[2 * g] = (uint8_t)(v >> 8);
			a[2 * g + 1] = (uint8_t)v;
		}
		check_ip6(a);
	}
}

typedef int (*fmt_fn)(const struct vgl_event *, const struct vgl_fmt_opts *, char *, size_t);

/* Every buffer size below the line's needs gives -ENOSPC and stays in bounds. */
static void check_small_buffers(fmt_fn fmt)
{
	int len = fmt(&ev, &opts, line, sizeof(line));
	char *full = strdup(line);

	assert_true(len > 0);
	for (int size = 0; size <= len + 1; size++) {
		char *buf = malloc((size_t)size + 16); /* 16 canary bytes; ASan checks the rest */
		int n;

		memset(buf, 0x5a, (size_t)size + 16);
		n = fmt(&ev, &opts, buf, (size_t)size);
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
	static const char *const argv[] = { "ls", "-l", NULL };
	struct trec *r = trec_new(VGL_EV_EXECVE);

	memcpy(r->hdr.comm, "\x01\xff", 3);
	trec_str(r, NASTY);
	trec_argv(r, argv);
	trec_str(r, "/usr/bin/ls");
	trec_absent(r);
	r->hdr.res = -ENOENT;
	decode(r);
	check_small_buffers(vgl_fmt_json);
	check_small_buffers(vgl_fmt_human);
	r = connect_rec(0);
	trec_sa6(r, "fe80::1:2:3:4", 65535);
	trec_unix(r, "\0x\x01", 3);
	decode(r);
	check_small_buffers(vgl_fmt_json);
	check_small_buffers(vgl_fmt_human);
}

static void check_fits(void)
{
	int n = vgl_fmt_json(&ev, &opts, line, sizeof(line));

	assert_in_range(n, 1, VGL_FMT_BUF_MAX - 1);
	check_json_schema(line, &ev);
	n = vgl_fmt_human(&ev, &opts, line, sizeof(line));
	assert_in_range(n, 1, VGL_FMT_BUF_MAX - 1);
}

/* The largest records, with the costliest bytes, fit VGL_FMT_BUF_MAX. */
static void test_worst_case(void **state UNUSED)
{
	size_t room = VGL_EVENT_MAX - sizeof(struct vgl_hdr) - 2 * 2 - 8;
	char *s = malloc(room);
	struct trec *r;

	memset(s, 0x01, room - 1); /* 6 bytes each in JSON */
	s[room - 1] = '\0';
	r = trec_new(VGL_EV_INIT_MODULE);
	memset(r->hdr.comm, 0x02, sizeof(r->hdr.comm));
	trec_u64(r, INT64_MAX); /* jansson refuses integers above INT64_MAX */
	trec_str(r, s);
	decode(r);
	assert_int_equal(r->size, VGL_EVENT_MAX);
	check_fits();

	r = trec_new(VGL_EV_EXECVE); /* NUL-only argv: 4 bytes each */
	memset(s, 0, room);
	trec_bytes(r, "\x01", 2);
	trec_bytes(r, s, VGL_EVENT_MAX - sizeof(struct vgl_hdr) - 4 * 2 - 3 * 2);
	trec_bytes(r, "\x01", 2);
	trec_bytes(r, "\x01", 2);
	decode(r);
	assert_int_equal(r->size, VGL_EVENT_MAX);
	check_fits();
	free(s);

	r = trec_new(VGL_EV_CAPSET); /* longest symbol lists */
	for (int i = 0; i < 6; i++)
		trec_u64(r, UINT64_MAX);
	decode(r);
	check_fits();
}

static void check_param(const struct vgl_param *prm, const char *human, const char *json)
{
	char buf[256];

	assert_int_equal(vgl_fmt_param(prm, VGL_FMT_HUMAN, buf, sizeof(buf)), strlen(human));
	assert_string_equal(buf, human);
	assert_int_equal(vgl_fmt_param(prm, VGL_FMT_JSON, buf, sizeof(buf)), strlen(json));
	assert_string_equal(buf, json);
	assert_int_equal(vgl_fmt_param(prm, VGL_FMT_JSON, buf, 0), -ENOSPC);
	assert_int_equal(vgl_fmt_param(prm, VGL_FMT_JSON, buf, strlen(json)), -ENOSPC);
}

static void test_fmt_param(void **state UNUSED)
{
	struct trec *r = trec_new(VGL_EV_MKDIRAT);

	trec_s64(r, 7);
	trec_str(r, "d");
	trec_u64(r, 01777);
	decode(r);
	check_param(&ev.params[0], "7", "7");
	check_param(&ev.params[1], "\"d\"", "\"d\"");
	check_param(&ev.params[2], "01777", "1023");
	ev.params[2].absent = true;
	check_param(&ev.params[2], "<NA>", "null");
}

static void test_fmt_event(void **state UNUSED)
{
	struct trec *r = openat_rec(3, "x", "/x", O_RDONLY);
	char buf[1024];
	int n;

	decode(r);
	n = vgl_fmt_event(&ev, VGL_FMT_JSON, &opts, buf, sizeof(buf));
	assert_int_equal(n, strlen(buf));
	assert_string_equal(buf, json_line());
	n = vgl_fmt_event(&ev, VGL_FMT_HUMAN, &opts, buf, sizeof(buf));
	assert_int_equal(n, strlen(buf));
	assert_string_equal(buf, human_line());
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_openat),
		cmocka_unit_test(test_openat_enoent),
		cmocka_unit_test(test_open_flags_in_line),
		cmocka_unit_test(test_execve),
		cmocka_unit_test(test_execve_empty_argv),
		cmocka_unit_test(test_connect_inet),
		cmocka_unit_test(test_connect_unix),
		cmocka_unit_test(test_setresuid),
		cmocka_unit_test(test_clone_and_caps),
		cmocka_unit_test(test_enumerations),
		cmocka_unit_test(test_escaping),
		cmocka_unit_test(test_escaping_unix_and_argv),
		cmocka_unit_test(test_comm_limit),
		cmocka_unit_test(test_time),
		cmocka_unit_test(test_boot_offset),
		cmocka_unit_test(test_ipv6_text),
		cmocka_unit_test(test_small_buffer),
		cmocka_unit_test(test_worst_case),
		cmocka_unit_test(test_fmt_param),
		cmocka_unit_test(test_fmt_event),
	};

	return cmocka_run_group_tests(tests, NULL, free_record);
}
