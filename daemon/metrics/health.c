// SPDX-License-Identifier: Apache-2.0
/*
 * /livez: vigil is alive when its programs are attached and the event loop
 * read the ring buffer in the last VGL_METRICS_STALL_S seconds: what a
 * restart can mend. /healthz: alive, and every output is delivering or
 * recovering (vgl_sink_healthy()); a receiver that is down is not mended by
 * restarting vigil (it would lose the alerts queued for it), so it fails
 * readiness, not liveness. Otherwise one line per problem says what is wrong.
 */
#include <string.h>

#include "metrics/view.h"
#include "output/alert.h"

/* "output NAME: WHY", escaped: the reason may quote a receiver's reply. */
static void sink_line(struct vgl_text *t, const struct vgl_metrics_sink *k)
{
	char name[192], why[640];

	vgl_alert_escape(k->name, strlen(k->name), name, sizeof(name));
	vgl_alert_escape(k->why, strlen(k->why), why, sizeof(why));
	vgl_text_printf(t, "output %s: %s\n", name, why);
}

size_t vgl_metrics_live(const struct vgl_metrics_view *v, struct vgl_text *out)
{
	const struct vgl_metrics_snapshot *s = v->s;
	double idle = v->now_mono - s->consumed_at;
	size_t n = 0;

	if (!v->published) {
		vgl_text_printf(out, "starting\n");
		return 1;
	}
	if (!s->attached) {
		vgl_text_printf(out, "capture: programs not attached\n");
		n++;
	}
	if (idle > VGL_METRICS_STALL_S) {
		vgl_text_printf(out, "capture: ring buffer not consumed for %.0f s\n", idle);
		n++;
	}
	return n;
}

size_t vgl_metrics_health(const struct vgl_metrics_view *v, struct vgl_text *out)
{
	size_t n = vgl_metrics_live(v, out);

	if (!v->published)
		return n;
	for (size_t i = 0; i < v->nsinks; i++) {
		if (!v->sinks[i].healthy) {
			sink_line(out, &v->sinks[i]);
			n++;
		}
	}
	return n;
}
