/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Cgroup paths that a private cgroup namespace renders relative.
 *
 * The kernel writes /proc/PID/cgroup (and a cgroup mount's root in
 * mountinfo) relative to the READER's cgroup namespace root: when vigil runs
 * in its own cgroup namespace (every pod and every Docker container on a
 * cgroup v2 node), a sibling container's "/kubepods/besteffort/pod<uid>/<id>"
 * reads "/../../besteffort/pod<uid>/<id>". Knowing the absolute path of
 * vigil's namespace root in each hierarchy, these functions put the path
 * back together. Pure functions: no I/O.
 */
#ifndef VIGIL_STATE_CGROUP_REL_H
#define VIGIL_STATE_CGROUP_REL_H

#include <stdbool.h>
#include <stddef.h>

/* The "/.." components that start @path (@len bytes): how far above the namespace root it starts.
 */
size_t vgl_cgroup_ups(const char *path, size_t len);

/*
 * @path (@len bytes, need not be NUL-terminated), relative to the namespace
 * root whose absolute path is @root, as an absolute path into @ret (@size
 * bytes). "." components are dropped, ".." ones climb. 0, -ERANGE when it
 * climbs above the hierarchy's root, -ENAMETOOLONG when @ret is too small,
 * -EINVAL when @path or @root is not absolute.
 */
int vgl_cgroup_rebase(const char *root, const char *path, size_t len, char *ret, size_t size);

/*
 * The absolute namespace root of one hierarchy, named by a /proc/PID/cgroup
 * line's controller field ("memory", "cpu,cpuacct", "name=systemd", "" for
 * the v2 line); NULL when it is not known.
 */
typedef const char *(*vgl_cgroup_root_fn)(void *ctx, const char *controllers);

/*
 * The text of /proc/PID/cgroup (@len bytes) with every relative path made
 * absolute with @root_of, into *@ret (malloc'd, NUL-terminated) and
 * *@ret_len. A line whose root is not known, or that does not rebase, is
 * left as it is (so it reads as the host, as before). 0 or -ENOMEM.
 */
int vgl_cgroup_rebase_file(const char *text, size_t len, vgl_cgroup_root_fn root_of, void *ctx,
			   char **ret, size_t *ret_len);

#endif /* VIGIL_STATE_CGROUP_REL_H */
