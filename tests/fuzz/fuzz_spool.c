// SPDX-License-Identifier: Apache-2.0
/*
 * libFuzzer target for what vigil reads back from a spool directory: a
 * record's payload (vgl_alert_decode) must decode or be refused, never read
 * out of bounds; a decoded alert must format as text and JSON lines.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include "output/alert.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static char line[4096];
	struct vgl_alert *a = NULL;
	uint8_t *copy;
	size_t len;

	if (vgl_alert_decode(data, size, &a))
		return 0;
	vgl_alert_line(a, VGL_ALERT_TEXT, line, sizeof(line));
	vgl_alert_line(a, VGL_ALERT_JSON, line, sizeof(line));
	if (!vgl_alert_encode(a, &copy, &len))
		free(copy);
	vgl_alert_unref(a);
	return 0;
}
