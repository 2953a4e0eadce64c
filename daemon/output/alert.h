/* SPDX-License-Identifier: Apache-2.0 */
/*
 * An alert as the output stage sees it: everything a sink needs, formatted
 * once by the pipeline and then immutable, shared by every sink's queue
 * through a reference count (any thread may take or drop a reference).
 *
 *	vgl_alert_new()         from a matching rule's parts (rule engine side)
 *	vgl_alert_line()        one line for a text, file or stdout sink
 *	vgl_alert_encode/decode the spool's byte form
 *
 * Every string that comes from the monitored system is written by whoever
 * is being watched: vgl_alert_line() escapes control characters (C0, C1,
 * DEL) and invalid UTF-8 in text (\n, \x1b, ...), so that no process can
 * forge a line or send escapes to a terminal; JSON is escaped by jansson.
 */
#ifndef VIGIL_OUTPUT_ALERT_H
#define VIGIL_OUTPUT_ALERT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Limits on one alert: anything longer is cut (text) or refused (spool). */
#define VGL_ALERT_MSG_MAX  (64u << 10)
#define VGL_ALERT_JSON_MAX (256u << 10)
#define VGL_ALERT_TAGS_MAX 64

enum vgl_alert_format {
	VGL_ALERT_TEXT, /* Falco's line: "HH:MM:SS.nnnnnnnnn: Priority message" */
	VGL_ALERT_JSON, /* Falco's JSON alert, one object per line */
};

struct vgl_alert {
	int refs;	 /* atomic */
	int64_t time_ns; /* wall clock of the event, ns since the epoch */
	int priority;	 /* enum vgl_priority (rules/rules.h): 0 Emergency .. 7 Debug */
	const char *rule;
	const char *source;   /* "syscall", or "internal" for vigil's own */
	const char *hostname; /* empty when unknown */
	const char *msg;      /* the rule's output with its fields, raw (unescaped) */
	size_t msg_len;
	/* Falco's JSON alert, one line, no newline; "" when no sink needs it
	 * (the pipeline then does not build it: vgl_outputs_need_json()) */
	const char *json;
	size_t json_len;
	const char *const *tags;
	size_t ntags;
	/* the strings above live in one block after the struct */
};

/* The parts of a new alert; strings are copied. */
struct vgl_alert_parts {
	int64_t time_ns;
	int priority;
	const char *rule;
	const char *source;
	const char *hostname;
	const char *msg;
	size_t msg_len;
	const char *json;
	size_t json_len;
	const char *const *tags;
	size_t ntags;
};

/* A new alert with one reference, or NULL on allocation failure. */
struct vgl_alert *vgl_alert_new(const struct vgl_alert_parts *parts);
struct vgl_alert *vgl_alert_ref(struct vgl_alert *a);
/* Drop a reference; frees on the last. Accepts NULL. */
void vgl_alert_unref(struct vgl_alert *a);

/*
 * @a as one line in @fmt, ending in '\n', into @buf of @size bytes (at least
 * 64). Text is Falco's "HH:MM:SS.nnnnnnnnn: Priority message" (UTC) with
 * the message escaped; a message that does not fit is cut and ends in
 * "...". Returns the length written (without a NUL).
 */
size_t vgl_alert_line(const struct vgl_alert *a, enum vgl_alert_format fmt, char *buf, size_t size);

/*
 * The message escaped for a text line: bytes that are not printable UTF-8
 * become \n, \r, \t or \xNN. Returns the escaped length (snprintf
 * semantics: it may be more than @size - 1; @buf is NUL-terminated).
 */
size_t vgl_alert_escape(const char *s, size_t n, char *buf, size_t size);

/* Whether @a carries tag @tag. */
bool vgl_alert_has_tag(const struct vgl_alert *a, const char *tag);

/*
 * A copy of @a with Falco's JSON made from what it carries: the event is
 * gone, so output_fields holds evt.time only. For an alert spooled without
 * its JSON by a text output that the config has since made json. NULL on
 * allocation failure.
 */
struct vgl_alert *vgl_alert_with_json(const struct vgl_alert *a);

/*
 * The spool's byte form of @a: a malloc'd buffer in *@ret and its length,
 * or -ENOMEM. vgl_alert_decode() parses one back: 0 and a new alert, or
 * -EINVAL when @buf is not a well-formed encoding.
 */
int vgl_alert_encode(const struct vgl_alert *a, uint8_t **ret, size_t *ret_len);
int vgl_alert_decode(const uint8_t *buf, size_t len, struct vgl_alert **ret);

#endif /* VIGIL_OUTPUT_ALERT_H */
