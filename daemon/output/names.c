// SPDX-License-Identifier: Apache-2.0
/*
 * Flag sets printed as NAME|NAME|0xrest, and the dispatch of every symbolic
 * parameter type. The tables live in names_flags.c (flag sets),
 * names_enum.c (single values) and names_errno.c.
 */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "output/names.h"
#include "output/names_flags.h"

/* snprintf-like output: counts everything, stores what fits. */
struct sbuf {
	char *buf;
	size_t size;
	size_t len;
	unsigned int items; /* names written, for the '|' separators */
};

static void sb_put(struct sbuf *sb, const char *s, size_t n)
{
	if (sb->len + 1 < sb->size) {
		size_t room = sb->size - 1 - sb->len;

		memcpy(sb->buf + sb->len, s, n < room ? n : room);
	}
	sb->len += n;
}

static void sb_item(struct sbuf *sb, const char *s)
{
	if (sb->items++)
		sb_put(sb, "|", 1);
	sb_put(sb, s, strlen(s));
}

static size_t sb_finish(struct sbuf *sb)
{
	if (sb->size)
		sb->buf[sb->len < sb->size ? sb->len : sb->size - 1] = '\0';
	return sb->len;
}

static void sb_number(struct sbuf *sb, bool hex, uint64_t v)
{
	char tmp[24];
	int n;

	if (hex)
		n = snprintf(tmp, sizeof(tmp), "0x%" PRIx64, v);
	else
		n = snprintf(tmp, sizeof(tmp), "%" PRId64, (int64_t)v);
	if (sb->items++)
		sb_put(sb, "|", 1);
	sb_put(sb, tmp, (size_t)n);
}

/* Print the names that match and return the bits no name accounts for. */
static uint64_t put_names(struct sbuf *sb, const struct vgl_flag_name *t, size_t n, uint64_t v)
{
	for (size_t i = 0; i < n; i++) {
		if (t[i].care && (v & t[i].care) == t[i].bits) {
			sb_item(sb, t[i].name);
			v &= ~t[i].care;
		}
	}
	return v;
}

static void put_rest(struct sbuf *sb, uint64_t rest)
{
	if (rest)
		sb_number(sb, true, rest);
	else if (!sb->items)
		sb_put(sb, "0", 1);
}

/* clone(): flags, then the exit signal held in the low byte. */
static uint64_t put_clone(struct sbuf *sb, uint64_t v)
{
	const char *sig;

	v = put_names(sb, vgl_clone_flags, vgl_clone_flags_n, v);
	sig = vgl_signal_name((int64_t)(v & VGL_CSIGNAL));
	if (sig) {
		sb_item(sb, sig);
		v &= ~VGL_CSIGNAL;
	}
	return v;
}

static uint64_t put_caps(struct sbuf *sb, uint64_t v)
{
	uint64_t rest = 0;

	for (unsigned int bit = 0; bit < 64; bit++) {
		const char *name;

		if (!(v & (1ULL << bit)))
			continue;
		name = vgl_cap_name(bit);
		if (name)
			sb_item(sb, name);
		else
			rest |= 1ULL << bit;
	}
	return rest;
}

bool vgl_ptype_is_symbolic(enum vgl_ptype type)
{
	switch (type) {
	case VGL_PT_OFLAGS:
	case VGL_PT_ATFLAGS:
	case VGL_PT_CLONEFL:
	case VGL_PT_MOUNTFL:
	case VGL_PT_UMOUNTFL:
	case VGL_PT_RENAMEFL:
	case VGL_PT_MEMFDFL:
	case VGL_PT_EXEFL:
	case VGL_PT_SOCKTYPE:
	case VGL_PT_CAPS:
	case VGL_PT_FAMILY:
	case VGL_PT_PTRACEREQ:
	case VGL_PT_BPFCMD:
	case VGL_PT_SIGNAL:
	case VGL_PT_FCNTLCMD:
		return true;
	default:
		return false;
	}
}

/* Enumerations: the name, or the number. */
static bool put_enum(struct sbuf *sb, enum vgl_ptype type, uint64_t value)
{
	int64_t v = (int64_t)value;
	const char *name;

	switch (type) {
	case VGL_PT_FAMILY:
		name = vgl_family_name(v);
		break;
	case VGL_PT_PTRACEREQ:
		name = vgl_ptrace_req_name(v);
		break;
	case VGL_PT_BPFCMD:
		name = vgl_bpf_cmd_name(v);
		break;
	case VGL_PT_SIGNAL:
		name = vgl_signal_name(v);
		break;
	case VGL_PT_FCNTLCMD:
		name = vgl_fcntl_cmd_name(v);
		break;
	default:
		return false;
	}
	if (name)
		sb_item(sb, name);
	else
		sb_number(sb, false, value);
	return true;
}

size_t vgl_fmt_symbol(enum vgl_ptype type, uint64_t value, char *buf, size_t size)
{
	struct sbuf sb = { .buf = buf, .size = size };
	const struct vgl_flag_name *table;
	uint64_t rest;
	size_t n;

	if (put_enum(&sb, type, value))
		return sb_finish(&sb);
	if (type == VGL_PT_CLONEFL) {
		rest = put_clone(&sb, value);
	} else if (type == VGL_PT_CAPS) {
		rest = put_caps(&sb, value);
	} else {
		table = vgl_flag_table(type, &n);
		if (!table) {
			sb_number(&sb, false, value);
			return sb_finish(&sb);
		}
		rest = put_names(&sb, table, n, value);
	}
	put_rest(&sb, rest);
	return sb_finish(&sb);
}
