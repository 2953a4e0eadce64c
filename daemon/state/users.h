/* SPDX-License-Identifier: Apache-2.0 */
/*
 * uid / gid -> names from a passwd and a group file (the host's, or a
 * container's through /proc/PID/root). Re-read when either file's inode,
 * size or mtime changes, checked at most once per interval. A reload keeps
 * the previous tables until the next one, so names returned during one
 * event stay valid.
 */
#ifndef VIGIL_STATE_USERS_H
#define VIGIL_STATE_USERS_H

#include <stdint.h>

#define VGL_USERS_FILE_MAX	   (4u << 20)
#define VGL_USERS_MAX		   65536 /* entries kept per file */
#define VGL_USERS_CHECK_NS_DEFAULT 1000000000ull

struct vgl_user {
	uint32_t id;
	const char *name;
	const char *home;  /* passwd only */
	const char *shell; /* passwd only */
};

struct vgl_userdb;

/* Paths are copied; files that do not exist yet are empty tables. */
struct vgl_userdb *vgl_userdb_new(const char *passwd_path, const char *group_path,
				  uint64_t check_ns);
void vgl_userdb_free(struct vgl_userdb *db);

/* Reload what changed if @now_ns is past the check interval. 0, or -errno of a
 * failed read (the old table stays). */
int vgl_userdb_refresh(struct vgl_userdb *db, uint64_t now_ns);

/* NULL when unknown. */
const struct vgl_user *vgl_userdb_user(const struct vgl_userdb *db, uint32_t uid);
const struct vgl_user *vgl_userdb_group(const struct vgl_userdb *db, uint32_t gid);

/* Times either file was (re)loaded. */
uint64_t vgl_userdb_loads(const struct vgl_userdb *db);

/* Changes whenever an answer may (a reload); unique to @db (state/util.h). */
uint64_t vgl_userdb_version(const struct vgl_userdb *db);

#endif /* VIGIL_STATE_USERS_H */
