/* SPDX-License-Identifier: Apache-2.0 */
/* Typed constants of comparisons (compile/constants.c). */
#ifndef VIGIL_RULES_CONSTANTS_H
#define VIGIL_RULES_CONSTANTS_H

#include "rules/compile/compile.h"

/* Parse @v as a constant of @type for operator @op; message in @err. */
int cval_parse(enum vgl_ftype type, enum vgl_op op, const struct ast_val *v, struct cval *out,
	       char *err, size_t errlen);
void cval_clear(struct cval *v);
/* Key bytes of a value in a constant set. */
size_t cval_key(enum vgl_ftype type, const char *s, size_t len, int64_t i, const uint8_t *ip,
		uint8_t fam, char key[17], const char **ret);
int cset_add(struct strset *set, enum vgl_ftype type, const struct cval *v);
void *regex_compile(const char *pattern, char *err, size_t errlen);
void regex_free(void *re);

#endif /* VIGIL_RULES_CONSTANTS_H */
