// SPDX-License-Identifier: Apache-2.0
/*
 * docker.daemon.* fields: the posture of a Docker daemon, on any event of a
 * process named dockerd (its exec event first), from its command line and
 * its config file (dockerd.h). Unknown (<NA>) for any other process, and
 * for a setting the command line does not give when the file cannot be
 * read or parsed (docker.daemon.config_error says why).
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "rules/fields/dockerd.h"
#include "rules/fields/fields.h"

enum {
	D_CONFIG,
	D_CONFIG_ERROR,
	D_ICC,
	D_USERNS,
	D_LIVE,
	D_TLSVERIFY,
	D_TCP_NO_TLS,
	D_HOSTS,
};

#define DOCKERD_BUF (VGL_DOCKERD_STR_MAX * (VGL_DOCKERD_HOSTS_MAX + 1))

struct posture {
	struct vgl_dockerd_says args, file;
	bool file_ok; /* the file said what it says (a missing default file says nothing) */
	const char *config;
	const char *error; /* "" none */
};

static bool is_dockerd(const struct vgl_xctx *x)
{
	return !strncmp(x->ev->hdr.comm, "dockerd", VGL_COMM_LEN);
}

/* argv[1..] and the cwd of the calling process: the exec event's, else the state's. */
static bool args_of(struct vgl_xctx *x, const char **ret_args, size_t *ret_len,
		    const char **ret_cwd)
{
	const struct vgl_proc_view *v = xctx_proc(x);
	const struct vgl_param *p;
	size_t n;

	*ret_args = v ? v->args : NULL;
	*ret_len = v && v->args ? v->args_len : 0;
	*ret_cwd = v ? v->cwd : NULL;
	if (ev_is_exec(x->ev) && (p = xctx_p(x, XP_ARGS)) && p->len) {
		n = strnlen(p->str, p->len);
		*ret_args = n < p->len ? p->str + n + 1 : "";
		*ret_len = n < p->len ? p->len - n - 1 : 0;
	}
	if (ev_is_exec(x->ev) && (p = xctx_p(x, XP_CWD)))
		*ret_cwd = p->str;
	return *ret_args || v;
}

/* The config file's path as the daemon sees it: --config-file, relative to its cwd. */
static const char *config_path(struct vgl_xctx *x, const struct vgl_dockerd_str *flag,
			       const char *cwd)
{
	struct vgl_fval tmp;
	int n = (int)flag->len;

	if (!flag->s)
		return VGL_DOCKERD_CONFIG;
	if (!n)
		return NULL;
	if (flag->s[0] == '/')
		return xctx_printf(x, &tmp, "%.*s", n, flag->s) ? tmp.s : NULL;
	if (!cwd || cwd[0] != '/')
		return NULL;
	if (!xctx_printf(x, &tmp, "%s%s%.*s", cwd, cwd[strlen(cwd) - 1] == '/' ? "" : "/", n,
			 flag->s))
		return NULL;
	return tmp.s;
}

static const char *file_error(struct vgl_xctx *x, const char *what)
{
	struct vgl_fval tmp;

	return xctx_printf(x, &tmp, "%s", what) ? tmp.s : "error";
}

static void read_file(struct vgl_xctx *x, struct posture *p)
{
	const char *data = NULL;
	char err[160], *buf;
	size_t len = 0;
	int rc = -ENOSYS;

	if (x->ops && x->ops->config_file)
		data = x->ops->config_file(x->state, x->ev->hdr.pid, p->config, &len, &rc);
	if (!data && rc == -ENOENT && !p->args.config_file.s) {
		p->file_ok = true; /* no daemon.json: Docker's defaults */
		return;
	}
	if (!data) {
		p->error = file_error(x, rc == -EFBIG ? "larger than 64 KiB" : strerror(-rc));
		return;
	}
	buf = xctx_alloc(x, DOCKERD_BUF);
	if (!buf) {
		p->error = "out of scratch space";
		return;
	}
	if (vgl_dockerd_parse_json(data, len, &p->file, buf, DOCKERD_BUF, err, sizeof(err)))
		p->error = file_error(x, err);
	else
		p->file_ok = true;
}

static bool posture_of(struct vgl_xctx *x, struct posture *p)
{
	const char *args, *cwd;
	size_t len;

	memset(p, 0, sizeof(*p));
	p->error = "";
	if (!is_dockerd(x) || !args_of(x, &args, &len, &cwd))
		return false;
	vgl_dockerd_parse_args(args ? args : "", args ? len : 0, &p->args);
	p->file.icc = p->file.live_restore = p->file.tls = p->file.tlsverify = -1;
	p->config = config_path(x, &p->args.config_file, cwd);
	if (!p->config) {
		p->error = "--config-file: empty, or relative with an unknown cwd";
		return true;
	}
	read_file(x, p);
	return true;
}

/* A tri-state setting: the flag's, else the file's, else @def; -1 unknown. */
static int setting(const struct posture *p, int8_t flag, int8_t file, int def)
{
	if (flag >= 0)
		return flag;
	if (!p->file_ok)
		return -1;
	return file >= 0 ? file : def;
}

static int put_tri(struct vgl_fval *out, int v)
{
	return v < 0 ? 0 : put_int(out, v);
}

static const struct vgl_dockerd_says *hosts_of(const struct posture *p)
{
	if (p->args.hosts_said)
		return &p->args;
	return p->file_ok ? &p->file : NULL;
}

static int tcp_without_tls(const struct posture *p, struct vgl_fval *out)
{
	const struct vgl_dockerd_says *h = hosts_of(p);
	int verify = setting(p, p->args.tlsverify, p->file.tlsverify, 0);
	bool tcp = false;

	if (!h || verify < 0)
		return 0;
	for (size_t i = 0; i < h->nhosts; i++)
		tcp = tcp || vgl_dockerd_host_is_tcp(h->hosts[i].s, h->hosts[i].len);
	return put_int(out, tcp && !verify);
}

static int hosts(const struct posture *p, struct vgl_fval *out, int max)
{
	const struct vgl_dockerd_says *h = hosts_of(p);
	int n = 0;

	if (!h)
		return 0;
	if (!h->nhosts) /* Docker's default */
		return put_str(out, "unix:///var/run/docker.sock");
	for (size_t i = 0; i < h->nhosts && n < max; i++)
		n += put_strn(&out[n], h->hosts[i].s, h->hosts[i].len);
	return n;
}

static int userns(const struct posture *p, struct vgl_fval *out)
{
	const struct vgl_dockerd_str *u = &p->args.userns_remap;

	if (!u->s && !p->file_ok)
		return 0;
	if (!u->s)
		u = &p->file.userns_remap;
	return u->s ? put_strn(out, u->s, u->len) : put_strn(out, "", 0);
}

static int ex_docker(struct vgl_xctx *x, const struct field_ref *ref, struct vgl_fval *out, int max)
{
	struct posture p;

	if (!posture_of(x, &p))
		return 0;
	switch (ref->def->id) {
	case D_CONFIG:
		return put_str(out, p.config);
	case D_CONFIG_ERROR:
		return put_str(out, p.error);
	case D_ICC:
		return put_tri(out, setting(&p, p.args.icc, p.file.icc, 1));
	case D_USERNS:
		return userns(&p, out);
	case D_LIVE:
		return put_tri(out, setting(&p, p.args.live_restore, p.file.live_restore, 0));
	case D_TLSVERIFY:
		return put_tri(out, setting(&p, p.args.tlsverify, p.file.tlsverify, 0));
	case D_TCP_NO_TLS:
		return tcp_without_tls(&p, out);
	case D_HOSTS:
		return hosts(&p, out, max);
	default:
		return 0;
	}
}

#define DOCKER(n, t, f, id)            \
	{                              \
		n, t, f, ex_docker, id \
	}

const struct field_def vgl_fields_docker[] = {
	DOCKER("docker.daemon.config", FT_STR, FF_STATE, D_CONFIG),
	DOCKER("docker.daemon.config_error", FT_STR, FF_STATE, D_CONFIG_ERROR),
	DOCKER("docker.daemon.icc", FT_BOOL, FF_STATE, D_ICC),
	DOCKER("docker.daemon.userns_remap", FT_STR, FF_STATE, D_USERNS),
	DOCKER("docker.daemon.live_restore", FT_BOOL, FF_STATE, D_LIVE),
	DOCKER("docker.daemon.tlsverify", FT_BOOL, FF_STATE, D_TLSVERIFY),
	DOCKER("docker.daemon.tcp_without_tls", FT_BOOL, FF_STATE, D_TCP_NO_TLS),
	DOCKER("docker.daemon.hosts", FT_STR, FF_STATE | FF_MULTI, D_HOSTS),
	{ NULL, 0, 0, NULL, 0 },
};
