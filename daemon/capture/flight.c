// SPDX-License-Identifier: Apache-2.0
/*
 * The flight recorder (capture/flight.h): every event goes into the ring
 * and into the open captures it belongs to; an alert of a `capture: true`
 * rule begins a capture with what the ring holds of the alerting container
 * (on the host: of the alerting process and its descendants).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "capture/flight_int.h"

#define MAX_DURATION_NS_DEFAULT 60000000000ull
#define RING_BYTES_MIN		4096u

/* mkdir -p, each directory it creates 0700. */
static int mkdir_p(const char *dir)
{
	char *p, *s = strdup(dir);
	struct stat st;
	int err = 0;

	if (!s)
		return -ENOMEM;
	for (p = s + 1; !err; p++) {
		bool last = !*p;

		if (*p != '/' && !last)
			continue;
		*p = '\0';
		if (mkdir(s, 0700) && errno != EEXIST)
			err = -errno;
		if (last)
			break;
		*p = '/';
	}
	if (!err && stat(dir, &st))
		err = -errno;
	else if (!err && !S_ISDIR(st.st_mode))
		err = -ENOTDIR;
	free(s);
	return err;
}

static int opts_apply(struct vgl_flight *f, const struct vgl_flight_opts *o, char *err,
		      size_t errlen)
{
	size_t ring = o->ring_bytes ? o->ring_bytes : VGL_FLIGHT_BYTES_DEFAULT;
	size_t n;
	int ret;

	if (!o->dir || !*o->dir) {
		snprintf(err, errlen, "flight recorder: no directory");
		return -EINVAL;
	}
	if (ring < RING_BYTES_MIN) {
		snprintf(err, errlen, "flight recorder: ring size %zu below %u bytes", ring,
			 RING_BYTES_MIN);
		return -EINVAL;
	}
	f->dir = strdup(o->dir);
	if (!f->dir)
		return -ENOMEM;
	for (n = strlen(f->dir); n > 1 && f->dir[n - 1] == '/'; n--)
		f->dir[n - 1] = '\0';
	ret = mkdir_p(f->dir);
	if (ret) {
		snprintf(err, errlen, "flight recorder: directory %s: %s", f->dir, strerror(-ret));
		return ret;
	}
	f->window_ns = o->window_ns ? o->window_ns : VGL_FLIGHT_WINDOW_NS_DEFAULT;
	f->max_duration_ns = o->max_duration_ns ? o->max_duration_ns : MAX_DURATION_NS_DEFAULT;
	f->info = o->info;
	if (!f->info.format_version)
		vgl_cap_info_host(&f->info);
	ret = fl_ring_init(&f->ring, ring, f->window_ns);
	if (ret)
		snprintf(err, errlen, "flight recorder: ring of %zu bytes: %s", ring,
			 strerror(-ret));
	return ret;
}

struct vgl_flight *vgl_flight_new(const struct vgl_flight_opts *opts, char *err, size_t errlen)
{
	struct vgl_flight *f = calloc(1, sizeof(*f));
	int ret;

	if (!f) {
		snprintf(err, errlen, "flight recorder: %s", strerror(ENOMEM));
		return NULL;
	}
	ret = opts_apply(f, opts, err, errlen);
	if (!ret && (ret = fl_reap_init(&f->reaper)))
		snprintf(err, errlen, "flight recorder: cannot start its thread: %s",
			 strerror(-ret));
	if (ret) {
		fl_ring_fini(&f->ring);
		free(f->dir);
		free(f);
		errno = -ret;
		return NULL;
	}
	return f;
}

void vgl_flight_free(struct vgl_flight *f, struct vgl_flight_stats *ret_stats)
{
	size_t i;

	if (ret_stats)
		memset(ret_stats, 0, sizeof(*ret_stats));
	if (!f)
		return;
	for (i = 0; i < VGL_FLIGHT_OPEN_MAX; i++) {
		fl_cap_end(f, &f->caps[i]);
		free(f->caps[i].prev);
	}
	fl_reap_fini(&f->reaper);
	if (ret_stats)
		vgl_flight_stats(f, ret_stats); /* every writer closed: final */
	fl_ring_fini(&f->ring);
	free(f->dir);
	free(f);
}

/* Close the captures whose time is up; tick the others' writers. */
static void captures_tick(struct vgl_flight *f, uint64_t now_ns)
{
	size_t i;

	for (i = 0; f->nopen && i < VGL_FLIGHT_OPEN_MAX; i++) {
		struct fl_cap *c = &f->caps[i];

		if (!c->open)
			continue;
		if (now_ns >= c->end_ns)
			fl_cap_end(f, c);
		else
			vgl_capwriter_tick(c->w, now_ns);
	}
}

static void set_last(struct vgl_flight *f, const struct fl_view *v)
{
	struct fl_key *k = &f->last;

	k->host = v->ctr_len == 4 && !memcmp(v->ctr, "host", 4);
	k->pid = v->pid;
	memcpy(k->ctr, v->ctr, v->ctr_len);
	k->ctr[v->ctr_len] = '\0';
	k->ctr_len = v->ctr_len;
	f->have_last = true;
}

void vgl_flight_event(struct vgl_flight *f, const struct vgl_event *ev, const void *raw,
		      size_t size, const void *ctx, size_t ctx_len, const char *ctr_id,
		      const uint32_t *chain, size_t nchain, uint64_t now_ns)
{
	struct fl_view v = { .ts = now_ns, .raw = raw, .raw_len = size };
	size_t i;

	if (!f || !ev || !raw)
		return;
	v.pid = ev->hdr.pid;
	v.chain = chain && nchain ? chain : &v.pid;
	v.nchain = chain && nchain ? (nchain < FL_CHAIN_MAX ? nchain : FL_CHAIN_MAX) : 1;
	v.ctr = ctr_id && *ctr_id ? ctr_id : "host";
	v.ctr_len = strnlen(v.ctr, FL_CTR_MAX);
	v.ctx = ctx_len ? ctx : NULL;
	v.ctx_len = ctx ? ctx_len : 0;
	fl_ring_expire(&f->ring, now_ns);
	fl_ring_push(&f->ring, &v);
	set_last(f, &v);
	captures_tick(f, now_ns);
	for (i = 0; f->nopen && i < VGL_FLIGHT_OPEN_MAX; i++) {
		if (f->caps[i].open && fl_key_match(&f->caps[i].key, &v))
			fl_cap_write(f, &f->caps[i], &v);
	}
}

static bool same_key(const struct fl_key *a, const struct fl_key *b)
{
	if (a->host || b->host)
		return a->host == b->host && a->pid == b->pid;
	return a->ctr_len == b->ctr_len && !memcmp(a->ctr, b->ctr, a->ctr_len);
}

static struct fl_cap *find_open(struct vgl_flight *f, const char *rule)
{
	size_t i;

	for (i = 0; i < VGL_FLIGHT_OPEN_MAX; i++) {
		struct fl_cap *c = &f->caps[i];

		if (c->open && same_key(&c->key, &f->last) &&
		    !strncmp(c->rule, rule, sizeof(c->rule) - 1))
			return c;
	}
	return NULL;
}

static struct fl_cap *free_slot(struct vgl_flight *f)
{
	size_t i;

	for (i = 0; i < VGL_FLIGHT_OPEN_MAX; i++) {
		if (!f->caps[i].open)
			return &f->caps[i];
	}
	return NULL;
}

/* The window before the alert: what the ring holds of the capture's container or process. */
static void dump_ring(struct vgl_flight *f, struct fl_cap *c)
{
	struct fl_view v;
	struct fl_iter it;

	fl_ring_begin(&f->ring, &it);
	while (fl_ring_next(&f->ring, &it, &v)) {
		if (fl_key_match(&c->key, &v))
			fl_cap_write(f, c, &v);
	}
}

const char *vgl_flight_trigger(struct vgl_flight *f, const char *rule, uint64_t duration_ns,
			       uint64_t now_ns)
{
	uint64_t dur = duration_ns ? duration_ns : VGL_FLIGHT_DURATION_NS_DEFAULT;
	struct fl_cap *c;

	if (!f || !rule)
		return NULL;
	if (dur > f->max_duration_ns)
		dur = f->max_duration_ns;
	fl_ring_expire(&f->ring, now_ns);
	captures_tick(f, now_ns);
	if (!f->have_last) {
		f->st.refused++; /* nothing to capture */
		return NULL;
	}
	c = find_open(f, rule);
	if (c) {
		/* the same alert again: one file, longer, up to max_duration after the first */
		if (now_ns + dur > c->end_ns)
			c->end_ns = now_ns + dur;
		if (c->end_ns > c->start_ns + f->max_duration_ns)
			c->end_ns = c->start_ns + f->max_duration_ns;
		snprintf(f->path_out, sizeof(f->path_out), "%s", c->path);
		return f->path_out;
	}
	c = free_slot(f);
	if (!c) {
		f->st.refused++;
		return NULL;
	}
	if (fl_cap_begin(f, c, rule, now_ns)) {
		f->st.errors++;
		return NULL;
	}
	f->nopen++;
	f->st.captures++;
	c->end_ns = now_ns + dur;
	dump_ring(f, c);
	snprintf(f->path_out, sizeof(f->path_out), "%s", c->path);
	return f->path_out;
}

void vgl_flight_stats(const struct vgl_flight *f, struct vgl_flight_stats *ret)
{
	struct vgl_capwriter_stats s;
	size_t i;

	*ret = f->st;
	ret->ring_events = f->ring.count;
	ret->ring_evicted = f->ring.evicted;
	ret->events_lost = atomic_load(&f->reaper.events_lost);
	ret->errors += atomic_load(&f->reaper.errors);
	for (i = 0; i < VGL_FLIGHT_OPEN_MAX; i++) {
		if (!f->caps[i].open)
			continue;
		vgl_capwriter_stats(f->caps[i].w, &s);
		ret->events_lost += s.events_lost;
	}
}
