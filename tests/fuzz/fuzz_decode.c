// SPDX-License-Identifier: Apache-2.0
/*
 * libFuzzer target: arbitrary bytes -> vgl_decode() -> both line formats.
 *
 * Checks beyond "no crash": every decoded event formats into VGL_FMT_BUF_MAX,
 * the JSON line parses (jansson), no line contains a newline, and a buffer
 * too small gives -ENOSPC without writing past its end.
 *
 * Each input is decoded twice: as is, and with its header made consistent
 * (size, a valid kind, the table's parameter count) so that the fuzzer
 * spends its time in the parameters rather than on the header checks.
 */
#include <errno.h>
#include <jansson.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "decode/event.h"
#include "output/eventfmt.h"

static char line[VGL_FMT_BUF_MAX];

static void check_small(const struct vgl_event *ev, enum vgl_fmt_style style, int len)
{
	size_t size = (size_t)len / 2 + 1; /* always too small */
	char *buf = malloc(size);	   /* exact size: ASan sees any overflow */
	int n;

	if (!buf)
		abort();
	n = vgl_fmt_event(ev, style, NULL, buf, size);
	if (n != -ENOSPC || strlen(buf) >= size)
		abort();
	free(buf);
}

static void check_format(const struct vgl_event *ev, enum vgl_fmt_style style)
{
	struct vgl_fmt_opts opts = { .boot_to_realtime_ns = (int64_t)ev->hdr.cgroup_id };
	int n = vgl_fmt_event(ev, style, &opts, line, sizeof(line));
	json_t *o;

	if (n <= 0 || (size_t)n != strlen(line) || memchr(line, '\n', (size_t)n))
		abort();
	if (style == VGL_FMT_JSON) {
		/* integers may exceed int64: let jansson read them as reals */
		o = json_loads(line, JSON_ALLOW_NUL | JSON_DECODE_INT_AS_REAL, NULL);
		if (!o || !json_is_object(o))
			abort();
		json_decref(o);
	}
	check_small(ev, style, n);
}

static void decode_and_format(const uint8_t *data, size_t size)
{
	struct vgl_event ev;
	enum vgl_decode_err err;

	if (vgl_decode(data, size, &ev, &err)) {
		if (err == VGL_DECODE_OK || !vgl_decode_strerror(err))
			abort();
		return;
	}
	check_format(&ev, VGL_FMT_JSON);
	check_format(&ev, VGL_FMT_HUMAN);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct vgl_hdr h;
	uint8_t *rec;

	decode_and_format(data, size);
	if (size < sizeof(h) || size > VGL_EVENT_MAX)
		return 0;
	rec = malloc(size);
	if (!rec)
		abort();
	memcpy(rec, data, size);
	memcpy(&h, rec, sizeof(h));
	h.size = (uint32_t)size;
	h.kind = (uint16_t)(1 + h.kind % (VGL_EV_MAX - 1));
	h.nparams = (uint16_t)vgl_kind_info[h.kind].nparams;
	memcpy(rec, &h, sizeof(h));
	decode_and_format(rec, size);
	free(rec);
	return 0;
}
