// SPDX-License-Identifier: Apache-2.0
/* Alerts: one allocation each, shared by reference, formatted per sink. */
#include <errno.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "output/alert.h"
#include "output/eventfmt_buf.h"
#include "rules/rules.h"

struct strs {
	char *p; /* next free byte of the block */
};

static const char *put_str(struct strs *b, const char *s, size_t n)
{
	char *d = b->p;

	if (n)
		memcpy(d, s, n);
	d[n] = '\0';
	b->p += n + 1;
	return d;
}

static size_t slen(const char *s)
{
	return s ? strlen(s) : 0;
}

struct vgl_alert *vgl_alert_new(const struct vgl_alert_parts *in)
{
	size_t ntags = in->ntags < VGL_ALERT_TAGS_MAX ? in->ntags : VGL_ALERT_TAGS_MAX;
	size_t size = sizeof(struct vgl_alert) + ntags * sizeof(char *);
	const char **tags;
	struct vgl_alert *a;
	struct strs b;
	size_t i;

	size += slen(in->rule) + slen(in->source) + slen(in->hostname) + 3;
	size += in->msg_len + in->json_len + 2;
	for (i = 0; i < ntags; i++)
		size += slen(in->tags[i]) + 1;
	a = malloc(size);
	if (!a)
		return NULL;
	tags = (const char **)(a + 1);
	b.p = (char *)(tags + ntags);
	*a = (struct vgl_alert){
		.refs = 1,
		.time_ns = in->time_ns,
		.priority = in->priority,
		.msg_len = in->msg_len,
		.json_len = in->json_len,
		.tags = tags,
		.ntags = ntags,
	};
	a->rule = put_str(&b, in->rule, slen(in->rule));
	a->source = put_str(&b, in->source, slen(in->source));
	a->hostname = put_str(&b, in->hostname, slen(in->hostname));
	a->msg = put_str(&b, in->msg, in->msg_len);
	a->json = put_str(&b, in->json, in->json_len);
	for (i = 0; i < ntags; i++)
		tags[i] = put_str(&b, in->tags[i], slen(in->tags[i]));
	return a;
}

struct vgl_alert *vgl_alert_ref(struct vgl_alert *a)
{
	__atomic_add_fetch(&a->refs, 1, __ATOMIC_RELAXED);
	return a;
}

void vgl_alert_unref(struct vgl_alert *a)
{
	if (a && __atomic_sub_fetch(&a->refs, 1, __ATOMIC_ACQ_REL) == 0)
		free(a);
}

bool vgl_alert_has_tag(const struct vgl_alert *a, const char *tag)
{
	for (size_t i = 0; i < a->ntags; i++) {
		if (!strcmp(a->tags[i], tag))
			return true;
	}
	return false;
}

size_t vgl_alert_escape(const char *s, size_t n, char *buf, size_t size)
{
	struct vgl_wbuf w;
	size_t len;

	/* the escaped form is at most 8 bytes per input byte (C1: \xc2\x85) */
	if (size == 0)
		return n * 8;
	vgl_wb_init(&w, buf, size);
	vgl_wb_text_esc(&w, s, n);
	len = (size_t)(w.p - w.start);
	*w.p = '\0';
	return w.full ? n * 8 : len;
}

/* Cut @w back to a UTF-8 boundary that leaves room for "...". */
static void cut_with_ellipsis(struct vgl_wbuf *w)
{
	char *p = w->end - 3;

	if (p < w->start)
		p = w->start;
	while (p > w->start && ((unsigned char)*p & 0xc0) == 0x80)
		p--; /* escaped text is valid UTF-8: do not split a sequence */
	memcpy(p, "...", 3);
	w->p = p + 3;
	w->full = false;
}

size_t vgl_alert_line(const struct vgl_alert *a, enum vgl_alert_format fmt, char *buf, size_t size)
{
	char prefix[VGL_ALERT_PREFIX_MAX];
	struct vgl_wbuf w;

	vgl_wb_init(&w, buf, size - 1); /* keep room for '\n' */
	if (fmt == VGL_ALERT_JSON) {
		vgl_wb_mem(&w, a->json, a->json_len);
	} else {
		/* the same prefix as the JSON's "output" */
		vgl_wb_mem(&w, prefix,
			   vgl_alert_prefix(a->time_ns, (enum vgl_priority)a->priority, prefix,
					    sizeof(prefix)));
		vgl_wb_text_esc(&w, a->msg, a->msg_len);
	}
	if (w.full)
		cut_with_ellipsis(&w);
	*w.p++ = '\n';
	return (size_t)(w.p - w.start);
}

/* The alert's output as in its JSON: prefix and message (bytes jansson
 * refuses, that is not UTF-8, as '?', as vgl_alert_json() does). */
static json_t *json_output(const struct vgl_alert *a)
{
	char *s = malloc(VGL_ALERT_PREFIX_MAX + a->msg_len + 1);
	json_t *j = NULL;
	size_t n;

	if (!s)
		return NULL;
	n = vgl_alert_prefix(a->time_ns, (enum vgl_priority)a->priority, s, VGL_ALERT_PREFIX_MAX);
	memcpy(s + n, a->msg, a->msg_len);
	n += a->msg_len;
	j = json_stringn(s, n);
	for (size_t i = 0; !j && i < n; i++)
		s[i] = (unsigned char)s[i] < 0x80 && s[i] ? s[i] : '?';
	if (!j)
		j = json_stringn(s, n);
	free(s);
	return j;
}

struct vgl_alert *vgl_alert_with_json(const struct vgl_alert *a)
{
	struct vgl_alert_parts p = {
		.time_ns = a->time_ns,
		.priority = a->priority,
		.rule = a->rule,
		.source = a->source,
		.hostname = a->hostname,
		.msg = a->msg,
		.msg_len = a->msg_len,
		.tags = a->tags,
		.ntags = a->ntags,
	};
	json_t *o = json_object(), *tags = json_array();
	struct vgl_alert *ret = NULL;
	char iso[64], *json = NULL;

	vgl_alert_rfc3339(a->time_ns, iso, sizeof(iso));
	for (size_t i = 0; tags && i < a->ntags; i++)
		json_array_append_new(tags, json_string(a->tags[i]));
	if (o && tags) {
		json_object_set_new(o, "hostname", json_string(a->hostname));
		json_object_set_new(o, "output", json_output(a));
		json_object_set_new(o, "output_fields",
				    json_pack("{s:I}", "evt.time", (json_int_t)a->time_ns));
		json_object_set_new(o, "priority", json_string(vgl_priority_name(a->priority)));
		json_object_set_new(o, "rule", json_string(a->rule));
		json_object_set_new(o, "source", json_string(a->source));
		json_object_set_new(o, "tags", json_incref(tags));
		json_object_set_new(o, "time", json_string(iso));
		json = json_dumps(o, JSON_COMPACT | JSON_ENSURE_ASCII);
	}
	json_decref(tags);
	json_decref(o);
	if (json) {
		p.json = json;
		p.json_len = strlen(json);
		ret = vgl_alert_new(&p);
	}
	free(json);
	return ret;
}

/* --- spool encoding -------------------------------------------------------
 *
 *	i64 time_ns, u8 priority, u8 ntags, u16 0, then the strings rule,
 *	source, hostname, msg, json, tags[0..ntags), each u32 length + bytes
 *	(host byte order: a spool stays on the host that wrote it)
 */

#define ENC_FIXED (8 + 4)

static void enc_str(uint8_t **p, const char *s, size_t n)
{
	uint32_t len = (uint32_t)n;

	memcpy(*p, &len, 4);
	memcpy(*p + 4, s, n);
	*p += 4 + n;
}

int vgl_alert_encode(const struct vgl_alert *a, uint8_t **ret, size_t *ret_len)
{
	size_t len = ENC_FIXED + 4 * (5 + a->ntags), i;
	uint8_t *buf, *p;
	uint8_t hdr[4] = { (uint8_t)a->priority, (uint8_t)a->ntags, 0, 0 };

	len += strlen(a->rule) + strlen(a->source) + strlen(a->hostname);
	len += a->msg_len + a->json_len;
	for (i = 0; i < a->ntags; i++)
		len += strlen(a->tags[i]);
	buf = malloc(len);
	if (!buf)
		return -ENOMEM;
	memcpy(buf, &a->time_ns, 8);
	memcpy(buf + 8, hdr, 4);
	p = buf + ENC_FIXED;
	enc_str(&p, a->rule, strlen(a->rule));
	enc_str(&p, a->source, strlen(a->source));
	enc_str(&p, a->hostname, strlen(a->hostname));
	enc_str(&p, a->msg, a->msg_len);
	enc_str(&p, a->json, a->json_len);
	for (i = 0; i < a->ntags; i++)
		enc_str(&p, a->tags[i], strlen(a->tags[i]));
	*ret = buf;
	*ret_len = len;
	return 0;
}

struct dec {
	const uint8_t *p, *end;
};

/* The next string: its bytes (not NUL-terminated) and length, or false. */
static bool dec_str(struct dec *d, const char **s, size_t *n)
{
	uint32_t len;

	if ((size_t)(d->end - d->p) < 4)
		return false;
	memcpy(&len, d->p, 4);
	if (len > (size_t)(d->end - d->p) - 4 || memchr(d->p + 4, '\0', len))
		return false;
	*s = (const char *)d->p + 4;
	*n = len;
	d->p += 4 + len;
	return true;
}

/* Copies of the strings, NUL-terminated, in @tmp (freed by the caller). */
static int dec_strs(struct dec *d, size_t n, char **out, char *tmp)
{
	for (size_t i = 0; i < n; i++) {
		const char *s;
		size_t len;

		if (!dec_str(d, &s, &len))
			return -EINVAL;
		memcpy(tmp, s, len);
		tmp[len] = '\0';
		out[i] = tmp;
		tmp += len + 1;
	}
	return d->p == d->end ? 0 : -EINVAL;
}

int vgl_alert_decode(const uint8_t *buf, size_t len, struct vgl_alert **ret)
{
	struct vgl_alert_parts parts = { 0 };
	char *s[5 + VGL_ALERT_TAGS_MAX];
	struct dec d = { buf + ENC_FIXED, buf + len };
	struct vgl_alert *a;
	char *tmp;
	int err;

	if (len < ENC_FIXED || len > VGL_ALERT_JSON_MAX + VGL_ALERT_MSG_MAX + 65536)
		return -EINVAL;
	memcpy(&parts.time_ns, buf, 8);
	parts.priority = buf[8];
	parts.ntags = buf[9];
	if (parts.priority > VGL_PRI_DEBUG || parts.ntags > VGL_ALERT_TAGS_MAX || buf[10] ||
	    buf[11])
		return -EINVAL;
	tmp = malloc(len);
	if (!tmp)
		return -ENOMEM;
	err = dec_strs(&d, 5 + parts.ntags, s, tmp);
	if (!err) {
		parts.rule = s[0];
		parts.source = s[1];
		parts.hostname = s[2];
		parts.msg = s[3];
		parts.msg_len = strlen(s[3]);
		parts.json = s[4];
		parts.json_len = strlen(s[4]);
		parts.tags = (const char *const *)&s[5];
		a = vgl_alert_new(&parts);
		err = a ? 0 : -ENOMEM;
		if (a)
			*ret = a;
	}
	free(tmp);
	return err;
}
