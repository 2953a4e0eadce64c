// SPDX-License-Identifier: Apache-2.0
/* evt.* fields: the event itself. */
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "output/names.h"
#include "rules/fields/fields.h"

enum {
	E_TYPE,
	E_DIR,
	E_RES,
	E_RAWRES,
	E_FAILED,
	E_NUM,
	E_TIME,
	E_TIME_S,
	E_DATETIME,
	E_ISO8601,
	E_RAWTIME,
	E_RAWTIME_S,
	E_RAWTIME_NS,
	E_HOSTNAME,
	E_ARGS,
	E_ARG,
	E_RAWARG,
	E_OPEN_READ,
	E_OPEN_WRITE,
	E_OPEN_EXEC,
	E_OPEN_CREATE,
	E_SOURCE,
	E_UNKNOWN,
	E_CPU,
	E_DELTA,
};

static int fmt_time(struct vgl_xctx *x, int id, struct vgl_fval *out)
{
	int64_t ns = (int64_t)x->ev->hdr.ts + x->boot_to_wall_ns;
	time_t s = (time_t)(ns / 1000000000);
	long frac = (long)(ns % 1000000000);
	struct tm tm;

	if (!gmtime_r(&s, &tm))
		return 0;
	switch (id) {
	case E_TIME:
		return xctx_printf(x, out, "%02d:%02d:%02d.%09ld", tm.tm_hour, tm.tm_min, tm.tm_sec,
				   frac);
	case E_TIME_S:
		return xctx_printf(x, out, "%02d:%02d:%02d", tm.tm_hour, tm.tm_min, tm.tm_sec);
	case E_DATETIME:
		return xctx_printf(x, out, "%04d-%02d-%02d %02d:%02d:%02d.%09ld", tm.tm_year + 1900,
				   tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec,
				   frac);
	default:
		return xctx_printf(x, out, "%04d-%02d-%02dT%02d:%02d:%02d.%09ldZ",
				   tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday, tm.tm_hour,
				   tm.tm_min, tm.tm_sec, frac);
	}
}

static int fmt_res(struct vgl_xctx *x, struct vgl_fval *out)
{
	int64_t res = x->ev->hdr.res;
	const char *name;

	if (res >= 0)
		return put_str(out, "SUCCESS");
	name = vgl_errno_name(-res);
	if (name)
		return put_str(out, name);
	return xctx_printf(x, out, "%" PRId64, res);
}

/* evt.args: "name=value name=value ...". */
/*
 * "name=value name=value ...", built at the start of the scratch space this
 * call uses: a value rendered into scratch lies after what is built so far,
 * so each "name=value" is assembled after it, then moved down to the end of
 * the result and the scratch after it given back.
 */
static int fmt_args(struct vgl_xctx *x, struct vgl_fval *out)
{
	size_t start = x->scratch_used, end = start, i, nl, len;
	struct vgl_fval v;
	char *d;

	for (i = 0; i < x->ev->nparams; i++) {
		const struct vgl_param *p = &x->ev->params[i];

		nl = strlen(p->info->name);
		if (!param_render(x, p, &v))
			v.s = "<NA>", v.len = 4;
		len = (i ? 1 : 0) + nl + 1 + v.len;
		d = xctx_alloc(x, len);
		if (!d)
			return 0;
		memmove(d + len - v.len, v.s, v.len);
		if (i)
			*d++ = ' ';
		memcpy(d, p->info->name, nl);
		d[nl] = '=';
		memmove(x->scratch + end, d - (i ? 1 : 0), len);
		end += len;
		x->scratch_used = end;
	}
	d = xctx_alloc(x, 1);
	if (!d)
		return 0;
	*d = '\0';
	return put_strn(out, x->scratch + start, end - start);
}

static const struct vgl_param *arg_param(struct vgl_xctx *x, const struct field_ref *ref)
{
	int idx = ref->argn >= 0 ? (int)ref->argn : ref->pidx[x->ev->kind];

	if (idx < 0 || (unsigned int)idx >= x->ev->nparams)
		return NULL;
	return &x->ev->params[idx];
}

static int open_flag(struct vgl_xctx *x, int id, struct vgl_fval *out)
{
	const struct vgl_param *p;
	int64_t f, acc;

	if (!ev_is_open(x->ev))
		return put_int(out, 0);
	p = xctx_p(x, XP_FLAGS);
	if (!p)
		return 0;
	f = p->num.i;
	acc = f & O_ACCMODE;
	switch (id) {
	case E_OPEN_READ:
		return put_int(out, acc == O_RDONLY || acc == O_RDWR);
	case E_OPEN_WRITE:
		return put_int(out, acc == O_WRONLY || acc == O_RDWR);
	case E_OPEN_CREATE:
		return put_int(out, (f & O_CREAT) != 0);
	case E_OPEN_EXEC: /* as libsinsp: a file created with an execute bit */
		p = xctx_param(x, "mode");
		return put_int(out, (f & O_CREAT) && p && (p->num.u & 0111));
	default:
		return put_int(out, 0);
	}
}

static int ex_raw(struct vgl_xctx *x, const struct field_ref *ref, struct vgl_fval *out)
{
	const struct vgl_param *p = arg_param(x, ref);

	if (!p || p->absent || p->info->type >= VGL_PT_STR)
		return 0;
	return put_int(out, p->num.i);
}

static int ex_evt(struct vgl_xctx *x, const struct field_ref *ref, struct vgl_fval *out, int max)
{
	const struct vgl_event *ev = x->ev;
	int id = ref->def->id;

	(void)max;
	switch (id) {
	case E_TYPE:
		return ev->info ? put_str(out, ev->info->name) : 0;
	case E_DIR:
		return put_str(out, "<");
	case E_RES:
		return fmt_res(x, out);
	case E_RAWRES:
		return put_int(out, ev->hdr.res);
	case E_FAILED:
		return put_int(out, ev->hdr.res < 0);
	case E_NUM:
		return put_int(out, (int64_t)x->evnum);
	case E_TIME:
	case E_TIME_S:
	case E_DATETIME:
	case E_ISO8601:
		return fmt_time(x, id, out);
	case E_RAWTIME:
		return put_int(out, (int64_t)ev->hdr.ts + x->boot_to_wall_ns);
	case E_RAWTIME_S:
		return put_int(out, ((int64_t)ev->hdr.ts + x->boot_to_wall_ns) / 1000000000);
	case E_RAWTIME_NS:
		return put_int(out, ((int64_t)ev->hdr.ts + x->boot_to_wall_ns) % 1000000000);
	case E_HOSTNAME:
		return x->ops && x->ops->hostname ? put_str(out, x->ops->hostname(x->state)) : 0;
	case E_ARGS:
		return fmt_args(x, out);
	case E_ARG:
		return param_render(x, arg_param(x, ref), out);
	case E_RAWARG:
		return ex_raw(x, ref, out);
	case E_OPEN_READ:
	case E_OPEN_WRITE:
	case E_OPEN_EXEC:
	case E_OPEN_CREATE:
		return open_flag(x, id, out);
	case E_SOURCE:
		return put_str(out, "syscall");
	default:
		return 0;
	}
}

#define EVT(n, t, f, id)            \
	{                           \
		n, t, f, ex_evt, id \
	}

const struct field_def vgl_fields_evt[] = {
	EVT("evt.type", FT_STR, 0, E_TYPE),
	EVT("evt.dir", FT_STR, 0, E_DIR),
	EVT("evt.res", FT_STR, 0, E_RES),
	EVT("evt.rawres", FT_INT, 0, E_RAWRES),
	EVT("evt.failed", FT_BOOL, 0, E_FAILED),
	EVT("evt.num", FT_INT, 0, E_NUM),
	EVT("evt.time", FT_STR, 0, E_TIME),
	EVT("evt.time.s", FT_STR, 0, E_TIME_S),
	EVT("evt.time.iso8601", FT_STR, 0, E_ISO8601),
	EVT("evt.datetime", FT_STR, 0, E_DATETIME),
	EVT("evt.datetime.s", FT_STR, 0, E_DATETIME),
	EVT("evt.rawtime", FT_INT, 0, E_RAWTIME),
	EVT("evt.rawtime.s", FT_INT, 0, E_RAWTIME_S),
	EVT("evt.rawtime.ns", FT_INT, 0, E_RAWTIME_NS),
	EVT("evt.hostname", FT_STR, FF_STATE, E_HOSTNAME),
	EVT("evt.args", FT_STR, 0, E_ARGS),
	EVT("evt.arg", FT_STR, FF_ARG_REQ, E_ARG),
	EVT("evt.rawarg", FT_INT, FF_ARG_REQ, E_RAWARG),
	EVT("evt.is_open_read", FT_BOOL, 0, E_OPEN_READ),
	EVT("evt.is_open_write", FT_BOOL, 0, E_OPEN_WRITE),
	EVT("evt.is_open_exec", FT_BOOL, 0, E_OPEN_EXEC),
	EVT("evt.is_open_create", FT_BOOL, 0, E_OPEN_CREATE),
	EVT("evt.source", FT_STR, 0, E_SOURCE),
	EVT("evt.buffer", FT_STR, 0, E_UNKNOWN),
	EVT("evt.rawbuffer", FT_STR, 0, E_UNKNOWN),
	EVT("evt.cpu", FT_INT, 0, E_UNKNOWN),
	EVT("evt.deltatime", FT_INT, 0, E_UNKNOWN),
	EVT("evt.latency", FT_INT, 0, E_UNKNOWN),
	EVT("evt.category", FT_STR, 0, E_UNKNOWN),
	{ NULL, 0, 0, NULL, 0 },
};
