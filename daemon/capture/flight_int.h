/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The flight recorder's parts (capture/flight.h): the ring of recent events
 * (flight_ring.c), the captures being written (flight_cap.c), the thread
 * that closes finished captures (flight_reap.c) and the API (flight.c).
 */
#ifndef VIGIL_CAPTURE_FLIGHT_INT_H
#define VIGIL_CAPTURE_FLIGHT_INT_H

#include <limits.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "capture/flight.h"
#include "capture/writer.h"

#define FL_CTR_MAX   128 /* container id bytes kept (runtimes use 64 hex digits) */
#define FL_CHAIN_MAX 64	 /* pids of a chain kept: the process and its ancestors */
#define FL_SLUG_MAX  48	 /* bytes of the rule's name in a file name */
#define FL_REAP_MAX  (2 * VGL_FLIGHT_OPEN_MAX) /* finished captures waiting to be closed */

/* One event as the ring stores it and as captures match it. */
struct fl_view {
	uint64_t ts; /* wall clock when it was given to the recorder */
	uint32_t pid;
	const uint32_t *chain; /* pid, then its ancestors */
	size_t nchain;
	const char *ctr; /* container id, "host" on the host */
	size_t ctr_len;
	const uint8_t *ctx; /* framed context records */
	size_t ctx_len;
	const uint8_t *raw; /* the ring-buffer record */
	size_t raw_len;
};

/*
 * Entries are contiguous in one buffer allocated once, each a struct fl_ent
 * then its bytes, padded to 8: an EVENT (the chain, the container id, the
 * record) or a BLOB (the framed context records of one or more events of a
 * process). An event whose context is byte for byte the one its process
 * stored last refers to that blob instead of storing it again, as long as
 * the blob is young (FL_REFRESH): on a busy host a process's context is 1-4
 * KB, its events 100-300 bytes. An entry that does not fit before the end of
 * the buffer goes to its start (the bytes left at the end stay unused until
 * the ring wraps again). Eviction goes oldest first; a blob goes before the
 * events that refer to it, which go with it (counted evicted then).
 */
#define FL_CACHE_SLOTS 1024 /* processes whose last blob is remembered (direct-mapped) */
#define FL_REFRESH     8    /* a blob is reused while younger than 1/8 of the ring or window */

struct fl_blobref {
	uint32_t pid;
	uint32_t off; /* in buf */
	uint64_t seq; /* 0: none */
};

struct fl_ring {
	uint8_t *buf;
	size_t cap;
	size_t head, tail; /* oldest entry; where the next one goes */
	size_t end;	   /* wrapped: the data runs [head, end) then [0, tail) */
	bool wrapped;
	uint64_t entries; /* events and blobs in buf */
	uint64_t count;	  /* events that can still be read (their blob is there) */
	uint64_t evicted;
	uint64_t window_ns;
	uint64_t seq;		    /* bytes pushed so far + 1: an entry's position in the stream */
	uint64_t blobs, blob_bytes; /* blobs pushed, and their bytes (for the stats) */
	struct fl_blobref cache[FL_CACHE_SLOTS];
};

struct fl_iter {
	size_t off;
	uint64_t left;
};

int fl_ring_init(struct fl_ring *r, size_t cap, uint64_t window_ns);
void fl_ring_fini(struct fl_ring *r);
/* Evict entries older than the window at @now_ns. */
void fl_ring_expire(struct fl_ring *r, uint64_t now_ns);
/* Copy @v in, evicting the oldest as needed; one bigger than the ring is counted evicted. */
void fl_ring_push(struct fl_ring *r, const struct fl_view *v);
/* Oldest first: fl_ring_begin(), then fl_ring_next() until false. */
void fl_ring_begin(const struct fl_ring *r, struct fl_iter *it);
bool fl_ring_next(const struct fl_ring *r, struct fl_iter *it, struct fl_view *ret);

/* Bytes an event's entry, and a context blob, take in the ring (docs/flight-recorder.md). */
size_t fl_ring_event_bytes(size_t nchain, size_t ctr_len, size_t raw_len);
size_t fl_ring_blob_bytes(size_t ctx_len);

/* What a capture saves: one container's events, or on the host one process tree's. */
struct fl_key {
	bool host;
	uint32_t pid; /* host: the alerting process */
	char ctr[FL_CTR_MAX + 1];
	size_t ctr_len;
};

struct fl_cap {
	bool open;
	struct vgl_capwriter *w;
	char rule[VGL_CAP_STR_MAX];
	struct fl_key key;
	uint64_t start_ns, end_ns;
	uint64_t epoch;	    /* the writer's, when the last event was written */
	uint64_t lost_seen; /* the writer's events_lost, when last looked at */
	uint8_t *prev;	    /* the context written with the previous event */
	size_t prev_len, prev_cap;
	bool prev_ok; /* prev is what a reader of the file holds now */
	char path[PATH_MAX];
};

/* Closes finished captures on its own thread, so that the pipeline never waits. */
struct fl_reaper {
	pthread_t thread;
	pthread_mutex_t mu;
	pthread_cond_t more;
	struct vgl_capwriter *q[FL_REAP_MAX];
	size_t n;
	bool stop, started;
	atomic_uint_least64_t events_lost; /* of closed writers */
	atomic_uint_least64_t errors;	   /* closes that reported an error */
};

int fl_reap_init(struct fl_reaper *r);
/* Hand @w over with the events it lost so far; closes it here when the queue is full. */
void fl_reap(struct fl_reaper *r, struct vgl_capwriter *w);
void fl_reap_fini(struct fl_reaper *r); /* closes everything handed over */

struct vgl_flight {
	char *dir;
	struct vgl_cap_info info;
	uint64_t window_ns, max_duration_ns;
	struct fl_ring ring;
	struct fl_cap caps[VGL_FLIGHT_OPEN_MAX];
	size_t nopen;
	struct fl_reaper reaper;
	/* the last event given to vgl_flight_event(): what a trigger captures */
	bool have_last;
	struct fl_key last;
	char path_out[PATH_MAX]; /* what vgl_flight_trigger() returned last */
	struct vgl_flight_stats st;
};

/* flight_cap.c */
bool fl_key_match(const struct fl_key *k, const struct fl_view *v);
int fl_cap_begin(struct vgl_flight *f, struct fl_cap *c, const char *rule, uint64_t now_ns);
void fl_cap_write(struct vgl_flight *f, struct fl_cap *c, const struct fl_view *v);
void fl_cap_end(struct vgl_flight *f, struct fl_cap *c);
/* "<rule-slug>-<YYYYmmddTHHMMSS.mmmZ>-<container or host-PID>" into @buf. */
void fl_cap_name(const char *rule, const struct fl_key *k, uint64_t now_ns, char *buf, size_t size);

#endif /* VIGIL_CAPTURE_FLIGHT_INT_H */
