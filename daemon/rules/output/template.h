/* SPDX-License-Identifier: Apache-2.0 */
/* A rule's output template: literal text and %fields (output/template.c). */
#ifndef VIGIL_RULES_TEMPLATE_H
#define VIGIL_RULES_TEMPLATE_H

#include "rules/compile/compile.h"

struct oseg {
	const char *lit; /* into ofmt.text */
	size_t litlen;
	const struct field_ref *ref; /* NULL: literal only */
	char *name;		     /* the field as written: "proc.aname[2]" */
};

struct ofmt {
	char *text;
	struct oseg *segs;
	size_t nsegs;
};

#endif /* VIGIL_RULES_TEMPLATE_H */
