// SPDX-License-Identifier: Apache-2.0
/*
 * The capture-file source: capture files read one after the other with the
 * capture reader, each record handed to the callback of its type. The
 * reader skips damage and says where; this file adds the file name to
 * what cannot be read at all, the per-file loss report and the
 * architecture translation.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "capture/reader.h"
#include "decode/event.h"
#include "source/source.h"
#include "util/log.h"

struct vgl_capsrc {
	const char *const *paths;
	size_t n, next; /* next file to open */
	struct vgl_capsrc_cbs cbs;
	struct vgl_capreader *r; /* the file being read; NULL: between files */
	const char *path;
	int xlate;			  /* vgl_capsrc_arch() for the current file */
	struct vgl_arch_xlate arch;	  /* ... its translation */
	uint64_t file_not_recorded;	  /* LOSS records of the current file */
	struct vgl_capsrc_stats st;	  /* of the files done */
	unsigned char buf[VGL_EVENT_MAX]; /* a translated record */
};

int vgl_capsrc_open(const char *const *paths, size_t n, const struct vgl_capsrc_cbs *cbs,
		    struct vgl_capsrc **ret)
{
	struct vgl_capsrc *s = calloc(1, sizeof(*s));

	if (!s)
		return -ENOMEM;
	s->paths = paths;
	s->n = n;
	s->cbs = *cbs;
	*ret = s;
	return 0;
}

/* The reader's warnings name the file and offset already. */
static void warn(void *ctx, const char *msg)
{
	(void)ctx;
	vgl_warn("%s", msg);
}

/* Refuse what this build cannot decode; say what it will translate. */
static int check_header(struct vgl_capsrc *s, const struct vgl_cap_info *info)
{
	if (info->wire_version > VGL_WIRE_VERSION) {
		vgl_err("%s: its events are in wire format %u, this vigil reads up to %d: "
			"replay it with a newer vigil",
			s->path, info->wire_version, VGL_WIRE_VERSION);
		return -EPROTONOSUPPORT;
	}
	s->xlate = vgl_capsrc_arch(info->arch, &s->arch);
	if (s->xlate == -ENOTSUP)
		vgl_warn("%s: recorded on '%s', an architecture this vigil does not know: "
			 "open flags are read as this host's",
			 s->path, info->arch);
	return 0;
}

/* Open the next file that can be read: 1, or 0 when none is left. */
static int next_file(struct vgl_capsrc *s)
{
	char err[512];
	int ret;

	while (s->next < s->n) {
		s->path = s->paths[s->next++];
		s->file_not_recorded = 0;
		err[0] = '\0';
		ret = vgl_capreader_open(s->path, warn, s, &s->r, err, sizeof(err));
		if (ret) {
			vgl_err("%s", err[0] ? err : strerror(-ret));
			s->st.files_failed++;
			continue;
		}
		ret = check_header(s, vgl_capreader_info(s->r));
		if (!ret && s->cbs.file)
			ret = s->cbs.file(s->cbs.ctx, s->path, vgl_capreader_info(s->r));
		if (ret) {
			vgl_capreader_close(s->r);
			s->r = NULL;
			s->st.files_failed++;
			continue;
		}
		s->st.files++;
		return 1;
	}
	s->path = NULL;
	return 0;
}

/* Add what the reader counted of the current file, report its losses, close it. */
static void end_file(struct vgl_capsrc *s)
{
	struct vgl_capreader_stats rs;

	vgl_capreader_stats(s->r, &rs);
	s->st.blocks_skipped += rs.blocks_skipped;
	s->st.records_skipped += rs.records_skipped;
	s->st.bytes_skipped += rs.bytes_skipped;
	s->st.truncated += rs.truncated;
	if (s->file_not_recorded)
		vgl_warn("%s: %llu events were not recorded here (writer lost them)", s->path,
			 (unsigned long long)s->file_not_recorded);
	vgl_capreader_close(s->r);
	s->r = NULL;
}

static int loss(struct vgl_capsrc *s, const void *data, size_t len)
{
	uint64_t n;

	if (len != sizeof(n)) {
		s->st.unknown++;
		return 0;
	}
	memcpy(&n, data, sizeof(n)); /* little-endian, as this host */
	s->file_not_recorded += n;
	s->st.not_recorded += n;
	return 0;
}

static int event(struct vgl_capsrc *s, const void *data, size_t len)
{
	s->st.events++;
	if (s->xlate > 0 && len <= sizeof(s->buf)) {
		memcpy(s->buf, data, len);
		if (vgl_capsrc_translate(&s->arch, s->buf, len)) {
			s->st.translated++;
			data = s->buf;
		}
	}
	return s->cbs.event(s->cbs.ctx, data, len);
}

/* One record to its callback. */
static int deliver(struct vgl_capsrc *s, uint32_t type, const void *data, size_t len)
{
	if (type == VGL_CAP_REC_EVENT)
		return event(s, data, len);
	if (type == VGL_CAP_REC_LOSS)
		return loss(s, data, len);
	if (type == 0 || type >= VGL_CAP_REC_MAX) {
		s->st.unknown++; /* a newer writer's: the format says skip it */
		return 0;
	}
	s->st.context++;
	return s->cbs.context ? s->cbs.context(s->cbs.ctx, type, data, len) : 0;
}

int vgl_capsrc_consume(struct vgl_capsrc *s, size_t max)
{
	size_t done = 0;
	const void *data;
	uint32_t type;
	size_t len;
	int ret;

	while (done < max) {
		if (!s->r && !next_file(s))
			break;
		ret = vgl_capreader_next(s->r, &type, &data, &len);
		if (ret <= 0) {
			s->st.read_errors += ret < 0; /* said through warn() */
			end_file(s);
			continue;
		}
		done++;
		ret = deliver(s, type, data, len);
		if (ret)
			return ret < 0 ? ret : -ECANCELED;
	}
	return (int)done;
}

const char *vgl_capsrc_path(const struct vgl_capsrc *s)
{
	return s->r ? s->path : NULL;
}

void vgl_capsrc_stats(const struct vgl_capsrc *s, struct vgl_capsrc_stats *ret)
{
	struct vgl_capreader_stats rs;

	*ret = s->st;
	if (!s->r)
		return;
	vgl_capreader_stats(s->r, &rs); /* the file being read so far */
	ret->blocks_skipped += rs.blocks_skipped;
	ret->records_skipped += rs.records_skipped;
	ret->bytes_skipped += rs.bytes_skipped;
	ret->truncated += rs.truncated;
}

void vgl_capsrc_close(struct vgl_capsrc *s)
{
	if (!s)
		return;
	if (s->r)
		vgl_capreader_close(s->r);
	free(s);
}
