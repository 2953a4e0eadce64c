// SPDX-License-Identifier: Apache-2.0
/*
 * libFuzzer target for the capture reader (vigil replay's input): any bytes
 * must open or be refused with a message, and every record must be yielded
 * within the block it came from, never read out of bounds, in time linear
 * in the input. Seeds (tests/fuzz/seeds/capture/): small captures made by
 * the capture writer, one of them with a damaged block and a cut end.
 */
#include <stddef.h>
#include <stdint.h>

#include "capture/reader.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void no_warn(void *ctx, const char *msg)
{
	(void)ctx;
	(void)msg;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct vgl_capreader *r;
	struct vgl_capreader_stats st;
	const void *rec;
	uint32_t type;
	size_t len;
	char err[256];
	volatile uint8_t sink = 0;

	if (vgl_capreader_open_mem(data, size, "fuzz", no_warn, NULL, &r, err, sizeof(err)))
		return 0;
	sink ^= (uint8_t)vgl_capreader_info(r)->hostname[0];
	while (vgl_capreader_next(r, &type, &rec, &len) == 1) {
		/* the first and last bytes of every record are readable */
		if (len)
			sink ^= ((const uint8_t *)rec)[0] ^ ((const uint8_t *)rec)[len - 1];
		sink ^= (uint8_t)vgl_capreader_offset(r);
	}
	vgl_capreader_stats(r, &st);
	vgl_capreader_close(r);
	return 0;
}
