/* SPDX-License-Identifier: Apache-2.0 */
/*
 * One decoded event as one line of text, in the two formats of
 * docs/events.md: a JSON object, or a human-readable line.
 *
 * The formatters run for every event: they write into the caller's buffer,
 * never allocate, take no locks and keep no state, so any thread may call
 * them; with vgl_fmt_opts.sops they also call those state ops, and then run
 * where the ops may be called. The line has no trailing newline; it is
 * NUL-terminated.
 */
#ifndef VIGIL_OUTPUT_EVENTFMT_H
#define VIGIL_OUTPUT_EVENTFMT_H

#include <stddef.h>
#include <stdint.h>

#include "decode/event.h"
#include "output/names.h"
#include "rules/state.h"

/*
 * The context of an event (docs/events.md): bytes of each value printed at
 * most, before escaping; a longer value is cut (and the line says so).
 */
#define VGL_FMT_CMDLINE_MAX   4096	   /* proc.cmdline, name and arguments */
#define VGL_FMT_EXEPATH_MAX   VGL_PATH_MAX /* proc.exepath */
#define VGL_FMT_ANCESTORS_MAX 8		   /* entries of proc.ancestors */
#define VGL_FMT_ANAME_MAX     64	   /* proc.pname, each ancestor's name (a comm: 15) */
#define VGL_FMT_CTX_STR_MAX   1024	   /* user, container and k8s names, image */
#define VGL_FMT_CTX_NSTR      7		   /* how many of those a line has */

/* The context's worst case: every byte escaped to 6, plus keys and pids. */
#define VGL_FMT_CTX_MAX                                         \
	(6 * (VGL_FMT_CMDLINE_MAX + VGL_FMT_EXEPATH_MAX +       \
	      (VGL_FMT_ANCESTORS_MAX + 1) * VGL_FMT_ANAME_MAX + \
	      VGL_FMT_CTX_NSTR * VGL_FMT_CTX_STR_MAX) +         \
	 2048)

/*
 * A buffer this large holds any event in either format: every record byte
 * escapes to at most 6 output bytes (\u00XX), each parameter adds at most a
 * symbol list and its name, the fixed fields need less than 2 KiB, and the
 * context at most VGL_FMT_CTX_MAX.
 */
#define VGL_FMT_BUF_MAX \
	(6 * VGL_EVENT_MAX + VGL_MAX_PARAMS * (VGL_SYMBOL_MAX + 128) + 2048 + VGL_FMT_CTX_MAX)

struct vgl_fmt_opts {
	/* CLOCK_REALTIME - CLOCK_BOOTTIME in ns: turns hdr.ts into wall-clock
	 * time. See vgl_boot_to_realtime_ns(). */
	int64_t boot_to_realtime_ns;
	/* Where the context of each event (exe, cmdline, ancestors, user,
	 * container, pod) is looked up, @sctx being the ops' state argument;
	 * NULL: the line has no context keys. Read only while formatting. */
	const struct vgl_field_state_ops *sops;
	void *sctx;
};

enum vgl_fmt_style {
	VGL_FMT_HUMAN,
	VGL_FMT_JSON,
};

/*
 * Format @ev (as filled by vgl_decode()) into @buf (@size bytes, terminating
 * NUL included).
 * @opts may be NULL (time offset 0, no context). Returns the length of the line, or
 * -ENOSPC when it does not fit; the buffer then holds a cut line and is
 * still NUL-terminated when @size > 0. Nothing past buf[size - 1] is written.
 */
int vgl_fmt_json(const struct vgl_event *ev, const struct vgl_fmt_opts *opts, char *buf,
		 size_t size);
int vgl_fmt_human(const struct vgl_event *ev, const struct vgl_fmt_opts *opts, char *buf,
		  size_t size);
int vgl_fmt_event(const struct vgl_event *ev, enum vgl_fmt_style style,
		  const struct vgl_fmt_opts *opts, char *buf, size_t size);

/*
 * One parameter's value alone, as it appears in the event line: for JSON a
 * JSON value (number, string, array, object or null), for humans the text
 * after "name=". Same return convention as vgl_fmt_json().
 */
int vgl_fmt_param(const struct vgl_param *prm, enum vgl_fmt_style style, char *buf, size_t size);

/*
 * The current offset from CLOCK_BOOTTIME to CLOCK_REALTIME in ns, for
 * vgl_fmt_opts. Compute it once at start (and again if the wall clock is
 * stepped); 0 if a clock cannot be read.
 */
int64_t vgl_boot_to_realtime_ns(void);

#endif /* VIGIL_OUTPUT_EVENTFMT_H */
