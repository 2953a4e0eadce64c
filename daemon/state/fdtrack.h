/* SPDX-License-Identifier: Apache-2.0 */
/*
 * IP sockets followed from the events vigil captures, so that the fd.* of a
 * descriptor are known after its process exited (a dup2 of a connected
 * socket onto 0/1/2 by `nc -e sh`, evaluated once nc is gone):
 *
 *	socket		a new entry at res (domain AF_INET / AF_INET6; l4proto
 *			from the type: stream tcp, dgram udp, raw raw)
 *	connect		both ends, connected (also on EINPROGRESS: the caller
 *			goes on only once it is), name "lip:lport->rip:rport"
 *	accept(4)	a new entry at res: both ends, the local one the server's,
 *			name "rip:rport->lip:lport" (client first, as Falco)
 *	bind		the local end, name "lip:lport"
 *	dup family	the entry at res from the socket the record describes
 *			(wire version 4: read from the kernel, whether or not
 *			its calls were followed; the server's end: oldfd's
 *			entry's when it has the same local end, else the lower
 *			port); no socket described forgets res
 *	fcntl(F_DUPFD, F_DUPFD_CLOEXEC), a dup of an older capture
 *			the entry of oldfd (fcntl: fd) copied to res (without
 *			close-on-exec, unless dup3 O_CLOEXEC or F_DUPFD_CLOEXEC);
 *			an untracked oldfd forgets res
 *	close		the entry is dropped when the next event is applied (the
 *			close itself still sees it, as in libsinsp); vigil
 *			captures the close of IP sockets only, and only when a
 *			rule or --events asks for close (not for the tracker:
 *			too costly: bench/README.md)
 *	open family, socket of another domain, memfd_create, userfaultfd
 *			forget res (the number now names something else)
 *	pipe, pipe2, socketpair
 *			forget fd1 and fd2
 *	fork, clone	the child (not a thread) gets a copy of the parent's entries
 *	execve(at)	entries opened close-on-exec (SOCK_CLOEXEC, accept4 /
 *			dup3 flags) are dropped, the others kept: descriptors
 *			survive exec
 *	procexit	the process's entries are dropped
 *
 * A number can still be reused unseen (by a call vigil does not follow:
 * eventfd, epoll_create, timerfd_create, a descriptor passed over a unix
 * socket...; or after a lost event): the caller (fdtable.c) lets /proc answer when the process
 * still has the number open as something other than a socket. Bounded per
 * process (the least recently changed entry goes) and in total (the least
 * recently used process loses its oldest entry); evictions are counted.
 */
#ifndef VIGIL_STATE_FDTRACK_H
#define VIGIL_STATE_FDTRACK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "decode/event.h"
#include "rules/state.h"

#define VGL_FDTRACK_PER_PROC 16	  /* entries per process */
#define VGL_FDTRACK_DEFAULT  4096 /* entries in total */
#define VGL_FDTRACK_NAME_MAX 128  /* "v6:port->v6:port" fits */

struct vgl_fdtrack;

/* @max_entries 0: VGL_FDTRACK_DEFAULT. NULL without memory. */
struct vgl_fdtrack *vgl_fdtrack_new(size_t max_entries);
void vgl_fdtrack_free(struct vgl_fdtrack *t);

/* Apply @ev (any kind; those above change entries). */
void vgl_fdtrack_update(struct vgl_fdtrack *t, const struct vgl_event *ev);

/* The tracked IP socket @fd of @pid, NULL if none; valid until the next update. */
const struct vgl_fd_view *vgl_fdtrack_get(struct vgl_fdtrack *t, uint32_t pid, int64_t fd);

/* Entries held now, and entries evicted by the limits so far. */
void vgl_fdtrack_counts(const struct vgl_fdtrack *t, size_t *ret_entries, uint64_t *ret_evictions);

#endif /* VIGIL_STATE_FDTRACK_H */
