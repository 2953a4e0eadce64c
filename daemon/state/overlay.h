/* SPDX-License-Identifier: Apache-2.0 */
/*
 * proc.is_exe_upper_layer from userspace: the overlay mounts a process sees
 * (its /proc/PID/mountinfo: mount point -> upperdir), and whether a path
 * under one of them exists in the upper layer, i.e. was written (or copied
 * up) inside the container rather than shipped in an image layer.
 */
#ifndef VIGIL_STATE_OVERLAY_H
#define VIGIL_STATE_OVERLAY_H

#include <stddef.h>
#include <stdint.h>

#define VGL_OVL_MOUNTS_MAX	1024	   /* mounts kept per mount namespace */
#define VGL_OVL_MOUNTINFO_MAX	(1u << 20) /* mountinfo read limit */
#define VGL_OVL_MOUNTINFO_LINES 4096	   /* lines examined */

struct vgl_ovl_mount {
	char *mnt;   /* mount point as the process sees it */
	char *upper; /* an overlay's upperdir as the host sees it; NULL: not an overlay */
};

/* The mounts in mountinfo order (later ones stack on earlier ones). */
struct vgl_ovl_mounts {
	struct vgl_ovl_mount *m;
	size_t n;
};

/*
 * Parse /proc/PID/mountinfo text (@len bytes). Lines that do not parse are
 * skipped; at most VGL_OVL_MOUNTS_MAX mounts are kept. 0, -EINVAL (no line
 * parsed), -ENOMEM. @ret is untouched on failure.
 */
int vgl_ovl_parse_mountinfo(const char *text, size_t len, struct vgl_ovl_mounts *ret);
void vgl_ovl_mounts_clear(struct vgl_ovl_mounts *m);

/*
 * Is @path (absolute, as the process sees it) in the upper layer of the
 * overlay mount holding it? 1 yes, 0 no (also: not on an overlay), -1
 * unknown (no mount holds it, or the upperdir cannot be examined). The
 * upperdir is looked up under @host_root ("" or NULL: /).
 */
int vgl_ovl_in_upper(const struct vgl_ovl_mounts *m, const char *host_root, const char *path);

/*
 * The mounts of a few containers (and the host), keyed by container id and
 * root directory, read from the /proc/PID/mountinfo of the first process
 * asked about; re-read after @ttl_ns of the event clock. A process already
 * gone gets its container's last read mounts.
 */
#define VGL_OVL_CACHE_SLOTS 32

struct vgl_ovl_cache;

struct vgl_ovl_cache *vgl_ovl_cache_new(const char *proc_root, const char *host_root,
					uint64_t ttl_ns);
void vgl_ovl_cache_free(struct vgl_ovl_cache *c);

/* vgl_ovl_in_upper() for @path of @pid, in container @id ("host" for the host). */
int vgl_ovl_cache_in_upper(struct vgl_ovl_cache *c, const char *id, uint32_t pid, const char *path,
			   uint64_t now_ns);

#endif /* VIGIL_STATE_OVERLAY_H */
