/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The metrics and health endpoint (docs/metrics.md): GET /metrics in the
 * Prometheus text format and GET /healthz, served over HTTP by
 * libmicrohttpd on a thread of its own. Off unless `metrics.listen` is set.
 *
 *	vgl_metrics_start()    binds at start-up: a bad address or a port in use is an error
 *	vgl_metrics_alert()    once per alert, from the pipeline's thread
 *	vgl_metrics_publish()  about once a second, from the event loop: a copy of its counters
 *	vgl_metrics_stop()
 *
 * The HTTP thread never reads the pipeline's state: it serves the last
 * published snapshot (copied under a mutex) and reads the sinks' counters
 * live through vgl_sink_get_stats() and vgl_sink_healthy(), which lock.
 * Before the first publish, /healthz answers 503 "starting".
 */
#ifndef VIGIL_METRICS_METRICS_H
#define VIGIL_METRICS_METRICS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "decode/event.h"
#include "output/outputs.h"

#define VGL_METRICS_CPUS_MAX  1024 /* CPUs reported one by one (cpu label) */
#define VGL_METRICS_RULES_MAX 8192 /* (rule, priority) pairs counted by name */
#define VGL_METRICS_STALL_S   10   /* ring buffer unread this long: /healthz 503 */
#define VGL_METRICS_CONNS_MAX 16   /* HTTP connections at once */
#define VGL_METRICS_TIMEOUT_S 10   /* an idle HTTP connection is closed after this */

/* The event loop's counters at one point in time (plain values, no pointers). */
struct vgl_metrics_snapshot {
	bool attached;	    /* the BPF programs are attached */
	double consumed_at; /* CLOCK_MONOTONIC seconds of the last ring-buffer read */
	/* kernel side: by kind, and by CPU summed over kinds */
	struct vgl_kind_stats kernel[VGL_EV_MAX];
	size_t ncpus;
	struct vgl_kind_stats cpu[VGL_METRICS_CPUS_MAX];
	/* userspace: the pipeline (struct vgl_pipeline_stats) */
	uint64_t received, decode_errors, output_errors;
	uint64_t decoded[VGL_EV_MAX];
	uint64_t alerts, alert_errors;
	uint64_t held, held_timeout, hold_overflow;
	uint64_t rate_limited; /* alerts suppressed by the output stage's rate limit */
	/* state (with rules): table sizes now, and evictions */
	uint64_t procs, containers, fds;
	uint64_t proc_evictions, container_evictions, fd_evictions;
	/* rules */
	uint64_t nrules;
	double load_seconds;		     /* the last successful load or reload took */
	double reload_ok_at, reload_fail_at; /* wall clock seconds; 0: never */
	uint64_t reloads_ok, reloads_failed; /* SIGHUP reloads */
	/* capture (-w) and the flight recorder; families only when on */
	bool capture_writing, flight_recording;
	uint64_t cap_offered, cap_filtered, cap_written, cap_ctx_records, cap_late_records;
	uint64_t cap_refused;			   /* events the writer refused */
	uint64_t cap_events, cap_bytes, cap_files; /* written to files */
	uint64_t cap_files_removed, cap_events_lost, cap_blocks_dropped, cap_write_errors;
	uint64_t flight_ring_events, flight_ring_evicted, flight_captures, flight_refused;
	uint64_t flight_events_written, flight_events_lost, flight_errors;
};

struct vgl_metrics;

/*
 * Listen on @listen ("127.0.0.1:8765", "[::1]:8765", ":8765") and serve
 * @outputs' sinks (may be NULL) and what is published. Returns 0, or
 * -errno with @err naming the address and the reason.
 */
int vgl_metrics_start(const char *listen, struct vgl_outputs *outputs, struct vgl_metrics **ret,
		      char *err, size_t errlen);

/* Count one match of @rule at @priority (enum vgl_priority). Accepts NULL @m. */
void vgl_metrics_alert(struct vgl_metrics *m, const char *rule, int priority);

/* Serve @s from now on (copied). Accepts NULL @m. */
void vgl_metrics_publish(struct vgl_metrics *m, const struct vgl_metrics_snapshot *s);

/* Stop serving and free. Accepts NULL. */
void vgl_metrics_stop(struct vgl_metrics *m);

#endif /* VIGIL_METRICS_METRICS_H */
