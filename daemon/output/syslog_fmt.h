/* SPDX-License-Identifier: Apache-2.0 */
/*
 * An alert as one syslog message, RFC 5424 or RFC 3164, and the framing
 * of a message on a stream (RFC 6587 octet counting). Pure formatting: no
 * I/O, no allocation, no locks; the transport is sink_syslog.c's.
 *
 *	RFC 5424: <PRI>1 TIMESTAMP HOSTNAME APP-NAME PROCID MSGID [SD] MSG
 *	          <164>1 2026-11-22T08:10:00.123456Z web-1 vigil 812 alert
 *	          [vigil@32473 rule="..." priority="Warning" source="syscall"
 *	          tags="a,b"] MSG
 *	RFC 3164: <PRI>Mmm dd hh:mm:ss HOSTNAME TAG: MSG
 *	          <164>Nov 22 08:10:00 web-1 vigil[812]: MSG
 *	          <164>Nov 22 08:10:00 vigil[812]: MSG          (local)
 *
 * The local form is what syslog(3) writes to /dev/log: the daemon there
 * (journald, rsyslog's imuxsock) adds the host name, and takes the first
 * word for the TAG (so a HOSTNAME would become the program's name).
 *
 * PRI is facility * 8 + severity, and the severity is the rule's priority
 * (vigil's priorities 0 Emergency .. 7 Debug are syslog's severities).
 * Every string that came from the monitored system is escaped: MSG (text),
 * and the SD parameter values, carry no control character and no invalid
 * UTF-8, so no message can be split or forged; a JSON MSG is printable ASCII.
 */
#ifndef VIGIL_OUTPUT_SYSLOG_FMT_H
#define VIGIL_OUTPUT_SYSLOG_FMT_H

#include <stdbool.h>
#include <stddef.h>

#include "output/alert.h"

/* The SD-ID of vigil's element: 32473 is the documentation PEN (RFC 5612). */
#define VGL_SYSLOG_SD_ID "vigil@32473"
#define VGL_SYSLOG_MSGID "alert"
#define VGL_SYSLOG_NIL	 "-"
/* RFC 5424 6.2.4 and 6.2.5; RFC 3164 4.1.3 limits the TAG to 32. */
#define VGL_SYSLOG_HOSTNAME_MAX 255
#define VGL_SYSLOG_APPNAME_MAX	48
#define VGL_SYSLOG_TAG_MAX	32
/* Bytes of an SD parameter value, escaped; longer values are cut. */
#define VGL_SYSLOG_SD_RULE_MAX	 256
#define VGL_SYSLOG_SD_SOURCE_MAX 64
#define VGL_SYSLOG_SD_TAGS_MAX	 1024
/*
 * max_message bounds. The header and the SD element never need more than
 * the minimum (the RFC's recommended 2048), so only MSG is ever cut; the
 * maximum holds the largest JSON alert.
 */
#define VGL_SYSLOG_MESSAGE_MIN 2048
#define VGL_SYSLOG_MESSAGE_MAX (VGL_ALERT_JSON_MAX + 4096)
/* Room for the octet-counting prefix "LEN ". */
#define VGL_SYSLOG_FRAME_PREFIX_MAX 24

enum vgl_syslog_protocol {
	VGL_SYSLOG_RFC5424,
	VGL_SYSLOG_RFC3164,
};

struct vgl_syslog_fmt {
	enum vgl_syslog_protocol protocol;
	int facility;		   /* 0 kern .. 23 local7 */
	const char *hostname;	   /* NULL: the alert's (made printable ASCII) */
	const char *app_name;	   /* vgl_syslog_name_ok() */
	int procid;		   /* the sender's pid; 0: NILVALUE (5424), no [pid] (3164) */
	bool local;		   /* RFC 3164 without HOSTNAME, for the local socket */
	enum vgl_alert_format msg; /* MSG: the rule's output escaped, or the JSON alert */
	size_t max_message;	   /* bytes of one message, framing excluded */
};

/* The facility names in the order of vgl_syslog_facility_codes[] (for vgl_cfg_enum). */
extern const char *const vgl_syslog_facility_names[];
extern const int vgl_syslog_facility_codes[];

/* Whether @s is 1..@max printable US-ASCII characters (33..126): HOSTNAME, APP-NAME. */
bool vgl_syslog_name_ok(const char *s, size_t max);

/*
 * @a as one message in @f's protocol into @buf of @size bytes (NUL
 * included). The message is at most min(@f->max_message, @size - 1) bytes:
 * MSG is cut on a UTF-8 boundary to fit. Returns the length (no NUL counted).
 */
size_t vgl_syslog_format(const struct vgl_syslog_fmt *f, const struct vgl_alert *a, char *buf,
			 size_t size);

/*
 * The octet-counting prefix of a @len-byte message ("LEN ", RFC 6587
 * 3.4.1) into @buf of @size bytes (>= VGL_SYSLOG_FRAME_PREFIX_MAX).
 * Returns its length.
 */
size_t vgl_syslog_frame_prefix(size_t len, char *buf, size_t size);

#endif /* VIGIL_OUTPUT_SYSLOG_FMT_H */
