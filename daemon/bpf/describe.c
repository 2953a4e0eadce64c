// SPDX-License-Identifier: Apache-2.0
/* What `vigil run -v` says of the syscall hooks the loader chose. */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "bpf/loader_int.h"

/* Append to a string buffer, silently cut at its end. */
static void append(char *buf, size_t size, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
static void append(char *buf, size_t size, const char *fmt, ...)
{
	size_t len = strnlen(buf, size);
	va_list ap;

	if (len + 1 >= size)
		return;
	va_start(ap, fmt);
	vsnprintf(buf + len, size - len, fmt, ap);
	va_end(ap);
}

/*
 * What `vigil run -v` says of the syscall hooks: the exit hook, then
 * @enter, the entry hook; @enter_err: why sys_enter is not per syscall.
 */
void vgl_bpf_describe_syscalls(struct vgl_bpf *b, const char *enter, int enter_err)
{
	struct vgl_hook_choice *c = &b->hooks.choice[VGL_HOOK_SYSCALLS];
	char *why = b->hooks.why_buf[VGL_HOOK_SYSCALLS];
	char *hook = b->syscalls_hook;
	const char *sep = " (";

	hook[0] = '\0';
	if (!b->exit_tp) {
		append(hook, sizeof(b->syscalls_hook), "tp_btf/sys_exit");
	} else {
		append(hook, sizeof(b->syscalls_hook), "syscalls/sys_exit_<name> tracepoints");
		for (size_t i = 0; b->need_raw_exit && i < vgl_syscall_slots(); i++) {
			const char *tp;

			vgl_syscall_slot(i, &tp);
			if (b->on_tp[i] || !vgl_kindset_exit_slot(&b->exit_set, i))
				continue;
			append(hook, sizeof(b->syscalls_hook), "%s%s", sep, tp);
			sep = ", ";
		}
		if (b->need_raw_exit)
			append(hook, sizeof(b->syscalls_hook),
			       ": no tracepoint in this kernel, at tp_btf/sys_exit)");
	}
	append(hook, sizeof(b->syscalls_hook), "%s", enter);
	c->hook = hook;
	why[0] = '\0';
	append(why, sizeof(b->hooks.why_buf[0]), "%s", b->exit_why);
	if (enter_err)
		append(why, sizeof(b->hooks.why_buf[0]),
		       "%ssyscalls/sys_enter_<name> tracepoints: %s", why[0] ? "; " : "",
		       strerror(-enter_err));
	c->why = why;
}
