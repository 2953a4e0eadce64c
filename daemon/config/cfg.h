/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Reading typed values out of the config file's YAML tree. Every error is
 * recorded in the context's diag with the file, line and column of the value
 * and the key's full name ("outputs[2].queue.size"), so a sink's configure
 * function reads its keys in a few lines and never prints.
 *
 * Each reader returns 1 when the key is present and *@ret was set, 0 when it
 * is absent (*@ret untouched), -EINVAL after recording an error.
 */
#ifndef VIGIL_CONFIG_CFG_H
#define VIGIL_CONFIG_CFG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "rules/diag.h"
#include "rules/yaml/ynode.h"

#define VGL_CFG_PATH_MAX 128

struct vgl_cfg_ctx {
	struct vgl_diag *diag;
	char path[VGL_CFG_PATH_MAX]; /* prefix of key names: "outputs[2]" or "" */
};

/* An error at @n (may be NULL) about @key (under the context's path). */
void vgl_cfg_error(struct vgl_cfg_ctx *c, const struct ynode *n, const char *key, const char *fmt,
		   ...) __attribute__((format(printf, 4, 5)));
void vgl_cfg_warn(struct vgl_cfg_ctx *c, const struct ynode *n, const char *key, const char *fmt,
		  ...) __attribute__((format(printf, 4, 5)));

/*
 * Check that every key of mapping @map is one of @known (NULL-terminated
 * lists, any number of them, the last argument NULL): an unknown key is an
 * error naming it. Returns 0 or -EINVAL.
 */
int vgl_cfg_check_keys(struct vgl_cfg_ctx *c, const struct ynode *map, ...);

/* A nested context for the mapping under @key ("queue") or item @idx. */
void vgl_cfg_sub(const struct vgl_cfg_ctx *c, const char *key, struct vgl_cfg_ctx *ret);
void vgl_cfg_sub_index(const struct vgl_cfg_ctx *c, const char *key, size_t idx,
		       struct vgl_cfg_ctx *ret);

/* A mapping value (or error if @key holds something else). */
int vgl_cfg_map(struct vgl_cfg_ctx *c, const struct ynode *map, const char *key,
		const struct ynode **ret);
/* A sequence value. */
int vgl_cfg_seq(struct vgl_cfg_ctx *c, const struct ynode *map, const char *key,
		const struct ynode **ret);
/* A scalar string, malloc'd (free the old *@ret yourself). At most 4096 bytes. */
int vgl_cfg_str(struct vgl_cfg_ctx *c, const struct ynode *map, const char *key, char **ret);
/* true/false/yes/no/on/off. */
int vgl_cfg_bool(struct vgl_cfg_ctx *c, const struct ynode *map, const char *key, bool *ret);
/* An integer in [@min, @max]. */
int vgl_cfg_uint(struct vgl_cfg_ctx *c, const struct ynode *map, const char *key, uint64_t min,
		 uint64_t max, uint64_t *ret);
/* A number (decimals allowed) in [@min, @max]. */
int vgl_cfg_number(struct vgl_cfg_ctx *c, const struct ynode *map, const char *key, double min,
		   double max, double *ret);
/* A size: bytes, or with K/M/G (KiB...) suffix: "256M". In [@min, @max]. */
int vgl_cfg_size(struct vgl_cfg_ctx *c, const struct ynode *map, const char *key, uint64_t min,
		 uint64_t max, uint64_t *ret);
/* A duration in seconds: a number (seconds) or "500ms", "10s", "5m", "1h". In [@min, @max]. */
int vgl_cfg_duration(struct vgl_cfg_ctx *c, const struct ynode *map, const char *key, double min,
		     double max, double *ret);
/* One of @names (NULL-terminated), case-insensitive; its index in *@ret. */
int vgl_cfg_enum(struct vgl_cfg_ctx *c, const struct ynode *map, const char *key,
		 const char *const *names, int *ret);
/* A list of strings (or one string), malloc'd; at most 1024 items. */
int vgl_cfg_strlist(struct vgl_cfg_ctx *c, const struct ynode *map, const char *key, char ***ret,
		    size_t *ret_n);
void vgl_cfg_strlist_free(char **v, size_t n);

/*
 * A mapping of @n scalar pairs (@kv[i][0]: @kv[i][1]) made in memory, each
 * node at @pos (file name not copied: it must outlive the tree): an output
 * built from Falco's keys or the defaults, read like one from the file.
 * Free with vgl_cfg_synth_free(). NULL when out of memory.
 */
struct ynode *vgl_cfg_synth_map(const char *const (*kv)[2], size_t n, const struct vgl_pos *pos);
void vgl_cfg_synth_free(struct ynode *map);
/* Add @key: @sub (a map from vgl_cfg_synth_map(), taken over, freed on failure). */
int vgl_cfg_synth_put_map(struct ynode *map, const char *key, struct ynode *sub);

#endif /* VIGIL_CONFIG_CFG_H */
