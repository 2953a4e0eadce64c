/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The flight recorder: an in-memory ring (bounded in bytes and in age) of
 * the latest events, each with its full context, so that a rule with
 * Falco's `capture: true` saves what led to its alert. On an alert, the
 * ring's events of the alerting container (on the host: of the alerting
 * process and its descendants) from the last window_ns are written to a new
 * capture file named after the rule and the time, followed by that
 * container's (process's) events for the rule's capture_duration; the
 * alert's JSON names the file. Writing happens on the capture writer's
 * thread (capture/writer.h), never in the pipeline.
 */
#ifndef VIGIL_CAPTURE_FLIGHT_H
#define VIGIL_CAPTURE_FLIGHT_H

#include <stddef.h>
#include <stdint.h>

#include "capture/format.h"
#include "decode/event.h"

#define VGL_FLIGHT_BYTES_DEFAULT       (32u << 20)
#define VGL_FLIGHT_WINDOW_NS_DEFAULT   30000000000ull /* 30 s before the alert */
#define VGL_FLIGHT_DURATION_NS_DEFAULT 5000000000ull  /* after it, as Falco's default */
#define VGL_FLIGHT_OPEN_MAX	       8	      /* captures being written at once */

struct vgl_flight_opts {
	const char *dir;	  /* where files go (created 0700 if missing) */
	size_t ring_bytes;	  /* 0: default */
	uint64_t window_ns;	  /* 0: default */
	uint64_t max_duration_ns; /* bound of a rule's capture_duration; 0: 60 s */
	struct vgl_cap_info info; /* header template */
};

struct vgl_flight_stats {
	uint64_t ring_events;	 /* events in the ring now */
	uint64_t ring_evicted;	 /* pushed out by the bounds */
	uint64_t captures;	 /* files begun */
	uint64_t refused;	 /* alerts not captured: VGL_FLIGHT_OPEN_MAX being written */
	uint64_t events_written; /* events written to flight files */
	uint64_t events_lost;	 /* events their writers dropped */
	uint64_t errors;	 /* files that could not be created (or finished) */
};

struct vgl_flight;

/* NULL with errno (and a message in @err) on failure. */
struct vgl_flight *vgl_flight_new(const struct vgl_flight_opts *opts, char *err, size_t errlen);
/* Finish open captures and free @f; @ret_stats (may be NULL): the final counters. */
void vgl_flight_free(struct vgl_flight *f, struct vgl_flight_stats *ret_stats);

/*
 * One event: @ctx holds its context records (struct vgl_cap_rec framing,
 * @ctx_len bytes), @raw the ring-buffer record; @ctr_id its container id
 * ("host"), @chain its pid then its ancestors' (@nchain). @now_ns wall clock.
 * Into the ring, and into every open capture it belongs to.
 */
void vgl_flight_event(struct vgl_flight *f, const struct vgl_event *ev, const void *raw,
		      size_t size, const void *ctx, size_t ctx_len, const char *ctr_id,
		      const uint32_t *chain, size_t nchain, uint64_t now_ns);

/*
 * An alert of @rule (capture: true) for the last event given to
 * vgl_flight_event(): begin a capture of @duration_ns (0: default). Returns
 * the file's path (owned by @f, valid until the next vgl_flight_trigger() or
 * vgl_flight_free()), or NULL when refused or failed (counted).
 */
const char *vgl_flight_trigger(struct vgl_flight *f, const char *rule, uint64_t duration_ns,
			       uint64_t now_ns);

void vgl_flight_stats(const struct vgl_flight *f, struct vgl_flight_stats *ret);

#endif /* VIGIL_CAPTURE_FLIGHT_H */
