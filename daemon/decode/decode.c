// SPDX-License-Identifier: Apache-2.0
/*
 * Ring-buffer record -> struct vgl_event. Every byte of the record is checked
 * against the wire format (include/vigil/events.h) before anything is written
 * to the caller's event. Records come straight from the ring buffer or from a
 * capture file, so they may be unaligned: fields are read with memcpy only.
 */
#include <errno.h>
#include <string.h>
#include <sys/socket.h>

#include "decode/event.h"

#define VGL_UNIX_PATH_MAX 108 /* sizeof(sockaddr_un.sun_path) */
#define VGL_SA_HDR_LEN	  sizeof(struct vgl_sockaddr_hdr)

/* Where a record's parts are, once its header and length table are good. */
struct layout {
	struct vgl_hdr hdr;
	const struct vgl_kind_info *info;
	uint16_t lens[VGL_MAX_PARAMS];
	const uint8_t *params; /* first parameter byte */
	size_t params_size;    /* bytes from there to the end of the record */
};

/*
 * Parameters are only ever appended to a kind; a record of an older wire
 * version (a capture from an older vigil) ends before them, and they decode
 * as absent. Each kind was appended to once: exec, clone and set*id in 2,
 * the dup family in 4.
 */
static unsigned int nparams_older(unsigned int kind, unsigned int n)
{
	switch (kind) {
	case VGL_EV_DUP:
	case VGL_EV_DUP2:
	case VGL_EV_DUP3:
		return n - VGL_DUP_SOCK_NPARAMS;
	case VGL_EV_EXECVE:
	case VGL_EV_EXECVEAT:
		return n - VGL_EXEC_NPARAMS;
	case VGL_EV_CLONE:
	case VGL_EV_CLONE3:
	case VGL_EV_FORK:
	case VGL_EV_VFORK:
		return n - 1; /* child_vpid */
	case VGL_EV_SETUID:
	case VGL_EV_SETREUID:
	case VGL_EV_SETRESUID:
	case VGL_EV_SETFSUID:
		return n - 2; /* VGL_CRED_CAPS_P */
	default:
		return n;
	}
}

bool vgl_kind_nparams_ok(unsigned int kind, unsigned int n)
{
	unsigned int want;

	if (kind == VGL_EV_UNKNOWN || kind >= VGL_EV_MAX)
		return false;
	want = vgl_kind_info[kind].nparams;
	return n == want || n == nparams_older(kind, want);
}

static enum vgl_decode_err read_header(const uint8_t *p, size_t size, struct layout *l)
{
	size_t table_end;

	if (size < sizeof(l->hdr))
		return VGL_DECODE_SHORT;
	memcpy(&l->hdr, p, sizeof(l->hdr));
	if (l->hdr.size != size || size > VGL_EVENT_MAX)
		return VGL_DECODE_SIZE;
	if (l->hdr.kind == VGL_EV_UNKNOWN || l->hdr.kind >= VGL_EV_MAX)
		return VGL_DECODE_KIND;
	l->info = &vgl_kind_info[l->hdr.kind];
	if (!vgl_kind_nparams_ok(l->hdr.kind, l->hdr.nparams))
		return VGL_DECODE_NPARAMS;
	table_end = sizeof(l->hdr) + l->hdr.nparams * sizeof(l->lens[0]);
	if (size < table_end)
		return VGL_DECODE_SHORT;
	memcpy(l->lens, p + sizeof(l->hdr), l->hdr.nparams * sizeof(l->lens[0]));
	l->params = p + table_end;
	l->params_size = size - table_end;
	return VGL_DECODE_OK;
}

/* The parameters must fill the rest of the record exactly. */
static enum vgl_decode_err check_lengths(const struct layout *l)
{
	size_t total = 0;

	for (unsigned int i = 0; i < l->hdr.nparams; i++) {
		if (l->lens[i] != VGL_PARAM_ABSENT)
			total += l->lens[i];
	}
	return total == l->params_size ? VGL_DECODE_OK : VGL_DECODE_PARAM_LEN;
}

static bool sockaddr_ok(const uint8_t *p, size_t len)
{
	struct vgl_sockaddr_hdr sa;

	if (len < VGL_SA_HDR_LEN)
		return false;
	memcpy(&sa, p, sizeof(sa));
	switch (sa.family) {
	case AF_INET:
		return len == VGL_SA_HDR_LEN + 4;
	case AF_INET6:
		return len == VGL_SA_HDR_LEN + 16;
	case AF_UNIX:
		return len <= VGL_SA_HDR_LEN + VGL_UNIX_PATH_MAX;
	default:
		return true; /* nothing to decode beyond the family */
	}
}

/* A string: exactly one NUL, the last byte. */
static bool str_ok(const uint8_t *p, size_t len)
{
	return len >= 1 && p[len - 1] == '\0' && !memchr(p, '\0', len - 1);
}

/* Whether @len bytes at @p are a valid value of @type. */
static bool param_ok(enum vgl_ptype type, const uint8_t *p, size_t len)
{
	switch (type) {
	case VGL_PT_S64:
	case VGL_PT_U64:
	case VGL_PT_FD:
	case VGL_PT_PID:
	case VGL_PT_UID:
	case VGL_PT_MODE:
	case VGL_PT_OFLAGS:
	case VGL_PT_ATFLAGS:
	case VGL_PT_CLONEFL:
	case VGL_PT_MOUNTFL:
	case VGL_PT_UMOUNTFL:
	case VGL_PT_FAMILY:
	case VGL_PT_SOCKTYPE:
	case VGL_PT_PTRACEREQ:
	case VGL_PT_BPFCMD:
	case VGL_PT_CAPS:
	case VGL_PT_RENAMEFL:
	case VGL_PT_MEMFDFL:
	case VGL_PT_EXEFL:
	case VGL_PT_SIGNAL:
	case VGL_PT_FCNTLCMD:
		/* 8 bytes before wire version 3; since, 4 when they sign-extend (any of these is
		 * read) */
		return len == 1 || len == 2 || len == 4 || len == 8;
	case VGL_PT_PATH: /* length 0: the previous path again (check_params()) */
		return len == 0 || str_ok(p, len);
	case VGL_PT_STR:
		return str_ok(p, len);
	case VGL_PT_ARGV:
		/* no bytes is an empty argument list (execve(path, NULL, ...)) */
		return len == 0 || p[len - 1] == '\0';
	case VGL_PT_SOCKADDR:
		return sockaddr_ok(p, len);
	case VGL_PT_NONE:
	case VGL_PT_MAX:
		break;
	}
	return false;
}

static enum vgl_decode_err check_params(const struct layout *l)
{
	const uint8_t *p = l->params;
	bool path = false; /* a path is there for a repeat to stand for */

	for (unsigned int i = 0; i < l->hdr.nparams; i++) {
		enum vgl_ptype type = l->info->params[i].type;

		if (l->lens[i] == VGL_PARAM_ABSENT)
			continue;
		if (!param_ok(type, p, l->lens[i]) || (type == VGL_PT_PATH && !l->lens[i] && !path))
			return VGL_DECODE_PARAM_FORMAT;
		path = path || type == VGL_PT_PATH;
		p += l->lens[i];
	}
	return VGL_DECODE_OK;
}

static void fill_sockaddr(struct vgl_sockaddr *sa, const uint8_t *p, size_t len)
{
	struct vgl_sockaddr_hdr sh;
	const char *path = (const char *)p + VGL_SA_HDR_LEN;

	memcpy(&sh, p, sizeof(sh));
	sa->family = sh.family;
	sa->port = sh.port;
	if (sh.family == AF_INET || sh.family == AF_INET6) {
		memcpy(sa->addr, p + VGL_SA_HDR_LEN, len - VGL_SA_HDR_LEN);
	} else if (sh.family == AF_UNIX) {
		sa->path = path;
		sa->path_len = len - VGL_SA_HDR_LEN;
		/* a path name ends at its first NUL, as in the kernel; abstract
		 * names (leading NUL) are raw bytes */
		if (sa->path_len && path[0] != '\0')
			sa->path_len = strnlen(path, sa->path_len);
	}
}

static size_t count_nuls(const uint8_t *p, size_t len)
{
	size_t n = 0;
	const uint8_t *end = p + len;

	while (p < end && (p = memchr(p, '\0', (size_t)(end - p)))) {
		n++;
		p++;
	}
	return n;
}

/* A number of @len (1, 2, 4 or 8) bytes, sign-extended. */
static int64_t num_at(const uint8_t *p, size_t len)
{
	int8_t b;
	int16_t h;
	int32_t w;
	int64_t d;

	switch (len) {
	case 1:
		memcpy(&b, p, 1);
		return b;
	case 2:
		memcpy(&h, p, 2);
		return h;
	case 4:
		memcpy(&w, p, 4);
		return w;
	}
	memcpy(&d, p, 8);
	return d;
}

/* @p and @len were accepted by param_ok(). */
static void fill_param(struct vgl_param *prm, const struct vgl_param_info *info, const uint8_t *p,
		       size_t len)
{
	*prm = (struct vgl_param){ .info = info };
	switch (info->type) {
	case VGL_PT_STR:
	case VGL_PT_PATH:
		prm->str = (const char *)p;
		prm->len = len - 1;
		break;
	case VGL_PT_ARGV:
		/* num.u counts the arguments: [] and [""] differ only there */
		prm->str = len ? (const char *)p : "";
		prm->len = len ? len - 1 : 0;
		prm->num.u = count_nuls(p, len);
		break;
	case VGL_PT_SOCKADDR:
		fill_sockaddr(&prm->sa, p, len);
		break;
	default:
		prm->num.i = num_at(p, len);
		break;
	}
}

static void fill_event(struct vgl_event *ev, const struct layout *l)
{
	const uint8_t *p = l->params;
	const struct vgl_param *path = NULL; /* the last path, for a repeat */

	ev->hdr = l->hdr;
	ev->kind = (enum vgl_kind)l->hdr.kind;
	ev->info = l->info;
	/* what the record has: outputs print those; a version 1 record's
	 * missing parameters are there too, absent, for lookups by index */
	ev->nparams = l->hdr.nparams;
	for (unsigned int i = 0; i < l->info->nparams; i++) {
		if (i >= l->hdr.nparams || l->lens[i] == VGL_PARAM_ABSENT) {
			ev->params[i] =
				(struct vgl_param){ .info = &l->info->params[i], .absent = true };
			continue;
		}
		if (l->info->params[i].type == VGL_PT_PATH && !l->lens[i])
			ev->params[i] = (struct vgl_param){ .info = &l->info->params[i],
							    .str = path->str,
							    .len = path->len };
		else
			fill_param(&ev->params[i], &l->info->params[i], p, l->lens[i]);
		if (l->info->params[i].type == VGL_PT_PATH)
			path = &ev->params[i];
		p += l->lens[i];
	}
}

int vgl_decode(const void *data, size_t size, struct vgl_event *ret_ev,
	       enum vgl_decode_err *ret_err)
{
	struct layout l;
	enum vgl_decode_err err;

	err = read_header(data, size, &l);
	if (!err)
		err = check_lengths(&l);
	if (!err)
		err = check_params(&l);
	if (ret_err)
		*ret_err = err;
	if (err)
		return -EINVAL;
	fill_event(ret_ev, &l);
	return 0;
}

const char *vgl_decode_strerror(enum vgl_decode_err err)
{
	switch (err) {
	case VGL_DECODE_OK:
		return "no error";
	case VGL_DECODE_SHORT:
		return "record shorter than its header or length table";
	case VGL_DECODE_SIZE:
		return "record size disagrees with its header or exceeds the limit";
	case VGL_DECODE_KIND:
		return "unknown event kind";
	case VGL_DECODE_NPARAMS:
		return "parameter count differs from the event table";
	case VGL_DECODE_PARAM_LEN:
		return "parameter lengths do not match the record size";
	case VGL_DECODE_PARAM_FORMAT:
		return "parameter bytes do not fit the parameter type";
	}
	return "unknown decode error";
}

const struct vgl_param *vgl_event_param(const struct vgl_event *ev, const char *name)
{
	int i = vgl_param_index(ev->kind, name);

	if (i < 0 || (unsigned int)i >= ev->nparams)
		return NULL;
	return &ev->params[i];
}
