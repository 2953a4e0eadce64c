// SPDX-License-Identifier: Apache-2.0
/*
 * The recorded state (replaystate.h): context records applied in file order,
 * keyed as the recorder (recorder.c) wrote them:
 *
 *	processes   pid, with proc.env and proc.is_exe_upper_layer (PROC_LAZY)
 *	containers  (cgroup id, pid): the answer for that pid, else (cgroup id,
 *	            0): the answer for the cgroup's other processes
 *	users       (uid or gid, container id): the names of that container's
 *	            passwd / group ("host": the host's)
 *	bindings    pid -> the container id whose names it saw (the pid of USER
 *	            and GROUP records)
 *	fds         (pid, fd)
 *	exes        pid -> the last EXE answer written for it: the recorder
 *	            writes one whenever a rule's answer differs from the last
 *	            one it wrote for that pid, gone or not
 *	configs     (pid, path) -> the last CONFIG answer (replaystate_cfg.c)
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "capture/format.h"
#include "capture/record.h"
#include "capture/replaystate.h"
#include "capture/replaystate_int.h"

static void drop_proc(struct rs_node *n)
{
	struct rs_proc *p = (struct rs_proc *)n;

	free(p->mem);
	free(p->lazy.mem);
	free(p);
}

static void drop_ctr(struct rs_node *n)
{
	free(((struct rs_ctr *)n)->c.mem);
	free(((struct rs_ctr *)n)->c.posture_mem);
	free(n);
}

static void drop_user(struct rs_node *n)
{
	free(((struct rs_user *)n)->u.mem);
	free(n);
}

static void drop_bind(struct rs_node *n)
{
	free(((struct rs_bind *)n)->ctr_id);
	free(n);
}

static void drop_plain(struct rs_node *n)
{
	free(n);
}

static void drop_fd(struct rs_node *n)
{
	free(((struct rs_fd *)n)->f.mem);
	free(n);
}

struct vgl_replaystate *vgl_replaystate_new(const char *hostname)
{
	struct vgl_replaystate *rs = calloc(1, sizeof(*rs));
	uint64_t *f;

	if (!rs)
		return NULL;
	f = &rs->stats.forgotten;
	rs->version = 1;
	if (rs_table_init(&rs->procs, VGL_REPLAY_PROCS_MAX, drop_proc, f) ||
	    rs_table_init(&rs->ctrs, VGL_REPLAY_CONTAINERS_MAX, drop_ctr, f) ||
	    rs_table_init(&rs->users, VGL_REPLAY_USERS_MAX, drop_user, f) ||
	    rs_table_init(&rs->binds, VGL_REPLAY_PROCS_MAX, drop_bind, f) ||
	    rs_table_init(&rs->fds, VGL_REPLAY_FDS_MAX, drop_fd, f) ||
	    rs_table_init(&rs->exes, VGL_REPLAY_PROCS_MAX, drop_plain, f) ||
	    rs_table_init(&rs->cfgs, VGL_REPLAY_CONFIGS_MAX, rs_drop_cfg, f) ||
	    vgl_replaystate_set_hostname(rs, hostname)) {
		vgl_replaystate_free(rs);
		errno = ENOMEM;
		return NULL;
	}
	return rs;
}

void vgl_replaystate_free(struct vgl_replaystate *rs)
{
	if (!rs)
		return;
	rs_table_fini(&rs->procs);
	rs_table_fini(&rs->ctrs);
	rs_table_fini(&rs->users);
	rs_table_fini(&rs->binds);
	rs_table_fini(&rs->fds);
	rs_table_fini(&rs->exes);
	rs_table_fini(&rs->cfgs);
	free(rs->hostname);
	free(rs);
}

int vgl_replaystate_set_hostname(struct vgl_replaystate *rs, const char *hostname)
{
	char *h = strdup(hostname ? hostname : "");

	if (!h)
		return -ENOMEM;
	free(rs->hostname);
	rs->hostname = h;
	return 0;
}

/* The entry for the keys, made (zeroed, @size bytes) when missing, and touched. */
static struct rs_node *upsert(struct rs_table *t, size_t size, uint64_t k1, uint64_t k2,
			      const char *skey, bool *ret_new)
{
	struct rs_node *n = rs_find(t, k1, k2, skey);

	*ret_new = !n;
	if (n) {
		rs_touch(t, n);
		return n;
	}
	n = calloc(1, size);
	if (n) {
		n->k1 = k1;
		n->k2 = k2;
		n->skey = skey;
	}
	return n;
}

static int apply_proc(struct vgl_replaystate *rs, const void *data, size_t len)
{
	struct vgl_caprec_proc d;
	struct rs_proc *p;
	bool fresh;
	int rc = vgl_caprec_decode_proc(data, len, &d);

	if (rc)
		return rc;
	p = (struct rs_proc *)upsert(&rs->procs, sizeof(*p), d.view.pid, 0, NULL, &fresh);
	if (!p) {
		free(d.mem);
		return -ENOMEM;
	}
	free(p->mem);
	p->view = d.view;
	p->mem = d.mem;
	p->view.version = ++rs->version;
	p->view.lazy_version = fresh ? ++rs->version : p->view.lazy_version;
	if (fresh)
		rs_insert(&rs->procs, &p->n);
	return 0;
}

static int apply_lazy(struct vgl_replaystate *rs, const void *data, size_t len)
{
	struct vgl_caprec_lazy d;
	struct rs_proc *p;
	int rc = vgl_caprec_decode_proc_lazy(data, len, &d);

	if (rc)
		return rc;
	p = (struct rs_proc *)rs_find(&rs->procs, d.pid, 0, NULL);
	if (!p) { /* the live state answers nothing for an unknown process either */
		free(d.mem);
		return 0;
	}
	rs_touch(&rs->procs, &p->n);
	free(p->lazy.mem);
	p->lazy = d;
	p->lazy_known = true;
	p->view.lazy_version = ++rs->version;
	return 0;
}

static int apply_container(struct vgl_replaystate *rs, const void *data, size_t len)
{
	struct vgl_caprec_container d;
	struct rs_ctr *c;
	bool fresh;
	int rc = vgl_caprec_decode_container(data, len, &d);

	if (rc)
		return rc;
	c = (struct rs_ctr *)upsert(&rs->ctrs, sizeof(*c), d.cgroup_id, d.pid, NULL, &fresh);
	if (!c) {
		free(d.mem);
		return -ENOMEM;
	}
	free(c->c.mem);
	free(c->c.posture_mem);
	c->c = d;
	c->c.view.version = ++rs->version;
	if (fresh)
		rs_insert(&rs->ctrs, &c->n);
	return 0;
}

/* @pid saw the names of container @id. */
static int bind(struct vgl_replaystate *rs, uint32_t pid, const char *id)
{
	struct rs_bind *b;
	bool fresh;
	char *copy;

	b = (struct rs_bind *)upsert(&rs->binds, sizeof(*b), pid, 0, NULL, &fresh);
	if (!b)
		return -ENOMEM;
	if (!b->ctr_id || strcmp(b->ctr_id, id)) {
		copy = strdup(id);
		if (!copy) {
			if (fresh)
				free(b);
			return -ENOMEM;
		}
		free(b->ctr_id);
		b->ctr_id = copy;
	}
	if (fresh)
		rs_insert(&rs->binds, &b->n);
	return 0;
}

static int apply_names(struct vgl_replaystate *rs, bool group, const void *data, size_t len)
{
	struct vgl_caprec_user d;
	struct rs_user *u;
	bool fresh;
	int rc = group ? vgl_caprec_decode_group(data, len, &d)
		       : vgl_caprec_decode_user(data, len, &d);

	if (rc)
		return rc;
	if ((rc = bind(rs, d.pid, d.ctr_id))) {
		free(d.mem);
		return rc;
	}
	u = (struct rs_user *)upsert(&rs->users, sizeof(*u), d.id | (group ? RS_GROUP_KEY : 0), 0,
				     d.ctr_id, &fresh);
	if (!u) {
		free(d.mem);
		return -ENOMEM;
	}
	free(u->u.mem);
	u->u = d;
	u->n.skey = d.ctr_id; /* the same string, now in the new record's memory */
	if (fresh)
		rs_insert(&rs->users, &u->n);
	return 0;
}

static int apply_fd(struct vgl_replaystate *rs, const void *data, size_t len)
{
	struct vgl_caprec_fd d;
	struct rs_fd *f;
	bool fresh;
	int rc = vgl_caprec_decode_fd(data, len, &d);

	if (rc)
		return rc;
	f = (struct rs_fd *)upsert(&rs->fds, sizeof(*f), d.pid, (uint64_t)d.fd, NULL, &fresh);
	if (!f) {
		free(d.mem);
		return -ENOMEM;
	}
	free(f->f.mem);
	f->f = d;
	f->f.view.version = ++rs->version;
	if (fresh)
		rs_insert(&rs->fds, &f->n);
	return 0;
}

/* The ends of the socket its FD record (just before) described. */
static int apply_fd_addr(struct vgl_replaystate *rs, const void *data, size_t len)
{
	struct vgl_fd_view ends = { 0 };
	struct rs_fd *f;
	uint32_t pid;
	int64_t fd;

	if (vgl_caprec_decode_fd_addr(data, len, &pid, &fd, &ends))
		return -EINVAL;
	f = (struct rs_fd *)rs_find(&rs->fds, pid, (uint64_t)fd, NULL);
	if (!f)
		return 0; /* forgotten at the bound: nothing to add to */
	f->f.view.local = ends.local;
	f->f.view.remote = ends.remote;
	f->f.view.local_is_server = ends.local_is_server;
	f->f.view.version = ++rs->version;
	return 0;
}

static int apply_exe(struct vgl_replaystate *rs, const void *data, size_t len)
{
	struct vgl_exe_stat st;
	struct rs_exe *e;
	uint32_t pid;
	bool known, fresh;

	if (vgl_caprec_decode_exe(data, len, &pid, &known, &st))
		return -EINVAL;
	e = (struct rs_exe *)upsert(&rs->exes, sizeof(*e), pid, 0, NULL, &fresh);
	if (!e)
		return -ENOMEM;
	e->known = known;
	e->st = st;
	if (fresh)
		rs_insert(&rs->exes, &e->n);
	return 0;
}

static int apply_gone(struct vgl_replaystate *rs, uint32_t type, const void *data, size_t len)
{
	struct rs_node *n;
	uint32_t pid;
	int64_t fd;

	if (type == VGL_CAP_REC_PROC_GONE) {
		if (vgl_caprec_decode_proc_gone(data, len, &pid))
			return -EINVAL;
		if ((n = rs_find(&rs->procs, pid, 0, NULL)))
			rs_remove(&rs->procs, n);
		return 0;
	}
	if (vgl_caprec_decode_fd_gone(data, len, &pid, &fd))
		return -EINVAL;
	if ((n = rs_find(&rs->fds, pid, (uint64_t)fd, NULL)))
		rs_remove(&rs->fds, n);
	return 0;
}

int vgl_replaystate_apply(struct vgl_replaystate *rs, uint32_t type, const void *data, size_t len)
{
	int rc;

	switch (type) {
	case VGL_CAP_REC_PROC:
		rc = apply_proc(rs, data, len);
		break;
	case VGL_CAP_REC_PROC_LAZY:
		rc = apply_lazy(rs, data, len);
		break;
	case VGL_CAP_REC_CONTAINER:
		rc = apply_container(rs, data, len);
		break;
	case VGL_CAP_REC_USER:
	case VGL_CAP_REC_GROUP:
		rc = apply_names(rs, type == VGL_CAP_REC_GROUP, data, len);
		break;
	case VGL_CAP_REC_FD:
		rc = apply_fd(rs, data, len);
		break;
	case VGL_CAP_REC_PROC_GONE:
	case VGL_CAP_REC_FD_GONE:
		rc = apply_gone(rs, type, data, len);
		break;
	case VGL_CAP_REC_EXE:
		rc = apply_exe(rs, data, len);
		break;
	case VGL_CAP_REC_FD_ADDR:
		rc = apply_fd_addr(rs, data, len);
		break;
	case VGL_CAP_REC_CONFIG:
		rc = rs_apply_config(rs, data, len);
		break;
	case VGL_CAP_REC_CTR_POSTURE:
		rc = rs_apply_ctr_posture(rs, data, len);
		break;
	case VGL_CAP_REC_EVENT:
		return -EINVAL; /* not context: the caller's mistake, not the file's */
	default:
		return 0; /* LOSS, and types of a later version: nothing to know */
	}
	if (rc == -EINVAL)
		rs->stats.malformed++;
	else if (!rc)
		rs->stats.applied++;
	return rc;
}

void vgl_replaystate_stats(const struct vgl_replaystate *rs, struct vgl_replaystate_stats *ret)
{
	*ret = rs->stats;
}
