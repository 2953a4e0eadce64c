/* SPDX-License-Identifier: Apache-2.0 */
/* Helpers shared by the item readers (yaml/items.c, yaml/rule_item.c). */
#ifndef VIGIL_RULES_ITEMS_H
#define VIGIL_RULES_ITEMS_H

#include "rules/collection.h"

enum merge_mode {
	MERGE_NEW,
	MERGE_APPEND,
	MERGE_OVERRIDE,
};

unsigned int doc_idx(const struct collection *c, const struct ydoc *doc);
void warn_unknown_keys(struct collection *c, const struct ynode *item, const char *const *keys);
const char *item_name(struct collection *c, const struct ynode *item, const char *key);
int merge_mode(struct collection *c, const struct ydoc *doc, const struct ynode *item,
	       const char *what, const char *name, bool exists, unsigned int prev_file,
	       enum merge_mode *ret);
const struct ynode *item_scalar(struct collection *c, const struct ynode *item, const char *kind,
				const char *key, bool required);
int override_mode(struct collection *c, const struct ynode *item, const char *key, bool can_append);
int rule_append_new(struct collection *c, struct rule_def *r);
void rule_destroy(struct rule_def *r);

/* The flight-recorder keys (yaml/rule_capture.c); errors reported in c->diag. */
int rule_set_capture(struct collection *c, struct rule_def *r, const struct ynode *n);
int rule_set_capture_duration(struct collection *c, struct rule_def *r, const struct ynode *n);
int rule_capture_keys(struct collection *c, struct rule_def *r, const struct ynode *item);
void rule_capture_append_warn(struct collection *c, struct rule_def *r, const struct ynode *item);

#endif /* VIGIL_RULES_ITEMS_H */
