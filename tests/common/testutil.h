/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Helpers shared by the unit tests (tests/unit), the BPF integration tests
 * (tests/bpf) and the end-to-end tests (tests/e2e): files, temporary
 * directories, child processes, and the skip-or-fail rule (a test that
 * cannot run for a missing input skips and names it, except with CI=true,
 * where it fails).
 * They report problems through cmocka (fail_msg / skip).
 */
#ifndef VIGIL_TESTS_TESTUTIL_H
#define VIGIL_TESTS_TESTUTIL_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

void tu_sleep_ms(long ms);

/* A whole file as a NUL-terminated malloc'd buffer ("" when unreadable). */
char *tu_read_file(const char *path);

/* $VIGIL_BIN, checked to be executable. */
const char *tu_vigil_bin(void);

/* Skip the test with @fmt as the reason; with CI=true fail instead. */
void tu_skip_or_fail(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* @rel below the source tree (VIGIL_SOURCE_DIR, else found from this file's path) into @buf. */
void tu_source_path(char *buf, size_t size, const char *rel);

/* Wait up to @ms for @pid; true with *@status set when it exited. */
bool tu_wait_timeout(pid_t pid, int *status, long ms);
void tu_kill_and_reap(pid_t pid);

/* A new directory from @tmpl ("/tmp/x-XXXXXX"), mode 0755, its real path. */
void tu_mkdtemp(const char *tmpl, char *buf, size_t size);
void tu_rmtree(const char *dir);

/* "@dir/@name" in one of 8 rotating static buffers. */
const char *tu_join(const char *dir, const char *name);

#endif /* VIGIL_TESTS_TESTUTIL_H */
