// SPDX-License-Identifier: Apache-2.0
/*
 * The context of an event line (docs/events.md, "Context"): what the process
 * is (exe, cmdline, ancestors), as whom it runs and where (container, pod).
 * Everything is read through the state ops the rules read, and resolved the
 * way the rule fields of the same names are, so that an event line and an
 * alert raised on that event say the same thing.
 *
 * Each value is cut at its VGL_FMT_*_MAX (at a UTF-8 character boundary),
 * so a line with its context always fits VGL_FMT_BUF_MAX; a cut value is
 * followed by "..." in human lines and flagged by "context_truncated" in
 * JSON.
 */
#include "output/eventfmt.h"
#include "output/eventfmt_buf.h"

struct ctx_out {
	struct vgl_wbuf *w;
	bool json;
	bool cut; /* a value was cut at its limit */
	const struct vgl_field_state_ops *ops;
	void *state;
};

static void put_key(struct ctx_out *o, const char *key)
{
	if (o->json) {
		vgl_wb_lit(o->w, ", \"");
		vgl_wb_str(o->w, key);
		vgl_wb_lit(o->w, "\": ");
	} else {
		vgl_wb_char(o->w, ' ');
		vgl_wb_str(o->w, key);
		vgl_wb_char(o->w, '=');
	}
}

/* Unknown: null as the parameters' unknown values, <NA> as Falco prints it. */
static void put_unknown(struct ctx_out *o)
{
	if (o->json)
		vgl_wb_lit(o->w, "null");
	else
		vgl_wb_lit(o->w, "<NA>");
}

static void mark_cut(struct ctx_out *o)
{
	o->cut = true;
	if (!o->json)
		vgl_wb_lit(o->w, "...");
}

/*
 * How many of the @n bytes at @s to print within @max: never part of a
 * UTF-8 character (a sequence has at most 3 continuation bytes).
 */
static size_t cut_len(const char *s, size_t n, size_t max)
{
	size_t k = max;

	if (n <= max)
		return n;
	while (k > 0 && max - k < 3 && ((unsigned char)s[k] & 0xc0) == 0x80)
		k--;
	return k;
}

static void put_esc(struct ctx_out *o, const char *s, size_t n)
{
	if (o->json)
		vgl_wb_json_esc(o->w, s, n);
	else
		vgl_wb_c_esc(o->w, s, n);
}

/* A NUL-terminated string value of at most @max bytes, or unknown (NULL). */
static void put_string(struct ctx_out *o, const char *s, size_t max)
{
	size_t n, k;

	if (!s) {
		put_unknown(o);
		return;
	}
	n = strnlen(s, max + 1); /* never reads further than it may print */
	k = cut_len(s, n, max);
	vgl_wb_quoted(o->w, s, k, o->json);
	if (k < n)
		mark_cut(o);
}

static bool is_exec(const struct vgl_event *ev)
{
	return ev->kind == VGL_EV_EXECVE || ev->kind == VGL_EV_EXECVEAT;
}

/* The calling process's image: what proc.exepath and proc.cmdline show. */
struct image {
	bool known;	     /* args (perhaps none) are known */
	const char *exepath; /* NULL: unknown */
	const char *args;    /* argv[1..], NUL-separated */
	size_t args_len;
};

static const struct vgl_param *present(const struct vgl_event *ev, const char *name)
{
	const struct vgl_param *p = vgl_event_param(ev, name);

	return p && !p->absent ? p : NULL;
}

/*
 * The state's view of the process, except for a successful exec: its own
 * record names the new image (as the rule fields take it), even where the
 * state does not know the process. A failed exec changed nothing.
 */
static void get_image(const struct vgl_event *ev, const struct vgl_proc_view *v, struct image *im)
{
	const struct vgl_param *p;
	size_t n;

	memset(im, 0, sizeof(*im));
	if (v) {
		im->known = true;
		im->exepath = v->exepath;
		im->args = v->args;
		im->args_len = v->args ? v->args_len : 0;
	}
	if (!is_exec(ev) || ev->hdr.res != 0)
		return;
	if ((p = present(ev, "args"))) {
		n = p->str ? strnlen(p->str, p->len) : 0; /* argv[0] */
		im->known = true;
		im->args = n < p->len ? p->str + n + 1 : NULL;
		im->args_len = n < p->len ? p->len - n - 1 : 0;
	}
	if ((p = present(ev, "exe")) && p->str)
		im->exepath = p->str;
}

/* Up to *@budget bytes of @s escaped; false when @s had to be cut. */
static bool put_piece(struct ctx_out *o, const char *s, size_t n, size_t *budget)
{
	size_t k = cut_len(s, n, *budget);

	put_esc(o, s, k);
	*budget -= k;
	return k == n;
}

/*
 * Falco's proc.cmdline: the name, then the arguments joined by spaces
 * (argv[0] is not repeated; trailing empty arguments are dropped).
 */
static void put_cmdline(struct ctx_out *o, const struct vgl_hdr *h, const struct image *im)
{
	size_t budget = VGL_FMT_CMDLINE_MAX, len = im->args ? im->args_len : 0, n;
	const char *a = im->args;
	bool whole;

	if (!im->known) {
		put_unknown(o);
		return;
	}
	while (len && !a[len - 1])
		len--;
	vgl_wb_char(o->w, '"');
	whole = put_piece(o, h->comm, strnlen(h->comm, VGL_COMM_LEN - 1), &budget);
	while (whole && len) {
		n = strnlen(a, len);
		whole = put_piece(o, " ", 1, &budget) && put_piece(o, a, n, &budget);
		n = n < len ? n + 1 : n; /* and its NUL */
		a += n;
		len -= n;
	}
	vgl_wb_char(o->w, '"');
	if (!whole)
		mark_cut(o);
}

static const struct vgl_proc_view *proc_of(struct ctx_out *o, uint32_t pid)
{
	return pid && o->ops->proc ? o->ops->proc(o->state, pid) : NULL;
}

/* {"pid": 1000, "name": "bash"} or bash[1000]; an unknown name null / <NA>. */
static void put_ancestor(struct ctx_out *o, uint32_t pid, const char *name)
{
	if (o->json) {
		vgl_wb_lit(o->w, "{\"pid\": ");
		vgl_wb_u64(o->w, pid);
		vgl_wb_lit(o->w, ", \"name\": ");
		put_string(o, name, VGL_FMT_ANAME_MAX);
		vgl_wb_char(o->w, '}');
		return;
	}
	if (name) {
		size_t n = strnlen(name, VGL_FMT_ANAME_MAX + 1),
		       k = cut_len(name, n, VGL_FMT_ANAME_MAX);

		vgl_wb_c_esc(o->w, name, k);
		if (k < n)
			mark_cut(o);
	} else {
		put_unknown(o);
	}
	vgl_wb_char(o->w, '[');
	vgl_wb_u64(o->w, pid);
	vgl_wb_char(o->w, ']');
}

/*
 * The parent first, up to VGL_FMT_ANCESTORS_MAX, from the header's ppid up
 * through the state's. A process the state does not know ends the chain
 * with its pid (its parent is unknown); pid 0 or a loop ends it too.
 */
static void put_ancestors(struct ctx_out *o, const struct vgl_hdr *h)
{
	uint32_t pid = h->ppid;
	unsigned int n = 0;

	if (o->json)
		vgl_wb_char(o->w, '[');
	while (pid && n < VGL_FMT_ANCESTORS_MAX && !o->w->full) {
		const struct vgl_proc_view *v = proc_of(o, pid);

		if (n++)
			vgl_wb_char(o->w, ',');
		if (n > 1 && o->json)
			vgl_wb_char(o->w, ' ');
		put_ancestor(o, pid, v ? v->name : NULL);
		if (!v || !v->ppid || v->ppid == pid)
			break;
		pid = v->ppid;
	}
	if (o->json)
		vgl_wb_char(o->w, ']');
	else if (!n)
		put_unknown(o);
}

static void put_process(struct ctx_out *o, const struct vgl_event *ev)
{
	const struct vgl_proc_view *parent;
	struct image im;

	get_image(ev, proc_of(o, ev->hdr.pid), &im);
	put_key(o, "proc.exepath");
	put_string(o, im.exepath, VGL_FMT_EXEPATH_MAX);
	put_key(o, "proc.cmdline");
	put_cmdline(o, &ev->hdr, &im);
	if (o->json) { /* Falco's name for ancestors[0].name, for queries */
		parent = proc_of(o, ev->hdr.ppid);
		put_key(o, "proc.pname");
		put_string(o, parent ? parent->name : NULL, VGL_FMT_ANAME_MAX);
	}
	put_key(o, "proc.ancestors");
	put_ancestors(o, &ev->hdr);
}

static const char *user_name(struct ctx_out *o, uint32_t uid, uint32_t pid)
{
	if (uid == UINT32_MAX || !o->ops->user_name)
		return NULL;
	return o->ops->user_name(o->state, uid, pid);
}

/* As user.name and user.loginname: the effective uid, the audit login uid. */
static void put_user(struct ctx_out *o, const struct vgl_hdr *h)
{
	put_key(o, "user.name");
	put_string(o, user_name(o, h->euid, h->pid), VGL_FMT_CTX_STR_MAX);
	put_key(o, "user.loginname");
	put_string(o, user_name(o, h->loginuid, h->pid), VGL_FMT_CTX_STR_MAX);
}

static void put_container(struct ctx_out *o, const struct vgl_hdr *h)
{
	const struct vgl_container_view *c =
		o->ops->container ? o->ops->container(o->state, h->cgroup_id, h->pid) : NULL;

	put_key(o, "container.id");
	put_string(o, c ? c->id : NULL, VGL_FMT_CTX_STR_MAX);
	put_key(o, "container.name");
	put_string(o, c ? c->name : NULL, VGL_FMT_CTX_STR_MAX);
	put_key(o, "container.image");
	put_string(o, c ? c->image : NULL, VGL_FMT_CTX_STR_MAX);
	put_key(o, "k8s.ns.name");
	put_string(o, c ? c->k8s_ns_name : NULL, VGL_FMT_CTX_STR_MAX);
	put_key(o, "k8s.pod.name");
	put_string(o, c ? c->k8s_pod_name : NULL, VGL_FMT_CTX_STR_MAX);
}

void vgl_wb_context(struct vgl_wbuf *w, const struct vgl_event *ev, const struct vgl_fmt_opts *opts,
		    bool json)
{
	struct ctx_out o = { .w = w, .json = json, .ops = opts->sops, .state = opts->sctx };

	put_process(&o, ev);
	put_user(&o, &ev->hdr);
	put_container(&o, &ev->hdr);
	if (o.cut && json)
		vgl_wb_lit(w, ", \"context_truncated\": true");
}
