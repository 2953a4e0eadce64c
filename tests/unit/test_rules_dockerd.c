// SPDX-License-Identifier: Apache-2.0
/*
 * docker.daemon.* fields: a dockerd exec event whose config file is read
 * through the state's cache (state/cfgfile.c) from the fixture roots in
 * tests/data/dockerd/ (a fake /proc/PID/root), and the alert text a rule
 * prints with them.
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <limits.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>
#include <cmocka.h>

#include "state/cfgfile.h"
#include "test_rules_util.h"

#define PID 4242

struct fake {
	struct vgl_cfgfile_cache *cache;
	struct vgl_proc_view view; /* for events but the exec */
	bool has_view;
};

static char proc_root[PATH_MAX];

static const char *fk_config(void *s, uint32_t pid, const char *path, size_t *ret_len, int *ret_err)
{
	struct fake *f = s;

	return vgl_cfgfile_get(f->cache, pid, 0, path, ret_len, ret_err);
}

static const struct vgl_proc_view *fk_proc(void *s, uint32_t pid)
{
	struct fake *f = s;

	return f->has_view && pid == PID ? &f->view : NULL;
}

static const struct vgl_field_state_ops ops = { .proc = fk_proc, .config_file = fk_config };

static const char *rule =
	"- rule: r\n  desc: d\n  condition: proc.name = dockerd or proc.name = cat\n"
	"  priority: NOTICE\n  output: \"config=%docker.daemon.config "
	"error=%docker.daemon.config_error icc=%docker.daemon.icc "
	"userns=%docker.daemon.userns_remap live=%docker.daemon.live_restore "
	"tlsverify=%docker.daemon.tlsverify tcp_no_tls=%docker.daemon.tcp_without_tls "
	"hosts=%docker.daemon.hosts\"\n";

/* Point /proc/PID/root at fixture root @root (tests/data/dockerd/ROOT). */
static void use_root(const char *root)
{
	char link[PATH_MAX + 32], target[PATH_MAX];
	const char *src = getenv("VIGIL_SOURCE_DIR");

	snprintf(link, sizeof(link), "%s/%d/root", proc_root, PID);
	snprintf(target, sizeof(target), "%s/tests/data/dockerd/%s", src ? src : ".", root);
	unlink(link);
	assert_int_equal(symlink(target, link), 0);
}

static int fmt_cb(void *data, const struct vgl_ruleset *rs, size_t r, struct vgl_match_ctx *ctx)
{
	(void)rs;
	vgl_alert_format(ctx, r, data, 1024);
	return 0;
}

/* The alert text for the exec of "dockerd @argv" in fixture root @root. */
static void run_ev(const char *root, const struct vgl_event *ev, struct fake *f, char out[1024])
{
	struct vgl_ruleset *rs = rules_from(rule);
	struct vgl_match_ctx *ctx = vgl_match_ctx_new(rs);

	use_root(root);
	f->cache = vgl_cfgfile_cache_new(proc_root, "/nonexistent");
	out[0] = '\0';
	assert_int_equal(vgl_ruleset_eval(rs, ctx, ev, &ops, f, fmt_cb, out), 1);
	vgl_cfgfile_cache_free(f->cache);
	vgl_match_ctx_free(ctx);
	vgl_ruleset_free(rs);
}

static void run(const char *root, const char *argv, char out[1024])
{
	struct fake f = { 0 };
	struct tev t;

	tev_exec(&t, "dockerd", "/usr/sbin/dockerd", argv);
	t.ev.hdr.pid = t.ev.hdr.tid = PID;
	tev_str(&t, "cwd", "/srv");
	run_ev(root, &t.ev, &f, out);
}

static void test_defaults(void **state)
{
	char out[1024];

	(void)state;
	run("none", "dockerd --data-root /var/lib/docker2", out);
	assert_string_equal(out, "config=/etc/docker/daemon.json error= icc=true userns= "
				 "live=false tlsverify=false tcp_no_tls=false "
				 "hosts=unix:///var/run/docker.sock");
}

static void test_good_file(void **state)
{
	char out[1024];

	(void)state;
	run("good", "dockerd", out);
	assert_string_equal(out, "config=/etc/docker/daemon.json error= icc=false userns=default "
				 "live=true tlsverify=false tcp_no_tls=false "
				 "hosts=unix:///var/run/docker.sock");
}

static void test_flags(void **state)
{
	char out[1024];

	(void)state;
	run("none",
	    "dockerd --icc=false --userns-remap=dockremap:dockremap -H tcp://127.0.0.1:2375 "
	    "-Hunix:///run/d.sock --live-restore",
	    out);
	assert_string_equal(out, "config=/etc/docker/daemon.json error= icc=false "
				 "userns=dockremap:dockremap live=true tlsverify=false "
				 "tcp_no_tls=true hosts=tcp://127.0.0.1:2375,unix:///run/d.sock");
	run("none", "dockerd --host 127.0.0.1:2376 --tlsverify --icc", out);
	assert_string_equal(out, "config=/etc/docker/daemon.json error= icc=true userns= "
				 "live=false tlsverify=true tcp_no_tls=false hosts=127.0.0.1:2376");
	/* the file's setting is overridden by nothing: flags win only where given */
	run("lax", "dockerd --icc=false", out);
	assert_string_equal(out, "config=/etc/docker/daemon.json error= icc=false userns= "
				 "live=false tlsverify=false tcp_no_tls=true "
				 "hosts=unix:///var/run/docker.sock,tcp://0.0.0.0:2375");
}

static void test_config_file_flag(void **state)
{
	char out[1024];

	(void)state;
	run("custom", "dockerd --config-file conf/d.json", out); /* relative to the cwd, /srv */
	assert_string_equal(out, "config=/srv/conf/d.json error= icc=true userns= live=false "
				 "tlsverify=true tcp_no_tls=false hosts=tcp://127.0.0.1:2376");
	run("custom", "dockerd --config-file=/srv/missing.json --icc=false", out);
	assert_string_equal(out, "config=/srv/missing.json error=No such file or directory "
				 "icc=false userns=<NA> live=<NA> tlsverify=<NA> tcp_no_tls=<NA> "
				 "hosts=<NA>");
}

static void test_bad_files(void **state)
{
	char out[1024];

	(void)state;
	run("broken", "dockerd --userns-remap default", out);
	assert_string_equal(out, "config=/etc/docker/daemon.json error=line 3 column 1: string or "
				 "'}' expected near '}' icc=<NA> userns=default live=<NA> "
				 "tlsverify=<NA> tcp_no_tls=<NA> hosts=<NA>");
	run("badtype", "dockerd", out);
	assert_string_equal(out, "config=/etc/docker/daemon.json error=\"icc\" is not a boolean "
				 "icc=<NA> userns=<NA> live=<NA> tlsverify=<NA> tcp_no_tls=<NA> "
				 "hosts=<NA>");
}

static void test_too_large(void **state)
{
	char path[PATH_MAX + 64], out[1024];
	struct fake f = { 0 };
	struct tev t;
	FILE *fp;

	(void)state;
	snprintf(path, sizeof(path), "%s/big.json", proc_root);
	fp = fopen(path, "w");
	assert_non_null(fp);
	fputs("{\"x\": \"", fp);
	for (int i = 0; i < VGL_STATE_CONFIG_FILE_MAX; i++)
		fputc('a', fp);
	fputs("\"}", fp);
	fclose(fp);
	tev_exec(&t, "dockerd", "/usr/sbin/dockerd", "dockerd --config-file /big.json");
	t.ev.hdr.pid = t.ev.hdr.tid = PID;
	/* the fixture root is the temp dir itself */
	snprintf(path, sizeof(path), "%s/%d/root", proc_root, PID);
	unlink(path);
	assert_int_equal(symlink(proc_root, path), 0);
	f.cache = vgl_cfgfile_cache_new(proc_root, NULL);
	{
		struct vgl_ruleset *rs = rules_from(rule);
		struct vgl_match_ctx *ctx = vgl_match_ctx_new(rs);

		assert_int_equal(vgl_ruleset_eval(rs, ctx, &t.ev, &ops, &f, fmt_cb, out), 1);
		vgl_match_ctx_free(ctx);
		vgl_ruleset_free(rs);
	}
	vgl_cfgfile_cache_free(f.cache);
	assert_string_equal(out, "config=/big.json error=larger than 64 KiB icc=<NA> userns=<NA> "
				 "live=<NA> tlsverify=<NA> tcp_no_tls=<NA> hosts=<NA>");
}

/* A later event of the daemon reads its arguments from the state; another process has none. */
static void test_other_events(void **state)
{
	static const char args[] = "--icc=false\0-H\0tcp://127.0.0.1:2375";
	struct fake f = { 0 };
	char out[1024];
	struct tev t;

	(void)state;
	f.has_view = true;
	f.view = (struct vgl_proc_view){ .pid = PID,
					 .name = "dockerd",
					 .args = args,
					 .args_len = sizeof(args) - 1,
					 .cwd = "/" };
	tev_open(&t, "dockerd", "/var/lib/docker/x", O_RDONLY, 5);
	t.ev.hdr.pid = t.ev.hdr.tid = PID;
	run_ev("good", &t.ev, &f, out);
	assert_string_equal(out, "config=/etc/docker/daemon.json error= icc=false userns=default "
				 "live=true tlsverify=false tcp_no_tls=true "
				 "hosts=tcp://127.0.0.1:2375");
	tev_open(&t, "cat", "/etc/hosts", O_RDONLY, 5);
	t.ev.hdr.pid = t.ev.hdr.tid = PID;
	run_ev("good", &t.ev, &f, out);
	assert_string_equal(out, "config=<NA> error=<NA> icc=<NA> userns=<NA> live=<NA> "
				 "tlsverify=<NA> tcp_no_tls=<NA> hosts=<NA>");
}

static int setup(void **state)
{
	char dir[PATH_MAX + 16];

	(void)state;
	snprintf(proc_root, sizeof(proc_root), "/tmp/vigil-dockerd-test.XXXXXX");
	if (!mkdtemp(proc_root))
		return -1;
	snprintf(dir, sizeof(dir), "%s/%d", proc_root, PID);
	return mkdir(dir, 0755);
}

static int teardown(void **state)
{
	char cmd[PATH_MAX + 16];

	(void)state;
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", proc_root);
	return system(cmd) ? -1 : 0;
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_defaults),     cmocka_unit_test(test_good_file),
		cmocka_unit_test(test_flags),	     cmocka_unit_test(test_config_file_flag),
		cmocka_unit_test(test_bad_files),    cmocka_unit_test(test_too_large),
		cmocka_unit_test(test_other_events),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
