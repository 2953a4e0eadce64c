// SPDX-License-Identifier: Apache-2.0
/*
 * libFuzzer target for the condition parser: any bytes must parse or fail
 * with one error, never crash, leak or overrun. Parsed trees are printed,
 * cloned and freed to exercise the tree code too.
 *
 *	clang -fsanitize=fuzzer,address,undefined -Iinclude -Idaemon \
 *		tests/fuzz/fuzz_condition.c daemon/rules/parse/{parser,lexer,ast,ast_print}.c \
 *		daemon/rules/diag.c -o fuzz_condition
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include "rules/parse/ast.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct parse_opts po = { .max_depth = 64, .max_list_items = 1024 };
	struct vgl_diag d;
	struct ast *a = NULL, *c;
	char buf[256];
	int err;

	if (size > 65536)
		return 0;
	vgl_diag_init(&d);
	err = cond_parse((const char *)data, size, &po, &a, &d);
	if (err && d.nerrors != 1)
		abort();
	if (!err) {
		ast_format(a, buf, sizeof(buf));
		c = ast_clone(a);
		ast_free(c);
	}
	ast_free(a);
	vgl_diag_free(&d);
	return 0;
}
