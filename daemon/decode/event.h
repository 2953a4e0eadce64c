/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Decoded events: the userspace view of one ring-buffer record.
 *
 * vgl_decode() validates a raw record against the wire format and the event
 * table of include/vigil/events.h and fills a struct vgl_event whose string
 * parameters point into the record (no copy, no allocation). The record must
 * outlive the event.
 */
#ifndef VIGIL_DECODE_EVENT_H
#define VIGIL_DECODE_EVENT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "vigil/events.h"

struct vgl_param_info {
	enum vgl_ptype type;
	const char *name;
};

struct vgl_kind_info {
	const char *name; /* Falco event name (evt.type) */
	unsigned int nparams;
	const struct vgl_param_info *params;
};

/* The event table, indexed by enum vgl_kind; VGL_EV_UNKNOWN has no name. */
extern const struct vgl_kind_info vgl_kind_info[VGL_EV_MAX];

/* A set of event kinds, indexed by enum vgl_kind (what to capture, print...). */
struct vgl_kindset {
	bool has[VGL_EV_MAX];
};

/* Kind for a Falco event name, or VGL_EV_UNKNOWN. */
enum vgl_kind vgl_kind_by_name(const char *name);

/*
 * Is @n a parameter count a record of @kind may have: the current one, or
 * that of wire version 1 (parameters are only appended: decode.c)?
 */
bool vgl_kind_nparams_ok(unsigned int kind, unsigned int n);

/* Is @kind raised by userspace, with no syscall behind it (the container event)? */
static inline bool vgl_kind_from_userspace(unsigned int kind)
{
	return kind == VGL_EV_CONTAINER;
}

/* Index of a parameter of @kind by name, or -1. */
int vgl_param_index(enum vgl_kind kind, const char *name);

struct vgl_sockaddr {
	uint16_t family;  /* AF_* */
	uint16_t port;	  /* host byte order */
	uint8_t addr[16]; /* AF_INET: first 4 bytes; network byte order */
	const char *path; /* AF_UNIX: not NUL-terminated, may start with NUL */
	size_t path_len;
};

struct vgl_param {
	const struct vgl_param_info *info;
	bool absent; /* the kernel could not read the value */
	union {
		int64_t i; /* S64 FD PID and the flag types, as signed */
		uint64_t u;
	} num;
	const char *str; /* STR PATH: NUL-terminated; ARGV: NUL-separated (num.u = count) */
	size_t len;	 /* bytes of str, without the final NUL */
	struct vgl_sockaddr sa;
};

struct vgl_event {
	struct vgl_hdr hdr; /* copied, so the record may be unaligned */
	enum vgl_kind kind;
	const struct vgl_kind_info *info;
	unsigned int nparams; /* the record's: fewer than info's for wire version 1 */
	struct vgl_param params[VGL_MAX_PARAMS]; /* info->nparams filled */
};

/* Why a record was rejected. */
enum vgl_decode_err {
	VGL_DECODE_OK = 0,
	VGL_DECODE_SHORT,	 /* shorter than its header or its length table */
	VGL_DECODE_SIZE,	 /* hdr.size disagrees with the buffer or the limit */
	VGL_DECODE_KIND,	 /* unknown kind */
	VGL_DECODE_NPARAMS,	 /* parameter count differs from the table */
	VGL_DECODE_PARAM_LEN,	 /* parameter lengths overrun the record */
	VGL_DECODE_PARAM_FORMAT, /* a parameter's bytes do not fit its type */
};

/*
 * Decode @size bytes at @data into @ret_ev. Returns 0, or -EINVAL and sets
 * *@ret_err (may be NULL) to the reason; @ret_ev is untouched on failure.
 */
int vgl_decode(const void *data, size_t size, struct vgl_event *ret_ev,
	       enum vgl_decode_err *ret_err);

/* Short English text for a decode error. */
const char *vgl_decode_strerror(enum vgl_decode_err err);

/* Parameter of @ev by name, or NULL. */
const struct vgl_param *vgl_event_param(const struct vgl_event *ev, const char *name);

#endif /* VIGIL_DECODE_EVENT_H */
