/* SPDX-License-Identifier: Apache-2.0 */
/* Context record internals shared by record.c (encoders) and record_dec.c (decoders). */
#ifndef VIGIL_CAPTURE_RECORD_INT_H
#define VIGIL_CAPTURE_RECORD_INT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "capture/record.h"

#define VGL_CAPREC_NULL 0xffffffffu /* a string's or an array's length: NULL */

void caprec_put_bytes(struct vgl_capbuf *b, const void *s, size_t n);
void caprec_put_u8(struct vgl_capbuf *b, uint8_t v);
void caprec_put_u32(struct vgl_capbuf *b, uint32_t v);
void caprec_put_u64(struct vgl_capbuf *b, uint64_t v);
void caprec_put_blob(struct vgl_capbuf *b, const char *s, size_t n); /* NULL: no string */
void caprec_put_str(struct vgl_capbuf *b, const char *s);

#endif /* VIGIL_CAPTURE_RECORD_INT_H */
