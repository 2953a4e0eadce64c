/* SPDX-License-Identifier: Apache-2.0 */
/* The sink drivers (one file each: sink_<type>.c), listed in registry.c. */
#ifndef VIGIL_OUTPUT_SINKS_H
#define VIGIL_OUTPUT_SINKS_H

#include "output/sink.h"

extern const struct vgl_sink_ops vgl_sink_stdout_ops;
extern const struct vgl_sink_ops vgl_sink_file_ops;
extern const struct vgl_sink_ops vgl_sink_syslog_ops;
extern const struct vgl_sink_ops vgl_sink_webhook_ops;
extern const struct vgl_sink_ops vgl_sink_program_ops;
extern const struct vgl_sink_ops vgl_sink_nats_ops;

#endif /* VIGIL_OUTPUT_SINKS_H */
