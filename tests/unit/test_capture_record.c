// SPDX-License-Identifier: Apache-2.0
/*
 * Context records (capture/record.h): every type encoded and decoded back
 * field by field, with every member set and with the unknown (NULL) ones;
 * payloads cut at every length, lengthened, with hostile counts, strings
 * with a NUL inside, out-of-range flags and random bytes are rejected.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "capture/record.h"

#define UNUSED __attribute__((unused))

static void same_str(const char *a, const char *b)
{
	if (!a || !b)
		assert_ptr_equal(a, b);
	else
		assert_string_equal(a, b);
}

static void same_blob(const char *a, size_t alen, const char *b, size_t blen)
{
	assert_int_equal(!a, !b);
	if (!a)
		return;
	assert_int_equal(alen, blen);
	assert_memory_equal(a, b, alen);
	assert_int_equal(b[blen], '\0'); /* terminated for the rules' string use */
}

static const char args[] = "-c\0echo hi\0"; /* NUL-separated, 11 bytes without the last */
static const char env[] = "PATH=/bin\0HOME=/root\0EMPTY=";

static const struct vgl_proc_view full_proc = {
	.pid = 4242,
	.ppid = 1,
	.vpid = 7,
	.sid = 4200,
	.vpgid = 4240,
	.name = "bash",
	.exe = "/bin/bash",
	.exepath = "/usr/bin/bash",
	.args = args,
	.args_len = sizeof(args) - 1,
	.cwd = "/home/u",
	.env = env,
	.env_len = sizeof(env) - 1,
	.tty = 34816,
	.start_ts = 123456789012345,
	.caps_known = true,
	.cap_permitted = 0x1ffffffffffull,
	.cap_effective = 0x3,
	.cap_inheritable = 0x8000000000000000ull,
	.exe_upper_layer = true,
	.exe_from_memfd = true,
	.version = 99, /* not written */
};

static void check_proc(const struct vgl_proc_view *v)
{
	struct vgl_capbuf b = { 0 };
	struct vgl_caprec_proc d;

	assert_int_equal(vgl_caprec_proc(&b, v), 0);
	assert_int_equal(vgl_caprec_decode_proc(b.data, b.len, &d), 0);
	assert_int_equal(d.view.pid, v->pid);
	assert_int_equal(d.view.ppid, v->ppid);
	assert_int_equal(d.view.vpid, v->vpid);
	assert_int_equal(d.view.sid, v->sid);
	assert_int_equal(d.view.vpgid, v->vpgid);
	same_str(v->name, d.view.name);
	same_str(v->exe, d.view.exe);
	same_str(v->exepath, d.view.exepath);
	same_blob(v->args, v->args_len, d.view.args, d.view.args_len);
	same_str(v->cwd, d.view.cwd);
	same_blob(v->env, v->env_len, d.view.env, d.view.env_len);
	assert_int_equal(d.view.tty, v->tty);
	assert_int_equal(d.view.start_ts, v->start_ts);
	assert_int_equal(d.view.caps_known, v->caps_known);
	assert_int_equal(d.view.cap_permitted, v->cap_permitted);
	assert_int_equal(d.view.cap_effective, v->cap_effective);
	assert_int_equal(d.view.cap_inheritable, v->cap_inheritable);
	assert_int_equal(d.view.exe_upper_layer, v->exe_upper_layer);
	assert_int_equal(d.view.exe_from_memfd, v->exe_from_memfd);
	assert_int_equal(d.view.version, 0);
	free(d.mem);
	vgl_capbuf_free(&b);
}

static void test_proc(void **state UNUSED)
{
	/* args present but empty is not args unknown: proc.args prints "" vs <NA> */
	struct vgl_proc_view empty = { .pid = 9, .name = "x", .args = "", .tty = -1 };
	struct vgl_proc_view none = { .pid = 10 };

	check_proc(&full_proc);
	check_proc(&empty);
	check_proc(&none);
}

static const struct vgl_mount_view mounts[] = {
	{ "/var/lib/docker/volumes/data/_data", "/data", "z", true, "rprivate" },
	{ NULL, "/etc/hosts", NULL, false, NULL },
};
static struct vgl_label labels[] = { { "app", "shop" }, { "canary", "" } };

static const struct vgl_container_view full_ctr = {
	.id = "0123456789ab",
	.name = "shop",
	.type = "docker",
	.image = "registry/shop:3.1",
	.image_id = "sha256:aa",
	.image_repository = "registry/shop",
	.image_tag = "3.1",
	.image_digest = "sha256:bb",
	.privileged_known = true,
	.privileged = true,
	.start_ts = 1700000000000000000,
	.mounts = mounts,
	.nmounts = 2,
	.k8s_ns_name = "store",
	.k8s_pod_name = "shop-7c9f",
	.k8s_pod_uid = "uid-1",
	.pod_labels = labels,
	.npod_labels = 2,
};

static void check_ctr(uint64_t cg, uint32_t pid, const struct vgl_container_view *v)
{
	struct vgl_capbuf b = { 0 };
	struct vgl_caprec_container d;
	size_t i;

	assert_int_equal(vgl_caprec_container(&b, cg, pid, v), 0);
	assert_int_equal(vgl_caprec_decode_container(b.data, b.len, &d), 0);
	assert_int_equal(d.cgroup_id, cg);
	assert_int_equal(d.pid, pid);
	assert_int_equal(d.known, v != NULL);
	if (v) {
		same_str(v->id, d.view.id);
		same_str(v->name, d.view.name);
		same_str(v->type, d.view.type);
		same_str(v->image, d.view.image);
		same_str(v->image_id, d.view.image_id);
		same_str(v->image_repository, d.view.image_repository);
		same_str(v->image_tag, d.view.image_tag);
		same_str(v->image_digest, d.view.image_digest);
		assert_int_equal(d.view.privileged_known, v->privileged_known);
		assert_int_equal(d.view.privileged, v->privileged);
		assert_int_equal(d.view.start_ts, v->start_ts);
		assert_int_equal(!d.view.mounts, !v->mounts);
		assert_int_equal(d.view.nmounts, v->nmounts);
		for (i = 0; i < v->nmounts; i++) {
			same_str(v->mounts[i].source, d.view.mounts[i].source);
			same_str(v->mounts[i].dest, d.view.mounts[i].dest);
			same_str(v->mounts[i].mode, d.view.mounts[i].mode);
			assert_int_equal(d.view.mounts[i].rw, v->mounts[i].rw);
			same_str(v->mounts[i].propagation, d.view.mounts[i].propagation);
		}
		same_str(v->k8s_ns_name, d.view.k8s_ns_name);
		same_str(v->k8s_pod_name, d.view.k8s_pod_name);
		same_str(v->k8s_pod_uid, d.view.k8s_pod_uid);
		assert_int_equal(!d.view.pod_labels, !v->pod_labels);
		assert_int_equal(d.view.npod_labels, v->npod_labels);
		for (i = 0; i < v->npod_labels; i++) {
			same_str(v->pod_labels[i].key, d.view.pod_labels[i].key);
			same_str(v->pod_labels[i].value, d.view.pod_labels[i].value);
		}
	}
	free(d.mem);
	vgl_capbuf_free(&b);
}

static void test_container(void **state UNUSED)
{
	/* no labels known vs none: k8s.pod.labels prints <NA> vs "" */
	struct vgl_container_view bare = { .id = "host", .name = "host" };
	struct vgl_container_view empty = { .id = "c", .mounts = mounts, .pod_labels = labels };

	check_ctr(7001, 0, &full_ctr);
	check_ctr(7002, 4242, &bare);
	check_ctr(7003, 1, &empty);
	check_ctr(UINT64_MAX, UINT32_MAX, NULL);
}

static void check_names(bool group, uint32_t id, uint32_t pid, const char *ctr, const char *name,
			const char *home, const char *shell)
{
	struct vgl_capbuf b = { 0 };
	struct vgl_caprec_user d;

	if (group) {
		assert_int_equal(vgl_caprec_group(&b, id, pid, ctr, name), 0);
		assert_int_equal(vgl_caprec_decode_group(b.data, b.len, &d), 0);
		assert_null(d.home);
		assert_null(d.shell);
	} else {
		assert_int_equal(vgl_caprec_user(&b, id, pid, ctr, name, home, shell), 0);
		assert_int_equal(vgl_caprec_decode_user(b.data, b.len, &d), 0);
		same_str(home, d.home);
		same_str(shell, d.shell);
	}
	assert_int_equal(d.id, id);
	assert_int_equal(d.pid, pid);
	same_str(ctr ? ctr : "host", d.ctr_id);
	same_str(name, d.name);
	free(d.mem);
	vgl_capbuf_free(&b);
}

static void test_users(void **state UNUSED)
{
	check_names(false, 0, 4242, "host", "root", "/root", "/bin/bash");
	check_names(false, 1000, 1, "0123456789ab", "u", NULL, NULL);
	check_names(false, 65534, 0, NULL, NULL, NULL, NULL); /* unknown uid; NULL id: the host */
	check_names(true, 27, 4242, "0123456789ab", "sudo", NULL, NULL);
	check_names(true, 5, 3, "host", NULL, NULL, NULL);
}

static void check_fd(uint32_t pid, int64_t fd, const struct vgl_fd_view *v)
{
	struct vgl_capbuf b = { 0 };
	struct vgl_caprec_fd d;

	assert_int_equal(vgl_caprec_fd(&b, pid, fd, v), 0);
	assert_int_equal(vgl_caprec_decode_fd(b.data, b.len, &d), 0);
	assert_int_equal(d.pid, pid);
	assert_int_equal(d.fd, fd);
	assert_int_equal(d.view.typechar, v->typechar);
	same_str(v->name, d.view.name);
	same_str(v->l4proto, d.view.l4proto);
	assert_int_equal(d.view.connected, v->connected);
	free(d.mem);
	vgl_capbuf_free(&b);
}

static void test_fd_and_small(void **state UNUSED)
{
	struct vgl_fd_view sock = { .typechar = '4',
				    .name = "10.0.0.1:4000->10.0.0.2:80",
				    .l4proto = "tcp",
				    .connected = true,
				    .version = 5 };
	struct vgl_fd_view unknown = { 0 };
	struct vgl_capbuf b = { 0 };
	struct vgl_caprec_lazy l;
	uint32_t pid;
	int64_t fd;
	uint64_t n;

	check_fd(4242, 3, &sock);
	check_fd(1, INT32_MAX, &unknown);

	assert_int_equal(vgl_caprec_fd_gone(&b, 77, 12), 0);
	assert_int_equal(vgl_caprec_decode_fd_gone(b.data, b.len, &pid, &fd), 0);
	assert_int_equal(pid, 77);
	assert_int_equal(fd, 12);
	assert_int_equal(vgl_caprec_proc_gone(&b, 78), 0);
	assert_int_equal(vgl_caprec_decode_proc_gone(b.data, b.len, &pid), 0);
	assert_int_equal(pid, 78);
	assert_int_equal(vgl_caprec_loss(&b, 1ull << 40), 0);
	assert_int_equal(vgl_caprec_decode_loss(b.data, b.len, &n), 0);
	assert_int_equal(n, 1ull << 40);

	for (int upper = -1; upper <= 1; upper++) {
		assert_int_equal(vgl_caprec_proc_lazy(&b, 5, env, sizeof(env) - 1, upper), 0);
		assert_int_equal(vgl_caprec_decode_proc_lazy(b.data, b.len, &l), 0);
		assert_int_equal(l.pid, 5);
		assert_int_equal(l.upper, upper);
		same_blob(env, sizeof(env) - 1, l.env, l.env_len);
		free(l.mem);
	}
	assert_int_equal(vgl_caprec_proc_lazy(&b, 6, NULL, 0, -1), 0); /* env unknown */
	assert_int_equal(vgl_caprec_decode_proc_lazy(b.data, b.len, &l), 0);
	assert_null(l.env);
	free(l.mem);
	vgl_capbuf_free(&b);
}

/* Decode @len bytes as @type; 0 or the decoder's error. */
static int decode_any(uint32_t type, const void *data, size_t len)
{
	struct vgl_caprec_proc p;
	struct vgl_caprec_lazy l;
	struct vgl_caprec_container c;
	struct vgl_caprec_user u;
	struct vgl_caprec_fd f;
	uint32_t pid;
	int64_t fd;
	uint64_t n;
	int rc;

	switch (type) {
	case VGL_CAP_REC_PROC:
		if (!(rc = vgl_caprec_decode_proc(data, len, &p)))
			free(p.mem);
		return rc;
	case VGL_CAP_REC_PROC_GONE:
		return vgl_caprec_decode_proc_gone(data, len, &pid);
	case VGL_CAP_REC_PROC_LAZY:
		if (!(rc = vgl_caprec_decode_proc_lazy(data, len, &l)))
			free(l.mem);
		return rc;
	case VGL_CAP_REC_CONTAINER:
		if (!(rc = vgl_caprec_decode_container(data, len, &c)))
			free(c.mem);
		return rc;
	case VGL_CAP_REC_USER:
	case VGL_CAP_REC_GROUP:
		rc = type == VGL_CAP_REC_USER ? vgl_caprec_decode_user(data, len, &u)
					      : vgl_caprec_decode_group(data, len, &u);
		if (!rc)
			free(u.mem);
		return rc;
	case VGL_CAP_REC_FD:
		if (!(rc = vgl_caprec_decode_fd(data, len, &f)))
			free(f.mem);
		return rc;
	case VGL_CAP_REC_FD_GONE:
		return vgl_caprec_decode_fd_gone(data, len, &pid, &fd);
	default:
		return vgl_caprec_decode_loss(data, len, &n);
	}
}

/* One full payload of each type. */
static void encode_type(uint32_t type, struct vgl_capbuf *b)
{
	struct vgl_fd_view sock = { .typechar = 'u', .name = "/run/sock", .connected = true };

	switch (type) {
	case VGL_CAP_REC_PROC:
		vgl_caprec_proc(b, &full_proc);
		break;
	case VGL_CAP_REC_PROC_GONE:
		vgl_caprec_proc_gone(b, 3);
		break;
	case VGL_CAP_REC_PROC_LAZY:
		vgl_caprec_proc_lazy(b, 3, env, sizeof(env) - 1, 1);
		break;
	case VGL_CAP_REC_CONTAINER:
		vgl_caprec_container(b, 9, 3, &full_ctr);
		break;
	case VGL_CAP_REC_USER:
		vgl_caprec_user(b, 0, 3, "host", "root", "/root", "/bin/sh");
		break;
	case VGL_CAP_REC_GROUP:
		vgl_caprec_group(b, 0, 3, "host", "root");
		break;
	case VGL_CAP_REC_FD:
		vgl_caprec_fd(b, 3, 4, &sock);
		break;
	case VGL_CAP_REC_FD_GONE:
		vgl_caprec_fd_gone(b, 3, 4);
		break;
	default:
		vgl_caprec_loss(b, 12);
	}
	assert_int_equal(b->err, 0);
}

/* Every shorter prefix and one byte more are not a payload. */
static void test_truncated_and_long(void **state UNUSED)
{
	struct vgl_capbuf b = { 0 };
	unsigned char *copy;

	for (uint32_t type = VGL_CAP_REC_PROC; type <= VGL_CAP_REC_LOSS; type++) {
		encode_type(type, &b);
		copy = malloc(b.len + 1);
		memcpy(copy, b.data, b.len);
		copy[b.len] = 0;
		assert_int_equal(decode_any(type, copy, b.len), 0);
		for (size_t n = 0; n < b.len; n++) {
			if (decode_any(type, copy, n) != -EINVAL)
				fail_msg("type %u cut at %zu of %zu decoded", type, n, b.len);
		}
		assert_int_equal(decode_any(type, copy, b.len + 1), -EINVAL);
		assert_int_equal(decode_any(type, NULL, 0), -EINVAL);
		free(copy);
	}
	vgl_capbuf_free(&b);
}

/* Offsets into the USER payload "u32 uid, u32 pid, str ctr ..." */
static void test_hostile(void **state UNUSED)
{
	struct vgl_capbuf b = { 0 };
	struct vgl_caprec_container c;
	struct vgl_caprec_user u;
	struct vgl_caprec_lazy l;
	struct vgl_caprec_fd f;
	unsigned char *p;

	/* a NUL inside a name */
	vgl_caprec_user(&b, 0, 1, "host", "ro", NULL, NULL);
	p = b.data;
	assert_int_equal(p[8 + 4 + 4 + 4], 'r');
	p[8 + 4 + 4 + 4 + 1] = '\0';
	assert_int_equal(vgl_caprec_decode_user(b.data, b.len, &u), -EINVAL);

	/* a container id that is NULL */
	vgl_caprec_user(&b, 0, 1, "host", "root", NULL, NULL);
	memset(b.data + 8, 0xff, 4);
	assert_int_equal(vgl_caprec_decode_user(b.data, 12, &u), -EINVAL);

	/* a mount count of four billion in a payload of a hundred bytes */
	vgl_caprec_container(&b, 1, 2, &(struct vgl_container_view){ .id = "c", .mounts = mounts });
	p = b.data + b.len - 4 * 4 /* labels, pod uid, name, ns */ - 4 /* nmounts */;
	assert_memory_equal(p, "\0\0\0\0\xff\xff\xff\xff", 8);
	memcpy(p, "\xfe\xff\xff\xff", 4);
	assert_int_equal(vgl_caprec_decode_container(b.data, b.len, &c), -EINVAL);

	/* out-of-range flags and upper-layer values */
	vgl_caprec_proc_lazy(&b, 1, NULL, 0, 0);
	b.data[b.len - 1] = 5;
	assert_int_equal(vgl_caprec_decode_proc_lazy(b.data, b.len, &l), -EINVAL);
	vgl_caprec_fd(&b, 1, 2, &(struct vgl_fd_view){ .typechar = 'f', .name = "/x" });
	b.data[b.len - 1] = 2; /* connected */
	assert_int_equal(vgl_caprec_decode_fd(b.data, b.len, &f), -EINVAL);

	/* a payload above the record limit is refused when encoded */
	char *big = calloc(1, VGL_CAP_RECORD_MAX + 1);
	struct vgl_proc_view v = { .pid = 1, .args = big, .args_len = VGL_CAP_RECORD_MAX + 1 };

	assert_int_equal(vgl_caprec_proc(&b, &v), -E2BIG);
	free(big);
	vgl_capbuf_free(&b);
}

/* Random bytes, and valid payloads with random bytes changed: no crash, no leak. */
static void test_garbage(void **state UNUSED)
{
	struct vgl_capbuf b = { 0 };
	unsigned char buf[600];
	uint64_t x = 0x9e3779b97f4a7c15ull;
	int accepted = 0, rejected = 0;

	for (int iter = 0; iter < 20000; iter++) {
		uint32_t type = VGL_CAP_REC_PROC + (uint32_t)(iter % 9);
		size_t len;

		if (iter % 2) {
			len = (size_t)(x % sizeof(buf));
			for (size_t i = 0; i < len; i++) {
				x ^= x << 13, x ^= x >> 7, x ^= x << 17;
				buf[i] = (unsigned char)(x >> 24);
			}
		} else {
			encode_type(type, &b);
			len = b.len < sizeof(buf) ? b.len : sizeof(buf);
			memcpy(buf, b.data, len);
			x ^= x << 13, x ^= x >> 7, x ^= x << 17;
			buf[x % len] ^= (unsigned char)(1u << (x >> 40) % 8);
		}
		if (decode_any(type, buf, len))
			rejected++;
		else
			accepted++;
	}
	assert_true(rejected > 0);
	assert_true(accepted > 0); /* a changed byte in a string is still a payload */
	vgl_capbuf_free(&b);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_proc),
		cmocka_unit_test(test_container),
		cmocka_unit_test(test_users),
		cmocka_unit_test(test_fd_and_small),
		cmocka_unit_test(test_truncated_and_long),
		cmocka_unit_test(test_hostile),
		cmocka_unit_test(test_garbage),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
