// SPDX-License-Identifier: Apache-2.0
/*
 * libFuzzer target for the config file: YAML text -> top-level keys,
 * Falco's keys, each output's common and driver keys. Any input must parse
 * or fail with diagnostics, without leaks or crashes.
 */
#include <stddef.h>
#include <stdint.h>

#include "config/config.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct vgl_config c;
	struct vgl_diag d;

	if (size > 65536)
		return 0;
	vgl_diag_init(&d);
	if (!vgl_config_parse("fuzz.yaml", (const char *)data, size, &c, &d))
		vgl_config_free(&c);
	vgl_diag_free(&d);
	return 0;
}
