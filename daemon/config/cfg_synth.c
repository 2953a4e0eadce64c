// SPDX-License-Identifier: Apache-2.0
/* Config trees made in memory: outputs built from Falco's keys or the defaults. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "config/cfg.h"

static struct ynode *synth_scalar(const char *s, const struct vgl_pos *pos)
{
	struct ynode *n = calloc(1, sizeof(*n));

	if (!n)
		return NULL;
	n->type = YN_SCALAR;
	n->style = YS_QUOTED; /* "" stays a value, not null */
	n->str = strdup(s);
	n->len = n->str ? strlen(n->str) : 0;
	if (pos)
		n->pos = *pos;
	if (!n->str) {
		free(n);
		return NULL;
	}
	return n;
}

void vgl_cfg_synth_free(struct ynode *map)
{
	if (!map)
		return;
	for (size_t i = 0; i < map->nkids; i++) {
		struct ynode *k = map->kids[i];

		if (k && k->type == YN_MAP) {
			vgl_cfg_synth_free(k);
		} else if (k) {
			free(k->str);
			free(k);
		}
	}
	free(map->kids);
	free(map);
}

int vgl_cfg_synth_put_map(struct ynode *map, const char *key, struct ynode *sub)
{
	struct ynode **kids = realloc(map->kids, (map->nkids + 2) * sizeof(*kids));
	struct ynode *k = synth_scalar(key, &map->pos);

	if (kids)
		map->kids = kids;
	if (!kids || !k) {
		free(k ? k->str : NULL);
		free(k);
		vgl_cfg_synth_free(sub);
		return -ENOMEM;
	}
	map->kids[map->nkids++] = k;
	map->kids[map->nkids++] = sub;
	return 0;
}

struct ynode *vgl_cfg_synth_map(const char *const (*kv)[2], size_t n, const struct vgl_pos *pos)
{
	struct ynode *map = calloc(1, sizeof(*map));

	if (!map)
		return NULL;
	map->type = YN_MAP;
	if (pos)
		map->pos = *pos;
	map->kids = calloc(2 * n + 1, sizeof(*map->kids));
	if (!map->kids) {
		free(map);
		return NULL;
	}
	for (size_t i = 0; i < n; i++) {
		map->kids[map->nkids++] = synth_scalar(kv[i][0], pos);
		map->kids[map->nkids++] = synth_scalar(kv[i][1], pos);
		if (!map->kids[map->nkids - 2] || !map->kids[map->nkids - 1]) {
			vgl_cfg_synth_free(map);
			return NULL;
		}
	}
	return map;
}
