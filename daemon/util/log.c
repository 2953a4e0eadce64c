// SPDX-License-Identifier: Apache-2.0
#include <stdarg.h>
#include <stdio.h>

#include "util/log.h"

static enum vgl_log_level log_level = VGL_LOG_WARN;

void vgl_log_set_level(enum vgl_log_level level)
{
	log_level = level;
}

enum vgl_log_level vgl_log_get_level(void)
{
	return log_level;
}

void vgl_log(enum vgl_log_level level, const char *fmt, ...)
{
	static const char *const prefix[] = { "error: ", "warning: ", "", "debug: " };
	va_list ap;

	if (level > log_level)
		return;
	fprintf(stderr, "vigil: %s", prefix[level]);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}
