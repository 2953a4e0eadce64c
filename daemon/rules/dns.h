/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Domain names of fd.cip.name, fd.sip.name, fd.lip.name and fd.rip.name, as
 * Falco has them: the names a rule compares these fields with are resolved
 * ahead of time, on a thread of their own, and an event's address then
 * "has" the name whose addresses include it. Nothing is looked up while an
 * event waits. A name is refreshed after 10 s, and after twice as long each
 * time its addresses did not change, up to 320 s.
 *
 * The registry is process-wide: rule sets (and reloads) add names, none is
 * removed. Limits: VGL_DNS_NAMES_MAX names, VGL_DNS_ADDRS_MAX addresses each.
 */
#ifndef VIGIL_RULES_DNS_H
#define VIGIL_RULES_DNS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define VGL_DNS_NAMES_MAX 1024
#define VGL_DNS_ADDRS_MAX 16
#define VGL_DNS_NAME_MAX  253 /* a domain name's longest text form */

/* Watch @name; returns 0, or -ENOSPC / -ENAMETOOLONG / -ENOMEM. */
int vgl_dns_watch(const char *name);

/* Start the resolver thread (once; later calls do nothing). */
int vgl_dns_start(void);

/* Resolve every watched name now, on this thread (tests, tools). */
void vgl_dns_resolve_all(void);

/*
 * The first watched name (in the order they were added) one of whose
 * addresses is @ip (@fam 4 or 6, @ip 4 or 16 bytes). Copies it into @buf and
 * returns its length, or 0 when no watched name has that address.
 */
size_t vgl_dns_name_of(int fam, const uint8_t *ip, char *buf, size_t size);

#endif /* VIGIL_RULES_DNS_H */
