// SPDX-License-Identifier: Apache-2.0
/*
 * `vigil run`'s bring-up, in libbpf-bootstrap's order: rules, BPF load,
 * state and the capture stage, the kinds to capture; run.c then attaches
 * and polls.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "bpf/loader.h"
#include "rules/dns.h"
#include "rules/prefilter.h"
#include "run/capsetup.h"
#include "run/loop.h"
#include "run/metrics_glue.h"
#include "run/reload.h"
#include "state/containers.h"
#include "util/log.h"

/* The kinds to capture: printed ones, the rules' and what state needs. */
int vgl_loop_apply_kinds(struct vgl_loop *l)
{
	struct vgl_kindset capture = l->opts->print;
	bool rule_kinds[VGL_EV_MAX] = { false };

	if (l->p->rules) {
		vgl_ruleset_kinds(l->p->rules, rule_kinds);
		vgl_ctr_early_kinds(rule_kinds); /* the container state */
	}
	struct vgl_kindset wanted;

	for (int k = 1; k < VGL_EV_MAX; k++)
		capture.has[k] = capture.has[k] || (rule_kinds[k] && vgl_kind_has_syscall(k));
	vgl_capsetup_kinds(&l->cap, l->cfg, &capture);
	/* printed events show it; rules only where one reads proc.env */
	vgl_bpf_set_env_bytes(
		l->bpf,
		!l->p->rules || vgl_ruleset_uses_field(l->p->rules, "proc.env") ? VGL_ENV_MAX : 0);
	wanted = capture;
	vgl_kindset_add_state(&capture);
	return vgl_bpf_set_kinds(l->bpf, &capture, &wanted);
}

/*
 * The prefilter for the running rules and, during a reload, @also's: what
 * they may match, all of the kinds printed or recorded. Failing, every
 * event passes (said why).
 */
void vgl_loop_apply_prefilter(struct vgl_loop *l, const struct vgl_ruleset *also)
{
	const struct vgl_ruleset *sets[2] = { l->p->rules, also };
	struct vgl_kindset keep = l->opts->print;
	struct vgl_prefilter *pf = NULL;
	char err[256] = "";

	if (!l->opts->no_prefilter && l->p->rules) {
		vgl_capsetup_kinds(&l->cap, l->cfg, &keep);
		if (vgl_prefilter_derive(sets, also ? 2 : 1, &keep,
					 "printed or recorded (--events, -w, flight recorder)",
					 &pf))
			vgl_warn("prefilter: out of memory: every event passes");
		else if (l->opts->verbose && !also)
			vgl_prefilter_explain(pf, false, stderr);
	}
	if (vgl_bpf_set_prefilter(l->bpf, pf, err, sizeof(err)))
		vgl_warn("%s: every event passes", err);
}

static void log_hooks(const struct vgl_hooks *h)
{
	for (int i = 0; i < VGL_HOOK_MAX; i++) {
		const struct vgl_hook_choice *c = &h->choice[i];

		if (c->why && c->why[0])
			vgl_info("hook: %s: %s (not used: %s)", c->concern, c->hook, c->why);
		else
			vgl_info("hook: %s: %s", c->concern, c->hook);
	}
}

static int load_rules(struct vgl_loop *l)
{
	const struct vgl_run_opts *o = l->opts;
	struct vgl_rules_opts ropts = { .first_match = o->first_match };
	struct vgl_ruleset *rs = NULL;
	struct vgl_diag diag;
	double started = vgl_loop_now_mono();
	char err[512] = "";
	int ret;

	if (!o->rules)
		return 0;
	vgl_diag_init(&diag);
	ret = vgl_rules_load(o->rule_args, o->nrule_args, &ropts, &rs, &diag, err, sizeof(err));
	vgl_rules_print_diag(&diag);
	vgl_diag_free(&diag);
	if (ret) {
		vgl_err("%s", err);
		return ret;
	}
	vgl_info("rules: %zu loaded", vgl_ruleset_nrules(rs));
	vgl_run_metrics_rules(l->metrics, false, true, vgl_loop_now_mono() - started);
	/* the names fd.*ip.name rules compare with (reloads may add more) */
	ret = vgl_dns_start();
	if (ret)
		vgl_warn("fd.*ip.name: cannot start the resolver thread: %s", strerror(-ret));
	ret = 0;
	vgl_pipeline_set_rules(l->p, rs, &ret);
	if (!ret)
		ret = vgl_reload_new(o->rule_args, o->nrule_args, &ropts, &l->reload);
	return ret;
}

static bool has_kinds(const struct vgl_kindset *ks)
{
	for (int k = 1; k < VGL_EV_MAX; k++) {
		if (ks->has[k])
			return true;
	}
	return false;
}

int vgl_loop_start(struct vgl_loop *l)
{
	const struct vgl_run_opts *opts = l->opts;
	struct vgl_bpf_opts bopts = { opts->ringbuf_size, opts->wakeup_bytes, opts->syscall_hook };
	char err[512] = "";
	int ret;

	if (load_rules(l))
		return -1;
	if (vgl_bpf_preflight(err, sizeof(err)) ||
	    vgl_bpf_load(&bopts, &l->bpf, err, sizeof(err))) {
		vgl_err("%s", err);
		return -1;
	}
	/* rule fields, printed events' and the capture's context need process and
	 * container state */
	if (l->p->rules || has_kinds(&opts->print) || vgl_capsetup_active(&l->cap, l->cfg)) {
		struct vgl_state_opts sopts;

		vgl_state_opts_default(&sopts);
		sopts.async_meta = true;
		sopts.host_root = opts->host_root;
		l->p->state = vgl_state_new(&sopts);
		if (!l->p->state) {
			vgl_err("cannot build the process table: %s", strerror(errno));
			return -1;
		}
		vgl_pipeline_set_state_ops(l->p, vgl_state_ops(), l->p->state);
		if (vgl_capsetup_open(&l->cap, l->cfg, vgl_state_ops(), l->p->state, l->p->hostname,
				      l->p->fmt.boot_to_realtime_ns))
			return -1;
		l->p->rec = l->cap.rec;
		l->p->flight = l->cap.flight; /* rules with capture: true trigger it */
	}
	ret = vgl_loop_apply_kinds(l);
	if (ret) {
		vgl_err("cannot configure the syscall filter: %s", strerror(-ret));
		return -1;
	}
	vgl_loop_apply_prefilter(l, NULL);
	log_hooks(vgl_bpf_hooks(l->bpf));
	return 0;
}
