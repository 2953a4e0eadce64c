// SPDX-License-Identifier: Apache-2.0
/* The default host rules end to end: vigil on rules/vigil_rules.yaml, checks, clean-up. */
#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <fcntl.h>
#include <limits.h>
#include <unistd.h>
#include <sys/stat.h>

#include "harness.h"
#include "harness_host.h"
#include "harness_twin.h"

#define GRACE_MS 300
#define MADE_MAX 32

static char made[MADE_MAX][512];
static size_t n_made;

struct e2e_vigil *e2e_host_start(void)
{
	const char *rules = e2e_source_path("rules/vigil_rules.yaml");
	struct e2e_vigil *v;

	e2e_require_root();
	v = e2e_start_args((const char *[]){ "-r", rules, NULL });
	e2e_twin_start((const char *[]){ "-r", rules, NULL });
	return v;
}

const char *e2e_host_name(const char *prefix)
{
	static char names[16][16];
	static unsigned int next;
	char *buf = names[next++ % 16];

	snprintf(buf, sizeof(names[0]), "%s%d", prefix, (int)getpid());
	return buf;
}

const json_t *_e2e_host_fired(const char *file, int line, struct e2e_vigil *v,
			      const struct e2e_match *m, const char *priority)
{
	const json_t *a = _e2e_wait_alert(file, line, v, m, E2E_HOST_WAIT_MS);

	_e2e_assert_top(file, line, a, "priority", priority);
	return a;
}

void _e2e_host_none(const char *file, int line, struct e2e_vigil *v, const struct e2e_match *m)
{
	size_t i;

	tu_sleep_ms(GRACE_MS);
	e2e_refresh(v);
	if (e2e_count(v, m) == 0)
		return;
	print_error("%s:%d: \"%s\" fired for the benign variant:\n", file, line, m->rule);
	for (i = 0; i < json_array_size(v->alerts); i++) {
		const json_t *a = json_array_get(v->alerts, i);
		json_t *one = json_pack("[O]", a);

		if (e2e_count_in(one, m))
			e2e_print_alert("  ", a);
		json_decref(one);
	}
	_fail(file, line);
}

void _e2e_host_tag(const char *file, int line, const json_t *a, const char *tag)
{
	const json_t *tags = json_object_get(a, "tags"), *t;
	size_t i;

	json_array_foreach(tags, i, t)
	{
		if (json_is_string(t) && !strcmp(json_string_value(t), tag))
			return;
	}
	e2e_print_alert("", a);
	print_error("%s:%d: tag %s missing\n", file, line, tag);
	_fail(file, line);
}

void e2e_host_made(const char *path)
{
	if (n_made == MADE_MAX)
		fail_msg("e2e_host_made: more than %d paths", MADE_MAX);
	snprintf(made[n_made++], sizeof(made[0]), "%s", path);
}

/* Whether alert @a is of this test's processes: the test's children or theirs. */
static bool ours(const json_t *a)
{
	const json_t *f = json_object_get(a, "output_fields");
	const char *name = json_string_value(json_object_get(f, "proc.name"));
	const char *pname = json_string_value(json_object_get(f, "proc.pname"));
	char token[16];

	snprintf(token, sizeof(token), "%d", (int)getpid());
	return (name && (strstr(name, token) || !strcmp(name, e2e_self_comm()))) ||
	       (pname && (strstr(pname, token) || !strcmp(pname, e2e_self_comm())));
}

void e2e_host_test_same_without_prefilter(void **state)
{
	(void)state;
	assert_true(e2e_twin_running());
	assert_true(e2e_twin_compare(e2e_current(), ours));
}

void e2e_host_cleanup(void)
{
	struct stat st;

	e2e_twin_free(); /* a test failed before the comparison */
	while (n_made > 0) {
		const char *p = made[--n_made];

		if (lstat(p, &st) < 0)
			continue;
		if ((S_ISDIR(st.st_mode) ? rmdir(p) : unlink(p)) < 0)
			print_error("e2e clean-up: %s: %s\n", p, strerror(errno));
	}
}

void e2e_host_do_open(void *ctx)
{
	const struct e2e_file_op *op = ctx;
	int fd = open(op->path, op->flags | O_CLOEXEC, op->mode);

	E2E_CHECK(fd >= 0);
	close(fd);
}

void e2e_host_do_unlink(void *ctx)
{
	E2E_CHECK(unlink(((const struct e2e_file_op *)ctx)->path) == 0);
}

void e2e_host_do_symlink(void *ctx)
{
	const struct e2e_file_op *op = ctx;

	E2E_CHECK(symlink(op->path2, op->path) == 0);
}

void e2e_host_do_rename(void *ctx)
{
	const struct e2e_file_op *op = ctx;

	E2E_CHECK(rename(op->path2, op->path) == 0);
}

void e2e_host_run_nested(void *ctx)
{
	const struct e2e_nested *n = ctx;

	e2e_spawn(n->comm, n->fn, n->ctx);
}

/* Write @path (a new file of this run), recording it for the clean-up. */
void e2e_host_make_file(const char *path, mode_t mode)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, mode);

	if (fd < 0)
		fail_msg("%s: %s", path, strerror(errno));
	e2e_host_made(path);
	if (write(fd, "# vigil e2e\n", 12) != 12)
		fail_msg("%s: write: %s", path, strerror(errno));
	close(fd);
}

/* mkdir @path unless it exists; removed at the end only when made here. */
void e2e_host_make_dir(const char *path)
{
	if (mkdir(path, 0700) == 0)
		e2e_host_made(path);
	else if (errno != EEXIST)
		fail_msg("mkdir %s: %s", path, strerror(errno));
}

/* @pre @name @suf, in one of 8 static buffers. */
const char *e2e_host_path(const char *pre, const char *name, const char *suf)
{
	static char bufs[8][PATH_MAX];
	static unsigned int next;
	char *b = bufs[next++ % 8];

	snprintf(b, PATH_MAX, "%s%s%s", pre, name, suf);
	return b;
}
