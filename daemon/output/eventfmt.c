// SPDX-License-Identifier: Apache-2.0
/*
 * Event lines (docs/events.md): the fixed fields of the header, the
 * parameters in table order, then the context. Values are written by
 * eventfmt_value.c, the context by eventfmt_ctx.c.
 */
#include <errno.h>
#include <time.h>

#include "output/eventfmt.h"
#include "output/eventfmt_buf.h"

#define NSEC_PER_SEC  1000000000LL
#define SEC_PER_DAY   86400
#define VGL_ERRNO_MAX 4095 /* results in [-4095, -1] are -errno */

/* Wall-clock time, UTC. */
struct civil {
	int64_t year;
	unsigned int month, day;
	unsigned int sec_of_day;
	unsigned int nsec;
};

/* Days since 1970-01-01 to a proleptic Gregorian date (H. Hinnant's algorithm). */
static void civil_from_days(int64_t days, struct civil *c)
{
	int64_t z = days + 719468;
	int64_t era = (z >= 0 ? z : z - 146096) / 146097;
	int64_t doe = z - era * 146097;
	int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	int64_t mp = (5 * doy + 2) / 153;

	c->day = (unsigned int)(doy - (153 * mp + 2) / 5 + 1);
	c->month = (unsigned int)(mp < 10 ? mp + 3 : mp - 9);
	c->year = yoe + era * 400 + (c->month <= 2);
}

/* gmtime_r() takes a lock in glibc: do the arithmetic here instead. */
static void wall_time(uint64_t ts, const struct vgl_fmt_opts *opts, struct civil *c)
{
	/* modular sum, then the int64 range of CLOCK_REALTIME (1677..2262) */
	int64_t ns = (int64_t)(ts + (uint64_t)(opts ? opts->boot_to_realtime_ns : 0));
	int64_t sec = ns / NSEC_PER_SEC;
	int64_t nsec = ns % NSEC_PER_SEC;
	int64_t days, sod;

	if (nsec < 0) {
		nsec += NSEC_PER_SEC;
		sec--;
	}
	days = sec / SEC_PER_DAY;
	sod = sec % SEC_PER_DAY;
	if (sod < 0) {
		sod += SEC_PER_DAY;
		days--;
	}
	civil_from_days(days, c);
	c->sec_of_day = (unsigned int)sod;
	c->nsec = (unsigned int)nsec;
}

/* 08:10:00.123456789 */
static void put_clock(struct vgl_wbuf *w, const struct civil *c)
{
	vgl_wb_digits(w, c->sec_of_day / 3600, 2);
	vgl_wb_char(w, ':');
	vgl_wb_digits(w, c->sec_of_day / 60 % 60, 2);
	vgl_wb_char(w, ':');
	vgl_wb_digits(w, c->sec_of_day % 60, 2);
	vgl_wb_char(w, '.');
	vgl_wb_digits(w, c->nsec, 9);
}

/* 2026-11-22T08:10:00.123456789Z */
static void put_rfc3339(struct vgl_wbuf *w, const struct civil *c)
{
	vgl_wb_digits(w, (uint64_t)c->year, 4);
	vgl_wb_char(w, '-');
	vgl_wb_digits(w, c->month, 2);
	vgl_wb_char(w, '-');
	vgl_wb_digits(w, c->day, 2);
	vgl_wb_char(w, 'T');
	put_clock(w, c);
	vgl_wb_char(w, 'Z');
}

static bool res_is_errno(int64_t res)
{
	return res < 0 && res >= -VGL_ERRNO_MAX;
}

static size_t comm_len(const struct vgl_hdr *h)
{
	return strnlen(h->comm, VGL_COMM_LEN - 1);
}

#define JSON_KEY(w, key) vgl_wb_lit(w, ", \"" key "\": ")

static void put_json_ids(struct vgl_wbuf *w, const struct vgl_hdr *h)
{
	JSON_KEY(w, "pid");
	vgl_wb_u64(w, h->pid);
	JSON_KEY(w, "tid");
	vgl_wb_u64(w, h->tid);
	JSON_KEY(w, "ppid");
	vgl_wb_u64(w, h->ppid);
	JSON_KEY(w, "uid");
	vgl_wb_id(w, h->uid);
	JSON_KEY(w, "gid");
	vgl_wb_id(w, h->gid);
	JSON_KEY(w, "euid");
	vgl_wb_id(w, h->euid);
	JSON_KEY(w, "egid");
	vgl_wb_id(w, h->egid);
	JSON_KEY(w, "loginuid");
	vgl_wb_id(w, h->loginuid);
	JSON_KEY(w, "comm");
	vgl_wb_quoted(w, h->comm, comm_len(h), true);
	JSON_KEY(w, "cgroup_id");
	vgl_wb_u64(w, h->cgroup_id);
	JSON_KEY(w, "mntns");
	vgl_wb_u64(w, h->mntns);
	JSON_KEY(w, "pidns");
	vgl_wb_u64(w, h->pidns);
}

static void put_json_result(struct vgl_wbuf *w, const struct vgl_hdr *h)
{
	JSON_KEY(w, "res");
	vgl_wb_s64(w, h->res);
	if (res_is_errno(h->res)) {
		const char *name = vgl_errno_name(-h->res);

		JSON_KEY(w, "error");
		vgl_wb_char(w, '"');
		if (name)
			vgl_wb_str(w, name);
		else
			vgl_wb_u64(w, (uint64_t)-h->res);
		vgl_wb_char(w, '"');
	}
	if (h->flags & VGL_EVF_TRUNCATED)
		vgl_wb_lit(w, ", \"truncated\": true");
	if (h->flags & VGL_EVF_USER_ARGS)
		vgl_wb_lit(w, ", \"user_args\": true");
}

int vgl_fmt_json(const struct vgl_event *ev, const struct vgl_fmt_opts *opts, char *buf,
		 size_t size)
{
	struct vgl_wbuf w;
	struct civil c;

	if (!size)
		return -ENOSPC;
	vgl_wb_init(&w, buf, size);
	wall_time(ev->hdr.ts, opts, &c);
	vgl_wb_lit(&w, "{\"time\": \"");
	put_rfc3339(&w, &c);
	vgl_wb_lit(&w, "\", \"ts\": ");
	vgl_wb_u64(&w, ev->hdr.ts);
	JSON_KEY(&w, "type");
	vgl_wb_char(&w, '"');
	vgl_wb_str(&w, ev->info->name);
	vgl_wb_char(&w, '"');
	put_json_ids(&w, &ev->hdr);
	put_json_result(&w, &ev->hdr);
	vgl_wb_lit(&w, ", \"args\": {");
	for (unsigned int i = 0; i < ev->nparams && !w.full; i++) {
		if (i)
			vgl_wb_lit(&w, ", ");
		vgl_wb_char(&w, '"');
		vgl_wb_str(&w, ev->params[i].info->name);
		vgl_wb_lit(&w, "\": ");
		vgl_wb_value(&w, &ev->params[i], true);
	}
	vgl_wb_char(&w, '}');
	if (opts && opts->sops && !w.full)
		vgl_wb_context(&w, ev, opts, true);
	vgl_wb_char(&w, '}');
	return vgl_wb_finish(&w);
}

/* 08:10:00.123456789 openat cat[1234/1234] ppid=1000 uid=0 res=-2(ENOENT) */
static void put_human_header(struct vgl_wbuf *w, const struct vgl_event *ev,
			     const struct vgl_fmt_opts *opts)
{
	const struct vgl_hdr *h = &ev->hdr;
	const char *err = res_is_errno(h->res) ? vgl_errno_name(-h->res) : NULL;
	struct civil c;

	wall_time(h->ts, opts, &c);
	put_clock(w, &c);
	vgl_wb_char(w, ' ');
	vgl_wb_str(w, ev->info->name);
	vgl_wb_char(w, ' ');
	vgl_wb_c_esc(w, h->comm, comm_len(h));
	vgl_wb_char(w, '[');
	vgl_wb_u64(w, h->pid);
	vgl_wb_char(w, '/');
	vgl_wb_u64(w, h->tid);
	vgl_wb_lit(w, "] ppid=");
	vgl_wb_u64(w, h->ppid);
	vgl_wb_lit(w, " uid=");
	vgl_wb_id(w, h->uid);
	vgl_wb_lit(w, " res=");
	vgl_wb_s64(w, h->res);
	if (err) {
		vgl_wb_char(w, '(');
		vgl_wb_str(w, err);
		vgl_wb_char(w, ')');
	}
}

int vgl_fmt_human(const struct vgl_event *ev, const struct vgl_fmt_opts *opts, char *buf,
		  size_t size)
{
	struct vgl_wbuf w;

	if (!size)
		return -ENOSPC;
	vgl_wb_init(&w, buf, size);
	put_human_header(&w, ev, opts);
	for (unsigned int i = 0; i < ev->nparams && !w.full; i++) {
		vgl_wb_char(&w, ' ');
		vgl_wb_str(&w, ev->params[i].info->name);
		vgl_wb_char(&w, '=');
		vgl_wb_value(&w, &ev->params[i], false);
	}
	if (opts && opts->sops && !w.full)
		vgl_wb_context(&w, ev, opts, false);
	return vgl_wb_finish(&w);
}

int vgl_fmt_event(const struct vgl_event *ev, enum vgl_fmt_style style,
		  const struct vgl_fmt_opts *opts, char *buf, size_t size)
{
	if (style == VGL_FMT_JSON)
		return vgl_fmt_json(ev, opts, buf, size);
	return vgl_fmt_human(ev, opts, buf, size);
}

int vgl_fmt_param(const struct vgl_param *prm, enum vgl_fmt_style style, char *buf, size_t size)
{
	struct vgl_wbuf w;

	if (!size)
		return -ENOSPC;
	vgl_wb_init(&w, buf, size);
	vgl_wb_value(&w, prm, style == VGL_FMT_JSON);
	return vgl_wb_finish(&w);
}

static int64_t ts_ns(const struct timespec *t)
{
	return (int64_t)t->tv_sec * NSEC_PER_SEC + t->tv_nsec;
}

int64_t vgl_boot_to_realtime_ns(void)
{
	struct timespec boot0, real, boot1;

	/* the boot time halfway between two reads matches the real-time read */
	if (clock_gettime(CLOCK_BOOTTIME, &boot0) || clock_gettime(CLOCK_REALTIME, &real) ||
	    clock_gettime(CLOCK_BOOTTIME, &boot1))
		return 0;
	return ts_ns(&real) - (ts_ns(&boot0) + (ts_ns(&boot1) - ts_ns(&boot0)) / 2);
}
