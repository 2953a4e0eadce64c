// SPDX-License-Identifier: Apache-2.0
/* Every sink driver vigil has, by its `type:` name. A new sink is one line here. */
#include <string.h>

#include "output/sink.h"
#include "output/sinks.h"

static const struct vgl_sink_ops *const drivers[] = {
	&vgl_sink_stdout_ops,  &vgl_sink_file_ops,    &vgl_sink_syslog_ops,
	&vgl_sink_webhook_ops, &vgl_sink_program_ops, &vgl_sink_nats_ops,
};

const struct vgl_sink_ops *vgl_sink_ops_find(const char *type)
{
	for (size_t i = 0; i < sizeof(drivers) / sizeof(drivers[0]); i++) {
		if (!strcmp(drivers[i]->type, type))
			return drivers[i];
	}
	return NULL;
}

const char *vgl_sink_types(void)
{
	static char names[256];

	if (!names[0]) {
		for (size_t i = 0; i < sizeof(drivers) / sizeof(drivers[0]); i++) {
			if (i)
				strcat(names, ", ");
			strcat(names, drivers[i]->type);
		}
	}
	return names;
}
