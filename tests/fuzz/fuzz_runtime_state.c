// SPDX-License-Identifier: Apache-2.0
/*
 * libFuzzer target: arbitrary bytes as the container runtimes' state files
 * and the Docker daemon's settings, whose contents come partly from users
 * (image labels and annotations, container names, mount paths, security
 * options): Docker's config.v2.json + hostconfig.json (the input split at
 * its first NUL), an OCI bundle's config.json (containerd, CRI-O), dockerd's
 * daemon.json and its command line. Beyond "no crash": a parse either fails
 * with a message or gives bounded counts and NUL-free strings.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "rules/fields/dockerd.h"
#include "state/meta.h"

static void check_meta(struct vgl_ctr_meta *m)
{
	if (m->nmounts > VGL_META_MOUNTS_MAX || m->nlabels > VGL_META_LABELS_MAX)
		abort();
	for (size_t i = 0; i < m->nmounts; i++)
		if (m->mounts[i].dest && strlen(m->mounts[i].dest) > VGL_META_STR_MAX)
			abort();
	vgl_ctr_meta_clear(m);
}

static void runtimes(const char *data, size_t size)
{
	const char *nul = memchr(data, '\0', size);
	size_t first = nul ? (size_t)(nul - data) : size;
	struct vgl_ctr_meta m;
	char err[VGL_META_ERR_MAX];

	memset(&m, 0, sizeof(m));
	err[0] = '\0';
	if (!vgl_docker_parse(data, first, nul ? nul + 1 : NULL, nul ? size - first - 1 : 0, &m,
			      err))
		check_meta(&m);
	else if (!err[0])
		abort(); /* a failure names its problem */
	memset(&m, 0, sizeof(m));
	err[0] = '\0';
	if (!vgl_oci_parse(data, size, &m, err))
		check_meta(&m);
	else if (!err[0])
		abort();
}

static void daemon_settings(const char *data, size_t size)
{
	struct vgl_dockerd_says says;
	char buf[VGL_DOCKERD_CONFIG_MAX], err[256] = "";

	memset(&says, 0, sizeof(says));
	if (vgl_dockerd_parse_json(data, size, &says, buf, sizeof(buf), err, sizeof(err)) &&
	    !err[0])
		abort();
	if (says.nhosts > VGL_DOCKERD_HOSTS_MAX)
		abort();
	memset(&says, 0, sizeof(says));
	vgl_dockerd_parse_args(data, size, &says); /* argv, NUL-separated */
	if (says.nhosts > VGL_DOCKERD_HOSTS_MAX)
		abort();
	for (size_t i = 0; i < says.nhosts; i++)
		vgl_dockerd_host_is_tcp(says.hosts[i].s, says.hosts[i].len);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	/* the parsers take text: give them a NUL after it, as the file readers do */
	char *text = malloc(size + 1);

	if (!text)
		return 0;
	memcpy(text, data, size);
	text[size] = '\0';
	runtimes(text, size);
	daemon_settings(text, size);
	free(text);
	return 0;
}
