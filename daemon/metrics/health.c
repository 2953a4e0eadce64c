// SPDX-License-Identifier: Apache-2.0
/*
 * /healthz: vigil is healthy when its programs are attached, the event loop
 * read the ring buffer in the last VGL_METRICS_STALL_S seconds, and every
 * output is delivering or recovering (vgl_sink_healthy()). Otherwise one
 * line per problem says what is wrong.
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

size_t vgl_metrics_health(const struct vgl_metrics_view *v, struct vgl_text *out)
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
	for (size_t i = 0; i < v->nsinks; i++) {
		if (!v->sinks[i].healthy) {
			sink_line(out, &v->sinks[i]);
			n++;
		}
	}
	return n;
}
