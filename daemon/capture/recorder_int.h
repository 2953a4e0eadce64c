/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Recorder internals shared by recorder.c (events, writer, flight),
 * recorder_ctx.c (the context of one event) and recorder_proxy.c (the ops
 * the rules read through).
 */
#ifndef VIGIL_CAPTURE_RECORDER_INT_H
#define VIGIL_CAPTURE_RECORDER_INT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "capture/record.h"
#include "capture/recorder.h"
#include "capture/recorder_map.h"

#define RM_GONE		   UINT64_MAX /* a version meaning "written as unknown" */
#define REC_LATE_MAX	   64	      /* late keys of one event remembered for a rewrite */
#define REC_CTR_ID_MAX	   256
#define REC_IDS_MAX	   8		 /* uids whose names an event's set holds */
#define LAZY_UNKNOWN_UPPER (1ull << 63)	 /* in a PROC_LAZY version written */
#define REC_RETRY_NS	   1000000000ull /* an unknown answer is asked again after */

/* A key read outside the event's set, to write again if its block is dropped. */
enum rec_kind { RK_PROC, RK_LAZY, RK_CTR, RK_USER, RK_GROUP, RK_FD, RK_EXE, RK_CONFIG };
struct rec_late {
	enum rec_kind kind;
	uint32_t pid;
	uint64_t arg; /* cgroup id, uid, gid or fd */
};

/* Framed context records of one event for the flight recorder. */
struct rec_ctx {
	unsigned char *data;
	size_t len, cap;
	bool err;
};

/* What the context of an event is looked up by, but its descriptor. */
struct rec_keys {
	uint64_t cgroup_id;
	uint32_t pid, ppid, egid, nids;
	uint32_t ids[REC_IDS_MAX]; /* euid, loginuid, VGL_PT_UID parameters */
};

/*
 * The fast path (recorder_fast.c): the last context looked up that wrote
 * nothing and whose every answer the state's changes callback vouches for.
 * Until the keys, the state, the writer's epoch or the tables change, the
 * same lookups would write nothing again.
 */
struct rec_fast {
	bool valid;
	struct rec_keys keys;
	uint64_t changes, epoch, db_hash, db_version;
	uint64_t until; /* an unknown upper layer or process is asked again then */
	uint32_t tags[3];
};

/* Taken when a context lookup begins (rec_fast_begin()). */
struct rec_fast_mark {
	uint64_t changes, wants;
	uint32_t tags[3];
};

struct vgl_recorder {
	struct vgl_recorder_opts o;
	struct vgl_match_ctx *fctx; /* the capture filter's */
	/* what the current file holds (recorder_map.h):
	 *	procs  pid -> v0 PROC version (RM_GONE), v1 PROC_LAZY version,
	 *	       v2 hash of the container id its names came from, v3 hash of
	 *	       the ids whose names were last found written (users()), v4
	 *	       when to ask an unknown upper layer again
	 *	ctrs   (cgroup id, pid or 0) -> v0 version, v1 view address, v2 when
	 *	       written (the newer of (cg, pid) and (cg, 0) is what replay answers)
	 *	users  (uid | 1 << 32 for a gid, container id hash) -> v0 database
	 *	       version, v1 hash of the names
	 *	       (pid, 1) -> the last EXE answer: v0 inode, v1 ctime, v2
	 *	       mtime, v3 1 when known (a new slot: unknown, as replay starts)
	 *	       (pid, 2) -> v0 hash of the last CONFIG answer (0: none)
	 *	fds    (pid, fd) -> v0 version (RM_GONE) */
	struct rm_map procs, ctrs, users, fds;
	uint64_t epoch, wseq, writer_lost;
	struct vgl_capbuf rec; /* the payload being written */
	struct rec_ctx ctx;
	/* the event being recorded */
	const struct vgl_event *ev;
	bool active;	/* written, between vgl_recorder_event() and _end() */
	bool to_writer; /* what the context functions write to */
	bool to_flight;
	bool dropped;  /* a put failed with -ENOBUFS: write the context again */
	bool late;     /* the context functions run for a rule (the proxy) */
	bool loss_due; /* a new epoch: say what the writer lost, after its first event */
	unsigned char *raw;
	size_t raw_len, raw_cap;
	struct rec_late lates[REC_LATE_MAX];
	size_t nlate;
	char ctr_id[REC_CTR_ID_MAX]; /* the event's container, for the flight recorder */
	struct {		     /* users_of() of this event, asked once */
		bool valid;
		uint32_t pid;
		uint64_t version, hash;
		char id[REC_CTR_ID_MAX];
	} db;
	int8_t fd_param[VGL_EV_MAX];	 /* index of the "fd" parameter per kind, -1 none */
	uint64_t uid_params[VGL_EV_MAX]; /* bit i: parameter i is a VGL_PT_UID */
	uint32_t chain[1 + VGL_RECORDER_ANCESTORS];
	size_t nchain;
	struct rec_fast fast;
	uint64_t wants;	   /* context records the lookups found to write */
	bool unsure;	   /* an answer the changes callback does not vouch for */
	bool unknown_proc; /* a process of the set is unknown: ask again in a while */
	struct vgl_recorder_stats stats;
	char cfg_path[4096]; /* the last CONFIG record's path, for a rewrite */
};

/* proc.env and proc.is_exe_upper_layer as the context functions return them. */
struct rec_lazy {
	const char *env;
	size_t env_len;
	int upper;
};

/* The names of one uid as the context functions return them. */
struct rec_names {
	const char *name, *home, *shell;
};

/* recorder_ctx.c: query the live ops for one key, write what changed. */
const struct vgl_proc_view *rec_proc(struct vgl_recorder *r, uint32_t pid);
struct rec_lazy rec_lazy(struct vgl_recorder *r, uint32_t pid);
const struct vgl_container_view *rec_container(struct vgl_recorder *r, uint64_t cgroup_id,
					       uint32_t pid);
struct rec_names rec_user(struct vgl_recorder *r, uint32_t uid, uint32_t pid, bool group);
const struct vgl_fd_view *rec_fd(struct vgl_recorder *r, uint32_t pid, int64_t fd);
/* The whole set of @ev (see recorder_ctx.c). */
bool rec_exe(struct vgl_recorder *r, uint32_t pid, struct vgl_exe_stat *ret);
const char *rec_config(struct vgl_recorder *r, uint32_t pid, const char *path, size_t *ret_len,
		       int *ret_err);
void rec_context(struct vgl_recorder *r, const struct vgl_event *ev);
/* A record written for a rule rather than for the event's set (counted, kept for a rewrite). */
void rec_note_late(struct vgl_recorder *r, enum rec_kind kind, uint32_t pid, uint64_t arg);
/* r->db: the user database of @pid, asked once per event. */
void rec_users_db(struct vgl_recorder *r, uint32_t pid);
/* The names of the ids @ev's fields show (recorder_users.c). */
void rec_event_users(struct vgl_recorder *r, const struct vgl_event *ev);

/* FNV-1a of @s, never 0 (0 means "none" in the tables). */
static inline uint64_t rec_str_hash(const char *s)
{
	uint64_t h = 0xcbf29ce484222325ull;

	for (; s && *s; s++)
		h = (h ^ (unsigned char)*s) * 0x100000001b3ull;
	return h | 1;
}

/* recorder_fast.c */
void rec_keys_of(const struct vgl_recorder *r, const struct vgl_event *ev, struct rec_keys *ret);
/* true: the context of @ev (but its descriptor) needs nothing written. */
bool rec_fast(struct vgl_recorder *r, const struct vgl_event *ev);
void rec_fast_begin(struct vgl_recorder *r, struct rec_fast_mark *ret);
/* After the lookups of @ev's set (but its descriptor) since @m. */
void rec_fast_end(struct vgl_recorder *r, const struct vgl_event *ev,
		  const struct rec_fast_mark *m);

/*
 * recorder.c: r->rec holds a payload of @type: append it to the flight's
 * context and/or hand it to the writer. true when the writer took it.
 */
bool rec_emit(struct vgl_recorder *r, uint32_t type, bool flight, bool writer);

#endif /* VIGIL_CAPTURE_RECORDER_INT_H */
