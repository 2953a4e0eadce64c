/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Symbolic names of syscall arguments: errno values, flag sets and
 * enumerations, with the formatting rules of docs/events.md.
 *
 * Values are those of the host's headers: vigil is built for the
 * architecture it monitors, and the kernel reports the same values.
 *
 * The vgl_fmt_* functions work like snprintf: they write at most @size bytes
 * including a terminating NUL (nothing when @size is 0) and return the length
 * the whole text has, so a return value >= @size means it was cut.
 */
#ifndef VIGIL_OUTPUT_NAMES_H
#define VIGIL_OUTPUT_NAMES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "vigil/events.h"

/* Longest text vgl_fmt_symbol() can produce (all 64 capability bits). */
#define VGL_SYMBOL_MAX 1024

/* "ENOENT" for 2 (a positive errno), or NULL when unknown. */
const char *vgl_errno_name(int64_t err);

/* "SIGKILL" for 9, or NULL when unknown. */
const char *vgl_signal_name(int64_t sig);

/* "AF_INET" for 2, or NULL when unknown. */
const char *vgl_family_name(int64_t family);

/* "PTRACE_ATTACH" for 16, or NULL when unknown. */
const char *vgl_ptrace_req_name(int64_t req);

/* "BPF_PROG_LOAD" for 5, or NULL when unknown. */
const char *vgl_bpf_cmd_name(int64_t cmd);

/* "F_DUPFD_CLOEXEC" for 1030, or NULL for a command vigil does not capture. */
const char *vgl_fcntl_cmd_name(int64_t cmd);

/* "CAP_SYS_ADMIN" for 21, or NULL when unknown. */
const char *vgl_cap_name(int64_t cap);

/* Whether vgl_fmt_symbol() knows how to print values of @type. */
bool vgl_ptype_is_symbolic(enum vgl_ptype type);

/*
 * Print @value of a flag or enumeration parameter type:
 *  - flag sets (OFLAGS ATFLAGS CLONEFL MOUNTFL UMOUNTFL RENAMEFL MEMFDFL
 *    SOCKTYPE CAPS): names joined by '|', unknown bits as one hex number
 *    last, "0" when empty; open flags always start with their access mode.
 *  - enumerations (FAMILY PTRACEREQ BPFCMD SIGNAL FCNTLCMD): the name, or the
 *    number in decimal.
 * Other types print as a signed decimal number.
 */
size_t vgl_fmt_symbol(enum vgl_ptype type, uint64_t value, char *buf, size_t size);

#endif /* VIGIL_OUTPUT_NAMES_H */
