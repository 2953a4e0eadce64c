/* SPDX-License-Identifier: Apache-2.0 */
/* Daemon-side logging on stderr: the CLI and the event loop use it; library
 * code returns errors instead. */
#ifndef VIGIL_UTIL_LOG_H
#define VIGIL_UTIL_LOG_H

enum vgl_log_level { VGL_LOG_ERROR, VGL_LOG_WARN, VGL_LOG_INFO, VGL_LOG_DEBUG };

void vgl_log_set_level(enum vgl_log_level level);
enum vgl_log_level vgl_log_get_level(void);
void vgl_log(enum vgl_log_level level, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* A command-line error: "vigil: error: ..." and a hint; returns exit code 2. */
int vgl_usage_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

#define vgl_err(...)   vgl_log(VGL_LOG_ERROR, __VA_ARGS__)
#define vgl_warn(...)  vgl_log(VGL_LOG_WARN, __VA_ARGS__)
#define vgl_info(...)  vgl_log(VGL_LOG_INFO, __VA_ARGS__)
#define vgl_debug(...) vgl_log(VGL_LOG_DEBUG, __VA_ARGS__)

#endif /* VIGIL_UTIL_LOG_H */
