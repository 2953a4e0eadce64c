// SPDX-License-Identifier: Apache-2.0
/*
 * Falco's flight-recorder keys of a rule: `capture` (bool) and
 * `capture_duration` (milliseconds, Falco's uint32). Like Falco, they are
 * set by a definition or by `override: {capture: replace}`; an `append: true`
 * item cannot change them (Falco ignores them there silently, vigil warns).
 */
#include <errno.h>
#include <stdint.h>
#include <string.h>

#include "rules/items.h"

#define NS_PER_MS 1000000ull

int rule_set_capture(struct collection *c, struct rule_def *r, const struct ynode *n)
{
	int b = ynode_bool(n);

	if (b < 0) {
		vgl_diag_error(c->diag, &n->pos, "'capture' must be true or false");
		return -EINVAL;
	}
	r->capture = b;
	return 0;
}

/* Decimal digits only: no sign, no fraction, no exponent, at most UINT32_MAX. */
int rule_set_capture_duration(struct collection *c, struct rule_def *r, const struct ynode *n)
{
	uint64_t ms = 0;
	size_t i;

	for (i = 0; n->type == YN_SCALAR && i < n->len && ms <= UINT32_MAX; i++) {
		if (n->str[i] < '0' || n->str[i] > '9')
			break;
		ms = ms * 10 + (uint64_t)(n->str[i] - '0');
	}
	if (n->type != YN_SCALAR || !n->len || i < n->len || ms > UINT32_MAX) {
		vgl_diag_error(c->diag, &n->pos,
			       "'capture_duration' must be a whole number of milliseconds "
			       "from 0 to 4294967295");
		return -EINVAL;
	}
	r->capture_duration_ns = ms * NS_PER_MS;
	return 0;
}

static int keep_first(int a, int b)
{
	return a == -ENOMEM || b == -ENOMEM ? -ENOMEM : a ? a : b;
}

int rule_capture_keys(struct collection *c, struct rule_def *r, const struct ynode *item)
{
	const struct ynode *n;
	int err = 0;

	if ((n = ynode_get(item, "capture")))
		err = rule_set_capture(c, r, n);
	if ((n = ynode_get(item, "capture_duration")))
		err = keep_first(err, rule_set_capture_duration(c, r, n));
	return err;
}

void rule_capture_append_warn(struct collection *c, struct rule_def *r, const struct ynode *item)
{
	static const char *const keys[] = { "capture", "capture_duration" };
	const struct ynode *n;
	size_t i;

	for (i = 0; i < 2; i++) {
		if ((n = ynode_get(item, keys[i])))
			vgl_diag_warn(c->diag, &n->pos,
				      "rule '%s': '%s' is ignored with append: true "
				      "(use override: {%s: replace})",
				      r->name, keys[i], keys[i]);
	}
}
