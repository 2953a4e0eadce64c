// SPDX-License-Identifier: Apache-2.0
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

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
	char line[2048];
	va_list ap;
	int n;

	if (level > log_level)
		return;
	/* one write per message: sink workers log from their own threads */
	n = snprintf(line, sizeof(line), "vigil: %s", prefix[level]);
	va_start(ap, fmt);
	vsnprintf(line + n, sizeof(line) - (size_t)n - 1, fmt, ap);
	va_end(ap);
	strcat(line, "\n");
	fputs(line, stderr);
}

int vgl_usage_error(const char *fmt, ...)
{
	va_list ap;

	fputs("vigil: error: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputs("\n(see 'vigil --help')\n", stderr);
	return 2;
}
