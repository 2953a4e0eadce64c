// SPDX-License-Identifier: Apache-2.0
/*
 * libFuzzer target for the context records of a capture (vigil replay's
 * input after the reader): any payloads, of any type, in any order, are
 * decoded or refused, applied to a recorded state or refused, and the
 * state's answers are readable whatever came before. The input is a run of
 * records "u8 type, u16 length (little-endian), payload". Seeds
 * (tests/fuzz/seeds/replaystate/): the records of a small recording.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "capture/record.h"
#include "capture/replaystate.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static volatile uint8_t sink;

static void touch(const char *s)
{
	if (s)
		sink ^= (uint8_t)s[strlen(s) / 2];
}

/* Ask everything of the keys the payload starts with. */
static void ask(struct vgl_replaystate *rs, const uint8_t *p, size_t len)
{
	const struct vgl_field_state_ops *o = vgl_replaystate_ops();
	uint32_t a = 0, b = 0;
	uint64_t cg = 0;
	const struct vgl_proc_view *v;
	const struct vgl_container_view *c;
	const struct vgl_fd_view *f;
	size_t n = 0;

	memcpy(&a, p, len < 4 ? len : 4);
	if (len >= 8)
		memcpy(&b, p + 4, 4);
	if (len >= 8)
		memcpy(&cg, p, 8);
	if ((v = o->proc(rs, a))) {
		touch(v->name), touch(v->exe), touch(v->exepath), touch(v->cwd);
		if (v->args && v->args_len)
			sink ^= (uint8_t)v->args[v->args_len - 1];
	}
	touch(o->proc_env(rs, a, &n));
	sink ^= (uint8_t)o->exe_upper_layer(rs, a);
	for (int i = 0; i < 2; i++) {
		if ((c = o->container(rs, i ? cg : a, i ? b : 0))) {
			touch(c->id), touch(c->image), touch(c->k8s_pod_name);
			for (size_t m = 0; m < c->nmounts; m++)
				touch(c->mounts[m].source), touch(c->mounts[m].dest);
			for (size_t l = 0; c->pod_labels && l < c->npod_labels; l++)
				touch(c->pod_labels[l].key), touch(c->pod_labels[l].value);
			touch(c->posture.user), touch(c->posture.seccomp);
			touch(c->posture.apparmor), touch(c->posture.selinux), touch(c->posture.ip);
		}
	}
	touch(o->user_name(rs, a, b)), touch(o->user_home(rs, a, b));
	touch(o->user_shell(rs, a, b)), touch(o->group_name(rs, a, b));
	if ((f = o->fd(rs, a, (int64_t)b)))
		touch(f->name), touch(f->l4proto);
	touch(o->hostname(rs));
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct vgl_replaystate *rs = vgl_replaystate_new("fuzz");
	struct vgl_replaystate_stats st;

	if (!rs)
		return 0;
	while (size >= 3) {
		uint32_t type = data[0] % (VGL_CAP_REC_MAX + 1);
		size_t len = (size_t)data[1] | (size_t)data[2] << 8;
		uint8_t *copy;

		data += 3;
		size -= 3;
		if (len > size)
			len = size;
		copy = malloc(len ? len : 1); /* exactly @len bytes: ASan sees any overrun */
		if (!copy)
			break;
		memcpy(copy, data, len);
		vgl_replaystate_apply(rs, type, copy, len);
		ask(rs, copy, len);
		free(copy);
		data += len;
		size -= len;
	}
	vgl_replaystate_stats(rs, &st);
	vgl_replaystate_free(rs);
	return 0;
}
