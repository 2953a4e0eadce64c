/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Field registry: every field a condition or an output may name, with its
 * type and extractor. One file per field class (f_evt.c, f_proc.c, f_fd.c,
 * f_user.c, f_container.c, f_thread.c, f_docker.c).
 *
 * An extractor writes up to @max values and returns how many it wrote; 0
 * means "unknown for this event" (Falco's <NA>). Strings it builds go into the
 * context's scratch arena, so extraction never allocates.
 */
#ifndef VIGIL_RULES_FIELDS_H
#define VIGIL_RULES_FIELDS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "decode/event.h"
#include "rules/state.h"

enum vgl_ftype {
	FT_STR,
	FT_INT,
	FT_BOOL,
	FT_IP,	/* address; constants are addresses */
	FT_NET, /* address; constants are networks (a.b.c.d/n) */
};

struct vgl_fval {
	const char *s; /* FT_STR */
	size_t len;
	int64_t i; /* FT_INT, FT_BOOL */
	uint8_t ip[16];
	uint8_t fam; /* 4 or 6 for FT_IP / FT_NET */
	bool hashed; /* hash is valid (set lookups hash a value once per event) */
	uint64_t hash;
};

/* Field flags. */
#define FF_ARG_REQ     (1u << 0) /* needs [arg] */
#define FF_ARG_OPT     (1u << 1) /* takes an optional [arg] */
#define FF_ARG_NUM     (1u << 2) /* the argument is a number */
#define FF_MULTI       (1u << 3) /* several values: a comparison holds if one does */
#define FF_MULTI_NOARG (1u << 4) /* FF_MULTI without an argument only */
#define FF_STATE       (1u << 5) /* needs the state tracker */
#define FF_DNS	       (1u << 6) /* constants compared with it are names to resolve (dns.h) */

/* Values one multi-valued field extraction may produce. */
#define VGL_FIELD_MULTI_MAX 16
/* Ancestors walked by proc.aname and friends. */
#define VGL_ANCESTORS_MAX 16

/* Parameters the extractors read, looked up by index instead of by name. */
enum xparam {
	XP_PATH,
	XP_NAME,
	XP_FLAGS,
	XP_ARGS,
	XP_EXE,
	XP_CWD,
	XP_FD,
	XP_ADDR,
	XP_LADDR,
	XP_MAX,
};

struct vgl_xctx {
	int8_t pidx[VGL_EV_MAX][XP_MAX]; /* xctx_init() */
	const struct vgl_event *ev;
	const struct vgl_field_state_ops *ops;
	void *state;
	uint64_t evnum;
	int64_t boot_to_wall_ns; /* add to event timestamps for wall-clock time */
	char *scratch;
	size_t scratch_cap;
	size_t scratch_used;
	bool proc_done;
	const struct vgl_proc_view *proc;
	bool ctr_done;
	const struct vgl_container_view *ctr;
	bool fd_done;
	const struct vgl_fd_view *fd;
};

struct field_ref;
typedef int (*field_fn)(struct vgl_xctx *x, const struct field_ref *ref, struct vgl_fval *out,
			int max);

struct field_def {
	const char *name;
	enum vgl_ftype type;
	unsigned int flags;
	field_fn fn;
	int id; /* extractor's sub-field */
};

/* A field as named in a rule: definition plus parsed argument. */
struct field_ref {
	const struct field_def *def;
	char *arg;
	int64_t argn;
	bool has_arg;
	int8_t pidx[VGL_EV_MAX]; /* evt.arg.NAME: parameter index per kind, -1 none */
	unsigned int slot;	 /* per-event cache slot */
	int maxvals;
};

/*
 * Resolve @name (and @arg, NULL if none) into @ref. Returns 0, or -ENOENT
 * (unknown field) / -EINVAL (bad argument) with a message in @err.
 */
int field_resolve(const char *name, const char *arg, struct field_ref *ref, char *err,
		  size_t errlen);
void field_ref_clear(struct field_ref *ref);
bool field_ref_same(const struct field_ref *a, const struct field_ref *b);

/* Extract: returns the number of values (0 unknown). */
static inline int field_extract(struct vgl_xctx *x, const struct field_ref *ref,
				struct vgl_fval *out, int max)
{
	return ref->def->fn(x, ref, out, max);
}

/* Render one value as text (outputs, naive evaluation). */
size_t field_val_str(enum vgl_ftype type, const struct vgl_fval *v, char *buf, size_t size);

/* Helpers for the extractors (registry.c). */
char *xctx_alloc(struct vgl_xctx *x, size_t n);
int put_str(struct vgl_fval *out, const char *s);
int put_strn(struct vgl_fval *out, const char *s, size_t len);
int put_int(struct vgl_fval *out, int64_t i);
/* printf into scratch as a string value; 0 when it does not fit. */
int xctx_printf(struct vgl_xctx *x, struct vgl_fval *out, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
const struct vgl_proc_view *xctx_proc(struct vgl_xctx *x);
const struct vgl_proc_view *xctx_proc_of(struct vgl_xctx *x, uint32_t pid);
const struct vgl_container_view *xctx_container(struct vgl_xctx *x);
const struct vgl_param *xctx_param(const struct vgl_xctx *x, const char *name);
/* Parameter @xp of the current event, NULL if it has none or it is absent. */
static inline const struct vgl_param *xctx_p(const struct vgl_xctx *x, enum xparam xp)
{
	int i = x->pidx[x->ev->kind][xp];
	const struct vgl_param *p = i >= 0 ? &x->ev->params[i] : NULL;

	return p && !p->absent ? p : NULL;
}
/* Fill the parameter index table. */
void xctx_init(struct vgl_xctx *x);
bool ev_is_exec(const struct vgl_event *ev);
bool ev_is_open(const struct vgl_event *ev);
/* Join NUL-separated @s into scratch with @sep; NULL when out of scratch. */
const char *xctx_join(struct vgl_xctx *x, const char *s, size_t len, char sep, size_t *ret_len);

/* Render parameter @p of the current event like Falco's evt.arg.X. */
int param_render(struct vgl_xctx *x, const struct vgl_param *p, struct vgl_fval *out);

/* The field tables, each terminated by an entry with a NULL name. */
extern const struct field_def vgl_fields_evt[];
extern const struct field_def vgl_fields_proc[];
extern const struct field_def vgl_fields_thread[];
extern const struct field_def vgl_fields_fd[];
extern const struct field_def vgl_fields_user[];
extern const struct field_def vgl_fields_container[];
extern const struct field_def vgl_fields_docker[];
extern const struct field_def vgl_fields_ctr_posture[];

#endif /* VIGIL_RULES_FIELDS_H */
