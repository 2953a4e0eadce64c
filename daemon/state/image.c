// SPDX-License-Identifier: Apache-2.0
/* Image reference split, RFC 3339 times, and container metadata lifetime. */
#define _GNU_SOURCE /* memrchr */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "state/meta.h"

void vgl_ctr_meta_clear(struct vgl_ctr_meta *m)
{
	size_t i;

	if (!m)
		return;
	free(m->name);
	free(m->image);
	free(m->image_id);
	free(m->image_repository);
	free(m->image_tag);
	free(m->image_digest);
	for (i = 0; i < m->nmounts; i++) {
		free((char *)m->mounts[i].source);
		free((char *)m->mounts[i].dest);
		free((char *)m->mounts[i].mode);
		free((char *)m->mounts[i].propagation);
	}
	free(m->mounts);
	for (i = 0; i < m->nlabels; i++) {
		free(m->labels[i].key);
		free(m->labels[i].value);
	}
	free(m->labels);
	for (i = 0; i < m->npod_labels; i++) {
		free(m->pod_labels[i].key);
		free(m->pod_labels[i].value);
	}
	free(m->pod_labels);
	vgl_ctr_posture_clear(&m->posture);
	free(m->sandbox_id);
	free(m->k8s_ns_name);
	free(m->k8s_pod_name);
	free(m->k8s_pod_uid);
	free(m->k8s_container_name);
	memset(m, 0, sizeof(*m));
}

static int label_cmp(const void *a, const void *b)
{
	return strcmp(((const struct vgl_label *)a)->key, ((const struct vgl_label *)b)->key);
}

int vgl_ctr_meta_set_pod_labels(struct vgl_ctr_meta *m, const struct vgl_ctr_meta *sandbox)
{
	struct vgl_label *l = calloc(sandbox->nlabels + 1, sizeof(*l));
	size_t i, n = sandbox->nlabels;

	if (!l)
		return -ENOMEM;
	for (i = 0; i < n; i++) {
		l[i].key = strdup(sandbox->labels[i].key);
		l[i].value = strdup(sandbox->labels[i].value);
		if (!l[i].key || !l[i].value) {
			n = i + 1;
			goto out_free;
		}
	}
	qsort(l, n, sizeof(*l), label_cmp);
	for (i = 0; i < m->npod_labels; i++) {
		free(m->pod_labels[i].key);
		free(m->pod_labels[i].value);
	}
	free(m->pod_labels);
	m->pod_labels = l;
	m->npod_labels = n;
	return 0;

out_free:
	for (i = 0; i < n; i++) {
		free(l[i].key);
		free(l[i].value);
	}
	free(l);
	return -ENOMEM;
}

const char *vgl_ctr_meta_label(const struct vgl_ctr_meta *m, const char *key)
{
	size_t i;

	for (i = 0; i < m->nlabels; i++) {
		if (!strcmp(m->labels[i].key, key))
			return m->labels[i].value;
	}
	return NULL;
}

int vgl_image_split(const char *ref, struct vgl_ctr_meta *m)
{
	const char *at, *slash, *colon, *end;
	char *repo = NULL, *tag = NULL, *digest = NULL;

	if (!ref || !*ref)
		return -EINVAL;
	if (!strncmp(ref, "sha256:", 7)) { /* started by image id: no name to split */
		digest = strdup(ref);
		if (!digest)
			return -ENOMEM;
		free(m->image_repository);
		free(m->image_tag);
		free(m->image_digest);
		m->image_repository = m->image_tag = NULL;
		m->image_digest = digest;
		return 0;
	}
	at = strchr(ref, '@');
	end = at ? at : ref + strlen(ref);
	slash = memrchr(ref, '/', (size_t)(end - ref));
	/* a ':' after the last '/' is the tag; before it, a registry port */
	colon = memrchr(slash ? slash : ref, ':', (size_t)(end - (slash ? slash : ref)));
	repo = strndup(ref, (size_t)((colon ? colon : end) - ref));
	if (colon)
		tag = strndup(colon + 1, (size_t)(end - colon - 1));
	else if (!at)
		tag = strdup("latest");
	if (at)
		digest = strdup(at + 1);
	if (!repo || (colon && !tag) || (!colon && !at && !tag) || (at && !digest)) {
		free(repo);
		free(tag);
		free(digest);
		return -ENOMEM;
	}
	free(m->image_repository);
	free(m->image_tag);
	free(m->image_digest);
	m->image_repository = repo;
	m->image_tag = tag;
	m->image_digest = digest;
	return 0;
}

/* @n decimal digits at *@s into *@ret; advances *@s. */
static bool digits(const char **s, int n, int *ret)
{
	int v = 0;

	while (n-- > 0) {
		if (**s < '0' || **s > '9')
			return false;
		v = v * 10 + (*(*s)++ - '0');
	}
	*ret = v;
	return true;
}

/* "Z", "+hh:mm" or "-hh:mm" -> seconds east of UTC. */
static bool tz_offset(const char *s, int64_t *ret)
{
	int hh, mm, sign;

	if (*s == 'Z' || *s == 'z') {
		*ret = 0;
		return s[1] == '\0';
	}
	if (*s != '+' && *s != '-')
		return false;
	sign = *s++ == '-' ? -1 : 1;
	if (!digits(&s, 2, &hh) || *s++ != ':' || !digits(&s, 2, &mm) || *s)
		return false;
	*ret = sign * (hh * 3600 + mm * 60);
	return true;
}

bool vgl_parse_rfc3339(const char *s, int64_t *ret_ns)
{
	struct tm tm = { 0 };
	int64_t frac = 0, off, secs;
	int y, mo, d, h, mi, se, n = 0;

	if (!s || !digits(&s, 4, &y) || *s++ != '-' || !digits(&s, 2, &mo) || *s++ != '-' ||
	    !digits(&s, 2, &d) || (*s != 'T' && *s != 't' && *s != ' ') || !*s++ ||
	    !digits(&s, 2, &h) || *s++ != ':' || !digits(&s, 2, &mi) || *s++ != ':' ||
	    !digits(&s, 2, &se))
		return false;
	if (*s == '.') {
		for (s++; *s >= '0' && *s <= '9'; s++, n++) {
			if (n < 9)
				frac = frac * 10 + (*s - '0');
		}
		for (; n < 9; n++)
			frac *= 10;
	}
	if (!tz_offset(s, &off) || y < 1970 || mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 ||
	    mi > 59 || se > 60)
		return false;
	tm.tm_year = y - 1900;
	tm.tm_mon = mo - 1;
	tm.tm_mday = d;
	tm.tm_hour = h;
	tm.tm_min = mi;
	tm.tm_sec = se;
	secs = (int64_t)timegm(&tm) - off;
	if (secs <= 0)
		return false;
	*ret_ns = secs * 1000000000 + frac;
	return true;
}
