// SPDX-License-Identifier: Apache-2.0
/*
 * The name registry behind fd.*ip.name (dns.h). One mutex guards it: the
 * resolver holds it only to copy a name out and its addresses in, never
 * across getaddrinfo(), and an event's lookup is a scan of at most
 * VGL_DNS_NAMES_MAX * VGL_DNS_ADDRS_MAX addresses, made only for events a
 * rule asks the field of.
 */
#include <errno.h>
#include <netdb.h>
#include <netinet/in.h>
#include <pthread.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>

#include "rules/dns.h"
#include "util/threadsig.h"

#define DNS_REFRESH_MIN 10  /* seconds */
#define DNS_REFRESH_MAX 320 /* seconds */

struct dns_addrs {
	int n;
	uint8_t fam[VGL_DNS_ADDRS_MAX];
	uint8_t ip[VGL_DNS_ADDRS_MAX][16];
};

struct dns_name {
	char name[VGL_DNS_NAME_MAX + 1];
	struct dns_addrs addrs;
	int interval; /* seconds until the next refresh after this one */
	time_t next;  /* when to refresh (CLOCK_MONOTONIC seconds); 0: now */
};

static struct {
	pthread_mutex_t lock;
	pthread_cond_t wake;
	struct dns_name *names;
	size_t n;
	bool started;
} dns = { PTHREAD_MUTEX_INITIALIZER, PTHREAD_COND_INITIALIZER, NULL, 0, false };

int vgl_dns_watch(const char *name)
{
	struct dns_name *v;
	int ret = 0;

	if (strlen(name) > VGL_DNS_NAME_MAX)
		return -ENAMETOOLONG;
	pthread_mutex_lock(&dns.lock);
	for (size_t i = 0; i < dns.n; i++)
		if (strcmp(dns.names[i].name, name) == 0)
			goto out;
	if (dns.n == VGL_DNS_NAMES_MAX) {
		ret = -ENOSPC;
		goto out;
	}
	v = realloc(dns.names, (dns.n + 1) * sizeof(*v));
	if (!v) {
		ret = -ENOMEM;
		goto out;
	}
	dns.names = v;
	memset(&v[dns.n], 0, sizeof(v[0]));
	strcpy(v[dns.n].name, name);
	v[dns.n].interval = DNS_REFRESH_MIN;
	dns.n++;
	pthread_cond_signal(&dns.wake);
out:
	pthread_mutex_unlock(&dns.lock);
	return ret;
}

/* Monotonic: a step of the wall clock neither stalls nor hurries refreshes. */
static time_t now_s(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return t.tv_sec;
}

static bool addrs_has(const struct dns_addrs *a, int fam, const uint8_t *ip)
{
	size_t len = fam == 4 ? 4 : 16;

	for (int i = 0; i < a->n; i++)
		if (a->fam[i] == fam && memcmp(a->ip[i], ip, len) == 0)
			return true;
	return false;
}

/* getaddrinfo() for @name: its IPv4 and IPv6 addresses, without repeats. */
static void resolve(const char *name, struct dns_addrs *ret)
{
	struct addrinfo hints = { .ai_family = AF_UNSPEC, .ai_socktype = SOCK_STREAM };
	struct addrinfo *res, *ai;
	uint8_t ip[16];
	int fam;

	memset(ret, 0, sizeof(*ret));
	if (getaddrinfo(name, NULL, &hints, &res) != 0)
		return;
	for (ai = res; ai && ret->n < VGL_DNS_ADDRS_MAX; ai = ai->ai_next) {
		memset(ip, 0, sizeof(ip));
		if (ai->ai_family == AF_INET) {
			fam = 4;
			memcpy(ip, &((struct sockaddr_in *)ai->ai_addr)->sin_addr, 4);
		} else if (ai->ai_family == AF_INET6) {
			fam = 6;
			memcpy(ip, &((struct sockaddr_in6 *)ai->ai_addr)->sin6_addr, 16);
		} else {
			continue;
		}
		if (addrs_has(ret, fam, ip))
			continue;
		ret->fam[ret->n] = (uint8_t)fam;
		memcpy(ret->ip[ret->n], ip, 16);
		ret->n++;
	}
	freeaddrinfo(res);
}

static bool addrs_same(const struct dns_addrs *a, const struct dns_addrs *b)
{
	if (a->n != b->n)
		return false;
	for (int i = 0; i < a->n; i++)
		if (!addrs_has(b, a->fam[i], a->ip[i]))
			return false;
	return true;
}

/* Resolve entry @i and store the result; the lock is not held on entry. */
static void refresh(size_t i)
{
	char name[VGL_DNS_NAME_MAX + 1];
	struct dns_addrs a;
	struct dns_name *e;

	pthread_mutex_lock(&dns.lock);
	strcpy(name, dns.names[i].name);
	pthread_mutex_unlock(&dns.lock);
	resolve(name, &a);
	pthread_mutex_lock(&dns.lock);
	e = &dns.names[i];
	if (addrs_same(&e->addrs, &a) && e->next) {
		e->interval *= 2;
		if (e->interval > DNS_REFRESH_MAX)
			e->interval = DNS_REFRESH_MAX;
	} else {
		e->addrs = a;
		e->interval = DNS_REFRESH_MIN;
	}
	e->next = now_s() + e->interval;
	pthread_mutex_unlock(&dns.lock);
}

void vgl_dns_resolve_all(void)
{
	size_t n;

	pthread_mutex_lock(&dns.lock);
	n = dns.n;
	pthread_mutex_unlock(&dns.lock);
	for (size_t i = 0; i < n; i++)
		refresh(i); /* entries are only appended: index i stays valid */
}

/* The entry due first, waiting until it is due; called with the lock held. */
static size_t next_due(void)
{
	for (;;) {
		struct timespec until = { 0, 0 };
		size_t best = 0;

		for (size_t i = 1; i < dns.n; i++)
			if (dns.names[i].next < dns.names[best].next)
				best = i;
		if (dns.n == 0) {
			pthread_cond_wait(&dns.wake, &dns.lock);
			continue;
		}
		if (dns.names[best].next <= now_s())
			return best;
		until.tv_sec = dns.names[best].next;
		pthread_cond_timedwait(&dns.wake, &dns.lock, &until);
	}
}

static void *resolver(void *arg)
{
	(void)arg;
	for (;;) {
		size_t i;

		pthread_mutex_lock(&dns.lock);
		i = next_due();
		pthread_mutex_unlock(&dns.lock);
		refresh(i);
	}
	return NULL;
}

int vgl_dns_start(void)
{
	sigset_t all, old;
	pthread_t t;
	int ret = 0;

	pthread_mutex_lock(&dns.lock);
	if (!dns.started) {
		pthread_condattr_t ca;

		/* nobody waits on it yet: give it the clock next_due() counts in */
		pthread_condattr_init(&ca);
		pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
		pthread_cond_destroy(&dns.wake);
		pthread_cond_init(&dns.wake, &ca);
		pthread_condattr_destroy(&ca);
		/* the thread takes no signals: those are the main loop's (signalfd) */
		vgl_sigfill_threads(&all); /* but the privilege drop's */
		pthread_sigmask(SIG_SETMASK, &all, &old);
		ret = -pthread_create(&t, NULL, resolver, NULL);
		pthread_sigmask(SIG_SETMASK, &old, NULL);
		/* detached: a getaddrinfo() stuck on an unreachable server must
		 * not hold up vigil's exit */
		if (!ret)
			pthread_detach(t);
		dns.started = ret == 0;
	}
	pthread_mutex_unlock(&dns.lock);
	return ret;
}

size_t vgl_dns_name_of(int fam, const uint8_t *ip, char *buf, size_t size)
{
	size_t len = 0;

	pthread_mutex_lock(&dns.lock);
	for (size_t i = 0; i < dns.n; i++) {
		if (!addrs_has(&dns.names[i].addrs, fam, ip))
			continue;
		len = strlen(dns.names[i].name);
		if (len >= size)
			len = 0;
		else
			memcpy(buf, dns.names[i].name, len + 1);
		break;
	}
	pthread_mutex_unlock(&dns.lock);
	return len;
}
