/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Rule-file diagnostics: every error and warning found while loading a rule
 * set, each with the file, line and column it refers to. Library code never
 * prints; the caller formats the entries with vgl_diag_format().
 */
#ifndef VIGIL_RULES_DIAG_H
#define VIGIL_RULES_DIAG_H

#include <stdbool.h>
#include <stddef.h>

/* Upper bound on stored entries: hostile input cannot grow the list forever. */
#define VGL_DIAG_MAX 1000

/* A position in a rule file; line and col are 1-based, 0 when unknown. */
struct vgl_pos {
	const char *file;
	unsigned int line;
	unsigned int col;
};

struct vgl_diag_entry {
	char *file; /* NULL when the problem is not tied to a file */
	unsigned int line;
	unsigned int col;
	bool warning;
	char *msg;
};

struct vgl_diag {
	struct vgl_diag_entry *v;
	size_t n;
	size_t cap;
	size_t nerrors;
	size_t nwarnings;
	size_t dropped; /* entries beyond VGL_DIAG_MAX */
};

void vgl_diag_init(struct vgl_diag *d);
void vgl_diag_free(struct vgl_diag *d);

/* Record an error (or a warning) at @pos (may be NULL). */
void vgl_diag_error(struct vgl_diag *d, const struct vgl_pos *pos, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
void vgl_diag_warn(struct vgl_diag *d, const struct vgl_pos *pos, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* "file:line:col: error: msg" into @buf (snprintf semantics). */
int vgl_diag_format(const struct vgl_diag_entry *e, char *buf, size_t size);

#endif /* VIGIL_RULES_DIAG_H */
