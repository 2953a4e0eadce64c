/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Descriptor info for fd.* fields of events that do not describe their
 * descriptor themselves (dup, fchmod, sendto, connect's l4proto, ...): IP
 * sockets followed from events (fdtrack.h), and /proc/PID/fd/N read on
 * demand, sockets classified through the tables of /proc/PID/net. The
 * tracked entry answers when /proc no longer has the process or the number,
 * or shows a socket there; /proc answers when it shows something else.
 * /proc answers are cached by (pid, fd) and revalidated against the
 * descriptor's link on every use (vigil does not capture close(), so a
 * number may have been reused); the cache is bounded (LRU).
 */
#ifndef VIGIL_STATE_FDTABLE_H
#define VIGIL_STATE_FDTABLE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "decode/event.h"
#include "rules/state.h"

#define VGL_FDS_DEFAULT	 16384
#define VGL_NET_FILE_MAX (8u << 20) /* read limit of a /proc/PID/net table */

struct vgl_fdtable;

struct vgl_fdtable *vgl_fdtable_new(const char *proc_root, size_t max_entries);
void vgl_fdtable_free(struct vgl_fdtable *t);

/* The descriptor @fd of process @pid; NULL when unknown (gone, unreadable). */
const struct vgl_fd_view *vgl_fdtable_get(struct vgl_fdtable *t, uint32_t pid, int64_t fd);

/* Follow @ev's descriptors (fdtrack.h); a successful connect marks a cached socket connected. */
void vgl_fdtable_update(struct vgl_fdtable *t, const struct vgl_event *ev);

/*
 * Counters: /proc cache size, /proc link reads, /proc/net scans, evictions
 * (of both the cache and the tracked sockets); tracked sockets held now and
 * evicted by their limits (fdtrack.h).
 */
struct vgl_fdtable_stats {
	size_t entries;
	uint64_t lookups, net_scans, evictions;
	size_t tracked;
	uint64_t tracked_evictions;
};
void vgl_fdtable_stats(const struct vgl_fdtable *t, struct vgl_fdtable_stats *ret);

/* Pure helpers, exposed for tests. */

/* Type character of a /proc/PID/fd link: 'f' file, 'p' pipe, 'e' eventfd, 'i'
 * inotify, 't' timerfd, 's' signalfd, 'l' epoll, 'b' bpf, 'o' other anon inode;
 * 0 for "socket:[ino]" (*@ret_sock_ino set) and unknown forms. */
char vgl_fd_link_type(const char *link, uint64_t *ret_sock_ino);

struct vgl_sock_info {
	char typechar;	     /* '4' '6' 'u' */
	const char *l4proto; /* static: "tcp" "udp" "raw"; NULL for unix */
	bool connected;
	char name[160]; /* "lip:lport->rip:rport", "lip:lport", or the unix path */
};

/* Find socket inode @ino in the text of a /proc/net table: @table is "tcp",
 * "tcp6", "udp", "udp6", "raw", "raw6" or "unix". true and *@ret when found. */
bool vgl_net_find(const char *table, const char *text, uint64_t ino, struct vgl_sock_info *ret);

#endif /* VIGIL_STATE_FDTABLE_H */
