/* SPDX-License-Identifier: Apache-2.0 */
/* Socket ends of network events for the fd.* fields (fields/fd_sock.c). */
#ifndef VIGIL_RULES_FD_SOCK_H
#define VIGIL_RULES_FD_SOCK_H

#include "rules/fields/fields.h"

enum {
	F_NUM,
	F_NAME,
	F_NAMERAW,
	F_DIRECTORY,
	F_FILENAME,
	F_TYPECHAR,
	F_TYPE,
	F_L4PROTO,
	F_SOCKFAMILY,
	F_CONNECTED,
	F_NAME_CHANGED,
	F_IP,
	F_CIP,
	F_SIP,
	F_LIP,
	F_RIP,
	F_PORT,
	F_CPORT,
	F_SPORT,
	F_LPORT,
	F_RPORT,
	F_NET,
	F_CNET,
	F_SNET,
	F_LNET,
	F_RNET,
	F_CIP_NAME, /* the same order as F_CIP .. F_RIP */
	F_SIP_NAME,
	F_LIP_NAME,
	F_RIP_NAME,
	F_UNKNOWN,
};

bool is_sock_event(enum vgl_kind k);
/* The state's view of the event's descriptor (f_fd.c); NULL unknown or for an open. */
const struct vgl_fd_view *fd_event_view(struct vgl_xctx *x);
/*
 * fd.ip / fd.sport / fd.net ... (F_IP .. F_RNET): a socket event's
 * addresses; on other events the ends of the descriptor the state tracker
 * followed (a dup of a connected socket).
 */
int sock_addr(struct vgl_xctx *x, int id, struct vgl_fval *out);
/* fd.cip.name .. fd.rip.name: the watched name that address has (dns.h). */
int sock_ip_name(struct vgl_xctx *x, int id, struct vgl_fval *out);
/* Falco's socket fd.name: "cip:cport->sip:sport", "ip:port" or the unix path. */
int sock_name(struct vgl_xctx *x, struct vgl_fval *out);
/* '4', '6', 'u', 's' (other families) or 0 without an address. */
char sock_typechar(struct vgl_xctx *x);

#endif /* VIGIL_RULES_FD_SOCK_H */
