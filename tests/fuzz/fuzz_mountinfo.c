// SPDX-License-Identifier: Apache-2.0
/*
 * libFuzzer target: arbitrary bytes as /proc/PID/mountinfo (mount points come
 * from whoever mounts, a container included) -> vgl_ovl_parse_mountinfo(),
 * then upper layer lookups of a few paths. Beyond "no crash": every mount
 * point kept is absolute and NUL-free, the count is bounded, and a lookup
 * answers 1, 0 or -1.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "state/overlay.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char *const paths[] = { "/", "/bin/sh", "/tmp/x", "/a b/c", "relative" };
	struct vgl_ovl_mounts m;

	if (vgl_ovl_parse_mountinfo((const char *)data, size, &m))
		return 0;
	if (m.n == 0 || m.n > VGL_OVL_MOUNTS_MAX)
		abort();
	for (size_t i = 0; i < m.n; i++) {
		if (!m.m[i].mnt || m.m[i].mnt[0] != '/')
			abort();
	}
	for (size_t i = 0; i < sizeof(paths) / sizeof(paths[0]); i++) {
		int r = vgl_ovl_in_upper(&m, "/nonexistent-root", paths[i]);

		if (r < -1 || r > 1)
			abort();
	}
	vgl_ovl_mounts_clear(&m);
	return 0;
}
