/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Test helper: assemble ring-buffer records by hand, byte by byte, the way
 * the BPF side lays them out (include/vigil/events.h).
 *
 *	struct trec *r = trec_new(VGL_EV_OPENAT);
 *	trec_s64(r, -100); trec_str(r, "/etc/passwd"); ...
 *	size = trec_finish(r);  -> r->rec, deliberately at an odd address
 *
 * Tests may change r->hdr before trec_finish() (set keep_nparams /
 * keep_size to keep their own nparams / size), or patch r->rec after.
 */
#ifndef VIGIL_TESTS_TEST_RECORD_H
#define VIGIL_TESTS_TEST_RECORD_H

#include <arpa/inet.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "vigil/events.h"

#define TREC_MAX (2 * VGL_EVENT_MAX)

struct trec {
	struct vgl_hdr hdr;
	bool keep_nparams;
	bool keep_size;
	unsigned int n;
	uint16_t lens[16];
	uint8_t data[TREC_MAX];
	size_t dlen;
	uint8_t out[TREC_MAX + 8];
	uint8_t *rec; /* the record: out + 1, never 8-byte aligned */
	size_t size;
};

/* Header fields every test record starts with. */
#define TREC_TS	  5000000000ULL
#define TREC_PID  1234
#define TREC_PPID 1000

static inline struct trec *trec_new(unsigned int kind)
{
	struct trec *r = calloc(1, sizeof(*r));

	if (!r)
		abort();
	r->hdr.kind = (uint16_t)kind;
	r->hdr.ts = TREC_TS;
	r->hdr.cgroup_id = 4242;
	r->hdr.pid = TREC_PID;
	r->hdr.tid = TREC_PID;
	r->hdr.ppid = TREC_PPID;
	r->hdr.loginuid = UINT32_MAX;
	r->hdr.mntns = 4026531841u;
	r->hdr.pidns = 4026531836u;
	memcpy(r->hdr.comm, "cat", 4);
	r->rec = r->out + 1;
	return r;
}

/* One parameter of @n bytes (may differ from the bytes given: @len). */
static inline void trec_raw(struct trec *r, const void *p, size_t n, uint16_t len)
{
	if (r->n >= 16 || r->dlen + n > sizeof(r->data))
		abort();
	if (n)
		memcpy(r->data + r->dlen, p, n);
	r->dlen += n;
	r->lens[r->n++] = len;
}

static inline void trec_bytes(struct trec *r, const void *p, size_t n)
{
	trec_raw(r, p, n, (uint16_t)n);
}

static inline void trec_absent(struct trec *r)
{
	trec_raw(r, NULL, 0, VGL_PARAM_ABSENT);
}

static inline void trec_u64(struct trec *r, uint64_t v)
{
	trec_bytes(r, &v, sizeof(v));
}

static inline void trec_s64(struct trec *r, int64_t v)
{
	trec_bytes(r, &v, sizeof(v));
}

/* A string or path: its bytes and the terminating NUL. */
static inline void trec_str(struct trec *r, const char *s)
{
	trec_bytes(r, s, strlen(s) + 1);
}

/* NULL-terminated list, each argument followed by its NUL. */
static inline void trec_argv(struct trec *r, const char *const *argv)
{
	uint8_t buf[VGL_ARGV_MAX];
	size_t n = 0;

	for (; *argv; argv++) {
		size_t l = strlen(*argv) + 1;

		if (n + l > sizeof(buf))
			abort();
		memcpy(buf + n, *argv, l);
		n += l;
	}
	trec_bytes(r, buf, n);
}

static inline void trec_sa(struct trec *r, uint16_t family, uint16_t port, const void *addr,
			   size_t n)
{
	uint8_t buf[4 + 128];
	struct vgl_sockaddr_hdr sh = { .family = family, .port = port };

	if (n > sizeof(buf) - 4)
		abort();
	memcpy(buf, &sh, sizeof(sh));
	if (n)
		memcpy(buf + 4, addr, n);
	trec_bytes(r, buf, 4 + n);
}

static inline void trec_sa4(struct trec *r, const char *ip, uint16_t port)
{
	uint8_t a[4];

	if (inet_pton(AF_INET, ip, a) != 1)
		abort();
	trec_sa(r, AF_INET, port, a, sizeof(a));
}

static inline void trec_sa6(struct trec *r, const char *ip, uint16_t port)
{
	uint8_t a[16];

	if (inet_pton(AF_INET6, ip, a) != 1)
		abort();
	trec_sa(r, AF_INET6, port, a, sizeof(a));
}

/* AF_UNIX: @n path bytes (abstract names start with NUL). */
static inline void trec_unix(struct trec *r, const char *path, size_t n)
{
	trec_sa(r, AF_UNIX, 0, path, n);
}

/* Lay the record out at r->rec; returns its size. */
static inline size_t trec_finish(struct trec *r)
{
	size_t table = r->n * sizeof(uint16_t);

	r->size = sizeof(r->hdr) + table + r->dlen;
	if (r->size > TREC_MAX)
		abort();
	if (!r->keep_nparams)
		r->hdr.nparams = (uint16_t)r->n;
	if (!r->keep_size)
		r->hdr.size = (uint32_t)r->size;
	memcpy(r->rec, &r->hdr, sizeof(r->hdr));
	memcpy(r->rec + sizeof(r->hdr), r->lens, table);
	memcpy(r->rec + sizeof(r->hdr) + table, r->data, r->dlen);
	return r->size;
}

/* Overwrite a header field of the finished record. */
#define TREC_PATCH(r, field, value)                                                  \
	do {                                                                         \
		__typeof__(((struct vgl_hdr *)0)->field) v_ = (value);               \
		memcpy((r)->rec + offsetof(struct vgl_hdr, field), &v_, sizeof(v_)); \
	} while (0)

#endif /* VIGIL_TESTS_TEST_RECORD_H */
