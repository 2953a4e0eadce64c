// SPDX-License-Identifier: Apache-2.0
/*
 * The `capture:` section: the capture file that `vigil run -w` writes (its
 * filter, rotation and retention) and the flight recorder (`flight:`).
 * The filter is compiled where it is used (run/capsetup.c); here it is
 * only read, with its position for that error message.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "config/capture_conf.h"

#define TiB (1ull << 40)

static const char *const capture_keys[] = {
	"path",	      "filter", "rotate_size", "rotate_interval", "max_files", "max_size",
	"queue_size", "flight", NULL,
};
static const char *const flight_keys[] = { "dir", "window", "ring_size", "max_duration", NULL };
/* Falco's capture section has other keys: say so rather than "unknown key". */
static const char *const falco_capture_keys[] = { "enabled", "path_prefix", "mode",
						  "default_duration", NULL };

static int falco_keys(struct vgl_cfg_ctx *x, const struct ynode *m)
{
	int err = 0;

	for (size_t i = 0; falco_capture_keys[i]; i++) {
		const struct ynode *k = NULL;

		for (size_t j = 0; j + 1 < m->nkids && !k; j += 2) {
			if (m->kids[j]->type == YN_SCALAR &&
			    !strcmp(m->kids[j]->str, falco_capture_keys[i]))
				k = m->kids[j];
		}
		if (!k)
			continue;
		vgl_cfg_error(x, k, k->str,
			      "a falco.yaml capture key: vigil's capture section has path, filter, "
			      "rotation and flight (the recorder for rules with capture: true); "
			      "see docs/config.md");
		err = -EINVAL;
	}
	return err;
}

static int parse_flight(struct vgl_cfg_ctx *x, const struct ynode *m, struct vgl_capture_conf *c)
{
	const struct ynode *f = NULL;
	struct vgl_cfg_ctx sub;
	int err = 0, r;

	r = vgl_cfg_map(x, m, "flight", &f);
	if (r <= 0)
		return r;
	vgl_cfg_sub(x, "flight", &sub);
	err |= vgl_cfg_check_keys(&sub, f, flight_keys, NULL) < 0;
	r = vgl_cfg_str(&sub, f, "dir", &c->flight_dir);
	if (r > 0 && !c->flight_dir[0]) {
		vgl_cfg_error(&sub, ynode_get(f, "dir"), "dir", "an empty path");
		r = -EINVAL;
	}
	err |= r < 0;
	err |= vgl_cfg_duration(&sub, f, "window", 0.001, 3600, &c->flight_window) < 0;
	err |= vgl_cfg_size(&sub, f, "ring_size", 4096, 16ull << 30, &c->flight_ring_size) < 0;
	err |= vgl_cfg_duration(&sub, f, "max_duration", 0.001, 3600, &c->flight_max_duration) < 0;
	return err ? -EINVAL : 0;
}

/* Retention without rotation would keep one file: a mistake, say so. */
static int check_retention(struct vgl_cfg_ctx *x, const struct ynode *m,
			   const struct vgl_capture_conf *c)
{
	static const char *const keys[] = { "max_files", "max_size" };

	if (c->rotate_size || c->rotate_interval > 0)
		return 0;
	for (size_t i = 0; i < 2; i++) {
		if (vgl_cfg_get(m, keys[i])) {
			vgl_cfg_error(x, vgl_cfg_get(m, keys[i]), keys[i],
				      "only with rotate_size or rotate_interval (without rotation "
				      "there is one file)");
			return -EINVAL;
		}
	}
	return 0;
}

static int parse_file_keys(struct vgl_cfg_ctx *x, const struct ynode *m, struct vgl_capture_conf *c,
			   const char *file)
{
	const struct ynode *n;
	int err = 0, r;

	r = vgl_cfg_str(x, m, "path", &c->path);
	if (r > 0 && !c->path[0]) {
		vgl_cfg_error(x, ynode_get(m, "path"), "path", "an empty path");
		r = -EINVAL;
	}
	err |= r < 0;
	r = vgl_cfg_str(x, m, "filter", &c->filter);
	n = vgl_cfg_get(m, "filter");
	if (r > 0 && n)
		c->filter_pos = (struct vgl_pos){ file, n->pos.line, n->pos.col };
	err |= r < 0;
	err |= vgl_cfg_size(x, m, "rotate_size", 0, 16 * TiB, &c->rotate_size) < 0;
	err |= vgl_cfg_duration(x, m, "rotate_interval", 0, 366 * 86400.0, &c->rotate_interval) < 0;
	err |= vgl_cfg_uint(x, m, "max_files", 0, 1000000, &c->max_files) < 0;
	err |= vgl_cfg_size(x, m, "max_size", 0, 1024 * TiB, &c->max_size) < 0;
	err |= vgl_cfg_size(x, m, "queue_size", 1 << 20, 64ull << 30, &c->queue_size) < 0;
	if (!err)
		err |= check_retention(x, m, c) < 0;
	return err ? -EINVAL : 0;
}

int vgl_config_capture(struct vgl_cfg_ctx *x, const struct ynode *root, struct vgl_config *c)
{
	const struct ynode *m = NULL;
	struct vgl_cfg_ctx sub;
	int err = 0, r;

	r = vgl_cfg_map(x, root, "capture", &m);
	if (r <= 0)
		return r;
	vgl_cfg_sub(x, "capture", &sub);
	err |= vgl_cfg_check_keys(&sub, m, capture_keys, falco_capture_keys, NULL) < 0;
	err |= falco_keys(&sub, m) < 0;
	err |= parse_file_keys(&sub, m, &c->capture, c->file) < 0;
	err |= parse_flight(&sub, m, &c->capture) < 0;
	return err ? -EINVAL : 0;
}

void vgl_config_capture_free(struct vgl_capture_conf *c)
{
	free(c->path);
	free(c->filter);
	free(c->flight_dir);
	memset(c, 0, sizeof(*c));
}
