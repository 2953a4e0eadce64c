/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Capture and replay for the end-to-end tests: `vigil replay` run the way a
 * user runs it (as root or as another user), its JSON alerts and events
 * collected, and comparisons of what replay printed with what `vigil run`
 * printed live: alerts as sets, field by field, events in order.
 *
 * Other programs run on the host while a test records, and their events are
 * in the capture too: comparisons are over the test's own alerts and events,
 * those that mention one of the markers the test controls (a unique
 * directory, its children's names, its containers' ids and names).
 */
#ifndef VIGIL_TESTS_E2E_HARNESS_CAPTURE_H
#define VIGIL_TESTS_E2E_HARNESS_CAPTURE_H

#include <stdbool.h>
#include <sys/types.h>

#include <jansson.h>

#define E2E_REPLAY_MS	60000 /* one replay, at most */
#define E2E_MARKERS_MAX 16

/* A finished `vigil replay`. */
struct e2e_replay {
	int status;	/* exit status; -1 when killed by a signal or the timeout */
	json_t *alerts; /* JSON alert lines, in order */
	json_t *events; /* JSON event lines (--events), in order */
	char *out;	/* stdout, whole */
	char *err;	/* stderr, whole */
};

/*
 * Run `vigil replay --json ARGS...` (NULL-terminated) as @uid with group
 * @uid and no supplementary groups (0: as root), wait for it (at most
 * E2E_REPLAY_MS) and collect what it printed. Fails when a stdout line is
 * neither a Falco JSON alert nor an event. Freed by e2e_teardown_capture()
 * if the test does not free it.
 */
struct e2e_replay *e2e_replay_as(uid_t uid, const char *const *args);
#define e2e_replay(...) e2e_replay_as(0, (const char *[]){ __VA_ARGS__, NULL })
void e2e_replay_free(struct e2e_replay *r);
/* Fail, printing its stderr, unless @r exited with @status. */
void _e2e_assert_replay_status(const char *file, int line, const struct e2e_replay *r, int status);
#define e2e_assert_replay_status(r, s) _e2e_assert_replay_status(__FILE__, __LINE__, r, s)

/*
 * A recording that the tests of one file share, made by the first test that
 * asks: e2e_once() checks for root (and for docker with @docker), so that
 * each test skips (or fails with CI=true) on its own when they are missing,
 * runs @make the first time and fails every later test when it failed.
 */
struct e2e_once {
	bool tried, ok;
};
void e2e_once(struct e2e_once *once, bool docker, void (*make)(void));

/* Test markers: strings whose presence in an alert or event makes it the test's. */
struct e2e_markers {
	const char *s[E2E_MARKERS_MAX];
	size_t n;
};
void e2e_marker_add(struct e2e_markers *m, const char *s); /* copied */
/* Free the markers e2e_marker_add() copied; @m is empty again. */
void e2e_markers_free(struct e2e_markers *m);
/* Some string anywhere in @j (keys excluded) contains one of @m's markers. */
bool e2e_mentions(const json_t *j, const struct e2e_markers *m);
/* A new array of the elements of @list that mention one of @m's markers. */
json_t *e2e_select(const json_t *list, const struct e2e_markers *m);

/*
 * @replayed holds the same alerts as @live, as multisets, every field equal
 * (time, rule, priority, source, hostname, output, tags, output_fields).
 * A failure lists each alert found on one side only and, for an alert of
 * the same rule and evt.time on the other side, the fields that differ.
 */
void _e2e_assert_same_alerts(const char *file, int line, const json_t *live,
			     const json_t *replayed);
#define e2e_assert_same_alerts(l, r) _e2e_assert_same_alerts(__FILE__, __LINE__, l, r)
/* The same events in the same order, every field equal. */
void _e2e_assert_same_events(const char *file, int line, const json_t *live,
			     const json_t *replayed);
#define e2e_assert_same_events(l, r) _e2e_assert_same_events(__FILE__, __LINE__, l, r)

/*
 * @r exited 0, and its alerts (with @events: its events) that mention one
 * of @m's markers are those of @live, compared as above.
 */
void _e2e_assert_replayed_as_live(const char *file, int line, const struct e2e_replay *r,
				  const json_t *live, const struct e2e_markers *m, bool events);
#define e2e_assert_replayed_alerts(r, live, m) \
	_e2e_assert_replayed_as_live(__FILE__, __LINE__, r, live, m, false)
#define e2e_assert_replayed_events(r, live, m) \
	_e2e_assert_replayed_as_live(__FILE__, __LINE__, r, live, m, true)

/* Events of @list whose "type" is @type and that mention @needle (NULL: any). */
size_t e2e_count_events(const json_t *list, const char *type, const char *needle);

/* Print each event of @list on one short line (time type comm[pid] ppid container name). */
void e2e_print_events(const char *prefix, const json_t *list);

/* Copy @src to @dst, byte for byte. */
void e2e_copy_file(const char *src, const char *dst);
/* Size of @path in bytes; fails when it does not exist. */
long long e2e_file_size(const char *path);

/* cmocka teardown: e2e_teardown() and free a replay left over. */
int e2e_teardown_capture(void **state);

#endif /* VIGIL_TESTS_E2E_HARNESS_CAPTURE_H */
