/* SPDX-License-Identifier: Apache-2.0 */
/* Internal to names*.c: the tables of flag names. */
#ifndef VIGIL_OUTPUT_NAMES_FLAGS_H
#define VIGIL_OUTPUT_NAMES_FLAGS_H

#include <stddef.h>
#include <stdint.h>

#include "vigil/events.h"

/* A name that applies when (value & care) == bits; it accounts for the care bits. */
struct vgl_flag_name {
	uint64_t bits;
	uint64_t care;
	const char *name;
};

#define VGL_CSIGNAL 0xffULL /* clone(): exit signal in the low byte */

/* CLONE_* names; the low byte (exit signal) is left to the caller. */
extern const struct vgl_flag_name vgl_clone_flags[];
extern const size_t vgl_clone_flags_n;

/* The table of a plain flag set (not CLONEFL or CAPS), or NULL. */
const struct vgl_flag_name *vgl_flag_table(enum vgl_ptype type, size_t *ret_n);

#endif /* VIGIL_OUTPUT_NAMES_FLAGS_H */
